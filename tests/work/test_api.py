"""/api/tasks/ and /api/meetings/: filters and the field policy."""

import datetime as dt

import pytest

from tests.api.test_popolo_export import streamed_json
from tests.work.conftest import make_meeting, make_task, seat
from work import services

D = dt.date
pytestmark = pytest.mark.django_db


def test_tasks_filter_by_committee_lead_status_and_overdue_on(
    client, committee_a, committee_b, lead_agency, other_agency
):
    early = make_task(committee_a, lead_agency, deadline=D(2026, 2, 1), text="Sớm")
    late = make_task(committee_a, other_agency, deadline=D(2026, 9, 1), text="Muộn")
    make_task(committee_b, lead_agency, deadline=D(2026, 2, 1), text="Ban B")
    services.task_progress_add(task=late, date=D(2026, 1, 10), text="Đã xong", state="done")

    def ids(query):
        return [row["id"] for row in client.get(f"/api/tasks/?{query}").json()["results"]]

    assert ids(f"committee={committee_a.slug}") == [early.pk, late.pk]
    assert ids(f"committee={committee_a.slug}&lead_agency={other_agency.slug}") == [late.pk]
    assert ids(f"committee={committee_a.slug}&overdue_on=2026-03-01") == [early.pk]
    assert ids(f"committee={committee_a.slug}&overdue_on=2026-01-15") == []
    assert ids(f"committee={committee_a.slug}&status=done_on_time") == [late.pk]
    assert ids(f"committee={committee_a.slug}&status=not_started&overdue_on=2026-01-15") == [
        early.pk
    ]
    body = client.get(f"/api/tasks/{early.pk}/?overdue_on=2026-03-01").json()
    assert body["status"] == "overdue"
    assert body["deadline"] == "2026-02-01"
    assert client.get("/api/tasks/?overdue_on=01/03/2026").status_code == 400


def test_meetings_list_attendance_publicly_and_absence_reasons_to_readers(
    client, leader, committee_a
):
    seat(committee_a, "Lâm Đình Thắng")
    meeting = make_meeting(committee_a)
    services.attendance_set(
        invitee=meeting.invitees.get(),
        attendance="absent",
        absence_reason="Đi công tác nước ngoài",
        reason="x",
    )
    public = client.get(f"/api/meetings/?committee={committee_a.slug}").json()["results"][0]
    assert public["invitees"][0]["attendance"] == "absent"
    assert "absence_reason" not in public["invitees"][0]
    assert public["agenda"] == ["Đánh giá tiến độ", "Nhiệm vụ quý II"]
    client.force_login(leader)
    reader = client.get(f"/api/meetings/{meeting.pk}/").json()
    assert reader["invitees"][0]["absence_reason"] == "Đi công tác nước ngoài"


def test_meetings_are_popolo_events(client, committee_a):
    meeting = make_meeting(committee_a)
    response = client.get(f"/api/committees/{committee_a.slug}/popolo.json")
    events = streamed_json(response)["events"]
    event = next(e for e in events if e["id"] == f"meeting/{meeting.pk}")
    assert event["start_date"] == "2026-03-10"
    assert event["name"] == meeting.title
