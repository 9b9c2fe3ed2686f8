"""Rosters in and out as XLSX and CSV: dry run, all-or-nothing import, refusals, round trip."""

import csv
import datetime as dt
import io
import os
import time

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from members.models import Membership, Person, Role
from members.roster_import import roster_import
from members.selectors import member_counts, roster_on
from members.services import membership_appoint
from members.spreadsheets import (
    RosterFileError,
    read_roster_file,
    roster_csv,
    roster_xlsx,
)
from tests.factories import AgencyFactory, HoldingFactory, PersonFactory, PositionFactory

D = dt.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]
HEADER = ["Full name", "Rank", "Role", "Post", "Home agency", "Start date", "Decision number"]


def csv_bytes(rows, header=HEADER, bom=True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows, header=HEADER, title="Roster") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def snapshot():
    return (
        Person.objects.count(),
        Membership.objects.count(),
        Membership.history.count(),
        list(Membership.objects.order_by("pk").values_list("pk", "end_date", "version")),
    )


ROWS = [
    [
        "Nguyễn Văn Được",
        "",
        "Trưởng ban",
        "Chủ tịch UBND Thành phố",
        "",
        "14/01/2026",
        "944/QĐ-UBND",
    ],
    [
        "Nguyễn Đình Dương",
        "Đại tá",
        "Phó Trưởng ban",
        "Phó Giám đốc Công an Thành phố",
        "",
        "2022",
        "",
    ],
    ["Võ Thị Trung Trinh", "", "member", "", "", "", ""],
]


