"""Reads for reports: the frozen snapshots a report is made from, and report lists.

A snapshot holds plain values only (strings, numbers, ISO dates, codes), so it is stored
as JSON on the report and renders again the same; labels are translated at render time.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from committees import permissions
from committees.models import Committee, LegalInstrument, Succession
from committees.partial_dates import PartialDate
from mandates.models import Mandate, Measurement, Target
from members import selectors as member_selectors
from members.models import Membership, Role
from reports.models import Report
from reports.periods import Period
from work.reports import work_snapshot

SNAPSHOT_SCHEMA = 1
BUSIEST_PEOPLE = 20
DEADLINE_HORIZON_DAYS = 90
HEAD_ROLES = (Role.HEAD, Role.GROUP_LEADER)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _partial(day: dt.date | None, precision: str) -> dict:
    return {"date": _iso(day), "precision": precision}


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _instrument(instrument: LegalInstrument | None) -> dict | None:
    if instrument is None:
        return None
    return {
        "kind": instrument.kind,
        "number": instrument.number,
        "title": instrument.title,
        "issuer": str(instrument.issuer) if instrument.issuer_id else "",
        "signed": _partial(instrument.signed_on, instrument.signed_precision),
    }


@dataclass(frozen=True)
class MemberLine:
    person: str
    rank: str
    role: str
    title: str
    home_agency: str
    post: str
    ex_officio: bool
    start: dict
    start_uncertain: bool
    appointed_by: dict | None
    seat_status: str = "named"  # "named", "title_only" (the person not known yet) or "vacant"
    post_left: bool = False  # held ex officio through a post the holder has left
    post_left_on: str | None = None


def _member_line(entry: Membership) -> MemberLine:
    home = entry.home_agency or (entry.position.agency if entry.position_id else None)
    status = "named" if entry.person_id else ("vacant" if entry.follows_id else "title_only")
    left_on = getattr(entry, "post_left_on", None)
    return MemberLine(
        person=entry.person.full_name if entry.person_id else entry.holder_display,
        rank=entry.person.rank if entry.person_id else "",
        seat_status=status,
        post_left=bool(getattr(entry, "post_left", False)),
        post_left_on=left_on.isoformat() if left_on else None,
        role=entry.role,
        title=entry.title_at_appointment,
        home_agency=str(home) if home else "",
        post=entry.position.title if entry.position_id else "",
        ex_officio=entry.position_id is not None,
        start=_partial(entry.start_date, entry.start_precision),
        start_uncertain=bool(getattr(entry, "start_uncertain", False)),
        appointed_by=_instrument(entry.appointed_by),
    )


def _changes(committee: Committee, period: Period) -> list[dict]:
    """Seats that began or ended within the period, with the decisions behind them."""
    within = Q(start_date__range=(period.start, period.end)) | Q(
        end_date__range=(period.start, period.end)
    )
    rows = (
        Membership.objects.filter(within, committee=committee)
        .select_related("person", "appointed_by__issuer", "ended_by__issuer")
        .order_by("start_date", "pk")
    )
    changes = []
    for row in rows:
        if row.start_date and period.start <= row.start_date <= period.end:
            changes.append(
                {
                    "change": "appointed",
                    "person": row.holder_display,
                    "role": row.role,
                    "date": _partial(row.start_date, row.start_precision),
                    "decision": _instrument(row.appointed_by),
                    "note": "",
                }
            )
        if row.end_date and period.start <= row.end_date <= period.end:
            replaced = row.end_reason == Membership.EndReason.REPLACED
            changes.append(
                {
                    "change": "replaced" if replaced else "ended",
                    "person": row.holder_display,
                    "role": row.role,
                    "date": _partial(row.end_date, row.end_precision),
                    "decision": _instrument(row.ended_by),
                    "note": row.end_note,
                    "end_reason": row.end_reason,
                }
            )
    changes.sort(key=lambda change: change["date"]["date"] or "")
    return changes


def _latest_measurement(day: dt.date, column: str):
    return Subquery(
        Measurement.objects.filter(target=OuterRef("pk"), date__lte=day)
        .order_by("-date", "-pk")
        .values(column)[:1]
    )


def targets_with_latest(day: dt.date) -> QuerySet[Target]:
    """Targets annotated with their latest measurement on or before the day (value and date)."""
    return Target.objects.annotate(
        latest_value=_latest_measurement(day, "value"),
        latest_date=_latest_measurement(day, "date"),
    )


def _status(target: Target, day: dt.date) -> str:
    latest = None
    if target.latest_date is not None:
        latest = Measurement(value=target.latest_value, date=target.latest_date)
    return target.status_on(day, latest)


def _target_line(target: Target, day: dt.date) -> dict:
    return {
        "indicator": target.indicator,
        "unit": target.unit,
        "direction": target.direction,
        "baseline": _decimal(target.baseline),
        "baseline_date": _iso(target.baseline_date),
        "latest": None
        if target.latest_date is None
        else {"value": _decimal(target.latest_value), "date": _iso(target.latest_date)},
        "target_value": _decimal(target.target_value),
        "deadline": _partial(target.deadline, target.deadline_precision),
        "status": _status(target, day),
        "responsible_agency": str(target.responsible_agency)
        if target.responsible_agency_id
        else "",
    }


def _pending_ex_officio(committee: Committee) -> list[dict] | None:
    """Pending ex officio changes (members.selectors.pending_changes_for, issue 3); None when the
    registry has no such selector, and the report then leaves the section out."""
    selector = getattr(member_selectors, "pending_changes_for", None)
    if selector is None:
        return None
    return [
        {
            "post": str(change.position),
            "current": str(change.membership.person) if change.membership.person_id else "",
            "role": change.membership.role,
            "new_holder": str(change.new_holding.person),
            "since": _partial(change.new_holding.start_date, change.new_holding.start_precision),
        }
        for change in selector(committee)
    ]


def _lineage(committee: Committee) -> tuple[list[dict], list[dict]]:
    steps = Succession.objects.filter(
        Q(predecessor=committee) | Q(successor=committee)
    ).select_related("predecessor", "successor", "instrument__issuer")
    predecessors, successors = [], []
    for step in steps:
        line = {
            "kind": step.kind,
            "date": _partial(step.date, step.date_precision),
            "instrument": _instrument(step.instrument),
        }
        if step.successor_id == committee.pk:
            predecessors.append({**line, "name": step.predecessor.name})
        else:
            successors.append({**line, "name": step.successor.name})
    return predecessors, successors


def committee_review_snapshot(
    *, committee: Committee, period: Period, made_at: dt.datetime
) -> dict:
    """Everything the committee review report shows, as of the period's last day."""
    day = period.end
    judged_on = min(day, made_at.date())
    committee = Committee.objects.select_related(
        "standing_agency", "established_by__issuer", "declared_by__issuer", "parent"
    ).get(pk=committee.pk)
    mandates = list(
        Mandate.objects.filter(committee=committee).prefetch_related(
            Prefetch("legal_basis", LegalInstrument.objects.select_related("issuer"))
        )
    )
    legal_basis: dict[int, dict] = {}
    for instrument in [committee.established_by, committee.declared_by]:
        if instrument is not None:
            legal_basis[instrument.pk] = _instrument(instrument)
    mandate_lines = []
    for mandate in mandates:
        basis = list(mandate.legal_basis.all())
        for instrument in basis:
            legal_basis.setdefault(instrument.pk, _instrument(instrument))
        mandate_lines.append(
            {
                "order": mandate.order,
                "text": mandate.text,
                "category": mandate.category,
                "legal_basis": [_instrument(instrument) for instrument in basis],
            }
        )
    targets = (
        targets_with_latest(judged_on)
        .filter(committee=committee)
        .select_related("responsible_agency")
    )
    predecessors, successors = _lineage(committee)
    groups = list(
        Committee.objects.filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=period.start),
            parent=committee,
            kind=Committee.Kind.SUPPORT_GROUP,
        ).order_by("name", "pk")
    )
    # The body's roster and its support groups' in one query, whatever their number and size.
    rosters = {
        pk: [asdict(_member_line(entry)) for entry in entries]
        for pk, entries in member_selectors.rosters_on([committee, *groups], day).items()
    }
    roster = rosters[committee.pk]
    # The counts are those of the roster's lines (the seats held that day).
    statuses = Counter(line["seat_status"] for line in roster)
    counts = member_selectors.MemberCounts(
        declared=committee.declared_member_count,
        named=statuses["named"],
        title_only=statuses["title_only"],
        vacant=statuses["vacant"],
    )
    support_groups = [
        {"name": group.name, "declared": group.declared_member_count, "roster": rosters[group.pk]}
        for group in groups
    ]
    return {
        "schema": SNAPSHOT_SCHEMA,
        "kind": Report.Kind.COMMITTEE_REVIEW,
        "made_at": made_at.isoformat(),
        "period": {"code": period.code, "start": _iso(period.start), "end": _iso(period.end)},
        "as_of": _iso(day),
        "judged_on": _iso(judged_on),
        "committee": {
            "name": committee.name,
            "short_name": committee.short_name,
            "slug": committee.slug,
            "kind": committee.kind,
            "parent": committee.parent.name if committee.parent_id else "",
            "standing_agency": committee.standing_agency.name
            if committee.standing_agency_id
            else "",
            "founded": _partial(committee.founded_on, committee.founded_precision),
            "dissolved": _partial(committee.dissolved_on, committee.dissolved_precision),
            "description": committee.description,
            "established_by": _instrument(committee.established_by),
        },
        "legal_basis": list(legal_basis.values()),
        "counts": {
            "declared": counts.declared,
            "actual": counts.actual,
            "named": counts.named,
            "title_only": counts.title_only,
            "vacant": counts.vacant,
            "gap": counts.gap,
        },
        "roster": roster,
        "changes": _changes(committee, period),
        "pending_ex_officio": _pending_ex_officio(committee),
        "mandates": mandate_lines,
        "targets": [_target_line(target, judged_on) for target in targets],
        "predecessors": predecessors,
        "successors": successors,
        "support_groups": support_groups,
        "work": work_snapshot(committee=committee, start=period.start, end=day, day=judged_on),
    }


