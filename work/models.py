"""Meetings of a committee, their frozen invitation lists and attendance, and the tasks they assign."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Agency, Committee, LegalInstrument, Sourced
from committees.partial_dates import PartialDate, normalise, precision_field
from committees.text import fold, nfc


class Meeting(Sourced):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("regular meeting")
        EXTRAORDINARY = "extraordinary", _("extraordinary meeting")
        INTERIM_REVIEW = "interim_review", _("interim review (sơ kết)")
        FINAL_REVIEW = "final_review", _("final review (tổng kết)")
        CONFERENCE = "conference", _("conference")

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.REGULAR)
    title = models.CharField(_("title"), max_length=500)
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"), null=True, blank=True, help_text=_("Empty when unknown."))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online = models.BooleanField(_("online"), default=False)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    chair = models.ForeignKey(
        "members.Person",
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_chaired",
    )
    chair_name = models.CharField(
        _("chair (as recorded)"),
        max_length=300,
        blank=True,
        help_text=_("The chair's name and post as the record gives them."),
    )
    concluding_notice = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("concluding notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings_concluded",
    )
    conclusions = models.TextField(_("conclusions"), blank=True)
    invitations_frozen_on = models.DateField(
        _("invitation list taken on"), null=True, blank=True, editable=False
    )
    search_key = models.CharField(_("search key"), max_length=600, editable=False, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["committee", "-date", "-id"], name="work_meeting_committee_date"),
            models.Index(fields=["date", "id"], name="work_meeting_date"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("work:meeting-detail", args=[self.pk])

    def clean(self) -> None:
        self.title = nfc(self.title)
        self.place = nfc(self.place)
        self.chair_name = nfc(self.chair_name)
        self.search_key = fold(self.title)[:600]
        if self.online_link and not self.online:
            self.online = True


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=500)
    presenter = models.CharField(_("presented by"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.title = nfc(self.title)
        self.presenter = nfc(self.presenter)


class Invitee(models.Model):
    """One row of the invitation list, copied from the roster on the meeting's day (frozen: later
    roster changes do not touch it), or a guest who is not a member; with the attendance."""

    class Attendance(models.TextChoices):
        UNRECORDED = "unrecorded", _("not recorded")
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")
        REPRESENTED = "represented", _("represented by a substitute")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitees"
    )
    membership = models.ForeignKey(
        "members.Membership",
        verbose_name=_("seat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    person = models.ForeignKey(
        "members.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    guest = models.BooleanField(_("guest (not a member)"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    post = models.CharField(_("post"), max_length=400, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.UNRECORDED
    )
    absence_reason = models.CharField(_("reason for absence"), max_length=500, blank=True)
    substitute_name = models.CharField(_("substitute"), max_length=300, blank=True)
    substitute_post = models.CharField(_("substitute's post"), max_length=400, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        ordering = ["meeting", "guest", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"],
                condition=Q(membership__isnull=False),
                name="work_invitee_one_row_per_seat",
            ),
            models.CheckConstraint(
                condition=~Q(attendance="represented") | ~Q(substitute_name=""),
                name="work_invitee_substitute_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(_("(title only)"))

    def clean(self) -> None:
        for field in ("name", "post", "absence_reason", "substitute_name", "substitute_post"):
            setattr(self, field, nfc(getattr(self, field)).strip())
        errors = {}
        if self.guest and not self.name:
            errors["name"] = _("Name the guest.")
        if self.attendance == self.Attendance.REPRESENTED:
            if not self.substitute_name:
                errors["substitute_name"] = _("Name the substitute who attended.")
            if not self.substitute_post:
                errors["substitute_post"] = _("Give the substitute's post.")
        elif self.attendance == self.Attendance.ABSENT and not self.absence_reason:
            errors["absence_reason"] = _("Give the reason for the absence.")
        if self.attendance != self.Attendance.REPRESENTED:
            self.substitute_name = self.substitute_post = ""
        if self.attendance != self.Attendance.ABSENT and self.attendance != (
            self.Attendance.REPRESENTED
        ):
            self.absence_reason = ""
        if errors:
            raise ValidationError(errors)


class MeetingDocument(models.Model):
    """A file of a meeting, kept in private storage and served only through a checked view."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    file_path = models.CharField(_("file"), max_length=500, editable=False)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("work:document-download", args=[self.pk])


