"""A committee's meetings and task deadlines as an iCalendar document (RFC 5545)."""

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event

from work.models import Meeting, Task

MEETING_HOURS = dt.timedelta(hours=2)
FEED_PAST_DAYS = 400  # a year back and everything ahead


def committee_calendar(committee, *, day: dt.date) -> bytes:
    since = day - dt.timedelta(days=FEED_PAST_DAYS)
    calendar = Calendar()
    calendar.add("prodid", "-//Committee registry//work//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", committee.name)
    stamp = timezone.now()
    meetings = Meeting.objects.filter(committee=committee, date__gte=since).order_by("date", "pk")
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@committee-registry")
        event.add("dtstamp", stamp)
        event.add("summary", meeting.title)
        if meeting.time is not None:
            start = timezone.make_aware(dt.datetime.combine(meeting.date, meeting.time))
            event.add("dtstart", start)
            event.add("dtend", start + MEETING_HOURS)
        else:
            event.add("dtstart", meeting.date)
            event.add("dtend", meeting.date + dt.timedelta(days=1))
        place = meeting.place or (meeting.online_link if meeting.online else "")
        if place:
            event.add("location", place)
        event.add("categories", [meeting.get_kind_display()])
        calendar.add_component(event)
    tasks = (
        Task.objects.filter(
            committee=committee, deadline_last_day__isnull=False, deadline_last_day__gte=since
        )
        .exclude(state__in=[Task.State.DONE, Task.State.CANCELLED])
        .select_related("lead_agency")
        .order_by("deadline_last_day", "pk")
    )
    for task in tasks:
        event = Event()
        event.add("uid", f"task-{task.pk}@committee-registry")
        event.add("dtstamp", stamp)
        lead = f" ({task.lead_agency})" if task.lead_agency else ""
        event.add("summary", f"{task.text[:120]}{lead}")
        event.add("dtstart", task.deadline_last_day)
        event.add("dtend", task.deadline_last_day + dt.timedelta(days=1))
        event.add("description", task.deadline_partial.display())
        calendar.add_component(event)
    return calendar.to_ical()
