"""Popolo export: the registry (or one committee) as a Popolo JSON document, and the shared mapping.

Popolo (https://www.popoloproject.com/) names persons, organizations, memberships,
posts and events. The registry maps them to Person, Committee/Agency, Membership,
Position and PopoloEvent. What Popolo has no word for travels as extra fields
(`registry_type`, `kind`, `level`, `declared_member_count`, `lineage`…), so an
export imported into an empty registry exports the same document again.

The document is written a record at a time (`popolo_json`), so its size does not bound the
memory of the process that writes it: each collection is one query, read through a cursor a
chunk at a time, in the order of the records' Popolo ids (the order the document has always
had). Everything a record needs — the ids it refers to, its other identifiers, what an import
kept of it — is read with it, in the same query, so the queries are as many at any size and no
list of ids is sent to the database.
"""

import datetime as dt
import heapq
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Collate, Concat

from api.models import (
    POPOLO_ID_SCHEME,
    ExternalIdentifier,
    PopoloEvent,
    PopoloExtras,
    PopoloFileMeta,
)
from areas.models import Area
from committees.models import Agency, Committee, Succession
from committees.partial_dates import popolo_iso
from committees.text import fold
from members.models import Membership, Person, Position, Role
from members.selectors import memberships_active_on, today
from work.popolo import MEETING_FIELDS, meeting_event, meetings

# Popolo classification of each kind of body, and back.
COMMITTEE_CLASSIFICATION = {
    Committee.Kind.STEERING: "steering committee",
    Committee.Kind.NATIONAL: "national committee",
    Committee.Kind.SUPPORT_GROUP: "support group",
    Committee.Kind.COUNCIL: "council",
    Committee.Kind.OTHER: "committee",
}
AGENCY_CLASSIFICATION = {
    Agency.Kind.PEOPLES_COMMITTEE: "executive",
    Agency.Kind.DEPARTMENT: "department",
    Agency.Kind.POLICE: "police",
    Agency.Kind.PARTY: "party",
    Agency.Kind.GOVERNMENT: "government",
    Agency.Kind.MINISTRY: "ministry",
    Agency.Kind.LEGISLATURE: "legislature",
    Agency.Kind.DIVISION: "division",
    Agency.Kind.OTHER: "agency",
}
# Popolo role strings, as the registry writes them ("standing deputy head").
POPOLO_ROLE = {role.value: role.value.replace("_", " ") for role in Role}

REGISTRY_TYPE_COMMITTEE = "committee"
REGISTRY_TYPE_AGENCY = "agency"
# Fields of a person that only readers see (api.serializers.PersonSerializer says the same),
# whether the registry has a column for them or keeps them as given.
READER_ONLY_FIELDS = frozenset({"gender", "contact_details", "email", "phone", "fax"})


def exported_role(role: str) -> str:
    """The Popolo role string the registry writes for one of its roles."""
    return POPOLO_ROLE.get(role, role)


partial_iso = popolo_iso  # one rule: committees.partial_dates


def source_entry(source: str) -> list[dict[str, str]]:
    """Popolo `sources`: a URL as `url`, otherwise the article's title as `note` (never the
    internal file name of a seed article)."""
    from committees.sources import source_label

    if not source:
        return []
    if source.startswith(("http://", "https://")):
        return [{"url": source}]
    label = source_label(source)
    return [{"note": label}] if label else []


def own_id(prefix: str, key: Any) -> str:
    return f"{prefix}/{key}"


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return {
            **old,
            **{key: _merge(old[key], value) if key in old else value for key, value in new.items()},
        }
    if isinstance(old, list) and isinstance(new, list):
        return old + [item for item in new if item not in old]
    return new


def merged_meta(metas: Iterable[dict]) -> dict:
    """The `meta` of several files as one, the oldest import first: lists are joined (each
    item once, in the order first given: every file's sources), objects merged key by key,
    and any other value is the most recent import's."""
    merged: dict = {}
    for meta in metas:
        merged = _merge(merged, meta)
    return merged


