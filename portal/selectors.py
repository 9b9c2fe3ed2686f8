"""Reads for the portal's pages: each page's data in a fixed number of queries, whatever its size."""

import datetime as dt
import importlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.urls import NoReverseMatch, reverse

from committees import permissions
from committees import search as folded_search
from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.partial_dates import PartialDate
from mandates.models import Mandate, Measurement, Target
from members.models import Membership, Person, PositionHolding, Role, open_holdings
from members.selectors import (
    MemberCounts,
    mark_roster_entries,
    memberships_active_on,
    roster_queryset,
    seat_counts_by_committee,
    today,
)

SEARCH_LIMIT = 20
HEAD_ROLES = (Role.HEAD, Role.GROUP_LEADER)


def with_successors(queryset: QuerySet[Committee]) -> QuerySet[Committee]:
    """Committees with their successions out (`successors_list`), so a page can say "renamed
    to …" or "merged into …" rather than "dissolved", in one more query whatever the size."""
    return queryset.prefetch_related(
        Prefetch(
            "successions_out",
            queryset=Succession.objects.select_related("successor").order_by("date", "pk"),
            to_attr="successors_list",
        )
    )


# --- The committee directory ------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeFilters:
    q: str = ""
    level: str = ""
    kind: str = ""
    status: str = ""  # "active", "dissolved" or "" for both
    agency: Agency | None = None


def committee_list(*, filters: CommitteeFilters) -> QuerySet[Committee]:
    """The directory, filtered, in the order of its index (near spellings closest first); the
    page's actual counts come from attach_actual_counts."""
    queryset = Committee.objects.all()
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status == "active":
        queryset = queryset.filter(dissolved_on__isnull=True)
    elif filters.status == "dissolved":
        queryset = queryset.filter(dissolved_on__isnull=False)
    if filters.agency is not None:
        queryset = queryset.filter(standing_agency=filters.agency)
    if filters.q:
        queryset = folded_search.matching(queryset, filters.q)
    ordering = queryset.query.order_by or ("level", "name", "pk")
    return with_successors(queryset.select_related("standing_agency", "parent")).order_by(*ordering)


def attach_actual_counts(committees, day: dt.date) -> None:
    """Set `actual_count` (the seats held on the day) on each committee of a page, in one query."""
    committees = list(committees)
    counts = seat_counts_by_committee([c.pk for c in committees], day)
    for committee in committees:
        seats = counts.get(committee.pk)
        committee.actual_count = seats.actual if seats else 0


# --- One committee ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleGroup:
    role: str
    label: str
    entries: list[Membership]


@dataclass(frozen=True)
class TargetRow:
    target: Target
    latest_value: Decimal | None
    latest_date: dt.date | None
    status: str
    status_label: str
    percent: int | None


@dataclass(frozen=True)
class TimelineEvent:
    """One roster change: a seat that began or ended, on a date known to a precision."""

    kind: str  # "appointed" or "ended"
    when: PartialDate
    membership: Membership

    @property
    def sort_key(self) -> tuple:
        # Unknown dates last; then the latest first.
        return (self.when.date is None, -(self.when.date or dt.date.min).toordinal())


@dataclass(frozen=True)
class Slice:
    """One page of a long list, by number, without counting what the page does not show."""

    number: int
    previous: int | None
    next: int | None
    first_index: int = 1  # the position of the page's first row in the whole list


