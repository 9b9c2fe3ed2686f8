"""Writes to people and rosters: each one atomic, validated, and recorded in history.

Every seat is written through members.roster_writer, which applies the rules of members.rules;
the functions here are the roster operations a person asks for (appoint, end, replace, change
role, fill a seat named by its title, dissolve a body) expressed as roster changes.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import permissions
from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.partial_dates import PartialDate, Precision, normalise, popolo_iso
from committees.text import fold, nfc
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
from members.roster_writer import (
    SeatCorrect,
    SeatEnd,
    SeatFill,
    SeatOpen,
    roster_apply,
    stale_message,
)
from records.writes import (
    history_user,
    require_reason,
    save_validated,
    stamp_history,
    unique_slugs,
)

ONE_DAY = dt.timedelta(days=1)
APPOINT = "membership_appoint"  # the operation a request key names (idempotency app)

__all__ = [
    "CORRECTABLE_FIELDS",
    "committee_dissolve",
    "committee_rename",
    "membership_appoint",
    "membership_change_role",
    "membership_delete",
    "membership_end",
    "membership_fill",
    "membership_replace",
    "membership_update",
    "pending_change_confirm",
    "pending_change_decline",
    "position_holder_change",
    "position_holding_save",
    "stale_message",
    "succession_record",
]


def _authorise_roster(by: AbstractBaseUser | None, committee: Committee) -> None:
    """`by=None` is the system itself (the seed loader, a shell command); a user must hold
    the roster right on the committee, or the change is refused."""
    if by is not None:
        permissions.require_roster_right(by, committee)


def membership_appoint(
    *,
    committee: Committee,
    person: Person | None,
    role: str = Role.MEMBER,
    role_title: str = "",
    start: dt.date | None = None,
    start_precision: str = Precision.DAY,
    position: Position | None = None,
    title: str = "",
    home_agency: Agency | None = None,
    on_behalf_of: Agency | None = None,
    decision: LegalInstrument | None = None,
    reason: str,
    by: AbstractBaseUser | None = None,
    source: str = "",
    source_date: dt.date | None = None,
    request_key: str | None = None,
) -> Membership:
    """Give a person a seat in a role on a committee (ex officio when a post is named), or
    record a seat the decision names only by its title (`person=None`, a title or a post).
    With `request_key`, a retry of the same request returns the seat the first one made."""
    _authorise_roster(by, committee)
    # --- request key (idempotency app): checked and stored in the seat's own transaction.
    with transaction.atomic():
        if request_key is not None:
            earlier = idempotency.done(key=request_key, operation=APPOINT, model=Membership)
            if earlier is not None:
                return earlier
        result = roster_apply(
            [
                SeatOpen(
                    committee=committee,
                    person=person,
                    role=role,
                    role_title=role_title,
                    start=start,
                    start_precision=start_precision,
                    position=position,
                    title=title,
                    home_agency=home_agency,
                    on_behalf_of=on_behalf_of,
                    decision=decision,
                    source=source,
                    source_date=source_date,
                )
            ],
            reason=reason,
            by=by,
        )
        if request_key is not None:
            idempotency.record(key=request_key, operation=APPOINT, instance=result.opened[0])
    return result.opened[0]


def membership_end(
    *,
    membership: Membership,
    on: dt.date,
    reason: str,
    end_reason: str = Membership.EndReason.OTHER,
    precision: str = Precision.DAY,
    decision: LegalInstrument | None = None,
    leave_vacant: bool = False,
    by: AbstractBaseUser | None = None,
    expected_version: int | None = None,
) -> Membership:
    """End a seat on a date, with a reason and the decision that ended it. Nothing is deleted.
    `leave_vacant`: the holder left and nobody replaces them yet; the seat shows as vacant."""
    _authorise_roster(by, membership.committee)
    result = roster_apply(
        [
            SeatEnd(
                membership=membership,
                on=on,
                precision=precision,
                end_reason=end_reason,
                decision=decision,
                note=reason,
                leave_vacant=leave_vacant,
                expected_version=expected_version,
            )
        ],
        reason=reason,
        by=by,
    )
    membership.refresh_from_db()
    return result.ended[0]


def _successor_start(on: dt.date, previous: Membership) -> dt.date:
    """The old seat ends the day before the new one starts, so the two never overlap."""
    last_day = on - ONE_DAY
    if previous.start_date is not None and last_day < previous.start_date:
        raise ValidationError(
            _("The new term must start after the current one began (%(start)s).")
            % {"start": previous.start.display()}
        )
    return last_day


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
    and no other post is named. A seat with no person is filled instead."""
    _authorise_roster(by, membership.committee)
    current = Membership.objects.select_related("position__agency").get(pk=membership.pk)
    if current.person_id is None and current.end_date is None:
        return membership_fill(
            membership=current,
            person=person,
            on=on,
            reason=reason,
            decision=decision,
            by=by,
            expected_version=expected_version,
        )
    if current.person_id == person.pk:
        raise ValidationError(_("The replacement is the same person; change the role instead."))
    last_day = _successor_start(on, current)
    position = position or current.position
    result = roster_apply(
        [
            SeatEnd(
                membership=current,
                on=last_day,
                end_reason=end_reason,
                decision=decision,
                note=reason,
                expected_version=expected_version,
            ),
            SeatOpen(
                committee=current.committee,
                person=person,
                role=current.role,
                role_title=current.role_title,
                start=on,
                position=position,
                title=title or (position.title if position else ""),
                home_agency=home_agency or (position.agency if position else None),
                decision=decision,
            ),
        ],
        reason=reason,
        by=by,
    )
    return result.opened[0]


