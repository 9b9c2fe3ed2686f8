"""Ex officio seats: a post changes holder; each committee's secretariat confirms or declines."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from members.models import Membership, PendingSeatChange, PositionHolding, Role
from members.selectors import pending_changes_for, pending_changes_visible_to, roster_on
from members.services import (
    membership_appoint,
    pending_change_confirm,
    pending_change_decline,
    position_holder_change,
)
from tests.factories import HoldingFactory, PersonFactory, PositionFactory

D = dt.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]


@pytest.fixture
def director_post():
    return PositionFactory(title="Giám đốc Sở Thông tin và Truyền thông")


@pytest.fixture
def old_director(director_post):
    person = PersonFactory(full_name="Lâm Đình Thắng")
    HoldingFactory(person=person, position=director_post, start_date=D(2020, 1, 1))
    return person


@pytest.fixture
def seats(committee_a, committee_b, director_post, old_director):
    """The director sits ex officio on A (deputy head) and on B (member)."""
    return [
        membership_appoint(
            committee=committee,
            person=old_director,
            role=role,
            position=director_post,
            start=D(2022, 1, 1),
            reason="Theo chức vụ",
        )
        for committee, role in ((committee_a, Role.DEPUTY_HEAD), (committee_b, Role.MEMBER))
    ]


def test_a_new_holder_opens_a_pending_change_on_every_committee(
    seats, director_post, old_director, committee_a, committee_b, superuser
):
    new_director = PersonFactory(full_name="Nguyễn Thị Mới")
    holding, changes = position_holder_change(
        position=director_post,
        person=new_director,
        on=D(2024, 5, 1),
        reason="Quyết định bổ nhiệm Giám đốc",
        by=superuser,
    )
    assert {c.committee for c in changes} == {committee_a, committee_b}
    # Nothing changed silently: both seats still held by the old director.
    assert all(s.end_date is None for s in Membership.objects.filter(position=director_post))
    assert [m.person for m in roster_on(committee_a, D(2024, 6, 1))] == [old_director]
    # The old holding ended the day before; the new one is recorded.
    old = PositionHolding.objects.get(person=old_director)
    assert old.end_date == D(2024, 4, 30)
    assert holding.person == new_director
    assert [c.membership for c in pending_changes_for(committee_a)] == [seats[0]]


def test_confirming_ends_the_old_seat_and_appoints_the_new_holder(
    seats, director_post, old_director, committee_a, committee_b, secretariat_a
):
    new_director = PersonFactory(full_name="Nguyễn Thị Mới")
    _holding, _changes = position_holder_change(
        position=director_post, person=new_director, on=D(2024, 5, 1), reason="Bổ nhiệm"
    )
    change = pending_changes_for(committee_a).get()
    new_seat = pending_change_confirm(change=change, reason="Xác nhận", by=secretariat_a)
    seats[0].refresh_from_db()
    assert seats[0].end_date == D(2024, 4, 30)
    assert seats[0].end_reason == Membership.EndReason.POST_CHANGED
    assert (new_seat.person, new_seat.role, new_seat.position) == (
        new_director,
        Role.DEPUTY_HEAD,
        director_post,
    )
    assert [m.person for m in roster_on(committee_a, D(2024, 5, 1))] == [new_director]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.new_membership) == (
        "confirmed",
        secretariat_a,
        new_seat,
    )
    # Committee B is untouched until its own secretariat decides.
    assert [m.person for m in roster_on(committee_b, D(2024, 5, 1))] == [old_director]
    assert pending_changes_for(committee_b).count() == 1
    assert new_seat.history.get().history_change_reason == "Xác nhận"


def test_declining_leaves_the_roster(
    seats, director_post, old_director, committee_b, secretariat_b
):
    position_holder_change(
        position=director_post, person=PersonFactory(), on=D(2024, 5, 1), reason="Bổ nhiệm"
    )
    change = pending_changes_for(committee_b).get()
    pending_change_decline(change=change, reason="Vẫn giữ ghế", by=secretariat_b)
    assert [m.person for m in roster_on(committee_b, D(2024, 6, 1))] == [old_director]
    change.refresh_from_db()
    assert change.status == PendingSeatChange.Status.DECLINED
    assert pending_changes_for(committee_b).count() == 0
    with pytest.raises(ValidationError, match="already been decided"):
        pending_change_confirm(change=change, reason="x", by=secretariat_b)


def test_another_secretariat_cannot_decide(
    seats, director_post, committee_a, committee_b, secretariat_b
):
    position_holder_change(
        position=director_post, person=PersonFactory(), on=D(2024, 5, 1), reason="Bổ nhiệm"
    )
    change = pending_changes_for(committee_a).get()
    with pytest.raises(PermissionDenied):
        pending_change_confirm(change=change, reason="x", by=secretariat_b)
    change.refresh_from_db()
    assert change.status == "pending"
    assert list(pending_changes_visible_to(secretariat_b)) == [
        pending_changes_for(committee_b).get()
    ]


def test_only_an_administrator_changes_a_posts_holder(director_post, secretariat_a):
    with pytest.raises(PermissionDenied):
        position_holder_change(
            position=director_post,
            person=PersonFactory(),
            on=D(2024, 5, 1),
            reason="x",
            by=secretariat_a,
        )
    assert not PositionHolding.objects.exists()


def test_a_post_held_by_several_changes_only_the_named_holders_seat(committee_a):
    post = PositionFactory(title="Phó Chủ tịch UBND Thành phố", single_holder=False)
    first, second = PersonFactory(), PersonFactory()
    for person in (first, second):
        HoldingFactory(person=person, position=post, start_date=D(2021, 1, 1))
    membership_appoint(
        committee=committee_a, person=first, position=post, role=Role.MEMBER, reason="x"
    )
    membership_appoint(
        committee=committee_a, person=second, position=post, role=Role.MEMBER, reason="x"
    )
    _holding, changes = position_holder_change(
        position=post, person=PersonFactory(), on=D(2024, 1, 1), replacing=first, reason="x"
    )
    assert [c.membership.person for c in changes] == [first]
