"""The roster operations: each one atomic, with its history rows (user, reason, decision)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from members.models import Membership, Role
from members.selectors import member_counts, roster_changes_between, roster_on, roster_timeline
from members.services import (
    membership_appoint,
    membership_change_role,
    membership_delete,
    membership_end,
    membership_replace,
    membership_update,
)
from tests.factories import CommitteeFactory, PersonFactory, SupportGroupFactory

D = dt.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]


def history(membership):
    return list(membership.history.order_by("history_date", "history_id"))


class TestAppoint:
    def test_it_records_who_why_and_the_decision(self, committee_a, secretariat_a, decision):
        seat = membership_appoint(
            committee=committee_a,
            person=PersonFactory(full_name="Lâm Đình Thắng"),
            role=Role.DEPUTY_HEAD,
            start=D(2022, 3, 1),
            decision=decision,
            reason="Bổ nhiệm theo Quyết định 944",
            by=secretariat_a,
        )
        rows = history(seat)
        assert len(rows) == 1
        assert rows[0].history_type == "+"
        assert rows[0].history_user == secretariat_a
        assert rows[0].history_change_reason == "Bổ nhiệm theo Quyết định 944"
        assert rows[0].appointed_by_id == decision.pk

    def test_it_refuses_without_a_reason(self, committee_a):
        with pytest.raises(ValidationError, match="reason is required"):
            membership_appoint(committee=committee_a, person=PersonFactory(), reason="  ")
        assert not Membership.objects.exists()

    def test_it_refuses_another_committees_secretariat(self, committee_a, secretariat_b):
        with pytest.raises(PermissionDenied):
            membership_appoint(
                committee=committee_a, person=PersonFactory(), reason="QĐ", by=secretariat_b
            )
        assert not Membership.objects.exists()

    def test_a_secretariat_keeps_its_support_groups_roster(self, committee_a, secretariat_a):
        group = SupportGroupFactory(parent=committee_a)
        seat = membership_appoint(
            committee=group,
            person=PersonFactory(),
            role=Role.GROUP_LEADER,
            reason="QĐ",
            by=secretariat_a,
        )
        assert seat.committee == group

    def test_ex_officio_seat_takes_the_posts_title_and_agency(self, committee_a):
        from tests.factories import PositionFactory

        post = PositionFactory(title="Giám đốc Sở Khoa học và Công nghệ")
        seat = membership_appoint(
            committee=committee_a, person=PersonFactory(), position=post, reason="Ex officio"
        )
        assert seat.title_at_appointment == "Giám đốc Sở Khoa học và Công nghệ"
        assert seat.home_agency == post.agency


class TestEnd:
    def test_it_ends_with_date_reason_and_decision(self, head_of_a, secretariat_a, decision):
        membership_end(
            membership=head_of_a,
            on=D(2023, 6, 30),
            reason="Nghỉ hưu",
            end_reason=Membership.EndReason.RESIGNED,
            decision=decision,
            by=secretariat_a,
        )
        head_of_a.refresh_from_db()
        assert (head_of_a.end_date, head_of_a.end_reason) == (D(2023, 6, 30), "resigned")
        assert head_of_a.ended_by == decision
        assert head_of_a.version == 2
        last = history(head_of_a)[-1]
        assert (last.history_user, last.history_change_reason) == (secretariat_a, "Nghỉ hưu")
        assert last.end_date == D(2023, 6, 30)

    def test_the_roster_on_the_first_and_last_day_and_the_day_after(self, head_of_a):
        membership_end(membership=head_of_a, on=D(2023, 6, 30), reason="Hết nhiệm kỳ")
        committee = head_of_a.committee
        assert roster_on(committee, D(2021, 12, 31)) == []
        assert [m.pk for m in roster_on(committee, D(2022, 1, 1))] == [head_of_a.pk]
        assert [m.pk for m in roster_on(committee, D(2023, 6, 30))] == [head_of_a.pk]
        assert roster_on(committee, D(2023, 7, 1)) == []

    def test_ending_twice_is_refused(self, head_of_a):
        membership_end(membership=head_of_a, on=D(2023, 6, 30), reason="Hết nhiệm kỳ")
        with pytest.raises(ValidationError, match="already ended"):
            membership_end(membership=head_of_a, on=D(2023, 7, 30), reason="Lại")

    def test_another_secretariat_cannot_end(self, head_of_a, secretariat_b):
        with pytest.raises(PermissionDenied):
            membership_end(membership=head_of_a, on=D(2023, 6, 30), reason="x", by=secretariat_b)
        head_of_a.refresh_from_db()
        assert head_of_a.end_date is None


class TestReplace:
    def test_a_new_head_keeps_both_terms_in_history(self, head_of_a, secretariat_a, decision):
        new_person = PersonFactory(full_name="Nguyễn Văn Được")
        new = membership_replace(
            membership=head_of_a,
            person=new_person,
            on=D(2024, 3, 1),
            reason="Chủ tịch mới",
            decision=decision,
            by=secretariat_a,
        )
        head_of_a.refresh_from_db()
        assert head_of_a.end_date == D(2024, 2, 29)
        assert head_of_a.end_reason == Membership.EndReason.REPLACED
        assert (new.role, new.start_date, new.person) == (Role.HEAD, D(2024, 3, 1), new_person)
        committee = head_of_a.committee
        assert [m.person for m in roster_on(committee, D(2024, 2, 29))] == [head_of_a.person]
        assert [m.person for m in roster_on(committee, D(2024, 3, 1))] == [new_person]
        assert history(head_of_a)[-1].history_change_reason == "Chủ tịch mới"
        assert history(new)[0].history_user == secretariat_a

    def test_a_failed_replacement_changes_nothing(self, head_of_a):
        # The new person is already on the committee: the appointment fails, so the end is undone.
        other = membership_appoint(
            committee=head_of_a.committee, person=PersonFactory(), reason="QĐ"
        )
        with pytest.raises(ValidationError):
            membership_replace(
                membership=head_of_a, person=other.person, on=D(2024, 3, 1), reason="x"
            )
        head_of_a.refresh_from_db()
        assert head_of_a.end_date is None
        assert len(history(head_of_a)) == 1


class TestChangeRole:
    def test_it_ends_the_old_seat_and_starts_the_new(self, committee_a, secretariat_a):
        seat = membership_appoint(
            committee=committee_a,
            person=PersonFactory(),
            role=Role.DEPUTY_HEAD,
            start=D(2022, 1, 1),
            reason="QĐ",
        )
        new = membership_change_role(
            membership=seat,
            role=Role.STANDING_DEPUTY_HEAD,
            on=D(2023, 1, 1),
            reason="Phân công lại",
            by=secretariat_a,
        )
        seat.refresh_from_db()
        assert (seat.end_date, seat.end_reason) == (D(2022, 12, 31), "role_changed")
        assert (new.role, new.start_date, new.person_id) == (
            Role.STANDING_DEPUTY_HEAD,
            D(2023, 1, 1),
            seat.person_id,
        )
        assert Membership.objects.filter(person=seat.person).count() == 2
        assert history(new)[0].history_change_reason == "Phân công lại"


class TestOptimisticLocking:
    def test_the_second_save_with_a_stale_version_is_refused(self, head_of_a, secretariat_a):
        seen = head_of_a.version
        membership_update(
            membership=head_of_a,
            expected_version=seen,
            changes={"title_at_appointment": "Chủ tịch UBND Thành phố"},
            reason="Sửa chức danh",
            by=secretariat_a,
        )
        with pytest.raises(ValidationError, match="Someone else changed"):
            membership_update(
                membership=head_of_a,
                expected_version=seen,
                changes={"title_at_appointment": "Chủ tịch"},
                reason="Sửa lần hai",
                by=secretariat_a,
            )
        head_of_a.refresh_from_db()
        assert head_of_a.title_at_appointment == "Chủ tịch UBND Thành phố"
        assert head_of_a.version == seen + 1

    def test_an_end_with_a_stale_version_is_refused(self, head_of_a):
        membership_update(
            membership=head_of_a,
            expected_version=1,
            changes={"title_at_appointment": "Chủ tịch"},
            reason="Sửa",
        )
        with pytest.raises(ValidationError, match="Someone else changed"):
            membership_end(membership=head_of_a, on=D(2023, 1, 1), reason="x", expected_version=1)
        head_of_a.refresh_from_db()
        assert head_of_a.end_date is None

    def test_the_person_and_role_do_not_change_by_correction(self, head_of_a):
        with pytest.raises(ValidationError, match="roster operation"):
            membership_update(
                membership=head_of_a, expected_version=1, changes={"role": "member"}, reason="x"
            )


class TestDelete:
    def test_only_an_administrator_deletes_and_history_keeps_it(
        self, head_of_a, secretariat_a, superuser
    ):
        with pytest.raises(PermissionDenied):
            membership_delete(membership=head_of_a, reason="Nhập nhầm", by=secretariat_a)
        assert Membership.objects.filter(pk=head_of_a.pk).exists()
        pk = head_of_a.pk
        membership_delete(membership=head_of_a, reason="Nhập nhầm", by=superuser)
        assert not Membership.objects.filter(pk=pk).exists()
        last = Membership.history.filter(id=pk).latest("history_date")
        assert (last.history_type, last.history_user, last.history_change_reason) == (
            "-",
            superuser,
            "Nhập nhầm",
        )


class TestSelectors:
    def test_declared_and_actual_counts_show_the_gap(self, head_of_a):
        counts = member_counts(head_of_a.committee, D(2022, 6, 1))
        assert (counts.declared, counts.actual, counts.gap) == (10, 1, 9)

    def test_the_timeline_says_who_what_when_why_and_decision(
        self, head_of_a, secretariat_a, decision
    ):
        membership_end(
            membership=head_of_a,
            on=D(2023, 6, 30),
            reason="Nghỉ hưu",
            decision=decision,
            by=secretariat_a,
        )
        entries = roster_timeline(head_of_a.committee)
        assert [e.action for e in entries] == ["ended", "appointed"]
        ended = entries[0]
        assert (ended.user, ended.reason, ended.person) == ("thuky.a", "Nghỉ hưu", "Phan Văn Mãi")
        assert ended.decision == str(decision)
        assert entries[1].decision == str(decision)

    def test_roster_changes_between_dates(self, head_of_a):
        membership_end(membership=head_of_a, on=D(2023, 6, 30), reason="x")
        changes = roster_changes_between(head_of_a.committee, D(2023, 1, 1), D(2023, 12, 31))
        assert [m.pk for m in changes.ended] == [head_of_a.pk]
        assert changes.appointed == []

    def test_the_timeline_is_two_queries_whatever_the_size(self, django_assert_num_queries):
        committee = CommitteeFactory()

        def add(count):
            for _ in range(count):
                seat = membership_appoint(committee=committee, person=PersonFactory(), reason="QĐ")
                membership_end(membership=seat, on=D(2024, 1, 1), reason="Hết nhiệm kỳ")

        add(3)
        with django_assert_num_queries(2):
            entries = roster_timeline(committee)
        assert [e.action for e in entries] == ["ended", "appointed"] * 3
        add(30)
        with django_assert_num_queries(2):
            assert len(roster_timeline(committee)) == 66

    def test_the_timeline_reads_only_the_newest_rows(self, django_assert_num_queries):
        committee = CommitteeFactory()
        seats = [
            membership_appoint(committee=committee, person=PersonFactory(), reason="QĐ")
            for _ in range(5)
        ]
        membership_end(membership=seats[0], on=D(2024, 1, 1), reason="Nghỉ hưu")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            entries = roster_timeline(committee, limit=2)
        # The newest two: the end of the first seat (its earlier row read to compare) and
        # the fifth appointment.
        assert [(e.action, e.membership_id) for e in entries] == [
            ("ended", seats[0].pk),
            ("appointed", seats[4].pk),
        ]
        assert "LIMIT 2" in queries.captured_queries[0]["sql"]


def test_a_body_renamed_into_one_already_kept_gives_it_its_dated_earlier_name(committee_a):
    """The admin's dissolve page with "renamed to" an existing body: the lineage step, and the
    old name among the successor's names with its dates (its own names kept)."""
    from committees.models import Succession
    from members.services import committee_dissolve
    from tests.factories import InstrumentFactory

    committee_a.founded_on = dt.date(2019, 1, 1)
    committee_a.save()
    successor = CommitteeFactory(
        name="Ban Chỉ đạo chuyển đổi số", other_names=[{"name": "BCĐ CĐS", "note": "short name"}]
    )
    decision = InstrumentFactory(number="1619/QĐ-TTg")
    committee_dissolve(
        committee=committee_a,
        on=dt.date(2021, 9, 23),
        reason="Đổi tên",
        decision=decision,
        successor=successor,
        kind=Succession.Kind.RENAMED_TO,
    )
    successor.refresh_from_db()
    assert successor.other_names == [
        {"name": "BCĐ CĐS", "note": "short name"},
        {
            "name": "Ban Chỉ đạo A",
            "start_date": "2019-01-01",
            "end_date": "2021-09-23",
            "note": str(decision),
        },
    ]
    step = Succession.objects.get(predecessor=committee_a)
    assert (step.successor, step.kind, step.instrument) == (
        successor,
        Succession.Kind.RENAMED_TO,
        decision,
    )