def membership_fill(
    *,
    membership: Membership,
    person: Person,
    reason: str,
    on: dt.date | None = None,
    decision: LegalInstrument | None = None,
    by: AbstractBaseUser | None = None,
    expected_version: int | None = None,
) -> Membership:
    """Name the person of a seat that had none. A seat named by its title is given its
    holder, who held it from its start; a vacant seat is taken from `on`."""
    _authorise_roster(by, membership.committee)
    result = roster_apply(
        [
            SeatFill(
                membership=membership,
                person=person,
                on=on,
                decision=decision,
                expected_version=expected_version,
            )
        ],
        reason=reason,
        by=by,
    )
    return (result.filled or result.opened)[0]


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
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s.") % {"role": role})
    current = Membership.objects.get(pk=membership.pk)
    if current.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    if current.role == role:
        raise ValidationError(_("The member already holds this role."))
    last_day = _successor_start(on, current)
    result = roster_apply(
        [
            SeatEnd(
                membership=current,
                on=last_day,
                end_reason=Membership.EndReason.ROLE_CHANGED,
                decision=decision,
                note=reason,
                expected_version=expected_version,
            ),
            SeatOpen(
                committee=current.committee,
                person=current.person,
                role=role,
                start=on,
                position=current.position,
                title=current.title_at_appointment,
                home_agency=current.home_agency,
                on_behalf_of=current.on_behalf_of,
                decision=decision,
            ),
        ],
        reason=reason,
        by=by,
    )
    return result.opened[0]


