"""The one roster writer: applies a planned set of seat changes in one transaction, with history.

Every path that writes a seat — the admin forms and roster operations, the spreadsheet and
Popolo imports, the committee package, the seeders — builds a list of changes (SeatOpen,
SeatEnd, SeatFill) and hands it to `roster_apply`. The rules of members.rules are checked for
the whole plan against every seat of the bodies it touches, in memory and in a fixed number of
queries, and every problem is reported at once with where it came from ("Row 4", "members[3]").
Nothing is written unless the whole plan holds. PostgreSQL's constraints hold the same rules
again under concurrency; a refusal there is reported in the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from areas.models import Area
from committees import permissions
from committees.models import Agency, Committee, LegalInstrument
from committees.partial_dates import Precision
from members.models import Membership, Person, Position
from members.rules import Role, Term, TermIndex, outside_body_life
from records.writes import (
    create_with_history,
    history_user,
    integrity_message,
    require_reason,
    slug_base,
    stamp_history,
    unique_slugs,
)

ONE_DAY = dt.timedelta(days=1)
BATCH = 1000


@dataclass
class SeatOpen:
    """A new seat. `person` None: named by its title only; an unsaved Person: a new person
    recorded with the seat. An end may be given for a term already over (imports, history)."""

    committee: Committee
    person: Person | None
    role: str = Role.MEMBER
    role_title: str = ""
    start: dt.date | None = None
    start_precision: str = Precision.DAY
    end: dt.date | None = None
    end_precision: str = Precision.DAY
    end_reason: str = ""
    end_note: str = ""
    ended_by: LegalInstrument | None = None
    position: Position | None = None
    title: str = ""
    home_agency: Agency | None = None
    on_behalf_of: Agency | None = None
    decision: LegalInstrument | None = None
    follows: Membership | None = None
    source: str = ""
    source_date: dt.date | None = None
    where: str = ""
    recorded_at: dt.datetime | None = None  # when the record was made (history), now by default
    area: Area | None = None  # the area the seat stands for (a constituency)


@dataclass
class SeatEnd:
    """End a seat on a day. `leave_vacant`: the holder left and nobody replaces them yet, so
    the seat continues as vacant from the next day."""

    membership: Membership
    on: dt.date
    precision: str = Precision.DAY
    end_reason: str = Membership.EndReason.OTHER
    decision: LegalInstrument | None = None
    note: str = ""
    leave_vacant: bool = False
    expected_version: int | None = None
    where: str = ""
    recorded_at: dt.datetime | None = None


@dataclass
class SeatFill:
    """A named person takes a seat that had none: a seat named by its title is given its
    holder (who held it from its start); a vacant seat ends the day before `on` and the
    person's seat starts on `on`."""

    membership: Membership
    person: Person
    on: dt.date | None = None
    decision: LegalInstrument | None = None
    expected_version: int | None = None
    where: str = ""


@dataclass
class SeatCorrect:
    """Correct a seat's record (its dates, post, decisions, source): the fields named in
    `changes` take the given values, checked like a new seat."""

    membership: Membership
    changes: dict
    expected_version: int | None = None
    where: str = ""


