"""The read API: who sees what, filters, the roster on a day, ETags, rate limits, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.models import ExternalIdentifier
from members.models import Person, Role
from members.services import membership_appoint, membership_end
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    InstrumentFactory,
    MandateFactory,
    MeasurementFactory,
    MembershipFactory,
    PersonFactory,
    SuccessionFactory,
    TargetFactory,
    UserFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


class TestWhoSeesWhat:
    def test_it_shows_public_fields_to_anonymous_readers_and_hides_the_rest(self, anonymous):
        person = PersonFactory(
            full_name="Nguyễn Văn Được", rank="Đại tá", gender="male", source_date=D(2024, 1, 2)
        )
        membership = MembershipFactory(person=person, source_date=D(2024, 1, 2), end_note="ghi chú")
        person_data = anonymous.get(reverse("api:person-detail", args=[person.slug])).json()
        assert person_data["full_name"] == "Nguyễn Văn Được"
        assert person_data["rank"] == "Đại tá"
        assert "source_date" not in person_data
        assert "gender" not in person_data
        listed = results(anonymous.get(reverse("api:person-list")))
        assert [row["full_name"] for row in listed] == ["Nguyễn Văn Được"]
        assert "gender" not in listed[0]
        seat = results(anonymous.get(reverse("api:membership-list")))[0]
        assert seat["id"] == membership.pk
        assert seat["role"] == "member"
        assert not {"source_date", "end_note", "version"} & set(seat)

    def test_a_reader_with_a_token_sees_the_restricted_fields(self, reader_client):
        person = PersonFactory(source_date=D(2024, 1, 2), gender="female")
        MembershipFactory(person=person, end_note="ghi chú nội bộ")
        person_data = reader_client.get(reverse("api:person-detail", args=[person.slug])).json()
        assert person_data["source_date"] == "2024-01-02"
        assert person_data["gender"] == "female"
        assert results(reader_client.get(reverse("api:person-list")))[0]["gender"] == "female"
        seat = results(reader_client.get(reverse("api:membership-list")))[0]
        assert seat["end_note"] == "ghi chú nội bộ"
        assert seat["version"] == 1

    def test_a_token_of_an_account_that_is_not_a_reader_gets_public_fields_only(self):
        outsider = UserFactory(username="ngoai")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=outsider).key}")
        person = PersonFactory(source_date=D(2024, 1, 2), gender="female")
        data = client.get(reverse("api:person-detail", args=[person.slug])).json()
        assert "source_date" not in data
        assert "gender" not in data
        refused = client.get(reverse("api:person-list"), {"gender": "female"})
        assert refused.status_code == 400

    def test_only_readers_may_filter_people_by_gender(self, anonymous, reader_client):
        """Filtering on a field reveals it: anonymous clients are told why they may not."""
        woman = PersonFactory(full_name="Võ Thị Trung Trinh", gender="female")
        PersonFactory(full_name="Nguyễn Văn Được", gender="male")
        url = reverse("api:person-list")
        refused = anonymous.get(url, {"gender": "female"})
        assert refused.status_code == 400
        assert "lọc theo giới tính" in refused.json()["gender"][0]
        assert "Trinh" not in refused.content.decode()
        assert [row["slug"] for row in results(anonymous.get(url))] == [
            p.slug for p in Person.objects.order_by("full_name", "pk")
        ]
        found = results(reader_client.get(url, {"gender": "female"}))
        assert [row["slug"] for row in found] == [woman.slug]

    def test_a_wrong_token_is_refused(self, anonymous):
        anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        assert anonymous.get(reverse("api:committee-list")).status_code == 401

    def test_the_history_of_a_seat_is_for_readers_only(self, anonymous, reader_client):
        committee = CommitteeFactory()
        seat = membership_appoint(
            committee=committee, person=PersonFactory(), start=D(2022, 1, 1), reason="QĐ 944"
        )
        membership_end(membership=seat, on=D(2023, 1, 1), reason="Nghỉ hưu")
        url = reverse("api:membership-history", args=[seat.pk])
        assert anonymous.get(url).status_code == 401
        versions = reader_client.get(url).json()
        assert [v["history_change_reason"] for v in versions] == ["QĐ 944", "Nghỉ hưu"]
        assert versions[-1]["end"] == "2023-01-01"

    def test_the_api_is_read_only(self, reader_client):
        response = reader_client.post(reverse("api:person-list"), {"full_name": "X"})
        assert response.status_code == 405


class TestFilters:
    def test_memberships_filter_by_committee_person_and_role(self, anonymous):
        a, b = CommitteeFactory(slug="ban-a"), CommitteeFactory(slug="ban-b")
        head = MembershipFactory(committee=a, role=Role.HEAD)
        member = MembershipFactory(committee=a, role=Role.MEMBER)
        elsewhere = MembershipFactory(committee=b, person=head.person, role=Role.MEMBER)
        url = reverse("api:membership-list")
        assert {r["id"] for r in results(anonymous.get(url, {"committee": "ban-a"}))} == {
            head.pk,
            member.pk,
        }
        assert {r["id"] for r in results(anonymous.get(url, {"person": head.person.slug}))} == {
            head.pk,
            elsewhere.pk,
        }
        assert [r["id"] for r in results(anonymous.get(url, {"role": "head"}))] == [head.pk]
        assert anonymous.get(url, {"role": "emperor"}).status_code == 400

    def test_active_on_gives_the_roster_of_that_day(self, anonymous):
        committee = CommitteeFactory(slug="ban-a")
        ended = membership_appoint(
            committee=committee, person=PersonFactory(), start=D(2020, 1, 1), reason="QĐ"
        )
        membership_end(membership=ended, on=D(2021, 6, 30), reason="Hết nhiệm kỳ")
        later = membership_appoint(
            committee=committee, person=PersonFactory(), start=D(2022, 3, 1), reason="QĐ"
        )
        unknown_start = membership_appoint(committee=committee, person=PersonFactory(), reason="QĐ")
        url = reverse("api:membership-list")

        def on(day):
            return {r["id"] for r in results(anonymous.get(url, {"active_on": day}))}

        assert on("2021-01-01") == {ended.pk, unknown_start.pk}
        assert on("2021-06-30") == {ended.pk, unknown_start.pk}
        assert on("2021-07-01") == {unknown_start.pk}
        assert on("2022-03-01") == {later.pk, unknown_start.pk}
        # Day first, as clerks write it (issue 11); month first is never read.
        assert on("30/06/2021") == {ended.pk, unknown_start.pk}
        response = anonymous.get(url, {"active_on": "06/30/2021"})
        assert response.status_code == 400

    def test_people_are_found_without_diacritics(self, anonymous):
        PersonFactory(full_name="Nguyễn Văn Được", search_key="nguyen van duoc")
        PersonFactory(full_name="Phan Văn Mãi", search_key="phan van mai")
        found = results(anonymous.get(reverse("api:person-list"), {"q": "nguyen van duoc"}))
        assert [p["full_name"] for p in found] == ["Nguyễn Văn Được"]

    def test_committees_show_lineage_declared_and_actual_counts(self, anonymous):
        old = CommitteeFactory(slug="ban-cu", declared_member_count=None)
        new = CommitteeFactory(slug="ban-moi", declared_member_count=32)
        SuccessionFactory(predecessor=old, successor=new)
        membership_appoint(committee=new, person=PersonFactory(), start=D(2022, 1, 1), reason="QĐ")
        data = anonymous.get(reverse("api:committee-detail", args=["ban-moi"])).json()
        assert data["declared_member_count"] == 32
        assert data["actual_member_count"] == 1
        assert data["predecessors"] == [
            {"kind": "merged_into", "committee": "ban-cu", "date": None}
        ]
        old_data = anonymous.get(reverse("api:committee-detail", args=["ban-cu"])).json()
        assert old_data["successors"][0]["committee"] == "ban-moi"

    def test_targets_carry_their_measurements_and_status(self, anonymous):
        target = TargetFactory(target_value=80)
        MeasurementFactory(target=target, value=85, date=D(2024, 5, 1), note="nội bộ")
        data = results(anonymous.get(reverse("api:target-list")))[0]
        assert data["status"] == "achieved"
        assert data["measurements"] == [
            {"date": "2024-05-01", "value": "85.000", "source": ""},
        ]

    def test_identifiers_are_listed(self, anonymous):
        from django.contrib.contenttypes.models import ContentType

        person = PersonFactory()
        ExternalIdentifier.objects.create(
            content_type=ContentType.objects.get_for_model(person),
            object_id=person.pk,
            scheme="wikidata",
            identifier="Q42",
        )
        data = anonymous.get(reverse("api:person-detail", args=[person.slug])).json()
        assert data["identifiers"] == [{"scheme": "wikidata", "identifier": "Q42"}]


class TestConditionalRequests:
    def test_it_answers_304_to_a_client_that_has_the_current_version(self, anonymous):
        PersonFactory()
        url = reverse("api:person-list")
        first = anonymous.get(url)
        etag = first["ETag"]
        assert etag
        assert "Authorization" in first["Vary"]
        again = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        PersonFactory()
        changed = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag

    def test_the_popolo_export_has_an_etag_too(self, anonymous):
        CommitteeFactory()
        first = anonymous.get(reverse("api:popolo"))
        assert (
            anonymous.get(reverse("api:popolo"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code
            == 304
        )


class TestRateLimit:
    def test_anonymous_clients_are_limited_and_token_clients_are_not(
        self, monkeypatch, anonymous, reader_client
    ):
        from rest_framework.throttling import SimpleRateThrottle

        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
        url = reverse("api:committee-list")
        statuses = [anonymous.get(url).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert all(reader_client.get(url).status_code == 200 for _ in range(5))


def _memberships(n: int) -> None:
    from committees.models import Committee

    committee = Committee.objects.filter(slug="ban-dem").first() or CommitteeFactory(slug="ban-dem")
    agency = committee.standing_agency
    decision = InstrumentFactory()
    for _ in range(n):
        MembershipFactory(
            committee=committee, home_agency=agency, on_behalf_of=agency, appointed_by=decision
        )


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("api:membership-list", _memberships),
        ("api:committee-list", lambda n: [SuccessionFactory() for _ in range(n // 2)]),
        ("api:person-list", lambda n: [PersonFactory() for _ in range(n)]),
        ("api:target-list", lambda n: [MeasurementFactory() for _ in range(n)]),
        ("api:mandate-list", lambda n: [MandateFactory() for _ in range(n)]),
        ("api:agency-list", lambda n: [AgencyFactory(parent=AgencyFactory()) for _ in range(n)]),
        ("api:decision-list", lambda n: [InstrumentFactory() for _ in range(n)]),
    ],
)
def test_lists_make_a_fixed_number_of_queries(
    name, make, reader_client, django_assert_max_num_queries, django_assert_num_queries
):
    """10 rows or 200 (four pages' worth), the same number of queries."""
    url = reverse(name)
    make(10)
    reader_client.get(url)  # warm the content-type cache
    with django_assert_max_num_queries(12) as small:
        assert reader_client.get(url).status_code == 200
    make(190)
    with django_assert_num_queries(len(small.captured_queries)):
        reader_client.get(url)


class TestSchemaAndDocs:
    def test_the_schema_is_valid_openapi(self, anonymous):
        from drf_spectacular.validation import validate_schema

        response = anonymous.get(reverse("api:schema"), {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        validate_schema(schema)
        for path in (
            "/api/memberships/",
            "/api/committees/{slug}/",
            "/api/popolo.json",
            "/api/committees/{slug}/popolo.json",
            "/api/targets/",
        ):
            assert path in schema["paths"]
        names = {p["name"] for p in schema["paths"]["/api/memberships/"]["get"]["parameters"]}
        assert {"committee", "person", "role", "active_on", "page"} <= names

    def test_the_documentation_page_lists_the_endpoints_with_local_assets_only(self, client):
        response = client.get(reverse("api:docs"), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/api/memberships/" in html
        assert "/api/popolo.json" in html
        assert "active_on" in html
        assert "cdn" not in html.lower()
        assert 'src="http' not in html
        assert 'href="http' not in html
        assert "default-src 'self'" in response["Content-Security-Policy"]

    def test_the_documentation_page_is_vietnamese_by_default(self, client):
        html = client.get(reverse("api:docs")).content.decode()
        assert "Điểm cuối" in html
