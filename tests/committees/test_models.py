"""Model rules of bodies and names: support groups, dates, NFC names, folded keys, partial dates."""

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from committees.models import Committee
from committees.partial_dates import PartialDate, format_partial_date, parse_partial_date
from committees.text import fold, nfc
from members.models import Membership, Person
from members.selectors import roster_on
from members.services import membership_appoint
from records.writes import save_validated
from tests.factories import CommitteeFactory, PersonFactory, SupportGroupFactory


class TestText:
    def test_it_folds_vietnamese_names(self):
        assert fold("Nguyễn Văn Được") == "nguyen van duoc"
        assert fold("NGUYỄN VĂN ĐƯỢC") == "nguyen van duoc"
        assert fold("Đặng  Minh   Thông") == "dang minh thong"

    def test_it_normalises_to_nfc(self):
        decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Được")
        assert decomposed != "Nguyễn Văn Được"
        assert nfc(decomposed) == "Nguyễn Văn Được"


class TestPartialDates:
    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("2022", "2022"),
            ("2022-03", "03/2022"),
            ("2026-01-14", "14/01/2026"),
            ("14/01/2026", "14/01/2026"),
            ("03/2022", "03/2022"),
        ],
    )
    def test_it_shows_a_date_at_its_precision(self, text, shown):
        assert format_partial_date(*parse_partial_date(text)) == shown

    def test_an_unknown_date_says_so_in_both_languages(self):
        with translation.override("vi"):
            assert format_partial_date(None) == "không rõ"
        with translation.override("en"):
            assert format_partial_date(None) == "unknown"

    @pytest.mark.parametrize(
        "text", ["", "2022-13", "32/01/2022", "soon", "14/01/26", "2026-01-015", "22", "2022/03"]
    )
    def test_it_refuses_a_bad_date(self, text):
        with pytest.raises(ValueError):  # noqa: PT011
            parse_partial_date(text)

    def test_a_year_means_its_last_day_too(self):
        assert PartialDate(dt.date(2022, 1, 1), "year").last_day() == dt.date(2022, 12, 31)
        assert PartialDate(dt.date(2024, 2, 1), "month").last_day() == dt.date(2024, 2, 29)


@pytest.mark.django_db
class TestCommitteeRules:
    def test_a_support_group_under_a_committee_is_allowed(self):
        group = SupportGroupFactory.build(
            parent=CommitteeFactory(), slug="to-a", standing_agency=None
        )
        group.full_clean()
        group.save()
        assert group.parent.support_groups.get() == group

    def test_a_support_group_without_a_parent_is_refused(self):
        group = Committee(name="Tổ giúp việc", slug="to-b", kind=Committee.Kind.SUPPORT_GROUP)
        with pytest.raises(ValidationError) as error:
            group.full_clean()
        assert "parent" in error.value.message_dict
        with pytest.raises(IntegrityError, match="support_group_has_parent"), transaction.atomic():
            group.save()

    def test_a_support_group_under_a_support_group_is_refused(self):
        group = SupportGroupFactory()
        nested = Committee(
            name="Tổ con", slug="to-con", kind=Committee.Kind.SUPPORT_GROUP, parent=group
        )
        with pytest.raises(ValidationError, match="không phải một tổ giúp việc khác"):
            nested.full_clean()

    def test_dissolution_before_founding_is_refused(self):
        committee = CommitteeFactory.build(
            founded_on=dt.date(2022, 1, 1), dissolved_on=dt.date(2021, 1, 1), standing_agency=None
        )
        with pytest.raises(ValidationError):
            committee.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            committee.save()

    def test_dissolution_after_founding_is_allowed(self):
        committee = CommitteeFactory(
            founded_on=dt.date(2021, 1, 1), dissolved_on=dt.date(2022, 1, 1)
        )
        committee.full_clean()
        assert not committee.is_active

    def test_a_refused_save_explains_why_in_vietnamese(self):
        committee = CommitteeFactory.build(
            founded_on=dt.date(2022, 1, 1), dissolved_on=dt.date(2021, 1, 1), standing_agency=None
        )
        with translation.override("vi"), pytest.raises(ValidationError) as error:
            committee.full_clean()
        assert "không thể giải thể trước ngày thành lập" in str(error.value)


@pytest.mark.django_db
class TestNames:
    def test_names_are_stored_nfc_with_a_folded_key(self):
        person = Person(full_name=unicodedata.normalize("NFD", "Nguyễn Văn Được"), slug="nvd")
        save_validated(person, reason="test")
        person.refresh_from_db()
        assert person.full_name == unicodedata.normalize("NFC", "Nguyễn Văn Được")
        assert person.search_key == "nguyen van duoc"


