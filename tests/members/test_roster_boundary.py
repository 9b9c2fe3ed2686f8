"""One roster boundary: the same bad rows sent through every path that writes a seat are refused
in the same words, and nothing is written; seats named by title, vacancies, ends that follow a
body's dissolution and seats held through a post left."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from committees.models import Committee
from members.models import Membership, Role
from members.roster_import import roster_import
from members.roster_writer import RosterRefused, SeatOpen, roster_apply
from members.selectors import member_counts, roster_on, seats_to_check
from members.services import (
    committee_dissolve,
    membership_appoint,
    membership_end,
    membership_fill,
    membership_replace,
    position_holder_change,
)
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    HoldingFactory,
    PersonFactory,
    PositionFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db
HEADER = ["Full name", "Rank", "Role", "Post", "Home agency", "Start date", "Decision number"]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def body():
    committee = CommitteeFactory(name="Ban Chỉ đạo về dữ liệu", slug="bcd-du-lieu")
    membership_appoint(
        committee=committee,
        person=PersonFactory(full_name="Nguyễn Văn Được"),
        role=Role.HEAD,
        start=D(2025, 1, 1),
        reason="QĐ thành lập",
    )
    return committee


def _service_refusal(committee, person) -> str:
    with pytest.raises(ValidationError) as refused:
        membership_appoint(
            committee=committee, person=person, role=Role.HEAD, start=D(2025, 6, 1), reason="x"
        )
    return refused.value.messages[0]


def _writer_refusal(committee, person) -> str:
    with pytest.raises(RosterRefused) as refused:
        roster_apply(
            [SeatOpen(committee=committee, person=person, role=Role.HEAD, start=D(2025, 6, 1))],
            reason="x",
        )
    return refused.value.problems[0].message


def _spreadsheet_refusal(committee, person) -> str:
    rows = [
        ["Nguyễn Văn Được", "", "Trưởng ban", "", "", "01/01/2025", ""],
        [person.full_name, "", "Trưởng ban", "", "", "01/06/2025", ""],
    ]
    plan = roster_import(
        committee=committee,
        data=csv_bytes(rows),
        on=D(2025, 7, 1),
        dry_run=False,
        reason="x",
        choices={3: person.slug},  # the clerk said who row 3 is
    )
    assert not plan.applied
    (error,) = plan.errors
    assert error.line == 3
    return error.message


def _seeder_refusal(tmp_path) -> str:
    """The demo loader, fed a file whose second head clashes with the first."""
    import json

    from demo.seeding import load_seeds

    row = {"source": "x.txt"}
    data = {
        "sources": {"x.txt": {"title": "x", "date": None}},
        "agencies": [],
        "instruments": [],
        "positions": [],
        "people": [
            {"slug": "a", "full_name": "Nguyễn Văn Được", **row},
            {"slug": "b", "full_name": "Phan Văn Mãi", **row},
        ],
        "holdings": [],
        "committees": [
            {"slug": "bcd", "name": "Ban Chỉ đạo về dữ liệu", "kind": "steering",
             "level": "city", **row}
        ],
        "successions": [],
        "memberships": [
            {"committee": "bcd", "person": "a", "role": "head", "start": "2025-01-01", **row},
            {"committee": "bcd", "person": "b", "role": "head", "start": "2025-06-01", **row},
        ],
        "mandates": [],
        "targets": [],
    }  # fmt: skip
    path = tmp_path / "seeds.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        load_seeds(path)
    return refused.value.messages[0]


def _admin_refusal(client, committee, person) -> str:
    response = client.post(
        "/admin/members/membership/add/",
        {
            "committee": committee.pk,
            "person": person.pk,
            "role": Role.HEAD,
            "start_date": "2025-06-01",
            "start_precision": "day",
            "end_precision": "day",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    return errors[0]


def test_it_refuses_a_second_head_in_the_same_words_on_every_path(
    client, superuser, body, tmp_path
):
    """The admin form, the service, the writer, the spreadsheet import and the demo loader
    ask one rule."""
    person = PersonFactory(full_name="Phan Văn Mãi")
    before = Membership.objects.count()
    client.cookies["django_language"] = "vi"
    client.force_login(superuser)
    with translation.override("vi"):
        refusals = {
            "service": _service_refusal(body, person),
            "writer": _writer_refusal(body, person),
            "spreadsheet": _spreadsheet_refusal(body, person),
        }
        seeded = _seeder_refusal(tmp_path)
    refusals["admin"] = _admin_refusal(client, body, person)
    expected = (
        "Vai trò Trưởng ban của Ban Chỉ đạo về dữ liệu đang do Nguyễn Văn Được đảm nhiệm "
        "trong khoảng thời gian này (đã có trong danh sách); hãy kết thúc nhiệm kỳ đó trước."
    )
    assert refusals == dict.fromkeys(refusals, expected)
    # The seeder's body is its own (a second "Ban Chỉ đạo về dữ liệu"), so only the role and
    # holder are the same; nothing of the file is kept.
    assert seeded == expected
    assert Membership.objects.count() == before
    assert not Committee.objects.filter(slug="bcd").exists()


def test_it_refuses_a_seat_after_the_body_was_dissolved_on_every_path(client, superuser):
    committee = CommitteeFactory(name="Ban Chỉ đạo đô thị thông minh", slug="bcd-dttm")
    committee_dissolve(committee=committee, on=D(2022, 6, 30), reason="Hợp nhất")
    person = PersonFactory(full_name="Lê Hồng Nam")
    with translation.override("vi"):
        with pytest.raises(ValidationError) as by_service:
            membership_appoint(committee=committee, person=person, start=D(2023, 1, 1), reason="x")
        plan = roster_import(
            committee=committee,
            data=csv_bytes([["Lê Hồng Nam", "", "Ủy viên", "", "", "01/01/2023", ""]]),
            on=D(2023, 1, 1),
            dry_run=False,
            reason="x",
            choices={2: person.slug},
        )
    client.cookies["django_language"] = "vi"
    client.force_login(superuser)
    response = client.post(
        "/admin/members/membership/add/",
        {
            "committee": committee.pk,
            "person": person.pk,
            "role": Role.MEMBER,
            "start_date": "2023-01-01",
            "start_precision": "day",
            "end_precision": "day",
            "reason": "x",
        },
    )
    expected = (
        "Ban Chỉ đạo đô thị thông minh đã giải thể ngày 30/06/2022; không thể có ghế bắt đầu "
        "sau thời điểm đó."
    )
    assert by_service.value.messages == [expected]
    assert [error.message for error in plan.errors] == [expected]
    assert response.context["adminform"].form.non_field_errors() == [expected]
    assert not Membership.objects.filter(committee=committee).exists()


class TestSeatsNamedByTitle:
    def test_a_seat_named_by_its_title_counts_and_is_filled_later_with_history(self, body):
        body.declared_member_count = 29
        body.save()
        seat = membership_appoint(
            committee=body,
            person=None,
            role=Role.DEPUTY_HEAD,
            role_title="Phó Trưởng ban",
            title="Thứ trưởng Bộ Tư pháp",
            start=D(2025, 1, 1),
            reason="QĐ thành lập",
        )
        assert seat.is_title_only
        counts = member_counts(body, D(2025, 3, 1))
        assert (counts.named, counts.title_only, counts.vacant, counts.gap) == (1, 1, 0, 27)
        with translation.override("vi"):
            assert seat.holder_display == "chưa rõ tên"
        with translation.override("en"):
            assert seat.holder_display == "name not known"
        person = PersonFactory(full_name="Nguyễn Thanh Tịnh")
        filled = membership_fill(membership=seat, person=person, reason="Bộ cử người")
        assert filled.pk == seat.pk
        assert filled.person == person
        assert filled.start_date == D(2025, 1, 1)  # the person held the seat from its start
        history = list(seat.history.order_by("history_date").values_list("person_id", flat=True))
        assert history == [None, person.pk]

    def test_a_seat_without_a_person_needs_its_title(self, body):
        with pytest.raises(ValidationError):
            membership_appoint(committee=body, person=None, role=Role.MEMBER, reason="x")

    def test_two_title_only_seats_of_one_role_are_two_seats(self, body):
        for title in ("Thứ trưởng Bộ Tư pháp", "Thứ trưởng Bộ Công an"):
            membership_appoint(committee=body, person=None, title=title, reason="QĐ")
        assert member_counts(body).title_only == 2


class TestVacancies:
    def test_a_holder_who_left_leaves_the_seat_vacant_until_it_is_filled(self, body):
        member = membership_appoint(
            committee=body,
            person=PersonFactory(full_name="Lâm Đình Thắng"),
            role=Role.DEPUTY_HEAD,
            title="Giám đốc Sở Khoa học và Công nghệ",
            start=D(2025, 1, 1),
            reason="QĐ",
        )
        membership_end(
            membership=member,
            on=D(2025, 5, 31),
            end_reason=Membership.EndReason.RESIGNED,
            leave_vacant=True,
            reason="Nghỉ hưu",
        )
        roster = roster_on(body, D(2025, 7, 1))
        (vacant,) = [seat for seat in roster if seat.person_id is None]
        assert vacant.is_vacant
        assert vacant.start_date == D(2025, 6, 1)
        assert vacant.title_at_appointment == "Giám đốc Sở Khoa học và Công nghệ"
        assert member_counts(body, D(2025, 7, 1)).vacant == 1
        # Filled through the roster operation: the vacancy ends the day before.
        newcomer = PersonFactory(full_name="Trần Văn Mới")
        taken = membership_replace(
            membership=vacant, person=newcomer, on=D(2025, 9, 1), reason="QĐ bổ sung"
        )
        vacant.refresh_from_db()
        assert vacant.end_date == D(2025, 8, 31)
        assert (taken.person, taken.role, taken.start_date) == (
            newcomer,
            Role.DEPUTY_HEAD,
            D(2025, 9, 1),
        )
        assert member_counts(body, D(2025, 10, 1)).vacant == 0


class TestEndsThatFollow:
    def test_dissolving_a_body_ends_its_open_seats_citing_the_decision(self, body):
        from tests.factories import InstrumentFactory

        successor = CommitteeFactory(name="Ban Chỉ đạo mới", slug="bcd-moi")
        decision = InstrumentFactory(number="1012/QĐ-UBND")
        member = membership_appoint(
            committee=body, person=PersonFactory(), start=D(2025, 2, 1), reason="QĐ"
        )
        ended = committee_dissolve(
            committee=body,
            on=D(2025, 12, 31),
            successor=successor,
            kind="merged_into",
            decision=decision,
            reason="Hợp nhất theo QĐ 1012",
        )
        assert len(ended) == 2
        member.refresh_from_db()
        assert (member.end_date, member.end_reason, member.ended_by) == (
            D(2025, 12, 31),
            Membership.EndReason.COMMITTEE_DISSOLVED,
            decision,
        )
        assert roster_on(body, D(2026, 1, 1)) == []
        assert len(roster_on(body, D(2025, 12, 31))) == 2
        body.refresh_from_db()
        assert body.dissolved_on == D(2025, 12, 31)
        assert body.successions_out.get().successor == successor
        reasons = set(member.history.values_list("history_change_reason", flat=True))
        assert "Hợp nhất theo QĐ 1012" in reasons
        assert not Committee.objects.get(pk=body.pk).memberships.filter(end_date__isnull=True)

    def test_a_seat_held_through_a_post_left_is_flagged(self, body, client):
        chair = PositionFactory(
            title="Chủ tịch UBND Thành phố", agency=AgencyFactory(name="UBND Thành phố")
        )
        mai = PersonFactory(full_name="Phan Văn Mãi")
        HoldingFactory(person=mai, position=chair, start_date=D(2021, 1, 1))
        seat = membership_appoint(
            committee=CommitteeFactory(name="Ban Chỉ đạo chuyển đổi số", slug="bcd-cds"),
            person=mai,
            role=Role.HEAD,
            position=chair,
            start=D(2022, 1, 1),
            reason="QĐ 944",
        )
        assert seats_to_check(seat.committee) == []
        position_holder_change(
            position=chair,
            person=PersonFactory(full_name="Nguyễn Văn Được"),
            on=D(2024, 6, 1),
            reason="Bầu Chủ tịch mới",
        )
        (flagged,) = [entry for entry in roster_on(seat.committee) if entry.post_left]
        assert flagged.pk == seat.pk
        assert flagged.post_left_on == D(2024, 5, 31)
        assert [s.pk for s in seats_to_check(seat.committee)] == [seat.pk]
        page = client.get(seat.committee.get_absolute_url()).content.decode()
        assert "qua chức vụ đã thôi từ 31/05/2024" in page


def test_a_merged_record_takes_no_seat_and_its_identifier_leads_to_the_kept_person(body):
    from members.person_merge import person_merge
    from tests.factories import UserFactory

    admin = UserFactory(username="quantri.gop", is_staff=True, is_superuser=True)
    kept = PersonFactory(full_name="Lâm Đình Thắng")
    merged = PersonFactory(full_name="Lâm Đình Thắng")
    person_merge(keep=kept, merge=merged, reason="Cùng một người", by=admin)
    merged.refresh_from_db()
    with pytest.raises(RosterRefused, match="đã được gộp vào một hồ sơ khác"):
        roster_apply([SeatOpen(committee=body, person=merged, title="Giám đốc")], reason="x")
    rows = "Full name,Rank,Role,Post,Home agency,Start date,Decision number,Person identifier\n"
    rows += f"Lâm Đình Thắng,,member,Giám đốc,,,,{merged.slug}\n"
    plan = roster_import(committee=body, data=rows.encode(), dry_run=False, reason="x")
    assert plan.applied, plan.errors
    assert [seat.person for seat in roster_on(body) if seat.role == Role.MEMBER] == [kept]


def test_the_writer_reads_the_bodies_seats_and_an_import_its_peoples_posts_in_no_order():
    """They fill sets: in the seats' default order (by the bodies' names) a server-side cursor
    is planned as a walk through every body of the registry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = CommitteeFactory(name="Ban Chỉ đạo không cần thứ tự")
    person = PersonFactory(full_name="Nguyễn Văn Được")
    HoldingFactory(person=person, position=PositionFactory(title="Giám đốc"))
    rows = [["Nguyễn Văn Được", "", "Trưởng ban", "", "", "01/01/2025", ""]]
    with CaptureQueriesContext(connection) as log:
        roster_apply([SeatOpen(committee=body, person=person, start=D(2025, 1, 1))], reason="x")
        roster_import(committee=body, data=csv_bytes(rows), dry_run=True, reason="x")
    cursors = [q["sql"] for q in log.captured_queries if q["sql"].startswith("DECLARE")]
    read = {sql.split(" FROM ", 1)[1].split()[0] for sql in cursors}
    assert read == {'"members_membership"', '"members_positionholding"'}, cursors
    assert all("ORDER BY" not in sql for sql in cursors), cursors