Change = SeatOpen | SeatEnd | SeatFill | SeatCorrect


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class RosterRefused(ValidationError):
    """The plan breaks a roster rule: nothing was written. `problems` lists every one."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__([str(problem) for problem in self.problems])


@dataclass
class RosterResult:
    opened: list[Membership] = field(default_factory=list)
    ended: list[Membership] = field(default_factory=list)
    filled: list[Membership] = field(default_factory=list)
    corrected: list[Membership] = field(default_factory=list)
    people_created: list[Person] = field(default_factory=list)


def stale_message() -> str:
    return _(
        "Someone else changed this membership after you opened it. Your changes were not "
        "saved: reload the page to see the current record, then make your change again."
    )


def _name(person: Person | None, fallback: str) -> str:
    return str(person) if person is not None else fallback


def _person_key(person: Person | None) -> object | None:
    if person is None:
        return None
    return person.pk if person.pk is not None else id(person)


def _continuing(
    seat: Membership,
    person: Person | None,
    start: dt.date,
    decision: LegalInstrument | None,
    where: str,
    follows: Membership | None = None,
) -> SeatOpen:
    """The same seat (role, post, title, agency) from `start`: a vacancy, or its new holder."""
    return SeatOpen(
        committee=seat.committee,
        person=person,
        role=seat.role,
        role_title=seat.role_title,
        start=start,
        position=seat.position,
        title=seat.title_at_appointment,
        home_agency=seat.home_agency,
        on_behalf_of=seat.on_behalf_of,
        decision=decision,
        follows=follows,
        where=where,
    )


class _Plan:
    """The changes expanded (fills of vacancies and vacated ends become ends and opens), the
    seats they touch, locked, and every seat of those bodies as the clash rule sees them."""

    def __init__(self, changes: Sequence[Change]):
        self.opens: list[SeatOpen] = []
        self.ends: list[SeatEnd] = []
        self.fills_in_place: list[SeatFill] = []
        self.corrections: list[SeatCorrect] = []
        self.problems: list[Problem] = []
        self._changes = changes

    def load(self) -> None:
        touched_ids = {
            change.membership.pk for change in self._changes if not isinstance(change, SeatOpen)
        }
        committee_ids = {c.committee.pk for c in self._changes if isinstance(c, SeatOpen)}
        locked = {}
        if touched_ids:
            # Lock the seats first (a join to a seat's possibly absent person cannot be
            # locked), then read them with what the messages name.
            list(
                Membership.objects.select_for_update()
                .filter(pk__in=touched_ids)
                .order_by("pk")
                .values("pk")
            )
            locked = Membership.objects.select_related(
                "person", "committee", "position__agency", "home_agency"
            ).in_bulk(touched_ids)
            committee_ids |= {seat.committee_id for seat in locked.values()}
        # One body's roster changes one writer at a time: the rule below is checked in
        # memory, so two writers must not check it side by side.
        self.committees = Committee.objects.select_for_update().in_bulk(sorted(committee_ids))
        self.locked = locked
        for change in self._changes:
            if isinstance(change, SeatOpen):
                self.opens.append(change)
            elif isinstance(change, SeatEnd):
                self._expand_end(change)
            elif isinstance(change, SeatFill):
                self._expand_fill(change)
            else:
                self._expand_correction(change)

    def _expand_correction(self, change: SeatCorrect) -> None:
        seat = self.locked.get(change.membership.pk)
        if seat is None:
            self.problems.append(Problem(change.where, _("This seat no longer exists.")))
            return
        if change.expected_version is not None and seat.version != change.expected_version:
            self.problems.append(Problem(change.where, stale_message()))
            return
        change.changes = {
            name: value for name, value in change.changes.items() if getattr(seat, name) != value
        }
        for name, value in change.changes.items():
            setattr(seat, name, value)
        change.membership = seat
        if change.changes:
            self.corrections.append(change)

    def _current(self, change: SeatEnd | SeatFill) -> Membership | None:
        seat = self.locked.get(change.membership.pk)
        if seat is None:
            self.problems.append(Problem(change.where, _("This seat no longer exists.")))
            return None
        if change.expected_version is not None and seat.version != change.expected_version:
            self.problems.append(Problem(change.where, stale_message()))
            return None
        if seat.end_date is not None:
            self.problems.append(Problem(change.where, _("This membership has already ended.")))
            return None
        return seat

    def _expand_end(self, change: SeatEnd) -> None:
        seat = self._current(change)
        if seat is None:
            return
        if seat.start_date is not None and change.on < seat.start_date:
            self.problems.append(
                Problem(
                    change.where,
                    _("%(holder)s's seat began on %(date)s; it cannot end before.")
                    % {"holder": seat.holder_display, "date": seat.start.display()},
                )
            )
            return
        change.membership = seat
        self.ends.append(change)
        if change.leave_vacant:
            self.opens.append(
                _continuing(
                    seat, None, change.on + ONE_DAY, change.decision, change.where, follows=seat
                )
            )

    def _expand_fill(self, change: SeatFill) -> None:
        seat = self._current(change)
        if seat is None:
            return
        if seat.person_id is not None:
            self.problems.append(
                Problem(
                    change.where,
                    _("This seat is held by %(person)s; replace them instead.")
                    % {"person": seat.person},
                )
            )
            return
        change.membership = seat
        if seat.follows_id is None:
            self.fills_in_place.append(change)
            return
        on = change.on
        if on is None or (seat.start_date is not None and on <= seat.start_date):
            self.problems.append(
                Problem(
                    change.where,
                    _(
                        "Give the first day of the new member, after the seat became vacant (%(date)s)."
                    )
                    % {"date": seat.start.display()},
                )
            )
            return
        self.ends.append(
            SeatEnd(
                membership=seat,
                on=on - ONE_DAY,
                end_reason=Membership.EndReason.REPLACED,
                decision=change.decision,
                where=change.where,
            )
        )
        self.opens.append(_continuing(seat, change.person, on, change.decision, change.where))

    def check(self) -> None:
        """Every rule, for every seat of the plan, against every seat of the bodies it touches."""
        index = TermIndex()
        ends = {change.membership.pk: change for change in self.ends}
        fills = {change.membership.pk: change for change in self.fills_in_place}
        corrected = {change.membership.pk: change.membership for change in self.corrections}
        # Unordered: the default ordering joins the committees and sorts every seat.
        existing = (
            Membership.objects.filter(committee_id__in=list(self.committees))
            .order_by()
            .select_related("person")
            .only(
                "pk", "committee_id", "person__full_name", "person__rank", "role",
                "start_date", "end_date", "follows_id",
            )
        )  # fmt: skip
        for seat in existing.iterator(chunk_size=2000):
            seat = corrected.get(seat.pk, seat)
            end = ends[seat.pk].on if seat.pk in ends else seat.end_date
            person = seat.person
            if seat.pk in fills:
                person = fills[seat.pk].person
            index.add(
                Term(
                    committee=seat.committee_id,
                    person=_person_key(person),
                    role=seat.role,
                    start=seat.start_date,
                    end=end,
                    holder=_name(person, seat.holder_display),
                    where=_("on the roster"),
                    key=seat.pk,
                )
            )
        for fill in self.fills_in_place:
            seat = fill.membership
            if fill.person.merged_into_id is not None:
                self.problems.append(
                    Problem(
                        fill.where,
                        _("%(person)s was merged into another record; seat that person instead.")
                        % {"person": fill.person},
                    )
                )
                continue
            committee = self.committees[seat.committee_id]
            # The seat is already in the index with its new holder: check that holder against
            # the body's other seats by taking it out and putting it back.
            index.remove(seat.pk)
            term = Term(
                committee=committee.pk,
                person=_person_key(fill.person),
                role=seat.role,
                start=seat.start_date,
                end=seat.end_date,
                holder=str(fill.person),
                where=fill.where,
                key=seat.pk,
            )
            if message := index.clash(term, str(committee)):
                self.problems.append(Problem(fill.where, message))
            index.add(term)
        for correction in self.corrections:
            seat = correction.membership
            committee = self.committees[seat.committee_id]
            seat.clean_term()
            if message := self._life(committee, seat.start_date, seat.end_date):
                self.problems.append(Problem(correction.where, message))
                continue
            index.remove(seat.pk)
            term = Term(
                committee=committee.pk,
                person=_person_key(seat.person),
                role=seat.role,
                start=seat.start_date,
                end=seat.end_date,
                holder=seat.holder_display,
                where=correction.where,
                key=seat.pk,
            )
            if message := index.clash(term, str(committee)):
                self.problems.append(Problem(correction.where, message))
            index.add(term)
        for ending in self.ends:
            committee = self.committees[ending.membership.committee_id]
            if message := self._life(committee, ending.membership.start_date, ending.on):
                self.problems.append(Problem(ending.where, message))
        for change in self.opens:
            committee = self.committees[change.committee.pk]
            change.committee = committee
            if change.role not in Role.values:
                self.problems.append(
                    Problem(change.where, _("Unknown role: %(role)s.") % {"role": change.role})
                )
                continue
            if message := self._life(committee, change.start, change.end):
                self.problems.append(Problem(change.where, message))
                continue
            if change.person is not None and change.person.merged_into_id is not None:
                self.problems.append(
                    Problem(
                        change.where,
                        _("%(person)s was merged into another record; seat that person instead.")
                        % {"person": change.person},
                    )
                )
                continue
            holder = _name(change.person, change.title or str(_("name not known")))
            term = Term(
                committee=committee.pk,
                person=_person_key(change.person),
                role=change.role,
                start=change.start,
                end=change.end,
                holder=holder,
                where=change.where,
            )
            if message := index.clash(term, str(committee)):
                self.problems.append(Problem(change.where, message))
                continue
            index.add(term)

    @staticmethod
    def _life(committee: Committee, start: dt.date | None, end: dt.date | None) -> str | None:
        return outside_body_life(
            committee_name=str(committee),
            founded_on=committee.founded_on,
            founded_display=committee.founded.display(),
            dissolved_on=committee.dissolved_on,
            dissolved_display=committee.dissolved.display(),
            start=start,
            end=end,
        )


def _authorise(by: AbstractBaseUser | None, committees) -> None:
    """`by=None` is the system itself (the seed loader, a shell command); a user must hold the
    roster right on every body the plan touches, or the whole plan is refused."""
    if by is None:
        return
    for committee in committees:
        permissions.require_roster_right(by, committee)


def _seat(change: SeatOpen) -> Membership:
    person = change.person
    seat = Membership(
        committee=change.committee,
        person=person,
        role=change.role,
        role_title=change.role_title,
        start_date=change.start,
        start_precision=change.start_precision,
        end_date=change.end,
        end_precision=change.end_precision,
        end_reason=change.end_reason,
        end_note=change.end_note[:500],
        ended_by=change.ended_by,
        position=change.position,
        title_at_appointment=change.title or (change.position.title if change.position else ""),
        home_agency=change.home_agency or (change.position.agency if change.position else None),
        on_behalf_of=change.on_behalf_of,
        appointed_by=change.decision,
        follows=change.follows,
        source=change.source,
        source_date=change.source_date,
        area=change.area,
    )
    if change.recorded_at is not None:
        seat._history_date = change.recorded_at  # type: ignore[attr-defined]
    return seat


_FOREIGN_KEYS = [
    "person", "committee", "position", "home_agency", "on_behalf_of", "appointed_by",
    "ended_by", "follows", "area",
]  # fmt: skip


def _field_problems(seat: Membership, where: str) -> list[Problem]:
    """The seat's own fields (dates, lengths, choices). Foreign keys are the caller's objects."""
    try:
        seat.clean_fields(exclude=_FOREIGN_KEYS)
        seat.clean()
    except ValidationError as exc:
        return [Problem(where, message) for message in exc.messages]
    return []


def roster_check(changes: Sequence[Change]) -> list[Problem]:
    """What `roster_apply` would refuse, without writing (a form's validation, a dry run)."""
    with transaction.atomic():
        plan = _Plan(changes)
        plan.load()
        problems = list(plan.problems)
        if not problems:
            plan.check()
            problems = list(plan.problems)
        for change in plan.opens:
            problems += _field_problems(_seat(change), change.where)
        transaction.set_rollback(True)
    return problems


@transaction.atomic
def roster_apply(
    changes: Sequence[Change], *, reason: str, by: AbstractBaseUser | None = None
) -> RosterResult:
    """Apply the changes in one transaction, with history (who, when, why, which decision), or
    refuse them all with every problem listed."""
    require_reason(reason)
    result = RosterResult()
    if not changes:
        return result
    plan = _Plan(changes)
    plan.load()
    _authorise(by, plan.committees.values())
    if not plan.problems:
        plan.check()
    opened: list[Membership] = []
    for change in plan.opens:
        seat = _seat(change)
        plan.problems += _field_problems(seat, change.where)
        opened.append(seat)
    corrected: list[Membership] = []
    for correction in plan.corrections:
        seat = correction.membership
        seat.version += 1
        plan.problems += _field_problems(seat, correction.where)
        corrected.append(seat)
    ended: list[Membership] = []
    for end in plan.ends:
        seat = end.membership
        seat.end_date = end.on
        seat.end_precision = end.precision
        seat.end_reason = end.end_reason
        seat.end_note = (end.note or reason)[:500]
        seat.ended_by = end.decision
        seat.version += 1
        if end.recorded_at is not None:
            seat._history_date = end.recorded_at  # type: ignore[attr-defined]
        plan.problems += _field_problems(seat, end.where)
        ended.append(seat)
    if plan.problems:
        raise RosterRefused(plan.problems)
    user = history_user(by)
    try:
        with transaction.atomic():
            result.people_created = _create_people([seat.person for seat in opened], by, reason)
            for seat in opened:
                if seat.person is not None:
                    seat.person_id = seat.person.pk
            if ended:
                bulk_update_with_history(
                    ended,
                    Membership,
                    ["end_date", "end_precision", "end_reason", "end_note", "ended_by", "version"],
                    batch_size=BATCH,
                    default_user=user,
                    default_change_reason=reason,
                )
            filled: list[Membership] = []
            for fill in plan.fills_in_place:
                seat = fill.membership
                seat.person = fill.person
                if fill.decision is not None and seat.appointed_by_id is None:
                    seat.appointed_by = fill.decision
                seat.version += 1
                filled.append(seat)
            if filled:
                bulk_update_with_history(
                    filled,
                    Membership,
                    ["person", "appointed_by", "version"],
                    batch_size=BATCH,
                    default_user=user,
                    default_change_reason=reason,
                )
            for seat in corrected:
                # One row at a time: each correction touches its own fields.
                stamp_history(seat, by=by, reason=reason)
                seat.save()
            if opened:
                opened = create_with_history(
                    Membership, opened, reason=reason, by=by, batch_size=BATCH
                )
    except IntegrityError as exc:
        raise RosterRefused([Problem("", integrity_message(exc))]) from exc
    result.opened, result.ended, result.filled = opened, ended, filled
    result.corrected = corrected
    return result


def _create_people(
    people: Sequence[Person | None], by: AbstractBaseUser | None, reason: str
) -> list[Person]:
    """People new to the registry, recorded with their seats (each its own record: two new
    people of one name are two people)."""
    new: list[Person] = []
    seen: set[int] = set()
    for person in people:
        if person is not None and person.pk is None and id(person) not in seen:
            seen.add(id(person))
            new.append(person)
    if not new:
        return []
    for person in new:
        person.clean()
    given = [person.slug for person in new if person.slug]
    bases = {slug_base(person.full_name, fallback="nguoi") for person in new}
    taken = set(Person.objects.filter(slug__in=[*given, *bases]).values_list("slug", flat=True))
    need = [person for person in new if not person.slug or person.slug in taken]
    taken |= set(given)
    for person, slug in zip(
        need, unique_slugs([p.full_name for p in need], taken, fallback="nguoi"), strict=True
    ):
        person.slug = slug
    created = create_with_history(Person, new, reason=reason, by=by, batch_size=BATCH)
    if any(person.pk is None for person in created):  # databases that return no keys
        by_slug = dict(
            Person.objects.filter(slug__in=[p.slug for p in new]).values_list("slug", "pk")
        )
        for person in new:
            person.pk = by_slug[person.slug]
    return new
