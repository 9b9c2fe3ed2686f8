"""The committee package read and checked: every problem found, each with its path.

A package is one JSON object (or an array of them) as docs/committee-package.md describes.
`read_packages` returns the packages as plain data classes, or raises PackageInvalid listing
every problem ("[0].members[3].person: …"); nothing is looked up in the database here.
"""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from committees.models import Level
from committees.names import name_key
from committees.partial_dates import Precision, iso_partial, parse_partial_date
from committees.text import fold, nfc

PACKAGE_KEYS = (
    "name",
    "name_en",
    "level",
    "jurisdiction",
    "established_by",
    "predecessors",
    "dissolved_or_replaced_by",
    "declared_member_count",
    "members",
    "standing_agency",
    "support_group",
    "mandates",
    "targets",
    "sources",
)
DECISION_KEYS = ("number", "date", "issuer", "title")
SEAT_KEYS = ("person", "role_in_committee", "position_in_home_agency", "home_agency")
GROUP_KEYS = ("name", "declared_member_count", "members")
TARGET_KEYS = ("text", "value", "deadline")
SOURCE_KEYS = ("url", "date", "title")
MAX_PACKAGES = 500
MAX_SEATS = 2000


@dataclass(frozen=True)
class When:
    date: dt.date | None = None
    precision: str = Precision.DAY

    def iso(self) -> str:
        return iso_partial(self.date, self.precision)


@dataclass
class Seat:
    path: str
    person: str
    role_title: str
    post: str
    agency: str

    def person_key(self) -> str:
        return fold(self.person)


@dataclass
class Decision:
    number: str = ""
    date: When = field(default_factory=When)
    issuer: str = ""
    title: str = ""

    @property
    def given(self) -> bool:
        return bool(self.number or self.title or self.date.date)


@dataclass
class Group:
    path: str
    name: str
    declared: int | None
    members: list[Seat]


@dataclass
class Target:
    text: str
    value: str
    deadline: When


@dataclass
class Package:
    path: str
    name: str
    name_en: str = ""
    level: str = Level.CITY
    jurisdiction: str = ""
    decision: Decision = field(default_factory=Decision)
    predecessors: list[str] = field(default_factory=list)
    replaced_by: str = ""
    declared: int | None = None
    members: list[Seat] = field(default_factory=list)
    standing_agency: str = ""
    support_group: Group | None = None
    mandates: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)


