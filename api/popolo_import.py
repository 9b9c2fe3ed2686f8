"""Popolo import: other registries' persons, bodies, areas, posts and memberships, as
EveryPolitician publishes them.

All or nothing: the whole document is type-checked first (api.popolo_check), then imported
in one transaction; any problem anywhere — a value of the wrong type, a date that does not
exist, an unknown reference, a seat that breaks a roster rule — refuses the whole file, and
the refusal lists every problem with its path (`memberships[12].start_date: 2022-02-31 is
not a date`). Nothing is dropped silently: a field the importer does not know is kept as
given in PopoloExtras and exported back; every source is kept.
Idempotent: records are matched on the ids and identifiers they came with (kept as
ExternalIdentifier rows); bodies and agencies already in the registry are also matched on
their folded name and level, so a second import of the same file creates nothing and a file
naming "Chính phủ" finds the registry's own. The report lists each match.
New persons and memberships are validated in memory (every roster rule, the overlap
rules included) and then bulk-created with their history rows, for speed; every seat
write goes through write_seat_changes().
"""

import datetime as dt
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from api.models import (
    POPOLO_ID_SCHEME,
    ExternalIdentifier,
    MembershipPeriod,
    PopoloEvent,
    PopoloExtras,
    PopoloFileMeta,
)
from api.popolo import (
    REGISTRY_TYPE_AGENCY,
    REGISTRY_TYPE_COMMITTEE,
    exported_role,
    merged_meta,
    own_id,
    partial_iso,
    source_entry,
)
from api.popolo_check import SPECS, check_document
from areas.models import Area
from committees.models import Agency, Committee, Succession
from committees.partial_dates import Precision, parse_partial_date
from committees.text import fold, nfc
from members.models import Membership, Person, Position, Role
from members.roster_writer import RosterRefused, RosterResult, SeatCorrect, SeatOpen, roster_apply
from members.services import succession_record
from portal.revision import registry_changed
from records.writes import save_validated

COLLECTIONS = ("persons", "organizations", "memberships", "posts", "events", "areas")

# Popolo role strings the registry knows, folded (no diacritics, lower case), by role.
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    Role.HEAD: (
        "head",
        "chair",
        "chairman",
        "chairwoman",
        "chairperson",
        "president",
        "truong ban",
        "chu tich",
        "chu nhiem",
    ),
    Role.STANDING_DEPUTY_HEAD: (
        "standing deputy head",
        "standing vice chair",
        "standing vice chairman",
        "permanent deputy head",
        "pho truong ban thuong truc",
        "pho chu tich thuong truc",
    ),
    Role.DEPUTY_HEAD: (
        "deputy head",
        "deputy chair",
        "deputy chairman",
        "vice chair",
        "vice chairman",
        "vice chairwoman",
        "vice chairperson",
        "vice president",
        "pho truong ban",
        "pho chu tich",
    ),
    Role.GROUP_LEADER: ("group leader", "team leader", "to truong"),
    Role.DEPUTY_GROUP_LEADER: ("deputy group leader", "deputy team leader", "to pho"),
    Role.MEMBER: ("member", "uy vien", "thanh vien", "councillor", "councilor"),
    Role.SECRETARY: ("secretary", "thu ky"),
}
_ROLE_BY_ALIAS = {alias: role for role, aliases in ROLE_ALIASES.items() for alias in aliases}

AGENCY_KIND_BY_CLASSIFICATION = {
    "party": Agency.Kind.PARTY,
    "political party": Agency.Kind.PARTY,
    "executive": Agency.Kind.PEOPLES_COMMITTEE,
    "people's committee": Agency.Kind.PEOPLES_COMMITTEE,
    "uy ban nhan dan": Agency.Kind.PEOPLES_COMMITTEE,
    "government": Agency.Kind.GOVERNMENT,
    "cabinet": Agency.Kind.GOVERNMENT,
    "department": Agency.Kind.DEPARTMENT,
    "police": Agency.Kind.POLICE,
    "ministry": Agency.Kind.MINISTRY,
    "division": Agency.Kind.DIVISION,
    "agency": Agency.Kind.OTHER,
}
COMMITTEE_KIND_BY_CLASSIFICATION = {
    "steering committee": Committee.Kind.STEERING,
    "ban chi dao": Committee.Kind.STEERING,
    "national committee": Committee.Kind.NATIONAL,
    "uy ban quoc gia": Committee.Kind.NATIONAL,
    "support group": Committee.Kind.SUPPORT_GROUP,
    "to giup viec": Committee.Kind.SUPPORT_GROUP,
    "working group": Committee.Kind.SUPPORT_GROUP,
    "legislature": Committee.Kind.COUNCIL,
    "council": Committee.Kind.COUNCIL,
    "parliament": Committee.Kind.COUNCIL,
    "assembly": Committee.Kind.COUNCIL,
    "chamber": Committee.Kind.COUNCIL,
    "house": Committee.Kind.COUNCIL,
    "committee": Committee.Kind.OTHER,
}
GENDERS = {"male": Person.Gender.MALE, "m": Person.Gender.MALE, "nam": Person.Gender.MALE}
GENDERS |= {"female": Person.Gender.FEMALE, "f": Person.Gender.FEMALE, "nu": Person.Gender.FEMALE}
_OWN_ID = re.compile(r"^(person|committee|agency|area)/([-a-zA-Z0-9_]+)$")
AREA_KIND_BY_TYPE = {
    "country": Area.Kind.COUNTRY,
    "nation": Area.Kind.COUNTRY,
    "quoc gia": Area.Kind.COUNTRY,
    "province": Area.Kind.PROVINCE,
    "tinh": Area.Kind.PROVINCE,
    "city": Area.Kind.CITY,
    "thanh pho": Area.Kind.CITY,
    "municipality": Area.Kind.CITY,
    "district": Area.Kind.DISTRICT,
    "quan": Area.Kind.DISTRICT,
    "huyen": Area.Kind.DISTRICT,
    "commune": Area.Kind.COMMUNE,
    "ward": Area.Kind.COMMUNE,
    "xa": Area.Kind.COMMUNE,
    "phuong": Area.Kind.COMMUNE,
    "constituency": Area.Kind.CONSTITUENCY,
    "electoral district": Area.Kind.CONSTITUENCY,
    "don vi bau cu": Area.Kind.CONSTITUENCY,
    "other": Area.Kind.OTHER,
}
# Extra fields shown to readers only, as api.serializers' field policy says of people.
RESTRICTED_EXTRAS = frozenset({"gender", "email", "contact_details", "phone", "fax"})


