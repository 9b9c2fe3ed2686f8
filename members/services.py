"""Writes to people and rosters: each one atomic, validated, and recorded in history."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from committees.models import Agency, Committee, LegalInstrument
from committees.partial_dates import Precision
from members.models import Membership, Person, Position, Role


def _stamp(instance, *, by: AbstractBaseUser | None, reason: str) -> None:
    """Tell django-simple-history who made the change and why."""
    instance._change_reason = reason
    if by is not None and getattr(by, "is_authenticated", False):
        instance._history_user = by


def save_validated(
    instance, *, by: AbstractBaseUser | None = None, reason: str = "", update_fields=None
):
    """full_clean() then save(); a database refusal becomes a ValidationError in the user's language."""
    instance.full_clean()
    _stamp(instance, by=by, reason=reason)
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError(integrity_message(exc)) from exc
    return instance


def integrity_message(exc: IntegrityError) -> str:
    text = str(exc)
    if "single_seat" in text:
        return _(
            "That role is already held by someone else during these dates; end that term first."
        )
    if "person_no_overlap" in text or "one_active_seat_per_person" in text:
        return _("This person already has a seat on this committee during these dates.")
    if "end_after_start" in text:
        return _("The end date cannot be before the start date.")
    return _("The change conflicts with the records already kept and was not saved.")


@transaction.atomic
def membership_appoint(
    *,
    committee: Committee,
    person: Person,
    role: str = Role.MEMBER,
    start: dt.date | None = None,
    start_precision: str = Precision.DAY,
    position: Position | None = None,
    title: str = "",
    home_agency: Agency | None = None,
    decision: LegalInstrument | None = None,
    reason: str,
    by: AbstractBaseUser | None = None,
    source: str = "",
    source_date: dt.date | None = None,
) -> Membership:
    """Give a person a seat in a role on a committee (ex officio when a post is named)."""
    if not (reason or "").strip():
        raise ValidationError(_("Say why: a reason is required for every roster change."))
    if committee.dissolved_on is not None and start is not None and start > committee.dissolved_on:
        raise ValidationError(_("The committee was dissolved before this start date."))
    membership = Membership(
        committee=committee,
        person=person,
        role=role,
        start_date=start,
        start_precision=start_precision,
        position=position,
        title_at_appointment=title or (position.title if position else ""),
        home_agency=home_agency or (position.agency if position else None),
        appointed_by=decision,
        source=source,
        source_date=source_date,
    )
    return save_validated(membership, by=by, reason=reason)


@transaction.atomic
def membership_end(
    *,
    membership: Membership,
    on: dt.date,
    reason: str,
    end_reason: str = Membership.EndReason.OTHER,
    precision: str = Precision.DAY,
    decision: LegalInstrument | None = None,
    by: AbstractBaseUser | None = None,
) -> Membership:
    """End a seat on a date, with a reason and the decision that ended it. Nothing is deleted."""
    if not (reason or "").strip():
        raise ValidationError(_("Say why: a reason is required for every roster change."))
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    locked.end_date = on
    locked.end_precision = precision
    locked.end_reason = end_reason
    locked.end_note = reason[:500]
    locked.ended_by = decision
    locked.version += 1
    save_validated(locked, by=by, reason=reason)
    membership.refresh_from_db()
    return locked
