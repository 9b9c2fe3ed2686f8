"""The kinds of work item, one provider each, registered in PROVIDERS.

A provider takes a Scope (which committees, or for an agency's kinds which agencies, which day,
the rule's lead days, whose queues) and returns that kind's items with one query (two at most),
never a query per row. An item carries plain values; its text is written at display time, in the
language then active.

One fetch may serve many users at once (the digests of the day): it then takes the first `limit`
items of each committee (or agency) rather than of all, and each user keeps its own first `limit`.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Committee
from committees.partial_dates import format_partial_date
from mandates.models import Measurement, Target
from members.models import Membership, PendingSeatChange, Person, Position
from members.selectors import memberships_active_on, seats_without_decision, with_post_left
from notifications.models import AGENCY_KINDS, Kind
from reports.models import Report, ReportDownload

# The most items of one kind a queue lists; the queue says when there are more.
KIND_LIMIT = 200


@dataclass(frozen=True)
class Scope:
    committee_ids: frozenset[int] | None  # None: every committee
    day: dt.date
    now: dt.datetime
    lead_days: int = 0
    user_ids: frozenset[int] = frozenset()  # whose queues the items are for
    limit: int = KIND_LIMIT
    agency_ids: frozenset[int] = frozenset()  # an agency's kinds: the agencies covered
    per_group: bool = False  # serving several users: the limit holds per committee (or agency)


@dataclass(frozen=True)
class Item:
    kind: str
    key: str  # what needs doing, stable across runs: "pending_change:12"
    committee_id: int | None
    committee_name: str
    url: str
    since: dt.date | None = None
    params: dict = field(default_factory=dict, compare=False)
    # Where a reader without the admin looks instead (a leader following the committee).
    reader_url: str = ""
    agency_id: int | None = None  # an agency's kinds: the agency whose focal points it reaches
    done_by: frozenset[int] = frozenset()  # users who have dealt with it (a report downloaded)

    @property
    def text(self) -> str:
        return PROVIDERS[self.kind].describe(self)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def group_id(self) -> int | None:
        """What the item is scoped by: its agency for an agency's kinds, else its committee."""
        return self.agency_id if self.kind in AGENCY_KINDS else self.committee_id


@dataclass(frozen=True)
class Provider:
    kind: str
    fetch: Callable[[Scope], list[Item]]
    describe: Callable[[Item], str]

    @property
    def by_agency(self) -> bool:
        return self.kind in AGENCY_KINDS


def _in_scope(queryset: QuerySet, scope: Scope, path: str = "committee_id") -> QuerySet:
    if scope.committee_ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": scope.committee_ids})


def _first(queryset: QuerySet, scope: Scope, group: str = "committee_id") -> list:
    """The first `limit` rows in the queryset's order; serving several users (per_group), the
    first `limit` of each committee (or agency): each user's own first `limit` are among them."""
    if not scope.per_group:
        return list(queryset[: scope.limit])
    order = list(queryset.query.order_by)
    ranked = queryset.annotate(
        queue_rank=Window(RowNumber(), partition_by=F(group), order_by=order)
    )
    return list(ranked.filter(queue_rank__lte=scope.limit).order_by(*order))


def _date(value: dt.date | None, precision: str = "day") -> str:
    return format_partial_date(value, precision)


# --- pending ex officio changes ---------------------------------------------------------------


def pending_changes(scope: Scope) -> list[Item]:
    queryset = _in_scope(
        PendingSeatChange.objects.filter(
            status=PendingSeatChange.Status.PENDING,
            committee__dissolved_on__isnull=True,
            created_at__lte=scope.now - dt.timedelta(days=scope.lead_days),
        ),
        scope,
    ).select_related("committee", "membership__person", "position", "new_holding__person")
    rows = _first(queryset.order_by("committee__name", "created_at", "pk"), scope)
    return [
        Item(
            kind=Kind.PENDING_CHANGE,
            key=f"{Kind.PENDING_CHANGE}:{row.pk}",
            committee_id=row.committee_id,
            committee_name=row.committee.name,
            url=reverse("admin:committees_committee_pending", args=[row.committee_id]),
            since=row.created_at.date(),
            params={
                "post": row.position.title,
                "old": _holder_name(row.membership),
                "new": row.new_holding.person.full_name,
            },
        )
        for row in rows
    ]


