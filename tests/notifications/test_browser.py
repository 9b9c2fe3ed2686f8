"""The work queue in a real browser, on the demo data: a secretariat, a leader and an
administrator open the portal home and the admin home (screenshots under $SCREENSHOTS)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from committees.models import Committee
from committees.permissions import grant_secretariat
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/work-queue-screenshots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_secretariat_sees_the_gap_and_goes_where_it_is_dealt_with(page, log_in, seeded, groups):
    user = UserFactory(username="thuky.dulieu")
    grant_secretariat(user, Committee.objects.get(slug="bcd-du-lieu-tphcm"))
    log_in("thuky.dulieu")
    queue = page.locator("[data-work-queue]")
    expect(queue).to_contain_text("Ban Chỉ đạo về dữ liệu TPHCM")
    expect(queue).to_contain_text("32 ghế theo quyết định còn 28 ghế chưa ghi tên thành viên.")
    # The demo's four seats recorded without a decision: the second item.
    expect(queue).to_contain_text("4 ghế được ghi nhận mà không có quyết định")
    expect(page.locator("[data-nav-queue] .nav-count")).to_have_text("2")
    shot(page, "secretariat-portal-home")

    page.locator("[data-work-queue] a", has_text="28 ghế").click()
    page.wait_for_url(re.compile(r"/admin/committees/committee/\d+/roster/"))
    shot(page, "secretariat-roster")

    page.go_back()
    page.locator("[data-work-queue] a", has_text="không có quyết định").click()
    page.wait_for_url(re.compile(r"/admin/committees/legalinstrument/no-decision/\?committee=\d+$"))
    expect(page.locator("#no-decision-seats tbody tr")).to_have_count(4)
    shot(page, "secretariat-no-decision")

    page.goto("/admin/")
    expect(page.locator(".work-queue-admin")).to_contain_text("28 ghế chưa ghi tên")
    shot(page, "secretariat-admin-home")


def test_a_focal_point_sees_its_agencys_late_task_and_reports_it_done(page, log_in, seeded, groups):
    import datetime as dt

    from django.utils import timezone

    from committees.permissions import grant_focal_point
    from work.models import Agency, Task
    from work.services import task_update

    agency = Agency.objects.get(slug="so-tttt-tphcm")
    grant_focal_point(UserFactory(username="daumoi.tttt"), agency)
    task = Task.objects.filter(lead_agency=agency).order_by("pk").first()
    task_update(  # the demo gives no deadline: the plan sets one, now passed
        task=task,
        deadline=timezone.localdate() - dt.timedelta(days=3),
        deadline_precision="day",
        reason="Kế hoạch đặt hạn",
    )
    log_in("daumoi.tttt")
    queue = page.locator("[data-work-queue]")
    expect(queue).to_contain_text("Quá hạn từ")
    expect(queue).to_contain_text(task.text[:40])
    expect(queue.locator("li")).to_have_count(1)  # its agency's task, nothing of the roster
    expect(page.locator("[data-nav-queue] .nav-count")).to_have_text("1")
    shot(page, "focal-point-portal-home")

    queue.locator("li a").click()
    page.wait_for_url(f"**/tasks/{task.pk}/")
    page.fill("#id_progress-text", "Đã hoàn thành, có biên bản nghiệm thu")
    page.select_option("#id_progress-state", "done")
    page.get_by_role("button", name="Lưu báo cáo").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu báo cáo tiến độ")
    page.goto("/")
    expect(page.locator("[data-work-queue]")).to_contain_text("Không có việc gì cần làm.")
    expect(page.locator("[data-nav-queue] .nav-count")).to_have_count(0)


def test_a_leader_follows_a_committee_and_sees_its_targets_at_risk(page, log_in, seeded, leader):
    log_in("lanhdao")
    expect(page.locator("[data-work-queue]")).to_contain_text("Không có việc gì cần làm.")
    page.goto("/committees/bcd-chuyen-doi-so-tphcm/")
    page.get_by_role("button", name="Theo dõi", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Bạn đã theo dõi")
    expect(page.get_by_role("button", name="Thôi theo dõi", exact=True)).to_be_visible()
    shot(page, "leader-committee-followed")

    page.goto("/committees/")
    queue = page.locator("[data-work-queue]")
    expect(queue).to_contain_text("Ban Chỉ đạo về chuyển đổi số TP.HCM")
    expect(queue).to_contain_text("quá hạn")
    shot(page, "leader-portal-home")
    queue.locator("a", has_text="GRDP").click()  # a leader reads the targets on the portal
    page.wait_for_url(re.compile(r"/committees/bcd-chuyen-doi-so-tphcm/#targets-title$"))

    page.goto("/notifications/preferences/")
    page.select_option("#id_language", "en")
    page.get_by_role("button", name="Lưu cài đặt", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu cài đặt của bạn.")
    shot(page, "leader-preferences")


def test_an_administrator_sees_the_failed_reports_and_the_rules(page, log_in, seeded, superuser):
    from reports.models import Report

    Report.objects.create(
        committee=Committee.objects.get(slug="bcd-du-lieu-tphcm"),
        kind=Report.Kind.COMMITTEE_REVIEW,
        period="2026-Q3",
        period_start="2026-07-01",
        period_end="2026-09-30",
        status=Report.Status.FAILED,
        error_message="OSError: ổ đĩa đầy",
    )
    log_in("quantri")
    expect(page.locator("[data-work-queue]")).to_contain_text("bị lỗi: OSError: ổ đĩa đầy")
    shot(page, "admin-portal-home")
    page.goto("/admin/")
    admin_queue = page.locator(".work-queue-admin")
    expect(admin_queue).to_contain_text("Báo cáo bị lỗi")
    shot(page, "admin-admin-home")
    page.goto("/admin/notifications/notificationrule/")
    expect(page.locator("#result_list")).to_contain_text("thư tổng hợp hằng ngày")
    shot(page, "admin-rules")