class PopoloFileError(Exception):
    """The file is refused as a whole; nothing was written. `problems` lists each, with its path."""

    def __init__(self, message: str = "", problems: list[str] | None = None):
        self.problems = list(problems or [])
        if not message:
            message = _("%(count)d problems:") % {"count": len(self.problems)}
            message = "\n".join([message, *(f"  - {p}" for p in self.problems)])
        super().__init__(message)


@dataclass
class ImportReport:
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # (path, Popolo id, "committee"/"agency"/"area", the record's name, how it was matched)
    # for each record of the file found among the records the registry already had.
    matches: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def popolo_load(raw: bytes | str) -> dict:
    """Read and check a Popolo document; raise PopoloFileError with a message for the user."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PopoloFileError(_("The file is not JSON (%(error)s).") % {"error": exc}) from exc
    _check_collections(data)
    return data


def _check_collections(data: Any) -> None:
    """Refuse a document whose top-level collections are not lists of objects."""
    if not isinstance(data, dict) or not any(key in data for key in COLLECTIONS[:3]):
        raise PopoloFileError(
            _(
                "The file is JSON but not Popolo: it needs an object with persons, "
                "organizations or memberships."
            )
        )
    for key in COLLECTIONS:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise PopoloFileError(
                _("The file is not Popolo: “%(key)s” must be a list of objects.") % {"key": key}
            )


def _list(value: Any) -> list:
    """A nested optional list (other_names, sources, identifiers...), checked by popolo_check."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return nfc(value) if isinstance(value, str) else ""


def _ref(value: Any) -> str:
    return _text(value) if isinstance(value, str) else ""


def _deep_nfc(value: Any) -> Any:
    """Text in NFC at any depth (lists and objects as given otherwise)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_deep_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _deep_nfc(item) for key, item in value.items()}
    return value


def _partial(value: Any) -> tuple[dt.date | None, str]:
    """A Popolo partial date (checked by popolo_check); None when absent."""
    if value in (None, ""):
        return None, Precision.DAY
    return parse_partial_date(value)


def _extras(record: dict, collection: str) -> dict:
    """The record's fields the importer does not know, as given (text in NFC)."""
    known = SPECS[collection]
    return {key: _deep_nfc(value) for key, value in record.items() if key not in known}


# Partial dates: each date column and the precision column that goes with it.
_PRECISION_OF = {
    "start_date": "start_precision",
    "end_date": "end_precision",
    "founded_on": "founded_precision",
    "dissolved_on": "dissolved_precision",
    "date": "date_precision",
    "birth_date": "birth_precision",
    "death_date": "death_precision",
    "valid_from": "valid_from_precision",
    "valid_until": "valid_until_precision",
}


def _changed_fields(instance, values: dict) -> list[str]:
    """The fields whose value in the file differs from the record's. A partial date is
    compared at its precision: the model stores a period as one of its days (an end as the
    last day of its month or year), so "2016-04" read again is no change. A foreign key is
    compared by its id, so that comparing a file's seats reads no related row per seat."""
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if field.many_to_one:
            if getattr(instance, field.attname) != getattr(value, "pk", value):
                changed.append(name)
            continue
        current = getattr(instance, name)
        precision_field = _PRECISION_OF.get(name)
        if (
            precision_field
            and isinstance(current, dt.date)
            and isinstance(value, dt.date)
            and values.get(precision_field, getattr(instance, precision_field))
            == getattr(instance, precision_field)
        ):
            precision = getattr(instance, precision_field)
            if partial_iso(current, precision) == partial_iso(value, precision):
                continue
        if current != value:
            changed.append(name)
    return changed


def _first_source(record: dict) -> str:
    for item in _list(record.get("sources")):
        if isinstance(item, dict):
            for key in ("url", "note"):
                if isinstance(item.get(key), str) and item[key].strip():
                    return nfc(item[key])[:500]
    return ""


def _identifiers(record: dict) -> list[tuple[str, str]]:
    found = []
    for item in _list(record.get("identifiers")):
        if isinstance(item, dict) and item.get("scheme") and item.get("identifier") is not None:
            scheme, identifier = _text(str(item["scheme"])), _text(str(item["identifier"]))
            if scheme and identifier and scheme != POPOLO_ID_SCHEME:
                found.append((scheme, identifier))
    return found


def role_from_popolo(text: str) -> str | None:
    """The registry role for a Popolo role string, or None when the registry has no such role."""
    return _ROLE_BY_ALIAS.get(fold((text or "").replace("_", " ").replace("-", " ")))


def write_seat_changes(
    changes: list[SeatOpen | SeatCorrect], *, by: AbstractBaseUser | None, reason: str
) -> RosterResult:
    """Every seat the import writes goes through the one roster writer (members.roster_writer):
    the whole plan is checked against the roster rules with the seats of the bodies it touches,
    and written in one transaction with history, or refused with every problem listed."""
    return roster_apply(changes, reason=reason, by=by)


