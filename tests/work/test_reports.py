"""The review report's section on meetings and tasks, and the half-year and year periods."""

import datetime as dt

import pytest
from django.utils import timezone

from members.models import Role
from reports.periods import Cadence, parse_period, period_containing
from reports.rendering import render_report_html
from reports.selectors import committee_review_snapshot
from tests.work.conftest import make_meeting, make_task, seat
from work import services

D = dt.date
pytestmark = pytest.mark.django_db


def test_half_year_and_year_periods_for_interim_and_final_reviews():
    first = parse_period("2026-H1")
    assert (first.start, first.end, first.cadence) == (
        D(2026, 1, 1),
        D(2026, 6, 30),
        Cadence.HALF_YEARLY,
    )
    assert first.next().code == "2026-H2"
    assert first.previous().code == "2025-H2"
    assert period_containing(D(2026, 9, 3), Cadence.HALF_YEARLY).code == "2026-H2"
    assert parse_period("2026").end == D(2026, 12, 31)
    with pytest.raises(ValueError, match="2026-H1"):
        parse_period("2026-H3")


def test_the_review_lists_meetings_attendance_and_tasks_by_lead_agency(
    committee_a, lead_agency, other_agency
):
    seat(committee_a, "Nguyễn Văn Được", Role.HEAD)
    seat(committee_a, "Lâm Đình Thắng", Role.DEPUTY_HEAD)
    first = make_meeting(committee_a, day=D(2026, 2, 10), title="Phiên họp quý I")
    make_meeting(committee_a, day=D(2026, 5, 10), title="Hội nghị sơ kết")
    make_meeting(committee_a, day=D(2026, 8, 10), title="Phiên họp ngoài kỳ")
    deputy = first.invitees.get(name="Lâm Đình Thắng")
    services.attendance_set(
        invitee=deputy, attendance="represented", substitute_name="Võ Thị Trung Trinh",
        substitute_post="Phó Giám đốc", reason="x",
    )  # fmt: skip
    on_time = make_task(committee_a, lead_agency, deadline=D(2026, 3, 31), text="A")
    make_task(committee_a, lead_agency, deadline=D(2026, 4, 30), text="B")
    make_task(committee_a, other_agency, deadline=D(2026, 12, 31), text="C")
    services.task_progress_add(task=on_time, date=D(2026, 3, 1), text="Xong", state="done")
    snapshot = committee_review_snapshot(
        committee=committee_a, period=parse_period("2026-H1"), made_at=timezone.now()
    )
    work = snapshot["work"]
    assert [m["title"] for m in work["meetings"]] == ["Phiên họp quý I", "Hội nghị sơ kết"]
    lines = {line["lead"]: line for line in work["tasks"]}
    assert lines[lead_agency.name] | {} == {
        "lead": lead_agency.name, "assigned": 2, "done_on_time": 1, "done_late": 0,
        "overdue": 1, "cancelled": 0,
    }  # fmt: skip
    html = render_report_html(snapshot=snapshot, language="vi")
    assert "Các phiên họp trong kỳ" in html
    assert "Lâm Đình Thắng" in html
    assert "\u21c4" in html  # represented at the first meeting
    assert "Tỷ lệ hoàn thành đúng hạn" in html
    assert "<svg" in html
    english = render_report_html(snapshot=snapshot, language="en")
    assert "Meetings of the period" in english


def test_a_report_made_before_the_section_existed_still_renders(committee_a):
    snapshot = committee_review_snapshot(
        committee=committee_a, period=parse_period("2026"), made_at=timezone.now()
    )
    del snapshot["work"]
    assert "Meetings of the period" not in render_report_html(snapshot=snapshot, language="en")