@pytest.mark.django_db
class TestRosterOnADay:
    def test_a_seat_with_an_unknown_start_is_shown_and_marked(self):
        committee = CommitteeFactory()
        membership_appoint(committee=committee, person=PersonFactory(), reason="Bài báo")
        (entry,) = roster_on(committee, dt.date(2020, 1, 1))
        assert entry.start_uncertain

    def test_a_seat_starting_in_a_known_year_is_uncertain_within_that_year_only(self):
        committee = CommitteeFactory()
        membership_appoint(
            committee=committee,
            person=PersonFactory(),
            start=dt.date(2022, 1, 1),
            start_precision="year",
            reason="QĐ 944",
        )
        assert roster_on(committee, dt.date(2021, 12, 31)) == []
        assert roster_on(committee, dt.date(2022, 6, 1))[0].start_uncertain
        assert not roster_on(committee, dt.date(2023, 1, 1))[0].start_uncertain

    def test_the_roster_follows_a_change_of_head(self):
        committee = CommitteeFactory()
        first = membership_appoint(
            committee=committee,
            person=PersonFactory(full_name="Phan Văn Mãi"),
            role="head",
            start=dt.date(2022, 1, 1),
            reason="QĐ",
        )
        from members.services import membership_end

        membership_end(membership=first, on=dt.date(2024, 6, 30), reason="Chuyển công tác")
        membership_appoint(
            committee=committee,
            person=PersonFactory(full_name="Nguyễn Văn Được"),
            role="head",
            start=dt.date(2024, 7, 1),
            reason="QĐ",
        )
        assert [m.person.full_name for m in roster_on(committee, dt.date(2024, 6, 30))] == [
            "Phan Văn Mãi"
        ]
        assert [m.person.full_name for m in roster_on(committee, dt.date(2024, 7, 1))] == [
            "Nguyễn Văn Được"
        ]
        assert Membership.objects.filter(committee=committee).count() == 2


@pytest.mark.django_db
class TestEndsAtTheirLastDay:
    """An end known to a month or a year means its last day; a start, its first."""

    def test_an_end_in_the_start_month_is_accepted(self):
        committee = CommitteeFactory()
        seat = membership_appoint(
            committee=committee, person=PersonFactory(), start=dt.date(2022, 3, 15), reason="QĐ"
        )
        seat.end_date, seat.end_precision = dt.date(2022, 3, 1), "month"
        seat.end_reason = Membership.EndReason.OTHER
        save_validated(seat, reason="Kết thúc trong tháng 3/2022")
        seat.refresh_from_db()
        assert seat.end_date == dt.date(2022, 3, 31)
        assert seat.end.display() == "03/2022"

    def test_an_end_in_a_known_year_keeps_the_member_on_the_roster_that_year(self):
        committee = CommitteeFactory()
        seat = membership_appoint(
            committee=committee, person=PersonFactory(), start=dt.date(2020, 1, 6), reason="QĐ"
        )
        from members.services import membership_end

        membership_end(membership=seat, on=dt.date(2023, 1, 1), precision="year", reason="Nghỉ")
        seat.refresh_from_db()
        assert (seat.end_date, seat.end.display()) == (dt.date(2023, 12, 31), "2023")
        (entry,) = roster_on(committee, dt.date(2023, 6, 30))
        assert entry.end_uncertain  # it may already have ended: the records do not say
        assert not roster_on(committee, dt.date(2022, 6, 30))[0].end_uncertain
        assert roster_on(committee, dt.date(2024, 1, 1)) == []

    def test_a_dissolution_in_a_known_year_is_stored_as_its_last_day(self):
        committee = Committee(
            name="Ban Chỉ đạo đô thị thông minh",
            slug="bcd-dttm",
            founded_on=dt.date(2022, 1, 1),
            founded_precision="year",
            dissolved_on=dt.date(2022, 1, 1),
            dissolved_precision="year",
        )
        save_validated(committee, reason="Hợp nhất năm 2022")
        committee.refresh_from_db()
        assert (committee.founded_on, committee.dissolved_on) == (
            dt.date(2022, 1, 1),
            dt.date(2022, 12, 31),
        )
        assert committee.dissolved_display() == "2022"
        # A seat from 06/2022 is not refused: the body may still have sat then; it ends with
        # the body, and an open seat on a dissolved body is refused.
        from members.roster_writer import SeatOpen, roster_apply

        roster_apply(
            [
                SeatOpen(
                    committee=committee,
                    person=PersonFactory(),
                    start=dt.date(2022, 6, 1),
                    end=dt.date(2022, 12, 31),
                    end_reason="dissolved",
                )
            ],
            reason="QĐ",
        )
        with pytest.raises(ValidationError, match=r"must end by then|kết thúc chậm nhất"):
            membership_appoint(
                committee=committee, person=PersonFactory(), start=dt.date(2022, 6, 1), reason="QĐ"
            )


@pytest.mark.parametrize(
    ("text", "first", "last", "precision"),
    [
        ("2025-Q2", dt.date(2025, 4, 1), dt.date(2025, 6, 30), "quarter"),
        ("Q2/2025", dt.date(2025, 4, 1), dt.date(2025, 6, 30), "quarter"),
        ("Quý II/2025", dt.date(2025, 4, 1), dt.date(2025, 6, 30), "quarter"),
        ("quý iv/2025", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "quarter"),
        ("2025-H1", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "half"),
        ("6 tháng cuối năm 2025", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "half"),
        ("01/11/2026", dt.date(2026, 11, 1), dt.date(2026, 11, 1), "day"),
    ],
)
def test_it_reads_quarters_half_years_and_day_first_dates(text, first, last, precision):
    date, read_precision = parse_partial_date(text)
    assert (date, read_precision) == (first, precision)
    assert PartialDate(date, read_precision).last_day() == last


def test_it_shows_a_quarter_as_clerks_write_it_in_each_language():
    with translation.override("vi"):
        assert format_partial_date(dt.date(2025, 4, 1), "quarter") == "Quý II/2025"
        assert format_partial_date(dt.date(2025, 7, 1), "half") == "6 tháng cuối năm 2025"
    with translation.override("en"):
        assert format_partial_date(dt.date(2025, 4, 1), "quarter") == "Q2/2025"
        assert format_partial_date(dt.date(2025, 1, 1), "half") == "first half of 2025"
