"""A body given back as a committee package: the seats open on a day and everything it took in."""

import datetime as dt

from django.utils import timezone

from committees.models import Committee
from committees.partial_dates import iso_partial
from mandates.models import _plain
from members.models import Membership
from members.selectors import memberships_active_on


def _seats(committee: Committee, day: dt.date) -> list[dict]:
    seats = (
        Membership.objects.filter(memberships_active_on(day), committee=committee)
        .select_related("person", "position__agency", "home_agency", "as_printed")
        .order_by("as_printed__order", "role_rank", "pk")
    )
    rows = []
    for seat in seats:
        printed = getattr(seat, "as_printed", None)
        agency = seat.home_agency or (seat.position.agency if seat.position else None)
        if printed is not None:
            rows.append(
                {
                    "person": printed.person,
                    "role_in_committee": printed.role_title,
                    "position_in_home_agency": printed.post,
                    "home_agency": printed.agency,
                }
            )
            continue
        rows.append(
            {
                "person": seat.person.full_name if seat.person_id else "",
                "role_in_committee": getattr(seat, "role_title", "") or seat.get_role_display(),
                "position_in_home_agency": seat.title_at_appointment
                or (seat.position.title if seat.position else ""),
                "home_agency": agency.name if agency else "",
            }
        )
    return rows


def _value(target) -> str:
    if target.value_text:
        return target.value_text
    if target.target_value is None:
        return ""
    return f"{_plain(target.target_value)}{target.unit if target.unit == '%' else ' ' + target.unit}".strip()


def export_package(committee: Committee, as_of: dt.date | None = None) -> dict:
    """The package of one body: seats open on `as_of` (today, or a dissolved body's last day)."""
    if as_of is None:
        as_of = committee.dissolved_on or timezone.localdate()
    decision = committee.established_by
    group = (
        committee.support_groups.filter(kind=Committee.Kind.SUPPORT_GROUP).order_by("pk").first()
    )
    successions = committee.successions_in.select_related("predecessor").order_by("pk")
    sources = list(committee.sources or [])
    if not sources and committee.source:
        is_url = committee.source.startswith(("http://", "https://"))
        sources = [
            {
                "url": committee.source if is_url else "",
                "date": iso_partial(committee.source_date, "day"),
                "title": "" if is_url else committee.source,
            }
        ]
    return {
        "name": committee.name,
        "name_en": committee.name_en,
        "level": committee.level,
        # As the package gave it; else the body's jurisdiction area (issue 17).
        "jurisdiction": committee.jurisdiction
        or (committee.jurisdiction_area.name if committee.jurisdiction_area_id else ""),
        "established_by": {
            "number": decision.number if decision else "",
            "date": iso_partial(decision.signed_on, decision.signed_precision) if decision else "",
            "issuer": (
                decision.issuer_as_printed or (decision.issuer.name if decision.issuer else "")
            )
            if decision
            else "",
            "title": decision.title if decision else "",
        },
        "predecessors": [s.predecessor_as_printed or s.predecessor.name for s in successions],
        "dissolved_or_replaced_by": committee.replaced_by_as_printed,
        "declared_member_count": committee.declared_member_count,
        "members": _seats(committee, as_of),
        "standing_agency": committee.standing_agency_as_printed
        or (committee.standing_agency.name if committee.standing_agency else ""),
        "support_group": None
        if group is None
        else {
            "name": group.name,
            "declared_member_count": group.declared_member_count,
            "members": _seats(group, as_of),
        },
        "mandates": [m.text for m in committee.mandates.order_by("order", "pk")],
        "targets": [
            {
                "text": t.indicator,
                "value": _value(t),
                "deadline": iso_partial(t.deadline, t.deadline_precision),
            }
            for t in committee.targets.order_by("pk")
        ],
        "sources": sources,
    }
