"""seed_scale adds meetings (with the roster of their day as the invitation list) and tasks."""

import pytest
from django.core.management import call_command

from committees.models import Committee
from members.selectors import roster_on
from work.models import Invitee, Meeting, Task

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_adds_meetings_and_tasks_that_keep_the_rules():
    call_command("seed_scale", seed=7, verbosity=0, committees=30, people=200, memberships=600)
    committees = Committee.objects.count()
    assert Meeting.objects.count() == committees * 10
    assert Task.objects.count() == committees * 40
    assert Meeting.history.count() == Meeting.objects.count()
    assert not Invitee.objects.filter(attendance="represented", substitute_name="").exists()
    assert not Invitee.objects.filter(attendance="absent", absence_reason="").exists()
    assert not Task.objects.filter(state="done", completed_on__isnull=True).exists()
    assert not Task.objects.filter(state="cancelled", cancel_reason="").exists()
    for meeting in Meeting.objects.order_by("pk")[:20]:
        listed = set(meeting.invitees.values_list("membership_id", flat=True))
        roster = {seat.pk for seat in roster_on(meeting.committee, meeting.date)}
        assert listed <= roster
        assert len(listed) == min(len(roster), 25)
    for task in Task.objects.exclude(deadline__isnull=True).order_by("pk")[:200]:
        task.full_clean()


@pytest.mark.django_db(transaction=False)
def test_the_benchmark_fixture_is_made_once(committee_a, lead_agency):
    from work.scale import bench_fixture

    first = bench_fixture(committee_a)
    assert bench_fixture(committee_a) == first
    assert Task.objects.filter(source_meeting=first).count() == 10
