"""Writes: follows, preferences, building digests and immediate e-mails into the outbox,
delivering them, and the dispatcher the beat runs.

An outbox row is unique per user, event and day (its idempotency key): a digest built twice the
same day, or a delivery retried, never sends twice.
"""

import datetime as dt
import logging
import smtplib
import socket
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import KombuError

from committees import permissions
from committees.models import Committee
from committees.partial_dates import format_partial_date
from members.services import stamp_history
from notifications import selectors
from notifications.models import (
    Channel,
    Follow,
    NotificationPreference,
    NotificationRule,
    NotificationSchedule,
    Outbox,
)
from notifications.providers import Item

logger = logging.getLogger(__name__)

# Errors worth another try: the mail server refused for now, or could not be reached.
DELIVERY_ERRORS = (smtplib.SMTPException, OSError, socket.timeout)
DISPATCH_BATCH = 10


def _save(instance, *, by: AbstractBaseUser | None = None, reason: str, update_fields=None):
    instance.full_clean(validate_constraints=update_fields is None)
    stamp_history(instance, by=by, reason=reason)
    instance.save(update_fields=update_fields)
    return instance


# --- follows and preferences ----------------------------------------------------------------------


@transaction.atomic
def follow_set(*, user: AbstractBaseUser, committee: Committee, following: bool) -> bool:
    """Follow or stop following a committee; says whether the user now follows it."""
    permissions.require_reader(user)
    if following:
        Follow.objects.get_or_create(user=user, committee=committee)
    else:
        Follow.objects.filter(user=user, committee=committee).delete()
    return following


@transaction.atomic
def preference_update(
    *, user: AbstractBaseUser, language: str, muted_rules: list[NotificationRule]
) -> NotificationPreference:
    """The user's e-mail language and the rules they turned off (mandatory rules cannot be)."""
    if any(rule.mandatory for rule in muted_rules):
        raise ValidationError({"muted_rules": _("A mandatory notification cannot be turned off.")})
    preference = NotificationPreference.objects.select_for_update().filter(user=user).first()
    preference = preference or NotificationPreference(user=user)
    preference.language = language
    _save(preference, by=user, reason="Preferences changed")
    preference.muted_rules.set(muted_rules)
    return preference


# --- messages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    user_id: int
    username: str
    recipient: str
    channel: str
    language: str
    subject: str
    body: str
    idempotency_key: str
    items: tuple[Item, ...]


def _absolute(url: str) -> str:
    return settings.REGISTRY_BASE_URL.rstrip("/") + url


def _render(*, user, language: str, items: list[Item], day: dt.date, immediate: bool) -> tuple:
    with translation.override(language):
        if immediate:
            subject = _("[Committee registry] Needs action now: %(what)s") % {"what": items[0].text}
        else:
            subject = ngettext(
                "[Committee registry] %(count)s thing to do on %(day)s",
                "[Committee registry] %(count)s things to do on %(day)s",
                len(items),
            ) % {"count": len(items), "day": format_partial_date(day)}
        groups = selectors.WorkQueue(items=items, truncated=False).by_committee()
        body = render_to_string(
            "notifications/email/digest.txt",
            {
                "user": user,
                "groups": [
                    (group.committee_name, [(item, _absolute(item.url)) for item in group.items])
                    for group in groups
                ],
                "immediate": immediate,
                "day": format_partial_date(day),
                "preferences_url": _absolute("/notifications/preferences/"),
            },
        )
    return subject[:300], body


def _recipients(username: str | None) -> list:
    users = list(selectors.recipients(username))
    for user in users:
        # The recipients query prefetched the groups: the permission module reads them from here.
        user._registry_group_names = frozenset(group.name for group in user.groups.all())
    return users