class Task(Sourced):
    """An assigned task (nhiệm vụ giao): who leads it, by when, and how far it has come."""

    class SourceKind(models.TextChoices):
        DECISION = "decision", _("decision")
        MEETING = "meeting", _("meeting conclusion")
        PLAN = "plan", _("plan")

    class State(models.TextChoices):
        """What is recorded; the status on a day (Status) follows from it and the deadline."""

        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE_ON_TIME = "done_on_time", _("done on time")
        DONE_LATE = "done_late", _("done late")
        OVERDUE = "overdue", _("overdue")
        CANCELLED = "cancelled", _("cancelled")

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        help_text=_("The committee whose task board carries the task; empty if none."),
    )
    number = models.CharField(
        _("item"), max_length=20, blank=True, help_text=_('e.g. "3" or "2.1"')
    )
    text = models.TextField(_("task"))
    source_kind = models.CharField(_("source"), max_length=10, choices=SourceKind.choices)
    source_instrument = models.ForeignKey(
        LegalInstrument,
        verbose_name=_("source decision, notice or plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    source_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("source meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    assigned_by = models.ForeignKey(
        Agency,
        verbose_name=_("assigning body (agency)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks_assigned",
        help_text=_("The agency that assigned the task, when it is not the committee itself."),
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("lead agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks_led",
        help_text=_("Empty when the source names no single agency."),
    )
    lead_as_written = models.CharField(
        _("lead (as written)"), max_length=500, blank=True, help_text=_("As the source words it.")
    )
    coordinating_agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("coordinating agencies"),
        blank=True,
        related_name="tasks_coordinated",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_precision = precision_field(_("deadline precision"))
    deadline_last_day = models.DateField(
        _("last day of the deadline"), null=True, blank=True, editable=False
    )
    deadline_as_written = models.CharField(
        _("deadline (as written)"),
        max_length=200,
        blank=True,
        help_text=_('As the source words it, e.g. "trong 6 tháng đầu năm".'),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    target = models.ForeignKey(
        "mandates.Target",
        verbose_name=_("target served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    search_key = models.TextField(_("search key"), editable=False)
    history = HistoricalRecords(m2m_fields=[coordinating_agencies])

    class Meta:
        verbose_name = _("assigned task")
        verbose_name_plural = _("assigned tasks")
        ordering = ["deadline_last_day", "pk"]
        indexes = [
            models.Index(fields=["deadline_last_day", "id"], name="work_task_deadline"),
            models.Index(fields=["committee", "deadline_last_day", "id"], name="work_task_board"),
            models.Index(fields=["lead_agency", "deadline_last_day", "id"], name="work_task_lead"),
            models.Index(fields=["state", "deadline_last_day"], name="work_task_state_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="done") | Q(completed_on__isnull=False),
                name="work_task_done_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled")
                | (Q(cancelled_on__isnull=False) & ~Q(cancel_reason="")),
                name="work_task_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 80 else self.text[:79] + "…"
        return f"{self.number}. {text}" if self.number else text

    def get_absolute_url(self) -> str:
        return reverse("work:task-detail", args=[self.pk])

    @property
    def deadline_partial(self) -> PartialDate:
        return PartialDate(self.deadline, self.deadline_precision)

    def clean(self) -> None:
        self.text = nfc(self.text).strip()
        self.lead_as_written = nfc(self.lead_as_written)
        self.deadline_as_written = nfc(self.deadline_as_written)
        self.cancel_reason = nfc(self.cancel_reason).strip()
        self.search_key = fold(self.text)
        self.deadline = normalise(self.deadline, self.deadline_precision)
        self.deadline_last_day = self.deadline_partial.last_day()
        errors = {}
        if not self.text:
            errors["text"] = _("Write the task.")
        if self.source_kind == self.SourceKind.MEETING and self.source_meeting_id is None:
            errors["source_meeting"] = _("Name the meeting whose conclusion assigned the task.")
        if (
            self.source_kind in (self.SourceKind.DECISION, self.SourceKind.PLAN)
            and self.source_instrument_id is None
        ):
            errors["source_instrument"] = _("Name the decision or plan that assigned the task.")
        if self.state == self.State.DONE and self.completed_on is None:
            errors["completed_on"] = _("Give the day the task was completed.")
        if self.state == self.State.CANCELLED:
            if not self.cancel_reason:
                errors["cancel_reason"] = _("Say why the task is cancelled.")
            if self.cancelled_on is None:
                errors["cancelled_on"] = _("Give the day the task was cancelled.")
        if self.state != self.State.DONE:
            self.completed_on = None
        if self.state != self.State.CANCELLED:
            self.cancelled_on = None
        if self.completed_on and self.assigned_on and self.completed_on < self.assigned_on:
            errors["completed_on"] = _("A task cannot be completed before it was assigned.")
        if errors:
            raise ValidationError(errors)

    def status_on(self, day: dt.date) -> str:
        """The task's status as it stood on a day (history-free: from the recorded dates)."""
        if self.cancelled_on is not None and self.cancelled_on <= day:
            return self.Status.CANCELLED
        if self.completed_on is not None and self.completed_on <= day:
            if self.deadline_last_day is None or self.completed_on <= self.deadline_last_day:
                return self.Status.DONE_ON_TIME
            return self.Status.DONE_LATE
        if self.deadline_last_day is not None and day > self.deadline_last_day:
            return self.Status.OVERDUE
        if self.state == self.State.NOT_STARTED:
            return self.Status.NOT_STARTED
        return self.Status.IN_PROGRESS


def status_q(status: str, day: dt.date) -> Q:
    """The condition for tasks having a status on a day, in SQL (agrees with Task.status_on)."""
    cancelled = Q(cancelled_on__isnull=False, cancelled_on__lte=day)
    done = Q(completed_on__isnull=False, completed_on__lte=day) & ~cancelled
    open_ = ~cancelled & ~Q(completed_on__isnull=False, completed_on__lte=day)
    late_deadline = Q(deadline_last_day__isnull=False, deadline_last_day__lt=day)
    if status == Task.Status.CANCELLED:
        return cancelled
    if status == Task.Status.DONE_ON_TIME:
        return done & (
            Q(deadline_last_day__isnull=True) | Q(completed_on__lte=models.F("deadline_last_day"))
        )
    if status == Task.Status.DONE_LATE:
        return done & Q(
            deadline_last_day__isnull=False, completed_on__gt=models.F("deadline_last_day")
        )
    if status == Task.Status.OVERDUE:
        return open_ & late_deadline
    not_overdue = open_ & ~late_deadline
    if status == Task.Status.NOT_STARTED:
        return not_overdue & Q(state=Task.State.NOT_STARTED)
    if status == Task.Status.IN_PROGRESS:
        return not_overdue & ~Q(state=Task.State.NOT_STARTED)
    raise ValueError(status)


class TaskUpdate(models.Model):
    """A dated progress report on a task, with its evidence (text, a link or a file)."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    evidence_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_path = models.CharField(_("evidence file"), max_length=500, blank=True, editable=False)
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["task", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.text[:60]}"

    def clean(self) -> None:
        self.text = nfc(self.text).strip()
        if not self.text:
            raise ValidationError({"text": _("Describe the progress.")})


class FocalPoint(models.Model):
    """An agency's focal point (cán bộ đầu mối): a user who reports on the tasks the agency leads."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="focal_points",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="focal_points"
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="work_focalpoint_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.agency}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret of one user's private calendar feed of one committee; revoked, it stops working."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_tokens",
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "committee"],
                condition=Q(revoked_at__isnull=True),
                name="work_calendartoken_one_live_per_user_committee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.committee}"

    def get_absolute_url(self) -> str:
        return reverse("work:calendar-feed", args=[self.token])