def _holder_name(membership: Membership) -> str:
    if membership.person_id:
        return membership.person.full_name
    return membership.title_at_appointment


def _describe_pending(item: Item) -> str:
    return _(
        "%(post)s now held by %(new)s: confirm or decline the change of %(old)s's seat "
        "(waiting since %(since)s)."
    ) % {**item.params, "since": _date(item.since)}


# --- declared seats without a name --------------------------------------------------------------


def member_gaps(scope: Scope) -> list[Item]:
    queryset = _in_scope(
        Committee.objects.filter(dissolved_on__isnull=True, declared_member_count__isnull=False),
        scope,
        "pk",
    )
    rows = (
        queryset.annotate(
            actual=Count("memberships", filter=memberships_active_on(scope.day, "memberships__"))
        )
        .filter(declared_member_count__gt=F("actual"))
        .order_by("name", "pk")
        .values("pk", "name", "declared_member_count", "actual")
    )
    rows = rows if scope.per_group else rows[: scope.limit]  # one row per committee
    return [
        Item(
            kind=Kind.MEMBER_GAP,
            key=f"{Kind.MEMBER_GAP}:{row['pk']}",
            committee_id=row["pk"],
            committee_name=row["name"],
            url=reverse("admin:committees_committee_roster", args=[row["pk"]]),
            params={
                "gap": row["declared_member_count"] - row["actual"],
                "declared": row["declared_member_count"],
            },
        )
        for row in rows
    ]


def _describe_gap(item: Item) -> str:
    return (
        ngettext(
            "%(gap)s of %(declared)s declared seat has no member recorded.",
            "%(gap)s of %(declared)s declared seats have no member recorded.",
            item.params["declared"],
        )
        % item.params
    )


# --- seats named by title only, vacant seats ------------------------------------------------------


def seats_without_person(scope: Scope) -> list[Item]:
    queryset = _in_scope(
        Membership.objects.filter(
            memberships_active_on(scope.day),
            committee__dissolved_on__isnull=True,
            person__isnull=True,
        ),
        scope,
    ).select_related("committee", "follows__person")
    rows = _first(queryset.order_by("committee__name", "role_rank", "pk"), scope)
    return [
        Item(
            kind=Kind.SEAT_WITHOUT_PERSON,
            key=f"{Kind.SEAT_WITHOUT_PERSON}:{row.pk}",
            committee_id=row.committee_id,
            committee_name=row.committee.name,
            url=reverse("admin:members_membership_change", args=[row.pk]),
            since=row.start_date,
            params={
                "role": row.role_display,
                "title": row.title_at_appointment,
                "vacant": row.follows_id is not None,
                "left": (
                    row.follows.person.full_name if row.follows_id and row.follows.person_id else ""
                ),
            },
        )
        for row in rows
    ]


def _describe_without_person(item: Item) -> str:
    if item.params["vacant"]:
        if item.params["left"]:
            return _("%(role)s: vacant since %(left)s left; record who holds the seat now.") % (
                item.params
            )
        return _("%(role)s: vacant; record who holds the seat now.") % item.params
    if item.params["title"]:
        return _("%(role)s, named by its title only (%(title)s): record who holds it.") % (
            item.params
        )
    return _("%(role)s, named by its title only: record who holds it.") % item.params


# --- seats held through a post their holder left --------------------------------------------------


