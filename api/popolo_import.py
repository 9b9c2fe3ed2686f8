"""Popolo import: other registries' persons, bodies, posts and memberships, as EveryPolitician publishes them.

One transaction: a file that is not JSON or not Popolo is refused before anything is
written; a record that cannot be taken is skipped with a reason and the rest goes in.
Idempotent: records are matched on the ids and identifiers they came with (kept as
ExternalIdentifier rows), so a second import of the same file creates nothing.
New persons and memberships are validated in memory (every roster rule, the overlap
rules included) and then bulk-created with their history rows, for speed.
"""

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from api.models import POPOLO_ID_SCHEME, ExternalIdentifier, MembershipPeriod, PopoloEvent
from api.popolo import REGISTRY_TYPE_AGENCY, REGISTRY_TYPE_COMMITTEE, partial_iso
from committees.models import Agency, Committee, Level, Succession
from committees.partial_dates import Precision, parse_partial_date
from committees.text import fold, nfc
from members.models import SINGLE_SEAT_ROLES, Membership, Person, Position, Role
from records.writes import save_validated

COLLECTIONS = ("persons", "organizations", "memberships", "posts", "events")

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
# Foreign keys of a membership are resolved by the importer itself: no query per row to check them.
MEMBERSHIP_FKS = [
    "person",
    "committee",
    "position",
    "home_agency",
    "on_behalf_of",
    "appointed_by",
    "ended_by",
]
_OWN_ID = re.compile(r"^(person|committee|agency)/([-a-zA-Z0-9_]+)$")


class PopoloFileError(Exception):
    """The file is refused as a whole (not JSON, not Popolo); nothing was written."""


