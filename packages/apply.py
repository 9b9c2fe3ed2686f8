"""A committee package applied to the registry, all or nothing.

`import_packages` runs the whole import in one transaction. A dry run is the same import
rolled back at the end, so the report it gives (created, matched, ended, possible matches)
is exactly what confirming will do. Every problem is collected with its path; when there is
one, nothing is written.
"""

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import permissions
from committees.models import (
    Agency,
    Committee,
    DeclaredCount,
    LegalInstrument,
    Level,
    Succession,
)
from committees.names import keys_loosely_matching, loose_key, name_key
from committees.partial_dates import Precision, normalise
from committees.text import fold
from mandates.models import Mandate, Target
from members.matching import KnownPost, described, known_by, known_posts, namesake_match
from members.models import Membership, Person, Position
from members.roster_writer import RosterRefused
from members.services import committee_dissolve, save_validated, succession_record
from packages.models import PackageImport, SeatAsPrinted
from packages.roles import role_of
from packages.schema import Group, Package, PackageInvalid, Seat, When
from records.writes import slug_base

NEW = "new"


class _Rollback(Exception):
    pass


@dataclass
class SeatChange:
    """One seat to open: the printed seat, the committee and what it resolved to."""

    seat: Seat
    order: int
    committee: Committee
    role: str
    person: Person | None
    position: Position | None
    agency: Agency | None
    start: When
    decision: LegalInstrument | None
    source: str
    title: str = ""  # the seat's title when the printed seat gives no post


@dataclass
class SeatClose:
    membership: Membership
    on: dt.date
    precision: str
    end_reason: str
    decision: LegalInstrument | None
    path: str


@dataclass
class Report:
    committees: list[dict] = field(default_factory=list)
    seats: dict = field(default_factory=lambda: {"created": 0, "ended": 0, "unchanged": 0})
    people: dict = field(default_factory=lambda: {"created": 0, "matched": 0})
    agencies: dict = field(default_factory=lambda: {"created": 0, "matched": 0})
    posts: dict = field(default_factory=lambda: {"created": 0, "matched": 0})
    possible_matches: list[dict] = field(default_factory=list)
    created_agencies: list[str] = field(default_factory=list)
    matched_agencies: list[dict] = field(default_factory=list)
    created_people: list[dict] = field(default_factory=list)
    matched_people: list[dict] = field(default_factory=list)
    ended_seats: list[dict] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict:
        return {
            "committees": self.committees,
            "seats": self.seats,
            "people": self.people,
            "agencies": self.agencies,
            "possible_matches": self.possible_matches,
        }

    def details(self) -> dict:
        return {
            **self.as_json(),
            "posts": self.posts,
            "created_agencies": self.created_agencies,
            "matched_agencies": self.matched_agencies,
            "created_people": self.created_people,
            "matched_people": self.matched_people,
            "ended_seats": self.ended_seats,
        }


def _unique_slug(model, text: str, max_length: int, taken: set[str]) -> str:
    """The name's slug, numbered past those already kept: one query, however many records
    already have the name (a common name's people, a body's namesakes)."""
    base = slug_base(text, max_length=max_length)
    kept = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken or slug in kept:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def _agency_kind(name: str) -> str:
    key = name_key(name)
    for prefix, kind in (
        ("uy ban nhan dan", Agency.Kind.PEOPLES_COMMITTEE),
        ("so ", Agency.Kind.DEPARTMENT),
        ("cong an", Agency.Kind.POLICE),
        ("bo ", Agency.Kind.MINISTRY),
        ("chinh phu", Agency.Kind.GOVERNMENT),
        ("thu tuong", Agency.Kind.GOVERNMENT),
        ("thanh uy", Agency.Kind.PARTY),
        ("tinh uy", Agency.Kind.PARTY),
        ("hoi dong nhan dan", Agency.Kind.LEGISLATURE),
        ("phong ", Agency.Kind.DIVISION),
    ):
        if key.startswith(prefix) or key == prefix.strip():
            return kind
    return Agency.Kind.OTHER


def _committee_kind(name: str, group: bool) -> str:
    if group:
        return Committee.Kind.SUPPORT_GROUP
    key = name_key(name)
    if key.startswith("uy ban quoc gia") or key.startswith("national committee"):
        return Committee.Kind.NATIONAL
    if key.startswith("hoi dong") or "council" in key:
        return Committee.Kind.COUNCIL
    if key.startswith("ban chi dao") or "steering" in key:
        return Committee.Kind.STEERING
    return Committee.Kind.OTHER


_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")


