"""Writes to people and rosters: each one atomic, validated, and recorded in history."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import permissions
from committees.models import Agency, Committee, LegalInstrument
from committees.partial_dates import Precision
from idempotency import services as idempotency
from members.models import (
    Membership,
    PendingSeatChange,
    Person,
    Position,
    PositionHolding,
    Role,
    open_holdings,
)

ONE_DAY = dt.timedelta(days=1)
APPOINT = "membership_appoint"  # the operation a request key names (idempotency app)


def _authorise_roster(by: AbstractBaseUser | None, committee: Committee) -> None:
    """`by=None` is the system itself (the seed loader, a shell command); a user must hold
    the roster right on the committee, or the change is refused."""
    if by is not None:
        permissions.require_roster_right(by, committee)


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError(_("Say why: a reason is required for every roster change."))


def stamp_history(instance, *, by: AbstractBaseUser | None, reason: str) -> None:
    """Tell django-simple-history who made the change and why."""
    instance._change_reason = reason
    if by is not None and getattr(by, "is_authenticated", False):
        instance._history_user = by


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
    request_key: str | None = None,
) -> Membership:
    """Give a person a seat in a role on a committee (ex officio when a post is named).
    With `request_key`, a retry of the same request returns the seat the first one made."""
    _authorise_roster(by, committee)
    # --- request key (idempotency app): a key already used returns its seat, writes nothing.
    if request_key is not None:
        earlier = idempotency.done(key=request_key, operation=APPOINT, model=Membership)
        if earlier is not None:
            return earlier
    # ---
    _require_reason(reason)
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
    save_validated(membership, by=by, reason=reason)
    # --- request key: stored in this same transaction as the seat, or neither is.
    if request_key is not None:
        idempotency.record(key=request_key, operation=APPOINT, instance=membership)
    # ---
    return membership


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
    expected_version: int | None = None,
) -> Membership:
    """End a seat on a date, with a reason and the decision that ended it. Nothing is deleted."""
    _authorise_roster(by, membership.committee)
    _require_reason(reason)
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(stale_message())
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


def stale_message() -> str:
    return _(
        "Someone else changed this membership after you opened it. Your changes were not "
        "saved: reload the page to see the current record, then make your change again."
    )


def _successor_start(on: dt.date, previous: Membership) -> dt.date:
    """The old seat ends the day before the new one starts, so the two never overlap."""
    last_day = on - ONE_DAY
    if previous.start_date is not None and last_day < previous.start_date:
        raise ValidationError(
            _("The new term must start after the current one began (%(start)s).")
            % {"start": previous.start.display()}
        )
    return last_day


@transaction.atomic
def membership_replace(
    *,
    membership: Membership,
    person: Person,
    on: dt.date,
    reason: str,
    decision: LegalInstrument | None = None,
    position: Position | None = None,
    title: str = "",
    home_agency: Agency | None = None,
    end_reason: str = Membership.EndReason.REPLACED,
    by: AbstractBaseUser | None = None,
    expected_version: int | None = None,
) -> Membership:
    """End one seat and give the same role to another person from `on` (a new head).

    The old seat ends the day before; the new one keeps the post when the seat is ex officio
    and no other post is named."""
    _authorise_roster(by, membership.committee)
    _require_reason(reason)
    current = Membership.objects.select_related("position__agency").get(pk=membership.pk)
    if current.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    if current.person_id == person.pk:
        raise ValidationError(_("The replacement is the same person; change the role instead."))
    last_day = _successor_start(on, current)
    membership_end(
        membership=current,
        on=last_day,
        reason=reason,
        end_reason=end_reason,
        decision=decision,
        by=by,
        expected_version=expected_version,
    )
    position = position or current.position
    return membership_appoint(
        committee=current.committee,
        person=person,
        role=current.role,
        start=on,
        position=position,
        title=title or (position.title if position else ""),
        home_agency=home_agency or (position.agency if position else None),
        decision=decision,
        reason=reason,
        by=by,
    )


@transaction.atomic
def membership_change_role(
    *,
    membership: Membership,
    role: str,
    on: dt.date,
    reason: str,
    decision: LegalInstrument | None = None,
    by: AbstractBaseUser | None = None,
    expected_version: int | None = None,
) -> Membership:
    """Move a member to another role from `on`: the old seat ends the day before and a new one
    starts, so history holds both."""
    _authorise_roster(by, membership.committee)
    _require_reason(reason)
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s.") % {"role": role})
    current = Membership.objects.get(pk=membership.pk)
    if current.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    if current.role == role:
        raise ValidationError(_("The member already holds this role."))
    last_day = _successor_start(on, current)
    membership_end(
        membership=current,
        on=last_day,
        reason=reason,
        end_reason=Membership.EndReason.ROLE_CHANGED,
        decision=decision,
        by=by,
        expected_version=expected_version,
    )
    return membership_appoint(
        committee=current.committee,
        person=current.person,
        role=role,
        start=on,
        position=current.position,
        title=current.title_at_appointment,
        home_agency=current.home_agency,
        decision=decision,
        reason=reason,
        by=by,
    )


# Fields a correction may touch; the person, the committee and the role change through
# the roster operations (replace, change role) so that history holds both terms.
CORRECTABLE_FIELDS = (
    "position",
    "title_at_appointment",
    "home_agency",
    "on_behalf_of",
    "appointed_by",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "end_reason",
    "end_note",
    "ended_by",
    "source",
    "source_date",
)


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    expected_version: int,
    changes: dict,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> Membership:
    """Correct a seat's record. The row is locked and its version compared with the one the
    editor saw: when someone saved in between, this save is refused and nothing is lost."""
    _authorise_roster(by, membership.committee)
    _require_reason(reason)
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields change through a roster operation, not a correction: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.version != expected_version:
        raise ValidationError(stale_message())
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, changes[name])
    if not changed:
        return locked
    locked.version += 1
    save_validated(locked, by=by, reason=reason)
    return locked


@transaction.atomic
def membership_delete(*, membership: Membership, reason: str, by: AbstractBaseUser) -> None:
    """Delete a record made by mistake. Administrators only; the deletion stays in history."""
    if not permissions.can_delete_roster_record(by):
        raise PermissionDenied(
            "Only an administrator may delete a roster record; end the membership instead."
        )
    _require_reason(reason)
    stamp_history(membership, by=by, reason=reason)
    membership.delete()


# --- Ex officio seats: a post changes holder ---------------------------------------------


@transaction.atomic
def position_holder_change(
    *,
    position: Position,
    person: Person,
    on: dt.date | None,
    reason: str,
    start_precision: str = Precision.DAY,
    decision: LegalInstrument | None = None,
    replacing: Person | None = None,
    by: AbstractBaseUser | None = None,
    source: str = "",
    source_date: dt.date | None = None,
) -> tuple[PositionHolding, list[PendingSeatChange]]:
    """Record a new holder of a post from `on`, end the outgoing holding, and open a pending
    change on every committee where the post gives an active seat. No seat changes here:
    each secretariat confirms or declines its own.

    For a post with a single holder the outgoing holder is whoever holds it; for a post
    held by several (vice chairmen) name the one being replaced with `replacing`.
    When the start is not known (`on=None`) the outgoing holding is marked ended with its
    end date unknown: never invent a day."""
    if by is not None:
        permissions.require_administrator(by)
    _require_reason(reason)
    active = list(
        PositionHolding.objects.select_for_update()
        .filter(open_holdings(), position=position)
        .order_by("pk")
    )
    if any(h.person_id == person.pk for h in active):
        raise ValidationError(_("%(person)s already holds this post.") % {"person": person})
    if position.single_holder:
        outgoing = active
    elif replacing is not None:
        outgoing = [h for h in active if h.person_id == replacing.pk]
        if not outgoing:
            raise ValidationError(
                _("%(person)s does not hold this post now.") % {"person": replacing}
            )
    else:
        outgoing = []
    for holding in outgoing:
        if on is None:
            holding.ended = True
        else:
            last_day = on - ONE_DAY
            if holding.start_date is not None and last_day < holding.start_date:
                raise ValidationError(
                    _("The new holder cannot start before the current holder began.")
                )
            holding.end_date = last_day
            holding.end_precision = Precision.DAY
        save_validated(holding, by=by, reason=reason)
    holding = save_validated(
        PositionHolding(
            person=person,
            position=position,
            start_date=on,
            start_precision=start_precision,
            appointed_by=decision,
            source=source,
            source_date=source_date,
        ),
        by=by,
        reason=reason,
    )
    outgoing_people = {h.person_id for h in outgoing}
    seats = Membership.objects.filter(position=position, end_date__isnull=True).exclude(
        person=person
    )
    if not position.single_holder:
        seats = seats.filter(person_id__in=outgoing_people)
    changes = []
    for seat in seats.select_related("committee").order_by("pk"):
        change = PendingSeatChange(
            committee=seat.committee, membership=seat, position=position, new_holding=holding
        )
        changes.append(save_validated(change, by=by, reason=reason))
    return holding, changes


def _decide(change: PendingSeatChange, *, by, reason: str) -> PendingSeatChange:
    # Rights first: someone who may not decide learns nothing about the change's state.
    locked = (
        PendingSeatChange.objects.select_for_update(of=("self",))
        .select_related("committee")
        .get(pk=change.pk)
    )
    _authorise_roster(by, locked.committee)
    if locked.status != PendingSeatChange.Status.PENDING:
        raise ValidationError(_("This change has already been decided."))
    _require_reason(reason)
    return locked


@transaction.atomic
def pending_change_confirm(
    *,
    change: PendingSeatChange,
    reason: str,
    decision: LegalInstrument | None = None,
    on: dt.date | None = None,
    by: AbstractBaseUser | None = None,
) -> Membership:
    """Confirm: the old seat ends and the post's new holder takes it in the same role."""
    locked = _decide(change, by=by, reason=reason)
    holding = locked.new_holding
    seat = Membership.objects.get(pk=locked.membership_id)
    if seat.end_date is not None:
        raise ValidationError(
            _("The seat has already ended; decline this change and appoint by hand if needed.")
        )
    new = membership_replace(
        membership=seat,
        person=holding.person,
        on=on or holding.start_date or timezone.localdate(),
        reason=reason,
        decision=decision or holding.appointed_by,
        position=locked.position,
        end_reason=Membership.EndReason.POST_CHANGED,
        by=by,
    )
    locked.status = PendingSeatChange.Status.CONFIRMED
    locked.decided_at = timezone.now()
    locked.decided_by = by if by is not None and by.is_authenticated else None
    locked.decision_note = reason[:500]
    locked.new_membership = new
    save_validated(locked, by=by, reason=reason)
    return new


@transaction.atomic
def pending_change_decline(
    *, change: PendingSeatChange, reason: str, by: AbstractBaseUser | None = None
) -> PendingSeatChange:
    """Decline: the roster stays as it is (the seat is not tied to the post after all)."""
    locked = _decide(change, by=by, reason=reason)
    locked.status = PendingSeatChange.Status.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = by if by is not None and by.is_authenticated else None
    locked.decision_note = reason[:500]
    save_validated(locked, by=by, reason=reason)
    return locked
