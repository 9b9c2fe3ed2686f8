"""Writes for reports: request, render (snapshot → HTML → PDF → private file), dispatch, sweep.

Each write is atomic and leaves a history row; the render is idempotent: only the report's
current task may render it, the status turns ready once, and the file lands by atomic rename.
"""

import datetime as dt
import hashlib
import logging
import os
import socket
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from committees import permissions
from committees.models import Committee
from records.writes import stamp_history
from reports import selectors
from reports.models import Report, ReportDownload, ReportKind, ReportSchedule
from reports.periods import Period, period_containing
from reports.rendering import render_report_html

logger = logging.getLogger(__name__)

# Errors worth retrying: the database went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_ATTEMPTS = 3
DISPATCH_BATCH = 500
TEST_PAUSE_ENV = "REPORTS_TEST_RENDER_PAUSE"


def _save(instance, *, by: AbstractBaseUser | None = None, reason: str, update_fields=None):
    instance.full_clean(validate_constraints=update_fields is None)
    stamp_history(instance, by=by, reason=reason)
    instance.save(update_fields=update_fields)
    return instance


def _enqueue(
    report: Report, *, by: AbstractBaseUser | None, reason: str, send: bool = True
) -> Report:
    """Queue a render under a fresh task id; the message leaves only once the row is committed
    (`send=False`: the caller renders it in-process with that task id)."""
    from reports.tasks import render_report

    report.status = Report.Status.QUEUED
    report.task_id = uuid.uuid4().hex
    report.queued_at = timezone.now()
    report.error_message = ""
    _save(report, by=by, reason=reason)
    report_id, task_id = report.pk, report.task_id
    if not send:
        return report

    def send_message() -> None:
        # The row is committed either way; when the broker is down the sweeper queues it again
        # later, and the caller can tell the user now (report.queue_error).
        try:
            render_report.apply_async(args=[report_id], task_id=task_id)
        except (KombuError, OSError) as exc:
            logger.warning("Report %s saved but not queued: %s", report_id, exc)
            report.queue_error = True

    report.queue_error = False
    transaction.on_commit(send_message)
    return report


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown report language: %(language)s.") % {"language": language})


@transaction.atomic
def report_request(
    *,
    committee: Committee | None,
    period: Period,
    language: str = "vi",
    by: AbstractBaseUser | None = None,
    regenerate: bool = False,
    send: bool = True,
) -> Report:
    """The report of a scope and period: the existing one unless regeneration is asked (a failed
    report is tried again); otherwise a new one, queued once the transaction commits."""
    _check_language(language)
    if by is not None and not permissions.can_download_reports(by, committee):
        raise PermissionDenied(_("You may not request this report."))
    kind = ReportKind.COMMITTEE_REVIEW if committee is not None else ReportKind.CITY_OVERVIEW
    try:
        report, created = Report.objects.get_or_create(
            committee=committee,
            kind=kind,
            period=period.code,
            language=language,
            defaults={
                "period_start": period.start,
                "period_end": period.end,
                "requested_by": by if by is not None and by.is_authenticated else None,
            },
        )
    except IntegrityError as exc:  # pragma: no cover - get_or_create already retries the read
        raise ValidationError(_("The report could not be created; try again.")) from exc
    if created:
        return _enqueue(report, by=by, reason="Report requested", send=send)
    report = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if report.status == Report.Status.FAILED:
        report.attempts = 0  # a fresh try: the sweeper counts its attempts from here
        return _enqueue(report, by=by, reason="Failed report tried again", send=send)
    if regenerate and report.status == Report.Status.READY:
        report.generation += 1
        report.snapshot = None
        report.sha256 = ""
        report.page_count = None
        report.size_bytes = None
        report.attempts = 0
        report.requested_by = by if by is not None and by.is_authenticated else None
        return _enqueue(report, by=by, reason="Report regenerated", send=send)
    return report


def collect_snapshot(report: Report, *, made_at: dt.datetime) -> dict:
    period = report.period_obj
    if report.committee_id:
        return selectors.committee_review_snapshot(
            committee=report.committee, period=period, made_at=made_at
        )
    return selectors.city_overview_snapshot(period=period, made_at=made_at)


def _claim(report_id: int, task_id: str | None) -> Report | None:
    """Mark the report running for this task, or say why there is nothing to do."""
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
        if report is None:
            logger.warning("Report %s no longer exists; nothing to render.", report_id)
            return None
        if report.status in (Report.Status.READY, Report.Status.FAILED):
            return None
        if task_id is not None and report.task_id and task_id != report.task_id:
            logger.info("Stale task %s for report %s ignored.", task_id, report_id)
            return None
        report.status = Report.Status.RUNNING
        report.started_at = timezone.now()
        report.attempts += 1
        report.worker = f"{socket.gethostname()}:{os.getpid()}"
        return _save(report, reason=f"Render started (attempt {report.attempts})")


def _freeze(report: Report) -> Report:
    """Take the snapshot once per generation: a later render uses exactly the same data."""
    if report.snapshot is not None:
        return report
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("committee")
            .get(pk=report.pk)
        )
        if locked.snapshot is None:
            locked.snapshot = collect_snapshot(locked, made_at=timezone.now())
            _save(locked, reason="Snapshot taken", update_fields=["snapshot"])
        return locked


def _test_pause() -> None:
    """Test-only hook: the worker the suite starts may hold here so it can be killed mid-render."""
    seconds = float(os.environ.get(TEST_PAUSE_ENV) or 0)
    if seconds > 0:
        time.sleep(seconds)


def storage_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def report_file(report: Report) -> Path | None:
    """The report's file on private storage, refusing any path that would leave it."""
    if not report.file_path:
        return None
    root = storage_root().resolve()
    path = (root / report.file_path).resolve()
    if not path.is_relative_to(root):
        return None
    return path


