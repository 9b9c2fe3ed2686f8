"""The meeting and task pages: content, filters, overdue first, counts on any day, fixed queries."""

import datetime as dt

import pytest

from tests.factories import AgencyFactory
from tests.work.conftest import make_meeting, make_task, seat
from work import services
from work.models import Task

D = dt.date
pytestmark = pytest.mark.django_db


def _fill(committee, lead, rows: int):
    """`rows` tasks of several states and deadlines, each with coordinating agencies, and
    `rows` meetings with an invitee each."""
    helper = AgencyFactory()
    seat(committee, "Nguyễn Văn Được")
    for index in range(rows):
        task = make_task(
            committee, lead, deadline=D(2026, 1 + index % 12, 1), text=f"Nhiệm vụ {index}"
        )
        services.task_update(task=task, coordinating=[helper], reason="Phối hợp")
        if index % 3 == 0:
            services.task_progress_add(task=task, date=D(2026, 1, 15), text="Xong", state="done")
        make_meeting(committee, day=D(2026, 1 + index % 12, 2), title=f"Phiên họp {index}")


PAGE_QUERIES = {  # the site menu's work queue (notifications) asks one query on HTML pages
    "meetings": 10,
    "meeting": 11,
    "board": 11,
    "agency board": 10,
    "task": 11,
    "counts": 8,
    "api tasks": 6,  # no count of the whole list (api.pagination)
    "api meetings": 7,
}


def _page_urls(committee, lead) -> dict[str, str]:
    meeting = committee.meetings.order_by("pk").first()
    task = Task.objects.filter(committee=committee).order_by("pk").first()
    return {
        "meetings": f"/committees/{committee.slug}/meetings/",
        "meeting": f"/meetings/{meeting.pk}/",
        "board": f"/committees/{committee.slug}/tasks/",
        "agency board": f"/agencies/{lead.slug}/tasks/?status=overdue",
        "task": f"/tasks/{task.pk}/",
        "counts": "/tasks/counts/?on=2026-06-01",
        "api tasks": f"/api/tasks/?committee={committee.slug}",
        "api meetings": f"/api/meetings/?committee={committee.slug}",
    }


def _count(client, urls) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as log:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(log.captured_queries)
    return counts


def test_the_pages_make_the_same_number_of_queries_at_two_sizes(
    client, leader, committee_a, lead_agency
):
    _fill(committee_a, lead_agency, 2)
    client.force_login(leader)
    urls = _page_urls(committee_a, lead_agency)
    small = _count(client, urls)
    _fill(committee_a, lead_agency, 15)
    large = _count(client, urls)
    assert small == large
    assert small == PAGE_QUERIES


def test_the_board_puts_overdue_tasks_first_and_filters(
    client, leader, committee_a, lead_agency, other_agency
):
    make_task(committee_a, lead_agency, deadline=D(2099, 1, 1), text="Còn hạn")
    make_task(committee_a, other_agency, deadline=D(2025, 1, 1), text="Quá hạn từ lâu")
    client.force_login(leader)
    body = client.get(f"/committees/{committee_a.slug}/tasks/").content.decode()
    assert body.index("Quá hạn từ lâu") < body.index("Còn hạn")
    assert 'data-status="overdue"' in body
    filtered = client.get(
        f"/committees/{committee_a.slug}/tasks/?lead_agency={lead_agency.slug}"
    ).content.decode()
    assert "Còn hạn" in filtered
    assert "Quá hạn từ lâu" not in filtered
    on_day = client.get(
        f"/committees/{committee_a.slug}/tasks/?on=2024-12-31&status=overdue"
    ).content.decode()
    assert "Quá hạn từ lâu" not in on_day


def test_an_agency_board_holds_the_tasks_it_leads_or_coordinates_each_once(
    committee_a, lead_agency, other_agency
):
    from work import selectors

    led = make_task(committee_a, lead_agency, deadline=D(2099, 1, 1), text="Chủ trì")
    coordinated = make_task(committee_a, other_agency, deadline=D(2025, 1, 1), text="Phối hợp")
    services.task_update(task=coordinated, coordinating=[lead_agency], reason="Phối hợp")
    both = make_task(committee_a, lead_agency, deadline=None, text="Chủ trì và phối hợp")
    services.task_update(task=both, coordinating=[lead_agency, other_agency], reason="Phối hợp")
    make_task(committee_a, other_agency, deadline=D(2026, 1, 1), text="Không liên quan")
    day = D(2026, 6, 1)
    # Overdue first, then by deadline, no deadline last; a task led and coordinated comes once.
    board = selectors.task_board(day=day, agency=lead_agency)
    assert list(board) == [coordinated, led, both]
    assert board.count() == 3
    assert selectors.task_counts(day=day, agency=lead_agency).total == 3
    narrowed = selectors.task_board(
        day=day, agency=lead_agency, filters=selectors.BoardFilters(lead_agency=other_agency)
    )
    assert list(narrowed) == [coordinated]


