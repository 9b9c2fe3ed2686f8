"""Celery tasks: thin, they take ids and call one service."""

from celery import shared_task
from django.conf import settings

from notifications import services


@shared_task(bind=True, name="notifications.tasks.deliver_outbox", acks_late=True, max_retries=None)
def deliver_outbox(self, outbox_id: int) -> str | None:
    final = self.request.retries + 1 >= settings.NOTIFY_MAX_ATTEMPTS
    try:
        row = services.outbox_deliver(outbox_id=outbox_id, final=final)
    except services.DeliveryDeferred as exc:
        # Exponential backoff: the base, twice it, four times it... capped at an hour.
        countdown = min(settings.NOTIFY_RETRY_BASE_SECONDS * 2**self.request.retries, 3600)
        raise self.retry(exc=exc, countdown=countdown) from exc
    return row.status if row is not None else None


@shared_task(name="notifications.tasks.dispatch_due_notifications")
def dispatch_due_notifications() -> int:
    return len(services.dispatch_due_notifications())
