"""Validate, save and stamp history: the one way a service saves a single row.

Domain rules live in each app's rules module; this holds only what every write shares:
`full_clean()` before `save()`, who made the change and why (django-simple-history), and a
database refusal turned into a message in the user's language.
"""

import operator
import secrets
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, transaction
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


# Batches at least this large go in through PostgreSQL's COPY (seed data, whole-registry
# imports); smaller ones through bulk_create, whose cost per statement does not matter there.
COPY_THRESHOLD = 1000
COPY_BATCH = 20_000  # rows held in memory at once


def create_with_history(
    model,
    objects: list,
    *,
    reason: str,
    by: AbstractBaseUser | None = None,
    batch_size: int = 1000,
    history: bool = True,
) -> list:
    """Insert new rows and, when `history`, one '+' history row each (who, when, why).

    What django-simple-history's `bulk_create_with_history` does, but a large batch on
    PostgreSQL goes in by COPY: keys are taken from the table's sequence first, so the objects
    come back with their primary keys as with bulk_create. A row's history date is its
    `_history_date` when it has one (the day a seeded record was made), else now.
    """
    from django.db import connection

    if not objects:
        return objects
    user = history_user(by)
    if connection.vendor != "postgresql" or len(objects) < COPY_THRESHOLD:
        if not history:
            return model.objects.bulk_create(objects, batch_size=batch_size)
        from simple_history.utils import bulk_create_with_history

        return bulk_create_with_history(
            objects, model, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
    with connection.wrap_database_errors:
        for start in range(0, len(objects), COPY_BATCH):
            batch = objects[start : start + COPY_BATCH]
            rows = _copy_rows(model, batch)
            if history:
                _copy_history(model, batch, rows, reason=reason, user=user)
    return objects


def _copy(model, columns: list[str], rows: Iterable[tuple]) -> None:
    from django.db import connection

    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _take_keys(model, count: int) -> list[int]:
    from django.db import connection

    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


# Fields whose Python value psycopg adapts as it is (exact classes: a subclass may prepare its
# value its own way); every other field's value goes through the field, as bulk_create does.
_PLAIN_FIELDS = {
    models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField,
    models.CharField, models.TextField, models.SlugField, models.BooleanField,
    models.DateField, models.DecimalField, models.ForeignKey, models.OneToOneField,
}  # fmt: skip


def _readers(model, connection) -> list[Callable[[Any], Any]]:
    """For each column, how to read its database value from an object."""
    readers: list[Callable[[Any], Any]] = []
    for field in model._meta.concrete_fields:
        if type(field) in _PLAIN_FIELDS and not (
            getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ):
            readers.append(operator.attrgetter(field.attname))
        else:
            readers.append(partial(_prepared, field, connection))
    return readers


def _prepared(field, connection, obj) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def _copy_rows(model, objects: list) -> list[tuple]:
    """COPY the objects into their table; returns each row's values (history reuses them)."""
    from django.db import connections

    connection = connections[DEFAULT_DB_ALIAS]
    relations = [field for field in model._meta.concrete_fields if field.is_relation]
    for obj, key in zip(objects, _take_keys(model, len(objects)), strict=True):
        for field in relations:  # a related object saved after it was assigned: take its key
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{field.name} of {model.__name__} is not saved yet.")
                    setattr(obj, field.attname, related.pk)
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
    readers = _readers(model, connection)
    rows = [tuple(read(obj) for read in readers) for obj in objects]
    _copy(model, [field.column for field in model._meta.concrete_fields], rows)
    return rows


def _copy_history(model, objects: list, rows: list[tuple], *, reason: str, user) -> None:
    """The '+' history rows of rows just copied, built as simple_history's bulk_history_create
    builds them (its tracked fields, date, user, reason, type)."""
    from django.utils import timezone

    historical = model.history.model
    positions = {field.attname: index for index, field in enumerate(model._meta.concrete_fields)}
    tracked = [field.attname for field in historical.tracked_fields]
    now = timezone.now()
    user_id = user.pk if user is not None else None
    history_rows = (
        (
            *(row[positions[name]] for name in tracked),
            getattr(obj, "_history_date", now),
            user_id,
            getattr(obj, "_change_reason", None) or reason,
            "+",
        )
        for obj, row in zip(objects, rows, strict=True)
    )
    columns = [historical._meta.get_field(name).column for name in tracked]
    columns += ["history_date", "history_user_id", "history_change_reason", "history_type"]
    _copy(historical, columns, history_rows)
