"""The permission matrix of meetings and tasks: eight kinds of user (with the agency focal point)
by eight operations on committees A and B, every cell asserted allowed or refused through the
services, the portal, the admin and the API; and whose work queue lists each committee's task."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from committees import permissions
from members.models import Role
from tests.work.conftest import MEETING_DAY, make_meeting, make_task, seat
from work import services
from work.models import Invitee, Meeting, Task, TaskUpdate
from work.services import TaskItem

D = dt.date
PERSONAS = [
    "anonymous", "city_staff", "secretariat_a", "secretariat_b", "leader", "superuser",
    "focal_point", "focal_point_other",
]  # fmt: skip
OPERATIONS = [
    "view_meeting", "record_meeting", "record_attendance", "record_conclusion",
    "view_task", "update_progress", "change_task", "download_document",
]  # fmt: skip
COMMITTEES = ["a", "b"]
CELLS = [(p, o, c) for p in PERSONAS for o in OPERATIONS for c in COMMITTEES]

KEEPERS = {("secretariat_a", "a"), ("secretariat_b", "b"), ("superuser", "a"), ("superuser", "b")}
READERS = {"city_staff", "secretariat_a", "secretariat_b", "leader", "superuser"}
# Task A is led by the focal point's agency, task B by the other focal point's agency.
LEADS = {("focal_point", "a"), ("focal_point_other", "b")}
ADMIN_READERS = READERS - {"leader"}
WRITES = {"record_meeting", "record_attendance", "record_conclusion", "change_task"}


def allowed(persona: str, operation: str, key: str) -> bool:
    if operation in ("view_meeting", "download_document"):
        return persona in READERS
    if operation == "view_task":
        return persona in READERS or (persona, key) in LEADS
    if operation == "update_progress":
        return (persona, key) in KEEPERS or (persona, key) in LEADS
    return (persona, key) in KEEPERS


# In the admin: readers on staff accounts read; secretariats add meetings and change tasks of their
# committees; attendance, conclusions and progress are recorded on the portal pages only.
def allowed_in_admin(persona: str, operation: str, key: str) -> bool:
    if operation in ("view_meeting", "view_task"):
        return persona in ADMIN_READERS
    if operation in ("record_meeting", "change_task"):
        return (persona, key) in KEEPERS
    return False


@pytest.fixture
def world(
    groups, committee_a, committee_b, lead_agency, other_agency, focal_point, focal_point_other
):
    committees = {"a": committee_a, "b": committee_b}
    leads = {"a": lead_agency, "b": other_agency}
    data = {}
    for key, committee in committees.items():
        seat(committee, f"Trưởng ban {key.upper()}", Role.HEAD)
        meeting = make_meeting(committee)
        document = services.document_add(
            meeting=meeting, title="Giấy mời", upload=SimpleUploadedFile("giay-moi.pdf", b"%PDF-1.4"),
            reason="Lưu",
        )  # fmt: skip
        task = make_task(committee, leads[key])
        data[key] = {"committee": committee, "meeting": meeting, "task": task, "document": document}
    return data


def persona_user(request, persona):
    if persona == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "operation", "key"), CELLS)
def test_services(request, world, persona, operation, key):
    item = world[key]
    user = persona_user(request, persona)
    meeting, task = item["meeting"], item["task"]

    def run():
        if operation == "view_meeting":
            if not permissions.is_reader(user):
                raise PermissionDenied
        elif operation == "record_meeting":
            make_meeting(item["committee"], by=user)
        elif operation == "record_attendance":
            services.attendance_set(
                invitee=meeting.invitees.get(), attendance="present", reason="Điểm danh", by=user
            )
        elif operation == "record_conclusion":
            services.conclusion_record(
                meeting=meeting, number="1/TB", signed_on=None, reason="Kết luận", by=user,
                items=[TaskItem(text="Nhiệm vụ mới")],
            )  # fmt: skip
        elif operation == "view_task":
            if not permissions.can_view_task(user, task):
                raise PermissionDenied
        elif operation == "update_progress":
            services.task_progress_add(task=task, date=D(2026, 2, 1), text="Đang làm", by=user)
        elif operation == "change_task":
            services.task_cancel(task=task, on=D(2026, 2, 1), reason="Không còn phù hợp", by=user)
        elif not permissions.can_download_meeting_document(user, meeting):
            raise PermissionDenied

    if allowed(persona, operation, key):
        run()
    else:
        with pytest.raises(PermissionDenied):
            run()


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "operation", "key"), CELLS)
def test_portal(request, client, world, persona, operation, key):
    item = world[key]
    meeting, task = item["meeting"], item["task"]
    if persona != "anonymous":
        client.force_login(persona_user(request, persona))
    meetings_before = Meeting.objects.count()
    if operation == "view_meeting":
        response = client.get(f"/meetings/{meeting.pk}/")
        effect = response.status_code == 200 and meeting.title in response.content.decode()
    elif operation == "record_meeting":
        response = client.post(
            f"/committees/{item['committee'].slug}/meetings/new/",
            {
                "kind": "regular",
                "title": "Phiên họp bất thường",
                "date": "2026-04-02",
                "reason": "Ghi nhận",
            },
        )
        effect = Meeting.objects.count() == meetings_before + 1
    elif operation == "record_attendance":
        invitee = meeting.invitees.get()
        response = client.post(
            f"/meetings/{meeting.pk}/",
            {
                "action": "attendance",
                f"i{invitee.pk}-attendance": "present",
                "attendance_reason": "Điểm danh",
            },
        )
        effect = Invitee.objects.get(pk=invitee.pk).attendance == "present"
    elif operation == "record_conclusion":
        response = client.post(
            f"/meetings/{meeting.pk}/",
            {
                "action": "conclusion", "notice-number": "7/TB-BCĐ", "notice-signed_on": "2026-03-12",
                "notice-reason": "Kết luận", "item-TOTAL_FORMS": "1", "item-INITIAL_FORMS": "0",
                "item-0-text": "Hoàn thiện cơ sở dữ liệu", "item-0-deadline": "Quý II/2026",
            },
        )  # fmt: skip
        effect = Task.objects.filter(source_meeting=meeting).exists()
    elif operation == "view_task":
        response = client.get(f"/tasks/{task.pk}/")
        effect = response.status_code == 200 and task.text in response.content.decode()
    elif operation == "update_progress":
        response = client.post(
            f"/tasks/{task.pk}/",
            {"action": "progress", "progress-date": "2026-02-01", "progress-text": "Đã khảo sát"},
        )
        effect = TaskUpdate.objects.filter(task=task).exists()
    elif operation == "change_task":
        response = client.post(
            f"/tasks/{task.pk}/",
            {"action": "cancel", "cancel-on": "2026-02-01", "cancel-reason": "Không còn phù hợp"},
        )
        effect = Task.objects.get(pk=task.pk).state == Task.State.CANCELLED
    else:
        response = client.get(f"/meetings/documents/{item['document'].pk}/")
        effect = response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4"

    if allowed(persona, operation, key):
        assert effect, response.status_code
        assert response.status_code in (200, 302)
    else:
        assert not effect
        if persona == "anonymous":
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]
        else:
            assert response.status_code in (403, 404)


def _admin_meeting_post(committee) -> dict:
    data = {
        "committee": committee.pk, "kind": "regular", "title": "Phiên họp qua trang quản trị",
        "date": "2026-05-05", "source": "",
    }  # fmt: skip
    for prefix in ("agenda_items", "invitees", "documents"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _admin_task_post(task) -> dict:
    return {
        "committee": task.committee_id, "number": "", "text": task.text, "source_kind": "plan",
        "source_instrument": task.source_instrument_id, "assigned_on": "2026-01-01",
        "lead_agency": task.lead_agency_id, "deadline": "2026-12-31", "deadline_precision": "day",
        "state": "not_started", "source": "",
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "operation", "key"), CELLS)
def test_admin(request, client, world, persona, operation, key):
    item = world[key]
    meeting, task = item["meeting"], item["task"]
    if persona != "anonymous":
        client.force_login(persona_user(request, persona))
    meetings_before = Meeting.objects.count()
    if operation == "view_meeting":
        response = client.get(f"/admin/work/meeting/{meeting.pk}/change/")
        effect = response.status_code == 200 and meeting.title in response.content.decode()
    elif operation == "record_meeting":
        response = client.post("/admin/work/meeting/add/", _admin_meeting_post(item["committee"]))
        effect = Meeting.objects.count() == meetings_before + 1
    elif operation == "record_attendance":
        # The invitation list is read-only in the admin: attendance is recorded on the meeting page.
        invitee = meeting.invitees.get()
        data = _admin_meeting_post(item["committee"]) | {
            "date": MEETING_DAY.isoformat(), "title": meeting.title,
            "invitees-TOTAL_FORMS": "1", "invitees-INITIAL_FORMS": "1",
            "invitees-0-id": invitee.pk, "invitees-0-meeting": meeting.pk,
            "invitees-0-attendance": "present",
        }  # fmt: skip
        response = client.post(f"/admin/work/meeting/{meeting.pk}/change/", data)
        effect = Invitee.objects.get(pk=invitee.pk).attendance == "present"
    elif operation == "record_conclusion":
        response = client.get(f"/admin/work/meeting/{meeting.pk}/change/")
        effect = "conclusion" in response.content.decode() and "task-" in response.content.decode()
    elif operation == "view_task":
        response = client.get(f"/admin/work/task/{task.pk}/change/")
        effect = response.status_code == 200 and task.text in response.content.decode()
    elif operation == "update_progress":
        response = client.post(
            "/admin/work/taskupdate/add/", {"task": task.pk, "date": "2026-02-01", "text": "x"}
        )
        effect = TaskUpdate.objects.filter(task=task).exists()
    elif operation == "change_task":
        response = client.post(f"/admin/work/task/{task.pk}/change/", _admin_task_post(task))
        effect = Task.objects.get(pk=task.pk).deadline == D(2026, 12, 31)
    else:
        response = client.get(f"/meetings/documents/{item['document'].pk}/")
        effect = False  # files are served by the portal only; the admin lists their names

    if allowed_in_admin(persona, operation, key):
        assert effect, response.status_code
    else:
        assert not effect
        if (
            persona in ("anonymous", "leader", "focal_point", "focal_point_other")
            and operation != "download_document"
        ):
            assert response.status_code == 302
            assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "operation", "key"), CELLS)
def test_api(request, client, world, persona, operation, key):
    """The API is read-only: every write is refused for everyone; reads give the public fields to
    all and the restricted ones (provenance, absence reasons, progress notes) to readers only."""
    item = world[key]
    meeting, task = item["meeting"], item["task"]
    if persona != "anonymous":
        client.force_login(persona_user(request, persona))
    reader = persona in READERS
    if operation in (
        "view_meeting",
        "record_meeting",
        "record_attendance",
        "record_conclusion",
        "download_document",
    ):
        url = f"/api/meetings/{meeting.pk}/"
    else:
        url = f"/api/tasks/{task.pk}/"
    if operation in WRITES or operation == "update_progress":
        response = client.patch(
            url, {"title": "x", "state": "done"}, content_type="application/json"
        )
        assert response.status_code in (403, 405)
        assert Task.objects.get(pk=task.pk).state == task.state
        return
    response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert ("source_date" in body) is reader
    if url.startswith("/api/tasks/"):
        assert ("updates" in body) is reader
        assert body["lead_agency"] == task.lead_agency.slug
    else:
        assert body["invitees"][0]["name"] == f"Trưởng ban {key.upper()}"


# The work queue adds a cell per kind of user and committee: whose queue lists the committee's
# overdue task. The secretariat keeping the committee (its committee's tasks) and the focal point
# of the agency leading it (its agency's tasks); a leader only for a committee it follows (none
# here), administrators and city staff not by the default rules. The API has no work queue.
QUEUE_SEES = KEEPERS - {("superuser", "a"), ("superuser", "b")} | LEADS
QUEUE_CELLS = [(p, c, way) for p in PERSONAS for c in COMMITTEES for way in ("services", "portal", "admin")]  # fmt: skip


@pytest.fixture
def rules(db):
    from tests.notifications.conftest import seed_default_rules

    seed_default_rules()


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "key", "way"), QUEUE_CELLS)
def test_work_queue(request, client, world, rules, persona, key, way):
    from notifications import selectors

    task = world[key]["task"]
    user = persona_user(request, persona)
    sees = (persona, key) in QUEUE_SEES
    if way == "services":
        listed = [item.url for item in selectors.work_queue(user).items]
        assert (task.get_absolute_url() in listed) is sees
        return
    if persona != "anonymous":
        client.force_login(user)
    response = client.get("/notifications/" if way == "portal" else "/admin/")
    shown = f'href="{task.get_absolute_url()}"' in response.content.decode()
    if way == "admin" and persona in ("anonymous", "leader", "focal_point", "focal_point_other"):
        assert response.status_code == 302  # no admin: the focal point's queue is on the portal
        assert "/admin/login/" in response["Location"]
    elif persona == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 200
        assert shown is sees
