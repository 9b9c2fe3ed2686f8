"""Reads of meetings and tasks: the meetings list, the meeting page, task boards and their counts."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from committees import permissions
from committees.models import Agency, Committee
from work.models import Invitee, Meeting, Task, TaskUpdate, status_q

STATUSES = [value for value, _label in Task.Status.choices]


# --- Meetings ---------------------------------------------------------------------------------


def meeting_list(committee: Committee) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(committee=committee)
        .select_related("concluding_notice")
        .order_by("-date", "-pk")
    )


def attach_meeting_counts(meetings) -> None:
    """Set `invited`, `present` and `task_count` on each meeting of a page, in two queries."""
    meetings = list(meetings)
    ids = [m.pk for m in meetings]
    attendance = {
        row["meeting_id"]: row
        for row in Invitee.objects.filter(meeting_id__in=ids, guest=False)
        .order_by()
        .values("meeting_id")
        .annotate(
            invited=Count("pk"),
            present=Count(
                "pk",
                filter=Q(
                    attendance__in=[Invitee.Attendance.PRESENT, Invitee.Attendance.REPRESENTED]
                ),
            ),
        )
    }
    tasks = dict(
        Task.objects.filter(source_meeting_id__in=ids)
        .order_by()
        .values("source_meeting_id")
        .annotate(n=Count("pk"))
        .values_list("source_meeting_id", "n")
    )
    for meeting in meetings:
        row = attendance.get(meeting.pk, {})
        meeting.invited = row.get("invited", 0)
        meeting.present = row.get("present", 0)
        meeting.task_count = tasks.get(meeting.pk, 0)


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list
    invitees: list
    guests: list
    documents: list
    tasks: list
    counts: dict
    day: dt.date
    may_record: bool = False


def meeting_get(pk: int) -> Meeting:
    return Meeting.objects.select_related(
        "committee", "chair", "concluding_notice", "concluding_notice__issuer"
    ).get(pk=pk)


def meeting_page(*, pk: int, user, day: dt.date) -> MeetingPage:
    meeting = meeting_get(pk)
    invitees = list(meeting.invitees.order_by("guest", "order", "pk"))
    members = [i for i in invitees if not i.guest]
    guests = [i for i in invitees if i.guest]
    counts = {value: 0 for value, _label in Invitee.Attendance.choices}
    for invitee in members:
        counts[invitee.attendance] += 1
    counts["invited"] = len(members)
    tasks = list(
        Task.objects.filter(source_meeting=meeting)
        .select_related("lead_agency")
        .prefetch_related("coordinating_agencies")
        .order_by("pk")
    )
    for task in tasks:
        task.status_today = task.status_on(day)
    return MeetingPage(
        meeting=meeting,
        agenda=list(meeting.agenda_items.order_by("order", "pk")),
        invitees=members,
        guests=guests,
        documents=list(meeting.documents.order_by("pk")),
        tasks=tasks,
        counts=counts,
        day=day,
        may_record=permissions.can_record_work(user, meeting.committee),
    )


# --- Tasks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilters:
    status: str = ""
    lead_agency: Agency | None = None
    deadline_from: dt.date | None = None
    deadline_to: dt.date | None = None
    q: str = ""


def _scope(*, committee: Committee | None = None, agency: Agency | None = None) -> QuerySet[Task]:
    tasks = Task.objects.all()
    if committee is not None:
        tasks = tasks.filter(committee=committee)
    if agency is not None:
        # Led or coordinated, as a union of two indexed reads: `lead = X OR pk IN (coordinated)`
        # cannot use either index and reads every task of the registry.
        led = Task.objects.filter(lead_agency=agency).order_by().values("pk")
        coordinated = Task.coordinating_agencies.through.objects.filter(agency=agency).values(
            "task_id"
        )
        tasks = tasks.filter(pk__in=led.union(coordinated))
    return tasks


def task_board(
    *,
    day: dt.date,
    committee: Committee | None = None,
    agency: Agency | None = None,
    filters: BoardFilters | None = None,
) -> QuerySet[Task]:
    """Tasks of a committee or an agency (led or coordinated), overdue first, then by deadline
    (no deadline last)."""
    filters = filters or BoardFilters()
    tasks = _scope(committee=committee, agency=agency)
    if filters.status:
        tasks = tasks.filter(status_q(filters.status, day))
    if filters.lead_agency is not None:
        tasks = tasks.filter(lead_agency=filters.lead_agency)
    if filters.deadline_from is not None:
        tasks = tasks.filter(deadline_last_day__gte=filters.deadline_from)
    if filters.deadline_to is not None:
        tasks = tasks.filter(deadline_last_day__lte=filters.deadline_to)
    return (
        tasks.select_related("committee", "lead_agency", "source_meeting", "source_instrument")
        .prefetch_related("coordinating_agencies")
        .annotate(
            overdue_rank=Case(
                When(status_q(Task.Status.OVERDUE, day), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("overdue_rank", F("deadline_last_day").asc(nulls_last=True), "pk")
    )


@dataclass
class TaskCounts:
    total: int = 0
    by_status: dict = field(default_factory=dict)

    @property
    def settled(self) -> int:
        """Tasks whose deadline has come or that are done: the base of the on-time rate."""
        return sum(
            self.by_status.get(s, 0)
            for s in (Task.Status.DONE_ON_TIME, Task.Status.DONE_LATE, Task.Status.OVERDUE)
        )

    @property
    def on_time_rate(self) -> float | None:
        """Done on time out of done (on time or late) and overdue; None when nothing is due yet."""
        if not self.settled:
            return None
        return self.by_status.get(Task.Status.DONE_ON_TIME, 0) / self.settled

    @property
    def on_time_percent(self) -> str:
        rate = self.on_time_rate
        return "—" if rate is None else f"{rate * 100:.0f}%"

    def __getitem__(self, status: str) -> int:
        # Templates look up `counts.overdue` as a key first; other names fall back to attributes.
        if status not in self.by_status:
            raise KeyError(status)
        return self.by_status[status]


def _assigned_by(day: dt.date) -> Q:
    """Tasks assigned by the day (a task whose assignment date is unknown counts)."""
    return Q(assigned_on__isnull=True) | Q(assigned_on__lte=day)


def _count_aggregates(day: dt.date) -> dict:
    return {
        "total": Count("pk"),
        **{status: Count("pk", filter=status_q(status, day)) for status in STATUSES},
    }


def task_counts(
    *, day: dt.date, committee: Committee | None = None, agency: Agency | None = None
) -> TaskCounts:
    """Counts by status and the on-time completion rate, as things stood on the day."""
    row = (
        _scope(committee=committee, agency=agency)
        .filter(_assigned_by(day))
        .aggregate(**_count_aggregates(day))
    )
    total = row.pop("total")
    return TaskCounts(total=total, by_status=row)


@dataclass
class CountRow:
    key: int | None
    label: str
    url: str
    counts: TaskCounts


COUNTS_PAGE = 50


def task_counts_by(
    *, day: dt.date, by: str, page: int = 1, per_page: int = COUNTS_PAGE
) -> list[CountRow]:
    """Counts and on-time rates per committee (`by="committee"`) or per lead agency, a page at a
    time (per_page + 1 rows are read, so the caller knows whether another page follows), in two
    queries whatever the number of bodies."""
    column = "committee_id" if by == "committee" else "lead_agency_id"
    start = (max(page, 1) - 1) * per_page
    rows = (
        Task.objects.filter(_assigned_by(day))
        .order_by()
        .values(column)
        .annotate(**_count_aggregates(day))
        .order_by(F(column).asc(nulls_last=True))[start : start + per_page + 1]
    )
    counts = {}
    for row in rows:
        key = row.pop(column)
        total = row.pop("total")
        counts[key] = TaskCounts(total=total, by_status=row)
    model = Committee if by == "committee" else Agency
    names = {obj.pk: obj for obj in model.objects.filter(pk__in=[k for k in counts if k])}
    result = []
    for key, value in counts.items():
        obj = names.get(key)
        if obj is None:
            result.append(CountRow(None, "", "", value))
        else:
            url = _committee_board_url(obj) if by == "committee" else _agency_board_url(obj)
            result.append(CountRow(key, obj.name, url, value))
    return result


def _committee_board_url(committee: Committee) -> str:
    from django.urls import reverse

    return reverse("work:committee-tasks", args=[committee.slug])


def _agency_board_url(agency: Agency) -> str:
    from django.urls import reverse

    return reverse("work:agency-tasks", args=[agency.slug])


@dataclass
class TaskPage:
    task: Task
    status: str
    updates: list
    history: list
    may_update: bool
    may_change: bool


def task_get(pk: int) -> Task:
    return (
        Task.objects.select_related(
            "committee",
            "lead_agency",
            "assigned_by",
            "source_meeting",
            "source_instrument",
            "target",
        )
        .prefetch_related("coordinating_agencies")
        .get(pk=pk)
    )


def task_page(*, task: Task, user, day: dt.date) -> TaskPage:
    updates = list(
        TaskUpdate.objects.filter(task=task).select_related("by").order_by("-date", "-pk")
    )
    history = list(
        task.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    )
    return TaskPage(
        task=task,
        status=task.status_on(day),
        updates=updates,
        history=history,
        may_update=permissions.can_update_task_progress(user, task),
        may_change=permissions.can_record_work(user, task.committee),
    )


def tasks_for_focal_point(user) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=permissions.agency_ids_focal_for(user)).order_by("name")
