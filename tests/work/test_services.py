"""Meetings, attendance, conclusions, tasks and progress through the services: validated, atomic,
in history with who and why."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from committees.models import LegalInstrument
from members.models import Role
from members.services import membership_end
from tests.work.conftest import MEETING_DAY, make_meeting, make_task, seat
from work import services
from work.models import Invitee, Meeting, Task, status_q
from work.services import TaskItem

D = dt.date
pytestmark = pytest.mark.django_db


def test_it_freezes_the_invitation_list_from_the_roster_on_the_meeting_day(committee_a):
    head = seat(committee_a, "Nguyễn Văn Được", Role.HEAD, title="Chủ tịch UBND Thành phố")
    seat(committee_a, "Lâm Đình Thắng", Role.DEPUTY_HEAD)
    seat(committee_a, "Người Bổ Nhiệm Sau", start=D(2026, 4, 1))
    meeting = make_meeting(committee_a)
    names = list(meeting.invitees.values_list("name", flat=True))
    assert names == ["Nguyễn Văn Được", "Lâm Đình Thắng"]
    assert meeting.invitations_frozen_on == MEETING_DAY
    # The roster changes afterwards; the meeting keeps its list.
    membership_end(membership=head, on=D(2026, 3, 20), reason="Nghỉ hưu")
    assert list(meeting.invitees.values_list("name", flat=True)) == names
    invitee = meeting.invitees.get(name="Nguyễn Văn Được")
    assert invitee.post == "Chủ tịch UBND Thành phố"
    assert invitee.history.first().history_change_reason == "Ghi nhận phiên họp"


def test_it_records_present_absent_and_represented_with_history(committee_a, secretariat_a):
    seat(committee_a, "Nguyễn Văn Được", Role.HEAD)
    seat(committee_a, "Lâm Đình Thắng", Role.DEPUTY_HEAD)
    meeting = make_meeting(committee_a)
    head, deputy = meeting.invitees.order_by("order")
    services.attendance_set(
        invitee=deputy,
        attendance=Invitee.Attendance.REPRESENTED,
        substitute_name="Võ Thị Trung Trinh",
        substitute_post="Phó Giám đốc Sở Thông tin và Truyền thông",
        reason="Theo giấy mời",
        by=secretariat_a,
    )
    services.attendance_set(
        invitee=head, attendance=Invitee.Attendance.ABSENT, absence_reason="Đi công tác",
        reason="Theo giấy mời", by=secretariat_a,
    )  # fmt: skip
    deputy.refresh_from_db()
    assert deputy.substitute_name == "Võ Thị Trung Trinh"
    latest = deputy.history.first()
    assert latest.history_user == secretariat_a
    assert latest.history_change_reason == "Theo giấy mời"


def test_it_refuses_a_substitute_without_a_name_and_changes_nothing(committee_a, secretariat_a):
    seat(committee_a, "Lâm Đình Thắng", Role.DEPUTY_HEAD)
    meeting = make_meeting(committee_a)
    invitee = meeting.invitees.get()
    with pytest.raises(ValidationError) as caught:
        services.attendance_set(
            invitee=invitee, attendance=Invitee.Attendance.REPRESENTED, substitute_name="",
            reason="x", by=secretariat_a,
        )  # fmt: skip
    assert "substitute_name" in caught.value.message_dict
    invitee.refresh_from_db()
    assert invitee.attendance == Invitee.Attendance.UNRECORDED


def test_it_refuses_absence_without_a_reason(committee_a):
    seat(committee_a, "Lâm Đình Thắng")
    meeting = make_meeting(committee_a)
    with pytest.raises(ValidationError):
        services.attendance_set(
            invitee=meeting.invitees.get(), attendance="absent", reason="Theo giấy mời"
        )


def test_it_adds_a_guest_who_is_not_a_member(committee_a):
    meeting = make_meeting(committee_a)
    guest = services.guest_add(
        meeting=meeting,
        name="Carolyn Turk",
        post="Giám đốc Quốc gia Ngân hàng Thế giới",
        reason="Khách mời",
    )
    assert guest.guest
    assert guest.membership is None


def test_a_concluding_notice_is_a_decision_record_whose_items_create_tasks(
    committee_a, secretariat_a, lead_agency, other_agency
):
    meeting = make_meeting(committee_a)
    notice, tasks = services.conclusion_record(
        meeting=meeting,
        number="25/TB-BCĐ",
        signed_on=D(2026, 3, 12),
        summary="Kết luận của Trưởng ban",
        items=[
            TaskItem(text="Nghiên cứu thành lập Trung tâm chuyển đổi số", lead_agency=lead_agency,
                     coordinating=[other_agency], deadline=D(2026, 1, 1), deadline_precision="half"),
            TaskItem(text="Hình thành Sàn dữ liệu Thành phố", lead_agency=other_agency),
        ],
        reason="Ban hành thông báo kết luận",
        by=secretariat_a,
    )  # fmt: skip
    assert notice.kind == LegalInstrument.Kind.NOTICE
    meeting.refresh_from_db()
    assert meeting.concluding_notice == notice
    first, _second = tasks
    assert first.source_meeting == meeting
    assert first.source_instrument == notice
    assert first.deadline_last_day == D(2026, 6, 30)
    assert list(first.coordinating_agencies.all()) == [other_agency]
    assert [t.number for t in tasks] == ["1", "2"]
    assert first.history.first().history_user == secretariat_a


def test_a_bad_item_names_itself_and_nothing_is_saved(committee_a, lead_agency):
    meeting = make_meeting(committee_a)
    with pytest.raises(ValidationError) as caught:
        services.conclusion_record(
            meeting=meeting, number="26/TB-BCĐ", signed_on=None,
            items=[TaskItem(text="Có nội dung", lead_agency=lead_agency), TaskItem(text="  ")],
            reason="Ban hành",
        )  # fmt: skip
    assert "2" in caught.value.messages[0]
    assert not Task.objects.exists()
    assert not LegalInstrument.objects.filter(number="26/TB-BCĐ").exists()


def test_status_on_any_day_agrees_with_the_database(committee_a, lead_agency):
    on_time = make_task(committee_a, lead_agency, deadline=D(2026, 6, 30), text="Đúng hạn")
    late = make_task(committee_a, lead_agency, deadline=D(2026, 3, 31), text="Trễ hạn")
    open_ = make_task(committee_a, lead_agency, deadline=D(2026, 4, 30), text="Chưa xong")
    none = make_task(committee_a, lead_agency, deadline=None, text="Không thời hạn")
    services.task_progress_add(task=on_time, date=D(2026, 5, 1), text="Hoàn thành", state="done")
    services.task_progress_add(task=late, date=D(2026, 4, 15), text="Hoàn thành", state="done")
    cancelled = make_task(committee_a, lead_agency, deadline=D(2026, 2, 1), text="Hủy")
    services.task_cancel(task=cancelled, on=D(2026, 1, 20), reason="Không còn phù hợp")
    expected = {
        D(2026, 3, 1): {on_time: "in_progress", late: "in_progress", open_: "not_started", none: "not_started", cancelled: "cancelled"},
        D(2026, 4, 10): {on_time: "in_progress", late: "overdue", open_: "not_started", none: "not_started"},
        D(2026, 5, 10): {on_time: "done_on_time", late: "done_late", open_: "overdue", none: "not_started"},
    }  # fmt: skip
    for day, statuses in expected.items():
        for task, status in statuses.items():
            task.refresh_from_db()
            assert task.status_on(day) == status, (task.text, day)
            assert Task.objects.filter(status_q(status, day), pk=task.pk).exists(), (task.text, day)


def test_a_focal_point_reports_progress_on_its_agencys_tasks_only(
    committee_a, lead_agency, other_agency, focal_point
):
    own = make_task(committee_a, lead_agency)
    other = make_task(committee_a, other_agency)
    evidence = SimpleUploadedFile(
        "bien-ban.pdf", b"%PDF-1.4 bien ban", content_type="application/pdf"
    )
    update = services.task_progress_add(
        task=own, date=D(2026, 2, 1), text="Đã hoàn thành khảo sát", evidence_file=evidence,
        evidence_link="https://example.gov.vn/bao-cao", by=focal_point,
    )  # fmt: skip
    own.refresh_from_db()
    assert own.state == Task.State.IN_PROGRESS
    assert own.history.first().history_user == focal_point
    assert services.private_file(update.evidence_path).read_bytes().startswith(b"%PDF")
    with pytest.raises(PermissionDenied):
        services.task_progress_add(task=other, date=D(2026, 2, 1), text="x", by=focal_point)
    with pytest.raises(PermissionDenied):
        services.task_cancel(task=own, on=D(2026, 2, 1), reason="x", by=focal_point)
    with pytest.raises(PermissionDenied):
        make_meeting(committee_a, by=focal_point)


def test_a_cancelled_task_needs_a_reason(committee_a, lead_agency):
    task = make_task(committee_a, lead_agency)
    with pytest.raises(ValidationError):
        services.task_cancel(task=task, on=D(2026, 2, 1), reason=" ")
    task.refresh_from_db()
    assert task.state == Task.State.NOT_STARTED


def test_a_reschedule_is_kept_in_history_with_its_reason(committee_a, lead_agency, secretariat_a):
    task = make_task(committee_a, lead_agency, deadline=D(2026, 3, 31))
    services.task_update(
        task=task, deadline=D(2026, 7, 1), deadline_precision="quarter",
        reason="Gia hạn theo Thông báo 30/TB-BCĐ", by=secretariat_a,
    )  # fmt: skip
    versions = list(task.history.order_by("history_date"))
    assert versions[0].deadline == D(2026, 3, 31)
    assert versions[-1].deadline_last_day == D(2026, 9, 30)
    assert versions[-1].history_change_reason == "Gia hạn theo Thông báo 30/TB-BCĐ"
    assert versions[-1].history_user == secretariat_a


def test_documents_go_to_private_storage(committee_a, settings):
    meeting = make_meeting(committee_a)
    document = services.document_add(
        meeting=meeting, title="Giấy mời", upload=SimpleUploadedFile("giay-moi.pdf", b"%PDF-1.4"),
        reason="Lưu tài liệu",
    )  # fmt: skip
    path = services.private_file(document.file_path)
    assert path.is_relative_to(settings.PRIVATE_STORAGE_ROOT)
    with pytest.raises(ValidationError):
        services.document_add(
            meeting=meeting, title="x", upload=SimpleUploadedFile("x.exe", b"MZ"), reason="x"
        )


def test_a_secretariat_cannot_record_another_committees_meeting(committee_b, secretariat_a):
    with pytest.raises(PermissionDenied):
        make_meeting(committee_b, by=secretariat_a)
    assert not Meeting.objects.exists()


def test_a_revoked_focal_point_loses_the_right(committee_a, lead_agency, focal_point):
    from committees.permissions import revoke_focal_point

    task = make_task(committee_a, lead_agency)
    revoke_focal_point(focal_point, lead_agency)
    fresh = type(focal_point).objects.get(pk=focal_point.pk)
    with pytest.raises(PermissionDenied):
        services.task_progress_add(task=task, date=D(2026, 2, 1), text="x", by=fresh)