class _Importer:
    PREFIX = {Person: "person", Committee: "committee", Agency: "agency", Area: "area"}

    def __init__(self, data: dict, *, source_name: str, by: AbstractBaseUser | None):
        self.data = data
        self.by = by
        self.source_name = source_name
        self.reason = _("Popolo import: %(file)s") % {"file": source_name}
        self.report = ImportReport()
        self.problems: list[str] = []
        models = [Person, Committee, Agency, Position, Membership, PopoloEvent, Area]
        found = ContentType.objects.get_for_models(*models)
        self.ct = {model: found[model] for model in models}
        self.ext: dict[tuple[int, str, str], Any] = {}
        self.pending_ids: list[tuple[Model, str, str, str]] = []
        self.pending_extras: list[tuple[Model, list | None, dict]] = []
        self.persons: dict[str, Person] = {}
        self.committees: dict[str, Committee] = {}
        self.agencies: dict[str, Agency] = {}
        self.areas: dict[str, Area] = {}
        self.posts: dict[str, Position] = {}
        self.events: dict[str, PopoloEvent] = {}
        self.by_name: dict[type, dict[str, list[tuple[int, str]]]] = {}

    # --- bookkeeping -----------------------------------------------------------------

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def _preload_identifiers(self) -> None:
        schemes = {POPOLO_ID_SCHEME}
        for key in COLLECTIONS:
            for record in self.data.get(key, []):
                schemes |= {scheme for scheme, _value in _identifiers(record)}
        rows = ExternalIdentifier.objects.filter(scheme__in=schemes).values_list(
            "content_type_id", "scheme", "identifier", "object_id"
        )
        self.ext = {(ct, scheme, ident): pk for ct, scheme, ident, pk in rows}
        for model in (Committee, Agency):
            names: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for pk, name, level in model.objects.values_list("pk", "name", "level"):
                names[fold(name)].append((pk, level))
            self.by_name[model] = names

    def _match(self, model, pid: str, record: dict) -> tuple[Any, str]:
        """The pk (or the not yet saved instance) a record names through its id or identifiers,
        and how: identifiers first, then the Popolo id."""
        ct = self.ct[model].pk
        for scheme, identifier in _identifiers(record):
            if (ct, scheme, identifier) in self.ext:
                return self.ext[(ct, scheme, identifier)], f"{scheme} {identifier}"
        if pid and (ct, POPOLO_ID_SCHEME, pid) in self.ext:
            return self.ext[(ct, POPOLO_ID_SCHEME, pid)], _("its id %(id)s") % {"id": pid}
        return None, ""

    def _remember(self, model, instance, pid: str, record: dict, path: str) -> None:
        """Keep the record's Popolo id and identifiers, unless they already name another record."""
        ct = self.ct[model].pk
        # The registry's own id of the record ("membership/12", "person/<its slug>") needs
        # no row: the export gives it anyway.
        if model in self.PREFIX:
            own = {own_id(self.PREFIX[model], instance.slug)}
        else:
            own = {own_id({Position: "post"}.get(model, model._meta.model_name), instance.pk)}
        pairs = [(POPOLO_ID_SCHEME, pid)] if pid and pid not in own else []
        for scheme, identifier in pairs + _identifiers(record):
            if len(scheme) > 100 or len(identifier) > 300:
                self.problem(path, _("identifier too long: %(id)s") % {"id": identifier})
                continue
            key = (ct, scheme, identifier)
            holder = self.ext.get(key)
            if holder is None:
                self.ext[key] = instance
                self.pending_ids.append((instance, scheme, identifier, path))
            elif holder is not instance and holder != instance.pk:
                self.problem(
                    path,
                    _("identifier %(scheme)s %(id)s already names another record")
                    % {"scheme": scheme, "id": identifier},
                )

    def _keep_extras(self, instance, record: dict, collection: str, extra: dict | None = None):
        """Remember what the registry's columns do not hold: the sources after the first
        (all of them, when the first cannot say it all) and the unknown fields."""
        sources = None
        if isinstance(record.get("sources"), list) and not isinstance(instance, Person):
            given = _deep_nfc(record["sources"])
            if given != source_entry(_first_source(record)):
                sources = given
        extras = _extras(record, collection) | (extra or {})
        if sources is not None or extras:
            self.pending_extras.append((instance, sources, extras))

    def _flush_identifiers(self) -> None:
        rows = [
            ExternalIdentifier(
                content_type=self.ct[type(instance)],
                object_id=instance.pk,
                scheme=scheme,
                identifier=identifier,
            )
            for instance, scheme, identifier, _path in self.pending_ids
        ]
        if rows:
            bulk_create_with_history(
                rows,
                ExternalIdentifier,
                batch_size=500,
                default_user=self._user(),
                default_change_reason=self.reason,
            )
            self.report.created["identifiers"] += len(rows)
        self.pending_ids = []

    def _flush_extras(self) -> None:
        """Write the extras that changed. A field the file does not give keeps its value."""
        if not self.pending_extras:
            return
        wanted = defaultdict(list)
        for instance, _sources, _extras in self.pending_extras:
            wanted[self.ct[type(instance)].pk].append(instance.pk)
        condition = None
        for ct, pks in wanted.items():
            q = Q(content_type_id=ct, object_id__in=pks)
            condition = q if condition is None else condition | q
        kept = {(e.content_type_id, e.object_id): e for e in PopoloExtras.objects.filter(condition)}
        new = []
        for instance, sources, extras in self.pending_extras:
            key = (self.ct[type(instance)].pk, instance.pk)
            row = kept.get(key)
            if row is None:
                row = PopoloExtras(
                    content_type_id=key[0],
                    object_id=key[1],
                    sources=sources or [],
                    extras=extras,
                )
                kept[key] = row
                new.append(row)
                continue
            merged = {**row.extras, **extras}
            if (sources is not None and sources != row.sources) or merged != row.extras:
                row.sources = sources if sources is not None else row.sources
                row.extras = merged
                save_validated(row, by=self.by, reason=self.reason)
        if new:
            bulk_create_with_history(
                new,
                PopoloExtras,
                batch_size=500,
                default_user=self._user(),
                default_change_reason=self.reason,
            )
        self.pending_extras = []

    def _user(self):
        return self.by if self.by is not None and self.by.is_authenticated else None

    def _update(self, collection: str, instance, values: dict) -> None:
        """Write the changed fields through save_validated; count it as updated or unchanged."""
        changed = _changed_fields(instance, values)
        if not changed:
            self.report.unchanged[collection] += 1
            return
        for name in changed:
            setattr(instance, name, values[name])
        save_validated(instance, by=self.by, reason=self.reason)
        self.report.updated[collection] += 1

    @staticmethod
    def _slug(name: str, own: str, taken: set[str], max_length: int) -> str:
        if own and own not in taken and len(own) <= max_length:
            taken.add(own)
            return own
        base = slugify(fold(name))[: max_length - 6].strip("-") or "x"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        return slug

    @staticmethod
    def _own_slug(pid: str, prefix: str) -> str:
        found = _OWN_ID.match(pid)
        return found.group(2) if found and found.group(1) == prefix else ""

    def _records(self, collection: str) -> list[tuple[str, str, dict]]:
        """(path, id, record) of each record with an id seen once; a repeated id is a problem."""
        found, seen = [], set()
        for index, record in enumerate(self.data.get(collection, [])):
            path = f"{collection}[{index}]"
            pid = _ref(record.get("id"))
            if pid in seen:
                self.problem(f"{path}.id", _("%(id)s appears twice in the file") % {"id": pid})
                continue
            seen.add(pid)
            found.append((path, pid, record))
        return found

    # --- areas -------------------------------------------------------------------------

    def import_areas(self) -> None:
        records = {pid: (path, record) for path, pid, record in self._records("areas")}
        known = list(Area.objects.all())
        by_identifier = {
            (item.get("scheme"), item.get("identifier")): area
            for area in known
            for item in area.identifiers
            if isinstance(item, dict)
        }
        by_name: dict[tuple[str, str], list[Area]] = defaultdict(list)
        for area in known:
            by_name[(fold(area.name), area.kind)].append(area)
        taken = {area.slug for area in known}
        todo = list(records)
        while todo:
            ready = [
                pid
                for pid in todo
                if (parent := _ref(records[pid][1].get("parent_id"))) not in todo or parent == pid
            ]
            if not ready:
                for pid in todo:
                    self.problem(records[pid][0] + ".parent_id", _("its parents form a cycle"))
                return
            for pid in ready:
                todo.remove(pid)
                path, record = records[pid]
                self._import_area(path, pid, record, by_identifier, by_name, taken)

    def _import_area(self, path, pid, record, by_identifier, by_name, taken) -> None:
        kind_text = _text(record.get("type") or record.get("classification"))
        kind = AREA_KIND_BY_TYPE.get(fold(kind_text), Area.Kind.OTHER)
        start, start_precision = _partial(record.get("start_date"))
        end, end_precision = _partial(record.get("end_date"))
        values = {
            "name": _text(record.get("name")),
            "kind": kind,
            "identifiers": [{"scheme": s, "identifier": i} for s, i in _identifiers(record)],
            "other_names": _deep_nfc(_list(record.get("other_names"))),
            "valid_from": start,
            "valid_from_precision": start_precision,
            "valid_until": end,
            "valid_until_precision": end_precision,
            "source": _first_source(record),
        }
        for name in ("identifiers", "other_names", "source"):
            if record.get({"source": "sources"}.get(name, name)) is None:
                values.pop(name)
        parent_id = _ref(record.get("parent_id"))
        if parent_id:
            parent = self._find_area(parent_id)
            if parent is None:
                self.problem(f"{path}.parent_id", _("unknown area %(id)s") % {"id": parent_id})
                return
            values["parent"] = parent
        # The kind as the file writes it, when the registry's word for it is another.
        extra = {}
        if "classification" in record:
            extra["classification"] = _deep_nfc(record["classification"])
        if record.get("type") is not None and record["type"] != kind:
            extra["type"] = _deep_nfc(record["type"])
        found, how = self._match(Area, pid, record)
        if found is None:
            for scheme, identifier in _identifiers(record):
                if (scheme, identifier) in by_identifier:
                    found, how = by_identifier[(scheme, identifier)], f"{scheme} {identifier}"
                    break
        if found is None:
            named = by_name.get((fold(values["name"]), kind), [])
            if len(named) == 1:
                found, how = named[0], _("name and kind")
        if isinstance(found, int):
            found = Area.objects.filter(pk=found).first()
        try:
            if found is not None and found.pk:
                if how == _("name and kind"):
                    values.pop("name")  # found by its name: the registry's spelling stays
                if found not in self.areas.values():
                    self.report.matches.append((path, pid, "area", found.name, how))
                self._update("areas", found, values)
                area = found
            else:
                own = self._own_slug(pid, "area")
                area = Area(
                    slug=self._slug(values["name"], own, taken, 150),
                    **values,
                )
                save_validated(area, by=self.by, reason=self.reason)
                self.report.created["areas"] += 1
        except ValidationError as exc:
            self.problem(path, "; ".join(exc.messages))
            return
        self.areas[pid] = area
        self._remember(Area, area, pid, record, path)
        self._keep_extras(area, record, "areas", extra)

    def _find_area(self, pid: str) -> Area | None:
        if pid in self.areas:
            return self.areas[pid]
        found, _how = self._match(Area, pid, {})
        if isinstance(found, int):
            return Area.objects.filter(pk=found).first()
        if found is not None:
            return found
        slug = self._own_slug(pid, "area")
        return Area.objects.filter(slug=slug).first() if slug else None

    # --- persons -----------------------------------------------------------------------

    def import_persons(self) -> None:
        records = self._records("persons")
        own = {self._own_slug(pid, "person") for _p, pid, _r in records} - {""}
        by_slug = dict(Person.objects.filter(slug__in=own).values_list("slug", "pk"))
        matched = {}
        for _path, pid, record in records:
            found = self._match(Person, pid, record)[0] or by_slug.get(
                self._own_slug(pid, "person")
            )
            if found is not None:
                matched[pid] = found
        existing = Person.objects.select_related("merged_into").in_bulk(
            [pk for pk in matched.values() if isinstance(pk, int)]
        )
        # A record merged into another (members/person_merge.py) leads to the kept person.
        existing = {pk: person.merged_into or person for pk, person in existing.items()}
        taken = set(Person.objects.values_list("slug", flat=True))
        new: list[Person] = []
        for path, pid, record in records:
            values, extra = self._person_values(record)
            found = matched.get(pid)
            if found is not None and not isinstance(found, int):
                self.problem(path, _("an identifier it shares with a person above"))
                continue
            if found is not None:
                person = existing[found]
                try:
                    self._update("persons", person, values)
                except ValidationError as exc:
                    self.problem(path, "; ".join(exc.messages))
                    continue
            else:
                slug = self._slug(
                    values["full_name"], self._own_slug(pid, "person"), taken, max_length=220
                )
                person = Person(slug=slug, **values)
                try:
                    person.clean()
                    person.clean_fields()
                except ValidationError as exc:
                    self.problem(path, "; ".join(exc.messages))
                    continue
                new.append(person)
            self.persons[pid] = person
            self._remember(Person, person, pid, record, path)
            self._keep_extras(person, record, "persons", extra)
        if new:
            bulk_create_with_history(
                new,
                Person,
                batch_size=500,
                default_user=self._user(),
                default_change_reason=self.reason,
            )
            self.report.created["persons"] += len(new)

    @staticmethod
    def _person_values(record: dict) -> tuple[dict, dict]:
        """The person's columns the file gives (a field it leaves out keeps its value: a
        file without a gender does not clear one), and the given values the columns hold
        in another spelling ("M" for male), kept to be given back."""
        values: dict[str, Any] = {"full_name": _text(record.get("name"))}
        extra: dict[str, Any] = {}
        if record.get("honorific_prefix") is not None:
            values["rank"] = _text(record["honorific_prefix"])
        gender = _text(record.get("gender"))
        if gender:
            folded = fold(gender)
            values["gender"] = GENDERS.get(folded, Person.Gender.OTHER)
            if gender != values["gender"]:
                extra["gender"] = gender
        for name in ("birth", "death"):
            if record.get(f"{name}_date") is not None:
                date, precision = _partial(record[f"{name}_date"])
                values[f"{name}_date"], values[f"{name}_precision"] = date, precision
        if record.get("image") is not None:
            values["image"] = _text(record["image"])
        for name in ("images", "links", "contact_details", "other_names", "sources"):
            if record.get(name) is not None:
                values[name] = _deep_nfc(record[name])
        if record.get("sources") is not None:
            values["source"] = _first_source(record)
        return values, extra

    # --- organizations -----------------------------------------------------------------

    def _organization_types(self) -> dict[str, tuple[str, str]]:
        """(registry type, kind) of each organization in the file."""
        members_of = {_ref(m.get("organization_id")) for _p, m in self._memberships()}
        behalf_of = {_ref(m.get("on_behalf_of_id")) for _p, m in self._memberships()}
        types = {}
        for record in self.data.get("organizations", []):
            pid = _ref(record.get("id"))
            registry_type, kind = record.get("registry_type"), record.get("kind")
            if registry_type == REGISTRY_TYPE_COMMITTEE and kind in Committee.Kind.values:
                types[pid] = (REGISTRY_TYPE_COMMITTEE, kind)
                continue
            if registry_type == REGISTRY_TYPE_AGENCY and kind in Agency.Kind.values:
                types[pid] = (REGISTRY_TYPE_AGENCY, kind)
                continue
            classification = fold(_text(record.get("classification")))
            if classification in AGENCY_KIND_BY_CLASSIFICATION:
                types[pid] = (REGISTRY_TYPE_AGENCY, AGENCY_KIND_BY_CLASSIFICATION[classification])
            elif pid in behalf_of and pid not in members_of:
                # A party a member sits for (EveryPolitician's on_behalf_of_id).
                types[pid] = (REGISTRY_TYPE_AGENCY, Agency.Kind.PARTY)
            else:
                types[pid] = (
                    REGISTRY_TYPE_COMMITTEE,
                    COMMITTEE_KIND_BY_CLASSIFICATION.get(classification, Committee.Kind.OTHER),
                )
        return types

    def import_organizations(self) -> None:
        types = self._organization_types()
        records = {pid: (path, record) for path, pid, record in self._records("organizations")}
        # Agencies first (committees name their standing agency), each after its parent.
        for wanted in (REGISTRY_TYPE_AGENCY, REGISTRY_TYPE_COMMITTEE):
            todo = [pid for pid in records if types[pid][0] == wanted]
            while todo:
                ready = [
                    pid
                    for pid in todo
                    if not (parent := _ref(records[pid][1].get("parent_id")))
                    or parent not in records
                    or types[parent][0] != wanted
                    or parent in self.agencies
                    or parent in self.committees
                    or parent not in todo
                ]
                if not ready:
                    for pid in todo:
                        self.problem(records[pid][0] + ".parent_id", _("its parents form a cycle"))
                    break
                for pid in ready:
                    todo.remove(pid)
                    path, record = records[pid]
                    if wanted == REGISTRY_TYPE_AGENCY:
                        self._import_agency(path, pid, record, types[pid][1])
                    else:
                        self._import_committee(path, pid, record, types[pid][1])
        self._import_lineage(records)

    def _find(self, model, pid: str, record: dict | None = None, level: str | None = None):
        """An existing record named by a Popolo id: from this file, its identifiers, the
        registry's own ids, or (bodies and agencies) its folded name and level. Returns the
        record and how it was found ("" when it was named in this file)."""
        cache = {Committee: self.committees, Agency: self.agencies, Person: self.persons}[model]
        if pid in cache:
            return cache[pid], ""
        found, how = self._match(model, pid, record or {})
        if isinstance(found, int):
            return model.objects.filter(pk=found).first(), how
        if found is not None:
            return found, ""
        prefix = {Committee: "committee", Agency: "agency", Person: "person"}[model]
        slug = self._own_slug(pid, prefix)
        instance = model.objects.filter(slug=slug).first() if slug else None
        if instance is not None:
            return instance, _("its id %(id)s") % {"id": pid}
        if record is not None and model in self.by_name:
            named = self.by_name[model].get(fold(_text(record.get("name"))), [])
            if level:
                named = [(pk, lvl) for pk, lvl in named if lvl == level]
            if len(named) == 1:
                return model.objects.filter(pk=named[0][0]).first(), _("name and level")
        return None, ""

    def _org_common(self, path: str, record: dict, model) -> tuple[dict, dict]:
        """The columns the file gives for a body or an agency (a field it leaves out keeps its
        value), and the extras: an area of an agency (agencies have no jurisdiction)."""
        values: dict[str, Any] = {"name": _text(record.get("name"))}
        extra: dict[str, Any] = {}
        other_names = record.get("other_names")
        if other_names is not None:
            values["other_names"] = _deep_nfc(other_names)
            for item in other_names:
                if fold(_text(item.get("note"))) in ("short name", "abbreviation"):
                    values["short_name"] = _text(item.get("name"))
                    break
        for name, key in (("classification", "classification"), ("org_type", "type")):
            if record.get(key) is not None:
                values[name] = _text(record[key])
        if record.get("sources") is not None:
            values["source"] = _first_source(record)
        area = None
        area_id = _ref(record.get("area_id"))
        if area_id:
            area = self._find_area(area_id)
            if area is None:
                self.problem(f"{path}.area_id", _("unknown area %(id)s") % {"id": area_id})
            elif model is Committee:
                values["jurisdiction_area"] = area
            else:
                extra["area_id"] = record["area_id"]
        level = record.get("level")
        if level:
            values["level"] = level
        elif area is not None and area.level:
            # The level follows from the area the body serves; it is never invented.
            values["level"] = area.level
        return values, extra

    def _save_org(self, path, model, pid, record, values, extra, defaults, cache) -> None:
        collection = "organizations"
        instance, how = self._find(model, pid, record, values.get("level"))
        try:
            if instance is not None:
                if values.get("declared_member_count") == getattr(
                    instance, "declared_member_count", None
                ) and getattr(instance, "declared_count_source", ""):
                    values.pop("declared_count_source", None)  # the same count, its source kept
                if how == _("name and level"):
                    values.pop("name")  # found by its name: the registry's spelling stays
                if how:
                    self.report.matches.append(
                        (path, pid, model._meta.model_name, instance.name, how)
                    )
                self._update(collection, instance, values)
            else:
                values = defaults | values
                taken = set(
                    model.objects.filter(
                        slug__startswith=slugify(fold(values["name"]))[:100]
                    ).values_list("slug", flat=True)
                )
                own = self._own_slug(pid, "agency" if model is Agency else "committee")
                if own and model.objects.filter(slug=own).exists():
                    own = ""
                max_length = model._meta.get_field("slug").max_length
                instance = model(slug=self._slug(values["name"], own, taken, max_length), **values)
                save_validated(instance, by=self.by, reason=self.reason)
                self.report.created[collection] += 1
        except ValidationError as exc:
            self.problem(path, "; ".join(exc.messages))
            return
        cache[pid] = instance
        self._remember(model, instance, pid, record, path)
        self._keep_extras(instance, record, "organizations", extra)

    def _kind_given(self, record: dict) -> bool:
        return record.get("classification") is not None or record.get("kind") is not None

    def _import_agency(self, path: str, pid: str, record: dict, kind: str) -> None:
        values, extra = self._org_common(path, record, Agency)
        if self._kind_given(record):
            values["kind"] = kind
        parent_id = _ref(record.get("parent_id"))
        if parent_id:
            values["parent"] = self._find(Agency, parent_id)[0]
            if values["parent"] is None:
                self.problem(f"{path}.parent_id", _("unknown agency %(id)s") % {"id": parent_id})
                return
        defaults = {"kind": kind, "level": ""}
        self._save_org(path, Agency, pid, record, values, extra, defaults, self.agencies)

    def _import_committee(self, path: str, pid: str, record: dict, kind: str) -> None:
        values, extra = self._org_common(path, record, Committee)
        if self._kind_given(record):
            values["kind"] = kind
        parent_id = _ref(record.get("parent_id"))
        if parent_id:
            values["parent"] = self._find(Committee, parent_id)[0]
            if values["parent"] is None:
                self.problem(f"{path}.parent_id", _("unknown committee %(id)s") % {"id": parent_id})
                return
        for name, key in (("founded", "founding_date"), ("dissolved", "dissolution_date")):
            if record.get(key) is not None:
                date, precision = _partial(record[key])
                values[f"{name}_on"], values[f"{name}_precision"] = date, precision
        if record.get("description") is not None:
            values["description"] = _text(record["description"])
        declared = record.get("declared_member_count", record.get("seats"))
        if declared is not None:
            values["declared_member_count"] = declared
            values["declared_count_source"] = (_first_source(record) or self.source_name)[:500]
        standing = _ref(record.get("standing_agency_id"))
        if standing:
            values["standing_agency"] = self._find(Agency, standing)[0]
            if values["standing_agency"] is None:
                self.problem(
                    f"{path}.standing_agency_id", _("unknown agency %(id)s") % {"id": standing}
                )
                return
        defaults = {"kind": kind, "level": ""}
        self._save_org(path, Committee, pid, record, values, extra, defaults, self.committees)

    def _import_lineage(self, records: dict[str, tuple[str, dict]]) -> None:
        steps = []
        for pid, (path, record) in records.items():
            lineage = record.get("lineage")
            if pid not in self.committees or not isinstance(lineage, dict):
                continue
            for index, step in enumerate(_list(lineage.get("successors"))):
                step_path = f"{path}.lineage.successors[{index}]"
                if step.get("kind") not in Succession.Kind.values:
                    self.problem(
                        f"{step_path}.kind",
                        _("%(value)s is not a kind of lineage step (%(kinds)s)")
                        % {"value": step.get("kind"), "kinds": ", ".join(Succession.Kind.values)},
                    )
                    continue
                successor = self._find(Committee, _ref(step.get("organization_id")))[0]
                if successor is None:
                    self.problem(
                        f"{step_path}.organization_id",
                        _("unknown committee %(id)s") % {"id": step.get("organization_id")},
                    )
                    continue
                steps.append((step_path, self.committees[pid], successor, step))
        if not steps:
            return
        ids = {c.pk for _p, pred, succ, _s in steps for c in (pred, succ)}
        known = {
            (s.predecessor_id, s.successor_id, s.kind): s
            for s in Succession.objects.filter(predecessor_id__in=ids, successor_id__in=ids)
        }
        for path, predecessor, successor, step in steps:
            date, precision = _partial(step.get("date"))
            values = {"date": date, "date_precision": precision}
            existing = known.get((predecessor.pk, successor.pk, step["kind"]))
            try:
                if existing is not None:
                    self._update("successions", existing, values)
                else:
                    succession_record(
                        predecessor=predecessor,
                        successor=successor,
                        kind=step["kind"],
                        on=date,
                        precision=precision,
                        reason=self.reason,
                        by=self.by,
                    )
                    self.report.created["successions"] += 1
            except ValidationError as exc:
                self.problem(path, "; ".join(exc.messages))

    # --- events and posts --------------------------------------------------------------

    def import_events(self) -> None:
        records = self._records("events")
        known = PopoloEvent.objects.in_bulk(
            [pid for _p, pid, _r in records], field_name="popolo_id"
        )
        for path, pid, record in records:
            start, start_precision = _partial(record.get("start_date"))
            end, end_precision = _partial(record.get("end_date"))
            organization_id = _ref(record.get("organization_id"))
            organization = None
            if organization_id:
                organization = self._find(Committee, organization_id)[0]
                if organization is None:
                    self.problem(
                        f"{path}.organization_id",
                        _("unknown committee %(id)s") % {"id": organization_id},
                    )
                    continue
            values = {
                "name": _text(record.get("name")),
                "classification": _text(record.get("classification")),
                "organization": organization,
                "start_date": start,
                "start_precision": start_precision,
                "end_date": end,
                "end_precision": end_precision,
            }
            try:
                event = known.get(pid)
                if event is not None:
                    self._update("events", event, values)
                else:
                    event = save_validated(
                        PopoloEvent(popolo_id=pid, **values), by=self.by, reason=self.reason
                    )
                    self.report.created["events"] += 1
            except ValidationError as exc:
                self.problem(path, "; ".join(exc.messages))
                continue
            self.events[pid] = event
            self._remember(PopoloEvent, event, "", record, path)
            self._keep_extras(event, record, "events")

    def import_posts(self) -> None:
        for path, pid, record in self._records("posts"):
            title = _text(record.get("label") or record.get("role"))
            organization_id = _ref(record.get("organization_id"))
            agency = self._find(Agency, organization_id)[0] if organization_id else None
            if not title:
                self.problem(f"{path}.label", _("missing"))
                continue
            if agency is None:
                self.problem(
                    f"{path}.organization_id",
                    _("a post must belong to an agency the registry knows; %(id)s is not one")
                    % {"id": organization_id or "—"},
                )
                continue
            single = record.get("single_holder")
            values = {"single_holder": single if isinstance(single, bool) else True}
            if record.get("sources") is not None:
                values["source"] = _first_source(record)
            found = self._match(Position, pid, record)[0]
            position = (
                Position.objects.filter(pk=found).first()
                if isinstance(found, int)
                else Position.objects.filter(agency=agency, title=title).first()
            )
            try:
                if position is not None:
                    self._update("posts", position, values | {"title": title, "agency": agency})
                else:
                    position = save_validated(
                        Position(title=title, agency=agency, **values),
                        by=self.by,
                        reason=self.reason,
                    )
                    self.report.created["posts"] += 1
            except ValidationError as exc:
                self.problem(path, "; ".join(exc.messages))
                continue
            self.posts[pid] = position
            self._remember(Position, position, pid, record, path)
            self._keep_extras(position, record, "posts")

    # --- memberships -------------------------------------------------------------------

    def _memberships(self) -> list[tuple[str, dict]]:
        """(path, record) of top-level memberships, and of those nested in persons and
        organizations."""
        found = [
            (f"memberships[{index}]", record)
            for index, record in enumerate(self.data.get("memberships", []))
        ]
        for key, link in (("persons", "person_id"), ("organizations", "organization_id")):
            for index, record in enumerate(self.data.get(key, [])):
                for n, nested in enumerate(_list(record.get("memberships"))):
                    if isinstance(nested, dict):
                        found.append(
                            (f"{key}[{index}].memberships[{n}]", {link: record.get("id"), **nested})
                        )
        return found

    def import_memberships(self) -> None:
        """Plan every seat of the file — new seats, and corrections of seats the registry
        already keeps (matched on their id, else on body, holder, role and start) — and hand
        the whole plan to the roster writer, which checks it as one: a file that ends a head's
        term and names the next head goes in at once."""
        built = []
        for path, record in self._memberships():
            values = self._membership_values(path, record)
            if values is not None:
                built.append((_ref(record.get("id")), path, record, *values))
        committees = {values["committee"].pk for _i, _p, _r, values, _e, _x in built}
        kept = Membership.objects.filter(committee_id__in=committees)
        by_natural = {self._natural(seat.__dict__): seat.pk for seat in kept}
        ct = self.ct[Membership].pk
        opens, corrections, seen = [], [], set()
        for pid, path, record, values, period, extra in built:
            key = self._natural(values)
            found = self.ext.get((ct, POPOLO_ID_SCHEME, pid)) if pid else None
            found = found if isinstance(found, int) else by_natural.get(key)
            if (found or key) in seen:
                self.problem(path, _("the membership appears twice in the file"))
                continue
            seen.add(found or key)
            if found is not None:
                corrections.append((found, path, record, values, period, extra))
            else:
                opens.append((path, record, values, period, extra))
        planned = self._plan_corrections(corrections)
        # Even when other problems are known, the roster rules are checked on the seats that
        # could be read, so that the refusal lists them all (nothing stays written).
        changes: list[SeatOpen | SeatCorrect] = [
            SeatCorrect(membership=seat, changes=changed, where=path)
            for seat, path, _r, changed, _p, _l, _x in planned
            if changed
        ]
        changes += [
            SeatOpen(
                committee=values["committee"],
                person=values["person"],
                role=values["role"],
                role_title=values["role_title"],
                start=values["start_date"],
                start_precision=values["start_precision"],
                end=values["end_date"],
                end_precision=values["end_precision"],
                end_reason=values["end_reason"],
                position=values["position"],
                title=values["title_at_appointment"],
                home_agency=values["home_agency"],
                on_behalf_of=values["on_behalf_of"],
                area=values["area"],
                source=values["source"],
                where=path,
            )
            for path, _r, values, _p, _x in opens
        ]
        try:
            result = write_seat_changes(changes, by=self.by, reason=self.reason)
        except RosterRefused as exc:
            self.problems += [str(problem) for problem in exc.problems]
            return
        for seat, path, record, changed, period, linked, extra in planned:
            if changed:
                self.report.updated["memberships"] += 1
            else:
                self.report.unchanged["memberships"] += 1
            if period is not None and linked != period.pk:
                link = MembershipPeriod.objects.filter(membership=seat).first()
                link = link or MembershipPeriod(membership=seat)
                link.event = period
                save_validated(link, by=self.by, reason=self.reason)
            self._remember(Membership, seat, _ref(record.get("id")), record, path)
            self._keep_extras(seat, record, "memberships", extra)
        links = []
        for seat, (path, record, _values, period, extra) in zip(result.opened, opens, strict=True):
            if period is not None:
                links.append(MembershipPeriod(membership=seat, event=period))
            self._remember(Membership, seat, _ref(record.get("id")), record, path)
            self._keep_extras(seat, record, "memberships", extra)
        if links:
            bulk_create_with_history(
                links,
                MembershipPeriod,
                batch_size=500,
                default_user=self._user(),
                default_change_reason=self.reason,
            )
        self.report.created["memberships"] += len(result.opened)

    @staticmethod
    def _natural(values: dict) -> tuple:
        """Body, holder, role and start of a seat; a seat named by its title only is told
        apart by its printed role, title and post."""
        person = values.get("person_id", values.get("person"))
        person = getattr(person, "pk", person)
        if person is None:
            position = values.get("position_id", values.get("position"))
            person = (
                "title",
                values.get("role_title", ""),
                values.get("title_at_appointment", ""),
                getattr(position, "pk", position),
            )
        committee = values.get("committee_id", values.get("committee"))
        return (
            getattr(committee, "pk", committee),
            person,
            values.get("role"),
            values.get("start_date"),
        )

    def _plan_corrections(self, corrections) -> list:
        instances = Membership.objects.in_bulk([pk for pk, *_rest in corrections])
        periods = dict(
            MembershipPeriod.objects.filter(membership_id__in=instances).values_list(
                "membership_id", "event_id"
            )
        )
        planned = []
        for pk, path, record, values, period, extra in corrections:
            seat = instances[pk]
            changes = {
                name: value
                for name, value in values.items()
                if name not in ("person", "committee", "role", "start_date")
            }
            changed = {name: changes[name] for name in _changed_fields(seat, changes)}
            planned.append((seat, path, record, changed, period, periods.get(pk), extra))
        return planned

    def _membership_values(self, path: str, record: dict):
        person_id = _ref(record.get("person_id"))
        organization_id = _ref(record.get("organization_id"))
        person = self._find(Person, person_id)[0] if person_id else None
        if person_id and person is None:
            self.problem(f"{path}.person_id", _("unknown person %(id)s") % {"id": person_id})
            return None
        if person is None and not (
            _text(record.get("role")) or _text(record.get("label")) or record.get("post_id")
        ):
            # A seat named by its title only says which seat it is (docs/popolo.md).
            self.problem(
                f"{path}.person_id",
                _("missing: a seat without a person needs its role, label or post"),
            )
            return None
        committee = self._find(Committee, organization_id)[0] if organization_id else None
        if committee is None:
            reason = (
                _("%(id)s is not a committee but an agency; only committees have members")
                if organization_id in self.agencies
                else _("unknown organization %(id)s")
            )
            self.problem(f"{path}.organization_id", reason % {"id": organization_id or "—"})
            return None
        problems = len(self.problems)
        period = None
        period_id = _ref(record.get("legislative_period_id"))
        if period_id:
            period = (
                self.events.get(period_id)
                or PopoloEvent.objects.filter(popolo_id=period_id).first()
            )
            if period is None:
                self.problem(
                    f"{path}.legislative_period_id",
                    _("unknown legislative period %(id)s") % {"id": period_id},
                )
        start, start_precision = _partial(record.get("start_date"))
        end, end_precision = _partial(record.get("end_date"))
        # Dates the membership does not give come from its legislative period.
        if start is None and period is not None and period.start_date is not None:
            start, start_precision = period.start_date, period.start_precision
        if end is None and period is not None and period.end_date is not None:
            end, end_precision = period.end_date, period.end_precision
        role_text = _text(record.get("role"))
        role = role_from_popolo(role_text) if role_text else Role.MEMBER
        title = _text(record.get("label"))
        extra: dict[str, Any] = {}
        # A role the registry has no word for is a member's seat; the role as the file
        # prints it ("Chairman", "Phó Trưởng ban") is kept as the seat's printed role.
        role = role or Role.MEMBER
        role_title = role_text if role_text and exported_role(role) != role_text else ""
        if len(role_title) > 200:
            self.problem(f"{path}.role", _("longer than %(max)d characters") % {"max": 200})
        position = None
        post_id = _ref(record.get("post_id"))
        if post_id:
            position = self.posts.get(post_id)
            if position is None:
                self.problem(f"{path}.post_id", _("unknown post %(id)s") % {"id": post_id})
        area = None
        area_id = _ref(record.get("area_id"))
        if area_id:
            area = self._find_area(area_id)
            if area is None:
                self.problem(f"{path}.area_id", _("unknown area %(id)s") % {"id": area_id})
        on_behalf_of = self._agency_ref(f"{path}.on_behalf_of_id", record.get("on_behalf_of_id"))
        home = self._agency_ref(f"{path}.home_agency_id", record.get("home_agency_id"))
        end_reason = record.get("end_reason")
        if end_reason and end_reason not in Membership.EndReason.values:
            self.problem(
                f"{path}.end_reason",
                _("%(value)s is not an end reason the registry knows (%(reasons)s)")
                % {"value": end_reason, "reasons": ", ".join(Membership.EndReason.values)},
            )
        if end_reason not in Membership.EndReason.values:
            end_reason = Membership.EndReason.TERM_ENDED if end else ""
        if len(self.problems) > problems:
            return None
        return (
            {
                "person": person,
                "committee": committee,
                "role": role,
                "start_date": start,
                "start_precision": start_precision,
                "end_date": end,
                "end_precision": end_precision,
                "end_reason": end_reason,
                "role_title": role_title,
                # As the roster writer records it: the post's title when the file gives none.
                "title_at_appointment": title or (position.title if position else ""),
                "position": position,
                "home_agency": home or (position.agency if position else None),
                "on_behalf_of": on_behalf_of,
                "area": area,
                "source": _first_source(record),
            },
            period,
            extra,
        )

    def _agency_ref(self, path: str, value: Any) -> Agency | None:
        pid = _ref(value)
        if not pid:
            return None
        agency = self._find(Agency, pid)[0]
        if agency is None:
            self.problem(path, _("unknown agency %(id)s") % {"id": pid})
        return agency

    def run(self) -> ImportReport:
        self._preload_identifiers()
        self.import_areas()
        self.import_persons()
        self.import_organizations()
        self.import_events()
        self.import_posts()
        self.import_memberships()
        if self.problems:
            raise PopoloFileError(problems=self.problems)
        self._flush_identifiers()
        self._flush_extras()
        self._keep_meta()
        return self.report

    def _keep_meta(self) -> None:
        """Keep the file's top-level `meta` under its file name (a later import of the same
        file replaces it), unless the registry already gives all of it back: a re-import of
        the registry's own export records nothing."""
        meta = _deep_nfc(self.data.get("meta") or {})
        if not meta:
            return
        kept = list(PopoloFileMeta.objects.all())
        given = merged_meta(row.meta for row in kept)
        if merged_meta([given, meta]) == given:
            self.report.unchanged["meta"] += 1
            return
        row = next((row for row in kept if row.file_name == self.source_name), None)
        if row is None:
            row = PopoloFileMeta(file_name=self.source_name)
            self.report.created["meta"] += 1
        else:
            self.report.updated["meta"] += 1
        row.meta = meta
        row.imported_at = timezone.now()
        save_validated(row, by=self.by, reason=self.reason)


def popolo_import(
    *,
    data: dict,
    source_name: str,
    dry_run: bool = False,
    by: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import a checked Popolo document (see popolo_load) in one transaction, all or nothing:
    any problem raises PopoloFileError listing every problem, and nothing stays written.
    A dry run rolls back too, after reporting what would change."""
    _check_collections(data)
    problems = check_document(data)
    if problems:
        raise PopoloFileError(problems=problems)
    with transaction.atomic():
        try:
            report = _Importer(data, source_name=source_name, by=by).run()
        except IntegrityError as exc:
            # A rule the in-memory checks missed: nothing of the file stays.
            raise PopoloFileError(
                _("The import conflicts with the records already kept and was not saved: %(error)s")
                % {"error": exc}
            ) from exc
        report.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        else:
            # Bulk writes send no signals: move the registry's revision once it commits.
            registry_changed()
    return report
