"""Writes for reports: request, render (snapshot → HTML → PDF → private file), dispatch, sweep.

Each write is atomic and leaves a history row; the render is idempotent: only the report's
current task may render it, the status turns ready once, and the file lands by atomic rename.
"""

import datetime as dt
import hashlib
import logging
import math
import os
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
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
from reports import liveness, selectors
from reports.models import Report, ReportDownload, ReportKind, ReportSchedule
from reports.periods import Period, period_containing
from reports.rendering import render_report_html

logger = logging.getLogger(__name__)

# Errors worth retrying: the database went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_ATTEMPTS = 3
DISPATCH_BATCH = 500
TEST_PAUSE_ENV = "REPORTS_TEST_RENDER_PAUSE"
# On Redis a lower number is served first: beat's maintenance tasks (no priority, so 0) go
# ahead of renders, and a render recovered from a dead worker goes ahead of fresh ones.
RENDER_PRIORITY = 6
RECOVERED_PRIORITY = 3


def _save(instance, *, by: AbstractBaseUser | None = None, reason: str, update_fields=None):
    """Validate and save with a history row. An update validates the fields it writes (the rest
    were valid when saved) and writes only those; the database's constraints hold the rows'
    invariants, which the services build together (a scope and its kind, an ordered period)."""
    exclude = None
    if update_fields is not None:
        exclude = [f.name for f in instance._meta.concrete_fields if f.name not in update_fields]
    instance.full_clean(exclude=exclude, validate_constraints=False)
    stamp_history(instance, by=by, reason=reason)
    instance.save(update_fields=update_fields)
    return instance


# What each step writes: queueing a render, regenerating a ready report (besides queueing it),
# a render's end, a failure.
QUEUE_FIELDS = ("status", "task_id", "queued_at", "error_message")
REGENERATED_FIELDS = (
    "generation",
    "snapshot",
    "snapshot_at",
    "sha256",
    "page_count",
    "size_bytes",
    "attempts",
    "requested_by",
)
READY_FIELDS = (
    "status",
    "file_path",
    "sha256",
    "page_count",
    "size_bytes",
    "finished_at",
    "render_seconds",
    "error_message",
)
FAIL_FIELDS = ("status", "error_message", "finished_at")


def _enqueue(
    report: Report,
    *,
    by: AbstractBaseUser | None,
    reason: str,
    send: bool = True,
    priority: int = RENDER_PRIORITY,
    changed: tuple[str, ...] = (),
) -> Report:
    """Queue a render under a fresh task id (a new report is inserted queued; an existing one
    writes the queue's fields and the `changed` ones); the message leaves only once the row is
    committed (`send=False`: the caller renders it in-process with that task id). Any older
    message of the report is stale from then on: the render it starts does nothing (see _claim
    and _finish)."""
    from reports.tasks import render_report

    report.status = Report.Status.QUEUED
    report.task_id = uuid.uuid4().hex
    report.queued_at = timezone.now()
    report.error_message = ""
    fields = None if report._state.adding else [*QUEUE_FIELDS, *changed]
    _save(report, by=by, reason=reason, update_fields=fields)
    report_id, task_id = report.pk, report.task_id
    if not send:
        return report

    def send_message() -> None:
        # The row is committed either way; when the broker is down the sweeper queues it again
        # later, and the caller can tell the user now (report.queue_error).
        try:
            render_report.apply_async(args=[report_id], task_id=task_id, priority=priority)
        except (KombuError, OSError) as exc:
            logger.warning("Report %s saved but not queued: %s", report_id, exc)
            report.queue_error = True

    report.queue_error = False
    transaction.on_commit(send_message)
    return report


class ReportRateLimited(ValidationError):
    """The user has asked for as many renders as the hour allows; nothing was changed."""


# The history reasons of a request that queues a render (what the hourly limit counts).
REQUEST_REASONS = ("Report requested", "Failed report tried again", "Report regenerated")


