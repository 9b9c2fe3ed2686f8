"""Reads for the portal's pages: each page's data in a fixed number of queries, whatever its size."""

import datetime as dt
import importlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse

from committees import permissions
from committees import search as folded_search
from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.partial_dates import PartialDate
from mandates.models import Mandate, Measurement, Target
from members.models import Membership, Person, PositionHolding, Role, open_holdings
from members.selectors import MemberCounts, memberships_active_on, roster_on, today

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


def committee_list(*, filters: CommitteeFilters, day: dt.date) -> QuerySet[Committee]:
    """The directory: filtered, with the declared count and the actual count on the day."""
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
        # Searched before the counts are joined: knowing whether the words begin anything
        # (else near spellings, closest first) then costs an index look, not the counts.
        queryset = folded_search.matching(queryset, filters.q)
    ordering = queryset.query.order_by or ("level", "name", "pk")
    queryset = with_successors(queryset.select_related("standing_agency", "parent"))
    queryset = queryset.annotate(
        actual_count=Count("memberships", filter=memberships_active_on(day, "memberships__"))
    )
    # Aggregations ignore Meta.ordering: say it again, so pages are stable.
    return queryset.order_by(*ordering)


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


@dataclass
class CommitteePage:
    committee: Committee
    day: dt.date
    roster: list[RoleGroup]
    counts: MemberCounts
    mandates: list[Mandate]
    targets: list[TargetRow]
    support_groups: list[Committee]
    predecessors: list[Succession]
    successors: list[Succession]
    timeline: list[TimelineEvent]
    reports: list | None = None  # None: not offered (public page, or no reports app)
    edit_links: list[tuple[str, str]] = field(default_factory=list)
    may_request_report: bool = False
    current_period: str = ""

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


def roster_timeline(committee: Committee) -> list[TimelineEvent]:
    """Built from the membership rows themselves (each start and end is a change): every seat that began or ended on the committee, the latest first (unknown dates last)."""
    memberships = Membership.objects.filter(committee=committee).select_related(
        "person", "appointed_by", "ended_by", "position"
    )
    events = []
    for membership in memberships:
        events.append(TimelineEvent("appointed", membership.start, membership))
        if membership.end_date is not None:
            events.append(TimelineEvent("ended", membership.end, membership))
    return sorted(events, key=lambda event: (event.sort_key, event.membership.pk))


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
    *, committee: Committee, day: dt.date, user, reader: bool = True
) -> CommitteePage:
    """One committee's page. `reader=False` is the public page: no reports, no edit links."""
    roster = roster_on(committee, day)
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
        counts=MemberCounts(
            declared=committee.declared_member_count,
            named=sum(1 for seat in roster if seat.person_id is not None),
            title_only=sum(1 for seat in roster if seat.is_title_only),
            vacant=sum(1 for seat in roster if seat.is_vacant),
        ),
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
        timeline=roster_timeline(committee),
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
