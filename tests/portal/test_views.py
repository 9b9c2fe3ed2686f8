"""The portal's pages through Django's test client: access, content, language, query counts."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from committees.models import Committee, LegalInstrument
from committees.text import fold
from members.models import Membership, Role
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    HoldingFactory,
    InstrumentFactory,
    MandateFactory,
    MeasurementFactory,
    MembershipFactory,
    PersonFactory,
    PositionFactory,
    SuccessionFactory,
    SupportGroupFactory,
    TargetFactory,
    UserFactory,
)
from tests.portal.helpers import (
    BEFORE_CHANGE,
    DATA_COMMITTEE,
    NEW_DEPUTY,
    OLD_DEPUTY,
    change_standing_deputy,
)

D = dt.date


def committee_url(slug: str, **params) -> str:
    url = reverse("portal:committee-detail", args=[slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def roster_names(html: str) -> list[str]:
    """The names in the roster table only (the timeline below names past members too)."""
    table = html.split('class="data-table roster-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'class="strong">([^<]+)</a>', table)


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAccess:
    PAGES = [
        ("portal:committee-list", []),
        ("portal:committee-detail", ["ban-a"]),
        ("portal:search", []),
    ]

    @pytest.mark.parametrize(("name", "args"), PAGES)
    def test_it_sends_anonymous_users_to_the_login_page_when_public_pages_are_off(
        self, client, committee_a, name, args, settings
    ):
        settings.PUBLIC_PAGES = False
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize(("name", "args"), PAGES)
    def test_it_shows_a_signed_in_non_reader_the_public_page_when_public_pages_are_off(
        self, client, committee_a, name, args, settings
    ):
        settings.PUBLIC_PAGES = False
        client.force_login(UserFactory(username="nobody"))
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert 'id="reports"' not in response.content.decode()

    @pytest.mark.parametrize(
        "persona", ["leader", "city_staff", "secretariat_a", "secretariat_b", "superuser"]
    )
    def test_it_shows_committee_pages_to_every_reader(self, client, committee_a, persona, request):
        client.force_login(request.getfixturevalue(persona))
        response = client.get(committee_url("ban-a"))
        assert response.status_code == 200
        assert "Ban Chỉ đạo A" in response.content.decode()

    @pytest.mark.parametrize(
        "url",
        [
            "/committees/khong-co/",
            "/people/khong-co/",
            "/agencies/khong-co/",
            "/decisions/999999/",
        ],
    )
    def test_it_answers_404_for_what_does_not_exist(self, leader_client, url):
        assert leader_client.get(url).status_code == 404


@pytest.mark.django_db
class TestEditLinks:
    def test_it_shows_the_secretariat_edit_links_on_its_committee_only(
        self, client, secretariat_a, committee_a, committee_b
    ):
        client.force_login(secretariat_a)
        own = client.get(committee_url("ban-a")).content.decode()
        other = client.get(committee_url("ban-b")).content.decode()
        change_url = reverse("admin:committees_committee_change", args=[committee_a.pk])
        assert f'href="{change_url}"' in own
        assert own.count("data-edit-link") == 2
        assert "data-edit-link" not in other
        assert reverse("admin:committees_committee_change", args=[committee_b.pk]) not in other

    def test_it_shows_them_on_the_support_groups_of_its_committee(
        self, client, secretariat_a, committee_a
    ):
        group = SupportGroupFactory(parent=committee_a)
        client.force_login(secretariat_a)
        assert "data-edit-link" in client.get(committee_url(group.slug)).content.decode()

    def test_it_shows_no_edit_links_to_a_leader(self, leader_client, committee_a):
        assert "data-edit-link" not in leader_client.get(committee_url("ban-a")).content.decode()


# --- Search -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestSearch:
    @pytest.mark.parametrize("query", ["nguyen van duoc", "NGUYEN VAN DUOC", "Nguyễn Văn Được"])
    def test_it_finds_him_however_the_name_is_typed(self, leader_client, seeded, query):
        response = leader_client.get(reverse("portal:search"), {"q": query})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'href="/people/nguyen-van-duoc/"' in html
        assert 'href="/people/nguyen-manh-cuong/"' not in html

    def test_it_finds_committees_agencies_and_decisions(self, leader_client, seeded):
        html = leader_client.get(reverse("portal:search"), {"q": "chuyen doi so"}).content.decode()
        assert 'href="/committees/bcd-chuyen-doi-so-tphcm/"' in html
        html = leader_client.get(reverse("portal:search"), {"q": "cong an"}).content.decode()
        assert 'href="/agencies/cong-an-tphcm/"' in html
        decision = LegalInstrument.objects.get(number="944")
        html = leader_client.get(reverse("portal:search"), {"q": "quyet dinh 944"}).content.decode()
        assert f'href="{decision.get_absolute_url()}"' in html

    def test_it_says_when_nothing_is_found(self, leader_client, seeded):
        html = leader_client.get(reverse("portal:search"), {"q": "zzzz khong co"}).content.decode()
        assert "Không tìm thấy kết quả nào cho “zzzz khong co”" in html

    def test_it_refuses_an_overlong_query_with_a_message(self, leader_client, seeded):
        response = leader_client.get(reverse("portal:search"), {"q": "a" * 201})
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        assert response.context["results"] is None

    def test_it_escapes_the_query_it_echoes(self, leader_client, seeded):
        html = leader_client.get(reverse("portal:search"), {"q": "<b>x</b>"}).content.decode()
        assert "<b>x</b>" not in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html


# --- The directory ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestDirectory:
    def test_it_lists_committees_with_declared_and_actual_counts(self, leader_client, seeded):
        response = leader_client.get(reverse("portal:committee-list"))
        rows = {c.slug: c for c in response.context["page"].object_list}
        assert rows[DATA_COMMITTEE].declared_member_count == 32
        assert rows[DATA_COMMITTEE].actual_count == 4
        assert rows["bcd-chuyen-doi-so-tphcm"].actual_count == 4

    @pytest.mark.parametrize(
        ("params", "included", "excluded"),
        [
            ({"status": "dissolved"}, "bcd-do-thi-thong-minh-tphcm", DATA_COMMITTEE),
            ({"status": "active"}, DATA_COMMITTEE, "bcd-do-thi-thong-minh-tphcm"),
            ({"level": "national"}, "uy-ban-quoc-gia-chuyen-doi-so", DATA_COMMITTEE),
            ({"kind": "support_group"}, "to-giup-viec-bcd-chuyen-doi-so-tphcm", DATA_COMMITTEE),
            ({"agency": "cong-an-tphcm"}, DATA_COMMITTEE, "bcd-chuyen-doi-so-tphcm"),
            ({"q": "DU LIEU"}, DATA_COMMITTEE, "bcd-chuyen-doi-so-tphcm"),
        ],
    )
    def test_it_filters(self, leader_client, seeded, params, included, excluded):
        response = leader_client.get(reverse("portal:committee-list"), params)
        slugs = {c.slug for c in response.context["page"].object_list}
        assert included in slugs
        assert excluded not in slugs

    def test_a_renamed_body_shows_as_renamed_not_dissolved(self, leader_client, seeded):
        html = leader_client.get(reverse("portal:committee-list")).content.decode()
        row = html.split(">Ủy ban Quốc gia về Chính phủ điện tử</a>", 1)[1].split("</tr>", 1)[0]
        assert "Đổi tên thành" in row
        assert 'href="/committees/uy-ban-quoc-gia-chuyen-doi-so/"' in row
        assert "(24/09/2021)" in row
        assert "giải thể" not in row
        merged = html.split(">Ban Chỉ đạo xây dựng Chính quyền điện tử thành phố</a>", 1)[1]
        assert "Hợp nhất vào" in merged.split("</tr>", 1)[0]

    def test_it_reports_a_bad_filter_and_ignores_it(self, leader_client, seeded):
        response = leader_client.get(reverse("portal:committee-list"), {"level": "galaxy"})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="field-error"' in html
        assert len(response.context["page"].object_list) == Committee.objects.count()


# --- One committee ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestCommitteePage:
    def test_it_shows_the_roster_by_role_with_posts_and_unknown_starts(self, leader_client, seeded):
        html = leader_client.get(committee_url(DATA_COMMITTEE)).content.decode()
        assert roster_names(html) == [
            "Nguyễn Văn Được",
            "Nguyễn Mạnh Cường",
            "Lâm Đình Thắng",
            "Nguyễn Đình Dương",
        ]
        assert "Phó Chủ tịch UBND Thành phố" in html
        assert '<span class="rank">Đại tá</span>' in html
        # The seeds give no start dates: each seat carries the "unknown" mark.
        assert html.count('class="mark-unknown"') == 4
        assert "không rõ" in html
        assert 'data-count="declared">32<' in html
        assert 'data-count="actual">4<' in html

    def test_a_renamed_body_says_so_on_its_page(self, leader_client, seeded):
        html = leader_client.get(committee_url("uy-ban-quoc-gia-chinh-phu-dien-tu")).content
        head = html.decode().split('class="page-head"', 1)[1].split("</div>", 1)[0]
        assert "Đổi tên thành" in head
        assert 'href="/committees/uy-ban-quoc-gia-chuyen-doi-so/"' in head
        assert "giải thể" not in html.decode()

    def test_a_seat_ending_within_the_year_stays_and_is_marked(self, leader_client, committee_a):
        from members.services import membership_appoint, membership_end

        seat = membership_appoint(
            committee=committee_a,
            person=PersonFactory(full_name="Dương Anh Đức"),
            start=D(2022, 1, 1),
            reason="QĐ 944",
        )
        membership_end(membership=seat, on=D(2023, 1, 1), precision="year", reason="Nghỉ")
        html = leader_client.get(committee_url("ban-a", as_of="2023-06-30")).content.decode()
        assert roster_names(html) == ["Dương Anh Đức"]
        assert "data-end-uncertain" in html
        assert "kết thúc 2023" in html
        earlier = leader_client.get(committee_url("ban-a", as_of="2022-06-30")).content.decode()
        assert "data-end-uncertain" not in earlier
        after = leader_client.get(committee_url("ban-a", as_of="2024-01-01")).content.decode()
        assert "roster-table" not in after  # no one on the roster from 2024

    def test_it_shows_the_earlier_roster_on_an_earlier_date(self, leader_client, seeded):
        change_standing_deputy()
        today = roster_names(leader_client.get(committee_url(DATA_COMMITTEE)).content.decode())
        before = leader_client.get(committee_url(DATA_COMMITTEE, as_of=BEFORE_CHANGE.isoformat()))
        earlier = roster_names(before.content.decode())
        assert NEW_DEPUTY in today
        assert OLD_DEPUTY not in today
        assert OLD_DEPUTY in earlier
        assert NEW_DEPUTY not in earlier
        assert "Thành phần ngày 01/06/2025" in before.content.decode()

    def test_it_lists_the_roster_changes_with_their_decisions(self, leader_client, seeded):
        change_standing_deputy()
        html = leader_client.get(committee_url(DATA_COMMITTEE)).content.decode()
        timeline = html.split('class="timeline"', 1)[1]
        assert "01/07/2025" in timeline
        assert "30/06/2025" in timeline
        assert "Quyết định 2101/QĐ-UBND" in timeline or "2101/QĐ-UBND" in timeline
        assert timeline.index(NEW_DEPUTY) < timeline.index("Nguyễn Văn Được")

    @pytest.mark.parametrize("bad", ["2025-13-45", "hôm qua", "1200-01-01"])
    def test_it_refuses_a_bad_date_with_a_message_and_shows_today(self, leader_client, seeded, bad):
        change_standing_deputy()
        response = leader_client.get(committee_url(DATA_COMMITTEE), {"as_of": bad})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html
        assert "Đang hiển thị thành phần hôm nay." in html
        assert NEW_DEPUTY in roster_names(html)

    def test_it_speaks_english_when_asked(self, client, leader, seeded):
        client.force_login(leader)
        client.cookies["django_language"] = "en"
        html = client.get(committee_url(DATA_COMMITTEE, as_of="2025-06-01")).content.decode()
        assert '<html lang="en">' in html
        assert "Roster on 01/06/2025" in html
        assert "Mandates" in html
        assert "Nhiệm vụ" not in html
        assert "Nguyễn Văn Được" in html

    def test_it_speaks_vietnamese_by_default(self, leader_client, seeded):
        html = leader_client.get(committee_url(DATA_COMMITTEE)).content.decode()
        assert '<html lang="vi">' in html
        assert "Nhiệm vụ" in html
        assert "Cơ quan thường trực" in html

    def test_it_shows_mandates_with_legal_basis_and_the_standing_agency(
        self, leader_client, seeded
    ):
        html = leader_client.get(committee_url(DATA_COMMITTEE)).content.decode()
        assert html.count("<li>Nghiên cứu, đề xuất UBND") == 1
        assert "57-NQ/TW" in html
        assert 'href="/agencies/cong-an-tphcm/"' in html

    def test_it_shows_targets_with_progress_and_status(self, leader_client, committee_a):
        target = TargetFactory(
            committee=committee_a,
            indicator="Tỷ lệ hồ sơ trực tuyến",
            baseline=20,
            baseline_date=D(2024, 1, 1),
            target_value=80,
            deadline=D(2030, 12, 31),
        )
        MeasurementFactory(target=target, value=50, date=D(2025, 1, 1))
        MeasurementFactory(target=target, value=35, date=D(2024, 6, 1))
        html = leader_client.get(committee_url("ban-a", as_of="2025-06-01")).content.decode()
        assert '<progress max="100" value="50"' in html
        assert "status-on_track" in html
        # On a day before the latest measurement, the earlier one counts.
        html = leader_client.get(committee_url("ban-a", as_of="2024-07-01")).content.decode()
        assert '<progress max="100" value="25"' in html

    def test_it_draws_the_lineage_as_svg_with_links(self, leader_client, seeded):
        html = leader_client.get(committee_url("bcd-chuyen-doi-so-tphcm")).content.decode()
        svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert 'href="/committees/bcd-do-thi-thong-minh-tphcm/"' in svg
        assert 'href="/committees/bcd-chinh-quyen-dien-tu-tphcm/"' in svg
        assert svg.count("lineage-edge") == 2
        assert "2022" in svg
        successor = leader_client.get(committee_url("bcd-do-thi-thong-minh-tphcm")).content
        assert b'href="/committees/bcd-chuyen-doi-so-tphcm/"' in successor.split(b"<svg", 1)[1]

    def test_it_escapes_every_text_in_the_lineage(self, leader_client, committee_a):
        evil = CommitteeFactory(
            name='<script>alert("x")</script> & "Ban"', short_name="", slug="ban-xau"
        )
        SuccessionFactory(predecessor=evil, successor=committee_a)
        html = leader_client.get(committee_url("ban-a")).content.decode()
        svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
        assert "&amp;" in svg

    def test_it_lists_support_groups_with_their_counts(self, leader_client, seeded):
        html = leader_client.get(committee_url("bcd-chuyen-doi-so-tphcm")).content.decode()
        assert 'href="/committees/to-giup-viec-bcd-chuyen-doi-so-tphcm/"' in html
        assert "đã ghi nhận 3 trên 23 thành viên theo quyết định" in html


# --- People, agencies, decisions --------------------------------------------------------------


@pytest.mark.django_db
class TestOtherPages:
    def test_a_person_page_shows_posts_seats_and_todays_count(self, leader_client, seeded):
        html = leader_client.get("/people/lam-dinh-thang/").content.decode()
        assert 'data-count="committees-today">2<' in html
        assert "Giám đốc Sở Khoa học và Công nghệ" in html
        assert "Giám đốc Sở Thông tin và Truyền thông" in html
        assert 'data-committee="bcd-du-lieu-tphcm"' in html
        assert 'data-committee="bcd-chuyen-doi-so-tphcm"' in html

    def test_a_person_page_shows_only_the_post_held_now_as_current(self, leader_client, seeded):
        html = leader_client.get("/people/lam-dinh-thang/").content.decode()
        today = html.split('id="today-title"', 1)[1].split("</section>", 1)[0]
        assert "Giám đốc Sở Khoa học và Công nghệ" in today
        assert "Giám đốc Sở Thông tin và Truyền thông" not in today
        timeline = html.split('id="timeline-title"', 1)[1].split("</section>", 1)[0]
        earlier = re.search(
            r'<li class="timeline__item timeline__item--post">(?:(?!</li>).)*'
            r"Giám đốc Sở Thông tin và Truyền thông",
            timeline,
            re.S,
        ).group(0)
        assert "đã kết thúc, không rõ ngày" in earlier

    def test_a_single_holder_post_shows_one_current_holder(self, leader_client, seeded):
        html = leader_client.get("/agencies/ubnd-tphcm/").content.decode()
        row = re.search(r"<tr>\s*<td>Chủ tịch UBND Thành phố</td>(.*?)</tr>", html, re.S).group(1)
        current, former = re.findall(r"<td>(.*?)</td>", row, re.S)
        assert 'href="/people/nguyen-van-duoc/"' in current
        assert "phan-van-mai" not in current
        assert 'href="/people/phan-van-mai/"' in former
        assert "đã kết thúc, không rõ ngày" in former

    def test_a_person_page_counts_only_seats_held_today(self, leader_client, seeded):
        change_standing_deputy()
        html = leader_client.get("/people/nguyen-manh-cuong/").content.decode()
        assert 'data-count="committees-today">0<' in html
        assert "01/07/2025" not in html
        assert "30/06/2025" in html

    def test_an_agency_page_shows_posts_holders_and_committees(self, leader_client, seeded):
        html = leader_client.get("/agencies/ubnd-tphcm/").content.decode()
        assert "Chủ tịch UBND Thành phố" in html
        assert 'href="/people/nguyen-van-duoc/"' in html
        chairs = html.split('id="chairs-title"', 1)[1].split("</section>", 1)[0]
        assert 'href="/committees/bcd-du-lieu-tphcm/"' in chairs
        police = leader_client.get("/agencies/cong-an-tphcm/").content.decode()
        served = police.split('id="served-title"', 1)[1].split("</section>", 1)[0]
        assert 'href="/committees/bcd-du-lieu-tphcm/"' in served

    def test_a_decision_page_shows_what_it_established_changed_and_ended(
        self, leader_client, seeded
    ):
        decision = LegalInstrument.objects.get(number="944")
        html = leader_client.get(decision.get_absolute_url()).content.decode()
        established = html.split('id="est-title"', 1)[1].split("</section>", 1)[0]
        assert 'href="/committees/bcd-chuyen-doi-so-tphcm/"' in established
        changed = html.split('id="changes-title"', 1)[1].split("</section>", 1)[0]
        assert 'href="/committees/bcd-do-thi-thong-minh-tphcm/"' in changed
        assert 'href="/people/phan-van-mai/"' in changed
        ended, _new = change_standing_deputy()
        html = leader_client.get(ended.ended_by.get_absolute_url()).content.decode()
        ended_part = html.split('id="ended-title"', 1)[1].split("</section>", 1)[0]
        assert 'href="/people/nguyen-manh-cuong/"' in ended_part
        assert "30/06/2025" in ended_part


# --- Query discipline -------------------------------------------------------------------------


def _committee_with(rows: int) -> Committee:
    committee = CommitteeFactory(slug="ban-lon", name="Ban Chỉ đạo lớn")
    decision = InstrumentFactory()
    for index in range(rows):
        ended = index % 3 == 0
        MembershipFactory(
            committee=committee,
            role=Role.MEMBER,
            start_date=D(2020, 1, 1),
            end_date=D(2022, 1, 1) if ended else None,
            end_reason=Membership.EndReason.REPLACED if ended else "",
            appointed_by=decision,
            ended_by=decision if ended else None,
            home_agency=AgencyFactory(),
        )
    for index in range(min(rows, 20)):
        mandate = MandateFactory(committee=committee)
        mandate.legal_basis.add(decision)
        target = TargetFactory(committee=committee, mandate=mandate)
        MeasurementFactory(target=target, date=D(2024, 1, 1) + dt.timedelta(days=index))
        SupportGroupFactory(parent=committee)
        SuccessionFactory(successor=committee)
    return committee


def _person_with(rows: int):
    person = PersonFactory(slug="nguoi-ban-ron")
    for index in range(rows):
        MembershipFactory(person=person, start_date=D(2021, 1, 1) + dt.timedelta(days=index))
        HoldingFactory(person=person)
    return person


def _agency_with(rows: int):
    agency = AgencyFactory(slug="so-lon")
    for _index in range(rows):
        position = PositionFactory(agency=agency)
        HoldingFactory(position=position)
        HoldingFactory(position=position, start_date=D(2020, 1, 1), end_date=D(2021, 1, 1))
        committee = CommitteeFactory(standing_agency=agency)
        MembershipFactory(committee=committee, role=Role.HEAD, home_agency=agency)
        InstrumentFactory(issuer=agency)
        AgencyFactory(parent=agency)
    return agency


def _decision_with(rows: int):
    decision = InstrumentFactory(issuer=None)
    hub = CommitteeFactory(standing_agency=None)
    for _index in range(rows):
        MembershipFactory(appointed_by=decision, committee=hub)
        MembershipFactory(
            committee=hub,
            ended_by=decision,
            end_date=D(2024, 1, 1),
            end_reason=Membership.EndReason.OTHER,
        )
        established = CommitteeFactory(established_by=decision, standing_agency=None)
        SuccessionFactory(instrument=decision, predecessor=established, successor=hub)
        MandateFactory(committee=hub).legal_basis.add(decision)
        TargetFactory(source_instrument=decision, committee=hub)
    return decision


def _people_named(rows: int) -> None:
    for index in range(rows):
        PersonFactory(full_name=f"Nguyễn Văn Được {index}")
        CommitteeFactory(name=f"Ban Được {index}", search_key=fold(f"Ban Được {index}"))


# Each page's query count: session, user, groups, then the page's own reads, and the menu's
# work queue count (for a leader following nothing: the follows); the committee page also
# asks whether the user follows it.
PAGE_QUERIES = [
    # The committee page: the roster's counts and its page, a page of changes and their seats.
    ("committee", _committee_with, lambda obj: committee_url(obj.slug), 17),
    # The directory: the seats of the committees on its page, counted for those only.
    ("committee-list", _committee_with, lambda obj: reverse("portal:committee-list"), 9),
    ("person", _person_with, lambda obj: f"/people/{obj.slug}/", 7),
    ("agency", _agency_with, lambda obj: f"/agencies/{obj.slug}/", 12),
    ("decision", _decision_with, lambda obj: obj.get_absolute_url(), 14),  # + 3 decision links
    # Search: two more for each person's seats and posts today (the results' context).
    ("search", _people_named, lambda obj: reverse("portal:search") + "?q=nguyen+van+duoc", 10),
]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [10, 200])
@pytest.mark.parametrize(
    ("page", "build", "url", "queries"), PAGE_QUERIES, ids=[p[0] for p in PAGE_QUERIES]
)
def test_each_page_makes_a_fixed_number_of_queries(
    client, leader, django_assert_num_queries, rows, page, build, url, queries
):
    obj = build(rows)
    client.force_login(leader)
    with django_assert_num_queries(queries):
        response = client.get(url(obj))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_committee_page_query_count_holds_for_a_secretariat(
    client, secretariat_a, committee_a, django_assert_num_queries
):
    for _index in range(30):
        MembershipFactory(committee=committee_a)
        MandateFactory(committee=committee_a).legal_basis.add(InstrumentFactory())
    client.force_login(secretariat_a)
    # One more than a leader's (the roster right, asked again for the reports), and the menu's
    # work queue count: the committees kept, the rules, the rules turned off, one query per kind
    # of item; the roster and its changes are paged (a count each).
    with django_assert_num_queries(30):
        response = client.get(committee_url("ban-a"))
    assert "data-edit-link" in response.content.decode()
