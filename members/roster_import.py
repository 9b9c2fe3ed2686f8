"""Importing a roster file: plan it (the dry run: what is added, ended, unchanged, and the
possible matches a clerk decides), then apply it through the one roster writer, all rows or
none."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from committees import permissions
from committees.models import Agency, Committee, LegalInstrument
from committees.partial_dates import Precision, format_partial_date, parse_partial_date
from committees.text import fold, nfc
from members.matching import KnownPost, described, known_posts, namesake_match
from members.models import Membership, Person, Position, Role
from members.roster_writer import SeatEnd, SeatOpen, roster_apply, roster_check
from members.rules import SINGLE_SEAT_ROLES, role_from_title, unknown_role_message
from members.selectors import roster_queryset, today
from members.spreadsheets import RowError, SourceRow, read_roster_file


@dataclass
class PossibleMatch:
    """A row whose name is someone's in the registry, but nothing else shows it is the same
    person (a different post or agency, or none given): the clerk chooses."""

    line: int
    full_name: str
    post: str
    candidates: list[tuple[Person, str]]  # each person with what the registry knows of them
    chosen: str = ""  # a candidate's slug, NEW_PERSON, or "" while undecided

    @property
    def field_name(self) -> str:
        return f"match-{self.line}"


NEW_PERSON = "new"


@dataclass
class PlannedSeat:
    """A seat the import would add."""

    line: int
    full_name: str
    rank: str
    role: str
    person: Person | None  # unsaved: a new person; None: a seat named by its title only
    position: Position | None
    title: str
    home_agency: Agency | None
    start: dt.date | None
    start_precision: str
    decision: LegalInstrument | None
    role_title: str = ""

    @property
    def is_new_person(self) -> bool:
        return self.full_name != "" and (self.person is None or self.person.pk is None)

    @property
    def role_label(self) -> str:
        return self.role_title or str(Role(self.role).label)

    @property
    def start_display(self) -> str:
        return format_partial_date(self.start, self.start_precision)


@dataclass
class PlannedEnd:
    membership: Membership
    on: dt.date
    role_changed: bool = False  # the member stays, in the role of a row (`decision` cites it)
    decision: LegalInstrument | None = None


@dataclass
class ImportPlan:
    committee: Committee
    on: dt.date
    rows: int = 0
    added: list[PlannedSeat] = field(default_factory=list)
    ended: list[PlannedEnd] = field(default_factory=list)
    unchanged: list[Membership] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    possible_matches: list[PossibleMatch] = field(default_factory=list)
    applied: bool = False

    @property
    def undecided(self) -> list[PossibleMatch]:
        return [match for match in self.possible_matches if not match.chosen]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.undecided

    @property
    def new_people(self) -> int:
        return sum(1 for seat in self.added if seat.is_new_person)

    def summary(self) -> str:
        return _(
            "%(added)s to add (%(new)s new people), %(ended)s to end, %(unchanged)s unchanged."
        ) % {
            "added": len(self.added),
            "new": self.new_people,
            "ended": len(self.ended),
            "unchanged": len(self.unchanged),
        }


Progress = Callable[[Iterable, int], Iterable]


def _no_progress(items: Iterable, total: int) -> Iterable:
    return items


def _same(a: str, b: str) -> bool:
    return nfc(a).casefold() == nfc(b).casefold()


def _agency_matches(agency: Agency | None, text: str) -> bool:
    return agency is not None and (_same(agency.name, text) or _same(agency.short_name, text))


def _describe(known: set[KnownPost]) -> str:
    return "; ".join(described(known)) or _("no post recorded")


def _agencies_named(texts: set[str]) -> list[Agency]:
    """Only the agencies the file names (by name or short name), never the whole table."""
    if not texts:
        return []
    condition = Q()
    for text in texts:
        condition |= Q(name__iexact=text) | Q(short_name__iexact=text)
    return list(Agency.objects.filter(condition))


class _Matcher:
    """Who each row's name means: the person an identifier names, the clerk's choice, or what
    the one rule of members.matching says (a namesake the registry knows by the row's post or
    agency, or — for a row that gives neither — the one namesake on this roster); a possible
    match for the clerk otherwise; a new person when nobody has the name. Two rows of one new
    name are two people."""

    def __init__(self, plan: ImportPlan, rows: list[SourceRow], choices: dict[int, str], current):
        names = {nfc(row.full_name) for row in rows if row.full_name}
        # Names are compared folded; the file's names once each: a name the file gives twice
        # is never taken for the one person seated under it.
        self.rows_named = Counter(fold(row.full_name) for row in rows if row.full_name)
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        people = Person.objects.filter(full_name__in=names, merged_into__isnull=True)
        seated = {seat.person_id: seat.person for seat in current if seat.person_id}
        for person in [*people.order_by("pk"), *seated.values()]:
            group = self.by_name[fold(person.full_name)]
            if all(p.pk != person.pk for p in group):
                group.append(person)
        slugs = {row.person_id for row in rows if row.person_id}
        slugs |= {value for value in choices.values() if value and value != NEW_PERSON}
        # A merged person's identifier leads to the person it was merged into.
        self.by_slug = {
            slug: person.merged_into or person
            for slug, person in (
                Person.objects.select_related("merged_into").in_bulk(list(slugs), field_name="slug")
                if slugs
                else {}
            ).items()
        }
        self.known = known_posts(p.pk for group in self.by_name.values() for p in group)
        self.choices = choices
        self.on_roster = {seat.person_id for seat in current if seat.person_id}
        self.plan = plan

    def person(self, row: SourceRow, name: str, errors: list[str]) -> Person | None:
        if row.person_id:
            person = self.by_slug.get(row.person_id)
            if person is None:
                errors.append(_("no person has the identifier “%(id)s”.") % {"id": row.person_id})
            elif fold(person.full_name) != fold(name):
                errors.append(
                    _("the identifier “%(id)s” is %(person)s, not %(name)s.")
                    % {"id": row.person_id, "person": person.full_name, "name": name}
                )
            return person
        candidates = self.by_name.get(fold(name), [])
        choice = self.choices.get(row.line, "")
        if choice == NEW_PERSON or not candidates:
            chosen = None
        elif choice:
            chosen = next((p for p in candidates if p.slug == choice), None)
            if chosen is None:
                errors.append(_("choose one of the people listed, or a new person."))
                return None
        else:
            match = namesake_match(
                candidates,
                seated=self.on_roster,
                named_once=self.rows_named[fold(name)] == 1,
                post=row.post,
                agencies=[row.home_agency],
                known=self.known,
            )
            if match.person is not None:
                return match.person
            self.plan.possible_matches.append(self._possible(row, name, candidates))
            return None
        if candidates:
            self.plan.possible_matches.append(self._possible(row, name, candidates, choice))
        if chosen is not None:
            return chosen
        return Person(full_name=name, rank=nfc(row.rank))

    def _possible(
        self, row: SourceRow, name: str, candidates: list[Person], chosen: str = ""
    ) -> PossibleMatch:
        return PossibleMatch(
            line=row.line,
            full_name=name,
            post=" — ".join(part for part in (row.post, row.home_agency) if part),
            candidates=[(p, _describe(self.known[p.pk])) for p in candidates],
            chosen=chosen,
        )


def _where(line: int) -> str:
    return _("Row %(line)s") % {"line": line}


def plan_roster_import(
    *,
    committee: Committee,
    rows: list[SourceRow],
    on: dt.date | None = None,
    choices: dict[int, str] | None = None,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """What importing these rows as the committee's roster on `on` would add, end and leave
    unchanged, with every row's errors and the possible matches for the clerk to decide
    (`choices` gives a decision per row: a person's identifier or NEW_PERSON). The roster
    writer checks the plan in the same words as when it is applied. Reads in a fixed number
    of queries; writes nothing."""
    on = on or today()
    plan = ImportPlan(committee=committee, on=on, rows=len(rows))
    current = list(roster_queryset(committee, on))
    matcher = _Matcher(plan, rows, choices or {}, current)
    agencies = _agencies_named({nfc(row.home_agency) for row in rows if row.home_agency})
    positions_by_title: dict[str, list[Position]] = defaultdict(list)
    post_titles = {nfc(row.post) for row in rows if row.post}
    for position in Position.objects.filter(title__in=post_titles).select_related("agency"):
        positions_by_title[nfc(position.title).casefold()].append(position)
    decisions_by_number: dict[str, list[LegalInstrument]] = defaultdict(list)
    numbers = {nfc(row.decision) for row in rows if row.decision}
    for instrument in LegalInstrument.objects.filter(number__in=numbers):
        decisions_by_number[nfc(instrument.number)].append(instrument)

    current_by_person = {seat.person_id: seat for seat in current if seat.person_id}
    unnamed = [seat for seat in current if seat.person_id is None]
    seen_people: dict[int, int] = {}
    kept: set[int] = set()
    errors = plan.errors

    for row in progress(rows, len(rows)):
        row_errors: list[str] = []
        name = nfc(row.full_name)
        if not name and not row.post:
            row_errors.append(
                _(
                    "the full name is empty: for a seat the decision names by its title only, "
                    "leave the name empty and give the post."
                )
            )
        role = role_from_title(row.role) if row.role else None
        if role is None:
            row_errors.append(
                unknown_role_message(row.role) if row.role else _("the role is empty.")
            )
        start, precision = None, Precision.DAY
        if row.start:
            try:
                start, precision = parse_partial_date(row.start)
            except (ValueError, TypeError):
                row_errors.append(
                    _("bad date “%(date)s” (write 14/01/2026, 01/2026 or 2026).")
                    % {"date": row.start}
                )
        person = matcher.person(row, name, row_errors) if name else None
        if name and person is None and not row_errors:
            continue  # a possible match the clerk has not decided yet
        if person is not None and person.pk is not None:
            if person.pk in seen_people:
                row_errors.append(
                    _("%(name)s is already on row %(other)s.")
                    % {"name": name, "other": seen_people[person.pk]}
                )
            else:
                seen_people[person.pk] = row.line
        if row_errors:
            errors.extend(RowError(row.line, message) for message in row_errors)
            continue

        if person is None:
            same = next(
                (
                    seat
                    for seat in unnamed
                    if seat.pk not in kept
                    and seat.role == role
                    and _same(seat.title_at_appointment, row.post)
                ),
                None,
            )
            if same is not None:
                plan.unchanged.append(same)
                kept.add(same.pk)
                continue
            existing = None
        else:
            existing = current_by_person.get(person.pk) if person.pk is not None else None
            if existing is not None and existing.role == role:
                plan.unchanged.append(existing)
                kept.add(existing.pk)
                continue
        seat = _resolve_seat(
            row,
            name,
            role,
            person,
            start,
            precision,
            existing,
            on,
            agencies,
            positions_by_title,
            decisions_by_number,
            errors,
        )
        if seat is None:
            continue
        plan.added.append(seat)
        if existing is not None:  # a new role: the old seat ends the day before
            kept.add(existing.pk)
            plan.ended.append(
                PlannedEnd(
                    existing,
                    seat.start - dt.timedelta(days=1),
                    role_changed=True,
                    decision=seat.decision,
                )
            )

    for seat in current:
        if seat.pk not in kept:
            plan.ended.append(PlannedEnd(seat, on - dt.timedelta(days=1)))
    _hand_over_single_seats(plan)
    if not plan.errors:
        lines = {_where(seat.line): seat.line for seat in plan.added}
        for problem in roster_check(_changes(plan, reason="")):
            plan.errors.append(RowError(lines.get(problem.where, 0), problem.message))
    plan.errors.sort(key=lambda error: error.line)
    return plan


def _resolve_seat(
    row, name, role, person, start, precision, existing, on, agencies,
    positions_by_title, decisions_by_number, errors,
) -> PlannedSeat | None:  # fmt: skip
    row_errors: list[str] = []
    home_agency = None
    if row.home_agency:
        matches = [a for a in agencies if _agency_matches(a, row.home_agency)]
        if len(matches) == 1:
            home_agency = matches[0]
        else:
            row_errors.append(
                _("unknown home agency “%(agency)s”.") % {"agency": row.home_agency}
                if not matches
                else _("“%(agency)s” names several agencies; use the full name.")
                % {"agency": row.home_agency}
            )
    position = None
    if row.post:
        options = positions_by_title.get(nfc(row.post).casefold(), [])
        if home_agency is not None:
            options = [p for p in options if p.agency_id == home_agency.pk]
        if len(options) == 1:
            position = options[0]
            home_agency = home_agency or position.agency
    decision = None
    if row.decision:
        options = decisions_by_number.get(nfc(row.decision), [])
        if len(options) == 1:
            decision = options[0]
        else:
            row_errors.append(
                _("unknown decision number “%(number)s”; record the decision first.")
                % {"number": row.decision}
                if not options
                else _("decision number “%(number)s” matches several decisions.")
                % {"number": row.decision}
            )
    # A change of role: the new seat starts on the row's date when it follows the old
    # seat's start, otherwise on the import date.
    if existing is not None and (
        start is None or (existing.start_date is not None and start <= existing.start_date)
    ):
        start, precision = on, Precision.DAY
    if row_errors:
        errors.extend(RowError(row.line, message) for message in row_errors)
        return None
    return PlannedSeat(
        line=row.line,
        full_name=name,
        rank=nfc(row.rank),
        role=role,
        role_title=nfc(row.role) if nfc(row.role) != str(Role(role).label) else "",
        person=person,
        position=position,
        title=nfc(row.post),
        home_agency=home_agency,
        start=start,
        start_precision=precision,
        decision=decision,
    )


def _hand_over_single_seats(plan: ImportPlan) -> None:
    """A new head whose term began before the import date takes over from the old head the
    day before that start, rather than overlapping."""
    for end in plan.ended:
        old = end.membership
        if old.role not in SINGLE_SEAT_ROLES:
            continue
        for seat in plan.added:
            if (
                seat.role == old.role
                and seat.start is not None
                and seat.start <= end.on
                and (old.start_date is None or seat.start > old.start_date)
            ):
                end.on = seat.start - dt.timedelta(days=1)


def _changes(plan: ImportPlan, *, reason: str) -> list:
    """The plan as roster changes for the one roster writer."""
    not_in_file = _("not in the file")
    changes: list = [
        SeatEnd(
            membership=end.membership,
            on=end.on,
            end_reason=(
                Membership.EndReason.ROLE_CHANGED
                if end.role_changed
                else Membership.EndReason.OTHER
            ),
            decision=end.decision,
            note=reason,
            where=(
                end.membership.holder_display
                if end.role_changed
                else f"{end.membership.holder_display} ({not_in_file})"
            ),
        )
        for end in plan.ended
    ]
    changes += [
        SeatOpen(
            committee=plan.committee,
            person=seat.person,
            role=seat.role,
            role_title=seat.role_title,
            start=seat.start,
            start_precision=seat.start_precision,
            position=seat.position,
            title=seat.title,
            home_agency=seat.home_agency,
            decision=seat.decision,
            where=_where(seat.line),
        )
        for seat in plan.added
    ]
    return changes


def roster_import(
    *,
    committee: Committee,
    data: bytes,
    filename: str = "",
    on: dt.date | None = None,
    dry_run: bool = True,
    reason: str = "",
    choices: dict[int, str] | None = None,
    by: AbstractBaseUser | None = None,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """Import a roster file as the committee's roster on `on` (today by default).

    A dry run returns the plan and writes nothing. Otherwise the plan is made again inside
    one transaction and applied through the roster writer only when no row has an error and
    every possible match is decided: all rows or none. A file that cannot be read raises
    RosterFileError."""
    if by is not None:
        permissions.require_roster_right(by, committee)
    rows = read_roster_file(data, filename)
    if dry_run:
        return plan_roster_import(
            committee=committee, rows=rows, on=on, choices=choices, progress=progress
        )
    reason = (reason or "").strip() or _("Roster imported from %(file)s") % {
        "file": filename or _("a file")
    }
    with transaction.atomic():
        plan = plan_roster_import(
            committee=committee, rows=rows, on=on, choices=choices, progress=progress
        )
        if plan.ok:
            roster_apply(_changes(plan, reason=reason), reason=reason, by=by)
            plan.applied = True
    return plan


__all__ = [
    "NEW_PERSON",
    "ImportPlan",
    "PossibleMatch",
    "plan_roster_import",
    "roster_import",
]
