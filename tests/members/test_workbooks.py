"""Roster files that cannot lose rows or exhaust memory: a sheet's stale declared dimension, a
workbook that unpacks to far more than it weighs, a cell longer than a spreadsheet cell, and
the size of an upload said as it is."""

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from members.models import Membership, Person
from members.roster_import import roster_import
from members.selectors import roster_on
from members.services import membership_appoint
from members.spreadsheets import RosterFileError, read_roster_file
from members.workbooks import (
    MAX_CELL_CHARS,
    MAX_IMPORT_BYTES,
    MAX_UNPACKED_BYTES,
    MAX_XML_PART_BYTES,
)
from tests.factories import PersonFactory

D = dt.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]
HEADER = ["Họ và tên", "Cấp bậc", "Vai trò", "Chức vụ", "Cơ quan", "Ngày bắt đầu", "Số quyết định"]
ROOT = Path(__file__).resolve().parents[2]
STAYING = ["Nguyễn Văn Được", "Trần Thị Ngọc Hòa", "Lê Quốc Cường", "Phạm Đức Thuận"]
ARRIVING = ["Võ Thị Trung Trinh", "Huỳnh Minh Khang"]


def workbook_bytes(rows, title="Danh sách") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def member_row(name: str) -> list[str]:
    return [name, "", "Thành viên", "", "", "", ""]