@dataclass
class _CommitteeRow:
    name: str
    kind: str
    head: str
    declared: int | None
    actual: int
    targets: int = 0
    at_risk: int = 0
    at_risk_indicators: list[str] = field(default_factory=list)


def city_overview_snapshot(*, period: Period, made_at: dt.datetime) -> dict:
    """Every active committee with its head, counts and targets at risk; the people on the most
    committees at once; the target deadlines of the next 90 days. A fixed number of queries."""
    day = min(period.end, made_at.date())
    active_seat = member_selectors.memberships_active_on(day)
    heads = Membership.objects.filter(
        active_seat, committee=OuterRef("pk"), role__in=HEAD_ROLES
    ).order_by("role_rank", "pk")
    actual = (
        Membership.objects.filter(active_seat, committee=OuterRef("pk"))
        .order_by()
        .values("committee")
        .annotate(total=Count("pk"))
        .values("total")
    )
    active = Committee.objects.filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
    ).filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day))
    committees = (
        active.annotate(
            head_name=Subquery(heads.values("person__full_name")[:1]),
            head_rank=Subquery(heads.values("person__rank")[:1]),
            actual_count=Coalesce(Subquery(actual, output_field=IntegerField()), Value(0)),
        )
        .order_by("level", "name", "pk")
        .values(
            "pk", "name", "kind", "declared_member_count", "head_name", "head_rank", "actual_count"
        )
    )
    rows: dict[int, _CommitteeRow] = {}
    for row in committees.iterator(chunk_size=2000):
        head = " ".join(part for part in (row["head_rank"], row["head_name"]) if part)
        rows[row["pk"]] = _CommitteeRow(
            name=row["name"],
            kind=row["kind"],
            head=head,
            declared=row["declared_member_count"],
            actual=row["actual_count"],
        )

    horizon = day + dt.timedelta(days=DEADLINE_HORIZON_DAYS)
    deadlines = []
    targets = targets_with_latest(day).filter(
        Q(committee__isnull=True) | Q(committee__in=active.values("pk"))
    )
    for target in targets.select_related("committee").iterator(chunk_size=2000):
        status = _status(target, day)
        owner = rows.get(target.committee_id)
        if owner is not None:
            owner.targets += 1
            if status in (Target.Status.AT_RISK, Target.Status.OVERDUE):
                owner.at_risk += 1
                owner.at_risk_indicators.append(target.indicator)
        last_day = PartialDate(target.deadline, target.deadline_precision).last_day()
        if last_day is not None and day <= last_day <= horizon:
            deadlines.append(
                {
                    "committee": target.committee.name if target.committee_id else "",
                    "indicator": target.indicator,
                    "deadline": _partial(target.deadline, target.deadline_precision),
                    "last_day": _iso(last_day),
                    "target_value": _decimal(target.target_value),
                    "unit": target.unit,
                    "status": status,
                }
            )
    deadlines.sort(key=lambda line: (line["last_day"], line["committee"], line["indicator"]))

    busiest = list(
        Membership.objects.filter(active_seat, person__isnull=False)
        .order_by()
        .values("person_id")
        .annotate(seats=Count("committee", distinct=True))
        .filter(seats__gte=2)
        .order_by("-seats", "person_id")[:BUSIEST_PEOPLE]
    )
    seats_by_person: dict[int, list[str]] = defaultdict(list)
    names: dict[int, str] = {}
    for seat in (
        Membership.objects.filter(active_seat, person_id__in=[row["person_id"] for row in busiest])
        .select_related("person", "committee")
        .order_by("committee__name", "pk")
    ):
        names[seat.person_id] = str(seat.person)
        seats_by_person[seat.person_id].append(seat.committee.name)
    people = [
        {
            "person": names.get(row["person_id"], ""),
            "seats": row["seats"],
            "committees": seats_by_person[row["person_id"]],
        }
        for row in busiest
    ]
    lines = [asdict(row) for row in rows.values()]
    return {
        "schema": SNAPSHOT_SCHEMA,
        "kind": Report.Kind.CITY_OVERVIEW,
        "made_at": made_at.isoformat(),
        "period": {"code": period.code, "start": _iso(period.start), "end": _iso(period.end)},
        "as_of": _iso(day),
        "committees": lines,
        "totals": {
            "committees": len(lines),
            "declared": sum(line["declared"] or 0 for line in lines),
            "actual": sum(line["actual"] for line in lines),
            "at_risk": sum(line["at_risk"] for line in lines),
        },
        "busiest_people": people,
        "deadlines": deadlines,
        "horizon_days": DEADLINE_HORIZON_DAYS,
    }


