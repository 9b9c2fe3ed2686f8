"""Validate, save and stamp history: the one way a service saves a single row.

Domain rules live in each app's rules module; this holds only what every write shares:
`full_clean()` before `save()`, who made the change and why (django-simple-history), and a
database refusal turned into a message in the user's language.
"""

import secrets
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from committees.text import fold

# Database constraint names → what the user is told. A constraint not listed here is
# never shown by name: the generic message below stands in for it.
_CONSTRAINT_MESSAGES: tuple[tuple[str, str], ...] = (
    (
        "single_seat",
        gettext_noop(
            "That role is already held by someone else during these dates; end that term first."
        ),
    ),
    (
        "person_no_overlap",
        gettext_noop("This person already has a seat on this committee during these dates."),
    ),
    (
        "one_active_seat_per_person",
        gettext_noop("This person already has a seat on this committee during these dates."),
    ),
    ("end_after_start", gettext_noop("The end date cannot be before the start date.")),
    ("end_has_reason", gettext_noop("A membership that ends needs a reason.")),
    ("request_key", gettext_noop("This change was already recorded.")),
)


def stamp_history(instance, *, by: AbstractBaseUser | None, reason: str) -> None:
    """Tell django-simple-history who made the change and why."""
    instance._change_reason = reason
    if by is not None and getattr(by, "is_authenticated", False):
        instance._history_user = by


def history_user(by: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """The user to record in bulk history rows (None for the system or an anonymous caller)."""
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError(_("Say why: a reason is required for every roster change."))


def integrity_message(exc: IntegrityError) -> str:
    text = str(exc)
    for marker, message in _CONSTRAINT_MESSAGES:
        if marker in text:
            return _(message)
    return _("The change conflicts with the records already kept and was not saved.")


def save_validated(
    instance, *, by: AbstractBaseUser | None = None, reason: str = "", update_fields=None
):
    """full_clean() then save(); a database refusal becomes a ValidationError in the user's language."""
    instance.full_clean()
    stamp_history(instance, by=by, reason=reason)
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(integrity_message(exc)) from exc
    return instance


def slug_base(name: str, *, max_length: int = 200, fallback: str = "x") -> str:
    """A name's slug, folded: "Nguyễn Văn Được" → "nguyen-van-duoc"."""
    return slugify(fold(name))[: max_length - 7].strip("-") or fallback


def unique_slugs(
    names: Iterable[str], taken: set[str], *, max_length: int = 200, fallback: str = "x"
) -> list[str]:
    """A slug for each name, unique among `taken` and each other: a clash gets a short random
    suffix, never a silent reuse of another record's address."""
    slugs = []
    for name in names:
        base = slug_base(name, max_length=max_length, fallback=fallback)
        slug = base
        while slug in taken:
            slug = f"{base}-{secrets.token_hex(3)}"
        taken.add(slug)
        slugs.append(slug)
    return slugs
