"""Meetings as Popolo events: the Popolo export adds meeting_events() to its events.

Each meeting becomes an (unsaved) PopoloEvent with the id "meeting/<pk>", so the export writes it
like any other event and an import of the file gives back the same document."""

from collections.abc import Iterable

from api.models import PopoloEvent
from committees.partial_dates import Precision
from work.models import Meeting

CLASSIFICATION = {
    Meeting.Kind.REGULAR: "meeting",
    Meeting.Kind.EXTRAORDINARY: "meeting",
    Meeting.Kind.INTERIM_REVIEW: "meeting",
    Meeting.Kind.FINAL_REVIEW: "meeting",
    Meeting.Kind.CONFERENCE: "conference",
}


def meeting_events(*, committee_ids: Iterable[int] | None) -> list[PopoloEvent]:
    """The meetings of the given committees (all when None), in one query."""
    meetings = Meeting.objects.order_by("pk").only("pk", "committee_id", "kind", "title", "date")
    if committee_ids is not None:
        meetings = meetings.filter(committee_id__in=list(committee_ids))
    return [
        PopoloEvent(
            # A negative id: no membership period or identifier can refer to it.
            pk=-meeting.pk,
            popolo_id=f"meeting/{meeting.pk}",
            name=meeting.title,
            classification=CLASSIFICATION[meeting.kind],
            organization_id=meeting.committee_id,
            start_date=meeting.date,
            start_precision=Precision.DAY,
        )
        for meeting in meetings
    ]