def _changed_since(history_model, taken_at, **scope) -> Exists:
    return Exists(history_model.objects.filter(history_date__gt=taken_at, **scope))


def with_outdated(queryset: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate `outdated`: a ready report whose data changed after its snapshot was taken
    (a seat, the committee, a target or a measurement of it; anything, for the city
    overview). One query for the whole list, whatever its length."""
    taken = OuterRef("snapshot_at")
    committee = OuterRef("committee_id")
    own_targets = Target.objects.filter(committee_id=OuterRef(OuterRef("committee_id")))
    committee_changed = (
        _changed_since(Membership.history.model, taken, committee_id=committee)
        | _changed_since(Committee.history.model, taken, id=committee)
        | _changed_since(Target.history.model, taken, committee_id=committee)
        | _changed_since(Measurement.history.model, taken, target_id__in=own_targets.values("pk"))
    )
    city_changed = (
        _changed_since(Membership.history.model, taken)
        | _changed_since(Committee.history.model, taken)
        | _changed_since(Target.history.model, taken)
        | _changed_since(Measurement.history.model, taken)
    )
    return queryset.annotate(
        outdated=Case(
            When(~Q(status=Report.Status.READY) | Q(snapshot_at__isnull=True), then=Value(False)),
            When(Q(committee__isnull=False) & committee_changed, then=Value(True)),
            When(Q(committee__isnull=True) & city_changed, then=Value(True)),
            default=Value(False),
        )
    )


def report_is_outdated(report: Report) -> bool:
    """Whether the data of a ready report changed after its snapshot (one query)."""
    if report.status != Report.Status.READY or report.snapshot_at is None:
        return False
    return bool(
        with_outdated(Report.objects.filter(pk=report.pk))
        .values_list("outdated", flat=True)
        .first()
    )


def latest_reports_for(committee: Committee, *, limit: int = 5) -> list[Report]:
    """The committee's latest reports (any status), newest first, each marked `outdated`
    when its data changed since (one query, for the portal)."""
    return list(
        with_outdated(Report.objects.filter(committee=committee))
        .select_related("committee")
        .defer("snapshot")
        .order_by("-period_end", "-created_at", "-pk")[:limit]
    )


def downloadable_by(user, queryset: QuerySet, *, scope: str = "committee") -> QuerySet:
    """The rows (reports, schedules, downloads) whose scope the user may download: every scope
    for leaders, city staff and administrators, the committees it keeps for a secretariat.
    `scope` is the path to the row's committee (empty for the city overview)."""
    if permissions.can_download_reports(user, None):
        return queryset
    return queryset.filter(
        **{f"{scope}__in": permissions.committees_roster_editable_by(user).values("pk")}
    )


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports the user may see and download."""
    return downloadable_by(user, Report.objects.all())


def report_list_for(user, filters: dict | None = None) -> QuerySet[Report]:
    """Reports the user may see: all for leaders and city staff, their committees' for a
    secretariat; filtered (committee, period, language, status), marked `outdated`."""
    queryset = reports_visible_to(user).filter(**(filters or {}))
    return (
        with_outdated(queryset)
        .select_related("committee", "requested_by")
        .defer("snapshot")
        .order_by("-created_at", "-pk")
    )


def report_get(report_id: int) -> Report | None:
    return Report.objects.select_related("committee").defer("snapshot").filter(pk=report_id).first()
