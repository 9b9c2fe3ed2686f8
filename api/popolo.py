"""Popolo export: the registry (or one committee) as a Popolo JSON document, and the shared mapping.

Popolo (https://www.popoloproject.com/) names persons, organizations, memberships,
posts and events. The registry maps them to Person, Committee/Agency, Membership,
Position and PopoloEvent. What Popolo has no word for travels as extra fields
(`registry_type`, `kind`, `level`, `declared_member_count`, `lineage`…), so an
export imported into an empty registry exports the same document again.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from api.models import (
    POPOLO_ID_SCHEME,
    ExternalIdentifier,
    MembershipPeriod,
    PopoloEvent,
    PopoloExtras,
)
from areas.models import Area
from committees.models import Agency, Committee, Succession
from committees.partial_dates import popolo_iso
from committees.text import fold
from members.models import Membership, Person, Position, Role
from members.selectors import memberships_active_on, today
from work.popolo import meeting_events

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


class _Ids:
    """The Popolo id of each record: the id it came with from an imported file, else the
    registry's own; its other identifiers in the order they were given."""

    def __init__(self, identifiers: list[ExternalIdentifier], types: dict[int, str]):
        self.popolo: dict[tuple[str, int], str] = {}
        self.others: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
        for row in sorted(identifiers, key=lambda row: row.pk):
            key = (types[row.content_type_id], row.object_id)
            if row.scheme == POPOLO_ID_SCHEME:
                self.popolo.setdefault(key, row.identifier)
            else:
                self.others[key].append({"identifier": row.identifier, "scheme": row.scheme})

    def of(self, kind: str, pk: int, fallback: str) -> str:
        return self.popolo.get((kind, pk), fallback)

    def identifiers(self, kind: str, pk: int) -> list[dict[str, str]]:
        return list(self.others.get((kind, pk), []))


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


class _Extras:
    """What imports kept of each record beyond the registry's columns (PopoloExtras)."""

    def __init__(self, rows: list[PopoloExtras], types: dict[int, str], reader: bool):
        self.rows = {(types[row.content_type_id], row.object_id): row for row in rows}
        self.reader = reader

    def sources(self, kind: str, pk: int, source: str) -> list:
        row = self.rows.get((kind, pk))
        return all_sources(source, row.sources if row else None)

    def kept(self, kind: str, pk: int) -> dict:
        row = self.rows.get((kind, pk))
        return row.extras if row else {}

    def apply(self, kind: str, pk: int, record: dict, keep_if=None) -> dict:
        """The record with the kept fields added back (a kept None removes a field the
        registry would write but the file did not give). `keep_if(key, value)` may refuse a
        kept spelling that no longer matches the registry's value."""
        row = self.rows.get((kind, pk))
        if row is None:
            return record
        record = dict(record)
        for key, value in row.extras.items():
            if key in READER_ONLY_FIELDS and not self.reader:
                continue
            if keep_if is not None and not keep_if(key, value):
                continue
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        return record


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


