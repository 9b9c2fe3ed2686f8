"""The portal in a real browser: a leader's journey, the secretariat's edit links, keyboard use."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from committees.models import Committee
from reports.periods import parse_period
from reports.services import report_render, report_request
from tests.portal.helpers import DATA_COMMITTEE, NEW_DEPUTY, OLD_DEPUTY, change_standing_deputy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_searches_walks_to_the_committee_goes_back_in_time_and_downloads(
    page, log_in, leader, seeded, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    change_standing_deputy()
    report = report_request(
        committee=Committee.objects.get(slug=DATA_COMMITTEE), period=parse_period("2025-Q2")
    )
    report_render(report_id=report.pk)

    log_in("lanhdao")
    page.fill("#site-search-q", "nguyen van duoc")
    page.press("#site-search-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q=nguyen\+van\+duoc$"))
    page.get_by_role("link", name="Nguyễn Văn Được", exact=True).click()

    page.wait_for_url("**/people/nguyen-van-duoc/")
    expect(page.locator("h1")).to_have_text("Nguyễn Văn Được")
    page.locator(f'a[data-committee="{DATA_COMMITTEE}"]').click()

    page.wait_for_url(f"**/committees/{DATA_COMMITTEE}/")
    roster = page.locator(".roster-table")
    expect(roster).to_contain_text(NEW_DEPUTY)
    expect(roster).not_to_contain_text(OLD_DEPUTY)

    page.fill("#id_as_of", "2025-06-01")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(r"as_of=2025-06-01"))
    expect(page.locator("#roster-title")).to_have_text("Thành phần ngày 01/06/2025")
    expect(roster).to_contain_text(OLD_DEPUTY)
    expect(roster).not_to_contain_text(NEW_DEPUTY)

    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"as_of=2025-06-01"))
    expect(page.locator("#roster-title")).to_have_text("Roster on 01/06/2025")
    expect(page.locator("#mandates-title")).to_have_text("Mandates")
    expect(page.get_by_role("button", name="Show", exact=True)).to_be_visible()
    expect(roster).to_contain_text(OLD_DEPUTY)

    with page.expect_download() as download_info:
        page.locator("[data-report-download]").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")


def test_a_secretariat_sees_edit_links_on_its_committee_only(
    page, log_in, secretariat_a, committee_a, committee_b
):
    log_in("thuky.a")
    page.goto(f"/committees/{committee_a.slug}/")
    links = page.locator("[data-edit-link]")
    expect(links).to_have_count(2)
    expect(links.first).to_have_attribute(
        "href", f"/admin/committees/committee/{committee_a.pk}/change/"
    )
    page.goto(f"/committees/{committee_b.slug}/")
    expect(page.locator("h1")).to_have_text(committee_b.name)
    expect(page.locator("[data-edit-link]")).to_have_count(0)


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching the selector has the focus."""
    target = page.locator(selector)
    for _press in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_the_search_box_and_main_links_work_by_keyboard_alone(page, log_in, leader, seeded):
    log_in("lanhdao")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    _tab_to(page, "#site-search-q")
    page.keyboard.type("NGUYEN VAN DUOC")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=NGUYEN\+VAN\+DUOC$"))

    _tab_to(page, 'main a[href="/people/nguyen-van-duoc/"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/people/nguyen-van-duoc/")

    _tab_to(page, f'a[data-committee="{DATA_COMMITTEE}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/committees/{DATA_COMMITTEE}/")
    expect(page.locator(".roster-table")).to_contain_text("Nguyễn Văn Được")

    _tab_to(page, ".site-nav a >> nth=0")
    page.keyboard.press("Enter")
    page.wait_for_url("**/committees/")
    expect(page.locator("h1")).to_have_text("Các Ban Chỉ đạo")
