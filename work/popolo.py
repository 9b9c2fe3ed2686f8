"""Meetings as Popolo events: the Popolo export (api.popolo) adds them to its events.

Each meeting becomes an (unsaved) PopoloEvent with the id "meeting/<pk>", so the export writes it
like any other event and an import of the file gives back the same document."""

from collections.abc import Iterable

from django.db.models import QuerySet

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


def meetings(*, committee_ids: Iterable[int] | None) -> QuerySet[Meeting]:
    """The meetings of the given committees (all when None), with what an event needs."""
    found = Meeting.objects.only("pk", "committee_id", "kind", "title", "date")
    if committee_ids is not None:
        found = found.filter(committee_id__in=list(committee_ids))
    return found


def meeting_event(meeting: Meeting, **attributes) -> PopoloEvent:
    """The meeting as an event (`attributes` are set on it too, e.g. what a query annotated)."""
    event = PopoloEvent(
        # A negative id: no membership period or identifier can refer to it.
        pk=-meeting.pk,
        popolo_id=f"meeting/{meeting.pk}",
        name=meeting.title,
        classification=CLASSIFICATION[meeting.kind],
        organization_id=meeting.committee_id,
        start_date=meeting.date,
        start_precision=Precision.DAY,
    )
    for name, value in attributes.items():
        setattr(event, name, value)
    return event