def popolo_document(
    *, committee: Committee | None = None, day: dt.date | None = None, reader: bool = False
) -> dict:
    """The whole registry, or one committee with its support groups, as a Popolo document.

    Public fields only unless `reader` (an account committees.permissions.is_reader accepts):
    a person's gender goes to readers only. A fixed number of queries whatever the size:
    each table is read once."""
    day = day or today()
    agencies = {agency.pk: agency for agency in Agency.objects.all()}
    if committee is None:
        committees = list(Committee.objects.all())
        scope_ids = {c.pk for c in committees}
        memberships = list(Membership.objects.all().order_by("pk"))
        successions = list(Succession.objects.all())
    else:
        scope = [committee, *Committee.objects.filter(parent=committee)]
        scope_ids = {c.pk for c in scope}
        committees = scope + ([committee.parent] if committee.parent_id else [])
        memberships = list(Membership.objects.filter(committee_id__in=scope_ids).order_by("pk"))
        successions = list(
            Succession.objects.filter(
                Q(predecessor_id__in=scope_ids) | Q(successor_id__in=scope_ids)
            )
        )
    committee_ids = {c.pk for c in committees}
    # Lineage may name bodies outside the export: read their slugs for the ids.
    lineage_ids = {s.predecessor_id for s in successions} | {s.successor_id for s in successions}
    outside = dict(
        Committee.objects.filter(pk__in=lineage_ids - committee_ids).values_list("pk", "slug")
    )

    if committee is None:
        persons = list(Person.objects.filter(merged_into__isnull=True))  # merged: no longer listed
        positions = list(Position.objects.all())
        events = list(PopoloEvent.objects.all())
    else:
        persons = list(
            Person.objects.filter(pk__in={m.person_id for m in memberships if m.person_id})
        )
        positions = list(
            Position.objects.filter(pk__in={m.position_id for m in memberships if m.position_id})
        )
        events = list(
            PopoloEvent.objects.filter(
                Q(organization_id__in=scope_ids)
                | Q(membership_periods__membership__committee_id__in=scope_ids)
            ).distinct()
        )
    events += meeting_events(committee_ids=None if committee is None else scope_ids)
    periods = dict(
        MembershipPeriod.objects.filter(membership_id__in=[m.pk for m in memberships]).values_list(
            "membership_id", "event_id"
        )
    )

    # Agencies the document refers to, with the agencies above them.
    if committee is None:
        agency_ids = set(agencies)
    else:
        agency_ids = {c.standing_agency_id for c in committees if c.standing_agency_id}
        agency_ids |= {m.home_agency_id for m in memberships if m.home_agency_id}
        agency_ids |= {m.on_behalf_of_id for m in memberships if m.on_behalf_of_id}
        agency_ids |= {p.agency_id for p in positions}
        pending = list(agency_ids)
        while pending:
            parent = agencies[pending.pop()].parent_id
            if parent and parent not in agency_ids:
                agency_ids.add(parent)
                pending.append(parent)

    # Areas: all of them, or those the document refers to with the areas above them.
    all_areas = {area.pk: area for area in Area.objects.all()}
    if committee is None:
        area_ids = set(all_areas)
    else:
        area_ids = {c.jurisdiction_area_id for c in committees if c.jurisdiction_area_id}
        area_ids |= {m.area_id for m in memberships if m.area_id}
        pending = list(area_ids)
        while pending:
            parent = all_areas[pending.pop()].parent_id
            if parent and parent not in area_ids:
                area_ids.add(parent)
                pending.append(parent)

    types = _content_types()
    type_names = {ct.pk: kind for kind, ct in types.items()}
    wanted = {
        "person": [p.pk for p in persons],
        "committee": list(committee_ids | set(outside)),
        "agency": list(agency_ids),
        "post": [p.pk for p in positions],
        "membership": [m.pk for m in memberships],
        "event": [e.pk for e in events],
        "area": list(area_ids),
    }
    condition = Q(pk__in=[])
    for kind, pks in wanted.items():
        if pks:
            condition |= Q(content_type=types[kind], object_id__in=pks)
    ids = _Ids(list(ExternalIdentifier.objects.filter(condition)), type_names)
    extras = _Extras(list(PopoloExtras.objects.filter(condition)), type_names, reader)

    def area_id(pk: int) -> str:
        return ids.of("area", pk, own_id("area", all_areas[pk].slug))

    committee_slugs = {c.pk: c.slug for c in committees} | outside

    def committee_id(pk: int) -> str:
        return ids.of("committee", pk, own_id("committee", committee_slugs[pk]))

    def agency_id(pk: int) -> str:
        return ids.of("agency", pk, own_id("agency", agencies[pk].slug))

    person_ids = {p.pk: ids.of("person", p.pk, own_id("person", p.slug)) for p in persons}
    post_ids = {p.pk: ids.of("post", p.pk, own_id("post", p.pk)) for p in positions}
    event_ids = {e.pk: e.popolo_id for e in events}

    counts = dict(
        Membership.objects.filter(memberships_active_on(day), committee_id__in=scope_ids)
        .order_by()  # without the model's ordering joins
        .values("committee_id")
        .annotate(n=Count("pk"))
        .values_list("committee_id", "n")
    )
    lineage: dict[int, dict[str, list]] = defaultdict(
        lambda: {"predecessors": [], "successors": []}
    )
    for step in successions:
        entry = {"kind": step.kind, "date": partial_iso(step.date, step.date_precision)}
        lineage[step.predecessor_id]["successors"].append(
            _compact({**entry, "organization_id": committee_id(step.successor_id)})
        )
        lineage[step.successor_id]["predecessors"].append(
            _compact({**entry, "organization_id": committee_id(step.predecessor_id)})
        )

    def other_names(record) -> list:
        names = list(record.other_names or [])
        if record.short_name and not any(n.get("name") == record.short_name for n in names):
            names.insert(0, {"name": record.short_name, "note": "short name"})
        return names

    organizations = []
    for body in committees:
        links = lineage.get(body.pk, {"predecessors": [], "successors": []})
        record = _compact(
            {
                "id": committee_id(body.pk),
                "name": body.name,
                "other_names": other_names(body),
                "classification": body.classification or COMMITTEE_CLASSIFICATION[body.kind],
                "type": body.org_type,
                "parent_id": committee_id(body.parent_id) if body.parent_id else None,
                "area_id": area_id(body.jurisdiction_area_id)
                if body.jurisdiction_area_id in area_ids
                else None,
                "founding_date": partial_iso(body.founded_on, body.founded_precision),
                "dissolution_date": partial_iso(body.dissolved_on, body.dissolved_precision),
                "seats": body.declared_member_count,
                "description": body.description,
                "identifiers": ids.identifiers("committee", body.pk),
                "sources": extras.sources("committee", body.pk, body.source),
                "registry_type": REGISTRY_TYPE_COMMITTEE,
                "kind": body.kind,
                "level": body.level,
                "standing_agency_id": agency_id(body.standing_agency_id)
                if body.standing_agency_id
                else None,
                "declared_member_count": body.declared_member_count,
                "actual_member_count": counts.get(body.pk, 0) if body.pk in scope_ids else None,
                "lineage": {
                    key: sorted(value, key=lambda e: (e["organization_id"], e["kind"]))
                    for key, value in links.items()
                    if value
                },
            }
        )
        organizations.append(extras.apply("committee", body.pk, record))
    for pk in agency_ids:
        agency = agencies[pk]
        record = _compact(
            {
                "id": agency_id(pk),
                "name": agency.name,
                "other_names": other_names(agency),
                "classification": agency.classification or AGENCY_CLASSIFICATION[agency.kind],
                "type": agency.org_type,
                "parent_id": agency_id(agency.parent_id) if agency.parent_id else None,
                "identifiers": ids.identifiers("agency", pk),
                "sources": extras.sources("agency", pk, agency.source),
                "registry_type": REGISTRY_TYPE_AGENCY,
                "kind": agency.kind,
                "level": agency.level,
            }
        )
        organizations.append(extras.apply("agency", pk, record))

    def person_record(p: Person) -> dict:
        record = _compact(
            {
                "id": person_ids[p.pk],
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
                "identifiers": ids.identifiers("person", p.pk),
                "sources": all_sources(p.source, p.sources),
            }
        )

        def keep(key, value) -> bool:
            # A gender kept as the file spelled it ("M") only while it still says the same.
            if key == "gender" and isinstance(value, str):
                from api.popolo_import import GENDERS  # import cycle

                return GENDERS.get(fold(value), Person.Gender.OTHER) == p.gender
            return True

        return extras.apply("person", p.pk, record, keep)

    def membership_record(m: Membership) -> dict:
        record = _compact(
            {
                "id": ids.of("membership", m.pk, own_id("membership", m.pk)),
                # A seat named by its title only has no person_id (docs/popolo.md).
                "person_id": person_ids[m.person_id] if m.person_id else None,
                "organization_id": committee_id(m.committee_id),
                "role": m.role_title or exported_role(m.role),
                "label": m.title_at_appointment,
                "post_id": post_ids[m.position_id] if m.position_id else None,
                "area_id": area_id(m.area_id) if m.area_id in area_ids else None,
                "on_behalf_of_id": agency_id(m.on_behalf_of_id) if m.on_behalf_of_id else None,
                "home_agency_id": agency_id(m.home_agency_id) if m.home_agency_id else None,
                "start_date": partial_iso(m.start_date, m.start_precision),
                "end_date": partial_iso(m.end_date, m.end_precision),
                "end_reason": m.end_reason,
                "legislative_period_id": event_ids.get(periods.get(m.pk)),
                "identifiers": ids.identifiers("membership", m.pk),
                "sources": extras.sources("membership", m.pk, m.source),
            }
        )

        return extras.apply("membership", m.pk, record)

    def area_record(area: Area) -> dict:
        record = _compact(
            {
                "id": area_id(area.pk),
                "name": area.name,
                "type": area.kind,
                "parent_id": area_id(area.parent_id) if area.parent_id in area_ids else None,
                "start_date": partial_iso(area.valid_from, area.valid_from_precision),
                "end_date": partial_iso(area.valid_until, area.valid_until_precision),
                "other_names": area.other_names,
                "identifiers": [
                    *area.identifiers,
                    *(i for i in ids.identifiers("area", area.pk) if i not in area.identifiers),
                ],
                "sources": extras.sources("area", area.pk, area.source),
            }
        )

        def keep(key, value) -> bool:
            if key == "type" and isinstance(value, str):
                from api.popolo_import import AREA_KIND_BY_TYPE  # import cycle

                return AREA_KIND_BY_TYPE.get(fold(value), Area.Kind.OTHER) == area.kind
            return True

        return extras.apply("area", area.pk, record, keep)

    return {
        "persons": sorted((person_record(p) for p in persons), key=lambda r: r["id"]),
        "organizations": sorted(organizations, key=lambda r: r["id"]),
        "areas": sorted((area_record(all_areas[pk]) for pk in area_ids), key=lambda r: r["id"]),
        "posts": sorted(
            (
                extras.apply(
                    "post",
                    p.pk,
                    _compact(
                        {
                            "id": post_ids[p.pk],
                            "label": p.title,
                            "organization_id": agency_id(p.agency_id),
                            "identifiers": ids.identifiers("post", p.pk),
                            "single_holder": p.single_holder,
                            "sources": extras.sources("post", p.pk, p.source),
                        }
                    ),
                )
                for p in positions
            ),
            key=lambda r: r["id"],
        ),
        "memberships": sorted((membership_record(m) for m in memberships), key=lambda r: r["id"]),
        "events": sorted(
            (
                extras.apply(
                    "event",
                    e.pk,
                    _compact(
                        {
                            "id": e.popolo_id,
                            "name": e.name,
                            "classification": e.classification,
                            "organization_id": committee_id(e.organization_id)
                            if e.organization_id and e.organization_id in committee_slugs
                            else None,
                            "start_date": partial_iso(e.start_date, e.start_precision),
                            "end_date": partial_iso(e.end_date, e.end_precision),
                            "identifiers": ids.identifiers("event", e.pk),
                        }
                    ),
                )
                for e in events
            ),
            key=lambda r: r["id"],
        ),
    }