def post_left_queryset(scope: Scope) -> QuerySet[Membership]:
    """Seats held today through a post their holder has left, in the queue's order."""
    queryset = _in_scope(
        Membership.objects.filter(
            memberships_active_on(scope.day),
            committee__dissolved_on__isnull=True,
            position__isnull=False,
            person__isnull=False,
        ),
        scope,
    ).select_related("committee")
    # The holder's name and the post's title read by key for each seat found: joined, the
    # people or the posts lead the planner through every ex officio seat of the registry, not
    # from the few hundred ended holdings to their seats (members_membership_post).
    name = Person.objects.filter(pk=OuterRef("person_id")).values("full_name")[:1]
    title = Position.objects.filter(pk=OuterRef("position_id")).values("title")[:1]
    return (
        with_post_left(queryset)
        .filter(post_held=False, post_ended=True)
        .annotate(person_name=Subquery(name), position_title=Subquery(title))
        .order_by("committee__name", "role_rank", "pk")
    )


def seats_post_left(scope: Scope) -> list[Item]:
    rows = _first(post_left_queryset(scope), scope)
    return [
        Item(
            kind=Kind.SEAT_POST_LEFT,
            key=f"{Kind.SEAT_POST_LEFT}:{row.pk}",
            committee_id=row.committee_id,
            committee_name=row.committee.name,
            url=reverse("admin:members_membership_change", args=[row.pk]),
            since=row.post_left_on,
            params={
                "person": row.person_name,
                "post": row.position_title,
                "role": row.role_display,
                "left_on": _date(row.post_left_on) if row.post_left_on else "",
            },
        )
        for row in rows
    ]


def _describe_post_left(item: Item) -> str:
    if item.params["left_on"]:
        return (
            _(
                "%(person)s (%(role)s) sits through the post %(post)s, left on %(left_on)s: "
                "replace, end or confirm the seat."
            )
            % item.params
        )
    return (
        _(
            "%(person)s (%(role)s) sits through the post %(post)s, which they have left: "
            "replace, end or confirm the seat."
        )
        % item.params
    )


# --- roster changes without a decision ---------------------------------------------------------


def roster_without_decision(scope: Scope) -> list[Item]:
    """Per committee, how many open seats were recorded without a decision (one item each)."""
    rows = (
        _in_scope(seats_without_decision(), scope)
        .values("committee_id", "committee__name")
        .annotate(count=Count("pk"))
        .order_by("committee__name", "committee_id")
    )
    rows = rows if scope.per_group else rows[: scope.limit]  # one row per committee
    page = reverse("admin:committees_legalinstrument_no_decision")
    return [
        Item(
            kind=Kind.ROSTER_NO_DECISION,
            key=f"{Kind.ROSTER_NO_DECISION}:{row['committee_id']}",
            committee_id=row["committee_id"],
            committee_name=row["committee__name"],
            url=f"{page}?committee={row['committee_id']}",
            params={"count": row["count"]},
        )
        for row in rows
    ]


def _describe_no_decision(item: Item) -> str:
    return (
        ngettext(
            "%(count)s seat was recorded without a decision: record the decision that gave it.",
            "%(count)s seats were recorded without a decision: record the decision that gave them.",
            item.params["count"],
        )
        % item.params
    )


# --- assigned tasks overdue or due soon ----------------------------------------------------------


def _tasks_due(scope: Scope) -> QuerySet:
    """Tasks overdue on the day, or open with a deadline within the lead days."""
    from work.models import Task, status_q

    open_ = status_q(Task.Status.NOT_STARTED, scope.day) | status_q(
        Task.Status.IN_PROGRESS, scope.day
    )
    due_soon = open_ & Q(
        deadline_last_day__gte=scope.day,
        deadline_last_day__lte=scope.day + dt.timedelta(days=scope.lead_days),
    )
    overdue = status_q(Task.Status.OVERDUE, scope.day)
    return (
        Task.objects.filter(overdue | due_soon)
        .select_related("committee", "lead_agency")
        .order_by("deadline_last_day", "pk")
    )


def _task_item(kind: str, row, scope: Scope) -> Item:
    url = row.get_absolute_url()
    return Item(
        kind=kind,
        # One key for both kinds: a task is listed once for a secretariat that is also its focal point.
        key=f"{Kind.TASK_DUE}:{row.pk}:{row.deadline_last_day:%Y%m%d}",
        committee_id=row.committee_id,
        committee_name=row.committee.name if row.committee_id else _("Tasks without a committee"),
        url=url,
        reader_url=url,
        since=row.deadline_last_day,
        agency_id=row.lead_agency_id,
        params={
            "task": row.text if len(row.text) <= 120 else row.text[:119] + "…",
            "agency": str(row.lead_agency) if row.lead_agency_id else "",
            "deadline": _date(row.deadline, row.deadline_precision),
            "overdue": row.deadline_last_day < scope.day,
        },
    )