def _target_number(value: str) -> tuple[Decimal | None, str]:
    """A target's comparable number and unit, when its stated value is a plain number
    ("85%", "12 cơ sở dữ liệu"); a range or words keep only the stated text."""
    text = value.strip()
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(.*)", text)
    if not match:
        return None, ""
    try:
        number = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None, ""
    unit = match.group(2).strip()[:50]
    if _NUMBER.search(unit):
        return None, ""
    return number, unit or ""


class Importer:
    def __init__(
        self,
        *,
        by,
        reason: str,
        confirmations: dict[str, str] | None,
        source: str,
        dry_run: bool = False,
    ):
        self.by = by
        self.reason = reason
        self.confirmations = confirmations or {}
        self.dry_run = dry_run
        self.source = source[:500]
        self.report = Report()
        self.problems: list[str] = []
        self.taken_slugs: set[str] = set()
        self._agencies: dict[str, Agency] = {}
        # The agencies and bodies read so far, by name key and by loose key (and level), and
        # the keys they were read for: only those a printed name may mean are ever read.
        self._agency_index: dict[str, list[Agency]] = {}
        self._loose_index: dict[str, list[Agency]] = {}
        self._agency_keys_read: set[str] = set()
        self._posts: dict[tuple[int, str], Position] = {}
        self._positions: dict[int, list[Position]] = {}
        self._committee_index: dict[tuple[str, str], list[Committee]] = {}
        self._committee_loose: dict[tuple[str, str], list[Committee]] = {}
        self._committee_keys_read: set[tuple[str, str]] = set()

    # --- lookups ---------------------------------------------------------------------

    def problem(self, path: str, message) -> None:
        messages = [message] if isinstance(message, str) else list(message)
        # A database rule's own name means nothing to a clerk: say what it protects.
        plain = [m for m in messages if not str(m).startswith("Constraint ")]
        if not plain:
            plain = [_("the change conflicts with the records already kept")]
        self.problems.append(f"{path or '(file)'}: {'; '.join(str(m) for m in plain)}")

    def save(self, instance):
        return save_validated(instance, by=self.by, reason=self.reason)

    def read_names(self, packages: list[Package]) -> None:
        """Read, before anything is written, the agencies and bodies the packages may mean:
        one query for all their agencies, one for all their bodies, whatever is kept."""
        agencies: set[str] = set()
        bodies: set[tuple[str, str]] = set()
        for package in packages:
            agencies |= {package.decision.issuer, package.standing_agency}
            seats = list(package.members)
            names = [package.name, *package.predecessors, package.replaced_by]
            if package.support_group is not None:
                seats += package.support_group.members
                names.append(package.support_group.name)
            agencies |= {seat.agency for seat in seats}
            bodies |= {(name, package.level) for name in names}
        self.read_agencies(agencies)
        self.read_committees(bodies)

    @staticmethod
    def _keys(printed: str) -> set[str]:
        """The name keys a kept name must have to match `printed`, exactly or loosely."""
        return {name_key(printed), *keys_loosely_matching(printed)}

    def read_agencies(self, printed: set[str]) -> None:
        """The agencies kept under a key the printed names may mean (by name or short name),
        and any whose keys were never computed (a row written past `clean()`), added to the
        indexes; each name is still compared by its own keys. No query when all were read."""
        keys = set().union(*(self._keys(name) for name in printed if name)) - self._agency_keys_read
        if not keys:
            return
        self._agency_keys_read |= keys
        indexed = {a.pk for bucket in self._agency_index.values() for a in bucket}
        condition = Q(name_key__in=keys) | Q(short_name_key__in=keys - {""}) | Q(name_key="")
        if "" in keys:
            # A name of no letters or digits ("-") means the agencies whose short name is too.
            condition |= Q(short_name_key="") & ~Q(short_name="")
        rows = Agency.objects.filter(condition).order_by("pk")
        for agency in rows:
            if agency.pk not in indexed:
                self._index_agency(agency)

    def _index_agency(self, agency: Agency) -> None:
        for name in {agency.name, agency.short_name} - {""}:
            self._agency_index.setdefault(name_key(name), []).append(agency)
            self._loose_index.setdefault(loose_key(name), []).append(agency)

    def find_agency(self, printed: str) -> Agency | None:
        """The agency kept under the printed name (folded, abbreviations spelled out), else
        under it without its trailing place; the first kept when several are. Creates
        nothing; the agencies a file names are read once for the whole import."""
        if not printed:
            return None
        key = name_key(printed)
        if key in self._agencies:
            return self._agencies[key]
        self.read_agencies({printed})
        found = self._agency_index.get(key) or self._loose_index.get(loose_key(printed)) or []
        return min(found, key=lambda a: a.pk) if found else None

    def agency(self, printed: str, level: str) -> Agency | None:
        if not printed:
            return None
        key = name_key(printed)
        if key in self._agencies:
            return self._agencies[key]
        agency = self.find_agency(printed)
        if agency is not None:
            self.report.agencies["matched"] += 1
            self.report.matched_agencies.append({"as_printed": printed, "agency": agency.name})
        else:
            level = level if level in Level.values else Level.CITY
            agency = self.save(
                Agency(
                    name=printed,
                    slug=_unique_slug(Agency, printed, 120, self.taken_slugs),
                    kind=_agency_kind(printed),
                    level=level,
                    source=self.source,
                )
            )
            self._index_agency(agency)
            self.report.agencies["created"] += 1
            self.report.created_agencies.append(printed)
        self._agencies[key] = agency
        return agency

    def post(self, agency: Agency | None, title: str) -> Position | None:
        if not title or agency is None:
            return None
        key = (agency.pk, name_key(title))
        if key in self._posts:
            return self._posts[key]
        if agency.pk not in self._positions:
            self._positions[agency.pk] = list(agency.positions.all())
        found = next((p for p in self._positions[agency.pk] if name_key(p.title) == key[1]), None)
        if found is None:
            found = self.save(
                Position(
                    agency=agency,
                    title=title,
                    single_holder=not fold(title).startswith(("pho ", "uy vien", "thanh vien")),
                    source=self.source,
                )
            )
            self._positions[agency.pk].append(found)
            self.report.posts["created"] += 1
        else:
            self.report.posts["matched"] += 1
        self._posts[key] = found
        return found

    def decision(self, package: Package, level: str) -> LegalInstrument | None:
        given = package.decision
        if not given.given:
            return None
        issuer = self.agency(given.issuer, level)
        found = None
        # The instruments the number or title may name, in one query whatever is kept.
        condition = Q()
        if given.number:
            condition |= Q(number__iexact=given.number)
            condition |= Q(search_key__startswith=fold(given.number))
        if given.title:
            condition |= Q(search_key__contains=fold(given.title)[:200])
        candidates = list(LegalInstrument.objects.filter(condition)) if condition else []
        if given.number:
            by_number = [
                i for i in candidates if i.number and i.number.casefold() == given.number.casefold()
            ] or [i for i in candidates if i.number and fold(i.number) == fold(given.number)]
            found = next(
                (i for i in by_number if issuer is None or i.issuer_id in (None, issuer.pk)), None
            )
        if found is None and given.title:
            found = next(
                (
                    i
                    for i in candidates
                    if fold(i.title) == fold(given.title) and fold(i.number) == fold(given.number)
                ),
                None,
            )
        printed = given.issuer if issuer is not None and given.issuer != issuer.name else ""
        if found is None:
            return self.save(
                LegalInstrument(
                    kind=LegalInstrument.Kind.DECISION,
                    number=given.number,
                    title=given.title or given.number or package.name,
                    issuer=issuer,
                    issuer_as_printed=printed,
                    signed_on=given.date.date,
                    signed_precision=given.date.precision,
                    source=self.source,
                )
            )
        changed = False
        if found.signed_on is None and given.date.date:
            found.signed_on, found.signed_precision = given.date.date, given.date.precision
            changed = True
        if found.issuer_id is None and issuer is not None:
            found.issuer = issuer
            changed = True
        if found.issuer_id == getattr(issuer, "pk", None) and found.issuer_as_printed != printed:
            found.issuer_as_printed = printed
            changed = True
        if changed:
            self.save(found)
        return found

    def read_committees(self, wanted: set[tuple[str, str]]) -> None:
        """The bodies kept at the level under a key the printed names may mean, and any
        whose key was never computed, added to the indexes. No query when all were read."""
        keys = {(key, level) for name, level in wanted if name for key in self._keys(name)}
        keys -= self._committee_keys_read
        if not keys:
            return
        self._committee_keys_read |= keys
        rows = Committee.objects.filter(
            Q(name_key__in={key for key, _level in keys}, level__in={lvl for _key, lvl in keys})
            | Q(name_key="")
        ).order_by("pk")
        for committee in rows:
            self._index(committee)

    def find_committee(self, name: str, level: str, parent: Committee | None = None):
        """A body already kept: same folded name (abbreviations spelled out) and level, else
        the same name without its trailing place ("… TP.HCM"), when only one body has it."""
        self.read_committees({(name, level)})
        for index, key in (
            (self._committee_index, name_key(name)),
            (self._committee_loose, loose_key(name)),
        ):
            found = index.get((key, level)) or []
            if parent is not None:
                found = [c for c in found if c.parent_id == parent.pk]
            if len({c.pk for c in found}) == 1:
                return found[0]
        return None

    def _index(self, committee: Committee) -> None:
        for index, key in (
            (self._committee_index, name_key(committee.name)),
            (self._committee_loose, loose_key(committee.name)),
        ):
            bucket = index.setdefault((key, committee.level), [])
            if all(c.pk != committee.pk for c in bucket):
                bucket.append(committee)

    def index_committee(self, committee: Committee) -> None:
        self._index(committee)

    # --- bodies ----------------------------------------------------------------------

    def body(
        self,
        package: Package,
        *,
        group: Group | None = None,
        parent: Committee | None = None,
        decision: LegalInstrument | None,
    ) -> Committee:
        name = group.name if group else package.name
        path = group.path if group else package.path
        existing = self.find_committee(name, package.level, parent)
        if existing is None:
            if self.by is not None and not permissions.can_import_package(self.by, parent):
                raise PermissionDenied(
                    _("%(path)s: only an administrator may add a new body (%(name)s).")
                    % {"path": path or "(file)", "name": name}
                )
            committee = Committee(
                slug=_unique_slug(Committee, name, 150, self.taken_slugs),
                kind=_committee_kind(name, group is not None),
            )
            action = "created"
        else:
            if self.by is not None and not permissions.can_import_package(self.by, existing):
                raise PermissionDenied(
                    _("%(path)s: you may not change %(name)s.")
                    % {"path": path or "(file)", "name": existing.name}
                )
            committee = existing
            action = "updated"
        values = {"name": name, "level": package.level, "parent": parent}
        declared = group.declared if group else package.declared
        values["declared_member_count"] = declared
        if declared is not None:
            values["declared_by"] = decision
        if decision is not None:
            values["established_by"] = decision
            if committee.founded_on is None and package.decision.date.date:
                values["founded_on"] = package.decision.date.date
                values["founded_precision"] = package.decision.date.precision
        if group is None:
            standing = self.agency(package.standing_agency, package.level)
            if committee.jurisdiction_area_id is None and package.jurisdiction:
                values["jurisdiction_area"] = area_named(package.jurisdiction)
            values.update(
                name_en=package.name_en,
                jurisdiction=package.jurisdiction,
                standing_agency=standing,
                standing_agency_as_printed=(
                    package.standing_agency
                    if standing is not None and standing.name != package.standing_agency
                    else ""
                ),
                replaced_by_as_printed=package.replaced_by,
            )
            sources = list(committee.sources or [])
            for item in package.sources:
                if item not in sources:
                    sources.append(item)
            values["sources"] = sources
        if not committee.source:
            values["source"] = self.source
        changed = [k for k, v in values.items() if getattr(committee, k) != v]
        for key in changed:
            setattr(committee, key, values[key])
        if action == "created" or changed:
            try:
                self.save(committee)
            except ValidationError as exc:
                self.problem(path, exc.messages)
                raise _Rollback() from exc
            if action == "updated" and changed == ["source"]:
                action = "unchanged"
        else:
            action = "unchanged"
        if (
            declared is not None
            and not committee.declared_counts.filter(count=declared, decision=decision).exists()
        ):
            self.save(
                DeclaredCount(
                    committee=committee,
                    count=declared,
                    decision=decision,
                    date=package.decision.date.date,
                    date_precision=package.decision.date.precision,
                )
            )
        self.index_committee(committee)
        self.report.committees.append(
            {"name": committee.name, "slug": committee.slug, "action": action}
        )
        return committee

    def predecessors(self, package: Package, committee: Committee, decision) -> None:
        when = package.decision.date
        kind = (
            Succession.Kind.MERGED_INTO
            if len(package.predecessors) > 1
            else Succession.Kind.REPLACED_BY
        )
        for printed in package.predecessors:
            found = self.find_committee(printed, package.level)
            if found is None or found.pk == committee.pk:
                found = self.save(
                    Committee(
                        name=printed,
                        slug=_unique_slug(Committee, printed, 150, self.taken_slugs),
                        kind=_committee_kind(printed, False),
                        level=package.level,
                        dissolved_on=when.date,
                        dissolved_precision=when.precision,
                        source=self.source,
                    )
                )
                self.index_committee(found)
            succession_record(
                predecessor=found,
                successor=committee,
                kind=kind,
                as_printed=printed if printed != found.name else "",
                on=when.date,
                precision=when.precision,
                decision=decision,
                source=self.source,
                reason=self.reason,
                by=self.by,
            )

    def mandates_and_targets(self, package: Package, committee: Committee, decision) -> None:
        existing = {m.order: m for m in committee.mandates.all()}
        for order, text in enumerate(package.mandates, start=1):
            mandate = existing.get(order)
            if mandate is None:
                mandate = self.save(
                    Mandate(committee=committee, order=order, text=text, source=self.source)
                )
                if decision is not None:
                    mandate.legal_basis.add(decision)
            elif mandate.text != text:
                mandate.text = text
                self.save(mandate)
        targets = {fold(t.indicator): t for t in committee.targets.all()}
        for item in package.targets:
            number, unit = _target_number(item.value)
            values = {
                "value_text": item.value,
                "deadline": normalise(item.deadline.date, item.deadline.precision),
                "deadline_precision": item.deadline.precision,
            }
            if number is not None:
                values.update(target_value=number, unit=unit)
            target = targets.get(fold(item.text))
            if target is None:
                target = Target(
                    committee=committee,
                    indicator=item.text,
                    source=self.source,
                    source_instrument=decision,
                    **{"unit": "", "target_value": None, **values},
                )
                self.save(target)
                targets[fold(item.text)] = target
                continue
            changed = [k for k, v in values.items() if getattr(target, k) != v]
            for key in changed:
                setattr(target, key, values[key])
            if changed:
                self.save(target)

    # --- seats -----------------------------------------------------------------------

    def _namesakes(
        self, keys: set[str], open_seats: list[Membership]
    ) -> tuple[dict[str, list[Person]], dict[int, set[KnownPost]]]:
        """The people of each (folded) name and those seated on the body under it (under
        the name their seat was printed with, too), with what the registry knows each by:
        the same queries whatever the registry holds, however many namesakes they find."""
        found: dict[str, list[Person]] = defaultdict(list)
        keys = keys - {""}
        if not keys:
            return found, {}
        condition = Q()
        for key in sorted(keys):
            condition |= Q(search_key__startswith=key)
        people = Person.objects.filter(condition, merged_into__isnull=True)
        for person in people.order_by("pk"):
            if fold(person.full_name) in keys:
                found[fold(person.full_name)].append(person)
        seated = {m.person_id for m in open_seats if m.person_id}
        for membership in open_seats:
            if membership.person is None:
                continue
            printed = getattr(membership, "as_printed", None)
            names = {fold(membership.person.full_name), fold(printed.person) if printed else ""}
            for key in names & keys:
                if all(p.pk != membership.person_id for p in found[key]):
                    found[key].append(membership.person)
        everyone = Person.objects.filter(Q(pk__in=people.values("pk")) | Q(pk__in=seated))
        known = known_posts(everyone)
        # The posts their seats were printed with are known too.
        printed_posts = (
            SeatAsPrinted.objects.filter(membership__person__in=everyone)
            .exclude(post="", agency="")
            .values_list("membership__person_id", "post", "agency")
        )
        for person_id, post, agency in printed_posts:
            known[person_id].add(KnownPost(post, agency))
        return found, known

    def _agency_names(self, printed: str) -> list[str]:
        """The names a printed agency goes by: as printed, and the agency kept under it."""
        found = self.find_agency(printed)
        names = [printed, *((found.name, found.short_name) if found is not None else ())]
        return [name for name in names if name]

    def person(
        self,
        seat: Seat,
        committee: Committee,
        candidates: list[Person],
        *,
        seated: set[int],
        named_once: bool,
        known: dict[int, set[KnownPost]],
    ) -> tuple[Person | None, bool]:
        """Whom a printed seat names: the clerk's choice, or members.matching's rule (the
        one rule of the roster import too); a new person otherwise. The second value says
        whether the person was already in the registry; (None, False) after a problem."""
        choice = self.confirmations.get(seat.path)
        if choice and choice != NEW:
            chosen = next((p for p in candidates if str(p.pk) == str(choice)), None)
            if chosen is None:
                self.problem(seat.path, _("the person chosen as the same person is not a namesake"))
                return None, False
            return chosen, True
        if choice != NEW:
            match = namesake_match(
                candidates,
                seated=seated,
                named_once=named_once,
                post=seat.post,
                agencies=self._agency_names(seat.agency),
                known=known,
            )
            if match.person is not None:
                return match.person, True
            if match.possible:
                self.report.possible_matches.append(
                    {
                        "path": seat.path,
                        "name": seat.person,
                        "post": seat.post,
                        "home_agency": seat.agency,
                        "candidates": [
                            {
                                "id": candidate.pk,
                                "slug": candidate.slug,
                                "name": candidate.full_name,
                                "posts": described(known.get(candidate.pk, ())),
                            }
                            for candidate in match.candidates
                        ],
                    }
                )
                if match.contested and not self.dry_run:
                    # Taking the row for a new person would end the seated member's seat:
                    # nothing changes until the clerk says which it is.
                    self.problem(
                        seat.path,
                        _(
                            "%(name)s already sits on %(body)s, but the registry does not know "
                            "them as “%(post)s”, and a name alone does not make two records "
                            "one person: confirm whether this is the same person or a new one."
                        )
                        % {
                            "name": seat.person,
                            "body": committee.name,
                            "post": " — ".join(p for p in (seat.post, seat.agency) if p),
                        },
                    )
        person = self.save(
            Person(
                full_name=seat.person,
                slug=_unique_slug(Person, seat.person, 220, self.taken_slugs),
                source=self.source,
            )
        )
        self.report.people["created"] += 1
        self.report.created_people.append({"path": seat.path, "name": person.full_name})
        return person, False

    def seats(
        self,
        seats: list[Seat],
        committee: Committee,
        *,
        level: str,
        start: When,
        decision,
    ) -> tuple[list[SeatChange], list[SeatClose]]:
        open_seats = list(
            Membership.objects.filter(committee=committee, end_date__isnull=True).select_related(
                "person", "position", "home_agency", "as_printed"
            )
        )
        opens: list[SeatChange] = []
        closes: list[SeatClose] = []
        rows_named = Counter(fold(seat.person) for seat in seats if seat.person)
        namesakes, known = self._namesakes(set(rows_named), open_seats)
        claimed: set[int] = set()  # people an earlier seat of this body already named
        for order, seat in enumerate(seats):
            role, _printed = role_of(seat.role_title)
            if not seat.person:
                match = next((m for m in open_seats if self._same_seat(m, seat, role)), None)
                if match is not None:
                    self._unchanged(open_seats, match, seat, order)
                    continue
                agency = self.agency(seat.agency, level)
                opens.append(
                    SeatChange(
                        seat=seat,
                        order=order,
                        committee=committee,
                        role=role,
                        person=None,
                        position=self.post(agency, seat.post),
                        agency=agency,
                        start=start,
                        decision=decision,
                        source=self.source,
                    )
                )
                continue
            same = next(
                (m for m in open_seats if m.person_id and self._same_seat(m, seat, role)), None
            )
            if (
                same is not None
                and seat.path not in self.confirmations
                and (
                    not (seat.post or seat.agency)
                    or known_by(
                        known.get(same.person_id, ()),
                        post=seat.post,
                        agencies=self._agency_names(seat.agency),
                    )
                )
            ):
                # The same seat printed again, nothing in it the registry does not know
                # (two namesakes on one body are told apart by their roles).
                claimed.add(same.person_id)
                self._unchanged(open_seats, same, seat, order)
                continue
            person, existing = self.person(
                seat,
                committee,
                [p for p in namesakes[fold(seat.person)] if p.pk not in claimed],
                seated={m.person_id for m in open_seats if m.person_id},
                named_once=rows_named[fold(seat.person)] == 1,
                known=known,
            )
            if person is None:
                continue
            claimed.add(person.pk)
            held = next((m for m in open_seats if m.person_id == person.pk), None)
            if held is not None and held.role == role:
                self._unchanged(open_seats, held, seat, order)
                continue
            if existing:
                self.report.people["matched"] += 1
                self.report.matched_people.append({"path": seat.path, "name": person.full_name})
            if held is not None:
                # A member of this body named in another role: the same person changes role
                # (the old seat ends the day before).
                open_seats.remove(held)
                on, precision = _end_before(start, held)
                closes.append(
                    SeatClose(
                        membership=held,
                        on=on,
                        precision=precision,
                        end_reason=Membership.EndReason.ROLE_CHANGED,
                        decision=decision,
                        path=seat.path,
                    )
                )
                agency = self.agency(seat.agency, level) if seat.agency else held.home_agency
                position = self.post(agency, seat.post) if seat.post else held.position
                title = seat.post or held.title_at_appointment
            else:
                agency = self.agency(seat.agency, level)
                position = self.post(agency, seat.post)
                title = ""
            opens.append(
                SeatChange(
                    seat=seat,
                    order=order,
                    committee=committee,
                    role=role,
                    person=person,
                    position=position,
                    agency=agency,
                    start=start,
                    decision=decision,
                    source=self.source,
                    title=title,
                )
            )
        for membership in open_seats:
            on, precision = _end_before(start, membership)
            closes.append(
                SeatClose(
                    membership=membership,
                    on=on,
                    precision=precision,
                    end_reason=Membership.EndReason.REPLACED,
                    decision=decision,
                    path=committee.name,
                )
            )
        return opens, closes

    def _unchanged(
        self, open_seats: list[Membership], membership: Membership, seat: Seat, order: int
    ) -> None:
        open_seats.remove(membership)
        self.report.seats["unchanged"] += 1
        if getattr(membership, "as_printed", None) is None:
            SeatAsPrinted.objects.create(
                membership=membership,
                order=order,
                person=seat.person,
                role_title=seat.role_title,
                post=seat.post,
                agency=seat.agency,
            )

    @staticmethod
    def _same_seat(membership: Membership, seat: Seat, role: str) -> bool:
        printed = getattr(membership, "as_printed", None)
        person_name = membership.person.full_name if membership.person_id else ""
        if printed is not None:
            person_name = printed.person or person_name
        if fold(person_name) != fold(seat.person) or membership.role != role:
            return False
        if seat.person:
            return True
        post = printed.post if printed is not None else membership.title_at_appointment
        return name_key(post) == name_key(seat.post)