def _check_request_rate(by: AbstractBaseUser | None) -> None:
    """At most REPORTS_REQUESTS_PER_HOUR renders queued by one user in any hour (administrators,
    who request in bulk from the admin, and the scheduler are not limited). The user's row is
    locked so two requests at once cannot both take the last place."""
    limit = settings.REPORTS_REQUESTS_PER_HOUR
    if by is None or not by.is_authenticated or by.is_superuser or limit <= 0:
        return
    list(get_user_model().objects.select_for_update().filter(pk=by.pk).values_list("pk"))
    now = timezone.now()
    recent = Report.history.filter(
        history_user_id=by.pk,
        history_date__gt=now - dt.timedelta(hours=1),
        history_change_reason__in=REQUEST_REASONS,
    )
    times = sorted(recent.values_list("history_date", flat=True))
    if len(times) < limit:
        return
    # A place frees up when the oldest request that still counts is an hour old.
    frees_at = times[len(times) - limit] + dt.timedelta(hours=1)
    minutes = max(1, math.ceil((frees_at - now).total_seconds() / 60))
    raise ReportRateLimited(
        _(
            "You have asked for %(count)s reports in the last hour, the most allowed. "
            "Nothing was queued; try again in %(minutes)s minutes."
        )
        % {"count": len(times), "minutes": minutes},
        code="rate_limited",
    )


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
    report is tried again); otherwise a new one, queued once the transaction commits. Each
    request that queues a render counts toward the user's hourly limit (ReportRateLimited)."""
    _check_language(language)
    if by is not None and not permissions.can_download_reports(by, committee):
        raise PermissionDenied(_("You may not request this report."))
    kind = ReportKind.COMMITTEE_REVIEW if committee is not None else ReportKind.CITY_OVERVIEW
    scope = {"committee": committee, "kind": kind, "period": period.code, "language": language}
    # Not its snapshot: a request never uses it (regenerating clears it).
    existing = Report.objects.select_for_update(of=("self",)).defer("snapshot").filter(**scope)
    report = existing.first()
    if report is None:
        _check_request_rate(by)
        report = Report(
            **scope,
            period_start=period.start,
            period_end=period.end,
            requested_by=by if by is not None and by.is_authenticated else None,
        )
        try:
            with transaction.atomic():
                return _enqueue(report, by=by, reason="Report requested", send=send)
        except IntegrityError:
            # Another request made it at the same moment: that one stands.
            report = existing.get()
    if report.status == Report.Status.FAILED:
        _check_request_rate(by)
        report.attempts = 0  # a fresh try: the sweeper counts its attempts from here
        return _enqueue(
            report, by=by, reason="Failed report tried again", send=send, changed=("attempts",)
        )
    # A ready report whose data changed after its snapshot is stale: asking for it makes it again.
    if report.status == Report.Status.READY and not regenerate:
        regenerate = selectors.report_is_outdated(report)
    if regenerate and report.status == Report.Status.READY:
        _check_request_rate(by)
        report.generation += 1
        report.snapshot = None
        report.snapshot_at = None
        report.sha256 = ""
        report.page_count = None
        report.size_bytes = None
        report.attempts = 0
        report.requested_by = by if by is not None and by.is_authenticated else None
        return _enqueue(
            report, by=by, reason="Report regenerated", send=send, changed=REGENERATED_FIELDS
        )
    return report


def collect_snapshot(report: Report, *, made_at: dt.datetime) -> dict:
    period = report.period_obj
    if report.committee_id:
        return selectors.committee_review_snapshot(
            committee=report.committee, period=period, made_at=made_at
        )
    return selectors.city_overview_snapshot(period=period, made_at=made_at)