class TestImport:
    def test_the_happy_path_imports_all_rows_with_history(
        self, committee_a, secretariat_a, decision
    ):
        plan = roster_import(
            committee=committee_a,
            data=csv_bytes(ROWS),
            filename="roster.csv",
            on=D(2026, 2, 1),
            dry_run=False,
            reason="Danh sách theo QĐ 944",
            by=secretariat_a,
        )
        assert plan.applied, [str(e) for e in plan.errors]
        roster = roster_on(committee_a, D(2026, 2, 1))
        assert [(m.person.full_name, m.role) for m in roster] == [
            ("Nguyễn Văn Được", Role.HEAD),
            ("Nguyễn Đình Dương", Role.DEPUTY_HEAD),
            ("Võ Thị Trung Trinh", Role.MEMBER),
        ]
        head = roster[0]
        assert (head.start_date, head.appointed_by) == (D(2026, 1, 14), decision)
        assert head.title_at_appointment == "Chủ tịch UBND Thành phố"
        assert roster[1].person.rank == "Đại tá"
        assert (roster[1].start_date, roster[1].start_precision) == (D(2022, 1, 1), "year")
        assert roster[2].start_date is None
        record = head.history.get()
        assert (record.history_user, record.history_change_reason) == (
            secretariat_a,
            "Danh sách theo QĐ 944",
        )
        assert (
            Person.history.filter(full_name="Nguyễn Văn Được").get().history_user == secretariat_a
        )

    def test_a_dry_run_shows_the_plan_and_changes_nothing(self, committee_a, head_of_a, decision):
        staying = membership_appoint(
            committee=committee_a, person=PersonFactory(full_name="Võ Thị Trung Trinh"), reason="x"
        )
        before = snapshot()
        plan = roster_import(
            committee=committee_a, data=csv_bytes(ROWS), on=D(2026, 2, 1), dry_run=True
        )
        assert plan.ok
        assert [s.full_name for s in plan.added] == ["Nguyễn Văn Được", "Nguyễn Đình Dương"]
        assert [e.membership for e in plan.ended] == [head_of_a]
        assert plan.unchanged == [staying]
        assert snapshot() == before

    def test_confirming_ends_members_missing_from_the_file(self, committee_a, head_of_a):
        plan = roster_import(
            committee=committee_a,
            data=csv_bytes(ROWS),
            on=D(2026, 2, 1),
            dry_run=False,
            reason="Kiện toàn",
        )
        assert plan.applied
        head_of_a.refresh_from_db()
        # The new head's term began on 14/01/2026: the old head hands over the day before.
        assert head_of_a.end_date == D(2026, 1, 13)
        assert head_of_a.version == 2
        assert head_of_a.history.latest("history_date").history_change_reason == "Kiện toàn"

    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            ([["Lê Quốc Cường", "", "Tổng chỉ huy", "", "", "", ""]], "unknown role"),
            ([["Lê Quốc Cường", "", "member", "", "", "31/02/2022", ""]], "bad date"),
            ([["Lê Quốc Cường", "", "member", "", "", "hôm qua", ""]], "bad date"),
            ([["Lê Quốc Cường", "", "member", "", "Sở Không Có", "", ""]], "unknown home agency"),
            ([["Lê Quốc Cường", "", "member", "", "", "", "999/QĐ"]], "unknown decision"),
            ([["", "", "member", "", "", "", ""]], "full name is empty"),
            (
                [
                    ["Lê Quốc Cường", "", "head", "", "", "", ""],
                    ["Lê Minh Hiếu", "", "head", "", "", "", ""],
                ],
                "already held",
            ),
        ],
    )
    def test_a_bad_row_imports_nothing(self, committee_a, rows, message):
        good = ["Võ Thị Trung Trinh", "", "member", "", "", "2022", ""]
        before = snapshot()
        plan = roster_import(
            committee=committee_a, data=csv_bytes([good, *rows]), dry_run=False, reason="x"
        )
        assert not plan.applied
        assert any(message in str(error) for error in plan.errors), [str(e) for e in plan.errors]
        assert str(plan.errors[0]).startswith("Row ")
        assert snapshot() == before

    def test_a_name_shared_by_two_people_is_never_merged(self, committee_a):
        police = AgencyFactory(name="Công an Thành phố", short_name="CATP")
        info = AgencyFactory(name="Sở Thông tin và Truyền thông")
        first = PersonFactory(full_name="Nguyễn Mạnh Hùng")
        second = PersonFactory(full_name="Nguyễn Mạnh Hùng")
        HoldingFactory(person=first, position=PositionFactory(title="Phó Giám đốc", agency=police))
        HoldingFactory(person=second, position=PositionFactory(title="Giám đốc", agency=info))
        ambiguous = csv_bytes([["Nguyễn Mạnh Hùng", "", "member", "", "", "", ""]])
        before = snapshot()
        plan = roster_import(committee=committee_a, data=ambiguous, dry_run=False, reason="x")
        assert not plan.applied
        assert [match.line for match in plan.undecided] == [2]
        assert {p for p, _known in plan.possible_matches[0].candidates} == {first, second}
        assert snapshot() == before
        # The home agency tells them apart.
        told = csv_bytes([["Nguyễn Mạnh Hùng", "", "member", "", "CATP", "", ""]])
        plan = roster_import(committee=committee_a, data=told, dry_run=False, reason="x")
        assert plan.applied
        assert [m.person for m in roster_on(committee_a)] == [first]

    def test_two_new_rows_with_one_name_are_two_people(self, committee_a):
        rows = [
            ["Trần Văn A", "", "member", "Thứ trưởng Bộ Tư pháp", "", "", ""],
            ["Trần Văn A", "", "member", "Thứ trưởng Bộ Công an", "", "", ""],
        ]
        plan = roster_import(committee=committee_a, data=csv_bytes(rows), dry_run=False, reason="x")
        assert plan.applied, plan.errors
        people = {m.person for m in roster_on(committee_a)}
        assert len(people) == 2
        assert {p.full_name for p in people} == {"Trần Văn A"}

    def test_a_name_whose_post_contradicts_the_registry_is_a_possible_match(self, committee_a):
        """One man who held two posts, or two men? The clerk decides; nothing is merged."""
        science = AgencyFactory(name="Sở Khoa học và Công nghệ")
        info = AgencyFactory(name="Sở Thông tin và Truyền thông")
        thang = PersonFactory(full_name="Lâm Đình Thắng")
        HoldingFactory(person=thang, position=PositionFactory(title="Giám đốc", agency=info))
        row = [["Lâm Đình Thắng", "", "Phó Trưởng ban", "Giám đốc", science.name, "", ""]]
        plan = roster_import(committee=committee_a, data=csv_bytes(row), dry_run=True)
        assert not plan.ok
        (match,) = plan.possible_matches
        assert match.candidates[0][0] == thang
        assert "Giám đốc — Sở Thông tin và Truyền thông" in match.candidates[0][1]
        # The clerk says it is a new person: two people of one name.
        plan = roster_import(
            committee=committee_a,
            data=csv_bytes(row),
            dry_run=False,
            reason="x",
            choices={2: "new"},
        )
        assert plan.applied
        (seat,) = roster_on(committee_a)
        assert seat.person != thang
        assert seat.person.full_name == "Lâm Đình Thắng"
        assert Person.objects.filter(full_name="Lâm Đình Thắng").count() == 2

    def test_the_clerk_may_say_it_is_the_same_person(self, committee_a):
        science = AgencyFactory(name="Sở Khoa học và Công nghệ")
        thang = PersonFactory(full_name="Lâm Đình Thắng")
        row = [["Lâm Đình Thắng", "", "Phó Trưởng ban", "Giám đốc", science.name, "", ""]]
        plan = roster_import(
            committee=committee_a,
            data=csv_bytes(row),
            dry_run=False,
            reason="x",
            choices={2: thang.slug},
        )
        assert plan.applied
        assert [m.person for m in roster_on(committee_a)] == [thang]

    def test_a_person_identifier_column_settles_who_is_meant(self, committee_a):
        first = PersonFactory(full_name="Nguyễn Mạnh Hùng")
        PersonFactory(full_name="Nguyễn Mạnh Hùng")
        header = [*HEADER, "Person identifier"]
        rows = [["Nguyễn Mạnh Hùng", "", "member", "", "", "", "", first.slug]]
        plan = roster_import(
            committee=committee_a, data=csv_bytes(rows, header=header), dry_run=False, reason="x"
        )
        assert plan.applied
        assert [m.person for m in roster_on(committee_a)] == [first]
        wrong = [["Trần Văn B", "", "member", "", "", "", "", first.slug]]
        plan = roster_import(
            committee=committee_a, data=csv_bytes(wrong, header=header), dry_run=True
        )
        assert "is Nguyễn Mạnh Hùng, not Trần Văn B" in str(plan.errors[0])

    def test_a_seat_named_by_its_title_goes_in_and_comes_back(self, committee_a):
        committee_a.declared_member_count = 3
        committee_a.save()
        rows = [
            ["Nguyễn Văn Được", "", "Trưởng ban", "Chủ tịch UBND", "", "", ""],
            ["", "", "Ủy viên", "Thứ trưởng Bộ Tư pháp", "", "", ""],
        ]
        plan = roster_import(committee=committee_a, data=csv_bytes(rows), dry_run=False, reason="x")
        assert plan.applied, plan.errors
        roster = roster_on(committee_a)
        title_only = [seat for seat in roster if seat.person_id is None]
        assert [seat.title_at_appointment for seat in title_only] == ["Thứ trưởng Bộ Tư pháp"]
        assert title_only[0].is_title_only
        counts = member_counts(committee_a)
        assert (counts.named, counts.title_only, counts.vacant, counts.gap) == (1, 1, 0, 1)
        # Exported with an empty name and its title; importing the export changes nothing.
        exported = roster_csv(committee_a)
        text = exported.decode("utf-8-sig")
        assert ",,Ủy viên,Thứ trưởng Bộ Tư pháp," in text
        plan = roster_import(committee=committee_a, data=exported, dry_run=False, reason="again")
        assert plan.applied
        assert (len(plan.added), len(plan.ended), len(plan.unchanged)) == (0, 0, 2)

    def test_a_secretariat_cannot_import_another_committees_roster(
        self, committee_a, secretariat_b
    ):
        with pytest.raises(PermissionDenied):
            roster_import(committee=committee_a, data=csv_bytes(ROWS), by=secretariat_b)

    def test_xlsx_with_real_dates_and_vietnamese_headers(self, committee_a):
        header = [
            "Họ và tên",
            "Cấp bậc",
            "Vai trò",
            "Chức vụ",
            "Cơ quan",
            "Ngày bắt đầu",
            "Số quyết định",
        ]
        data = xlsx_bytes(
            [["Lê Hồng Nam", "Trung tướng", "Phó Trưởng ban", "", "", dt.datetime(2022, 3, 4), ""]],
            header,
        )
        plan = roster_import(committee=committee_a, data=data, dry_run=False, reason="x")
        assert plan.applied, [str(e) for e in plan.errors]
        seat = roster_on(committee_a)[0]
        assert (seat.person.full_name, seat.start_date, seat.role) == (
            "Lê Hồng Nam",
            D(2022, 3, 4),
            Role.DEPUTY_HEAD,
        )

    def test_a_thousand_rows_import_in_seconds(self, committee_a, django_assert_max_num_queries):
        rows = [
            [f"Nguyễn Văn Thành viên {i}", "", "member", "", "", "2024", ""] for i in range(1000)
        ]
        data = csv_bytes(rows)
        started = time.monotonic()
        with django_assert_max_num_queries(40):
            plan = roster_import(committee=committee_a, data=data, dry_run=False, reason="x")
        elapsed = time.monotonic() - started
        assert plan.applied
        assert Membership.objects.filter(committee=committee_a).count() == 1000
        assert Membership.history.filter(committee_id=committee_a.pk).count() == 1000
        assert elapsed < 10, elapsed


