"""Writes of meetings, attendance, conclusions, tasks and progress: each atomic, validated, and
recorded in history with who and why; each asks committees.permissions first."""

import datetime as dt
import hashlib
import mimetypes
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import permissions
from committees.models import Agency, Committee, LegalInstrument
from committees.partial_dates import Precision
from committees.text import fold
from mandates.models import Target
from members.models import Person
from members.selectors import roster_on
from records.writes import save_validated, stamp_history
from work.models import (
    AgendaItem,
    CalendarToken,
    Invitee,
    Meeting,
    MeetingDocument,
    Task,
    TaskUpdate,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".odt",
    ".ods",
    ".png",
    ".jpg",
    ".jpeg",
    ".txt",
}


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError(_("Say why: a reason is required for every change."))


def _authorise(by: AbstractBaseUser | None, committee: Committee | None) -> None:
    """`by=None` is the system itself (the seed loader); a user must hold the work right."""
    if by is not None:
        permissions.require_work_right(by, committee)


def storage_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def private_file(relative: str) -> Path | None:
    """A stored file's path, refusing any path that would leave private storage."""
    if not relative:
        return None
    root = storage_root().resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) else None


def _store(upload, folder: str) -> tuple[str, str, int, str]:
    """Write an uploaded file under private storage; return (relative path, name, size, type)."""
    name = Path(getattr(upload, "name", "") or "file").name
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(
            _(
                "Files of this type are not accepted: %(name)s. Use PDF, Word, Excel, text or an image."
            )
            % {"name": name}
        )
    size = getattr(upload, "size", None) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    relative = f"work/{folder}/{uuid.uuid4().hex}{suffix}"
    target = storage_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return relative, name, target.stat().st_size, content_type


# --- Meetings ---------------------------------------------------------------------------------


def _freeze_invitations(meeting: Meeting, *, by, reason: str) -> int:
    """Copy the roster on the meeting's day into the invitation list (it never follows the roster
    afterwards: a seat that ends later still shows on the meetings it was invited to)."""
    rows = []
    for order, seat in enumerate(roster_on(meeting.committee, meeting.date)):
        person = getattr(seat, "person", None)
        rows.append(
            Invitee(
                meeting=meeting,
                membership=seat,
                person=person,
                order=order,
                name=person.full_name if person else "",
                role=seat.get_role_display(),
                post=seat.title_at_appointment or (seat.position.title if seat.position else ""),
            )
        )
    for row in rows:
        row.full_clean()
    Invitee.objects.bulk_create(rows)
    Invitee.history.bulk_history_create(
        rows, default_change_reason=reason, default_user=by if _is_user(by) else None
    )
    meeting.invitations_frozen_on = meeting.date
    meeting.save(update_fields=["invitations_frozen_on"])
    return len(rows)


def _is_user(by) -> bool:
    return by is not None and getattr(by, "is_authenticated", False)


@transaction.atomic
def meeting_create(
    *,
    committee: Committee,
    title: str,
    date: dt.date,
    kind: str = Meeting.Kind.REGULAR,
    time: dt.time | None = None,
    place: str = "",
    online: bool = False,
    online_link: str = "",
    chair: Person | None = None,
    chair_name: str = "",
    agenda: list[str] | None = None,
    reason: str,
    by: AbstractBaseUser | None = None,
    source: str = "",
    source_date: dt.date | None = None,
) -> Meeting:
    """Record a meeting, its agenda, and its invitation list frozen from the roster on its day."""
    _authorise(by, committee)
    _require_reason(reason)
    meeting = save_validated(
        Meeting(
            committee=committee,
            kind=kind,
            title=title,
            date=date,
            time=time,
            place=place,
            online=online,
            online_link=online_link,
            chair=chair,
            chair_name=chair_name or (chair.full_name if chair else ""),
            source=source,
            source_date=source_date,
        ),
        by=by,
        reason=reason,
    )
    for order, item in enumerate(agenda or [], start=1):
        if item.strip():
            save_validated(
                AgendaItem(meeting=meeting, order=order, title=item.strip()), by=by, reason=reason
            )
    _freeze_invitations(meeting, by=by, reason=reason)
    return meeting