def _first_of(sources: list) -> str:
    for item in sources:
        if isinstance(item, dict):
            for key in ("url", "note"):
                if isinstance(item.get(key), str) and item[key].strip():
                    return item[key].strip()[:500]
    return ""


def all_sources(source: str, kept: list | None) -> list:
    """Every source of a record: those an import kept, as long as they still begin with the
    record's own `source` (an edit of the source since then wins)."""
    if kept and fold(_first_of(kept)) == fold(source):
        return kept
    return source_entry(source) + [s for s in kept or [] if s not in source_entry(source)]


def _content_types() -> dict[str, ContentType]:
    models = {
        "person": Person,
        "committee": Committee,
        "agency": Agency,
        "post": Position,
        "membership": Membership,
        "event": PopoloEvent,
        "area": Area,
    }
    found = ContentType.objects.get_for_models(*models.values())
    return {kind: found[model] for kind, model in models.items()}


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: Popolo leaves out what is not known."""
    return {key: value for key, value in record.items() if value not in (None, "", [], {})}


def _prefixed(prefix: str, field: str) -> Concat:
    """The registry's own Popolo id of a record, "person/<slug>", in SQL."""
    return Concat(Value(f"{prefix}/"), F(field), output_field=CharField())


def _numbered(prefix: str, field: str) -> Concat:
    """The registry's own Popolo id of a record known by its number, "post/12", in SQL."""
    return Concat(Value(f"{prefix}/"), Cast(field, CharField()), output_field=CharField())


CHUNK = 2000  # rows read from a collection's cursor at a time


def identifiers_sql(
    model, content_type_id: int, *, exclude_scheme: str = "", order: str = "id"
) -> RawSQL:
    """A record's ExternalIdentifier rows as a JSON list of [identifier, scheme] pairs (in the
    order `order` names: "id", the order they were given, or "scheme, identifier"), read in
    the record's own query; an empty list or None when it has none."""
    quote = connection.ops.quote_name
    outer = f"{quote(model._meta.db_table)}.{quote('id')}"
    table = quote(ExternalIdentifier._meta.db_table)
    where = f"e.content_type_id = %s AND e.object_id = {outer} AND e.scheme <> %s"
    rows = f"SELECT e.id, e.identifier, e.scheme FROM {table} e WHERE {where}"  # noqa: S608
    if connection.vendor == "postgresql":
        sql = "(SELECT jsonb_agg(jsonb_build_array(identifier, scheme) ORDER BY {}) FROM ({}) r)"
    else:
        sql = "(SELECT json_group_array(json_array(identifier, scheme)) FROM ({1} ORDER BY {0}))"
    sql = sql.format(order, rows)
    params = (content_type_id, exclude_scheme)
    return RawSQL(sql, params, output_field=JSONField())  # noqa: S611


class _Row(dict):
    """A row read as values (building model instances would cost more than the rest of the
    export), its columns read as attributes; a column not read is None."""

    __getattr__ = dict.get

    @property
    def pk(self):
        return self["id"]