class TestMalformedFiles:
    def check_refused(self, committee, data, message, filename=""):
        before = snapshot()
        with pytest.raises(RosterFileError, match=message):
            roster_import(committee=committee, data=data, filename=filename, dry_run=False)
        assert snapshot() == before

    def test_a_workbook_whose_sheet_is_not_a_roster(self, committee_a):
        data = xlsx_bytes(
            [["Chỉ tiêu", "Giá trị"], ["Cáp quang", "70%"]], header=None, title="Chỉ tiêu"
        )
        self.check_refused(committee_a, data, "No sheet", "roster.xlsx")

    def test_a_roster_on_the_second_sheet_is_found(self, committee_a):
        workbook = Workbook()
        workbook.active.append(["Ghi chú"])
        workbook.create_sheet("Danh sách").append(HEADER)
        workbook["Danh sách"].append(["Lê Quốc Cường", "", "member", "", "", "", ""])
        out = io.BytesIO()
        workbook.save(out)
        assert [r.full_name for r in read_roster_file(out.getvalue(), "x.xlsx")] == [
            "Lê Quốc Cường"
        ]

    def test_a_missing_column_is_named(self, committee_a):
        data = csv_bytes([["Lê Quốc Cường", "member"]], header=["Full name", "Role"])
        self.check_refused(committee_a, data, "Missing columns: Rank, Post")

    def test_ten_megabytes_of_junk(self, committee_a):
        self.check_refused(committee_a, os.urandom(10 * 1024 * 1024), "too large", "junk.xlsx")

    def test_small_binary_junk(self, committee_a):
        self.check_refused(committee_a, b"\x00\x01garbage" * 100, "neither an XLSX")
        self.check_refused(committee_a, b"PK\x03\x04" + os.urandom(2000), "not a readable XLSX")

    def test_text_not_in_utf8(self, committee_a):
        data = "Họ và tên,Vai trò\n".encode("cp1258", errors="replace") + b"\xff\xfe\xfd"
        self.check_refused(committee_a, data, "UTF-8")

    def test_an_empty_file(self, committee_a):
        self.check_refused(committee_a, b"", "empty")


