"""Meetings as Popolo events: the Popolo export (api.popolo) adds them to its events.

Each meeting becomes an event with the id "meeting/<pk>", so the export writes it like any other
event and an import of the file gives back the same document."""

from collections.abc import Iterable, Mapping

from django.db.models import QuerySet

from committees.partial_dates import Precision
from work.models import Meeting

CLASSIFICATION = {
    Meeting.Kind.REGULAR: "meeting",
    Meeting.Kind.EXTRAORDINARY: "meeting",
    Meeting.Kind.INTERIM_REVIEW: "meeting",
    Meeting.Kind.FINAL_REVIEW: "meeting",
    Meeting.Kind.CONFERENCE: "conference",
}
# The columns meeting_event() reads.
MEETING_FIELDS = ("id", "committee_id", "kind", "title", "date")


def meetings(*, committee_ids: Iterable[int] | None) -> QuerySet[Meeting]:
    """The meetings of the given committees (all when None)."""
    found = Meeting.objects.all()
    if committee_ids is not None:
        found = found.filter(committee_id__in=list(committee_ids))
    return found


def meeting_event(meeting: Mapping) -> dict:
    """A meeting's row (MEETING_FIELDS) as the columns of a PopoloEvent."""
    return {
        # A negative id: no membership period or identifier can refer to it.
        "id": -meeting["id"],
        "popolo_id": f"meeting/{meeting['id']}",
        "name": meeting["title"],
        "classification": CLASSIFICATION[meeting["kind"]],
        "organization_id": meeting["committee_id"],
        "start_date": meeting["date"],
        "start_precision": Precision.DAY,
    }