class PackageInvalid(ValidationError):
    """Every problem of a package, each as "path: message"."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems)


class _Reader:
    def __init__(self):
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '(file)'}: {message}")

    def keys(self, value, path: str, known: tuple[str, ...], required=()) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, _("expected an object"))
            return None
        for key in value:
            if key not in known:
                self.problem(f"{path}.{key}".lstrip("."), _("unknown key"))
        for key in required:
            if key not in value:
                self.problem(f"{path}.{key}".lstrip("."), _("required"))
        return value

    def text(self, data: dict, key: str, path: str, *, required=False, limit=500) -> str:
        value = data.get(key, "")
        where = f"{path}.{key}".lstrip(".")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(where, _("expected text"))
            return ""
        value = nfc(value)
        if required and not value:
            self.problem(where, _("must not be empty"))
        if len(value) > limit:
            self.problem(where, _("too long (at most %(limit)s characters)") % {"limit": limit})
        return value

    def count(self, data: dict, key: str, path: str) -> int | None:
        value = data.get(key)
        where = f"{path}.{key}".lstrip(".")
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            if isinstance(value, str) and value.strip().isdigit():
                return int(value.strip())
            self.problem(where, _("expected a whole number or null"))
            return None
        return value

    def when(self, data: dict, key: str, path: str) -> When:
        value = data.get(key, "")
        where = f"{path}.{key}".lstrip(".")
        if value in (None, ""):
            return When()
        if not isinstance(value, str):
            self.problem(where, _("expected a date as text"))
            return When()
        try:
            date, precision = parse_partial_date(value)
        except ValueError:
            self.problem(
                where,
                _(
                    'not a date: "%(value)s" (write 13/03/2025, 2025-03-13, 03/2025, Q2/2025 or 2025)'
                )
                % {"value": value},
            )
            return When()
        return When(date, precision)

    def text_list(self, data: dict, key: str, path: str) -> list[str]:
        value = data.get(key) or []
        where = f"{path}.{key}".lstrip(".")
        if not isinstance(value, list):
            self.problem(where, _("expected a list"))
            return []
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(f"{where}[{index}]", _("expected text"))
                continue
            if nfc(item):
                items.append(nfc(item))
        return items

    def seats(self, data: dict, path: str) -> list[Seat]:
        value = data.get("members") or []
        where = f"{path}.members".lstrip(".")
        if not isinstance(value, list):
            self.problem(where, _("expected a list"))
            return []
        if len(value) > MAX_SEATS:
            self.problem(where, _("too many seats (at most %(limit)s)") % {"limit": MAX_SEATS})
            return []
        seats = []
        for index, item in enumerate(value):
            seat_path = f"{where}[{index}]"
            item = self.keys(item, seat_path, SEAT_KEYS)
            if item is None:
                continue
            seat = Seat(
                path=seat_path,
                person=self.text(item, "person", seat_path, limit=200),
                role_title=self.text(item, "role_in_committee", seat_path, limit=200),
                post=self.text(item, "position_in_home_agency", seat_path, limit=300),
                agency=self.text(item, "home_agency", seat_path, limit=300),
            )
            if not seat.person and not seat.post:
                self.problem(
                    seat_path,
                    _("a seat names a person or, for a seat named by its title, the post"),
                )
            seats.append(seat)
        self.clashes(seats)
        return seats

    def clashes(self, seats: list[Seat]) -> None:
        """Two seats of one person in one body: same name, same post and agency (namesakes
        with different posts are two people). Two holders of a one-holder role clash too."""
        from packages.roles import SINGLE_ROLES, role_of

        seen: dict[tuple, str] = {}
        single: dict[str, str] = {}
        for seat in seats:
            if seat.person:
                key = (seat.person_key(), name_key(seat.post), name_key(seat.agency))
            else:
                key = ("", name_key(seat.post), name_key(seat.agency), fold(seat.role_title))
            if key in seen:
                self.problem(
                    seat.path,
                    _("the same seat as %(other)s: one person cannot hold two seats of one body")
                    % {"other": seen[key]},
                )
            seen.setdefault(key, seat.path)
            role = role_of(seat.role_title)[0]
            if role in SINGLE_ROLES:
                if role in single:
                    self.problem(
                        seat.path,
                        _("%(role)s is already held by %(other)s; a body has one at a time")
                        % {"role": seat.role_title, "other": single[role]},
                    )
                single.setdefault(role, seat.path)

    def package(self, data, path: str) -> Package | None:
        data = self.keys(data, path, PACKAGE_KEYS, required=("name",))
        if data is None:
            return None
        package = Package(path=path, name=self.text(data, "name", path, required=True, limit=400))
        package.name_en = self.text(data, "name_en", path, limit=400)
        package.jurisdiction = self.text(data, "jurisdiction", path, limit=300)
        level = self.text(data, "level", path) or Level.CITY
        if level not in Level.values:
            self.problem(
                f"{path}.level".lstrip("."),
                _('unknown level "%(level)s" (one of: %(levels)s)')
                % {"level": level, "levels": ", ".join(Level.values)},
            )
        package.level = level
        decision = data.get("established_by")
        if decision is not None:
            where = f"{path}.established_by".lstrip(".")
            decision = self.keys(decision, where, DECISION_KEYS)
            if decision is not None:
                package.decision = Decision(
                    number=self.text(decision, "number", where, limit=100),
                    date=self.when(decision, "date", where),
                    issuer=self.text(decision, "issuer", where, limit=300),
                    title=self.text(decision, "title", where, limit=500),
                )
        package.predecessors = self.text_list(data, "predecessors", path)
        package.replaced_by = self.text(data, "dissolved_or_replaced_by", path, limit=400)
        package.declared = self.count(data, "declared_member_count", path)
        package.members = self.seats(data, path)
        package.standing_agency = self.text(data, "standing_agency", path, limit=300)
        group = data.get("support_group")
        if group is not None:
            where = f"{path}.support_group".lstrip(".")
            group = self.keys(group, where, GROUP_KEYS, required=("name",))
            if group is not None:
                package.support_group = Group(
                    path=where,
                    name=self.text(group, "name", where, required=True, limit=400),
                    declared=self.count(group, "declared_member_count", where),
                    members=self.seats(group, where),
                )
        package.mandates = self.text_list(data, "mandates", path)
        for key, known, target in (("targets", TARGET_KEYS, True), ("sources", SOURCE_KEYS, False)):
            value = data.get(key) or []
            where = f"{path}.{key}".lstrip(".")
            if not isinstance(value, list):
                self.problem(where, _("expected a list"))
                continue
            for index, item in enumerate(value):
                item_path = f"{where}[{index}]"
                item = self.keys(item, item_path, known)
                if item is None:
                    continue
                if target:
                    package.targets.append(
                        Target(
                            text=self.text(item, "text", item_path, required=True),
                            value=self.text(item, "value", item_path, limit=200),
                            deadline=self.when(item, "deadline", item_path),
                        )
                    )
                else:
                    package.sources.append(
                        {
                            "url": self.text(item, "url", item_path),
                            "date": self.when(item, "date", item_path).iso(),
                            "title": self.text(item, "title", item_path),
                        }
                    )
        return package


def read_packages(data) -> list[Package]:
    """Packages from parsed JSON (an object or an array); raises PackageInvalid."""
    reader = _Reader()
    if isinstance(data, dict):
        items, prefix = [data], False
    elif isinstance(data, list):
        items, prefix = data, True
        if not items:
            reader.problem("", _("the file holds no package"))
        if len(items) > MAX_PACKAGES:
            reader.problem("", _("too many packages (at most %(limit)s)") % {"limit": MAX_PACKAGES})
            items = []
    else:
        reader.problem("", _("expected a package (an object) or a list of packages"))
        items, prefix = [], False
    packages = []
    for index, item in enumerate(items):
        package = reader.package(item, f"[{index}]" if prefix else "")
        if package is not None:
            packages.append(package)
    seen: dict[tuple[str, str], str] = {}
    for package in packages:
        key = (name_key(package.name), package.level)
        if key in seen:
            reader.problem(
                f"{package.path}.name".lstrip("."),
                _("the same body as %(other)s") % {"other": seen[key] or "(file)"},
            )
        seen.setdefault(key, package.path)
    if reader.problems:
        raise PackageInvalid(reader.problems)
    return packages


def parse_json(raw: bytes | str) -> list[Package]:
    """Packages from a JSON file's bytes; bad JSON is refused with its line and column."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise PackageInvalid([_("(file): not UTF-8 text")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageInvalid(
            [
                _("(file): not valid JSON at line %(line)s, column %(column)s: %(message)s")
                % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
            ]
        ) from None
    return read_packages(data)