@transaction.atomic
def committee_dissolve(
    *,
    committee: Committee,
    on: dt.date,
    reason: str,
    precision: str = Precision.DAY,
    decision: LegalInstrument | None = None,
    successor: Committee | None = None,
    kind: str = "",
    source: str = "",
    by: AbstractBaseUser | None = None,
) -> list[Membership]:
    """THE one place a body ends: dissolved, or merged into (or replaced by) a successor, on
    a day. Its open seats end that day, citing the decision, with the matching reason; the
    lineage is recorded (once); the roster after that day is empty. Returns the seats ended.
    Whoever records decisions for the body may (the decision form, a committee package);
    the body's own dissolve page is for administrators."""
    if by is not None and not permissions.can_record_decision(by, committee):
        raise PermissionDenied(_("You may not record decisions for this body."))
    require_reason(reason)
    locked = Committee.objects.select_for_update().get(pk=committee.pk)
    if locked.dissolved_on is not None:
        raise ValidationError(
            _("%(committee)s was already dissolved on %(date)s.")
            % {"committee": locked, "date": locked.dissolved.display()}
        )
    locked.dissolved_on = on
    locked.dissolved_precision = precision
    save_validated(locked, by=by, reason=reason)
    last_day = PartialDate(on, precision).last_day() or on
    if successor is not None:
        succession_record(
            predecessor=locked,
            successor=successor,
            kind=kind or Succession.Kind.MERGED_INTO,
            on=on,
            precision=precision,
            decision=decision,
            source=source,
            reason=reason,
            by=by,
        )
        if kind == Succession.Kind.RENAMED_TO:
            # The successor keeps the name it had before, with its dates.
            successor.other_names = renamed_names(
                locked,
                until=last_day,
                precision=precision,
                note=str(decision) if decision is not None else "",
                onto=successor.other_names,
            )
            save_validated(successor, by=by, reason=reason)
    open_seats = Membership.objects.filter(committee=locked, end_date__isnull=True).order_by("pk")
    notes: dict[str, str] = {
        Succession.Kind.MERGED_INTO: _("The body was merged into %(successor)s."),
        Succession.Kind.REPLACED_BY: _("The body was replaced by %(successor)s."),
        Succession.Kind.RENAMED_TO: _("The body was renamed %(successor)s."),
        Succession.Kind.SPLIT_INTO: _("The body was split; one successor is %(successor)s."),
    }
    note = notes.get(
        kind or (Succession.Kind.MERGED_INTO if successor else ""), _("The body was dissolved.")
    )
    note = note % {"successor": successor} if successor else note
    result = roster_apply(
        [
            SeatEnd(
                membership=seat,
                on=max(last_day, seat.start_date or last_day),
                precision=precision,
                end_reason=Membership.EndReason.COMMITTEE_DISSOLVED,
                decision=decision,
                note=note,
            )
            for seat in open_seats
        ],
        reason=reason,
        by=by,
    )
    return result.ended


def succession_record(
    *,
    predecessor: Committee,
    successor: Committee,
    kind: str,
    on: dt.date | None,
    reason: str,
    precision: str = Precision.DAY,
    decision: LegalInstrument | None = None,
    as_printed: str = "",
    source: str = "",
    by: AbstractBaseUser | None = None,
) -> Succession:
    """A step of lineage, recorded once: a predecessor and successor already linked (by
    whatever kind) is the step already kept. Ending the predecessor is committee_dissolve's (or, for a
    rename, committee_rename's); this only records the step (as a package or the Popolo
    import does for a body whose end is not known)."""
    kept = Succession.objects.filter(predecessor=predecessor, successor=successor).first()
    if kept is not None:
        return kept
    return save_validated(
        Succession(
            predecessor=predecessor,
            successor=successor,
            kind=kind,
            predecessor_as_printed=as_printed,
            date=on,
            date_precision=precision,
            instrument=decision,
            source=source[:500],
        ),
        by=by,
        reason=reason,
    )


def renamed_names(
    committee: Committee, *, until: dt.date, precision: str, note: str, onto: list | None = None
) -> list:
    """The names a renamed body keeps (`onto`, its own, first): the earlier body's other names
    and its name, dated the Popolo way (`start_date`, `end_date`, `note`): its name history."""
    entry = {"name": committee.name}
    if start := popolo_iso(committee.founded_on, committee.founded_precision):
        entry["start_date"] = start
    if end := popolo_iso(until, precision):
        entry["end_date"] = end
    if note:
        entry["note"] = note
    names = [dict(item) for item in (onto or [])]
    for item in [*(committee.other_names or []), entry]:
        if all(fold(n.get("name", "")) != fold(item.get("name", "")) for n in names):
            names.append(dict(item))
    return names


@dataclass
class Renamed:
    committee: Committee  # the body under its new name
    opened: list[Membership]
    ended: list[Membership]