def _end_before(start: When, membership: Membership) -> tuple[dt.date, str]:
    """A seat the new decision leaves out ends just before the decision's period begins (the
    period before, at the decision's precision), or within it when it began there."""
    if start.date is None:
        return timezone.localdate(), Precision.DAY
    first = normalise(start.date, start.precision)
    before = first - dt.timedelta(days=1)
    if membership.start_date is not None and membership.start_date > before:
        return start.date, start.precision
    return normalise(before, start.precision), start.precision


def roster_changes(opens: list[SeatChange], closes: list[SeatClose]) -> list:
    """The planned seats as the roster writer's changes: the ends, then the openings."""
    from members.roster_writer import SeatEnd, SeatOpen

    changes: list = [
        SeatEnd(
            membership=close.membership,
            on=close.on,
            precision=close.precision,
            end_reason=close.end_reason,
            decision=close.decision,
            where=close.path,
        )
        for close in closes
    ]
    changes += [
        SeatOpen(
            committee=change.committee,
            person=change.person,
            role=change.role,
            role_title=change.seat.role_title,
            start=change.start.date,
            start_precision=change.start.precision,
            position=change.position,
            title=change.seat.post or change.title,
            home_agency=change.agency,
            decision=change.decision,
            source=change.source,
            where=change.seat.path,
        )
        for change in opens
    ]
    return changes