def _claim(report_id: int, task_id: str | None) -> Report | None:
    """Mark the report running for this task, or say why there is nothing to do. The first
    render of a generation takes its snapshot in the same write, so a later render (a retry,
    a recovery) uses exactly the same data."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("committee")
            .filter(pk=report_id)
            .first()
        )
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
        report.worker = liveness.worker_label()
        fields = ["status", "started_at", "attempts", "worker"]
        reason = f"Render started (attempt {report.attempts})"
        if report.snapshot is None:
            report.snapshot_at = report.started_at
            snapshot = collect_snapshot(report, made_at=report.snapshot_at)
            # The number printed on the cover, frozen with the data so a re-render matches.
            snapshot["number"] = f"{report.pk:04d}/BC-{report.period}"
            report.snapshot = snapshot
            fields += ["snapshot", "snapshot_at"]
            reason += ", snapshot taken"
        return _save(report, reason=reason, update_fields=fields)


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
    started = time.monotonic()
    report: Report | None = None
    part: Path | None = None
    try:
        report = _claim(report_id, task_id)
        if report is None:
            return None
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
            report_id=report_id,
            task_id=report.task_id if report is not None else task_id,
            error=f"{type(exc).__name__}: {exc}",
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
        # Not the snapshot again: it was written when the render was claimed.
        report = (
            Report.objects.select_for_update(of=("self",))
            .defer("snapshot")
            .filter(pk=report_id)
            .first()
        )
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
        return _save(report, reason="Report ready", update_fields=READY_FIELDS)


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
    return _save(report, reason="Render failed", update_fields=FAIL_FIELDS)


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
            _save(
                schedule,
                reason="Dispatched",
                update_fields=["last_report", "last_run_at", "next_run_at"],
            )
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
                _save(report, reason="Swept: too many attempts", update_fields=FAIL_FIELDS)
            else:
                _enqueue(report, by=None, reason="Swept: queued again")
            swept.append(report.pk)
    return swept


def _orphans(*, now: dt.datetime) -> list[tuple[int, str]]:
    """(report id, task id) of the queued or running reports no live worker will finish.

    Running: the worker that claimed it has no fresh heartbeat. Queued (for longer than the
    grace, so a message on its way is not mistaken): its message is neither waiting in the
    broker's queue nor held by a live worker (held by a dead one, or lost with a broker restart
    or never sent while the broker was away). Raises when Redis cannot be read."""
    grace = dt.timedelta(seconds=settings.REPORTS_QUEUED_GRACE)
    running = list(
        Report.objects.filter(status=Report.Status.RUNNING).values_list("pk", "task_id", "worker")
    )
    queued = list(
        Report.objects.filter(
            Q(queued_at__lt=now - grace) | Q(queued_at__isnull=True),
            status=Report.Status.QUEUED,
        ).values_list("pk", "task_id")
    )
    claimed_by = {pk: liveness.identity_of(worker) for pk, _task, worker in running}
    # The queue first, then the holders: a message taken from the queue in between is then
    # seen held (a worker records it as it receives it), not lost.
    waiting = liveness.queued_task_ids(settings.CELERY_TASK_DEFAULT_QUEUE) if queued else set()
    held_by = liveness.holders([task_id for _pk, task_id in queued if task_id])
    alive = liveness.live({own for own in (*claimed_by.values(), *held_by.values()) if own})
    orphans = [
        (pk, task_id)
        for pk, task_id, _worker in running
        if claimed_by[pk] is not None and claimed_by[pk] not in alive
    ]
    orphans += [
        (pk, task_id)
        for pk, task_id in queued
        if task_id not in waiting and held_by.get(task_id) not in alive
    ]
    return orphans


def recover_orphaned_reports(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again, ahead of fresh renders, the reports whose worker died or whose message was
    lost (run by beat every REPORTS_RECOVERY_INTERVAL seconds); a report already rendered
    MAX_ATTEMPTS times fails instead. The old message, if it ever comes back, does nothing."""
    now = now or timezone.now()
    try:
        candidates = _orphans(now=now)
    except Exception as exc:  # Redis away: liveness cannot be judged this round
        logger.warning("Report recovery skipped: %s", exc)
        return []
    recovered: list[int] = []
    for report_id, task_id in candidates:
        with transaction.atomic():
            # Only if nothing moved since it was judged (same status, same task).
            report = (
                Report.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    pk=report_id,
                    task_id=task_id,
                    status__in=[Report.Status.QUEUED, Report.Status.RUNNING],
                )
                .first()
            )
            if report is None:
                continue
            if report.attempts >= MAX_ATTEMPTS:
                report.status = Report.Status.FAILED
                report.error_message = _("Gave up after %(count)s attempts.") % {
                    "count": report.attempts
                }
                report.finished_at = now
                _save(report, reason="Recovered: too many attempts", update_fields=FAIL_FIELDS)
            else:
                logger.warning(
                    "Report %s (%s, worker %s) recovered: queued again.",
                    report.pk,
                    report.status,
                    report.worker or "-",
                )
                _enqueue(
                    report,
                    by=None,
                    reason="Recovered: its worker stopped or its message was lost",
                    priority=RECOVERED_PRIORITY,
                )
            recovered.append(report.pk)
    return recovered


@transaction.atomic
def report_download_log(
    *, report: Report, user: AbstractBaseUser, ip_address: str | None
) -> ReportDownload:
    download = ReportDownload(report=report, user=user, ip_address=ip_address or None)
    download.full_clean()
    download.save()
    logger.info("Report %s downloaded by %s from %s", report.pk, user, ip_address)
    return download