def tasks_due(scope: Scope) -> list[Item]:
    """The committees' tasks overdue or due soon."""
    rows = _first(_in_scope(_tasks_due(scope), scope), scope)
    return [_task_item(Kind.TASK_DUE, row, scope) for row in rows]


def agency_tasks_due(scope: Scope) -> list[Item]:
    """The tasks the agencies lead (whatever their committee), overdue or due soon: a focal
    point's own queue."""
    queryset = _tasks_due(scope).filter(lead_agency_id__in=scope.agency_ids)
    rows = _first(queryset, scope, "lead_agency_id")
    return [_task_item(Kind.AGENCY_TASK_DUE, row, scope) for row in rows]


def _describe_task(item: Item) -> str:
    if item.params["overdue"]:
        return _("Overdue since %(deadline)s: %(task)s (lead: %(agency)s).") % item.params
    return _("Due %(deadline)s: %(task)s (lead: %(agency)s).") % item.params


# --- terms ending -------------------------------------------------------------------------------


def terms_ending(scope: Scope) -> list[Item]:
    queryset = _in_scope(
        Membership.objects.filter(
            committee__dissolved_on__isnull=True,
            end_date__gte=scope.day,
            end_date__lte=scope.day + dt.timedelta(days=scope.lead_days),
        ),
        scope,
    ).select_related("committee", "person")
    rows = _first(queryset.order_by("end_date", "committee__name", "pk"), scope)
    return [
        Item(
            kind=Kind.TERM_ENDING,
            key=f"{Kind.TERM_ENDING}:{row.pk}:{row.end_date:%Y%m%d}",
            committee_id=row.committee_id,
            committee_name=row.committee.name,
            url=reverse("admin:members_membership_change", args=[row.pk]),
            since=row.end_date,
            params={
                "person": _holder_name(row),
                "role": row.get_role_display(),
                "end": _date(row.end_date, row.end_precision),
            },
        )
        for row in rows
    ]


def _describe_term(item: Item) -> str:
    return _("The seat of %(person)s (%(role)s) ends on %(end)s.") % item.params


# --- targets at risk or overdue -----------------------------------------------------------------


def targets_off_track(scope: Scope) -> list[Item]:
    latest = Measurement.objects.filter(target=OuterRef("pk"), date__lte=scope.day).order_by(
        "-date", "-pk"
    )
    queryset = _in_scope(
        Target.objects.filter(committee__isnull=False, committee__dissolved_on__isnull=True),
        scope,
    )
    rows = (
        queryset.select_related("committee")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_date=Subquery(latest.values("date")[:1]),
        )
        .order_by("committee__name", "deadline", "pk")
    )
    items: list[Item] = []
    listed: Counter = Counter()  # serving several users: the limit holds per committee
    for target in rows:
        measurement = None
        if target.latest_date is not None:
            measurement = Measurement(value=target.latest_value, date=target.latest_date)
        status = target.status_on(scope.day, measurement)
        if status not in (Target.Status.AT_RISK, Target.Status.OVERDUE):
            continue
        if scope.per_group and listed[target.committee_id] >= scope.limit:
            continue
        listed[target.committee_id] += 1
        items.append(
            Item(
                kind=Kind.TARGET_OFF_TRACK,
                key=f"{Kind.TARGET_OFF_TRACK}:{target.pk}:{status}",
                committee_id=target.committee_id,
                committee_name=target.committee.name,
                url=reverse("admin:mandates_measurement_add") + f"?target={target.pk}",
                reader_url=target.committee.get_absolute_url() + "#targets-title",
                since=target.deadline,
                params={
                    "indicator": target.indicator,
                    "status": status,
                    "deadline": _date(target.deadline, target.deadline_precision),
                },
            )
        )
        if not scope.per_group and len(items) >= scope.limit:
            break
    return items