class TestExport:
    @pytest.fixture
    def roster(self, committee_a, decision):
        agency = AgencyFactory(name="Sở Khoa học và Công nghệ")
        membership_appoint(
            committee=committee_a,
            person=PersonFactory(full_name="Nguyễn Văn Được"),
            role=Role.HEAD,
            start=D(2026, 1, 14),
            title="Chủ tịch UBND Thành phố",
            decision=decision,
            reason="x",
        )
        membership_appoint(
            committee=committee_a,
            person=PersonFactory(full_name="Lâm Đình Thắng"),
            role=Role.DEPUTY_HEAD,
            start=D(2022, 3, 1),
            start_precision="month",
            title='=HYPERLINK("http://x")',
            home_agency=agency,
            reason="x",
        )
        membership_appoint(
            committee=committee_a,
            person=PersonFactory(full_name="Nguyễn Đình Dương", rank="Đại tá"),
            role=Role.MEMBER,
            title="-1+2",
            reason="x",
        )
        return committee_a

    def test_csv_has_a_bom_diacritics_and_no_live_formulas(self, roster):
        data = roster_csv(roster, D(2026, 2, 1))
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == [*HEADER, "Person identifier"]
        names = [row[0] for row in rows[1:]]
        assert names == ["Nguyễn Văn Được", "Lâm Đình Thắng", "Nguyễn Đình Dương"]
        assert rows[2][3] == '\'=HYPERLINK("http://x")'
        assert rows[3][3] == "'-1+2"
        assert rows[2][5] == "03/2022"
        assert rows[3][1] == "Đại tá"

    def test_xlsx_keeps_diacritics_and_stores_formulas_as_text(self, roster):
        data = roster_xlsx(roster, D(2026, 2, 1))
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet["A2"].value == "Nguyễn Văn Được"
        assert sheet["D3"].value == '=HYPERLINK("http://x")'
        assert sheet["D3"].data_type == "s"
        import zipfile

        xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in xml

    def test_export_on_a_date_shows_that_days_roster(self, roster):
        rows = list(csv.reader(io.StringIO(roster_csv(roster, D(2023, 1, 1)).decode("utf-8-sig"))))
        # On 01/01/2023 the head had not started; the member with an unknown start is shown.
        assert [row[0] for row in rows[1:]] == ["Lâm Đình Thắng", "Nguyễn Đình Dương"]

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    @pytest.mark.parametrize("language", ["vi", "en"])
    def test_export_then_import_changes_nothing(self, roster, fmt, language):
        from django.utils import translation

        day = D(2026, 2, 1)
        with translation.override(language):
            data = roster_csv(roster, day) if fmt == "csv" else roster_xlsx(roster, day)
        before = snapshot()
        plan = roster_import(
            committee=roster, data=data, filename=f"r.{fmt}", on=day, dry_run=False, reason="x"
        )
        assert plan.ok, [str(e) for e in plan.errors]
        assert (len(plan.added), len(plan.ended), len(plan.unchanged)) == (0, 0, 3)
        assert snapshot() == before


