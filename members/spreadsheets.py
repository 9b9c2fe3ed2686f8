"""Rosters in and out as spreadsheets: read XLSX or CSV, plan the import (the dry run), apply it
in one transaction with bulk queries, and export a roster on any date to XLSX or CSV."""

import csv
import datetime as dt
import io
import secrets
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from committees import permissions
from committees.models import Agency, Committee, LegalInstrument
from committees.partial_dates import Precision, format_partial_date, parse_partial_date
from committees.text import fold, nfc
from members.models import Membership, Person, Position, PositionHolding, Role
from members.selectors import roster_queryset, today
from members.services import integrity_message

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A roster has seven columns; more than this is not a roster.
MAX_COLUMNS = 64

# The columns of a roster file, in order, with their header in the user's language.
COLUMNS: tuple[tuple[str, object], ...] = (
    ("full_name", gettext_lazy("Full name")),
    ("rank", gettext_lazy("Rank")),
    ("role", gettext_lazy("Role")),
    ("post", gettext_lazy("Post")),
    ("home_agency", gettext_lazy("Home agency")),
    ("start", gettext_lazy("Start date")),
    ("decision", gettext_lazy("Decision number")),
)
# Headers are matched folded (no diacritics, lower case), in Vietnamese or English.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "name", "full name", "full_name"),
    "rank": ("cap bac", "cap bac/ham", "ham", "rank"),
    "role": ("vai tro", "chuc danh trong ban", "role"),
    "post": ("chuc vu", "post", "position", "title"),
    "home_agency": ("co quan", "don vi", "co quan cong tac", "home agency", "agency"),
    "start": ("ngay bat dau", "tu ngay", "start", "start date"),
    "decision": ("so quyet dinh", "quyet dinh", "decision", "decision number"),
}
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    Role.HEAD: ("truong ban", "truong ban chi dao"),
    Role.STANDING_DEPUTY_HEAD: ("pho truong ban thuong truc",),
    Role.DEPUTY_HEAD: ("pho truong ban",),
    Role.GROUP_LEADER: ("to truong",),
    Role.DEPUTY_GROUP_LEADER: ("to pho",),
    Role.MEMBER: ("uy vien", "thanh vien"),
    Role.SECRETARY: ("thu ky",),
}