def _write_seats(
    opens: list[SeatChange], closes: list[SeatClose], *, by, reason: str
) -> list[tuple[SeatChange, Membership]]:
    """THE one place the import writes seats: through the one roster writer, the whole plan
    at once (its rules checked on every seat of the bodies it touches)."""
    from members.roster_writer import roster_apply

    changes = roster_changes(opens, closes)
    if not changes:
        return []
    result = roster_apply(changes, reason=reason, by=by)
    return list(zip(opens, result.opened, strict=True))


def import_packages(
    packages: list[Package],
    *,
    by=None,
    reason: str,
    dry_run: bool = False,
    confirmations: dict[str, str] | None = None,
    file_name: str = "",
) -> Report:
    """Import the packages all or nothing; raise PackageInvalid listing every problem."""
    if not (reason or "").strip():
        raise PackageInvalid([_("(file): say why: a reason is required")])
    source = file_name or reason
    importer = Importer(
        by=by, reason=reason, confirmations=confirmations, source=source, dry_run=dry_run
    )
    report = importer.report
    report.dry_run = dry_run
    try:
        with transaction.atomic():
            _run(importer, packages)
            if importer.problems:
                raise _Rollback()
            if dry_run:
                raise _Rollback()
            PackageImport.objects.create(
                by=by if by is not None and by.is_authenticated else None,
                reason=reason[:500],
                file_name=file_name[:300],
                summary=report.as_json(),
            )
    except _Rollback:
        pass
    except PermissionDenied as exc:
        raise PackageInvalid([str(exc)]) from exc
    if importer.problems:
        raise PackageInvalid(importer.problems)
    return report