class _Builder:
    """The records of one document, a collection at a time.

    A record's Popolo id is the id it came with from an imported file (its first
    ExternalIdentifier under the "popolo" scheme), else the registry's own ("person/<slug>");
    both are computed in SQL, for the record and for every record it refers to, so that the
    database sorts each collection by id. The subqueries that look up imported ids, other
    identifiers and kept extras are only added for the kinds of record that have any."""

    def __init__(self, *, committee: Committee | None, day: dt.date | None, reader: bool):
        self.committee = committee
        self.day = day or today()
        self.reader = reader
        self.types = {kind: ct.pk for kind, ct in _content_types().items()}
        kinds = {pk: kind for kind, pk in self.types.items()}
        found = (
            ExternalIdentifier.objects.order_by()
            .annotate(imported=Q(scheme=POPOLO_ID_SCHEME))
            .values_list("content_type_id", "imported")
            .distinct()
        )
        self.imported_ids: set[str] = set()
        self.other_ids: set[str] = set()
        for content_type, imported in found:
            if content_type in kinds:
                (self.imported_ids if imported else self.other_ids).add(kinds[content_type])
        self.kept: set[str] = {
            kinds[pk]
            for pk in PopoloExtras.objects.order_by()
            .values_list("content_type_id", flat=True)
            .distinct()
            if pk in kinds
        }
        self.scope_ids: set[int] | None = None
        if committee is not None:
            self._scope(committee)

    # -- what the document holds -------------------------------------------------------

    def _scope(self, committee: Committee) -> None:
        """One committee with its support groups (and its parent, named): the records they
        refer to, with the agencies and areas above those. A committee is small: its sets of
        ids are."""
        scope = [
            committee.pk,
            *Committee.objects.filter(parent=committee).values_list("pk", flat=True),
        ]
        self.scope_ids = set(scope)
        self.committee_ids = self.scope_ids | (
            {committee.parent_id} if committee.parent_id else set()
        )
        seats = Membership.objects.filter(committee_id__in=scope)
        self.seats = seats
        refs = list(
            seats.values_list("home_agency_id", "on_behalf_of_id", "position__agency_id", "area_id")
        )
        bodies = list(
            Committee.objects.filter(pk__in=self.committee_ids).values_list(
                "standing_agency_id", "jurisdiction_area_id"
            )
        )
        agencies = {a for row in refs for a in row[:3] if a} | {a for a, _ in bodies if a}
        areas = {row[3] for row in refs if row[3]} | {a for _, a in bodies if a}
        self.agency_ids = self._with_parents(Agency, agencies)
        self.area_ids = self._with_parents(Area, areas)

    @staticmethod
    def _with_parents(model, pks: set[int]) -> set[int]:
        """The records and every record above them (one query per level of the tree)."""
        found = set(pks)
        pending = set(pks)
        while pending:
            pending = (
                set(
                    model.objects.filter(pk__in=pending, parent__isnull=False).values_list(
                        "parent_id", flat=True
                    )
                )
                - found
            )
            found |= pending
        return found

    def _whole(self) -> bool:
        return self.scope_ids is None

    # -- SQL pieces ------------------------------------------------------------------------

    def popolo_id(self, kind: str, ref: str, fallback):
        """The Popolo id of the `kind` record whose pk is the column `ref`."""
        if kind not in self.imported_ids:
            return fallback
        first = (
            ExternalIdentifier.objects.filter(
                content_type_id=self.types[kind], object_id=OuterRef(ref), scheme=POPOLO_ID_SCHEME
            )
            .order_by("pk")
            .values("identifier")[:1]
        )
        return Coalesce(Subquery(first), fallback, output_field=CharField())

    def annotated(
        self, kind: str, queryset: QuerySet, key, *, fields: tuple[str, ...] = (), **refs
    ) -> Iterator[_Row]:
        """The collection's rows with their Popolo id (`popolo_key`), the ids they refer to,
        their other identifiers and kept extras, in the order of their ids, a chunk at a time
        (every column, or only `fields`)."""
        collation = "C" if connection.vendor == "postgresql" else "BINARY"
        queryset = queryset.annotate(popolo_key=Collate(key, collation), **refs)
        if kind in self.other_ids:
            queryset = queryset.annotate(
                other_ids=identifiers_sql(
                    queryset.model, self.types[kind], exclude_scheme=POPOLO_ID_SCHEME
                )
            )
        if kind in self.kept:
            rows = PopoloExtras.objects.filter(
                content_type_id=self.types[kind], object_id=OuterRef("pk")
            )
            queryset = queryset.annotate(
                kept_extras=Subquery(rows.values("extras")[:1], output_field=JSONField()),
                kept_sources=Subquery(rows.values("sources")[:1], output_field=JSONField()),
            )
        names = (*fields, *queryset.query.annotations) if fields else ()
        rows = queryset.order_by("popolo_key", "pk").values(*names).iterator(chunk_size=CHUNK)
        return map(_Row, rows)

    # -- per record ------------------------------------------------------------------------

    @staticmethod
    def identifiers(row) -> list[dict[str, str]]:
        return [
            {"identifier": identifier, "scheme": scheme}
            for identifier, scheme in row.other_ids or []
        ]

    @staticmethod
    def sources(row, source: str) -> list:
        return all_sources(source, row.kept_sources)

    def apply(self, row, record: dict, keep_if: Callable | None = None) -> dict:
        """The record with the fields an import kept added back (a kept None removes a field
        the registry would write but the file did not give). `keep_if(key, value)` may refuse
        a kept spelling that no longer matches the registry's value."""
        kept = row.kept_extras
        if not kept:
            return record
        record = dict(record)
        for key, value in kept.items():
            if key in READER_ONLY_FIELDS and not self.reader:
                continue
            if keep_if is not None and not keep_if(key, value):
                continue
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        return record

    # -- the collections -------------------------------------------------------------------

    def persons(self) -> Iterator[dict]:
        if self._whole():
            people = Person.objects.filter(merged_into__isnull=True)  # merged: no longer listed
        else:
            people = Person.objects.filter(pk__in=self.seats.values("person_id"))
        key = self.popolo_id("person", "pk", _prefixed("person", "slug"))
        for p in self.annotated("person", people, key):
            yield self.person(p)

    def person(self, p: _Row) -> dict:
        reader = self.reader
        record = _compact(
            {
                "id": p.popolo_key,
                "name": p.full_name,
                "honorific_prefix": p.rank,
                "gender": p.gender if reader else None,
                "birth_date": partial_iso(p.birth_date, p.birth_precision),
                "death_date": partial_iso(p.death_date, p.death_precision),
                "image": p.image,
                "images": p.images,
                "links": p.links,
                "contact_details": p.contact_details if reader else None,
                "other_names": p.other_names,
                "identifiers": self.identifiers(p),
                "sources": all_sources(p.source, p.sources),
            }
        )

        def keep(key, value) -> bool:
            # A gender kept as the file spelled it ("M") only while it still says the same.
            if key == "gender" and isinstance(value, str):
                from api.popolo_import import GENDERS  # import cycle

                return GENDERS.get(fold(value), Person.Gender.OTHER) == p.gender
            return True

        return self.apply(p, record, keep)

    def _lineage(self) -> dict[int, dict[str, list]]:
        """Each body's predecessors and successors (lineage steps are few: read at once)."""
        steps = Succession.objects.all()
        if not self._whole():
            steps = steps.filter(
                Q(predecessor_id__in=self.scope_ids) | Q(successor_id__in=self.scope_ids)
            )
        steps = steps.annotate(
            predecessor_key=self.popolo_id(
                "committee", "predecessor_id", _prefixed("committee", "predecessor__slug")
            ),
            successor_key=self.popolo_id(
                "committee", "successor_id", _prefixed("committee", "successor__slug")
            ),
        ).order_by()
        lineage: dict[int, dict[str, list]] = defaultdict(
            lambda: {"predecessors": [], "successors": []}
        )
        self.named = set()  # bodies the lineage names
        for step in steps:
            self.named |= {step.predecessor_id, step.successor_id}
            entry = {"kind": step.kind, "date": partial_iso(step.date, step.date_precision)}
            lineage[step.predecessor_id]["successors"].append(
                _compact({**entry, "organization_id": step.successor_key})
            )
            lineage[step.successor_id]["predecessors"].append(
                _compact({**entry, "organization_id": step.predecessor_key})
            )
        return lineage

    @staticmethod
    def other_names(record) -> list:
        names = list(record.other_names or [])
        if record.short_name and not any(n.get("name") == record.short_name for n in names):
            names.insert(0, {"name": record.short_name, "note": "short name"})
        return names

    def organizations(self) -> Iterator[dict]:
        return heapq.merge(self.committees(), self.agencies(), key=lambda r: r["id"])

    def committees(self) -> Iterator[dict]:
        lineage = self._lineage()
        bodies = Committee.objects.all()
        if not self._whole():
            bodies = bodies.filter(pk__in=self.committee_ids)
        seats_today = (
            Membership.objects.filter(memberships_active_on(self.day), committee_id=OuterRef("pk"))
            .order_by()
            .values("committee_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        rows = self.annotated(
            "committee",
            bodies,
            self.popolo_id("committee", "pk", _prefixed("committee", "slug")),
            parent_key=self.popolo_id(
                "committee", "parent_id", _prefixed("committee", "parent__slug")
            ),
            area_key=self.popolo_id(
                "area", "jurisdiction_area_id", _prefixed("area", "jurisdiction_area__slug")
            ),
            agency_key=self.popolo_id(
                "agency", "standing_agency_id", _prefixed("agency", "standing_agency__slug")
            ),
            seats_today=Subquery(seats_today),
        )
        for body in rows:
            links = lineage.get(body.pk, {"predecessors": [], "successors": []})
            counted = self._whole() or body.pk in self.scope_ids
            record = _compact(
                {
                    "id": body.popolo_key,
                    "name": body.name,
                    "other_names": self.other_names(body),
                    "classification": body.classification or COMMITTEE_CLASSIFICATION[body.kind],
                    "type": body.org_type,
                    "parent_id": body.parent_key if body.parent_id else None,
                    "area_id": body.area_key if body.jurisdiction_area_id else None,
                    "founding_date": partial_iso(body.founded_on, body.founded_precision),
                    "dissolution_date": partial_iso(body.dissolved_on, body.dissolved_precision),
                    "seats": body.declared_member_count,
                    "description": body.description,
                    "identifiers": self.identifiers(body),
                    "sources": self.sources(body, body.source),
                    "registry_type": REGISTRY_TYPE_COMMITTEE,
                    "kind": body.kind,
                    "level": body.level,
                    "standing_agency_id": body.agency_key if body.standing_agency_id else None,
                    "declared_member_count": body.declared_member_count,
                    "actual_member_count": (body.seats_today or 0) if counted else None,
                    "lineage": {
                        key: sorted(value, key=lambda e: (e["organization_id"], e["kind"]))
                        for key, value in links.items()
                        if value
                    },
                }
            )
            yield self.apply(body, record)

    def agencies(self) -> Iterator[dict]:
        agencies = Agency.objects.all()
        if not self._whole():
            agencies = agencies.filter(pk__in=self.agency_ids)
        rows = self.annotated(
            "agency",
            agencies,
            self.popolo_id("agency", "pk", _prefixed("agency", "slug")),
            parent_key=self.popolo_id("agency", "parent_id", _prefixed("agency", "parent__slug")),
        )
        for agency in rows:
            record = _compact(
                {
                    "id": agency.popolo_key,
                    "name": agency.name,
                    "other_names": self.other_names(agency),
                    "classification": agency.classification or AGENCY_CLASSIFICATION[agency.kind],
                    "type": agency.org_type,
                    "parent_id": agency.parent_key if agency.parent_id else None,
                    "identifiers": self.identifiers(agency),
                    "sources": self.sources(agency, agency.source),
                    "registry_type": REGISTRY_TYPE_AGENCY,
                    "kind": agency.kind,
                    "level": agency.level,
                }
            )
            yield self.apply(agency, record)

    def areas(self) -> Iterator[dict]:
        areas = Area.objects.all()
        if not self._whole():
            areas = areas.filter(pk__in=self.area_ids)
        rows = self.annotated(
            "area",
            areas,
            self.popolo_id("area", "pk", _prefixed("area", "slug")),
            parent_key=self.popolo_id("area", "parent_id", _prefixed("area", "parent__slug")),
        )
        for area in rows:
            own = self.identifiers(area)
            record = _compact(
                {
                    "id": area.popolo_key,
                    "name": area.name,
                    "type": area.kind,
                    "parent_id": area.parent_key if area.parent_id else None,
                    "start_date": partial_iso(area.valid_from, area.valid_from_precision),
                    "end_date": partial_iso(area.valid_until, area.valid_until_precision),
                    "other_names": area.other_names,
                    "identifiers": [
                        *area.identifiers,
                        *(i for i in own if i not in area.identifiers),
                    ],
                    "sources": self.sources(area, area.source),
                }
            )

            def keep(key, value, area=area) -> bool:
                if key == "type" and isinstance(value, str):
                    from api.popolo_import import AREA_KIND_BY_TYPE  # import cycle

                    return AREA_KIND_BY_TYPE.get(fold(value), Area.Kind.OTHER) == area.kind
                return True

            yield self.apply(area, record, keep)

    def posts(self) -> Iterator[dict]:
        posts = Position.objects.all()
        if not self._whole():
            posts = posts.filter(pk__in=self.seats.values("position_id"))
        rows = self.annotated(
            "post",
            posts,
            self.popolo_id("post", "pk", _numbered("post", "pk")),
            agency_key=self.popolo_id("agency", "agency_id", _prefixed("agency", "agency__slug")),
        )
        for post in rows:
            record = _compact(
                {
                    "id": post.popolo_key,
                    "label": post.title,
                    "organization_id": post.agency_key,
                    "identifiers": self.identifiers(post),
                    "single_holder": post.single_holder,
                    "sources": self.sources(post, post.source),
                }
            )
            yield self.apply(post, record)

    def memberships(self) -> Iterator[dict]:
        seats = Membership.objects.all() if self._whole() else self.seats
        rows = self.annotated(
            "membership",
            seats,
            self.popolo_id("membership", "pk", _numbered("membership", "pk")),
            person_key=self.popolo_id("person", "person_id", _prefixed("person", "person__slug")),
            committee_key=self.popolo_id(
                "committee", "committee_id", _prefixed("committee", "committee__slug")
            ),
            post_key=self.popolo_id("post", "position_id", _numbered("post", "position_id")),
            area_key=self.popolo_id("area", "area_id", _prefixed("area", "area__slug")),
            behalf_key=self.popolo_id(
                "agency", "on_behalf_of_id", _prefixed("agency", "on_behalf_of__slug")
            ),
            home_key=self.popolo_id(
                "agency", "home_agency_id", _prefixed("agency", "home_agency__slug")
            ),
            period_key=F("popolo_period__event__popolo_id"),
        )
        for m in rows:
            record = _compact(
                {
                    "id": m.popolo_key,
                    # A seat named by its title only has no person_id (docs/popolo.md).
                    "person_id": m.person_key if m.person_id else None,
                    "organization_id": m.committee_key,
                    "role": m.role_title or exported_role(m.role),
                    "label": m.title_at_appointment,
                    "post_id": m.post_key if m.position_id else None,
                    "area_id": m.area_key if m.area_id else None,
                    "on_behalf_of_id": m.behalf_key if m.on_behalf_of_id else None,
                    "home_agency_id": m.home_key if m.home_agency_id else None,
                    "start_date": partial_iso(m.start_date, m.start_precision),
                    "end_date": partial_iso(m.end_date, m.end_precision),
                    "end_reason": m.end_reason,
                    "legislative_period_id": m.period_key,
                    "identifiers": self.identifiers(m),
                    "sources": self.sources(m, m.source),
                }
            )
            yield self.apply(m, record)

    def events(self) -> Iterator[dict]:
        """Legislative periods and elections, and the meetings (work.popolo), in id order."""
        events = PopoloEvent.objects.all()
        if not self._whole():
            events = events.filter(
                Q(organization_id__in=self.scope_ids)
                | Exists(
                    Membership.objects.filter(
                        popolo_period__event=OuterRef("pk"), committee_id__in=self.scope_ids
                    )
                )
            )
        rows = self.annotated(
            "event",
            events,
            F("popolo_id"),
            organization_key=self.popolo_id(
                "committee", "organization_id", _prefixed("committee", "organization__slug")
            ),
        )
        held = self.annotated(
            "meeting",
            meetings(committee_ids=None if self._whole() else self.scope_ids),
            _numbered("meeting", "pk"),
            fields=MEETING_FIELDS,
            organization_key=self.popolo_id(
                "committee", "committee_id", _prefixed("committee", "committee__slug")
            ),
        )
        held = (
            _Row(meeting_event(meeting), organization_key=meeting.organization_key)
            for meeting in held
        )
        both = heapq.merge(rows, held, key=lambda e: e.popolo_id)
        for e in both:
            organization = None
            if e.organization_id and (self._whole() or e.organization_id in self._named_bodies()):
                organization = e.organization_key
            record = _compact(
                {
                    "id": e.popolo_id,
                    "name": e.name,
                    "classification": e.classification,
                    "organization_id": organization,
                    "start_date": partial_iso(e.start_date, e.start_precision),
                    "end_date": partial_iso(e.end_date, e.end_precision),
                    "identifiers": self.identifiers(e),
                }
            )
            yield self.apply(e, record)

    def _named_bodies(self) -> set[int]:
        """The bodies a committee's document names: its own, its parent, their lineage."""
        return self.committee_ids | getattr(self, "named", set())

    def collections(self) -> Iterator[tuple[str, dict | Iterable[dict]]]:
        if self._whole():
            # The imported files' own `meta`, merged (a committee's document has none).
            meta = merged_meta(
                row.meta for row in PopoloFileMeta.objects.order_by("imported_at", "pk")
            )
            if meta:
                yield "meta", meta
        yield "persons", self.persons()
        yield "organizations", self.organizations()
        yield "areas", self.areas()
        yield "posts", self.posts()
        yield "memberships", self.memberships()
        yield "events", self.events()


def popolo_collections(
    *, committee: Committee | None = None, day: dt.date | None = None, reader: bool = False
) -> Iterator[tuple[str, dict | Iterable[dict]]]:
    """The document's collections in order, each as an iterator of its records (read lazily:
    consume each before asking for the next); first the `meta` object, when there is one.

    Public fields only unless `reader` (an account committees.permissions.is_reader accepts):
    a person's gender goes to readers only."""
    return _Builder(committee=committee, day=day, reader=reader).collections()


def popolo_document(
    *, committee: Committee | None = None, day: dt.date | None = None, reader: bool = False
) -> dict:
    """The whole registry, or one committee with its support groups, as a Popolo document
    held in memory (for a committee, or tests; the registry's is written by popolo_json)."""
    return {
        name: records if isinstance(records, dict) else list(records)
        for name, records in popolo_collections(committee=committee, day=day, reader=reader)
    }


BATCH = 200  # records per piece of text written


def popolo_json(
    *,
    committee: Committee | None = None,
    day: dt.date | None = None,
    reader: bool = False,
    separators: tuple[str, str] = (",", ":"),
    counts: dict[str, int] | None = None,
) -> Iterator[str]:
    """The document as JSON text, in pieces, as `json.dumps(popolo_document(…),
    ensure_ascii=False, separators=separators)` would write it (with U+2028 and U+2029
    escaped, as the API's renderer does) — without ever holding more than a chunk of it.
    `counts`, when given, gets the number of records of each collection as they are written."""
    item, colon = separators
    encode = json.JSONEncoder(ensure_ascii=False, separators=separators, allow_nan=False).encode

    def text(value) -> str:
        return encode(value).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")

    yield "{"
    for index, (name, records) in enumerate(
        popolo_collections(committee=committee, day=day, reader=reader)
    ):
        if isinstance(records, dict):
            yield f"{item if index else ''}{text(name)}{colon}{text(records)}"
            continue
        yield f"{item if index else ''}{text(name)}{colon}["
        records = iter(records)
        written = 0
        while batch := list(islice(records, BATCH)):
            yield ("" if not written else item) + item.join(text(record) for record in batch)
            written += len(batch)
        if counts is not None:
            counts[name] = written
        yield "]"
    yield "}"
