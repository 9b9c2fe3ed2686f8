"""Meetings, invitation lists, attendance and assigned tasks at city scale (called by seed_scale).

Deterministic for a seed (its own random stream, so the registry's data stays as it was), bulk
written, following the models' rules: each invitation list is the committee's roster on the
meeting's day, a represented invitee names a substitute, an absent one a reason; a done task has
its completion day, a cancelled one its day and reason. History rows are written for meetings and
tasks (not for the invitation rows and agenda items, which are copied, not edited).
"""

import datetime as dt
import random
from collections import defaultdict

from committees.partial_dates import PartialDate, Precision, normalise
from committees.text import fold
from members.models import Membership
from work.models import AgendaItem, Invitee, Meeting, Task

MEETINGS_PER_COMMITTEE = 10  # 5,000 committees → 50,000 meetings
TASKS_PER_MEETING = 4  # → 200,000 tasks
MAX_INVITEES = 25
HORIZON = dt.date(2026, 6, 30)
EARLIEST = dt.date(2010, 1, 1)
AGENDA = [
    "Đánh giá kết quả thực hiện nhiệm vụ {period}",
    "Triển khai nhiệm vụ trọng tâm {next}",
    "Cho ý kiến dự thảo kế hoạch",
    "Báo cáo tiến độ các nhiệm vụ được giao",
]
TASK_TEXTS = [
    "Xây dựng, hoàn thiện cơ sở dữ liệu chuyên ngành",
    "Tham mưu ban hành kế hoạch triển khai",
    "Rà soát, đề xuất sửa đổi quy trình nội bộ",
    "Tổng hợp, báo cáo kết quả thực hiện",
    "Kết nối, chia sẻ dữ liệu với Kho dữ liệu dùng chung Thành phố",
    "Tổ chức tập huấn cho cán bộ, công chức",
    "Kiểm tra, đôn đốc các đơn vị thực hiện",
]
TITLES = {
    Meeting.Kind.REGULAR: "Phiên họp thường kỳ",
    Meeting.Kind.EXTRAORDINARY: "Phiên họp bất thường",
    Meeting.Kind.INTERIM_REVIEW: "Hội nghị sơ kết",
    Meeting.Kind.FINAL_REVIEW: "Hội nghị tổng kết",
    Meeting.Kind.CONFERENCE: "Hội nghị",
}
KINDS = [
    (Meeting.Kind.REGULAR, 70),
    (Meeting.Kind.EXTRAORDINARY, 8),
    (Meeting.Kind.INTERIM_REVIEW, 10),
    (Meeting.Kind.FINAL_REVIEW, 7),
    (Meeting.Kind.CONFERENCE, 5),
]


