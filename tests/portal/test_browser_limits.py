"""In the browser: a leader over the hourly report limit, and a locked-out log-in, are told
plainly in Vietnamese."""

import os
from pathlib import Path

import pytest

from tests.portal.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SHOTS = Path(os.environ.get("REGISTRY_SCREENSHOTS", "/tmp"))


def test_a_leader_over_the_hourly_report_limit_is_told_plainly(
    page, log_in, leader, committee_a, settings
):
    settings.REPORTS_REQUESTS_PER_HOUR = 2
    log_in(leader.username)
    for period in ("2025-01", "2025-02", "2025-03"):
        page.goto("/reports/")
        form = page.locator(".generate-form")
        form.locator("#id_committee").select_option(str(committee_a.pk))
        form.locator("#id_period").fill(period)
        form.locator("button[type=submit]").click()
    text = page.locator("main").inner_text()
    assert "Bạn đã yêu cầu 2 báo cáo trong một giờ qua" in text
    page.screenshot(path=str(SHOTS / "wt16-report-limit.png"), full_page=True)


def test_a_locked_out_log_in_is_told_plainly(page, live_server):
    from tests.factories import UserFactory

    user = UserFactory(username="canbo.khoa.trinhduyet")
    for _attempt in range(5):
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "sai-mat-khau")
        page.locator("main button[type=submit]").click()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    assert "15 phút" in page.locator("body").inner_text()
    page.screenshot(path=str(SHOTS / "wt16-login-locked.png"), full_page=True)