@transaction.atomic
def committee_rename(
    *,
    committee: Committee,
    name: str,
    on: dt.date,
    reason: str,
    precision: str = Precision.DAY,
    decision: LegalInstrument | None = None,
    name_en: str = "",
    ending: Sequence[SeatEnd] = (),
    opening: Sequence[SeatOpen] = (),
    by: AbstractBaseUser | None = None,
) -> Renamed:
    """THE one place a body is renamed, from `on` (the decision's date, at its precision).

    The lineage is kept as everywhere else: the body under its old name ends the day before,
    and the body under its new name is its successor ("renamed to", citing the decision),
    holding its earlier names with their dates. The roster continues: every open seat ends
    the day before and the same person (or title-only or vacant seat) sits on the renamed
    body from `on`, citing the decision, except the seats in `ending`, which end as given;
    the seats in `opening` open on the renamed body. Its support groups follow it and whoever
    kept its roster keeps the renamed one's."""
    if by is not None and not permissions.can_record_decision(by, committee):
        raise PermissionDenied(_("You may not record decisions for this body."))
    require_reason(reason)
    name = nfc(name)
    old = Committee.objects.select_for_update().get(pk=committee.pk)
    if old.dissolved_on is not None:
        raise ValidationError(
            _("%(committee)s was already dissolved on %(date)s.")
            % {"committee": old, "date": old.dissolved.display()}
        )
    if not name or fold(name) == fold(old.name):
        raise ValidationError(_("The new name is the body's name already."))
    first = normalise(on, precision) or on
    last = first - ONE_DAY
    label = str(decision) if decision is not None else ""
    renamed = Committee(
        name=name,
        name_en=nfc(name_en),
        slug=unique_slugs([name], set(), max_length=150)[0],
        kind=old.kind,
        level=old.level,
        parent=old.parent,
        jurisdiction=old.jurisdiction,
        jurisdiction_area=old.jurisdiction_area,
        standing_agency=old.standing_agency,
        standing_agency_as_printed=old.standing_agency_as_printed,
        declared_member_count=old.declared_member_count,
        declared_by=old.declared_by,
        declared_count_source=old.declared_count_source,
        description=old.description,
        established_by=decision or old.established_by,
        founded_on=first,
        founded_precision=precision,
        sources=list(old.sources or []),
        source=old.source,
        other_names=renamed_names(old, until=last, precision=precision, note=label),
    )
    while Committee.objects.filter(slug=renamed.slug).exists():
        renamed.slug = unique_slugs([name], {renamed.slug}, max_length=150)[0]
    save_validated(renamed, by=by, reason=reason)
    old.dissolved_on = last
    old.dissolved_precision = precision
    old.replaced_by_as_printed = name
    save_validated(old, by=by, reason=reason)
    succession_record(
        predecessor=old,
        successor=renamed,
        kind=Succession.Kind.RENAMED_TO,
        on=first,
        precision=precision,
        decision=decision,
        reason=reason,
        by=by,
    )
    for group in Committee.objects.filter(parent=old, dissolved_on__isnull=True):
        group.parent = renamed
        save_validated(group, by=by, reason=reason)
    permissions.carry_rights(old, renamed)
    _carry_work(old, renamed, on=first, reason=reason, by=by)
    note = _("The body was renamed %(successor)s.") % {"successor": name}
    ended_here = {change.membership.pk for change in ending}
    changes: list = [replace(change, where=change.where or str(old)) for change in ending]
    for seat in Membership.objects.filter(committee=old, end_date__isnull=True).order_by(
        "role_rank", "pk"
    ):
        if seat.pk in ended_here:
            continue
        changes.append(
            SeatEnd(
                membership=seat,
                on=max(last, seat.start_date or last),
                precision=precision,
                end_reason=Membership.EndReason.COMMITTEE_DISSOLVED,
                decision=decision,
                note=note,
            )
        )
        changes.append(
            SeatOpen(
                committee=renamed,
                person=seat.person,
                role=seat.role,
                role_title=seat.role_title,
                start=first,
                start_precision=precision,
                position=seat.position,
                title=seat.title_at_appointment,
                home_agency=seat.home_agency,
                on_behalf_of=seat.on_behalf_of,
                area=seat.area,
                decision=decision,
                follows=seat if seat.is_vacant else None,
                source=seat.source,
            )
        )
    changes += [replace(change, committee=renamed) for change in opening]
    if not changes:
        return Renamed(committee=renamed, opened=[], ended=[])
    result = roster_apply(changes, reason=reason, by=by)
    return Renamed(committee=renamed, opened=result.opened, ended=result.ended)