def _run(importer: Importer, packages: list[Package]) -> None:
    importer.read_names(packages)
    bodies = []
    for package in packages:
        try:
            with transaction.atomic():
                _body(importer, package, bodies)
        except ValidationError as exc:
            importer.problem(package.path, exc.messages)
    for package, seats, committee, decision, path in bodies:
        start = package.decision.date
        opens, closes = importer.seats(
            seats, committee, level=package.level, start=start, decision=decision
        )
        importer.report.seats["created"] += len(opens)
        importer.report.seats["ended"] += len(closes)
        for close in closes:
            importer.report.ended_seats.append(
                {
                    "committee": committee.name,
                    "person": str(close.membership.person or close.membership.title_at_appointment),
                }
            )
        _apply_seats(importer, opens, closes, path)
    for package, _seats, committee, _decision, _path in bodies:
        if package.replaced_by and committee.parent_id is None:
            _replaced(importer, package, committee)


def _body(importer: Importer, package: Package, bodies: list) -> None:
    decision = importer.decision(package, package.level)
    committee = importer.body(package, decision=decision)
    importer.predecessors(package, committee, decision)
    importer.mandates_and_targets(package, committee, decision)
    bodies.append((package, package.members, committee, decision, package.path))
    if package.support_group is not None:
        group = importer.body(
            package, group=package.support_group, parent=committee, decision=decision
        )
        bodies.append(
            (package, package.support_group.members, group, decision, package.support_group.path)
        )


