"""The review report's section on meetings and assigned tasks: a snapshot of plain values
(work_snapshot, evaluated when the report is made) and its rendering context (work_context)."""

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext as _

from committees.models import Agency
from committees.partial_dates import format_partial_date
from work.models import Invitee, Meeting, Task, status_q

MAX_MEETINGS = 24  # columns of the attendance table; a longer period lists the latest ones
CHART_WIDTH = 420
CHART_LABEL = 150
CHART_BAR = 12
CHART_GAP = 6
SEGMENTS = [
    ("done_on_time", "#1d6b2f"),
    ("done_late", "#b7791f"),
    ("overdue", "#b42318"),
    ("open", "#9aa5b1"),
]
PRESENT, REPRESENTED, ABSENT, NOT_INVITED = "\u2713", "\u21c4", "\u2717", "\u2013"
MARKS = {
    Invitee.Attendance.PRESENT: PRESENT,
    Invitee.Attendance.REPRESENTED: REPRESENTED,
    Invitee.Attendance.ABSENT: ABSENT,
    Invitee.Attendance.UNRECORDED: "?",
}


def work_snapshot(*, committee, start: dt.date, end: dt.date, day: dt.date) -> dict:
    """Meetings of the period with each invitee's attendance, and the committee's tasks assigned by
    the period's end, by lead agency, with their status on `day`. Four queries."""
    meetings = list(
        Meeting.objects.filter(committee=committee, date__gte=start, date__lte=end).order_by(
            "date", "pk"
        )[:MAX_MEETINGS]
    )
    invitees = Invitee.objects.filter(meeting__in=meetings, guest=False).order_by("order", "pk")
    rows: dict[str, dict] = {}
    for invitee in invitees:
        key = f"p{invitee.person_id}" if invitee.person_id else f"n{invitee.name}|{invitee.post}"
        row = rows.setdefault(
            key, {"name": invitee.name, "role": invitee.role, "post": invitee.post, "marks": {}}
        )
        row["marks"][str(invitee.meeting_id)] = {
            "attendance": invitee.attendance,
            "substitute": invitee.substitute_name,
        }
    statuses = ["done_on_time", "done_late", "overdue", "cancelled"]
    by_lead = list(
        Task.objects.filter(committee=committee)
        .exclude(assigned_on__gt=end)
        .order_by()
        .values("lead_agency_id")
        .annotate(
            assigned=Count("pk"),
            **{s: Count("pk", filter=status_q(s, day)) for s in statuses},
        )
    )
    names = dict(
        Agency.objects.filter(
            pk__in=[r["lead_agency_id"] for r in by_lead if r["lead_agency_id"]]
        ).values_list("pk", "name")
    )
    lines = []
    for row in by_lead:
        lines.append(
            {
                "lead": names.get(row["lead_agency_id"], ""),
                "assigned": row["assigned"],
                **{s: row[s] for s in statuses},
            }
        )
    lines.sort(key=lambda line: (line["lead"] == "", line["lead"]))
    return {
        "judged_on": day.isoformat(),
        "meetings": [
            {
                "id": m.pk,
                "title": m.title,
                "kind": m.kind,
                "date": m.date.isoformat(),
                "place": m.place or ("online" if m.online else ""),
            }
            for m in meetings
        ],
        "attendance": list(rows.values()),
        "tasks": lines,
    }


def _chart(lines: list[dict]) -> dict:
    top = max((line["assigned"] for line in lines), default=0)
    scale = (CHART_WIDTH - CHART_LABEL - 30) / top if top else 0
    bars = []
    for index, line in enumerate(lines):
        y = index * (CHART_BAR + CHART_GAP)
        x = CHART_LABEL
        segments = []
        for name, colour in SEGMENTS:
            count = line.get(name, 0)
            width = round(count * scale, 1)
            if width:
                segments.append({"x": round(x, 1), "width": width, "colour": colour})
            x += width
        label = line["lead_label"]
        bars.append(
            {
                "label": label if len(label) <= 28 else label[:27] + "…",
                "y": y,
                "text_y": y + CHART_BAR - 2,
                "segments": segments,
                "total_x": round(x + 4, 1),
                "total": line["assigned"],
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": max(len(lines), 1) * (CHART_BAR + CHART_GAP),
        "bars": bars,
    }


def work_context(data: dict | None) -> dict | None:
    """Labels in the report's language, dates dd/mm/yyyy, the chart's geometry; None for a report
    made before the section existed."""
    if data is None:
        return None
    kinds = dict(Meeting.Kind.choices)
    meetings = [
        {
            **m,
            "kind_label": str(kinds.get(m["kind"], m["kind"])),
            "date_label": format_partial_date(dt.date.fromisoformat(m["date"])),
            "column": str(index + 1),
        }
        for index, m in enumerate(data["meetings"])
    ]
    attendance = []
    for row in data["attendance"]:
        marks = []
        for meeting in meetings:
            mark = row["marks"].get(str(meeting["id"]))
            marks.append(MARKS.get(mark["attendance"], "") if mark else NOT_INVITED)
        present = sum(1 for m in marks if m in (PRESENT, REPRESENTED))
        invited = sum(1 for m in marks if m != NOT_INVITED)
        attendance.append({**row, "cells": marks, "present": present, "invited": invited})
    lines = []
    total = {"assigned": 0, "done_on_time": 0, "done_late": 0, "overdue": 0, "cancelled": 0}
    for line in data["tasks"]:
        open_ = (
            line["assigned"]
            - line["done_on_time"]
            - line["done_late"]
            - line["overdue"]
            - line["cancelled"]
        )
        lines.append(
            {**line, "open": open_, "lead_label": line["lead"] or _("lead agency not named")}
        )
        for key in total:
            total[key] += line[key]
    settled = total["done_on_time"] + total["done_late"] + total["overdue"]
    rate = f"{total['done_on_time'] * 100 / settled:.0f}%" if settled else "—"
    return {
        "judged_on": format_partial_date(dt.date.fromisoformat(data["judged_on"])),
        "meetings": meetings,
        "attendance": attendance,
        "tasks": lines,
        "total": {**total, "open": total["assigned"] - settled - total["cancelled"], "rate": rate},
        "chart": _chart(lines),
    }
