"""Meetings and tasks in a real browser: a secretariat records a meeting and its conclusions; a focal
point reports progress on its agency's task."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from members.models import Role
from tests.work.conftest import make_task, seat
from work.models import Invitee, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretariat_records_a_meeting_attendance_and_conclusions(
    page,
    log_in,
    secretariat_a,
    committee_a,
    lead_agency,
    other_agency,
):
    seat(committee_a, "Nguyễn Văn Được", Role.HEAD)
    seat(committee_a, "Lâm Đình Thắng", Role.DEPUTY_HEAD)
    log_in("thuky.a")
    page.goto(f"/committees/{committee_a.slug}/meetings/")
    page.locator("[data-record-meeting]").click()
    page.select_option("#id_kind", "interim_review")
    page.fill("#id_title", "Hội nghị sơ kết 6 tháng đầu năm 2026")
    page.fill("#id_date", "2026-03-10")
    page.fill("#id_place", "Hội trường UBND Thành phố")
    page.fill("#id_agenda", "Báo cáo sơ kết\nThảo luận")
    page.fill("#id_reason", "Theo giấy mời số 12/GM-BCĐ")
    page.get_by_role("button", name="Lưu phiên họp").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    expect(page.locator("h1")).to_have_text("Hội nghị sơ kết 6 tháng đầu năm 2026")
    expect(page.locator("[data-count=invited]")).to_have_text("2")

    deputy = Invitee.objects.get(name="Lâm Đình Thắng")
    row = page.locator(f'tr[data-invitee="{deputy.pk}"]')
    row.locator("select").select_option("represented")
    row.locator(f"#id_i{deputy.pk}-substitute_name").fill("Võ Thị Trung Trinh")
    row.locator(f"#id_i{deputy.pk}-substitute_post").fill(
        "Phó Giám đốc Sở Thông tin và Truyền thông"
    )
    page.fill("#attendance-reason", "Theo danh sách ký")
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu điểm danh")
    expect(page.locator("[data-count=represented]")).to_have_text("1")

    page.get_by_text("Ghi thông báo kết luận và các nhiệm vụ được giao").click()
    page.fill("#id_notice-number", "25/TB-BCĐ")
    page.fill("#id_notice-summary", "Đẩy nhanh xây dựng cơ sở dữ liệu chuyên ngành.")
    page.fill("#id_notice-reason", "Ban hành thông báo kết luận")
    page.fill("#id_item-0-text", "Hoàn thiện cơ sở dữ liệu chuyên ngành")
    page.select_option("#id_item-0-lead_agency", str(lead_agency.pk))
    page.select_option("#id_item-0-coordinating", [str(other_agency.pk)])
    page.fill("#id_item-0-deadline", "Quý II/2026")
    page.get_by_role("button", name="Lưu kết luận").click()
    expect(page.locator(".messages")).to_contain_text("giao 1 nhiệm vụ")
    tasks = page.locator(".task-table")
    expect(tasks).to_contain_text("Hoàn thiện cơ sở dữ liệu chuyên ngành")
    expect(tasks).to_contain_text("Quý II/2026")
    expect(page.locator("[data-notice]")).to_contain_text("25/TB-BCĐ")
    task = Task.objects.get()
    assert task.deadline_last_day == dt.date(2026, 6, 30)
    assert task.history.first().history_user == secretariat_a


def test_a_focal_point_reports_progress_on_its_task(
    page,
    log_in,
    focal_point,
    committee_a,
    lead_agency,
):
    task = make_task(
        committee_a, lead_agency, deadline=dt.date(2099, 12, 31), text="Xây dựng Sàn dữ liệu"
    )
    log_in("daumoi.tttt")
    page.goto("/tasks/mine/")
    page.wait_for_url(f"**/agencies/{lead_agency.slug}/tasks/")
    page.get_by_role("link", name=re.compile("Xây dựng Sàn dữ liệu")).click()
    page.wait_for_url(f"**/tasks/{task.pk}/")
    expect(page.locator(".page-head [data-status]")).to_have_text("chưa triển khai")
    page.fill("#id_progress-text", "Đã hoàn thành và đưa vào vận hành")
    page.fill("#id_progress-evidence_link", "https://example.gov.vn/san-du-lieu")
    page.select_option("#id_progress-state", "done")
    page.get_by_role("button", name="Lưu báo cáo").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu báo cáo tiến độ")
    expect(page.locator(".page-head [data-status]")).to_have_text("hoàn thành đúng hạn")
    expect(page.locator("[data-update]")).to_contain_text("Đã hoàn thành và đưa vào vận hành")
    expect(page.locator("#cancel-form")).to_have_count(0)
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    assert task.history.first().history_user == focal_point
