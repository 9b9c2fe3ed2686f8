"""Load the demo data from the articles (demo/seeds/*.json), idempotently.

Each record is matched on a natural key and written only when it is new or differs,
so running the loader twice changes no count and writes no new history rows.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.partial_dates import PartialDate, Precision, parse_partial_date
from mandates.models import Mandate, Target
from members.models import Membership, Person, Position, PositionHolding
from members.services import membership_appoint
from records.writes import save_validated

SEED_FILE = Path(__file__).resolve().parent / "seeds" / "hcmc_articles.json"
REASON = "Demo data from the source articles"


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model) -> None:
        name = model._meta.verbose_name_plural
        bucket[str(name)] = bucket.get(str(name), 0) + 1


def _partial(text: str | None) -> tuple[dt.date | None, str]:
    """A start (or a point in time): the first day of the period the text names."""
    if not text:
        return None, Precision.DAY
    return parse_partial_date(text)


def _partial_end(text: str | None) -> tuple[dt.date | None, str]:
    """An end: the last day of the period the text names, as the models store it."""
    date, precision = _partial(text)
    return PartialDate(date, precision).last_day(), precision


def _upsert(result: SeedResult, model, lookup: dict, values: dict):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        save_validated(instance, reason=REASON)
        result.count(result.created, model)
        return instance
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    if changed:
        save_validated(instance, reason=REASON)
        result.count(result.updated, model)
    return instance


def _retitle(row: dict, lookup: dict) -> None:
    """An instrument whose seed title was corrected is found under its former title, so the
    correction updates that record rather than adding a second one."""
    if LegalInstrument.objects.filter(**lookup).exists():
        return
    for title in row.get("formerly", []):
        former = {**lookup, "title": title}
        instrument = LegalInstrument.objects.filter(**former).first()
        if instrument is not None:
            instrument.title = row["title"]
            save_validated(instrument, reason=REASON)
            return


@transaction.atomic
def load_seeds(path: Path = SEED_FILE) -> SeedResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    result = SeedResult()
    source_dates = {
        name: dt.date.fromisoformat(meta["date"]) if meta.get("date") else None
        for name, meta in data["sources"].items()
    }

    def cite(row: dict) -> dict:
        return {"source": row["source"], "source_date": source_dates.get(row["source"])}

    agencies: dict[str, Agency] = {}
    for row in data["agencies"]:
        agencies[row["slug"]] = _upsert(
            result,
            Agency,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "short_name": row.get("short_name", ""),
                "kind": row["kind"],
                "level": row["level"],
                "parent": agencies.get(row.get("parent")),
                **cite(row),
            },
        )

    instruments: dict[str, LegalInstrument] = {}
    for row in data["instruments"]:
        signed_on, signed_precision = _partial(row.get("signed"))
        lookup = {"kind": row["kind"], "number": row["number"], "title": row["title"]}
        _retitle(row, lookup)
        instruments[row["key"]] = _upsert(
            result,
            LegalInstrument,
            lookup,
            {
                "issuer": agencies.get(row.get("issuer")),
                "signed_on": signed_on,
                "signed_precision": signed_precision,
                "summary": row.get("summary", ""),
                **cite(row),
            },
        )

    positions: dict[str, Position] = {}
    for row in data["positions"]:
        positions[row["key"]] = _upsert(
            result,
            Position,
            {"agency": agencies[row["agency"]], "title": row["title"]},
            {"single_holder": row["single_holder"], **cite(row)},
        )

    people: dict[str, Person] = {}
    for row in data["people"]:
        people[row["slug"]] = _upsert(
            result,
            Person,
            {"slug": row["slug"]},
            {
                "full_name": row["full_name"],
                "rank": row.get("rank", ""),
                "gender": row.get("gender", ""),
                **cite(row),
            },
        )

    # A holding the articles show as over comes first in the file, so the post's current
    # holder is recorded once the earlier one has ended (one open holding per single-holder post).
    for row in data["holdings"]:
        end_date, end_precision = _partial_end(row.get("end"))
        _upsert(
            result,
            PositionHolding,
            {"person": people[row["person"]], "position": positions[row["position"]]},
            {
                "end_date": end_date,
                "end_precision": end_precision,
                "ended": bool(row.get("ended")) or end_date is not None,
                **cite(row),
            },
        )

    committees: dict[str, Committee] = {}
    for row in data["committees"]:
        founded_on, founded_precision = _partial(row.get("founded"))
        dissolved_on, dissolved_precision = _partial_end(row.get("dissolved"))
        committees[row["slug"]] = _upsert(
            result,
            Committee,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "short_name": row.get("short_name", ""),
                "kind": row["kind"],
                "level": row["level"],
                "parent": committees.get(row.get("parent")),
                "standing_agency": agencies.get(row.get("standing_agency")),
                "established_by": instruments.get(row.get("established_by")),
                "founded_on": founded_on,
                "founded_precision": founded_precision,
                "dissolved_on": dissolved_on,
                "dissolved_precision": dissolved_precision,
                "declared_member_count": row.get("declared_member_count"),
                "declared_by": instruments.get(row.get("declared_by")),
                "description": row.get("description", ""),
                **cite(row),
            },
        )

    for row in data["successions"]:
        date, precision = _partial(row.get("date"))
        _upsert(
            result,
            Succession,
            {
                "predecessor": committees[row["predecessor"]],
                "successor": committees[row["successor"]],
                "kind": row["kind"],
            },
            {
                "date": date,
                "date_precision": precision,
                "instrument": instruments.get(row.get("instrument")),
                **cite(row),
            },
        )

    for row in data["memberships"]:
        committee, person = committees[row["committee"]], people[row["person"]]
        if Membership.objects.filter(committee=committee, person=person, role=row["role"]).exists():
            continue
        start, precision = _partial(row.get("start"))
        position = positions[row["position"]] if row.get("position") else None
        membership_appoint(
            committee=committee,
            person=person,
            role=row["role"],
            start=start,
            start_precision=precision,
            position=position,
            title=row.get("title", ""),
            decision=instruments.get(row.get("appointed_by")),
            reason=REASON,
            **cite(row),
        )
        result.count(result.created, Membership)

    mandates: dict[tuple[str, int], Mandate] = {}
    for row in data["mandates"]:
        mandate = _upsert(
            result,
            Mandate,
            {"committee": committees[row["committee"]], "order": row["order"]},
            {"text": row["text"], "category": row["category"], **cite(row)},
        )
        mandate.legal_basis.set([instruments[key] for key in row["legal_basis"]])
        mandates[(row["committee"], row["order"])] = mandate

    for row in data["targets"]:
        deadline, deadline_precision = _partial(row.get("deadline"))
        _upsert(
            result,
            Target,
            {"committee": committees.get(row["committee"]), "indicator": row["indicator"]},
            {
                "mandate": mandates.get((row["committee"], row.get("mandate_order"))),
                "unit": row["unit"],
                "target_value": Decimal(row["target_value"]),
                "deadline": deadline,
                "deadline_precision": deadline_precision,
                "responsible_agency": agencies.get(row.get("responsible_agency")),
                "source_instrument": instruments.get(row.get("source_instrument")),
                **cite(row),
            },
        )

    from areas.seeding import load_area_seeds  # the areas app's own part of the demo data

    load_area_seeds(
        data, lambda new, model: result.count(result.created if new else result.updated, model)
    )
    return result