MEETING_FIELDS = {
    "kind",
    "title",
    "time",
    "place",
    "online",
    "online_link",
    "chair",
    "chair_name",
    "conclusions",
    "source",
    "source_date",
}


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, reason: str, by: AbstractBaseUser | None = None, **changes
) -> Meeting:
    """Correct a meeting's details; its date (and so its frozen invitation list) stays."""
    _authorise(by, meeting.committee)
    _require_reason(reason)
    unknown = set(changes) - MEETING_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    for name, value in changes.items():
        setattr(meeting, name, value)
    return save_validated(meeting, by=by, reason=reason)


@transaction.atomic
def agenda_item_add(
    *, meeting: Meeting, title: str, presenter: str = "", reason: str, by=None
) -> AgendaItem:
    _authorise(by, meeting.committee)
    _require_reason(reason)
    order = (
        meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    return save_validated(
        AgendaItem(meeting=meeting, order=order, title=title, presenter=presenter),
        by=by,
        reason=reason,
    )


@transaction.atomic
def attendance_set(
    *,
    invitee: Invitee,
    attendance: str,
    absence_reason: str = "",
    substitute_name: str = "",
    substitute_post: str = "",
    reason: str,
    by: AbstractBaseUser | None = None,
) -> Invitee:
    """Record one invitee's attendance: present, absent with a reason, or represented by a named
    substitute with the substitute's post."""
    _authorise(by, invitee.meeting.committee)
    _require_reason(reason)
    invitee = Invitee.objects.select_for_update().select_related("meeting").get(pk=invitee.pk)
    invitee.attendance = attendance
    invitee.absence_reason = absence_reason
    invitee.substitute_name = substitute_name
    invitee.substitute_post = substitute_post
    return save_validated(invitee, by=by, reason=reason)


@transaction.atomic
def attendance_record(*, meeting: Meeting, rows: dict[int, dict], reason: str, by=None) -> int:
    """Record the attendance of several invitees at once (the attendance form); all or nothing.
    A ValidationError names the invitee whose row is wrong."""
    _authorise(by, meeting.committee)
    _require_reason(reason)
    invitees = {i.pk: i for i in meeting.invitees.select_for_update()}
    changed = 0
    for pk, values in rows.items():
        invitee = invitees.get(pk)
        if invitee is None:
            raise ValidationError(_("This invitee is not on the meeting's list."))
        before = (
            invitee.attendance,
            invitee.absence_reason,
            invitee.substitute_name,
            invitee.substitute_post,
        )
        for name in ("attendance", "absence_reason", "substitute_name", "substitute_post"):
            setattr(invitee, name, values.get(name, "") or "")
        if invitee.attendance == "":
            invitee.attendance = Invitee.Attendance.UNRECORDED
        after = (
            invitee.attendance,
            invitee.absence_reason,
            invitee.substitute_name,
            invitee.substitute_post,
        )
        if before == after:
            continue
        try:
            save_validated(invitee, by=by, reason=reason)
        except ValidationError as exc:
            raise ValidationError(
                _("%(name)s: %(problem)s")
                % {"name": invitee.name or invitee.post, "problem": " ".join(exc.messages)}
            ) from exc
        changed += 1
    return changed


@transaction.atomic
def guest_add(
    *,
    meeting: Meeting,
    name: str,
    post: str = "",
    attendance: str = Invitee.Attendance.PRESENT,
    reason: str,
    by=None,
) -> Invitee:
    """A guest who is not a member (an expert, a partner, a guest of honour)."""
    _authorise(by, meeting.committee)
    _require_reason(reason)
    order = meeting.invitees.filter(guest=True).count()
    return save_validated(
        Invitee(
            meeting=meeting, guest=True, name=name, post=post, attendance=attendance, order=order
        ),
        by=by,
        reason=reason,
    )


@transaction.atomic
def document_add(*, meeting: Meeting, title: str, upload, reason: str, by=None) -> MeetingDocument:
    """Keep a meeting's file in private storage; it is served only through the permission module."""
    _authorise(by, meeting.committee)
    _require_reason(reason)
    relative, name, size, content_type = _store(upload, f"meetings/{meeting.pk}")
    document = MeetingDocument(
        meeting=meeting,
        title=title or name,
        file_path=relative,
        file_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=by if _is_user(by) else None,
    )
    return save_validated(document, by=by, reason=reason)


# --- Conclusions and tasks --------------------------------------------------------------------


@dataclass
class TaskItem:
    """One item of a concluding notice (or of a decision or plan) that assigns a task."""

    text: str
    lead_agency: Agency | None = None
    coordinating: list[Agency] = field(default_factory=list)
    deadline: dt.date | None = None
    deadline_precision: str = Precision.DAY
    deadline_as_written: str = ""
    lead_as_written: str = ""
    number: str = ""
    target: Target | None = None


@transaction.atomic
def conclusion_record(
    *,
    meeting: Meeting,
    number: str,
    signed_on: dt.date | None,
    title: str = "",
    summary: str = "",
    items: list[TaskItem],
    reason: str,
    by=None,
    source: str = "",
    source_date: dt.date | None = None,
) -> tuple[LegalInstrument, list[Task]]:
    """Record the concluding notice (thông báo kết luận) of a meeting as a decision record and
    create one assigned task for each of its items."""
    _authorise(by, meeting.committee)
    _require_reason(reason)
    if meeting.concluding_notice_id is not None:
        raise ValidationError(_("This meeting already has a concluding notice."))
    title = title or _("Concluding notice of %(meeting)s") % {"meeting": meeting.title}
    notice = save_validated(
        LegalInstrument(
            kind=LegalInstrument.Kind.NOTICE,
            number=number,
            title=title,
            issuer=meeting.committee.standing_agency,
            signed_on=signed_on,
            summary=summary,
            source=source,
            source_date=source_date,
            search_key=fold(f"{number} {title}"),
        ),
        by=by,
        reason=reason,
    )
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.concluding_notice = notice
    if summary and not meeting.conclusions:
        meeting.conclusions = summary
    save_validated(meeting, by=by, reason=reason)
    tasks = []
    for index, item in enumerate(items, start=1):
        try:
            tasks.append(
                task_create(
                    committee=meeting.committee,
                    item=item
                    if item.number
                    else TaskItem(**{**item.__dict__, "number": str(index)}),
                    source_kind=Task.SourceKind.MEETING,
                    source_meeting=meeting,
                    source_instrument=notice,
                    assigned_on=signed_on or meeting.date,
                    reason=reason,
                    by=by,
                    source=source,
                    source_date=source_date,
                )
            )
        except ValidationError as exc:
            raise ValidationError(
                _("Item %(number)s: %(problem)s")
                % {"number": item.number or index, "problem": " ".join(exc.messages)}
            ) from exc
    return notice, tasks


@transaction.atomic
def task_create(
    *,
    committee: Committee | None,
    item: TaskItem,
    source_kind: str,
    source_instrument: LegalInstrument | None = None,
    source_meeting: Meeting | None = None,
    assigned_by: Agency | None = None,
    assigned_on: dt.date | None = None,
    reason: str,
    by=None,
    source: str = "",
    source_date: dt.date | None = None,
) -> Task:
    _authorise(by, committee)
    _require_reason(reason)
    task = Task(
        committee=committee,
        number=item.number,
        text=item.text,
        source_kind=source_kind,
        source_instrument=source_instrument,
        source_meeting=source_meeting,
        assigned_by=assigned_by,
        assigned_on=assigned_on,
        lead_agency=item.lead_agency,
        lead_as_written=item.lead_as_written,
        deadline=item.deadline,
        deadline_precision=item.deadline_precision,
        deadline_as_written=item.deadline_as_written,
        target=item.target,
        source=source,
        source_date=source_date,
    )
    if (
        source_meeting is not None
        and committee is not None
        and source_meeting.committee_id != committee.pk
    ):
        raise ValidationError(_("The meeting belongs to another committee."))
    save_validated(task, by=by, reason=reason)
    if item.coordinating:
        coordinating = [a for a in item.coordinating if a != item.lead_agency]
        stamp_history(task, by=by, reason=reason)
        task.coordinating_agencies.set(coordinating)
    return task


TASK_FIELDS = {
    "number", "text", "lead_agency", "lead_as_written", "deadline", "deadline_precision",
    "deadline_as_written", "target", "assigned_by", "assigned_on", "source", "source_date",
}  # fmt: skip


@transaction.atomic
def task_update(
    *, task: Task, reason: str, by=None, coordinating: list[Agency] | None = None, **changes
) -> Task:
    """The secretariat corrects or reschedules a task (a new deadline is a change with its reason)."""
    _authorise(by, task.committee)
    _require_reason(reason)
    unknown = set(changes) - TASK_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    task = Task.objects.select_for_update().get(pk=task.pk)
    for name, value in changes.items():
        setattr(task, name, value)
    save_validated(task, by=by, reason=reason)
    if coordinating is not None:
        stamp_history(task, by=by, reason=reason)
        task.coordinating_agencies.set([a for a in coordinating if a != task.lead_agency])
    return task


@transaction.atomic
def task_cancel(*, task: Task, on: dt.date, reason: str, by=None) -> Task:
    """Cancel a task; the reason is kept on the task and in its history."""
    _authorise(by, task.committee)
    _require_reason(reason)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state == Task.State.CANCELLED:
        raise ValidationError(_("The task is already cancelled."))
    task.state = Task.State.CANCELLED
    task.cancelled_on = on
    task.cancel_reason = reason
    return save_validated(task, by=by, reason=reason)


@transaction.atomic
def task_progress_add(
    *,
    task: Task,
    date: dt.date,
    text: str,
    evidence_link: str = "",
    evidence_file=None,
    state: str | None = None,
    completed_on: dt.date | None = None,
    by=None,
) -> TaskUpdate:
    """A dated progress report with its evidence; it may move the task to in progress or done.
    The lead agency's focal point or the secretariat; the report's text is the change's reason."""
    if by is not None:
        permissions.require_task_progress_right(by, task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state == Task.State.CANCELLED:
        raise ValidationError(_("The task was cancelled; progress can no longer be reported."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("A progress report cannot be dated in the future.")})
    update = TaskUpdate(
        task=task,
        date=date,
        text=text,
        evidence_link=evidence_link,
        by=by if _is_user(by) else None,
    )
    update.full_clean()
    if evidence_file is not None:
        update.evidence_path, update.evidence_name, _size, _type = _store(
            evidence_file, f"tasks/{task.pk}"
        )
    reason = (text or "").strip()[:100]
    save_validated(update, by=by, reason=reason)
    if state and state != task.state:
        if state not in (Task.State.IN_PROGRESS, Task.State.DONE, Task.State.NOT_STARTED):
            raise ValidationError({"state": _("Only the secretariat may cancel a task.")})
        task.state = state
        task.completed_on = (completed_on or date) if state == Task.State.DONE else None
        save_validated(task, by=by, reason=reason)
    elif task.state == Task.State.NOT_STARTED:
        task.state = Task.State.IN_PROGRESS
        save_validated(task, by=by, reason=reason)
    return update


# --- Calendar feeds ---------------------------------------------------------------------------


@transaction.atomic
def calendar_token_issue(*, user, committee: Committee) -> CalendarToken:
    """The user's private feed URL for a committee (the live one if there is one)."""
    if not permissions.can_view_committee(user, committee):
        raise ValidationError(_("You may not read this committee."))
    live = CalendarToken.objects.filter(
        user=user, committee=committee, revoked_at__isnull=True
    ).first()
    if live is not None:
        return live
    token = CalendarToken(user=user, committee=committee)
    token.full_clean()
    token.save()
    return token


@transaction.atomic
def calendar_token_revoke(*, token: CalendarToken, by) -> CalendarToken:
    """Revoke a feed URL: its owner or an administrator; the URL stops working at once."""
    if token.user_id != getattr(by, "pk", None) and not permissions.is_administrator(by):
        raise ValidationError(_("You may not revoke another user's calendar feed."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def meeting_save(*, meeting: Meeting, reason: str, by) -> Meeting:
    """Save a meeting edited as a whole (the admin form); a new one gets its invitation list."""
    _authorise(by, meeting.committee)
    _require_reason(reason)
    adding = meeting.pk is None
    if not adding:
        stored = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
        _authorise(by, stored.committee)
        moved = stored.committee_id != meeting.committee_id or stored.date != meeting.date
        if moved and stored.invitees.exists():
            raise ValidationError(
                _("The date and committee of a meeting with an invitation list stay as they were.")
            )
    save_validated(meeting, by=by, reason=reason)
    if adding:
        _freeze_invitations(meeting, by=by, reason=reason)
    return meeting


@transaction.atomic
def task_save(*, task: Task, reason: str, by) -> Task:
    """Save a task edited as a whole (the admin form)."""
    _authorise(by, task.committee)
    if task.pk is not None:
        stored = Task.objects.select_related("committee").get(pk=task.pk)
        _authorise(by, stored.committee)
    _require_reason(reason)
    return save_validated(task, by=by, reason=reason)