def rewrite(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The workbook with some parts replaced (or added); None leaves a part as it is."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = changes.pop(info.filename, None)
            target.writestr(
                info.filename,
                content if content is not None else source.read(info.filename),
                compress_type=zipfile.ZIP_DEFLATED,
            )
        for name, content in changes.items():
            target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


# --- A stale declared dimension ------------------------------------------------------------


def stale_workbook() -> bytes:
    """Six members, on a sheet that declares only its header and one row (A1:G2), as some
    spreadsheet writers leave it."""
    data = workbook_bytes([member_row(name) for name in STAYING + ARRIVING])
    sheet = part(data, "xl/worksheets/sheet1.xml")
    stale, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:G2"/>', sheet)
    assert count == 1
    return rewrite(data, {"xl/worksheets/sheet1.xml": stale})


def test_it_builds_a_workbook_whose_declared_dimension_hides_rows_from_openpyxl():
    """The fixture reproduces the fault: read-only openpyxl trusting the sheet sees two rows."""
    workbook = load_workbook(io.BytesIO(stale_workbook()), read_only=True)
    assert workbook.active.calculate_dimension() == "A1:G2"
    assert len(list(workbook.active.iter_rows(values_only=True))) == 2
    workbook.close()


def test_it_reads_every_row_of_a_sheet_that_declares_a_stale_dimension():
    rows = read_roster_file(stale_workbook(), "danh-sach.xlsx")
    assert [row.full_name for row in rows] == STAYING + ARRIVING
    assert [row.line for row in rows] == [2, 3, 4, 5, 6, 7]


def test_it_ends_nobody_who_is_in_a_stale_dimension_workbook(committee_a, secretariat_a):
    for name in STAYING:
        membership_appoint(
            committee=committee_a,
            person=PersonFactory(full_name=name),
            start=D(2025, 1, 1),
            reason="Quyết định thành lập",
        )
    data = stale_workbook()

    plan = roster_import(
        committee=committee_a, data=data, filename="danh-sach.xlsx", on=D(2026, 2, 1)
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.rows == 6
    assert plan.ended == []
    assert sorted(seat.person.full_name for seat in plan.unchanged) == sorted(STAYING)
    assert [seat.full_name for seat in plan.added] == ARRIVING

    plan = roster_import(
        committee=committee_a,
        data=data,
        filename="danh-sach.xlsx",
        on=D(2026, 2, 1),
        dry_run=False,
        reason="Kiện toàn",
        by=secretariat_a,
    )
    assert plan.applied
    assert sorted(m.person.full_name for m in roster_on(committee_a, D(2026, 2, 1))) == sorted(
        STAYING + ARRIVING
    )
    assert not Membership.objects.filter(committee=committee_a, end_date__isnull=False).exists()


# --- A workbook that unpacks to far more than it weighs ------------------------------------

BOMB_CELL_BYTES = 400 * 1024 * 1024
PLACEHOLDER = "ÔCHỜTHAYTHẾ"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A roster workbook of some 400 KB whose cell B3 is one 400 MB string (an inline string,
    as openpyxl writes text): the sheet is streamed into the zip 1 MiB at a time, so building
    it takes little memory."""
    data = workbook_bytes(
        [
            ["Nguyễn Văn Được", "", "Trưởng ban", "", "", "", ""],
            ["Trần Thị Ngọc Hòa", PLACEHOLDER, "Thành viên", "", "", "", ""],
        ]
    )
    sheet = "xl/worksheets/sheet1.xml"
    before, after = part(data, sheet).split(PLACEHOLDER.encode())
    path = tmp_path_factory.mktemp("bomb") / "danh-sach.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != sheet:
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(sheet, "w") as stream:
                stream.write(before)
                chunk = b"A" * (1024 * 1024)
                for _ in range(BOMB_CELL_BYTES // len(chunk)):
                    stream.write(chunk)
                stream.write(after)
    return path


READ_IN_A_FRESH_PROCESS = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.utils import translation
from members.spreadsheets import RosterFileError, read_roster_file
data = open(sys.argv[1], "rb").read()
translation.activate("vi")
started = time.perf_counter()
try:
    outcome = {"rows": len(read_roster_file(data, "danh-sach.xlsx"))}
except RosterFileError as exc:
    outcome = {"refused": " ".join(exc.messages)}
outcome["seconds"] = time.perf_counter() - started
outcome["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(outcome))
"""


def read_in_a_fresh_process(path: Path) -> dict:
    """Read a roster file in a process of its own, so that its peak memory is its own."""
    done = subprocess.run(
        [sys.executable, "-c", READ_IN_A_FRESH_PROCESS, str(path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_it_refuses_a_400_mb_cell_quickly_naming_the_cell_with_bounded_memory(bomb, tmp_path):
    assert bomb.stat().st_size < 1024 * 1024  # some 400 KB on the wire, under the upload limit
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > BOMB_CELL_BYTES

    small = tmp_path / "nho.xlsx"
    small.write_bytes(workbook_bytes([member_row(name) for name in STAYING]))
    baseline = read_in_a_fresh_process(small)
    assert baseline["rows"] == 4

    refused = read_in_a_fresh_process(bomb)
    assert refused.get("refused") == (
        "Ô B3 của trang tính “Danh sách” chứa hơn 32.767 ký tự, quá sức chứa của một ô bảng "
        "tính. Hãy rút ngắn rồi thử lại."
    ), refused
    assert refused["seconds"] < 5
    grown_mib = (refused["peak_kib"] - baseline["peak_kib"]) / 1024
    assert grown_mib < 150, f"reading the refused workbook took {grown_mib:.0f} MiB more"


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def shared_strings_workbook(rank: str) -> bytes:
    """A roster whose text sits in a shared strings part, as Excel writes it; cell B3 shows
    the string `rank`."""
    texts = [*HEADER, "Nguyễn Văn Được", "Thành viên", "Trần Thị Ngọc Hòa", rank]
    shared = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{text}</t></si>" for text in texts)
        + "</sst>"
    ).encode()
    refs = [f"{chr(65 + i)}1" for i in range(len(HEADER))] + ["A2", "C2", "A3", "B3"]
    rows: dict[str, list[str]] = {}
    for index, ref in enumerate(refs):
        rows.setdefault(ref[1:], []).append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
    rows["3"].append(f'<c r="C3" t="s"><v>{texts.index("Thành viên")}</v></c>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:G3"/><sheetData>'
        + "".join(f'<row r="{row}">{"".join(cells)}</row>' for row, cells in rows.items())
        + "</sheetData></worksheet>"
    ).encode()
    data = workbook_bytes([])
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>", SHARED_STRINGS_TYPE + b"</Types>"
    )
    return rewrite(
        data,
        {
            "xl/worksheets/sheet1.xml": sheet,
            "[Content_Types].xml": types,
            "xl/sharedStrings.xml": shared,
        },
    )


def test_it_reads_a_workbook_whose_text_is_in_shared_strings():
    rows = read_roster_file(shared_strings_workbook("Đại tá"), "danh-sach.xlsx")
    assert [(row.full_name, row.rank, row.role) for row in rows] == [
        ("Nguyễn Văn Được", "", "Thành viên"),
        ("Trần Thị Ngọc Hòa", "Đại tá", "Thành viên"),
    ]


def test_it_names_the_cell_showing_a_shared_string_longer_than_a_spreadsheet_cell():
    data = shared_strings_workbook("ơ" * (MAX_CELL_CHARS + 1))
    with translation.override("vi"), pytest.raises(RosterFileError) as refused:
        read_roster_file(data, "danh-sach.xlsx")
    assert refused.value.messages == [
        "Ô B3 của trang tính “Danh sách” chứa hơn 32.767 ký tự, quá sức chứa của một ô bảng "
        "tính. Hãy rút ngắn rồi thử lại."
    ]


def inline_sheet(cells: dict[str, str]) -> bytes:
    """A worksheet part whose cells are inline strings (no shared strings), without the
    optional cell references after the first row, as some writers do."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells.items():
        rows.setdefault(int(ref[1:]), []).append(
            f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
        )
    body = "".join(f'<row r="{row}">{"".join(rows[row])}</row>' for row in sorted(rows))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def test_it_names_an_inline_cell_longer_than_a_spreadsheet_cell():
    data = workbook_bytes([member_row("Nguyễn Văn Được")])
    cells = {f"{chr(65 + i)}1": header for i, header in enumerate(HEADER)}
    cells.update({"A2": "Nguyễn Văn Được", "C2": "Thành viên", "D3": "ư" * (MAX_CELL_CHARS + 1)})
    data = rewrite(data, {"xl/worksheets/sheet1.xml": inline_sheet(cells)})
    with pytest.raises(RosterFileError) as refused:
        read_roster_file(data, "danh-sach.xlsx")
    assert refused.value.messages == [
        "Cell D3 of the sheet “Danh sách” holds more than 32,767 characters, more than a "
        "spreadsheet cell may hold. Shorten it and try again."
    ]


def test_it_reads_a_cell_of_exactly_the_limit():
    long_post = "Chức vụ " * (MAX_CELL_CHARS // 8) + "x" * (MAX_CELL_CHARS % 8)
    assert len(long_post) == MAX_CELL_CHARS
    data = workbook_bytes([["Nguyễn Văn Được", "", "Thành viên", long_post, "", "", ""]])
    (row,) = read_roster_file(data, "danh-sach.xlsx")
    assert row.post == long_post.strip()


def test_it_refuses_a_workbook_that_unpacks_to_more_than_the_limit():
    padding = bytes(MAX_UNPACKED_BYTES + 1024 * 1024)  # an attachment of zeros, some 33 KB packed
    data = rewrite(workbook_bytes([member_row("Nguyễn Văn Được")]), {"xl/media/pad.bin": padding})
    assert len(data) < MAX_IMPORT_BYTES
    with pytest.raises(RosterFileError) as refused:
        read_roster_file(data, "danh-sach.xlsx")
    assert refused.value.messages == [
        "The workbook unpacks to 33.1 MB; a roster workbook may unpack to at most 32 MB. Copy "
        "the roster sheet alone into a new workbook and try again."
    ]


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with the size its directory declares for one part replaced by a lie."""
    encoded = name.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at + 1)) != -1:
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == encoded:
            return data[: at + 24] + size.to_bytes(4, "little") + data[at + 28 :]
    raise AssertionError(name)


def test_it_refuses_a_part_that_unpacks_to_more_than_its_declared_size():
    """The declared sizes bound what is unpacked: a part that holds more than its entry says
    (40 MB of cells behind a 2 KB declaration) is refused as unreadable, never unpacked."""
    cells = {f"{chr(65 + i)}1": header for i, header in enumerate(HEADER)}
    cells.update({f"A{line}": "Nguyễn Văn Được " * 300 for line in range(2, 8002)})
    sheet = inline_sheet(cells)  # some 45 MB unpacked
    data = rewrite(workbook_bytes([]), {"xl/worksheets/sheet1.xml": sheet})
    assert len(sheet) > MAX_UNPACKED_BYTES
    lying = declare_size(data, "xl/worksheets/sheet1.xml", 2048)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 2048
    with pytest.raises(RosterFileError, match="not a readable XLSX workbook"):
        read_roster_file(lying, "danh-sach.xlsx")


def test_it_refuses_an_oversized_part_that_openpyxl_would_parse_whole():
    styles = b'<?xml version="1.0"?><x>' + b" " * MAX_XML_PART_BYTES + b"</x>"
    data = rewrite(workbook_bytes([member_row("Nguyễn Văn Được")]), {"xl/styles.xml": styles})
    with pytest.raises(RosterFileError, match=r"part “xl/styles\.xml” unpacks to 8\.1 MB"):
        read_roster_file(data, "danh-sach.xlsx")


def test_it_refuses_a_workbook_part_that_declares_entities():
    data = workbook_bytes([member_row("Nguyễn Văn Được")])
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>&b;</t></si></sst>"
    )
    data = rewrite(data, {"xl/sharedStrings.xml": laughs})
    with pytest.raises(RosterFileError, match="not a readable XLSX workbook"):
        read_roster_file(data, "danh-sach.xlsx")