def _apply_seats(importer: Importer, opens, closes, path: str) -> None:
    try:
        with transaction.atomic():
            written = _write_seats(opens, closes, by=importer.by, reason=importer.reason)
            for change, membership in written:
                SeatAsPrinted.objects.create(
                    membership=membership,
                    order=change.order,
                    person=change.seat.person,
                    role_title=change.seat.role_title,
                    post=change.seat.post,
                    agency=change.seat.agency,
                )
    except RosterRefused as exc:
        for problem in exc.problems:
            importer.problem(problem.where or path or "members", problem.message)
    except ValidationError as exc:
        if not _locate(importer, opens, closes):
            importer.problem(path or "members", exc.messages)


def _locate(importer: Importer, opens, closes) -> bool:
    """The roster refused the plan: try its seats one by one (and roll back) to say which
    seat each refusal is about. True when at least one was found."""
    found = False
    try:
        with transaction.atomic():
            for close in closes:
                try:
                    with transaction.atomic():
                        _write_seats([], [close], by=importer.by, reason=importer.reason)
                except ValidationError as exc:
                    importer.problem(close.path, exc.messages)
                    found = True
            for change in opens:
                try:
                    with transaction.atomic():
                        _write_seats([change], [], by=importer.by, reason=importer.reason)
                except ValidationError as exc:
                    importer.problem(change.seat.path, exc.messages)
                    found = True
            raise _Rollback()
    except _Rollback:
        pass
    return found


