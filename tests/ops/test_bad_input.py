"""Hostile input: script in names shows escaped everywhere; SQL-like searches are just searches;
oversized uploads are refused with a clear message and nothing is written."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from committees.text import fold, nfc
from members.models import Membership, Person
from tests.factories import CommitteeFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script>'
ATTRIBUTE = '" onmouseover="alert(1)'
FORMULA = '=HYPERLINK("http://evil.example","bấm")'
SCRIPT_SHOWN = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"
ATTRIBUTE_SHOWN = "&quot; onmouseover=&quot;alert(1)"


def _person(name: str, slug: str) -> Person:
    return PersonFactory(full_name=nfc(name), slug=slug, search_key=fold(name))


@pytest.fixture
def hostile(db):
    committee = CommitteeFactory(
        name=f"Ban Chỉ đạo {SCRIPT}", short_name=f"BCĐ {ATTRIBUTE}", slug="ban-doc-hai"
    )
    committee.search_key = fold(f"{committee.name} {committee.short_name}")
    committee.save()
    people = [
        _person(f"Nguyễn Văn {SCRIPT}", "nguoi-script"),
        _person(f"Trần Thị {ATTRIBUTE}", "nguoi-thuoc-tinh"),
        _person(FORMULA, "nguoi-cong-thuc"),
    ]
    for person in people:
        MembershipFactory(committee=committee, person=person, title_at_appointment=SCRIPT)
    return committee


@pytest.fixture
def admin_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/committees/ban-doc-hai/",
        "/people/nguoi-script/",
        "/people/nguoi-thuoc-tinh/",
        "/search/?q=script",
        "/committees/?q=script",
        "/admin/members/membership/",
        "/admin/members/person/",
        "/admin/committees/committee/",
        "/admin/committees/committee/{pk}/change/",
        "/admin/committees/committee/{pk}/roster/",
    ],
)
def test_script_in_names_is_shown_escaped_on_pages_and_in_the_admin(hostile, admin_client, path):
    response = admin_client.get(path.format(pk=hostile.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html
    assert ATTRIBUTE not in html
    assert 'onmouseover="alert' not in html
    if path != "/people/nguoi-thuoc-tinh/":
        assert SCRIPT_SHOWN in html


def test_an_attribute_breakout_is_shown_escaped(hostile, admin_client):
    html = admin_client.get("/people/nguoi-thuoc-tinh/").content.decode()
    assert ATTRIBUTE_SHOWN in html
    assert 'onmouseover="alert' not in html


def test_the_api_returns_hostile_names_as_json_data(hostile, client):
    response = client.get("/api/people/", {"page_size": 200})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    # JSON carries the name exactly as written; it is data, never markup, for the client.
    names = {row["full_name"] for row in response.json()["results"]}
    assert {f"Nguyễn Văn {SCRIPT}", f"Trần Thị {ATTRIBUTE}", FORMULA} <= names


def test_exports_keep_the_text_and_never_a_formula(hostile, admin_client):
    url = f"/admin/committees/committee/{hostile.pk}/export/"
    text = admin_client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert f"Nguyễn Văn {SCRIPT}" in cells
    assert "'" + FORMULA in cells
    assert FORMULA not in cells
    workbook = load_workbook(io.BytesIO(admin_client.get(url, {"format": "xlsx"}).content))
    values = {
        cell.value: cell.data_type
        for row in workbook.active.iter_rows()
        for cell in row
        if cell.value
    }
    assert values[f"Nguyễn Văn {SCRIPT}"] == "s"
    assert values[FORMULA] == "s"  # text, not a formula ("f")


def test_the_pdf_report_prints_hostile_names_as_text(hostile, settings, tmp_path):
    from django.utils import timezone

    from reports import services
    from reports.periods import Cadence, period_containing

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    period = period_containing(timezone.localdate(), Cadence.QUARTERLY)
    report = services.report_request(committee=hostile, period=period)
    services.report_render(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    assert report.status == report.Status.READY, report.error_message
    text = "".join(page.extract_text() for page in PdfReader(services.report_file(report)).pages)
    flat = " ".join(text.split())
    assert "<script>" in flat
    assert "onmouseover=" in flat


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE members_person; --",
        "%' OR '1'='1",
        "Được' UNION SELECT password FROM auth_user --",
        "%",
        "_",
        "\\",
        "nguyen\x00van",
        "a" * 5000,
    ],
)
def test_sql_like_searches_are_plain_searches(admin_client, query):
    known = _person("Nguyễn Văn Được", "nguyen-van-duoc-tim")
    other = _person("Lê Thị Hồng", "le-thi-hong-tim")
    count = Person.objects.count()
    response = admin_client.get("/search/", {"q": query})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    # Nothing matched by accident: a LIKE wildcard or an injected OR does not list everyone.
    assert other.full_name not in html
    assert Person.objects.count() == count
    # And search still works afterwards.
    found = admin_client.get("/search/", {"q": "nguyen van duoc"}).content.decode()
    assert known.full_name in found


def test_an_upload_over_the_request_limit_is_refused_and_writes_nothing(
    hostile, admin_client, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    before = Membership.objects.count()
    big = SimpleUploadedFile("danh-sach.csv", b"a" * (settings.MAX_REQUEST_BYTES + 1024))
    response = admin_client.post(
        f"/admin/committees/committee/{hostile.pk}/import/",
        {"file": big, "reason": "Kiện toàn", "on": ""},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 413
    assert "Tệp tải lên quá lớn" in response.content.decode()
    assert "Chưa có gì được lưu" in response.content.decode()
    assert Membership.objects.count() == before
    assert not any(tmp_path.rglob("*"))


def test_a_roster_file_over_its_own_limit_is_refused_with_a_message(
    hostile, admin_client, settings, tmp_path
):
    from members.spreadsheets import MAX_IMPORT_BYTES

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    before = Membership.objects.count()
    big = SimpleUploadedFile("danh-sach.csv", b"Ho ten\n" + b"a" * MAX_IMPORT_BYTES)
    admin_client.cookies["django_language"] = "en"
    response = admin_client.post(
        f"/admin/committees/committee/{hostile.pk}/import/",
        {"file": big, "reason": "Kiện toàn", "on": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert Membership.objects.count() == before
    assert not any(tmp_path.rglob("*"))


def test_form_data_over_the_memory_limit_is_refused_with_a_message(superuser, settings):
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post(
        "/accounts/login/",
        {"username": "quantri", "password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert "The form sent too much data" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_session_cookie_holding_a_nul_byte_is_ignored_not_a_server_error(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnopqrstuvwxyz0123"
    response = client.get("/api/memberships/")
    assert response.status_code == 200
