"""The roster pages in Chromium as a secretariat: a day typed as clerks write it, the page's buttons
clear of the committee's name, and the roster operations within the window."""

import pytest

from members.models import Role
from members.services import membership_appoint
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _box(page, selector):  # a page of the browser fixture
    return page.locator(selector).first.bounding_box()


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_a_secretariat_reads_the_roster_on_a_day_typed_day_first(
    page, log_in, secretariat_a, committee_a
):
    import datetime as dt

    seat = membership_appoint(
        committee=committee_a,
        person=PersonFactory(full_name="Nguyễn Văn Được"),
        role=Role.HEAD,
        start=dt.date(2026, 1, 1),
        reason="QĐ",
    )
    secretariat_a.is_staff = True
    secretariat_a.save()
    log_in(secretariat_a.username)
    page.goto(f"/admin/committees/committee/{committee_a.pk}/roster/")
    page.fill("#id_on", "01/11/2026")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    assert "01/11/2026" in page.locator("h1").inner_text()  # 1 November, never 11 January
    assert page.input_value("#id_on") == "01/11/2026"
    name = _box(page, "#content h2")
    for button in page.locator(".roster-tools li").all():
        assert not _overlap(name, button.bounding_box())
    for operation in ("end", "replace", "change_role"):
        page.goto(f"/admin/members/membership/{seat.pk}/{operation}/")
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], operation
