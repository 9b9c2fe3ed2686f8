"""Meetings as Popolo events (the Popolo export calls meeting_events)."""

import datetime as dt
from collections.abc import Callable, Iterable

from work.models import Meeting

CLASSIFICATION = {
    Meeting.Kind.REGULAR: "meeting",
    Meeting.Kind.EXTRAORDINARY: "meeting",
    Meeting.Kind.INTERIM_REVIEW: "meeting",
    Meeting.Kind.FINAL_REVIEW: "meeting",
    Meeting.Kind.CONFERENCE: "conference",
}


def _start(meeting: Meeting) -> str:
    if meeting.time is None:
        return meeting.date.isoformat()
    return dt.datetime.combine(meeting.date, meeting.time).isoformat(timespec="minutes")


def meeting_events(
    *, committee_ids: Iterable[int] | None, organization_id: Callable[[int], str]
) -> list[dict]:
    """The meetings of the given committees (all when None) as Popolo events, in one query."""
    meetings = Meeting.objects.order_by("pk").only(
        "pk", "committee_id", "kind", "title", "date", "time", "place", "online"
    )
    if committee_ids is not None:
        meetings = meetings.filter(committee_id__in=list(committee_ids))
    events = []
    for meeting in meetings:
        event = {
            "id": f"meeting/{meeting.pk}",
            "name": meeting.title,
            "classification": CLASSIFICATION[meeting.kind],
            "kind": meeting.kind,
            "organization_id": organization_id(meeting.committee_id),
            "start_date": _start(meeting),
        }
        if meeting.place:
            event["location"] = meeting.place
        elif meeting.online:
            event["location"] = "online"
        events.append(event)
    return events