def _day(rng, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def work_scale(
    *, seed: int, bodies, agencies, writer, per_committee: int = MEETINGS_PER_COMMITTEE
) -> None:
    rng = random.Random(f"work-{seed}")  # noqa: S311 (reproducible synthetic data)
    seats = defaultdict(list)
    for row in (
        Membership.objects.filter(committee__in=bodies)
        .order_by("committee_id", "role_rank", "pk")
        .values_list("committee_id", "pk", "person_id", "person__full_name", "role",
                     "title_at_appointment", "start_date", "end_date")
    ):  # fmt: skip
        seats[row[0]].append(row)
    meetings: list[Meeting] = []
    for body in bodies:
        first = body.founded_on or EARLIEST
        last = min(body.dissolved_on or HORIZON, HORIZON)
        for index in range(per_committee):
            kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
            date = _day(rng, first, last)
            title = f"{TITLES[kind]} {body.short_name or body.name} lần {index + 1}"
            meetings.append(
                Meeting(
                    committee=body, kind=kind, title=title[:500], date=date,
                    time=dt.time(8 + rng.randrange(8), rng.choice([0, 30])),
                    place=rng.choice(["Hội trường UBND Thành phố", "Phòng họp số 2", ""]),
                    online=rng.random() < 0.2, chair_name="", invitations_frozen_on=date,
                    search_key=fold(title)[:600],
                )
            )  # fmt: skip
    writer.create(Meeting, meetings)

    agenda, invitees = [], []
    for meeting in meetings:
        for order, text in enumerate(rng.sample(AGENDA, 2), start=1):
            agenda.append(
                AgendaItem(
                    meeting=meeting,
                    order=order,
                    title=text.format(
                        period=f"năm {meeting.date.year}", next=f"năm {meeting.date.year + 1}"
                    ),
                )
            )
        day = meeting.date
        active = [
            s for s in seats[meeting.committee_id]
            if (s[6] is None or s[6] <= day) and (s[7] is None or s[7] >= day)
        ][:MAX_INVITEES]  # fmt: skip
        for order, (_c, seat_id, person_id, name, role, title, _s, _e) in enumerate(active):
            roll = rng.random()
            attendance, reason, substitute, post = Invitee.Attendance.PRESENT, "", "", ""
            if day > HORIZON - dt.timedelta(days=14) and roll < 0.5:
                attendance = Invitee.Attendance.UNRECORDED
            elif roll < 0.12:
                attendance, reason = Invitee.Attendance.ABSENT, "Đi công tác"
            elif roll < 0.25:
                attendance = Invitee.Attendance.REPRESENTED
                substitute, post = (
                    "Phó Giám đốc được ủy quyền",
                    f"Phó {title}"[:400] if title else "Phó Giám đốc",
                )
            invitees.append(
                Invitee(
                    meeting=meeting, membership_id=seat_id, person_id=person_id, order=order,
                    name=name or "", role=role, post=title or "", attendance=attendance,
                    absence_reason=reason, substitute_name=substitute, substitute_post=post,
                )
            )  # fmt: skip
    writer.create(AgendaItem, agenda, history=False)
    writer.create(Invitee, invitees, history=False)

    tasks: list[Task] = []
    coordinating: list[tuple[int, int]] = []
    for meeting in meetings:
        for number in range(1, TASKS_PER_MEETING + 1):
            text = f"{rng.choice(TASK_TEXTS)} ({meeting.committee.short_name or meeting.committee.name})"
            precision = rng.choices(
                [
                    Precision.DAY,
                    Precision.MONTH,
                    Precision.QUARTER,
                    Precision.HALF,
                    Precision.YEAR,
                    None,
                ],
                [40, 20, 15, 8, 7, 10],
            )[0]
            deadline = last_day = None
            if precision is not None:
                deadline = normalise(
                    meeting.date + dt.timedelta(days=rng.randrange(20, 400)), precision
                )
                last_day = PartialDate(deadline, precision).last_day()
            state, completed, cancelled, reason = Task.State.NOT_STARTED, None, None, ""
            roll = rng.random()
            if roll < 0.03:
                state, cancelled, reason = (
                    Task.State.CANCELLED,
                    meeting.date + dt.timedelta(days=30),
                    "Không còn phù hợp",
                )
            elif roll < 0.55:
                done = meeting.date + dt.timedelta(days=rng.randrange(10, 450))
                if done <= HORIZON:
                    state, completed = Task.State.DONE, done
                else:
                    state = Task.State.IN_PROGRESS
            elif roll < 0.8:
                state = Task.State.IN_PROGRESS
            tasks.append(
                Task(
                    committee_id=meeting.committee_id, number=str(number), text=text,
                    source_kind=Task.SourceKind.MEETING, source_meeting=meeting,
                    assigned_on=meeting.date, lead_agency=rng.choice(agencies),
                    deadline=deadline, deadline_precision=precision or Precision.DAY,
                    deadline_last_day=last_day, state=state, completed_on=completed,
                    cancelled_on=cancelled, cancel_reason=reason, search_key=fold(text),
                )
            )  # fmt: skip
    writer.create(Task, tasks)
    for task in tasks:
        helper = rng.choice(agencies)
        if helper.pk != task.lead_agency_id:
            coordinating.append((task.pk, helper.pk))
    through = Task.coordinating_agencies.through
    writer.create(
        through, [through(task_id=t, agency_id=a) for t, a in coordinating], history=False
    )


def bench_fixture(committee) -> Meeting:
    """The benchmark's meeting on its committee (the 32-member roster as the invitation list) with
    ten tasks from its conclusion; made once."""
    from committees.models import Agency
    from work import services

    meeting = committee.meetings.order_by("pk").first()
    if meeting is not None:
        return meeting
    meeting = services.meeting_create(
        committee=committee, kind=Meeting.Kind.INTERIM_REVIEW, title="Hội nghị sơ kết đo hiệu năng",
        date=dt.date(2025, 6, 20), place="Hội trường A", agenda=["Báo cáo sơ kết", "Thảo luận"],
        reason="Benchmark fixture",
    )  # fmt: skip
    agencies = list(Agency.objects.order_by("pk")[:5])
    services.conclusion_record(
        meeting=meeting, number="1/TB-ĐHN", signed_on=dt.date(2025, 6, 25), reason="Benchmark fixture",
        items=[
            services.TaskItem(text=f"Nhiệm vụ đo hiệu năng {n}", lead_agency=agencies[n % len(agencies)],
                              coordinating=agencies[:2], deadline=dt.date(2025, 7 + n % 6, 1),
                              deadline_precision=Precision.MONTH)
            for n in range(10)
        ],
    )  # fmt: skip
    return meeting