def test_it_names_the_line_of_a_csv_cell_longer_than_a_spreadsheet_cell():
    text = "\n".join(
        [
            ",".join(HEADER),
            "Nguyễn Văn Được,,Thành viên,,,,",
            f"Lê Văn Tám,,Thành viên,{'x' * 40_000},,,",
        ]
    )
    with pytest.raises(RosterFileError) as refused:
        read_roster_file(text.encode(), "danh-sach.csv")
    assert refused.value.messages == ["Line 3, column 4 holds more than 32,767 characters."]


def test_it_says_the_limits_in_vietnamese():
    with translation.override("vi"), pytest.raises(RosterFileError) as refused:
        read_roster_file(b"x" * (MAX_IMPORT_BYTES + 1), "danh-sach.csv")
    assert refused.value.messages == ["Tệp quá lớn (5,1 MB); tệp danh sách tối đa 5 MB."]


# --- The size of an upload, said as it is --------------------------------------------------


def test_it_reports_a_6_mb_upload_with_its_real_size(committee_a, superuser, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    client = Client()
    client.force_login(superuser)
    before = (Person.objects.count(), Membership.objects.count())
    upload = SimpleUploadedFile("danh-sach.xlsx", b"PK\x03\x04" + bytes(6 * 1024 * 1024 - 4))
    client.cookies["django_language"] = "vi"
    response = client.post(
        f"/admin/committees/committee/{committee_a.pk}/import/",
        {"file": upload, "reason": "Kiện toàn", "on": ""},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp quá lớn (6 MB); tệp danh sách tối đa 5 MB." in page
    assert "(5,0 MB)" not in page
    assert (Person.objects.count(), Membership.objects.count()) == before
    assert not any(tmp_path.rglob("*"))
