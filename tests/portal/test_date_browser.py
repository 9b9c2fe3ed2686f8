"""Dates typed in the admin in a real browser: 01/11/2026 is the first of November."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from committees.models import LegalInstrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_reads_01_11_2026_typed_in_the_admin_as_the_first_of_november(
    page, log_in, superuser, live_server
):
    log_in("quantri")
    page.goto("/admin/committees/legalinstrument/add/")
    page.select_option("#id_kind", "decision")
    page.fill("#id_number", "77/QĐ-UBND")
    page.fill("#id_title", "Quyết định kiện toàn Ban Chỉ đạo")
    page.fill("#id_signed_on", "Quý II/2026")
    page.fill("#id_effective_on", "01/11/2026")
    # The picker's "today" writes day first.
    page.locator("#id_source_date").locator("xpath=..").get_by_role("link").first.click()
    expect(page.locator("#id_source_date")).to_have_value(re.compile(r"^\d{2}/\d{2}/\d{4}$"))
    page.screenshot(path="/tmp/wt11-admin-dates.png", full_page=True)
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/committees/legalinstrument/")
    decision = LegalInstrument.objects.get(number="77/QĐ-UBND")
    assert decision.effective_on == dt.date(2026, 11, 1)
    assert (decision.signed_on, decision.signed_precision) == (dt.date(2026, 4, 1), "quarter")
    today = dt.date.today()
    assert decision.source_date is not None
    assert abs((decision.source_date - today).days) <= 1

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"/admin/committees/legalinstrument/{decision.pk}/change/")
    expect(page.locator("#id_effective_on")).to_have_value("01/11/2026")
    expect(page.locator("#id_signed_on")).to_have_value("Q2/2026")
    page.goto("/admin/committees/legalinstrument/")
    expect(page.locator("#result_list")).to_contain_text("Q2/2026")


def test_a_quarter_typed_in_the_seat_admin_form_is_kept_as_a_quarter(
    page, log_in, superuser, live_server, committee_a
):
    """The seat form has one box per date: "Quý II/2025" is the second quarter of 2025, and
    the form shows it back as a quarter, not as a day."""
    from members.models import Membership, Role
    from members.services import membership_appoint
    from tests.factories import PersonFactory

    seat = membership_appoint(
        committee=committee_a,
        person=PersonFactory(full_name="Nguyễn Văn Được"),
        role=Role.MEMBER,
        reason="QĐ",
    )
    log_in("quantri")
    page.goto(f"/admin/members/membership/{seat.pk}/change/")
    assert page.locator("#id_start_precision").count() == 0  # no second box for a precision
    page.fill("#id_start_date", "Quý II/2025")
    page.fill("#id_reason", "Theo Quyết định 12/QĐ-UBND")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    seat = Membership.objects.get(pk=seat.pk)
    assert (seat.start_date, seat.start_precision) == (dt.date(2025, 4, 1), "quarter")
    expect(page.locator("#id_start_date")).to_have_value("Q2/2025")
    page.goto("/admin/members/membership/")
    expect(page.locator("#result_list")).to_contain_text("Quý II/2025")