class RosterFileError(ValidationError):
    """The file as a whole cannot be read (size, format, sheet, columns)."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return _("Row %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class SourceRow:
    line: int
    full_name: str
    rank: str
    role: str
    post: str
    home_agency: str
    start: str
    decision: str


@dataclass
class PlannedSeat:
    """A seat the import would add."""

    line: int
    full_name: str
    rank: str
    role: str
    person: Person | None  # None: a new person is recorded
    position: Position | None
    title: str
    home_agency: Agency | None
    start: dt.date | None
    start_precision: str
    decision: LegalInstrument | None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def start_display(self) -> str:
        return format_partial_date(self.start, self.start_precision)


@dataclass
class PlannedEnd:
    membership: Membership
    on: dt.date


@dataclass
class ImportPlan:
    committee: Committee
    on: dt.date
    rows: int = 0
    added: list[PlannedSeat] = field(default_factory=list)
    ended: list[PlannedEnd] = field(default_factory=list)
    unchanged: list[Membership] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new_people(self) -> int:
        return sum(1 for seat in self.added if seat.person is None)

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


# --- Reading ------------------------------------------------------------------------------


def _key(value: str) -> str:
    return fold(value).strip(" :*")


def _header_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            mapping[alias] = column
    for language in ("vi", "en"):
        with translation.override(language):
            for column, label in COLUMNS:
                mapping[_key(str(label))] = column
    return mapping


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = nfc(str(value))
    # Undo the export's guard against formulas ("'=..." was written for "=...").
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def _find_header(rows: list[list[str]]) -> tuple[int, dict[int, str]] | None:
    """The first non-empty row is the header; map its column indexes to column keys."""
    mapping = _header_map()
    for index, row in enumerate(rows[:10]):
        if not any(cell.strip() for cell in row):
            continue
        found = {i: mapping[_key(cell)] for i, cell in enumerate(row) if _key(cell) in mapping}
        return index, found
    return None


def _missing_columns(found: dict[int, str]) -> list[str]:
    present = set(found.values())
    return [str(label) for column, label in COLUMNS if column not in present]


def _read_xlsx(data: bytes) -> list[list[list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise RosterFileError(_("The file is not a readable XLSX workbook.")) from exc
    except Exception as exc:  # openpyxl raises its own errors for broken workbooks
        raise RosterFileError(_("The file is not a readable XLSX workbook.")) from exc
    sheets = []
    try:
        for sheet in workbook.worksheets:
            rows = []
            # max_col: read-only openpyxl pads every row to the widest cell (XFD1 = 16,384).
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                rows.append([_cell_text(value) for value in row])
                if len(rows) > MAX_ROWS + 10:
                    raise RosterFileError(
                        _("The file has more than %(max)s rows.") % {"max": MAX_ROWS}
                    )
            sheets.append(rows)
    finally:
        workbook.close()
    return sheets


def _read_csv(data: bytes) -> list[list[list[str]]]:
    if b"\x00" in data[:4096]:
        raise RosterFileError(_("The file is neither an XLSX workbook nor a CSV text file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            _("The CSV file is not in UTF-8; save it as “CSV UTF-8” and try again.")
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = [
            [_cell_text(cell) for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise RosterFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    if len(rows) > MAX_ROWS + 10:
        raise RosterFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return [rows]


def read_roster_file(data: bytes, filename: str = "") -> list[SourceRow]:
    """The rows of a roster file, or a RosterFileError naming what is wrong with it."""
    if len(data) > MAX_IMPORT_BYTES + 1:
        raise RosterFileError(
            _("The file is too large (%(size)s MB); a roster file may be at most %(max)s MB.")
            % {
                "size": number_format(len(data) / 1024 / 1024, 1),
                "max": MAX_IMPORT_BYTES // 1024 // 1024,
            }
        )
    if len(data) > MAX_IMPORT_BYTES:
        # An upload is read to one byte past the limit: its whole size is not known here.
        raise RosterFileError(
            _("The file is too large: more than %(max)s MB, the most a roster file may be.")
            % {"max": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    if not data.strip():
        raise RosterFileError(_("The file is empty."))
    is_xlsx = data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    sheets = _read_xlsx(data) if is_xlsx else _read_csv(data)
    best_missing: list[str] | None = None
    for rows in sheets:
        header = _find_header(rows)
        if header is None:
            continue
        index, found = header
        missing = _missing_columns(found)
        if missing:
            if best_missing is None or len(missing) < len(best_missing):
                best_missing = missing
            continue
        return _rows_from(rows[index + 1 :], found, first_line=index + 2)
    if best_missing is not None and len(best_missing) < len(COLUMNS):
        raise RosterFileError(
            _("Missing columns: %(columns)s. The columns are: %(all)s.")
            % {
                "columns": ", ".join(best_missing),
                "all": ", ".join(str(label) for _c, label in COLUMNS),
            }
        )
    raise RosterFileError(
        _("No sheet of the file has the roster columns (%(all)s) in its first row.")
        % {"all": ", ".join(str(label) for _c, label in COLUMNS)}
    )


def _rows_from(rows: list[list[str]], found: dict[int, str], first_line: int) -> list[SourceRow]:
    result = []
    for offset, row in enumerate(rows):
        values = {column: "" for column, _label in COLUMNS}
        for index, column in found.items():
            if index < len(row):
                values[column] = row[index].strip()
        if not any(values.values()):
            continue
        result.append(SourceRow(line=first_line + offset, **values))
    return result


# --- Planning -----------------------------------------------------------------------------


def _role_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for role in Role:
        mapping[_key(role.value)] = role.value
        mapping[_key(role.value.replace("_", " "))] = role.value
        for alias in ROLE_ALIASES.get(role, ()):
            mapping[alias] = role.value
        for language in ("vi", "en"):
            with translation.override(language):
                mapping[_key(str(role.label))] = role.value
    return mapping


def _same(a: str, b: str) -> bool:
    return nfc(a).casefold() == nfc(b).casefold()


def _agency_matches(agency: Agency | None, text: str) -> bool:
    return agency is not None and (_same(agency.name, text) or _same(agency.short_name, text))


def plan_roster_import(
    *,
    committee: Committee,
    rows: list[SourceRow],
    on: dt.date | None = None,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """What importing these rows as the committee's roster on `on` would add, end and leave
    unchanged, with every row's errors. Reads in a fixed number of queries; writes nothing."""
    on = on or today()
    plan = ImportPlan(committee=committee, on=on, rows=len(rows))
    roles = _role_map()
    names = {nfc(row.full_name) for row in rows if row.full_name}

    people_by_name: dict[str, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(full_name__in=names).order_by("pk"):
        people_by_name[nfc(person.full_name)].append(person)
    ambiguous = [p.pk for group in people_by_name.values() if len(group) > 1 for p in group]
    posts_of: dict[int, list[tuple[str, Agency | None]]] = defaultdict(list)
    if ambiguous:
        for holding in PositionHolding.objects.filter(person_id__in=ambiguous).select_related(
            "position__agency"
        ):
            posts_of[holding.person_id].append((holding.position.title, holding.position.agency))
        for seat in Membership.objects.filter(person_id__in=ambiguous).select_related(
            "position__agency", "home_agency"
        ):
            posts_of[seat.person_id].append((seat.title_at_appointment, seat.home_agency))
            if seat.position is not None:
                posts_of[seat.person_id].append((seat.position.title, seat.position.agency))

    agencies = list(Agency.objects.all())
    positions_by_title: dict[str, list[Position]] = defaultdict(list)
    post_titles = {nfc(row.post) for row in rows if row.post}
    for position in Position.objects.filter(title__in=post_titles).select_related("agency"):
        positions_by_title[nfc(position.title).casefold()].append(position)
    decisions_by_number: dict[str, list[LegalInstrument]] = defaultdict(list)
    numbers = {nfc(row.decision) for row in rows if row.decision}
    for instrument in LegalInstrument.objects.filter(number__in=numbers):
        decisions_by_number[nfc(instrument.number)].append(instrument)

    current = list(roster_queryset(committee, on))
    current_by_person = {seat.person_id: seat for seat in current}
    all_seats = list(Membership.objects.filter(committee=committee).select_related("person"))

    seen_people: dict[int, int] = {}
    seen_new_names: dict[str, int] = {}
    kept: set[int] = set()
    errors = plan.errors

    for row in progress(rows, len(rows)):
        row_errors: list[str] = []
        name = nfc(row.full_name)
        if not name:
            row_errors.append(_("the full name is empty."))
        role = roles.get(_key(row.role)) if row.role else None
        if role is None:
            row_errors.append(
                _("unknown role “%(role)s” (expected one of: %(roles)s).")
                % {"role": row.role, "roles": ", ".join(str(r.label) for r in Role)}
                if row.role
                else _("the role is empty.")
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
        person = None
        if name:
            candidates = people_by_name.get(name, [])
            if len(candidates) > 1:
                narrowed = [
                    p
                    for p in candidates
                    if (not row.post or any(_same(title, row.post) for title, _a in posts_of[p.pk]))
                    and (
                        not row.home_agency
                        or any(_agency_matches(a, row.home_agency) for _t, a in posts_of[p.pk])
                    )
                ]
                if len(narrowed) == 1 and (row.post or row.home_agency):
                    person = narrowed[0]
                else:
                    row_errors.append(
                        _(
                            "“%(name)s” matches %(count)s different people in the registry; "
                            "give the post or home agency that tells them apart."
                        )
                        % {"name": name, "count": len(candidates)}
                    )
            elif candidates:
                person = candidates[0]
            elif name in seen_new_names:
                row_errors.append(
                    _(
                        "“%(name)s” is also on row %(other)s and is not yet in the registry: "
                        "record these people first so they are not merged."
                    )
                    % {"name": name, "other": seen_new_names[name]}
                )
            else:
                seen_new_names[name] = row.line
        if person is not None:
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

        existing = current_by_person.get(person.pk) if person is not None else None
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
            plan.ended.append(PlannedEnd(existing, seat.start - dt.timedelta(days=1)))

    for seat in current:
        if seat.pk not in kept:
            plan.ended.append(PlannedEnd(seat, on - dt.timedelta(days=1)))
    _hand_over_single_seats(plan)
    _check_ends(plan)
    _check_overlaps(plan, all_seats)
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
        if old.role not in SINGLE:
            continue
        for seat in plan.added:
            if (
                seat.role == old.role
                and seat.start is not None
                and seat.start <= end.on
                and (old.start_date is None or seat.start > old.start_date)
            ):
                end.on = seat.start - dt.timedelta(days=1)


def _check_ends(plan: ImportPlan) -> None:
    for end in plan.ended:
        seat = end.membership
        if seat.end_date is not None:
            plan.errors.append(
                RowError(
                    0,
                    _("%(person)s's seat already ends on %(date)s; end or correct it by hand.")
                    % {"person": seat.person, "date": seat.end.display()},
                )
            )
        elif seat.start_date is not None and end.on < seat.start_date:
            plan.errors.append(
                RowError(
                    0,
                    _(
                        "%(person)s is not in the file, but the seat only began on %(date)s; "
                        "import with a later date or end it by hand."
                    )
                    % {"person": seat.person, "date": seat.start.display()},
                )
            )


def _check_overlaps(plan: ImportPlan, all_seats: list[Membership]) -> None:
    """The roster rules (one seat per person, one holder of a single-seat role at a time)
    checked in memory for all rows at once, against the seats as they would be. Terms are
    indexed by person and by role, so a large file stays linear."""
    ends = {end.membership.pk: end.on for end in plan.ended}
    by_person: dict[object, list] = defaultdict(list)
    by_role: dict[str, list] = defaultdict(list)

    def add(person_id, role, start, end, line) -> None:
        term = (start, end, line)
        by_person[person_id].append(term)
        if role in SINGLE:
            by_role[role].append(term)

    for seat in all_seats:
        add(seat.person_id, seat.role, seat.start_date, ends.get(seat.pk, seat.end_date), 0)

    def clash(terms, start):
        # The new seat runs from its start with no end: it meets every term that has not
        # ended before that start (an unknown start meets everything).
        for _other_start, other_end, line in terms:
            if other_end is None or start is None or start <= other_end:
                return (line,)
        return None

    for seat in plan.added:
        person_id = seat.person.pk if seat.person is not None else None
        if person_id is not None and clash(by_person[person_id], seat.start):
            plan.errors.append(
                RowError(
                    seat.line,
                    _("%(name)s already has a seat on this committee during these dates.")
                    % {"name": seat.full_name},
                )
            )
        elif seat.role in SINGLE and (found := clash(by_role[seat.role], seat.start)):
            line = found[0]
            plan.errors.append(
                RowError(
                    seat.line,
                    _("%(role)s is already held during these dates (see %(where)s).")
                    % {
                        "role": seat.role_label,
                        "where": _("row %(line)s") % {"line": line}
                        if line
                        else _("the current roster"),
                    },
                )
            )
        add(
            person_id if person_id is not None else object(), seat.role, seat.start, None, seat.line
        )


SINGLE = {str(role) for role in (Role.HEAD, Role.STANDING_DEPUTY_HEAD, Role.GROUP_LEADER)}


# --- Applying -----------------------------------------------------------------------------


def _person_slugs(names: list[str]) -> list[str]:
    bases = [slugify(fold(name))[:200] or "nguoi" for name in names]
    taken = set(Person.objects.filter(slug__in=bases).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug = base
        if slug in taken:
            slug = f"{base}-{secrets.token_hex(3)}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


_FK_FIELDS = [
    "person",
    "committee",
    "position",
    "home_agency",
    "on_behalf_of",
    "appointed_by",
    "ended_by",
]


def _apply(plan: ImportPlan, *, by: AbstractBaseUser | None, reason: str) -> None:
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    ended = []
    for end in plan.ended:
        seat = end.membership
        seat.end_date = end.on
        seat.end_precision = Precision.DAY
        seat.end_reason = Membership.EndReason.OTHER
        seat.end_note = reason[:500]
        seat.version += 1
        seat._overlaps_checked = True
        seat.full_clean(exclude=_FK_FIELDS, validate_unique=False, validate_constraints=False)
        ended.append(seat)
    if ended:
        bulk_update_with_history(
            ended,
            Membership,
            ["end_date", "end_precision", "end_reason", "end_note", "version"],
            batch_size=500,
            default_user=user,
            default_change_reason=reason,
        )
    new_people_seats = [seat for seat in plan.added if seat.person is None]
    if new_people_seats:
        slugs = _person_slugs([seat.full_name for seat in new_people_seats])
        people = []
        for seat, slug in zip(new_people_seats, slugs, strict=True):
            person = Person(full_name=seat.full_name, rank=seat.rank, slug=slug)
            person.full_clean(validate_unique=False, validate_constraints=False)
            people.append(person)
        people = bulk_create_with_history(
            people, Person, batch_size=500, default_user=user, default_change_reason=reason
        )
        if any(person.pk is None for person in people):  # databases that return no keys
            by_slug = dict(Person.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            for person in people:
                person.pk = by_slug[person.slug]
        for seat, person in zip(new_people_seats, people, strict=True):
            seat.person = person
    seats = []
    for planned in plan.added:
        seat = Membership(
            committee=plan.committee,
            person=planned.person,
            role=planned.role,
            start_date=planned.start,
            start_precision=planned.start_precision,
            position=planned.position,
            title_at_appointment=planned.title,
            home_agency=planned.home_agency,
            appointed_by=planned.decision,
        )
        seat._overlaps_checked = True
        seat.full_clean(exclude=_FK_FIELDS, validate_unique=False, validate_constraints=False)
        seats.append(seat)
    if seats:
        bulk_create_with_history(
            seats, Membership, batch_size=500, default_user=user, default_change_reason=reason
        )


def roster_import(
    *,
    committee: Committee,
    data: bytes,
    filename: str = "",
    on: dt.date | None = None,
    dry_run: bool = True,
    reason: str = "",
    by: AbstractBaseUser | None = None,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """Import a roster file as the committee's roster on `on` (today by default).

    A dry run returns the plan and writes nothing. Otherwise the plan is made again inside
    one transaction and applied only when no row has an error: all rows or none. A file that
    cannot be read raises RosterFileError."""
    if by is not None:
        permissions.require_roster_right(by, committee)
    rows = read_roster_file(data, filename)
    if dry_run:
        return plan_roster_import(committee=committee, rows=rows, on=on, progress=progress)
    reason = (reason or "").strip() or _("Roster imported from %(file)s") % {
        "file": filename or _("a file")
    }
    try:
        with transaction.atomic():
            # Lock the committee so two imports of one roster run one after the other.
            Committee.objects.select_for_update().filter(pk=committee.pk).first()
            plan = plan_roster_import(committee=committee, rows=rows, on=on, progress=progress)
            if plan.ok:
                _apply(plan, by=by, reason=reason)
                plan.applied = True
    except IntegrityError as exc:
        raise ValidationError(integrity_message(exc)) from exc
    return plan


# --- Export -------------------------------------------------------------------------------


def roster_table(committee: Committee, day: dt.date | None = None) -> list[list[str]]:
    """The roster on a day as rows of text: a header in the user's language, then one row per
    seat (in one query)."""
    day = day or today()
    header = [str(label) for _column, label in COLUMNS]
    rows = [header]
    for seat in roster_queryset(committee, day):
        rows.append(
            [
                seat.person.full_name,
                seat.person.rank,
                str(seat.get_role_display()),
                seat.title_at_appointment or (seat.position.title if seat.position else ""),
                seat.home_agency.name if seat.home_agency else "",
                format_partial_date(seat.start_date, seat.start_precision)
                if seat.start_date
                else "",
                seat.appointed_by.number if seat.appointed_by else "",
            ]
        )
    return rows


def guard_formula(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is written as text."""
    return "'" + value if value.lstrip(" ").startswith(FORMULA_PREFIXES) else value


def roster_csv(committee: Committee, day: dt.date | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in roster_table(committee, day):
        writer.writerow([guard_formula(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def roster_xlsx(committee: Committee, day: dt.date | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")[:31]
    for row_index, row in enumerate(roster_table(committee, day), start=1):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            cell.value = value
            # Stored as text, never as a formula, whatever the first character.
            cell.data_type = "s"
            if value.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
            if row_index == 1:
                cell.font = Font(bold=True)
    for column in ("A", "D", "E"):
        sheet.column_dimensions[column].width = 32
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_export(
    *, committee: Committee, day: dt.date | None = None, fmt: str = "xlsx"
) -> tuple[bytes, str, str]:
    """The roster file's bytes, content type and file name."""
    day = day or today()
    name = f"{committee.slug}-{day.isoformat()}.{fmt}"
    if fmt == "csv":
        return roster_csv(committee, day), "text/csv; charset=utf-8", name
    if fmt == "xlsx":
        return (
            roster_xlsx(committee, day),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        )
    raise ValueError(fmt)


__all__ = [
    "ImportPlan",
    "RosterFileError",
    "plan_roster_import",
    "read_roster_file",
    "roster_export",
    "roster_import",
    "roster_table",
]