def digests_build(*, now: dt.datetime | None = None, username: str | None = None) -> list[Message]:
    """Each user's digest for the day (users with nothing to do get none), in a fixed number of
    queries whatever the number of users."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    messages: list[Message] = []
    users = _recipients(username)
    queues = selectors.work_queues(users, channel=Channel.DIGEST, now=now)
    for user in users:
        queue = queues[user.pk]
        if not queue.items:
            continue
        language = selectors.user_language(user)
        subject, body = _render(
            user=user, language=language, items=queue.items, day=day, immediate=False
        )
        messages.append(
            Message(
                user_id=user.pk,
                username=user.get_username(),
                recipient=user.email,
                channel=Channel.DIGEST,
                language=language,
                subject=subject,
                body=body,
                idempotency_key=f"{user.pk}:digest:{day:%Y-%m-%d}",
                items=tuple(queue.items),
            )
        )
    return messages


def immediates_build(
    *, now: dt.datetime | None = None, username: str | None = None
) -> list[Message]:
    """One e-mail per item that cannot wait, once per user and event (keyed by the event's day)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    messages: list[Message] = []
    users = _recipients(username)
    queues = selectors.work_queues(users, channel=Channel.IMMEDIATE, now=now)
    for user in users:
        queue = queues[user.pk]
        language = selectors.user_language(user)
        for item in queue.items:
            subject, body = _render(
                user=user, language=language, items=[item], day=day, immediate=True
            )
            event_day = item.since or day
            messages.append(
                Message(
                    user_id=user.pk,
                    username=user.get_username(),
                    recipient=user.email,
                    channel=Channel.IMMEDIATE,
                    language=language,
                    subject=subject,
                    body=body,
                    idempotency_key=f"{user.pk}:{item.key}:{event_day:%Y-%m-%d}",
                    items=(item,),
                )
            )
    return messages


def outbox_store(*, messages: list[Message], send: bool = True) -> list[int]:
    """Put the messages with an address into the outbox, skipping those already there (same
    key); deliveries are queued once the rows are committed. Returns the new rows' ids."""
    created: list[int] = []
    with transaction.atomic():
        known = set(
            Outbox.objects.filter(
                idempotency_key__in=[message.idempotency_key for message in messages]
            ).values_list("idempotency_key", flat=True)
        )
        for message in messages:
            if not message.recipient or message.idempotency_key in known:
                continue
            row = Outbox(
                user_id=message.user_id,
                recipient=message.recipient,
                channel=message.channel,
                subject=message.subject,
                body=message.body,
                language=message.language,
                idempotency_key=message.idempotency_key,
            )
            row.full_clean(validate_unique=False)
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue  # another run stored the same message a moment ago
            created.append(row.pk)
        if send:
            transaction.on_commit(lambda: _enqueue_all(created))
    return created


def _enqueue_all(outbox_ids: list[int]) -> None:
    from notifications.tasks import deliver_outbox

    for outbox_id in outbox_ids:
        try:
            deliver_outbox.apply_async(args=[outbox_id])
        except (KombuError, OSError) as exc:
            # The row stays queued: the dispatcher queues it again on its next run.
            logger.warning("Outbox %s saved but not queued: %s", outbox_id, exc)


class DeliveryDeferred(Exception):
    """The mail server refused or could not be reached; the task tries again later."""


def outbox_deliver(*, outbox_id: int, final: bool = False) -> Outbox | None:
    """Send one outbox row. Sent rows are never sent again. On a refusal the row records the
    error and DeliveryDeferred is raised for the task to retry; on the final attempt (or past
    NOTIFY_MAX_ATTEMPTS) the row turns failed."""
    with transaction.atomic():
        row = Outbox.objects.select_for_update().filter(pk=outbox_id).first()
        if row is None or row.status in (Outbox.Status.SENT, Outbox.Status.FAILED):
            return row
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        _save(row, reason=f"Delivery attempt {row.attempts}")
    email = EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        headers={"X-Registry-Key": row.idempotency_key},
    )
    try:
        get_connection(fail_silently=False).send_messages([email])
    except DELIVERY_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"[:4000]
        give_up = final or row.attempts >= settings.NOTIFY_MAX_ATTEMPTS
        with transaction.atomic():
            row = Outbox.objects.select_for_update().get(pk=outbox_id)
            row.last_error = error
            row.status = Outbox.Status.FAILED if give_up else Outbox.Status.RETRYING
            _save(row, reason="Delivery failed" if give_up else "Delivery deferred")
        logger.warning("Outbox %s: %s (attempt %s)", outbox_id, error, row.attempts)
        if give_up:
            return row
        raise DeliveryDeferred(error) from exc
    with transaction.atomic():
        row = Outbox.objects.select_for_update().get(pk=outbox_id)
        row.status = Outbox.Status.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        return _save(row, reason="Sent")


@transaction.atomic
def outbox_retry(*, outbox_id: int, by: AbstractBaseUser | None = None) -> Outbox | None:
    """An administrator sends a failed message again: attempts count afresh."""
    row = Outbox.objects.select_for_update().filter(pk=outbox_id).first()
    if row is None or row.status != Outbox.Status.FAILED:
        return row
    row.status = Outbox.Status.QUEUED
    row.attempts = 0
    _save(row, by=by, reason="Sent again by an administrator")
    transaction.on_commit(lambda: _enqueue_all([outbox_id]))
    return row


# --- the dispatcher -------------------------------------------------------------------------------


BUILDERS = {Channel.DIGEST: digests_build, Channel.IMMEDIATE: immediates_build}


def _next_run(schedule: NotificationSchedule, now: dt.datetime) -> dt.datetime:
    step = dt.timedelta(minutes=schedule.interval_minutes)
    following = schedule.next_run_at + step
    while following <= now:  # a dispatcher that was down does not run the missed turns
        following += step
    return following


def dispatch_due_notifications(*, now: dt.datetime | None = None) -> list[int]:
    """Take the due schedules (rows another dispatcher holds are skipped), build their messages
    into the outbox, advance their next run; deliveries leave after commit. Rows left queued by
    a lost message are queued again."""
    now = now or timezone.now()
    created: list[int] = []
    with transaction.atomic():
        due = list(
            NotificationSchedule.objects.select_for_update(skip_locked=True)
            .filter(active=True, next_run_at__lte=now)
            .order_by("next_run_at", "pk")[:DISPATCH_BATCH]
        )
        for schedule in due:
            messages = BUILDERS[schedule.channel](now=now)
            new = outbox_store(messages=messages)
            created.extend(new)
            schedule.last_run_at = now
            schedule.last_count = len(new)
            schedule.next_run_at = _next_run(schedule, now)
            _save(schedule, reason="Dispatched")
        stale = list(
            Outbox.objects.filter(
                status=Outbox.Status.QUEUED,
                attempts=0,
                created_at__lt=now - dt.timedelta(minutes=15),
            ).values_list("pk", flat=True)[:500]
        )
        if stale:
            transaction.on_commit(lambda: _enqueue_all(stale))
    return created
