"""The work queue's rules, who follows which committee, each user's preferences, the outbox of
e-mails and the schedules that fill it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee


class Kind(models.TextChoices):
    """The kinds of work item; each has one provider in notifications/providers.py."""

    PENDING_CHANGE = "pending_change", _("pending ex officio change")
    MEMBER_GAP = "member_gap", _("seats declared but not named")
    SEAT_WITHOUT_PERSON = "seat_without_person", _("seat named by title only or vacant")
    SEAT_POST_LEFT = "seat_post_left", _("seat held through a post its holder left")
    ROSTER_NO_DECISION = "roster_no_decision", _("roster change without a decision")
    TERM_ENDING = "term_ending", _("term ending soon")
    TARGET_OFF_TRACK = "target_off_track", _("target at risk or overdue")
    TASK_DUE = "task_due", _("assigned task overdue or due soon")
    AGENCY_TASK_DUE = "agency_task_due", _("your agency's task overdue or due soon")
    REPORT_READY = "report_ready", _("report ready")
    REPORT_FAILED = "report_failed", _("report failed")


# Kinds about an agency's tasks: they reach the agency's focal points, and only them.
AGENCY_KINDS = frozenset({Kind.AGENCY_TASK_DUE})
COMMITTEE_ROLES = ("to_secretariat", "to_leaders", "to_city_staff", "to_administrators")


class Channel(models.TextChoices):
    QUEUE = "queue", _("work queue in the app")
    DIGEST = "digest", _("daily e-mail digest")
    IMMEDIATE = "immediate", _("immediate e-mail")


class NotificationRule(models.Model):
    """Which kind of item reaches which kinds of user, by which channel, with what lead time."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    lead_days = models.PositiveSmallIntegerField(
        _("lead days"),
        default=0,
        help_text=_(
            "Terms ending: how many days ahead. Pending changes: how many days old before they "
            "are listed or sent. Reports ready: how many days they stay listed."
        ),
    )
    to_secretariat = models.BooleanField(
        _("to the secretariat"), default=False, help_text=_("For the committees they keep.")
    )
    to_leaders = models.BooleanField(
        _("to leaders"), default=False, help_text=_("For the committees they follow.")
    )
    to_city_staff = models.BooleanField(
        _("to city staff"), default=False, help_text=_("For the committees they follow.")
    )
    to_administrators = models.BooleanField(
        _("to administrators"), default=False, help_text=_("For every committee.")
    )
    to_focal_points = models.BooleanField(
        _("to agency focal points"),
        default=False,
        help_text=_("For the tasks their agency leads (their agency's kinds only)."),
    )
    active = models.BooleanField(_("on"), default=True)
    mandatory = models.BooleanField(
        _("mandatory"), default=False, help_text=_("Users may not turn a mandatory rule off.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel"], name="notifications_rule_one_per_kind_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_channel_display()}"

    def clean(self) -> None:
        if self.kind in AGENCY_KINDS:
            errors = {
                role: _("An agency's tasks reach its focal points only.")
                for role in COMMITTEE_ROLES
                if getattr(self, role)
            }
            if errors:
                raise ValidationError(errors)
        elif self.to_focal_points:
            raise ValidationError(
                {"to_focal_points": _("Focal points receive their agency's tasks only.")}
            )


class Follow(models.Model):
    """A user following a committee: leaders and city staff see its items in their queue."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="committee_follows",
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    history = HistoricalRecords()  # a follow moves with a renamed body, saying why

    class Meta:
        verbose_name = _("followed committee")
        verbose_name_plural = _("followed committees")
        ordering = ["user", "committee__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "committee"], name="notifications_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.committee}"


class NotificationPreference(models.Model):
    """A user's language for e-mails and the rules (not mandatory) they turned off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    muted_rules = models.ManyToManyField(
        NotificationRule,
        verbose_name=_("turned off"),
        blank=True,
        related_name="+",
        limit_choices_to={"mandatory": False},
    )
    history = HistoricalRecords(m2m_fields=[muted_rules])

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class Outbox(models.Model):
    """One e-mail: what it says, to whom, and how its delivery went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RETRYING = "retrying", _("retrying")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="outbox",
    )
    recipient = models.EmailField(_("recipient"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=200,
        unique=True,
        help_text=_("User, event and day: the same message is never made twice."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["body"])

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notifications_outbox_status")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notifications_outbox_sent_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class NotificationSchedule(models.Model):
    """When the digests (daily) and the immediate e-mails (every few minutes) are next built;
    the dispatcher takes the rows whose next run has come."""

    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[
            (Channel.DIGEST, Channel.DIGEST.label),
            (Channel.IMMEDIATE, Channel.IMMEDIATE.label),
        ],
        unique=True,
    )
    interval_minutes = models.PositiveIntegerField(
        _("every (minutes)"), help_text=_("1440 for once a day.")
    )
    next_run_at = models.DateTimeField(_("next run"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    last_count = models.PositiveIntegerField(
        _("messages last run"), null=True, blank=True, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification schedule")
        verbose_name_plural = _("notification schedules")
        ordering = ["next_run_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_minutes__gte=1),
                name="notifications_schedule_interval_positive",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_channel_display())