def _carry_work(
    old: Committee, renamed: Committee, *, on: dt.date, reason: str, by: AbstractBaseUser | None
) -> None:
    """A renamed body carries its continuing work: its targets neither achieved nor past
    their deadline on `on`, its mandates (but one whose targets have all ended), its open
    tasks (not done, not cancelled, from a meeting or not) and whoever follows it. Each moves
    with history (who, when, why: the decision). What ended stays on the old body: history
    is not rewritten."""
    from mandates.models import Mandate, Measurement, Target
    from notifications.models import Follow
    from work.models import Task

    latest: dict[int, Measurement] = {}
    for measurement in Measurement.objects.filter(target__committee=old).order_by("date", "pk"):
        latest[measurement.target_id] = measurement
    ended = {Target.Status.ACHIEVED, Target.Status.OVERDUE}
    targets = list(Target.objects.filter(committee=old).order_by("pk"))
    going = [t for t in targets if t.status_on(on, latest.get(t.pk)) not in ended]
    finished = {t.mandate_id for t in targets if t.mandate_id} - {t.mandate_id for t in going}
    moving: list[Mandate | Target | Task | Follow] = [
        *Mandate.objects.filter(committee=old).exclude(pk__in=finished).order_by("pk"),
        *going,
        *Task.objects.filter(committee=old)
        .exclude(state__in=[Task.State.DONE, Task.State.CANCELLED])
        .order_by("pk"),
        *Follow.objects.filter(committee=old).order_by("pk"),
    ]
    for record in moving:  # mandates first: a target's mandate is on its body
        record.committee = renamed
        save_validated(record, by=by, reason=reason)


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
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields change through a roster operation, not a correction: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    result = roster_apply(
        [SeatCorrect(membership=membership, changes=changes, expected_version=expected_version)],
        reason=reason,
        by=by,
    )
    if result.corrected:
        return result.corrected[0]
    return Membership.objects.get(pk=membership.pk)


@transaction.atomic
def membership_delete(*, membership: Membership, reason: str, by: AbstractBaseUser) -> None:
    """Delete a record made by mistake. Administrators only; the deletion stays in history."""
    if not permissions.can_delete_roster_record(by):
        raise PermissionDenied(
            "Only an administrator may delete a roster record; end the membership instead."
        )
    require_reason(reason)
    stamp_history(membership, by=by, reason=reason)
    membership.delete()


# --- Post holdings -------------------------------------------------------------------------


def holding_clash_message(holding: PositionHolding, *, lock: bool = False) -> str | None:
    """A post held by one person at a time keeps one current holder: the refusal, or None."""
    if not (holding.is_active and holding.position_id and holding.position.single_holder):
        return None
    others = PositionHolding.objects.filter(open_holdings(), position_id=holding.position_id)
    if lock:
        others = others.select_for_update()
    other = others.exclude(pk=holding.pk).select_related("person").order_by("pk").first()
    if other is None:
        return None
    return _(
        "%(post)s has one holder at a time and %(person)s holds it now: end "
        "that holding first (mark it ended when its end date is not known)."
    ) % {"post": holding.position, "person": other.person}


def _save_holding(holding: PositionHolding, *, by, reason: str) -> PositionHolding:
    holding.full_clean()
    if message := holding_clash_message(holding, lock=True):
        raise ValidationError(message)
    return save_validated(holding, by=by, reason=reason)


@transaction.atomic
def position_holding_save(
    *, holding: PositionHolding, reason: str, by: AbstractBaseUser | None = None
) -> PositionHolding:
    """Correct or record a holding (a past one, or a current one of a post nobody holds)."""
    require_reason(reason)
    return _save_holding(holding, by=by, reason=reason)


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
    require_reason(reason)
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
    holding = _save_holding(
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
    require_reason(reason)
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
    locked.decided_by = history_user(by)  # type: ignore[assignment]
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
    locked.decided_by = history_user(by)  # type: ignore[assignment]
    locked.decision_note = reason[:500]
    save_validated(locked, by=by, reason=reason)
    return locked