def _replaced(importer: Importer, package: Package, committee: Committee) -> None:
    """`dissolved_or_replaced_by`: when the successor is kept and its founding date known,
    the body is dissolved then and its open seats end on that date."""
    successor = importer.find_committee(package.replaced_by, package.level)
    if successor is None or successor.pk == committee.pk:
        return
    path = f"{package.path}.dissolved_or_replaced_by".lstrip(".")
    try:
        with transaction.atomic():
            if successor.founded_on is not None and committee.dissolved_on is None:
                # The one lineage service: the body ends, its open seats end citing the
                # successor's founding decision, and the step is recorded.
                ended = committee_dissolve(
                    committee=committee,
                    on=successor.founded_on,
                    precision=successor.founded_precision,
                    decision=successor.established_by,
                    successor=successor,
                    kind=Succession.Kind.REPLACED_BY,
                    source=importer.source,
                    reason=importer.reason,
                    by=importer.by,
                )
                importer.report.seats["ended"] += len(ended)
                committee.refresh_from_db()
            else:
                succession_record(
                    predecessor=committee,
                    successor=successor,
                    kind=Succession.Kind.REPLACED_BY,
                    on=successor.founded_on,
                    precision=successor.founded_precision,
                    decision=successor.established_by,
                    source=importer.source,
                    reason=importer.reason,
                    by=importer.by,
                )
    except ValidationError as exc:
        importer.problem(path, exc.messages)


def area_named(text: str):
    """The area a package's jurisdiction names, matched by folded name; None when no area, or
    more than one, has that name (never a guess)."""
    from areas.models import Area

    matches = list(Area.objects.filter(search_key=fold(text))[:2])
    return matches[0] if len(matches) == 1 else None