@dataclass
class CommitteePage:
    committee: Committee
    day: dt.date
    roster: list[RoleGroup]  # the roster page's seats, grouped by role
    counts: MemberCounts
    mandates: list[Mandate]
    targets: list[TargetRow]
    support_groups: list[Committee]
    predecessors: list[Succession]
    successors: list[Succession]
    timeline: list[TimelineEvent]  # the timeline page's changes, the latest first
    roster_slice: Slice | None = None
    timeline_slice: Slice | None = None
    reports: list | None = None  # None: not offered (public page, or no reports app)
    edit_links: list[tuple[str, str]] = field(default_factory=list)
    may_request_report: bool = False
    current_period: str = ""

    @property
    def roster_last_index(self) -> int:
        shown = sum(len(group.entries) for group in self.roster)
        return (self.roster_slice.first_index if self.roster_slice else 1) + shown - 1

    @property
    def timeline_last_index(self) -> int:
        return (
            (self.timeline_slice.first_index if self.timeline_slice else 1) + len(self.timeline) - 1
        )

    @property
    def unknown_starts(self) -> int:
        """Members on the roster whose start is unknown, or known less precisely than the day."""
        return sum(
            1
            for group in self.roster
            for entry in group.entries
            if entry.start_date is None or getattr(entry, "start_uncertain", False)
        )


def committee_get(slug: str) -> Committee:
    return Committee.objects.select_related(
        "standing_agency", "established_by__issuer", "declared_by", "parent", "jurisdiction_area"
    ).get(slug=slug)


def group_by_role(entries: list[Membership]) -> list[RoleGroup]:
    """The roster as groups by role rank, in the order the selector returned (rank, then name)."""
    groups: list[RoleGroup] = []
    for entry in entries:
        if not groups or groups[-1].role != entry.role:
            groups.append(RoleGroup(entry.role, entry.get_role_display(), []))
        groups[-1].entries.append(entry)
    return groups


def target_rows(committee: Committee, day: dt.date) -> list[TargetRow]:
    """The committee's targets with the latest measurement up to the day, judged on that day."""
    latest = Measurement.objects.filter(target=OuterRef("pk"), date__lte=day).order_by(
        "-date", "-pk"
    )
    targets = (
        Target.objects.filter(committee=committee)
        .select_related("responsible_agency", "source_instrument")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_date=Subquery(latest.values("date")[:1]),
        )
    )
    rows = []
    for target in targets:
        measurement = None
        if target.latest_value is not None:
            measurement = Measurement(
                target=target, value=target.latest_value, date=target.latest_date
            )
        status = target.status_on(day, measurement)
        rows.append(
            TargetRow(
                target=target,
                latest_value=target.latest_value,
                latest_date=target.latest_date,
                status=status,
                status_label=Target.Status(status).label,
                percent=progress_percent(target, target.latest_value),
            )
        )
    return rows


def progress_percent(target: Target, latest: Decimal | None) -> int | None:
    """How far from the baseline (zero when none) towards the target value, 0 to 100."""
    if latest is None or target.target_value is None:
        return None
    start = target.baseline if target.baseline is not None else Decimal(0)
    span = target.target_value - start
    if span == 0:
        return 100
    share = (latest - start) / span
    return int(max(Decimal(0), min(Decimal(1), share)) * 100)


ROSTER_PAGE = 100
TIMELINE_PAGE = 25


def _slice(number: int, per_page: int, rows: int, total: int | None = None) -> Slice:
    """`rows` is how many rows were read for the page: one more than per_page means another
    page follows (when the total is not known)."""
    more = rows > per_page if total is None else number * per_page < total
    return Slice(
        number=number,
        previous=number - 1 if number > 1 else None,
        next=number + 1 if more else None,
        first_index=(number - 1) * per_page + 1,
    )


