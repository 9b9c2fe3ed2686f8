"""The roster rules, each with an allowed and a refused case, in validation and in the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import Membership, Role
from members.services import membership_appoint, membership_end
from tests.factories import CommitteeFactory, MembershipFactory, PersonFactory

D = dt.date


@pytest.mark.django_db
class TestOneHeadAtATime:
    def test_it_allows_successive_heads(self):
        committee = CommitteeFactory()
        first = membership_appoint(
            committee=committee,
            person=PersonFactory(),
            role=Role.HEAD,
            start=D(2022, 1, 1),
            reason="QĐ",
        )
        membership_end(membership=first, on=D(2023, 6, 30), reason="Nghỉ hưu")
        second = membership_appoint(
            committee=committee,
            person=PersonFactory(),
            role=Role.HEAD,
            start=D(2023, 7, 1),
            reason="QĐ",
        )
        assert Membership.objects.filter(committee=committee, role=Role.HEAD).count() == 2
        assert second.end_date is None

    def test_it_refuses_an_overlapping_head_in_validation(self):
        committee = CommitteeFactory()
        first = membership_appoint(
            committee=committee,
            person=PersonFactory(),
            role=Role.HEAD,
            start=D(2022, 1, 1),
            reason="QĐ",
        )
        membership_end(membership=first, on=D(2023, 6, 30), reason="Nghỉ hưu")
        with pytest.raises(ValidationError, match=r"đang do .* đảm nhiệm"):
            membership_appoint(
                committee=committee,
                person=PersonFactory(),
                role=Role.HEAD,
                start=D(2023, 1, 1),
                reason="QĐ",
            )
        assert Membership.objects.filter(committee=committee).count() == 1

    def test_the_database_refuses_overlapping_heads_even_past_validation(self):
        committee = CommitteeFactory()
        MembershipFactory(
            committee=committee,
            role=Role.HEAD,
            start_date=D(2022, 1, 1),
            end_date=D(2023, 6, 30),
            end_reason="other",
        )
        with pytest.raises(IntegrityError, match="single_seat_no_overlap"), transaction.atomic():
            MembershipFactory(
                committee=committee,
                role=Role.HEAD,
                start_date=D(2023, 1, 1),
                end_date=D(2023, 3, 1),
                end_reason="other",
            )

    def test_the_database_refuses_two_active_standing_deputies(self):
        committee = CommitteeFactory()
        MembershipFactory(committee=committee, role=Role.STANDING_DEPUTY_HEAD)
        with pytest.raises(IntegrityError), transaction.atomic():
            MembershipFactory(committee=committee, role=Role.STANDING_DEPUTY_HEAD)

    def test_several_deputy_heads_are_allowed(self):
        committee = CommitteeFactory()
        for _ in range(3):
            membership_appoint(
                committee=committee, person=PersonFactory(), role=Role.DEPUTY_HEAD, reason="QĐ"
            )
        assert committee.memberships.count() == 3


@pytest.mark.django_db
class TestOneSeatPerPerson:
    def test_it_refuses_overlapping_seats_of_one_person(self):
        committee, person = CommitteeFactory(), PersonFactory()
        membership_appoint(
            committee=committee, person=person, role=Role.MEMBER, start=D(2022, 1, 1), reason="QĐ"
        )
        with pytest.raises(ValidationError, match="đã có ghế trong"):
            membership_appoint(
                committee=committee,
                person=person,
                role=Role.DEPUTY_HEAD,
                start=D(2022, 5, 1),
                reason="QĐ",
            )

    def test_it_allows_the_same_person_on_two_committees(self):
        person = PersonFactory()
        membership_appoint(committee=CommitteeFactory(), person=person, role=Role.HEAD, reason="QĐ")
        membership_appoint(committee=CommitteeFactory(), person=person, role=Role.HEAD, reason="QĐ")
        assert person.memberships.count() == 2


@pytest.mark.django_db
class TestEndAfterStart:
    def test_it_refuses_an_end_before_the_start(self):
        membership = membership_appoint(
            committee=CommitteeFactory(), person=PersonFactory(), start=D(2022, 5, 1), reason="QĐ"
        )
        with pytest.raises(ValidationError, match="không thể kết thúc trước ngày đó"):
            membership_end(membership=membership, on=D(2022, 4, 30), reason="Sai")
        membership.refresh_from_db()
        assert membership.end_date is None

    def test_it_allows_an_end_on_the_start_day(self):
        membership = membership_appoint(
            committee=CommitteeFactory(), person=PersonFactory(), start=D(2022, 5, 1), reason="QĐ"
        )
        membership_end(membership=membership, on=D(2022, 5, 1), reason="Một ngày")
        membership.refresh_from_db()
        assert membership.end_date == D(2022, 5, 1)

    def test_the_database_refuses_an_end_before_the_start(self):
        with pytest.raises(IntegrityError, match="end_after_start"), transaction.atomic():
            MembershipFactory(start_date=D(2022, 5, 1), end_date=D(2022, 1, 1), end_reason="other")