@dataclass
class ImportReport:
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # (collection, Popolo id, reason) for each record that could not be taken.
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    # (collection, Popolo id, note) for a record taken without some part of it.
    warnings: list[tuple[str, str, str]] = field(default_factory=list)


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
    """A nested optional list (other_names, sources, identifiers...); anything else is none."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return nfc(value) if isinstance(value, str) else ""


def _partial(value: Any) -> tuple[dt.date | None, str]:
    """A Popolo partial date; raises ValueError on anything else."""
    if value in (None, ""):
        return None, Precision.DAY
    if not isinstance(value, str):
        raise ValueError(str(value))
    return parse_partial_date(value)


# Partial dates: each date column and the precision column that goes with it.
_PRECISION_OF = {
    "start_date": "start_precision",
    "end_date": "end_precision",
    "founded_on": "founded_precision",
    "dissolved_on": "dissolved_precision",
    "date": "date_precision",
}


def _changed_fields(instance, values: dict) -> list[str]:
    """The fields whose value in the file differs from the record's. A partial date is
    compared at its precision: the model stores a period as one of its days (an end as the
    last day of its month or year), so "2016-04" read again is no change."""
    changed = []
    for name, value in values.items():
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


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    """Two terms share a day (None is open), as members.models.overlapping says."""
    return (a_end is None or b_start is None or b_start <= a_end) and (
        a_start is None or b_end is None or b_end >= a_start
    )


class _Importer:
    def __init__(self, data: dict, *, source_name: str, by: AbstractBaseUser | None):
        self.data = data
        self.by = by
        self.reason = _("Popolo import: %(file)s") % {"file": source_name}
        self.report = ImportReport()
        models = [Person, Committee, Agency, Position, Membership, PopoloEvent]
        found = ContentType.objects.get_for_models(*models)
        self.ct = {model: found[model] for model in models}
        self.ext: dict[tuple[int, str, str], Any] = {}
        self.pending_ids: list[tuple[Model, str, str]] = []
        self.persons: dict[str, Person] = {}
        self.committees: dict[str, Committee] = {}
        self.agencies: dict[str, Agency] = {}
        self.posts: dict[str, Position] = {}
        self.events: dict[str, PopoloEvent] = {}

    # --- bookkeeping -----------------------------------------------------------------

    def skip(self, collection: str, pid: str, reason: str) -> None:
        self.report.skipped.append((collection, pid or "?", str(reason)))

    def warn(self, collection: str, pid: str, note: str) -> None:
        self.report.warnings.append((collection, pid or "?", str(note)))

    def _preload_identifiers(self) -> None:
        schemes = {POPOLO_ID_SCHEME}
        for key in COLLECTIONS:
            for record in self.data.get(key, []):
                schemes |= {scheme for scheme, _value in _identifiers(record)}
        rows = ExternalIdentifier.objects.filter(scheme__in=schemes).values_list(
            "content_type_id", "scheme", "identifier", "object_id"
        )
        self.ext = {(ct, scheme, ident): pk for ct, scheme, ident, pk in rows}

    def _match(self, model, pid: str, record: dict) -> Any:
        """The pk (or the not yet saved instance) a record names through its id or identifiers."""
        ct = self.ct[model].pk
        keys = [(ct, POPOLO_ID_SCHEME, pid)] + [(ct, s, i) for s, i in _identifiers(record)]
        for key in keys:
            if key in self.ext:
                return self.ext[key]
        return None

    def _remember(self, model, instance, pid: str, record: dict, collection: str) -> None:
        """Keep the record's Popolo id and identifiers, unless they already name another record."""
        ct = self.ct[model].pk
        pairs = [(POPOLO_ID_SCHEME, pid)] if pid else []
        for scheme, identifier in pairs + _identifiers(record):
            if len(scheme) > 100 or len(identifier) > 300:
                self.warn(collection, pid, _("identifier too long: %(id)s") % {"id": identifier})
                continue
            key = (ct, scheme, identifier)
            holder = self.ext.get(key)
            if holder is None:
                self.ext[key] = instance
                self.pending_ids.append((instance, scheme, identifier))
            elif holder is not instance and holder != instance.pk:
                self.warn(
                    collection,
                    pid,
                    _("identifier %(scheme)s %(id)s already names another record")
                    % {"scheme": scheme, "id": identifier},
                )

    def _flush_identifiers(self) -> None:
        rows = [
            ExternalIdentifier(
                content_type=self.ct[type(instance)],
                object_id=instance.pk,
                scheme=scheme,
                identifier=identifier,
            )
            for instance, scheme, identifier in self.pending_ids
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

    # --- persons -----------------------------------------------------------------------

    def import_persons(self) -> None:
        records = []
        seen: set[str] = set()
        for record in self.data.get("persons", []):
            pid = _text(str(record.get("id") or ""))
            if not pid:
                self.skip("persons", "", _("a person without an id"))
            elif pid in seen:
                self.skip("persons", pid, _("the id appears twice in the file"))
            elif not _text(record.get("name")):
                self.skip("persons", pid, _("a person without a name"))
            else:
                seen.add(pid)
                records.append((pid, record))
        own = {self._own_slug(pid, "person") for pid, _r in records} - {""}
        by_slug = dict(Person.objects.filter(slug__in=own).values_list("slug", "pk"))
        matched = {}
        for pid, record in records:
            found = self._match(Person, pid, record) or by_slug.get(self._own_slug(pid, "person"))
            if found is not None:
                matched[pid] = found
        existing = Person.objects.in_bulk([pk for pk in matched.values() if isinstance(pk, int)])
        taken = set(Person.objects.values_list("slug", flat=True))
        new: list[Person] = []
        for pid, record in records:
            values = self._person_values(record)
            found = matched.get(pid)
            if found is not None and not isinstance(found, int):
                self.skip("persons", pid, _("an identifier it shares with a person above"))
                continue
            if found is not None:
                person = existing[found]
                try:
                    self._update("persons", person, values)
                except ValidationError as exc:
                    self.skip("persons", pid, "; ".join(exc.messages))
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
                    self.skip("persons", pid, "; ".join(exc.messages))
                    continue
                new.append(person)
            self.persons[pid] = person
            self._remember(Person, person, pid, record, "persons")
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
    def _person_values(record: dict) -> dict:
        other_names = []
        for item in _list(record.get("other_names")):
            if isinstance(item, dict) and _text(item.get("name")):
                other_names.append(
                    {key: nfc(value) for key, value in item.items() if isinstance(value, str)}
                )
            elif isinstance(item, str) and item.strip():
                other_names.append({"name": nfc(item)})
        gender = fold(_text(record.get("gender")))
        return {
            "full_name": _text(record.get("name")),
            "rank": _text(record.get("honorific_prefix"))[:80],
            "gender": GENDERS.get(gender, Person.Gender.OTHER if gender == "other" else ""),
            "other_names": other_names,
            "source": _first_source(record),
        }

    # --- organizations -----------------------------------------------------------------

    def _organization_types(self) -> dict[str, tuple[str, str]]:
        """(registry type, kind) of each organization in the file."""
        members_of = {_text(str(m.get("organization_id") or "")) for m in self._memberships()}
        behalf_of = {_text(str(m.get("on_behalf_of_id") or "")) for m in self._memberships()}
        types = {}
        for record in self.data.get("organizations", []):
            pid = _text(str(record.get("id") or ""))
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
        records: dict[str, dict] = {}
        for record in self.data.get("organizations", []):
            pid = _text(str(record.get("id") or ""))
            if not pid:
                self.skip("organizations", "", _("an organization without an id"))
            elif pid in records:
                self.skip("organizations", pid, _("the id appears twice in the file"))
            elif not _text(record.get("name")):
                self.skip("organizations", pid, _("an organization without a name"))
            else:
                records[pid] = record
        # Agencies first (committees name their standing agency), each after its parent.
        for wanted in (REGISTRY_TYPE_AGENCY, REGISTRY_TYPE_COMMITTEE):
            todo = [pid for pid in records if types[pid][0] == wanted]
            while todo:
                ready = [
                    pid
                    for pid in todo
                    if not (parent := _text(str(records[pid].get("parent_id") or "")))
                    or parent not in records
                    or types[parent][0] != wanted
                    or parent in self.agencies
                    or parent in self.committees
                    or parent not in todo
                ]
                if not ready:
                    for pid in todo:
                        self.skip("organizations", pid, _("its parents form a cycle"))
                    break
                for pid in ready:
                    todo.remove(pid)
                    if wanted == REGISTRY_TYPE_AGENCY:
                        self._import_agency(pid, records[pid], types[pid][1])
                    else:
                        self._import_committee(pid, records[pid], types[pid][1])
        self._import_lineage(records)

    def _find(self, model, pid: str, record: dict | None = None):
        """An existing record named by a Popolo id (from this file, identifiers, or the registry's own ids)."""
        cache = {Committee: self.committees, Agency: self.agencies, Person: self.persons}[model]
        if pid in cache:
            return cache[pid]
        found = self._match(model, pid, record or {})
        if isinstance(found, int):
            return model.objects.filter(pk=found).first()
        if found is not None:
            return found
        prefix = {Committee: "committee", Agency: "agency", Person: "person"}[model]
        slug = self._own_slug(pid, prefix)
        return model.objects.filter(slug=slug).first() if slug else None

    def _org_common(self, record: dict) -> dict:
        short = ""
        for item in _list(record.get("other_names")):
            if isinstance(item, dict) and fold(_text(item.get("note"))) in (
                "short name",
                "abbreviation",
            ):
                short = _text(item.get("name"))
                break
        level = record.get("level")
        return {
            "name": _text(record.get("name")),
            "short_name": short[:100],
            "level": level if level in Level.values else Level.CITY,
            "source": _first_source(record),
        }

    def _save_org(self, collection, model, pid, record, values, cache) -> None:
        instance = self._find(model, pid, record)
        try:
            if instance is not None:
                self._update(collection, instance, values)
            else:
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
            self.skip(collection, pid, "; ".join(exc.messages))
            return
        cache[pid] = instance
        self._remember(model, instance, pid, record, collection)

    def _import_agency(self, pid: str, record: dict, kind: str) -> None:
        values = self._org_common(record) | {"kind": kind, "parent": None}
        parent_id = _text(str(record.get("parent_id") or ""))
        if parent_id:
            values["parent"] = self._find(Agency, parent_id)
            if values["parent"] is None:
                self.warn("organizations", pid, _("parent %(id)s is unknown") % {"id": parent_id})
        self._save_org("organizations", Agency, pid, record, values, self.agencies)

    def _import_committee(self, pid: str, record: dict, kind: str) -> None:
        values = self._org_common(record) | {"kind": kind, "parent": None}
        values["short_name"] = values["short_name"][:150]
        parent_id = _text(str(record.get("parent_id") or ""))
        if parent_id:
            values["parent"] = self._find(Committee, parent_id)
            if values["parent"] is None:
                if kind == Committee.Kind.SUPPORT_GROUP:
                    self.skip(
                        "organizations",
                        pid,
                        _("a support group needs the committee it assists; %(id)s is unknown")
                        % {"id": parent_id},
                    )
                    return
                self.warn("organizations", pid, _("parent %(id)s is unknown") % {"id": parent_id})
        try:
            founded, founded_precision = _partial(record.get("founding_date"))
            dissolved, dissolved_precision = _partial(record.get("dissolution_date"))
        except ValueError as exc:
            self.skip("organizations", pid, _("a date it cannot read: %(value)s") % {"value": exc})
            return
        declared = record.get("declared_member_count", record.get("seats"))
        standing = _text(str(record.get("standing_agency_id") or ""))
        values |= {
            "founded_on": founded,
            "founded_precision": founded_precision,
            "dissolved_on": dissolved,
            "dissolved_precision": dissolved_precision,
            "description": _text(record.get("description")),
            "declared_member_count": declared
            if isinstance(declared, int) and declared >= 0
            else None,
            "standing_agency": self._find(Agency, standing) if standing else None,
        }
        self._save_org("organizations", Committee, pid, record, values, self.committees)

    def _import_lineage(self, records: dict[str, dict]) -> None:
        steps = []
        for pid, record in records.items():
            lineage = record.get("lineage")
            if pid not in self.committees or not isinstance(lineage, dict):
                continue
            for step in _list(lineage.get("successors")):
                if not isinstance(step, dict) or step.get("kind") not in Succession.Kind.values:
                    continue
                successor = self._find(Committee, _text(str(step.get("organization_id") or "")))
                if successor is None:
                    self.warn("organizations", pid, _("a successor it does not know"))
                    continue
                steps.append((pid, self.committees[pid], successor, step))
        if not steps:
            return
        ids = {c.pk for _p, pred, succ, _s in steps for c in (pred, succ)}
        known = {
            (s.predecessor_id, s.successor_id, s.kind): s
            for s in Succession.objects.filter(predecessor_id__in=ids, successor_id__in=ids)
        }
        for pid, predecessor, successor, step in steps:
            try:
                date, precision = _partial(step.get("date"))
            except ValueError:
                date, precision = None, Precision.DAY
            values = {"date": date, "date_precision": precision}
            existing = known.get((predecessor.pk, successor.pk, step["kind"]))
            try:
                if existing is not None:
                    self._update("successions", existing, values)
                else:
                    save_validated(
                        Succession(
                            predecessor=predecessor,
                            successor=successor,
                            kind=step["kind"],
                            **values,
                        ),
                        by=self.by,
                        reason=self.reason,
                    )
                    self.report.created["successions"] += 1
            except ValidationError as exc:
                self.skip("successions", pid, "; ".join(exc.messages))

    # --- events and posts --------------------------------------------------------------

    def import_events(self) -> None:
        records = [r for r in self.data.get("events", []) if _text(str(r.get("id") or ""))]
        known = PopoloEvent.objects.in_bulk(
            [_text(str(r["id"])) for r in records], field_name="popolo_id"
        )
        for record in records:
            pid = _text(str(record["id"]))
            if pid in self.events:
                self.skip("events", pid, _("the id appears twice in the file"))
                continue
            try:
                start, start_precision = _partial(record.get("start_date"))
                end, end_precision = _partial(record.get("end_date"))
            except ValueError as exc:
                self.skip("events", pid, _("a date it cannot read: %(value)s") % {"value": exc})
                continue
            organization_id = _text(str(record.get("organization_id") or ""))
            values = {
                "name": _text(record.get("name"))[:300],
                "classification": _text(record.get("classification"))[:100],
                "organization": self._find(Committee, organization_id) if organization_id else None,
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
                self.skip("events", pid, "; ".join(exc.messages))
                continue
            self.events[pid] = event
            self._remember(PopoloEvent, event, "", record, "events")

    def import_posts(self) -> None:
        for record in self.data.get("posts", []):
            pid = _text(str(record.get("id") or ""))
            title = _text(record.get("label") or record.get("role"))
            organization_id = _text(str(record.get("organization_id") or ""))
            agency = self._find(Agency, organization_id) if organization_id else None
            if not pid or not title:
                self.skip("posts", pid, _("a post needs an id and a label"))
                continue
            if agency is None:
                self.skip(
                    "posts",
                    pid,
                    _("a post must belong to an agency the registry knows; %(id)s is not one")
                    % {"id": organization_id or "—"},
                )
                continue
            single = record.get("single_holder")
            values = {"single_holder": single if isinstance(single, bool) else True}
            found = self._match(Position, pid, record)
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
                self.skip("posts", pid, "; ".join(exc.messages))
                continue
            self.posts[pid] = position
            self._remember(Position, position, pid, record, "posts")

    # --- memberships -------------------------------------------------------------------

    def _memberships(self) -> list[dict]:
        """Top-level memberships, and those nested in persons and organizations."""
        found = list(self.data.get("memberships", []))
        for key, link in (("persons", "person_id"), ("organizations", "organization_id")):
            for record in self.data.get(key, []):
                for nested in _list(record.get("memberships")):
                    if isinstance(nested, dict):
                        found.append({link: record.get("id"), **nested})
        return found

    def import_memberships(self) -> None:
        """Updates to memberships already kept are written first, so that the new ones are
        checked against the end dates in the file, not those the registry had before."""
        built = []
        for index, record in enumerate(self._memberships()):
            pid = _text(str(record.get("id") or ""))
            label = pid or f"#{index + 1}"
            values = self._membership_values(label, record)
            if values is not None:
                built.append((pid, label, record, *values))
        committees = {values["committee"].pk for _p, _l, _r, values, _e in built}
        by_natural = {
            (c, p, r, s): pk
            for pk, c, p, r, s in Membership.objects.filter(
                committee_id__in=committees
            ).values_list("pk", "committee_id", "person_id", "role", "start_date")
        }
        ct = self.ct[Membership].pk
        candidates = []
        updates: list[tuple[int, str, dict, dict, PopoloEvent | None]] = []
        for pid, label, record, values, period in built:
            key = (
                values["committee"].pk,
                values["person"].pk,
                values["role"],
                values["start_date"],
            )
            found = self.ext.get((ct, POPOLO_ID_SCHEME, pid)) if pid else None
            found = found if isinstance(found, int) else by_natural.get(key)
            if found is not None:
                updates.append((found, label, values, record, period))
            else:
                candidates.append((key, pid, label, record, values, period))
        self._apply_membership_updates(updates)
        self._create_memberships(committees, by_natural, candidates)

    def _create_memberships(self, committees, by_natural, candidates) -> None:
        """Check the new memberships against the registry as it stands after the updates."""
        seats: dict[tuple[int, int], list] = defaultdict(list)
        single: dict[tuple[int, str], list] = defaultdict(list)
        for c, p, r, s, e in Membership.objects.filter(committee_id__in=committees).values_list(
            "committee_id", "person_id", "role", "start_date", "end_date"
        ):
            seats[(c, p)].append((s, e))
            if r in SINGLE_SEAT_ROLES:
                single[(c, r)].append((s, e))
        new: list[tuple[Membership, str, dict, PopoloEvent | None]] = []
        for key, pid, label, record, values, period in candidates:
            if key in by_natural:
                # An earlier record of this file already gave this membership.
                self.skip("memberships", label, _("the membership appears twice in the file"))
                continue
            membership = Membership(**values)
            membership._overlaps_checked = True
            try:
                membership.full_clean(
                    exclude=MEMBERSHIP_FKS, validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                self.skip("memberships", label, "; ".join(exc.messages))
                continue
            start, end = membership.start_date, membership.end_date
            committee, person = values["committee"], values["person"]
            if committee.dissolved_on is not None and start and start > committee.dissolved_on:
                self.skip(
                    "memberships", label, _("the committee was dissolved before this start date")
                )
                continue
            if any(_overlap(start, end, s, e) for s, e in seats[(committee.pk, person.pk)]):
                self.skip(
                    "memberships",
                    label,
                    _("the person already has a seat on this committee during these dates"),
                )
                continue
            if membership.role in SINGLE_SEAT_ROLES and any(
                _overlap(start, end, s, e) for s, e in single[(committee.pk, membership.role)]
            ):
                self.skip(
                    "memberships",
                    label,
                    _("%(role)s is already held by someone else during these dates")
                    % {"role": membership.get_role_display()},
                )
                continue
            seats[(committee.pk, person.pk)].append((start, end))
            if membership.role in SINGLE_SEAT_ROLES:
                single[(committee.pk, membership.role)].append((start, end))
            by_natural[key] = membership
            new.append((membership, pid, record, period))
        if not new:
            return
        bulk_create_with_history(
            [m for m, _pid, _r, _p in new],
            Membership,
            batch_size=500,
            default_user=self._user(),
            default_change_reason=self.reason,
        )
        self.report.created["memberships"] += len(new)
        links = [MembershipPeriod(membership=m, event=p) for m, _i, _r, p in new if p]
        if links:
            bulk_create_with_history(
                links,
                MembershipPeriod,
                batch_size=500,
                default_user=self._user(),
                default_change_reason=self.reason,
            )
        for membership, pid, record, _period in new:
            self._remember(Membership, membership, pid, record, "memberships")

    def _apply_membership_updates(self, updates) -> None:
        instances = Membership.objects.in_bulk(
            [pk for pk, *_rest in updates if isinstance(pk, int)]
        )
        periods = dict(
            MembershipPeriod.objects.filter(membership_id__in=instances).values_list(
                "membership_id", "event_id"
            )
        )
        for pk, label, values, record, period in updates:
            membership = instances.get(pk) if isinstance(pk, int) else None
            if membership is None:
                self.skip("memberships", label, _("the membership appears twice in the file"))
                continue
            changes = {
                name: value
                for name, value in values.items()
                if name not in ("person", "committee", "role", "start_date")
            }
            try:
                before = membership.version
                if _changed_fields(membership, changes):
                    membership.version = before + 1
                self._update("memberships", membership, changes)
            except ValidationError as exc:
                self.skip("memberships", label, "; ".join(exc.messages))
                continue
            if period is not None and periods.get(pk) != period.pk:
                link = MembershipPeriod.objects.filter(membership=membership).first()
                link = link or MembershipPeriod(membership=membership)
                link.event = period
                save_validated(link, by=self.by, reason=self.reason)
            self._remember(
                Membership, membership, _text(str(record.get("id") or "")), record, "memberships"
            )

    def _membership_values(self, label: str, record: dict):
        person_id = _text(str(record.get("person_id") or ""))
        organization_id = _text(str(record.get("organization_id") or ""))
        person = self._find(Person, person_id) if person_id else None
        if person is None:
            self.skip("memberships", label, _("unknown person %(id)s") % {"id": person_id or "—"})
            return None
        committee = self._find(Committee, organization_id) if organization_id else None
        if committee is None:
            reason = (
                _("%(id)s is not a committee but an agency; only committees have members")
                if organization_id in self.agencies
                else _("unknown organization %(id)s")
            )
            self.skip("memberships", label, reason % {"id": organization_id or "—"})
            return None
        period = None
        period_id = _text(str(record.get("legislative_period_id") or ""))
        if period_id:
            period = (
                self.events.get(period_id)
                or PopoloEvent.objects.filter(popolo_id=period_id).first()
            )
            if period is None:
                self.warn(
                    "memberships",
                    label,
                    _("legislative period %(id)s is unknown") % {"id": period_id},
                )
        try:
            start, start_precision = _partial(record.get("start_date"))
            end, end_precision = _partial(record.get("end_date"))
        except ValueError as exc:
            self.skip("memberships", label, _("a date it cannot read: %(value)s") % {"value": exc})
            return None
        # Dates the membership does not give come from its legislative period.
        if start is None and period is not None and period.start_date is not None:
            start, start_precision = period.start_date, period.start_precision
        if end is None and period is not None and period.end_date is not None:
            end, end_precision = period.end_date, period.end_precision
        role_text = _text(record.get("role"))
        role = role_from_popolo(role_text) if role_text else Role.MEMBER
        title = _text(record.get("label"))
        if role is None:
            # A role the registry has no word for: a member, keeping the original label.
            role, title = Role.MEMBER, title or role_text
        position = None
        post_id = _text(str(record.get("post_id") or ""))
        if post_id:
            position = self.posts.get(post_id)
            if position is None:
                self.warn("memberships", label, _("post %(id)s is unknown") % {"id": post_id})
        on_behalf_of = self._agency_ref(label, record.get("on_behalf_of_id"))
        home = self._agency_ref(label, record.get("home_agency_id"))
        end_reason = record.get("end_reason")
        if end_reason not in Membership.EndReason.values:
            end_reason = Membership.EndReason.TERM_ENDED if end else ""
        return {
            "person": person,
            "committee": committee,
            "role": role,
            "start_date": start,
            "start_precision": start_precision,
            "end_date": end,
            "end_precision": end_precision,
            "end_reason": end_reason,
            "title_at_appointment": title[:300],
            "position": position,
            "home_agency": home or (position.agency if position else None),
            "on_behalf_of": on_behalf_of,
            "source": _first_source(record),
        }, period

    def _agency_ref(self, label: str, value: Any) -> Agency | None:
        pid = _text(str(value or ""))
        if not pid:
            return None
        agency = self._find(Agency, pid)
        if agency is None:
            self.warn("memberships", label, _("agency %(id)s is unknown") % {"id": pid})
        return agency

    def run(self) -> ImportReport:
        self._preload_identifiers()
        self.import_persons()
        self.import_organizations()
        self.import_events()
        self.import_posts()
        self.import_memberships()
        self._flush_identifiers()
        return self.report


def popolo_import(
    *,
    data: dict,
    source_name: str,
    dry_run: bool = False,
    by: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import a checked Popolo document (see popolo_load) in one transaction; roll back on a dry run."""
    _check_collections(data)
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
    return report
