"""The roster in the admin: the secretariat's pages, refusals, concurrent edits, fixed query counts."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from members.models import Membership, PendingSeatChange, PositionHolding, Role
from members.services import membership_appoint, membership_end, position_holder_change
from tests.factories import (
    CommitteeFactory,
    HoldingFactory,
    MembershipFactory,
    PersonFactory,
    PositionFactory,
    UserFactory,
)

D = dt.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]


def fill(committee, count):
    for index in range(count):
        MembershipFactory(
            committee=committee,
            role=Role.MEMBER,
            start_date=D(2022, 1, 1) + dt.timedelta(days=index),
        )


class TestRosterPages:
    @pytest.mark.parametrize(
        "page", ["roster/?on=2024-01-01", "timeline/", "pending/", "export/?format=csv"]
    )
    def test_the_pages_do_a_fixed_number_of_queries(
        self, login, city_staff, django_assert_num_queries, page
    ):
        client = login(city_staff)
        committee = CommitteeFactory()
        fill(committee, 10)
        url = f"/admin/committees/committee/{committee.pk}/{page}"
        client.get(url)  # warm the session and caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        fill(committee, 190)
        with django_assert_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200

    def test_the_roster_on_a_date_shows_counts_and_unknown_starts(
        self, login, city_staff, head_of_a
    ):
        membership_appoint(
            committee=head_of_a.committee,
            person=PersonFactory(full_name="Võ Thị Trung Trinh"),
            reason="x",
        )
        membership_end(membership=head_of_a, on=D(2023, 6, 30), reason="x")
        client = login(city_staff)
        url = f"/admin/committees/committee/{head_of_a.committee_id}/roster/"
        page = client.get(url, {"on": "2023-06-30"}).content.decode()
        assert "Phan Văn Mãi" in page
        assert "Võ Thị Trung Trinh" in page
        assert re.search(r"named\W*<strong>2</strong>", page)
        assert re.search(r"not yet recorded\W*<strong>8</strong>", page)
        assert "start not certain" in page
        after = client.get(url, {"on": "2023-07-01"}).content.decode()
        assert "Phan Văn Mãi" not in after
        # A reader sees no roster actions.
        assert "/end/" not in page

    def test_the_timeline_shows_who_what_when_why_and_decision(
        self, login, secretariat_a, head_of_a, decision
    ):
        client = login(secretariat_a)
        response = client.post(
            f"/admin/members/membership/{head_of_a.pk}/end/",
            {
                "on": "2023-06-30",
                "end_reason": "resigned",
                "decision": decision.pk,
                "reason": "Nghỉ hưu theo chế độ",
                "version": 1,
            },
        )
        assert response.status_code == 302
        page = client.get(
            f"/admin/committees/committee/{head_of_a.committee_id}/timeline/"
        ).content.decode()
        row = re.search(r'<tr class="timeline-ended">(.*?)</tr>', page, re.S).group(1)
        assert "thuky.a" in row
        assert "Phan Văn Mãi" in row
        assert "Nghỉ hưu theo chế độ" in row
        assert "944/QĐ-UBND" in row

    def test_a_secretariat_confirms_a_pending_change(
        self, login, secretariat_a, committee_a, superuser
    ):
        post = PositionFactory(title="Giám đốc Công an Thành phố")
        old = PersonFactory(full_name="Lê Hồng Nam")
        HoldingFactory(person=old, position=post, start_date=D(2020, 1, 1))
        seat = membership_appoint(
            committee=committee_a, person=old, position=post, role=Role.DEPUTY_HEAD, reason="x"
        )
        new = PersonFactory(full_name="Nguyễn Văn Mới")
        position_holder_change(position=post, person=new, on=D(2024, 5, 1), reason="Bổ nhiệm")
        client = login(secretariat_a)
        url = f"/admin/committees/committee/{committee_a.pk}/pending/"
        page = client.get(url).content.decode()
        assert "Nguyễn Văn Mới" in page
        change = PendingSeatChange.objects.get()
        response = client.post(url, {"change": change.pk, "action": "confirm", "reason": "Đúng"})
        assert response.status_code == 302
        seat.refresh_from_db()
        assert seat.end_date == D(2024, 4, 30)
        assert Membership.objects.get(committee=committee_a, end_date__isnull=True).person == new

    def test_another_secretariat_cannot_decide_a_pending_change(
        self, login, secretariat_b, committee_a
    ):
        client = login(secretariat_b)
        response = client.post(
            f"/admin/committees/committee/{committee_a.pk}/pending/",
            {"change": 1, "action": "confirm", "reason": "x"},
        )
        assert response.status_code == 403


class TestImportAndExport:
    CSV = (
        "Full name,Rank,Role,Post,Home agency,Start date,Decision number\n"
        "Nguyễn Văn Được,,Trưởng ban,Chủ tịch UBND Thành phố,,14/01/2026,\n"
        "Nguyễn Đình Dương,Đại tá,Phó Trưởng ban,,,2022,\n"
    ).encode("utf-8-sig")

    def test_upload_dry_run_then_confirm(self, login, secretariat_a, committee_a):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = login(secretariat_a)
        url = f"/admin/committees/committee/{committee_a.pk}/import/"
        response = client.post(
            url,
            {
                "file": SimpleUploadedFile("roster.csv", self.CSV, "text/csv"),
                "on": "2026-02-01",
                "reason": "Kiện toàn Ban",
            },
        )
        page = response.content.decode()
        assert "Dry run" in page
        assert "Nguyễn Văn Được" in page
        assert not Membership.objects.exists()
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        response = client.post(url, {"token": token, "on": "2026-02-01", "reason": "Kiện toàn Ban"})
        assert response.status_code == 302
        assert Membership.objects.filter(committee=committee_a).count() == 2
        record = Membership.history.filter(committee_id=committee_a.pk).first()
        assert (record.history_user, record.history_change_reason) == (
            secretariat_a,
            "Kiện toàn Ban",
        )
        # The token is spent: a second confirm imports nothing more.
        client.post(url, {"token": token, "on": "2026-02-01", "reason": "x"})
        assert Membership.objects.filter(committee=committee_a).count() == 2

    def test_a_bad_file_is_refused_with_a_message(self, login, secretariat_a, committee_a):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = login(secretariat_a)
        response = client.post(
            f"/admin/committees/committee/{committee_a.pk}/import/",
            {
                "file": SimpleUploadedFile("junk.xlsx", b"PK\x03\x04junkjunk", "application/zip"),
                "reason": "x",
            },
        )
        assert response.status_code == 200
        assert "not a readable XLSX" in response.content.decode()
        assert not Membership.objects.exists()

    def test_only_the_committees_secretariat_imports(self, login, secretariat_b, committee_a):
        client = login(secretariat_b)
        response = client.get(f"/admin/committees/committee/{committee_a.pk}/import/")
        assert response.status_code == 403

    def test_export_downloads_xlsx_with_diacritics(self, login, leader, city_staff, head_of_a):
        client = login(city_staff)
        response = client.get(
            f"/admin/committees/committee/{head_of_a.committee_id}/export/",
            {"format": "xlsx", "on": "2024-01-01"},
        )
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet["A2"].value == "Phan Văn Mãi"


class TestEditingInTheAdmin:
    def change_data(self, seat, version, title):
        return {
            "position": "",
            "title_at_appointment": title,
            "home_agency": "",
            "on_behalf_of": "",
            "start_date": "2022-01-01",
            "start_precision": "day",
            "appointed_by": seat.appointed_by_id or "",
            "end_date": "",
            "end_precision": "day",
            "end_reason": "",
            "end_note": "",
            "ended_by": "",
            "source": "",
            "source_date": "",
            "reason": "Sửa chức danh",
            "seen_version": version,
        }

    def test_the_second_of_two_concurrent_edits_is_refused(
        self, client, secretariat_a, superuser, head_of_a
    ):
        from django.test import Client

        url = f"/admin/members/membership/{head_of_a.pk}/change/"
        first, second = Client(), Client()
        first.cookies["django_language"] = second.cookies["django_language"] = "en"
        first.force_login(secretariat_a)
        second.force_login(superuser)
        seen = re.search(
            r'name="seen_version" value="(\d+)"', first.get(url).content.decode()
        ).group(1)
        assert re.search(r'name="seen_version" value="(\d+)"', second.get(url).content.decode())
        response = first.post(url, self.change_data(head_of_a, seen, "Chủ tịch UBND Thành phố"))
        assert response.status_code == 302
        response = second.post(url, self.change_data(head_of_a, seen, "Chủ tịch"))
        assert response.status_code == 200
        assert "Someone else changed this membership" in response.content.decode()
        head_of_a.refresh_from_db()
        assert head_of_a.title_at_appointment == "Chủ tịch UBND Thành phố"
        assert head_of_a.version == 2
        last = head_of_a.history.latest("history_date")
        assert (last.history_user, last.history_change_reason) == (secretariat_a, "Sửa chức danh")

    def test_a_secretariat_cannot_delete_and_an_administrator_can(
        self, login, secretariat_a, superuser, head_of_a
    ):
        url = f"/admin/members/membership/{head_of_a.pk}/delete/"
        client = login(secretariat_a)
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Membership.objects.filter(pk=head_of_a.pk).exists()
        client = login(superuser)
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not Membership.objects.filter(pk=head_of_a.pk).exists()
        assert Membership.history.filter(id=head_of_a.pk, history_type="-").get().history_user == (
            superuser
        )

    def test_history_cannot_be_reverted_by_post(self, login, secretariat_a, head_of_a):
        client = login(secretariat_a)
        record = head_of_a.history.get()
        url = f"/admin/members/membership/{head_of_a.pk}/history/{record.history_id}/"
        assert client.get(url).status_code == 200
        assert client.post(url, {"title_at_appointment": "x"}).status_code == 403

    def test_a_secretariat_sees_other_committees_read_only(self, login, secretariat_a, head_of_b):
        client = login(secretariat_a)
        page = client.get(f"/admin/members/membership/{head_of_b.pk}/change/").content.decode()
        assert 'name="title_at_appointment"' not in page
        assert "Nguyễn Văn Được" in page
        assert client.get(f"/admin/members/membership/{head_of_b.pk}/end/").status_code == 403

    def test_a_secretariat_only_reads_committees_agencies_and_targets(
        self, login, secretariat_a, committee_a
    ):
        client = login(secretariat_a)
        page = client.get(f"/admin/committees/committee/{committee_a.pk}/change/")
        assert page.status_code == 200
        assert 'name="name"' not in page.content.decode()
        assert client.get("/admin/committees/agency/add/").status_code == 403
        assert client.get("/admin/mandates/target/add/").status_code == 403
        assert client.get("/admin/members/membership/add/").status_code == 200

    def test_the_membership_changelist_does_a_fixed_number_of_queries(
        self, login, secretariat_a, committee_a, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(secretariat_a)
        fill(committee_a, 10)
        client.get("/admin/members/membership/")
        with CaptureQueriesContext(connection) as small:
            assert client.get("/admin/members/membership/").status_code == 200
        fill(committee_a, 60)
        with django_assert_num_queries(len(small.captured_queries)):
            client.get("/admin/members/membership/")


def test_a_new_post_holder_in_the_admin_opens_pending_changes(login, superuser, committee_a):
    post = PositionFactory()
    old = PersonFactory()
    HoldingFactory(person=old, position=post, start_date=D(2020, 1, 1))
    membership_appoint(committee=committee_a, person=old, position=post, reason="x")
    new = PersonFactory()
    client = login(superuser)
    response = client.post(
        "/admin/members/positionholding/add/",
        {
            "person": new.pk,
            "position": post.pk,
            "start_date": "2024-05-01",
            "start_precision": "day",
            "end_date": "",
            "end_precision": "day",
            "source": "",
            "source_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PendingSeatChange.objects.get().committee == committee_a
    assert UserFactory  # personas come from the shared factories


def test_a_new_post_holder_with_an_unknown_start_ends_the_old_one_date_unknown(
    login, superuser, committee_a
):
    post = PositionFactory(title="Chủ tịch UBND Thành phố", single_holder=True)
    old = PersonFactory(full_name="Phan Văn Mãi")
    HoldingFactory(person=old, position=post, start_date=D(2020, 1, 1))
    seat = membership_appoint(
        committee=committee_a, person=old, position=post, role=Role.HEAD, reason="x"
    )
    new = PersonFactory(full_name="Nguyễn Văn Được")
    response = login(superuser).post(
        "/admin/members/positionholding/add/",
        {
            "person": new.pk,
            "position": post.pk,
            "start_date": "",
            "start_precision": "day",
            "end_date": "",
            "end_precision": "day",
            "source": "000_2a91e00bcaefebd8.txt",
            "source_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    outgoing = PositionHolding.objects.get(person=old)
    assert (outgoing.ended, outgoing.end_date) == (True, None)
    incoming = PositionHolding.objects.get(person=new)
    assert (incoming.start_date, incoming.is_active, incoming.source) == (
        None,
        True,
        "000_2a91e00bcaefebd8.txt",
    )
    assert PendingSeatChange.objects.get().membership == seat
    seat.refresh_from_db()
    assert seat.end_date is None  # the secretariat decides


def test_the_holder_of_an_existing_holding_cannot_be_swapped(login, superuser, committee_a):
    post = PositionFactory(title="Giám đốc Công an Thành phố", single_holder=True)
    old = PersonFactory(full_name="Lê Hồng Nam")
    holding = HoldingFactory(person=old, position=post, start_date=D(2020, 1, 1))
    membership_appoint(committee=committee_a, person=old, position=post, reason="x")
    other = PersonFactory(full_name="Nguyễn Văn Khác")
    client = login(superuser)
    url = f"/admin/members/positionholding/{holding.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="person"' not in page
    assert 'name="position"' not in page
    response = client.post(
        url,
        {
            "person": other.pk,
            "position": PositionFactory().pk,
            "start_date": "2020-01-01",
            "start_precision": "day",
            "end_date": "",
            "end_precision": "day",
            "source": "Bài báo",
            "source_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    holding.refresh_from_db()
    assert (holding.person, holding.position, holding.source) == (old, post, "Bài báo")
    assert not PendingSeatChange.objects.exists()


def test_a_second_open_holding_of_a_single_holder_post_is_refused_in_the_admin(login, superuser):
    post = PositionFactory(title="Giám đốc Sở Khoa học và Công nghệ", single_holder=True)
    first = HoldingFactory(person=PersonFactory(full_name="Lâm Đình Thắng"), position=post)
    second = HoldingFactory(
        person=PersonFactory(), position=post, end_date=D(2019, 1, 1), ended=True
    )
    response = login(superuser).post(
        f"/admin/members/positionholding/{second.pk}/change/",
        {
            "start_date": "",
            "start_precision": "day",
            "end_date": "",
            "end_precision": "day",
            "source": "",
            "source_date": "",
        },
    )
    assert response.status_code == 200
    assert "one holder at a time" in response.content.decode()
    second.refresh_from_db()
    assert (second.ended, second.end_date) == (True, D(2019, 1, 1))
    first.refresh_from_db()
    assert first.is_active


def test_the_roster_pages_speak_vietnamese_by_default(client, secretariat_a, head_of_a):
    client.force_login(secretariat_a)
    page = client.get(
        f"/admin/committees/committee/{head_of_a.committee_id}/roster/", {"on": "2024-01-01"}
    ).content.decode()
    assert "Thành phần ngày 01/01/2024" in page
    assert "Phan Văn Mãi" in page
    assert "Bổ nhiệm thành viên" in page
    response = client.post(
        f"/admin/members/membership/{head_of_a.pk}/end/",
        {"on": "2021-01-01", "end_reason": "resigned", "reason": "x", "version": 7},
    )
    assert "Người khác đã sửa bản ghi thành viên này" in response.content.decode()
    head_of_a.refresh_from_db()
    assert head_of_a.end_date is None


def test_the_decision_is_searched_not_picked_from_every_decision_of_the_city(
    login, superuser, head_of_a, committee_a
):
    from tests.factories import InstrumentFactory

    for number in range(30):
        InstrumentFactory(number=f"{number}/QĐ-UBND", title=f"Quyết định số {number}")
    page = login(superuser).get(f"/admin/members/membership/{head_of_a.pk}/end/").content.decode()
    assert "admin-autocomplete" in page
    assert "Quyết định số 17" not in page  # no option per decision


def test_adding_a_member_returns_to_the_committees_roster(login, superuser, committee_a):
    person = PersonFactory(full_name="Lê Hồng Nam")
    response = login(superuser).post(
        "/admin/members/membership/add/",
        {
            "committee": committee_a.pk,
            "person": person.pk,
            "role": "member",
            "start_date": "01/11/2026",
            "start_precision": "day",
            "end_precision": "day",
            "reason": "Quyết định bổ sung",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/committees/committee/{committee_a.pk}/roster/"
    seat = committee_a.memberships.get(person=person)
    assert seat.start_date == D(2026, 11, 1)  # 1 November, typed day first
