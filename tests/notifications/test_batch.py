"""The digests of the day are built for every user at once: each rule's provider is asked once for
all recipients and its items handed out, so the number of queries is the same for N users and
for 3N; each user still gets its own items, and its own first items when a kind is cut short."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from committees.permissions import LEADERS_GROUP, grant_focal_point, grant_secretariat
from notifications import providers, selectors, services
from notifications.models import Kind
from reports.models import Report, ReportDownload
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    MembershipFactory,
    TargetFactory,
    UserFactory,
)
from tests.work.conftest import make_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _population(first: int, count: int) -> None:
    """`count` committees, each with its secretariat, a leader following it, and an agency
    whose focal point has a late task on it; items of several kinds on each."""
    today = timezone.localdate()
    leaders = Group.objects.get(name=LEADERS_GROUP)
    for n in range(first, first + count):
        committee = CommitteeFactory(name=f"Ban số {n:03}", declared_member_count=5)
        MembershipFactory(committee=committee, person=None, title_at_appointment=f"Giám đốc {n}")
        TargetFactory(committee=committee, deadline=dt.date(2022, 1, 1))
        for status, quarter in ((Report.Status.READY, 3), (Report.Status.FAILED, 2)):
            Report.objects.create(
                committee=committee,
                kind=Report.Kind.COMMITTEE_REVIEW,
                period=f"2026-Q{quarter}",
                period_start=dt.date(2026, 3 * quarter - 2, 1),
                period_end=dt.date(2026, 3 * quarter, 30),
                status=status,
                file_path=f"reports/{n}.pdf" if status == Report.Status.READY else "",
                error_message="" if status == Report.Status.READY else "OSError: đĩa đầy",
                finished_at=timezone.now(),
            )
        secretariat = UserFactory(username=f"thuky{n:03}", email=f"thuky{n}@example.vn")
        grant_secretariat(secretariat, committee)
        leader = UserFactory(username=f"lanhdao{n:03}", email=f"lanhdao{n}@example.vn")
        leader.groups.add(leaders)
        services.follow_set(user=leader, committee=committee, following=True)
        agency = AgencyFactory(name=f"Sở số {n:03}")
        focal = UserFactory(username=f"daumoi{n:03}", email=f"daumoi{n}@example.vn")
        grant_focal_point(focal, agency)
        make_task(committee, agency, deadline=today - dt.timedelta(days=3), text=f"Việc {n:03}")


def _by_user(messages) -> dict:
    return {message.username: message for message in messages}


def test_the_digests_take_the_same_number_of_queries_for_n_and_3n_users(
    groups, superuser, django_assert_num_queries
):
    superuser.email = "quantri@example.vn"
    superuser.save(update_fields=["email"])
    _population(0, 2)
    with CaptureQueriesContext(connection) as small:
        messages = _by_user(services.digests_build())
    assert len(messages) == 1 + 3 * 2
    _population(2, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        messages = _by_user(services.digests_build())
    assert len(messages) == 1 + 3 * 6

    # Handed out right: each secretariat its committee, each leader the committee it follows,
    # each focal point its agency's task; the administrator every committee.
    for n in range(6):
        mine = f"Ban số {n:03}"
        secretariat = messages[f"thuky{n:03}"]
        assert {item.committee_name for item in secretariat.items} == {mine}
        assert {Kind.MEMBER_GAP, Kind.SEAT_WITHOUT_PERSON, Kind.ROSTER_NO_DECISION} <= {
            item.kind for item in secretariat.items
        }
        leader = messages[f"lanhdao{n:03}"]
        assert {item.committee_name for item in leader.items} == {mine}
        assert {item.kind for item in leader.items} == {
            Kind.TARGET_OFF_TRACK,
            Kind.TASK_DUE,
            Kind.REPORT_READY,
        }
        focal = messages[f"daumoi{n:03}"]
        assert [item.params["task"] for item in focal.items] == [f"Việc {n:03}"]
    administrator = messages[superuser.username]
    assert {item.committee_name for item in administrator.items} >= {
        f"Ban số {n:03}" for n in range(6)
    }


def test_the_immediate_emails_take_the_same_number_of_queries_for_n_and_3n_users(
    groups, django_assert_num_queries
):
    _population(0, 2)
    later = timezone.now() + dt.timedelta(days=1)
    with CaptureQueriesContext(connection) as small:
        services.immediates_build(now=later)
    _population(2, 4)
    with django_assert_num_queries(len(small.captured_queries)):
        services.immediates_build(now=later)


def test_a_report_one_leader_downloaded_stays_in_the_others_digest(groups):
    _population(0, 1)
    leader = UserFactory(username="lanhdao.khac", email="khac@example.vn")
    leader.groups.add(Group.objects.get(name=LEADERS_GROUP))
    committee = CommitteeFactory._meta.model.objects.get(name="Ban số 000")
    services.follow_set(user=leader, committee=committee, following=True)
    ReportDownload.objects.create(
        report=Report.objects.get(status=Report.Status.READY), user=leader
    )
    messages = _by_user(services.digests_build())
    assert Kind.REPORT_READY not in {item.kind for item in messages["lanhdao.khac"].items}
    assert Kind.REPORT_READY in {item.kind for item in messages["lanhdao000"].items}


def test_each_user_gets_its_own_first_items_when_a_kind_is_cut_short(groups, monkeypatch):
    _population(0, 2)
    for n in range(2):
        committee = CommitteeFactory._meta.model.objects.get(name=f"Ban số {n:03}")
        for extra in range(3):
            MembershipFactory(
                committee=committee, person=None, title_at_appointment=f"Thêm {extra}"
            )
    monkeypatch.setattr(providers, "KIND_LIMIT", 2)
    users = list(selectors.recipients().filter(username__startswith="thuky"))
    queues = selectors.work_queues(users)
    for user in users:
        seats = [i for i in queues[user.pk].items if i.kind == Kind.SEAT_WITHOUT_PERSON]
        assert len(seats) == 2  # its own two, though the other committee's come first or last
        assert {item.committee_name for item in seats} == {f"Ban số {user.username[-3:]}"}
        assert queues[user.pk].truncated