def test_counts_and_on_time_rate_per_committee_and_agency(client, leader, committee_a, lead_agency):
    on_time = make_task(committee_a, lead_agency, deadline=D(2026, 3, 31), text="Đúng hạn")
    late = make_task(committee_a, lead_agency, deadline=D(2026, 2, 28), text="Trễ")
    make_task(committee_a, lead_agency, deadline=D(2026, 1, 31), text="Quá hạn")
    services.task_progress_add(task=on_time, date=D(2026, 3, 1), text="Xong", state="done")
    services.task_progress_add(task=late, date=D(2026, 3, 5), text="Xong", state="done")
    client.force_login(leader)
    response = client.get("/tasks/counts/?on=2026-04-01")
    rows = response.context["by_committee"]
    assert [r.label for r in rows] == [committee_a.name]
    counts = rows[0].counts
    assert (counts.total, counts["done_on_time"], counts["done_late"], counts["overdue"]) == (
        3,
        1,
        1,
        1,
    )
    assert counts.on_time_percent == "33%"
    assert response.context["by_agency"][0].counts.total == 3
    earlier = client.get("/tasks/counts/?on=2026-02-01").context["by_committee"][0].counts
    assert earlier["overdue"] == 1
    assert earlier.on_time_percent == "0%"


def test_the_meeting_page_shows_agenda_attendance_and_tasks_in_vietnamese(
    client, leader, committee_a, lead_agency
):
    seat(committee_a, "Lâm Đình Thắng")
    meeting = make_meeting(committee_a)
    services.attendance_set(
        invitee=meeting.invitees.get(), attendance="represented", substitute_name="Võ Thị Trung Trinh",
        substitute_post="Phó Giám đốc Sở", reason="Giấy mời",
    )  # fmt: skip
    services.conclusion_record(
        meeting=meeting, number="3/TB-BCĐ", signed_on=D(2026, 3, 11), reason="Kết luận",
        items=[services.TaskItem(text="Hoàn thiện Sàn dữ liệu", lead_agency=lead_agency,
                                 deadline=D(2026, 4, 1), deadline_precision="quarter")],
    )  # fmt: skip
    client.force_login(leader)
    body = client.get(f"/meetings/{meeting.pk}/").content.decode()
    for text in ("Đánh giá tiến độ", "Võ Thị Trung Trinh", "Phó Giám đốc Sở", "3/TB-BCĐ", "Hoàn thiện Sàn dữ liệu",
                 "Quý II/2026", "Cử người dự thay", "Thông báo kết luận"):  # fmt: skip
        assert text.lower() in body.lower(), text
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Q2/2026" in english
    assert "Concluding notice" in english


def test_a_secretariat_records_a_meeting_and_bad_input_names_the_field(
    client, secretariat_a, committee_a
):
    seat(committee_a, "Nguyễn Văn Được")
    client.force_login(secretariat_a)
    url = f"/committees/{committee_a.slug}/meetings/new/"
    bad = client.post(
        url, {"kind": "regular", "title": "Họp", "date": "14/01/26", "reason": "Ghi nhận"}
    )
    assert bad.status_code == 400
    assert "Ngày" in bad.content.decode()
    assert not committee_a.meetings.exists()
    response = client.post(url, {"kind": "conference", "title": "Hội nghị sơ kết", "date": "2026-01-14",
                                 "agenda": "Báo cáo\nThảo luận", "reason": "Ghi nhận"})  # fmt: skip
    meeting = committee_a.meetings.get()
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert meeting.invitees.count() == 1
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Báo cáo", "Thảo luận"]


def test_a_bad_deadline_in_a_conclusion_is_refused_with_a_message(
    client, secretariat_a, committee_a
):
    meeting = make_meeting(committee_a)
    client.force_login(secretariat_a)
    response = client.post(f"/meetings/{meeting.pk}/", {
        "action": "conclusion", "notice-number": "7/TB", "notice-reason": "Kết luận",
        "item-TOTAL_FORMS": "1", "item-INITIAL_FORMS": "0", "item-0-text": "Làm", "item-0-deadline": "quý năm",
    })  # fmt: skip
    assert response.status_code == 400
    assert "không phải là ngày" in response.content.decode()
    assert not Task.objects.exists()


def test_meeting_documents_are_served_only_through_the_permission_check(
    client, leader, focal_point, committee_a
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    meeting = make_meeting(committee_a)
    document = services.document_add(
        meeting=meeting,
        title="Biên bản",
        upload=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 x"),
        reason="Lưu",
    )
    client.force_login(focal_point)
    assert client.get(document.get_absolute_url()).status_code == 404
    client.force_login(leader)
    response = client.get(document.get_absolute_url())
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"


def test_a_focal_point_lands_on_its_agency_board(client, focal_point, lead_agency, committee_a):
    make_task(committee_a, lead_agency, text="Nhiệm vụ của Sở")
    client.force_login(focal_point)
    response = client.get("/tasks/mine/", follow=True)
    assert response.redirect_chain[-1][0] == f"/agencies/{lead_agency.slug}/tasks/"
    assert "Nhiệm vụ của Sở" in response.content.decode()
    assert client.get(f"/committees/{committee_a.slug}/tasks/").status_code == 403


def test_the_counts_page_goes_a_page_at_a_time(client, leader, lead_agency, monkeypatch):
    """At city scale there is a count row per committee: the page shows a page of them."""
    from tests.factories import CommitteeFactory
    from work import selectors as work_selectors

    monkeypatch.setattr(work_selectors, "COUNTS_PAGE", 2)
    committees = [CommitteeFactory() for _ in range(3)]
    for committee in committees:
        make_task(committee, lead_agency, deadline=D(2026, 3, 31))
    client.force_login(leader)
    first = client.get("/tasks/counts/?on=2026-06-01")
    assert len(first.context["by_committee"]) == 2
    assert first.context["committee_next"] == 2
    second = client.get("/tasks/counts/?on=2026-06-01&committee_page=2")
    assert second.context["committee_previous"] == 1
    assert second.context["committee_next"] is None
    shown = [row.key for row in first.context["by_committee"] + second.context["by_committee"]]
    assert sorted(shown) == sorted(c.pk for c in committees)
