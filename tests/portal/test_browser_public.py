"""The public pages and the reports in a real browser: a citizen's walk and download, a
leader's two clicks to the latest report, live report status, the date box, the report admin."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from committees.models import Committee
from portal.revision import registry_revision_bump
from reports.models import Report
from reports.periods import parse_period
from reports.services import report_render, report_request
from tests.portal.helpers import DATA_COMMITTEE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DIGITAL = "bcd-chuyen-doi-so-tphcm"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    registry_revision_bump()


def test_a_citizen_reads_a_committee_its_lineage_and_downloads_a_csv(page, seeded):
    page.goto("/")
    expect(page.locator("[data-home-intro]")).to_be_visible()
    page.locator(f'.committee-table a.strong[href="/committees/{DIGITAL}/"]').click()
    page.wait_for_url(f"**/committees/{DIGITAL}/")
    expect(page.locator(".roster-table")).to_contain_text("Phan Văn Mãi")
    lineage = page.locator("section[aria-labelledby=lineage-title]")
    expect(lineage).to_contain_text("Ban Chỉ đạo xây dựng Chính quyền điện tử thành phố")
    lineage.get_by_role(
        "link", name="Ban Chỉ đạo xây dựng Chính quyền điện tử thành phố"
    ).first.click()
    page.wait_for_url("**/committees/*/")
    expect(page.locator("h1")).to_have_text("Ban Chỉ đạo xây dựng Chính quyền điện tử thành phố")
    expect(page.locator("#reports")).to_have_count(0)  # reports are for signed-in readers

    page.locator('.site-nav a[data-nav="open-data"]').click()
    page.wait_for_url("**/open-data/")
    expect(page.locator("[data-licence]")).to_contain_text("CC BY 4.0")
    with page.expect_download() as download_info:
        page.locator('a[data-file="seats.csv"]').click()
    content = Path(download_info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Phan Văn Mãi" in content.decode("utf-8-sig")
    page.screenshot(path="/tmp/wt14-open-data.png", full_page=True)


def test_a_leader_downloads_the_latest_report_in_two_clicks_from_home(page, log_in, leader, seeded):
    report = report_request(
        committee=Committee.objects.get(slug=DATA_COMMITTEE), period=parse_period("2026-Q3")
    )
    report_render(report_id=report.pk, task_id=report.task_id)
    log_in("lanhdao")
    page.goto("/")
    page.locator('.site-nav a[data-nav="reports"]').click()  # one
    page.wait_for_url("**/reports/")
    with page.expect_download() as download_info:
        page.locator("[data-report-download]").first.click()  # two
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF-")


def test_the_report_status_turns_ready_without_a_reload(page, log_in, leader, seeded):
    committee = Committee.objects.get(slug=DATA_COMMITTEE)
    log_in("lanhdao")
    page.goto(f"/committees/{DATA_COMMITTEE}/")
    page.locator("[data-request-report] button").click()
    page.wait_for_url(f"**/committees/{DATA_COMMITTEE}/#reports")
    report = Report.objects.get(committee=committee)
    row = page.locator(f'[data-report-id="{report.pk}"]')
    if report.status != Report.Status.READY:  # a queue is running elsewhere: make it here
        expect(row).to_have_attribute("data-report-status", re.compile("queued|running"))
        page.evaluate("window.__stillTheSamePage = true")
        report_render(report_id=report.pk, task_id=report.task_id)
        expect(row).to_have_attribute("data-report-status", "ready", timeout=20_000)
        expect(row.locator("[data-status-label]")).to_have_text("Sẵn sàng")
        expect(row.locator("[data-report-download]")).to_be_visible()
        assert page.evaluate("window.__stillTheSamePage") is True
    else:
        expect(row.locator("[data-report-download]")).to_be_visible()


def test_the_report_list_polls_until_ready(page, log_in, leader, seeded):
    report = report_request(
        committee=Committee.objects.get(slug=DATA_COMMITTEE),
        period=parse_period("2026-Q2"),
        send=False,
    )
    log_in("lanhdao")
    page.goto("/reports/")
    row = page.locator(f'[data-report-id="{report.pk}"]')
    expect(row.locator("[data-status-label]")).to_have_text("Đang chờ")
    page.evaluate("window.__stillTheSamePage = true")
    report_render(report_id=report.pk, task_id=report.task_id)
    expect(row).to_have_attribute("data-report-status", "ready", timeout=20_000)
    expect(row.locator("[data-report-download]")).to_be_visible()
    expect(row.locator("[data-size]")).not_to_have_text("—")
    assert page.evaluate("window.__stillTheSamePage") is True


def test_the_date_box_keeps_the_day_after_showing_it(page, seeded):
    page.goto(f"/committees/{DATA_COMMITTEE}/")
    page.fill("#id_as_of", "01/01/2020")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(r"as_of=01%2F01%2F2020"))
    expect(page.locator("#id_as_of")).to_have_value("01/01/2020")
    expect(page.locator("[data-unknown-starts]")).to_be_visible()
    # A link carrying the day as 2026-01-14 shows it as clerks write it.
    page.goto(f"/committees/{DATA_COMMITTEE}/?as_of=2026-01-14")
    expect(page.locator("#id_as_of")).to_have_value("14/01/2026")


def test_the_report_admin_shows_the_whole_finished_column(page, log_in, superuser, seeded):
    report = report_request(
        committee=Committee.objects.get(slug=DATA_COMMITTEE), period=parse_period("2026-Q3")
    )
    report_render(report_id=report.pk, task_id=report.task_id)
    log_in("quantri")
    page.goto("/admin/reports/report/")
    cell = page.locator("[data-finished]").first
    expect(cell).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$"))
    box = cell.bounding_box()
    table = page.locator("#result_list").bounding_box()
    assert box["x"] + box["width"] <= table["x"] + table["width"] + 1
    assert cell.evaluate("e => e.getBoundingClientRect().height") < 30  # one line, not wrapped
    expect(page.locator("body")).not_to_contain_text("Show counts")
    expect(page.locator("body")).to_contain_text("Hiện số lượng")
