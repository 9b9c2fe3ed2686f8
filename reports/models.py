"""Review reports (a frozen snapshot, its PDF and its status) and the schedules that make them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committees.models import Committee
from reports.periods import Cadence, Period, parse_period


class ReportKind(models.TextChoices):
    COMMITTEE_REVIEW = "committee_review", _("committee review report")
    CITY_OVERVIEW = "city_overview", _("city overview report")


class Report(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    Kind = ReportKind

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        help_text=_("Empty for the city overview."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    period = models.CharField(_("period"), max_length=10, help_text=_("2026-Q4, 2026-03 or 2026."))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error_message = models.TextField(_("error message"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    snapshot = models.JSONField(
        _("snapshot"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The data the report was made from, frozen so it renders again the same."),
    )
    snapshot_at = models.DateTimeField(
        _("data as of"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the snapshot was taken: a later change to the data makes it outdated."),
    )
    generation = models.PositiveIntegerField(_("generation"), default=1, editable=False)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    worker = models.CharField(_("worker"), max_length=200, blank=True, editable=False)
    file_path = models.CharField(
        _("file"), max_length=300, blank=True, editable=False, help_text=_("Private storage path.")
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    render_seconds = models.FloatField(_("render time (s)"), null=True, blank=True)
    # The snapshot can be large and never changes once taken: history keeps the status trail.
    history = HistoricalRecords(excluded_fields=["snapshot"])

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "committee__name", "pk"]
        indexes = [
            models.Index(fields=["committee", "-period_end"], name="reports_report_latest"),
            models.Index(fields=["status", "queued_at"], name="reports_report_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "kind", "period", "language"],
                condition=Q(committee__isnull=False),
                name="reports_report_unique_committee_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "period", "language"],
                condition=Q(committee__isnull=True),
                name="reports_report_unique_city_period",
            ),
            models.CheckConstraint(
                condition=Q(committee__isnull=False, kind="committee_review")
                | Q(committee__isnull=True, kind="city_overview"),
                name="reports_report_kind_matches_scope",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="reports_report_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        scope = self.committee if self.committee_id else _("City")
        return f"{scope} — {self.period} ({self.language})"

    @property
    def period_obj(self) -> Period:
        return parse_period(self.period)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file_path)

    def get_download_url(self) -> str:
        return reverse("reports:download", args=[self.pk])

    def download_name(self) -> str:
        scope = self.committee.slug if self.committee_id else "thanh-pho"
        return f"bao-cao-{scope}-{self.period}-{self.language}.pdf"


class ReportSchedule(models.Model):
    """A report made on a cadence: the dispatcher takes rows whose next run has come."""

    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_schedules",
        help_text=_("Empty for the city overview."),
    )
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    next_run_at = models.DateTimeField(
        _("next run"),
        help_text=_("When it is due: it then makes the report of the period that has just ended."),
    )
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    last_report = models.ForeignKey(
        Report,
        verbose_name=_("last report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["next_run_at", "pk"]
        indexes = [models.Index(fields=["active", "next_run_at"], name="reports_schedule_due")]

    def __str__(self) -> str:
        scope = self.committee if self.committee_id else _("City")
        return f"{scope} — {self.get_cadence_display()}"

    @property
    def kind(self) -> str:
        return ReportKind.COMMITTEE_REVIEW if self.committee_id else ReportKind.CITY_OVERVIEW


class ReportDownload(models.Model):
    """One download of a report file: who, when, from where."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("report download")
        verbose_name_plural = _("report downloads")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.report} — {self.at:%d/%m/%Y %H:%M}"