def _write_part(report: Report, content: bytes) -> Path:
    directory = storage_root() / "reports"
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=directory, prefix=f"{report.pk}-", suffix=".part", delete=False
    ) as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(handle.name)


def report_render(*, report_id: int, task_id: str | None = None) -> Report | None:
    """Render a queued report to its PDF. Safe to run twice: the second run does nothing."""
    report = _claim(report_id, task_id)
    if report is None:
        return None
    started = time.monotonic()
    part: Path | None = None
    try:
        report = _freeze(report)
        _test_pause()
        html = render_report_html(snapshot=report.snapshot, language=report.language)
        # WeasyPrint loads in about two seconds: only processes that render pay for it.
        from reports.pdf import html_to_pdf

        pdf = html_to_pdf(html)
        part = _write_part(report, pdf.content)
        digest = hashlib.sha256(pdf.content).hexdigest()
        return _finish(
            report_id=report.pk,
            task_id=report.task_id,
            generation=report.generation,
            part=part,
            sha256=digest,
            page_count=pdf.page_count,
            size=len(pdf.content),
            seconds=time.monotonic() - started,
        )
    except TRANSIENT_ERRORS:
        if part is not None:
            part.unlink(missing_ok=True)
        raise
    except Exception as exc:
        if part is not None:
            part.unlink(missing_ok=True)
        logger.exception("Report %s failed to render.", report_id)
        report_fail(
            report_id=report_id, task_id=report.task_id, error=f"{type(exc).__name__}: {exc}"
        )
        return Report.objects.filter(pk=report_id).first()


def _finish(
    *,
    report_id: int,
    task_id: str,
    generation: int,
    part: Path,
    sha256: str,
    page_count: int,
    size: int,
    seconds: float,
) -> Report | None:
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
        current = (
            report is not None
            and report.status == Report.Status.RUNNING
            and report.task_id == task_id
            and report.generation == generation
        )
        if not current:
            part.unlink(missing_ok=True)
            return report
        relative = f"reports/{report.pk}-g{generation}.pdf"
        os.replace(part, storage_root() / relative)
        report.status = Report.Status.READY
        report.file_path = relative
        report.sha256 = sha256
        report.page_count = page_count
        report.size_bytes = size
        report.finished_at = timezone.now()
        report.render_seconds = round(seconds, 3)
        report.error_message = ""
        return _save(report, reason="Report ready")


@transaction.atomic
def report_fail(*, report_id: int, task_id: str | None, error: str) -> Report | None:
    report = Report.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
    if report is None or report.status == Report.Status.READY:
        return report
    if task_id is not None and report.task_id and report.task_id != task_id:
        return report
    report.status = Report.Status.FAILED
    report.error_message = error[:4000]
    report.finished_at = timezone.now()
    return _save(report, reason="Render failed")


def _next_run(previous: dt.datetime, cadence: str) -> dt.datetime:
    """The first day of the period after the one the previous run fell in, same local time."""
    local = timezone.localtime(previous)
    start = period_containing(local.date(), cadence).next().start
    return timezone.make_aware(dt.datetime.combine(start, local.time().replace(tzinfo=None)))


def schedule_period(schedule: ReportSchedule) -> Period:
    """The period that has just ended when the schedule's run is due."""
    run_day = timezone.localtime(schedule.next_run_at).date()
    return period_containing(run_day, schedule.cadence).previous()


def dispatch_due_reports(*, now: dt.datetime | None = None) -> list[int]:
    """Take the due schedules (rows another dispatcher holds are skipped), request their reports,
    advance their next run; the renders are queued after commit."""
    now = now or timezone.now()
    reports: list[int] = []
    with transaction.atomic():
        due = list(
            ReportSchedule.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(active=True, next_run_at__lte=now)
            .order_by("next_run_at", "pk")[:DISPATCH_BATCH]
        )
        for schedule in due:
            report = report_request(
                committee=schedule.committee,
                period=schedule_period(schedule),
                language=schedule.language,
            )
            schedule.last_report = report
            schedule.last_run_at = now
            schedule.next_run_at = _next_run(schedule.next_run_at, schedule.cadence)
            _save(schedule, reason="Dispatched")
            reports.append(report.pk)
    return reports


def sweep_stuck_reports(
    *, now: dt.datetime | None = None, stuck_after: dt.timedelta | None = None
) -> list[int]:
    """Queue again the reports stuck queued or running past the time limit (a lost message, a
    worker killed outright); give up on a report after MAX_ATTEMPTS renders."""
    now = now or timezone.now()
    if stuck_after is None:
        stuck_after = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    cutoff = now - stuck_after
    swept: list[int] = []
    with transaction.atomic():
        stuck = Report.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            Q(status=Report.Status.QUEUED, queued_at__lt=cutoff)
            | Q(status=Report.Status.RUNNING, started_at__lt=cutoff)
        )
        for report in stuck:
            if report.attempts >= MAX_ATTEMPTS:
                report.status = Report.Status.FAILED
                report.error_message = _("Gave up after %(count)s attempts.") % {
                    "count": report.attempts
                }
                report.finished_at = now
                _save(report, reason="Swept: too many attempts")
            else:
                _enqueue(report, by=None, reason="Swept: queued again")
            swept.append(report.pk)
    return swept


@transaction.atomic
def report_download_log(
    *, report: Report, user: AbstractBaseUser, ip_address: str | None
) -> ReportDownload:
    download = ReportDownload(report=report, user=user, ip_address=ip_address or None)
    download.full_clean()
    download.save()
    logger.info("Report %s downloaded by %s from %s", report.pk, user, ip_address)
    return download
