"""The work queue: each kind's provider, who sees what, opting out, and fixed query counts."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from members import services as services_members
from members.models import PendingSeatChange
from members.services import pending_change_confirm
from notifications import selectors, services
from notifications.models import Channel, Kind, NotificationRule
from reports.models import Report, ReportDownload
from tests.factories import (
    CommitteeFactory,
    MeasurementFactory,
    MembershipFactory,
    TargetFactory,
    UserFactory,
)

ENDED = "term_ended"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def kinds(queue) -> list[str]:
    return [item.kind for item in queue.items]


def test_it_lists_a_pending_change_for_the_secretariat_until_it_is_decided(
    pending_change, secretariat_a, secretariat_b
):
    queue = selectors.work_queue(secretariat_a)
    [item] = [item for item in queue.items if item.kind == Kind.PENDING_CHANGE]
    assert "Nguyễn Thị Mới" in item.text
    assert "Lâm Đình Thắng" in item.text
    assert item.url.endswith(f"/committees/committee/{pending_change.committee_id}/pending/")
    assert Kind.PENDING_CHANGE not in kinds(selectors.work_queue(secretariat_b))

    pending_change_confirm(change=pending_change, reason="Đồng ý", by=secretariat_a)
    assert PendingSeatChange.objects.get().status != PendingSeatChange.Status.PENDING
    assert Kind.PENDING_CHANGE not in kinds(selectors.work_queue(secretariat_a))


def test_it_shows_the_gap_between_declared_and_named_members(secretariat_a, committee_a):
    committee_a.declared_member_count = 5
    committee_a.save(update_fields=["declared_member_count"])
    MembershipFactory.create_batch(2, committee=committee_a)
    [item] = [i for i in selectors.work_queue(secretariat_a).items if i.kind == Kind.MEMBER_GAP]
    assert item.text == "3 of 5 declared seats have no member recorded."
    assert item.url.endswith(f"/committees/committee/{committee_a.pk}/roster/")

    MembershipFactory.create_batch(3, committee=committee_a)
    assert Kind.MEMBER_GAP not in kinds(selectors.work_queue(secretariat_a))


def test_it_lists_terms_ending_within_the_lead_days(secretariat_a, committee_a):
    today = timezone.localdate()
    soon = MembershipFactory(
        committee=committee_a,
        end_date=today + dt.timedelta(days=10),
        end_reason=ENDED,
        person__full_name="Võ Thị A",
    )
    MembershipFactory(
        committee=committee_a, end_date=today + dt.timedelta(days=200), end_reason=ENDED
    )
    MembershipFactory(
        committee=committee_a, end_date=today - dt.timedelta(days=1), end_reason=ENDED
    )
    items = [i for i in selectors.work_queue(secretariat_a).items if i.kind == Kind.TERM_ENDING]
    assert [item.key.split(":")[1] for item in items] == [str(soon.pk)]
    assert "Võ Thị A" in items[0].text

    NotificationRule.objects.filter(kind=Kind.TERM_ENDING, channel=Channel.QUEUE).update(
        lead_days=365
    )
    items = [i for i in selectors.work_queue(secretariat_a).items if i.kind == Kind.TERM_ENDING]
    assert len(items) == 2


def test_it_lists_targets_at_risk_or_overdue_but_not_on_track(secretariat_a, committee_a):
    today = timezone.localdate()
    overdue = TargetFactory(
        committee=committee_a, indicator="Hồ sơ trực tuyến", deadline=dt.date(2022, 12, 31)
    )
    TargetFactory(
        committee=committee_a,
        indicator="Đã đạt",
        deadline=today + dt.timedelta(days=100),
        target_value=50,
    )
    MeasurementFactory(
        target=TargetFactory._meta.model.objects.get(indicator="Đã đạt"), value=60, date=today
    )
    items = [
        i for i in selectors.work_queue(secretariat_a).items if i.kind == Kind.TARGET_OFF_TRACK
    ]
    assert [item.key for item in items] == [f"{Kind.TARGET_OFF_TRACK}:{overdue.pk}:overdue"]
    assert items[0].text == "Hồ sơ trực tuyến: overdue (deadline 31/12/2022); record a measurement."
    assert items[0].url.endswith(f"/mandates/measurement/add/?target={overdue.pk}")


def _report(committee, status, **extra):
    return Report.objects.create(
        committee=committee,
        kind=Report.Kind.COMMITTEE_REVIEW,
        period="2026-Q3",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        status=status,
        finished_at=timezone.now(),
        **extra,
    )


def test_it_lists_a_ready_report_until_the_user_downloads_it(leader, committee_a):
    report = _report(committee_a, Report.Status.READY, file_path="reports/x.pdf")
    assert selectors.work_queue(leader).items == []  # not followed yet
    services.follow_set(user=leader, committee=committee_a, following=True)
    [item] = selectors.work_queue(leader).items
    assert (item.kind, item.url) == (Kind.REPORT_READY, report.get_download_url())

    ReportDownload.objects.create(report=report, user=leader)
    assert selectors.work_queue(leader).items == []


def test_it_tells_the_secretariat_and_administrators_of_a_failed_report(
    secretariat_a, superuser, leader, committee_a
):
    _report(committee_a, Report.Status.FAILED, error_message="OSError: disk full")
    services.follow_set(user=leader, committee=committee_a, following=True)
    for user in (secretariat_a, superuser):
        [item] = [i for i in selectors.work_queue(user).items if i.kind == Kind.REPORT_FAILED]
        assert "disk full" in item.text
    assert Kind.REPORT_FAILED not in kinds(selectors.work_queue(leader))


def test_it_gives_a_leader_only_the_committees_they_follow(leader, committee_a, committee_b):
    TargetFactory(committee=committee_a, deadline=dt.date(2022, 1, 1))
    TargetFactory(committee=committee_b, deadline=dt.date(2022, 1, 1))
    services.follow_set(user=leader, committee=committee_b, following=True)
    assert {item.committee_id for item in selectors.work_queue(leader).items} == {committee_b.pk}
    services.follow_set(user=leader, committee=committee_b, following=False)
    assert selectors.work_queue(leader).items == []


def test_it_gives_nobody_outside_the_registry_a_queue(committee_a):
    outsider = UserFactory(username="nguoingoai")
    TargetFactory(committee=committee_a, deadline=dt.date(2022, 1, 1))
    assert selectors.work_queue(outsider).items == []


def test_it_leaves_out_a_rule_the_user_turned_off_but_never_a_mandatory_one(
    secretariat_a, committee_a, pending_change
):
    committee_a.declared_member_count = 9
    committee_a.save(update_fields=["declared_member_count"])
    digest_kinds = set(kinds(selectors.work_queue(secretariat_a, channel=Channel.DIGEST)))
    assert {Kind.MEMBER_GAP, Kind.PENDING_CHANGE} <= digest_kinds

    gap_rule = NotificationRule.objects.get(kind=Kind.MEMBER_GAP, channel=Channel.DIGEST)
    services.preference_update(user=secretariat_a, language="vi", muted_rules=[gap_rule])
    digest_kinds = set(kinds(selectors.work_queue(secretariat_a, channel=Channel.DIGEST)))
    assert Kind.MEMBER_GAP not in digest_kinds
    assert Kind.PENDING_CHANGE in digest_kinds

    mandatory = NotificationRule.objects.get(kind=Kind.PENDING_CHANGE, channel=Channel.DIGEST)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="mandatory"):
        services.preference_update(user=secretariat_a, language="vi", muted_rules=[mandatory])


def test_it_sends_a_pending_change_at_once_only_when_it_is_older_than_the_lead_days(
    pending_change, secretariat_a
):
    assert selectors.work_queue(secretariat_a, channel=Channel.IMMEDIATE).items == []
    later = timezone.now() + dt.timedelta(days=8)
    [item] = selectors.work_queue(secretariat_a, channel=Channel.IMMEDIATE, now=later).items
    assert item.kind == Kind.PENDING_CHANGE


def _grow(committee, size: int) -> None:
    """Data of every kind on the committee, `size` rows each."""
    from tests.work.conftest import make_task
    from work.models import Agency

    today = timezone.localdate()
    agency = Agency.objects.get(slug="so-tttt")  # the focal point's
    committee.declared_member_count = 10 * size
    committee.save(update_fields=["declared_member_count"])
    for n in range(size):
        MembershipFactory(
            committee=committee, end_date=today + dt.timedelta(days=5 + n), end_reason=ENDED
        )
        TargetFactory(committee=committee, deadline=dt.date(2022, 1, 1))
        _report(
            CommitteeFactory(parent=committee),
            Report.Status.FAILED,
            error_message="x",
        )
        make_task(committee, agency, deadline=today - dt.timedelta(days=n + 1), text=f"Việc {n}")


@pytest.mark.parametrize("who", ["secretariat_a", "superuser", "leader", "focal_point"])
def test_it_reads_the_queue_in_a_fixed_number_of_queries(
    who, request, committee_a, lead_agency, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = request.getfixturevalue(who)
    if who != "focal_point":
        services.follow_set(user=user, committee=committee_a, following=True)
    _grow(committee_a, 2)
    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as small:
        small_count = selectors.work_queue(user).count
    _grow(committee_a, 12)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(len(small.captured_queries)):
        large_count = selectors.work_queue(user).count
    assert large_count > small_count > 0


def test_it_lists_seats_named_by_title_only_and_vacant_seats_until_filled(
    secretariat_a, committee_a
):
    title_only = MembershipFactory(
        committee=committee_a, person=None, title_at_appointment="Thứ trưởng Bộ Tư pháp"
    )
    left = MembershipFactory(
        committee=committee_a,
        person__full_name="Võ Văn Rời",
        start_date=dt.date(2022, 1, 1),
        end_date=dt.date(2025, 1, 31),
        end_reason=ENDED,
    )
    vacant = MembershipFactory(committee=committee_a, person=None, follows=left)
    items = {
        item.key: item
        for item in selectors.work_queue(secretariat_a).items
        if item.kind == Kind.SEAT_WITHOUT_PERSON
    }
    assert set(items) == {
        f"{Kind.SEAT_WITHOUT_PERSON}:{title_only.pk}",
        f"{Kind.SEAT_WITHOUT_PERSON}:{vacant.pk}",
    }
    assert "(Thứ trưởng Bộ Tư pháp)" in items[f"{Kind.SEAT_WITHOUT_PERSON}:{title_only.pk}"].text
    assert "vacant since Võ Văn Rời left" in items[f"{Kind.SEAT_WITHOUT_PERSON}:{vacant.pk}"].text

    from tests.factories import PersonFactory

    title_only.person = PersonFactory(full_name="Nguyễn Khánh Tư")
    title_only.save(update_fields=["person"])
    remaining = [
        i.key
        for i in selectors.work_queue(secretariat_a).items
        if i.kind == Kind.SEAT_WITHOUT_PERSON
    ]
    assert remaining == [f"{Kind.SEAT_WITHOUT_PERSON}:{vacant.pk}"]


def test_it_lists_a_seat_held_through_a_post_its_holder_left(secretariat_a, committee_a):
    from tests.factories import HoldingFactory, PersonFactory, PositionFactory

    post = PositionFactory(title="Giám đốc Sở Tư pháp")
    person = PersonFactory(full_name="Trần Đã Thôi")
    holding = HoldingFactory(
        person=person,
        position=post,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2025, 3, 31),
    )
    seat = MembershipFactory(committee=committee_a, person=person, position=post)
    [item] = [i for i in selectors.work_queue(secretariat_a).items if i.kind == Kind.SEAT_POST_LEFT]
    assert item.key == f"{Kind.SEAT_POST_LEFT}:{seat.pk}"
    assert item.text == (
        "Trần Đã Thôi (member) sits through the post Giám đốc Sở Tư pháp, left on 31/03/2025: "
        "replace, end or confirm the seat."
    )
    assert item.url.endswith(f"/members/membership/{seat.pk}/change/")

    assert holding.end_date is not None
    HoldingFactory(person=person, position=post, start_date=dt.date(2025, 6, 1))  # back in post
    assert Kind.SEAT_POST_LEFT not in kinds(selectors.work_queue(secretariat_a))


def test_seats_through_a_left_post_are_read_without_joining_the_people_or_the_posts():
    """Joined, the people or the posts lead PostgreSQL through every ex officio seat of the
    registry in their order; unjoined, it goes from the few ended holdings to their seats
    (members_membership_post) and reads the names of the seats found by key."""
    from notifications.providers import Scope, post_left_queryset

    scope = Scope(committee_ids=None, day=timezone.localdate(), now=timezone.now())
    sql = str(post_left_queryset(scope).query)
    assert 'JOIN "members_person"' not in sql, sql
    assert 'JOIN "members_position"' not in sql, sql


def test_it_lists_assigned_tasks_overdue_or_due_soon_until_they_are_done(
    secretariat_a, committee_a, committee_b
):
    from tests.factories import AgencyFactory, InstrumentFactory
    from work.models import Task
    from work.services import TaskItem, task_create, task_progress_add

    today = timezone.localdate()
    police = AgencyFactory(name="Công an Thành phố")
    plan = InstrumentFactory(number="1012/KH-UBND")

    def task(committee, text, deadline):
        return task_create(
            committee=committee,
            item=TaskItem(text=text, lead_agency=police, deadline=deadline),
            source_kind=Task.SourceKind.PLAN,
            source_instrument=plan,
            assigned_on=today - dt.timedelta(days=60),
            reason="Kế hoạch",
        )

    late = task(committee_a, "Xây dựng cơ sở dữ liệu dân cư", today - dt.timedelta(days=3))
    soon = task(committee_a, "Lập sàn dữ liệu thành phố", today + dt.timedelta(days=10))
    task(committee_a, "Đánh giá năm sau", today + dt.timedelta(days=200))  # not yet
    task(committee_b, "Việc của ban khác", today - dt.timedelta(days=3))  # not this secretariat's
    items = [i for i in selectors.work_queue(secretariat_a).items if i.kind == Kind.TASK_DUE]
    assert [i.key.split(":")[1] for i in items] == [str(late.pk), str(soon.pk)]
    assert "Overdue since" in items[0].text
    assert "Công an Thành phố" in items[0].text
    assert items[1].text.startswith("Due ")
    task_progress_add(task=late, date=today, text="Đã hoàn thành", state=Task.State.DONE)
    items = [i for i in selectors.work_queue(secretariat_a).items if i.kind == Kind.TASK_DUE]
    assert [i.key.split(":")[1] for i in items] == [str(soon.pk)]


def test_it_counts_roster_changes_without_a_decision_per_committee_until_each_has_one(
    client, secretariat_a, committee_a, committee_b
):
    from tests.factories import InstrumentFactory

    decision = InstrumentFactory(number="12/QĐ-UBND")
    MembershipFactory(committee=committee_a, appointed_by=decision)  # cites its decision
    seats = [
        MembershipFactory(committee=committee_a, person__full_name=f"Người Thứ {n}")
        for n in ("Nhất", "Hai", "Ba")
    ]
    MembershipFactory(  # ended: no longer open
        committee=committee_a, end_date=dt.date(2025, 1, 1), end_reason=ENDED
    )
    MembershipFactory(committee=committee_b, person__full_name="Ở Ban B")  # not kept
    MembershipFactory(committee=CommitteeFactory(parent=committee_a))  # its support group

    def no_decision():
        return {
            item.committee_id: item
            for item in selectors.work_queue(secretariat_a).items
            if item.kind == Kind.ROSTER_NO_DECISION
        }

    items = no_decision()
    assert set(items) == {committee_a.pk, committee_a.support_groups.get().pk}
    item = items[committee_a.pk]
    assert item.text == (
        "3 seats were recorded without a decision: record the decision that gave them."
    )
    assert item.url == f"/admin/committees/legalinstrument/no-decision/?committee={committee_a.pk}"
    client.force_login(secretariat_a)
    page = client.get(item.url).content.decode()
    rows = page.split('<table id="no-decision-seats">')[1].split("</table>")[0]
    assert rows.count("<tr>") == 1 + 3  # the head and the three seats
    assert all(f"Người Thứ {n}" in rows for n in ("Nhất", "Hai", "Ba"))
    assert "Ở Ban B" not in page
    # Another committee's id in the address shows nothing of it.
    other = client.get(f"{item.url.split('?')[0]}?committee={committee_b.pk}").content.decode()
    assert "Ở Ban B" not in other

    for seat in seats[:2]:
        services_members.membership_update(
            membership=seat,
            expected_version=seat.version,
            changes={"appointed_by": decision},
            reason="Quyết định thành lập",
            by=secretariat_a,
        )
    with translation.override("en"):  # the page above answered in Vietnamese
        assert no_decision()[committee_a.pk].text == (
            "1 seat was recorded without a decision: record the decision that gave it."
        )
    seat = seats[2]
    seat.refresh_from_db()
    services_members.membership_update(
        membership=seat,
        expected_version=seat.version,
        changes={"appointed_by": decision},
        reason="Quyết định thành lập",
        by=secretariat_a,
    )
    assert committee_a.pk not in no_decision()
