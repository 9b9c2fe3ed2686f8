"""Celery tasks: thin, they take ids and call one service."""

from celery import shared_task

from reports import services


@shared_task(
    bind=True,
    name="reports.tasks.render_report",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def render_report(self, report_id: int) -> str | None:
    try:
        report = services.report_render(report_id=report_id, task_id=self.request.id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.report_fail(report_id=report_id, task_id=self.request.id, error=str(exc))
            return None
        # Exponential backoff: 10 s, 20 s, 40 s... capped at 5 minutes.
        raise self.retry(exc=exc, countdown=min(10 * 2**self.request.retries, 300)) from exc
    return report.status if report is not None else None


@shared_task(name="reports.tasks.dispatch_due_reports")
def dispatch_due_reports() -> int:
    return len(services.dispatch_due_reports())


@shared_task(name="reports.tasks.sweep_stuck_reports")
def sweep_stuck_reports() -> int:
    return len(services.sweep_stuck_reports())


@shared_task(name="reports.tasks.recover_orphaned_reports")
def recover_orphaned_reports() -> int:
    return len(services.recover_orphaned_reports())