def test_row_errors_are_in_vietnamese_by_default(committee_a):
    from django.utils import translation

    with translation.override("vi"):
        plan = roster_import(
            committee=committee_a,
            data=csv_bytes([["Lê Quốc Cường", "", "Tổng chỉ huy", "", "", "", ""]]),
        )
        message = str(plan.errors[0])
    assert message.startswith("Dòng 2")
    assert "vai trò không rõ" in message


def test_a_workbook_padded_to_its_last_column_is_read_without_exhausting_memory():
    """One cell at column XFD makes read-only openpyxl pad every row to 16,384 cells."""
    import io
    import resource

    from openpyxl import Workbook

    from members.workbooks import MAX_COLUMNS, read_xlsx

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Họ và tên", "Cấp bậc", "Chức danh", "Chức vụ", "Cơ quan", "Ngày bắt đầu", "Quyết định"]
    )
    for line in range(2, 3002):
        sheet.cell(row=line, column=1, value="x")
    sheet.cell(row=1, column=16384, value="far away")
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (rows,) = [list(sheet) for sheet in read_xlsx(buffer.getvalue())]
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert len(rows) == 3001
    assert max(len(row) for row in rows) <= MAX_COLUMNS
    assert grown_kib < 200_000


@pytest.mark.parametrize("value", ["=1+1", " =1+1", "+84 90", "-2", "@SUM(A1)", "\tx"])
def test_formula_like_cells_are_exported_as_text(value):
    from members.spreadsheets import guard_formula

    assert guard_formula(value).startswith("'")


def test_ordinary_cells_are_exported_as_they_are():
    from members.spreadsheets import guard_formula

    assert guard_formula("Nguyễn Văn Được") == "Nguyễn Văn Được"


def test_a_row_naming_a_seated_member_in_another_role_changes_their_role(committee_a):
    """The file names Ngô Bảo Châu (written in lower case) as deputy head from a decision's
    date: the member seated on this body changes role; no namesake. With a post the registry
    does not know him by, the dry run asks (one man with a new post, or two men?), and the
    clerk's choice of him does the same."""
    from tests.factories import InstrumentFactory

    person = PersonFactory(full_name="Ngô Bảo Châu")
    old = membership_appoint(
        committee=committee_a,
        person=person,
        role=Role.MEMBER,
        title="Viện trưởng Viện Toán",
        start=D(2022, 1, 1),
        reason="Thành lập",
    )
    decision = InstrumentFactory(number="30/QĐ-UBND")
    people = Person.objects.count()
    data = csv_bytes(
        [
            [
                "ngô bảo châu",
                "",
                "Phó Trưởng ban",
                "",
                "",
                "01/11/2026",
                "30/QĐ-UBND",
            ]
        ]
    )
    plan = roster_import(
        committee=committee_a, data=data, filename="r.csv", on=D(2026, 12, 1), dry_run=True
    )
    assert not plan.possible_matches
    assert plan.new_people == 0
    with_post = data.replace(
        "Phó Trưởng ban,,".encode(), "Phó Trưởng ban,Giám đốc Sở Khoa học,".encode()
    )
    asked = roster_import(
        committee=committee_a, data=with_post, filename="r.csv", on=D(2026, 12, 1), dry_run=True
    )
    assert [match.full_name for match in asked.possible_matches] == ["ngô bảo châu"]
    plan = roster_import(
        committee=committee_a,
        data=with_post,
        filename="r.csv",
        on=D(2026, 12, 1),
        dry_run=False,
        reason="Phân công",
        choices={asked.possible_matches[0].line: person.slug},
    )
    assert plan.applied
    assert Person.objects.count() == people
    old.refresh_from_db()
    assert (old.end_date, old.end_reason, old.ended_by) == (
        D(2026, 10, 31),
        Membership.EndReason.ROLE_CHANGED,
        decision,
    )
    new = committee_a.memberships.get(end_date__isnull=True)
    assert (new.person, new.role, new.start_date, new.appointed_by) == (
        person,
        Role.DEPUTY_HEAD,
        D(2026, 11, 1),
        decision,
    )