def roster_page(
    committee: Committee, day: dt.date, *, number: int = 1, per_page: int = ROSTER_PAGE
) -> tuple[list[Membership], Slice, MemberCounts]:
    """One page of the roster on the day (by role rank, then name), and the counts of the whole
    roster: two queries whatever the committee's size (the counts, then the page)."""
    counts = seat_counts_by_committee([committee.pk], day).get(committee.pk)
    counts = MemberCounts(
        declared=committee.declared_member_count,
        named=counts.named if counts else 0,
        title_only=counts.title_only if counts else 0,
        vacant=counts.vacant if counts else 0,
    )
    start = (number - 1) * per_page
    if start >= counts.actual:  # past the end: the last page
        number = max(1, -(-counts.actual // per_page))
        start = (number - 1) * per_page
    entries = mark_roster_entries(
        list(roster_queryset(committee, day)[start : start + per_page]), day
    )
    return entries, _slice(number, per_page, len(entries), counts.actual), counts


def roster_timeline(
    committee: Committee, *, number: int = 1, per_page: int = TIMELINE_PAGE
) -> tuple[list[TimelineEvent], Slice]:
    """One page of the committee's roster changes, built from the membership rows themselves
    (each start and end is a change), the latest first (unknown dates last): two queries
    whatever the length of the history (the page's changes, then their seats)."""
    seats = Membership.objects.filter(committee=committee).order_by()
    appointed = seats.annotate(
        kind=Value("appointed", output_field=CharField()), when=F("start_date")
    ).values_list("pk", "kind", "when")
    ended = (
        seats.filter(end_date__isnull=False)
        .annotate(kind=Value("ended", output_field=CharField()), when=F("end_date"))
        .values_list("pk", "kind", "when")
    )
    start = (number - 1) * per_page
    rows = list(
        appointed.union(ended, all=True).order_by(F("when").desc(nulls_last=True), "pk", "kind")[
            start : start + per_page + 1
        ]
    )
    memberships = Membership.objects.select_related(
        "person", "appointed_by", "ended_by", "position"
    ).in_bulk([pk for pk, _kind, _when in rows[:per_page]])
    events = []
    for pk, kind, _when in rows[:per_page]:
        membership = memberships[pk]
        when = membership.start if kind == "appointed" else membership.end
        events.append(TimelineEvent(kind, when, membership))
    return events, _slice(number, per_page, len(rows))


def latest_reports(committee: Committee, user, may_download: bool | None = None) -> list | None:
    """The reports app's latest reports for the committee, when it offers them; None until then."""
    try:
        report_selectors = importlib.import_module("reports.selectors")
    except ImportError:
        return None
    latest_reports_for = getattr(report_selectors, "latest_reports_for", None)
    if latest_reports_for is None:
        return None
    if may_download is None:
        may_download = permissions.can_download_reports(user, committee)
    if not may_download:
        return None
    return list(latest_reports_for(committee))


def _current_period() -> str:
    try:
        periods = importlib.import_module("reports.periods")
    except ImportError:
        return ""
    return periods.last_complete_period(today()).code


def edit_links(user, committee: Committee) -> list[tuple[str, str]]:
    """Admin pages of this committee's roster, for its secretariat (and administrators) only."""
    from django.utils.translation import gettext as _

    if not permissions.can_manage_roster(user, committee):
        return []
    links = []
    try:
        links.append(
            (
                _("Edit the roster"),
                reverse("admin:committees_committee_change", args=[committee.pk]),
            )
        )
        links.append(
            (
                _("Appoint a member"),
                reverse("admin:members_membership_add") + f"?committee={committee.pk}",
            )
        )
    except NoReverseMatch:
        pass
    return links


def committee_page(
    *,
    committee: Committee,
    day: dt.date,
    user,
    reader: bool = True,
    roster_number: int = 1,
    timeline_number: int = 1,
) -> CommitteePage:
    """One committee's page. `reader=False` is the public page: no reports, no edit links.
    The roster and its changes come a page at a time (`roster_number`, `timeline_number`)."""
    roster, roster_at, counts = roster_page(committee, day, number=roster_number)
    timeline, timeline_at = roster_timeline(committee, number=timeline_number)
    may_download = reader and permissions.can_download_reports(user, committee)
    successions = list(
        Succession.objects.filter(Q(predecessor=committee) | Q(successor=committee)).select_related(
            "predecessor", "successor", "instrument"
        )
    )
    return CommitteePage(
        committee=committee,
        day=day,
        roster=group_by_role(roster),
        counts=counts,
        roster_slice=roster_at,
        mandates=list(Mandate.objects.filter(committee=committee).prefetch_related("legal_basis")),
        targets=target_rows(committee, day),
        support_groups=list(
            committee.support_groups.annotate(
                actual_count=Count(
                    "memberships", filter=memberships_active_on(day, "memberships__")
                )
            )
        ),
        predecessors=[s for s in successions if s.successor_id == committee.pk],
        successors=[s for s in successions if s.predecessor_id == committee.pk],
        timeline=timeline,
        timeline_slice=timeline_at,
        reports=latest_reports(committee, user, may_download) if reader else None,
        edit_links=edit_links(user, committee) if reader else [],
        may_request_report=may_download,
        current_period=_current_period(),
    )


# --- People -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonEntry:
    kind: str  # "post" or "seat"
    start: PartialDate
    end: PartialDate
    item: PositionHolding | Membership
    active: bool


@dataclass
class PersonPage:
    person: Person
    day: dt.date
    timeline: list[PersonEntry]
    committees_today: int
    seats_today: list[Membership]
    posts_today: list[PositionHolding]
    merged_into: Person | None = None  # the page then leads there (a merged record)


def person_page(*, slug: str, day: dt.date) -> PersonPage:
    person = Person.objects.select_related("merged_into").get(slug=slug)
    if person.merged_into is not None:
        return PersonPage(person, day, [], 0, [], [], merged_into=person.merged_into)
    holdings = list(
        PositionHolding.objects.filter(person=person).select_related(
            "position__agency", "appointed_by"
        )
    )
    memberships = list(
        Membership.objects.filter(person=person).select_related(
            "committee", "position", "appointed_by", "ended_by", "area"
        )
    )
    entries = [PersonEntry("post", h.start, h.end, h, h.active_on(day)) for h in holdings] + [
        PersonEntry("seat", m.start, m.end, m, m.active_on(day)) for m in memberships
    ]
    # The latest start first; unknown starts last.
    entries.sort(key=lambda e: (e.start.date is None, -(e.start.date or dt.date.min).toordinal()))
    seats_today = [m for m in memberships if m.active_on(day)]
    return PersonPage(
        person=person,
        day=day,
        timeline=entries,
        committees_today=len({m.committee_id for m in seats_today}),
        seats_today=seats_today,
        posts_today=[h for h in holdings if h.active_on(day)],
    )


# --- Agencies ---------------------------------------------------------------------------------


@dataclass
class AgencyPage:
    agency: Agency
    day: dt.date
    posts: list
    chaired: list[Membership]
    served: list[Committee]
    children: list[Agency]
    instruments: list[LegalInstrument]


def agency_page(*, slug: str, day: dt.date) -> AgencyPage:
    agency = Agency.objects.select_related("parent").get(slug=slug)
    posts = list(
        agency.positions.prefetch_related(
            Prefetch(
                "holdings",
                queryset=PositionHolding.objects.select_related("person").order_by(
                    "-start_date", "pk"
                ),
            )
        )
    )
    for post in posts:
        post.current = [h for h in post.holdings.all() if h.active_on(day)]
        post.former = [h for h in post.holdings.all() if not h.active_on(day)]
    chaired = list(
        Membership.objects.filter(
            memberships_active_on(day),
            Q(home_agency=agency) | Q(position__agency=agency),
            role__in=HEAD_ROLES,
        )
        .select_related("committee", "person")
        .order_by("committee__name")
    )
    return AgencyPage(
        agency=agency,
        day=day,
        posts=posts,
        chaired=chaired,
        served=list(with_successors(Committee.objects.filter(standing_agency=agency))),
        children=list(agency.children.all()),
        instruments=list(LegalInstrument.objects.filter(issuer=agency)),
    )


# --- Decisions --------------------------------------------------------------------------------


@dataclass
class DecisionPage:
    instrument: LegalInstrument
    established: list[Committee]
    declared: list[Committee]
    appointments: list[Membership]
    endings: list[Membership]
    successions: list[Succession]
    mandates: list[Mandate]
    targets: list[Target]
    links: list[tuple[str, LegalInstrument]] = field(default_factory=list)


def decision_links(instrument: LegalInstrument) -> list[tuple[str, LegalInstrument]]:
    """The decisions this one amends, replaces or repeals, and those that do so to it: one
    query per kind of link, whatever their number."""
    links = []
    for name, forward, backward in (
        ("amends", "amends", "amended_by"),
        ("replaces", "replaces", "replaced_by"),
        ("repeals", "repeals", "repealed_by"),
    ):
        through = getattr(LegalInstrument, name).through
        rows = through.objects.filter(
            Q(from_legalinstrument=instrument) | Q(to_legalinstrument=instrument)
        ).select_related("from_legalinstrument", "to_legalinstrument")
        for row in rows:
            if row.from_legalinstrument_id == instrument.pk:
                links.append((forward, row.to_legalinstrument))
            else:
                links.append((backward, row.from_legalinstrument))
    return links


def decision_page(*, pk: int) -> DecisionPage:
    instrument = LegalInstrument.objects.select_related("issuer").get(pk=pk)
    committees = list(
        Committee.objects.filter(Q(established_by=instrument) | Q(declared_by=instrument))
    )
    return DecisionPage(
        instrument=instrument,
        established=[c for c in committees if c.established_by_id == instrument.pk],
        declared=[c for c in committees if c.declared_by_id == instrument.pk],
        appointments=list(
            instrument.appointments.select_related("person", "committee").order_by(
                "committee__name", "role_rank", "person__full_name"
            )
        ),
        endings=list(
            instrument.endings.select_related("person", "committee").order_by(
                "committee__name", "role_rank", "person__full_name"
            )
        ),
        successions=list(instrument.successions.select_related("predecessor", "successor")),
        mandates=list(instrument.mandates.select_related("committee")),
        targets=list(instrument.targets.select_related("committee")),
        links=decision_links(instrument),
    )


# --- Search -----------------------------------------------------------------------------------


@dataclass
class SearchResults:
    query: str
    people: list[Person]
    committees: list[Committee]
    agencies: list[Agency]
    decisions: list[LegalInstrument]

    @property
    def total(self) -> int:
        return len(self.people) + len(self.committees) + len(self.agencies) + len(self.decisions)


def search(query: str, day: dt.date | None = None) -> SearchResults:
    """One box over people, committees, agencies and decisions, insensitive to accents and case:
    the first rows (in each list's own order) in which each word of the query begins a word;
    when no list has any, near spellings, closest first. Each person comes with the seats held
    on the day (role and committee) and posts, for context."""
    day = day or today()
    lists = {
        "people": Person.objects.filter(merged_into__isnull=True).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(memberships_active_on(day))
                .select_related("committee")
                .order_by("role_rank", "committee__name", "pk"),
                to_attr="seats_now",
            ),
            Prefetch(
                "holdings",
                queryset=PositionHolding.objects.filter(open_holdings())
                .select_related("position__agency")
                .order_by("pk"),
                to_attr="posts_now",
            ),
        ),
        "committees": with_successors(Committee.objects.select_related("parent")),
        "agencies": Agency.objects.all(),
        "decisions": LegalInstrument.objects.select_related("issuer"),
    }
    if not folded_search.query_words(query):
        lists = {name: queryset.none() for name, queryset in lists.items()}
    found = {
        name: list(folded_search.begins(queryset, query)[:SEARCH_LIMIT])
        for name, queryset in lists.items()
    }
    if not any(found.values()):
        found = {
            name: list(folded_search.near(queryset, query)[:SEARCH_LIMIT])
            for name, queryset in lists.items()
        }
    return SearchResults(query=query, **found)
