"""Request keys for writes that a client may retry (members.services.membership_appoint takes
one as `request_key`).

Inside the write's own transaction: `done()` first (a key already used returns the object the
first write made, and nothing is written again), then the write, then `record()`. The key's
unique constraint settles two copies of one request racing each other: the second cannot
commit, its whole transaction (its write included) is rolled back, and it says so.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from idempotency.models import RequestKey

MAX_KEY_LENGTH = 100


def _check(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            _("A request key must be 1 to %(max)s characters long.") % {"max": MAX_KEY_LENGTH}
        )
    return key


def done(*, key: str, operation: str, model: type[models.Model]):
    """The object an earlier write under this key made, or None when the key is new."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Request keys are checked inside the write's transaction.")
    row = RequestKey.objects.filter(key=_check(key)).first()
    if row is None:
        return None
    if row.operation != operation:
        raise ValidationError(
            _("This request key was already used for another kind of change; nothing was saved.")
        )
    return model._default_manager.get(pk=row.object_id)


def record(*, key: str, operation: str, instance: models.Model) -> RequestKey:
    """Store the key with the write, in the same transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Request keys are recorded inside the write's transaction.")
    try:
        with transaction.atomic():
            return RequestKey.objects.create(
                key=_check(key), operation=operation, object_id=instance.pk
            )
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "The same request is already being saved; nothing was saved twice. Reload "
                "the page to see the result."
            )
        ) from exc
