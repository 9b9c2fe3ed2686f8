"""Post holdings: one open holding per single-holder post, "ended, date unknown", and the
change of holder with or without a known start date."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from members.models import PendingSeatChange, PositionHolding, Role
from members.services import (
    membership_appoint,
    pending_change_decline,
    position_holder_change,
    position_holding_save,
    save_validated,
)
from tests.factories import HoldingFactory, PersonFactory, PositionFactory

D = dt.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]


@pytest.fixture
def chair():
    return PositionFactory(title="Chủ tịch UBND Thành phố", single_holder=True)


@pytest.fixture
def mai(chair):
    person = PersonFactory(full_name="Phan Văn Mãi")
    HoldingFactory(person=person, position=chair)
    return person


class TestOneOpenHoldingPerSingleHolderPost:
    def test_a_second_open_holding_is_refused_and_nothing_is_saved(self, chair, mai):
        duoc = PersonFactory(full_name="Nguyễn Văn Được")
        with pytest.raises(ValidationError, match="one holder at a time and Phan Văn Mãi"):
            position_holding_save(
                holding=PositionHolding(person=duoc, position=chair), reason="Bài báo"
            )
        assert PositionHolding.objects.filter(position=chair).count() == 1

    def test_it_is_allowed_once_the_first_has_ended_date_unknown(self, chair, mai):
        first = PositionHolding.objects.get(person=mai)
        first.ended = True
        save_validated(first, reason="Bài báo sau nêu người khác")
        duoc = PersonFactory(full_name="Nguyễn Văn Được")
        position_holding_save(
            holding=PositionHolding(person=duoc, position=chair), reason="Bài báo"
        )
        assert list(
            PositionHolding.objects.filter(position=chair)
            .filter(ended=False)
            .values_list("person__full_name", flat=True)
        ) == ["Nguyễn Văn Được"]

    def test_a_post_held_by_several_takes_several_open_holdings(self):
        post = PositionFactory(title="Phó Chủ tịch UBND Thành phố", single_holder=False)
        for name in ("Nguyễn Mạnh Cường", "Dương Anh Đức"):
            save_validated(
                PositionHolding(person=PersonFactory(full_name=name), position=post), reason="x"
            )
        assert PositionHolding.objects.filter(position=post).count() == 2

    def test_an_ended_holding_with_unknown_date_is_not_current_on_any_day(self, chair, mai):
        holding = PositionHolding.objects.get(person=mai)
        assert holding.is_active
        assert holding.active_on(D(2022, 6, 1))
        holding.ended = True
        save_validated(holding, reason="x")
        assert not holding.is_active
        assert not holding.active_on(D(2022, 6, 1))
        assert holding.end.display() == "unknown"

    def test_an_end_date_marks_the_holding_ended(self, chair, mai):
        holding = PositionHolding.objects.get(person=mai)
        holding.end_date, holding.end_precision = D(2024, 1, 1), "year"
        save_validated(holding, reason="x")
        holding.refresh_from_db()
        assert (holding.ended, holding.end_date) == (True, D(2024, 12, 31))


class TestChangeOfHolder:
    def test_a_new_holder_with_a_date_ends_only_the_open_holding(self, chair, mai):
        earlier = PersonFactory(full_name="Nguyễn Thành Phong")
        HoldingFactory(person=earlier, position=chair, end_date=D(2020, 10, 1), ended=True)
        duoc = PersonFactory(full_name="Nguyễn Văn Được")
        position_holder_change(position=chair, person=duoc, on=D(2024, 6, 22), reason="Bầu")
        ends = dict(
            PositionHolding.objects.filter(position=chair).values_list(
                "person__full_name", "end_date"
            )
        )
        assert ends == {
            "Nguyễn Thành Phong": D(2020, 10, 1),
            "Phan Văn Mãi": D(2024, 6, 21),
            "Nguyễn Văn Được": None,
        }

    def test_a_new_holder_without_a_date_ends_the_old_one_date_unknown(
        self, chair, mai, committee_a
    ):
        seat = membership_appoint(
            committee=committee_a, person=mai, role=Role.HEAD, position=chair, reason="QĐ"
        )
        duoc = PersonFactory(full_name="Nguyễn Văn Được")
        holding, changes = position_holder_change(
            position=chair, person=duoc, on=None, reason="Bài báo nêu Chủ tịch mới"
        )
        old = PositionHolding.objects.get(person=mai)
        assert (old.ended, old.end_date) == (True, None)  # never invent a day
        assert (holding.start_date, holding.is_active) == (None, True)
        assert [c.membership for c in changes] == [seat]
        seat.refresh_from_db()
        assert seat.end_date is None  # nothing changes on the roster until the secretariat decides

    def test_the_current_holder_cannot_be_recorded_again(self, chair, mai):
        with pytest.raises(ValidationError, match="already holds this post"):
            position_holder_change(position=chair, person=mai, on=None, reason="x")
        assert PositionHolding.objects.filter(position=chair).count() == 1


class TestDecidingAPendingChange:
    def test_an_outsider_is_refused_before_learning_the_change_was_decided(
        self, chair, mai, committee_a, secretariat_a, secretariat_b
    ):
        membership_appoint(
            committee=committee_a, person=mai, role=Role.HEAD, position=chair, reason="QĐ"
        )
        _holding, (change,) = position_holder_change(
            position=chair, person=PersonFactory(), on=D(2024, 6, 22), reason="Bầu"
        )
        pending_change_decline(change=change, reason="Không theo chức vụ", by=secretariat_a)
        with pytest.raises(PermissionDenied):
            pending_change_decline(change=change, reason="x", by=secretariat_b)
        change.refresh_from_db()
        assert (change.status, change.decided_by) == (
            PendingSeatChange.Status.DECLINED,
            secretariat_a,
        )
        # The committee's own secretariat is told it was decided already.
        with pytest.raises(ValidationError, match="already been decided"):
            pending_change_decline(change=change, reason="x", by=secretariat_a)
