"""The private, revocable iCalendar feed of a committee's meetings and task deadlines."""

import datetime as dt

import pytest
from icalendar import Calendar

from tests.work.conftest import make_meeting, make_task
from work.models import CalendarToken

pytestmark = pytest.mark.django_db


def test_it_serves_meetings_and_deadlines_until_revoked(
    client, leader, committee_a, lead_agency, settings
):
    make_meeting(committee_a, day=dt.date.today(), title="Phiên họp thường kỳ tháng này")
    make_task(
        committee_a,
        lead_agency,
        deadline=dt.date.today() + dt.timedelta(days=30),
        text="Hoàn thiện Sàn dữ liệu",
    )
    client.force_login(leader)
    client.post(f"/committees/{committee_a.slug}/calendar/", {"action": "issue"})
    token = CalendarToken.objects.get(user=leader, committee=committee_a)
    client.logout()
    response = client.get(token.get_absolute_url())
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert "Phiên họp thường kỳ tháng này" in summaries
    assert any(s.startswith("Hoàn thiện Sàn dữ liệu") for s in summaries)
    client.force_login(leader)
    client.post(
        f"/committees/{committee_a.slug}/calendar/", {"action": "revoke", "token": token.pk}
    )
    client.logout()
    assert client.get(token.get_absolute_url()).status_code == 404


def test_a_guessed_token_finds_nothing(client):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