def _describe_target(item: Item) -> str:
    if item.params["status"] == Target.Status.OVERDUE:
        return _("%(indicator)s: overdue (deadline %(deadline)s); record a measurement.") % (
            item.params
        )
    return _("%(indicator)s: at risk (deadline %(deadline)s); record a measurement.") % (
        item.params
    )


# --- reports ------------------------------------------------------------------------------------


def _report_scope(scope: Scope) -> QuerySet[Report]:
    if scope.committee_ids is None:
        return Report.objects.all()
    return Report.objects.filter(committee_id__in=scope.committee_ids)


def _report_item(
    kind: str, report: Report, url: str, done_by: frozenset[int] = frozenset()
) -> Item:
    return Item(
        kind=kind,
        key=f"{kind}:{report.pk}:{report.generation}",
        committee_id=report.committee_id,
        committee_name=report.committee.name if report.committee_id else _("City"),
        url=url,
        since=report.finished_at.date() if report.finished_at else None,
        params={
            "period": report.period,
            "language": report.get_language_display(),
            "error": (report.error_message or "")[:200],
        },
        done_by=done_by,
    )


def reports_ready(scope: Scope) -> list[Item]:
    """Reports made in the last lead days that the user has not downloaded yet (for several
    users: who downloaded each, read with the reports)."""
    queryset = _report_scope(scope).filter(
        status=Report.Status.READY,
        finished_at__gte=scope.now - dt.timedelta(days=scope.lead_days),
    )
    if len(scope.user_ids) == 1:
        queryset = queryset.exclude(downloads__user_id__in=scope.user_ids)
    elif scope.user_ids:
        queryset = queryset.prefetch_related(
            Prefetch(
                "downloads",
                queryset=ReportDownload.objects.filter(user_id__in=scope.user_ids).only(
                    "report_id", "user_id"
                ),
                to_attr="queue_downloads",
            )
        )
    rows = _first(queryset.select_related("committee").order_by("-finished_at", "pk"), scope)
    return [
        _report_item(
            Kind.REPORT_READY,
            row,
            row.get_download_url(),
            frozenset(d.user_id for d in getattr(row, "queue_downloads", ())),
        )
        for row in rows
    ]


def _describe_ready(item: Item) -> str:
    return _("The report for %(period)s (%(language)s) is ready to download.") % item.params


def reports_failed(scope: Scope) -> list[Item]:
    rows = _first(
        _report_scope(scope)
        .filter(status=Report.Status.FAILED)
        .select_related("committee")
        .order_by("-finished_at", "pk"),
        scope,
    )
    return [
        _report_item(Kind.REPORT_FAILED, row, reverse("admin:reports_report_change", args=[row.pk]))
        for row in rows
    ]


def _describe_failed(item: Item) -> str:
    return _("The report for %(period)s (%(language)s) failed: %(error)s") % item.params


PROVIDERS: dict[str, Provider] = {
    provider.kind: provider
    for provider in (
        Provider(Kind.PENDING_CHANGE, pending_changes, _describe_pending),
        Provider(Kind.MEMBER_GAP, member_gaps, _describe_gap),
        Provider(Kind.SEAT_WITHOUT_PERSON, seats_without_person, _describe_without_person),
        Provider(Kind.SEAT_POST_LEFT, seats_post_left, _describe_post_left),
        Provider(Kind.ROSTER_NO_DECISION, roster_without_decision, _describe_no_decision),
        Provider(Kind.TERM_ENDING, terms_ending, _describe_term),
        Provider(Kind.TARGET_OFF_TRACK, targets_off_track, _describe_target),
        Provider(Kind.TASK_DUE, tasks_due, _describe_task),
        Provider(Kind.AGENCY_TASK_DUE, agency_tasks_due, _describe_task),
        Provider(Kind.REPORT_READY, reports_ready, _describe_ready),
        Provider(Kind.REPORT_FAILED, reports_failed, _describe_failed),
    )
}
