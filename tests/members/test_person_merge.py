"""The person merge: nothing lost, overlapping seats refused, merged records lead to the kept
person, the admin's action, confirmation page and duplicates list."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ExternalIdentifier
from members import admin_merge
from members.models import Membership, PendingSeatChange, Person, PositionHolding, Role
from members.person_merge import HANDLERS, person_merge, person_relations, require_known_relations
from members.services import membership_appoint, membership_end, position_holder_change
from tests.api.test_popolo_export import streamed_json
from tests.factories import CommitteeFactory, HoldingFactory, PersonFactory, PositionFactory

D = dt.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]


def person(name, slug, **extra):
    return PersonFactory(full_name=name, slug=slug, **extra)


def identify(who, scheme, identifier):
    row = ExternalIdentifier(content_object=who, scheme=scheme, identifier=identifier)
    row.full_clean()
    row.save()
    return row


def rows_naming(people):
    """Every row of every relation to Person that names one of these people, by relation."""
    ids = [p.pk for p in people]
    counts = {}
    for label, name in person_relations():
        model = apps.get_model(label)
        counts[(label, name)] = model.objects.filter(**{f"{name}_id__in": ids}).count()
    counts["identifiers"] = ExternalIdentifier.objects.filter(
        object_id__in=ids, content_type__model="person"
    ).count()
    counts["identifier history"] = ExternalIdentifier.history.filter(
        object_id__in=ids, content_type__model="person"
    ).count()
    counts["pending changes"] = PendingSeatChange.objects.filter(
        membership__person_id__in=ids
    ).count()
    return counts


@pytest.fixture
def namesakes(committee_a, committee_b):
    """Lâm Đình Thắng recorded twice: once with the data committee seat, once (imported without
    diacritics' care) with a seat on committee B, a post, an identifier and another name."""
    keep = person("Lâm Đình Thắng", "lam-dinh-thang", other_names=[{"name": "Lâm Đ. Thắng"}])
    merge = person(
        "Lam Dinh Thang",
        "lam-dinh-thang-2",
        rank="TS.",
        gender="male",
        other_names=[{"name": "Thắng Lâm", "note": "báo chí"}],
    )
    membership_appoint(
        committee=committee_a, person=keep, role=Role.DEPUTY_HEAD, start=D(2022, 1, 1), reason="x"
    )
    old_seat = membership_appoint(
        committee=committee_a, person=merge, start=D(2019, 1, 1), reason="Quyết định cũ"
    )
    membership_end(membership=old_seat, on=D(2021, 12, 31), reason="Hết nhiệm kỳ")
    post = PositionFactory(title="Giám đốc Sở Khoa học và Công nghệ")
    HoldingFactory(person=merge, position=post, start_date=D(2020, 1, 1))
    seat_b = membership_appoint(
        committee=committee_b, person=merge, position=post, start=D(2023, 1, 1), reason="x"
    )
    # The post changes holder: a pending ex officio change on the merged person's seat.
    position_holder_change(
        position=post, person=PersonFactory(), on=D(2025, 1, 1), reason="Bổ nhiệm"
    )
    identify(merge, "wikidata", "Q123")
    identify(keep, "popolo", "person/lam-dinh-thang")
    earlier = person("Lâm Thắng", "lam-thang")
    earlier.merged_into = merge
    earlier.save()
    return keep, merge, seat_b, earlier


class TestTheService:
    def test_it_moves_every_row_and_loses_nothing(self, namesakes, superuser):
        keep, merge, seat_b, earlier = namesakes
        before = rows_naming([keep, merge])
        merge_history = list(merge.history.values_list("history_id", flat=True))
        assert before[("members.Membership", "person")] == 3
        assert before["pending changes"] == 1

        result = person_merge(keep=keep, merge=merge, reason="Cùng một người", by=superuser)

        after = rows_naming([keep, merge])
        for key, count in before.items():
            if key == ("members.Person", "merged_into"):
                assert after[key] == count + 1  # the merged person itself now points on
            elif isinstance(key, tuple) and key[0].startswith("members.Historical"):
                assert after[key] >= count  # moves write history; none is removed
            elif key == "identifier history":
                assert after[key] == count + 1
            else:
                assert after[key] == count, key
        # Everything now names the kept person alone.
        assert not Membership.objects.filter(person=merge).exists()
        assert not PositionHolding.objects.filter(person=merge).exists()
        assert not Membership.history.filter(person_id=merge.pk).exists()
        assert not PositionHolding.history.filter(person_id=merge.pk).exists()
        assert Membership.objects.filter(person=keep).count() == 3
        assert PendingSeatChange.objects.get().membership.person == keep
        assert set(
            ExternalIdentifier.objects.filter(object_id=keep.pk).values_list("scheme", "identifier")
        ) == {("wikidata", "Q123"), ("popolo", "person/lam-dinh-thang")}
        # The merged person stays, with its own history, marked merged.
        merge.refresh_from_db()
        assert merge.merged_into == keep
        assert set(merge_history) <= set(merge.history.values_list("history_id", flat=True))
        assert "Cùng một người" in merge.history.first().history_change_reason
        assert merge.history.first().history_user == superuser
        # Earlier merges lead straight to the kept person.
        earlier.refresh_from_db()
        assert earlier.merged_into == keep
        # Names and blanks.
        keep.refresh_from_db()
        assert [n["name"] for n in keep.other_names] == [
            "Lâm Đ. Thắng",
            "Lam Dinh Thang",
            "Thắng Lâm",
        ]
        assert keep.other_names[2]["note"] == "báo chí"
        assert keep.rank == "TS."
        assert "thang lam" in keep.search_key
        # The moved seat's history says who merged and why.
        seat_b.refresh_from_db()
        assert seat_b.version == 2
        latest = seat_b.history.first()
        assert latest.history_user == superuser
        assert "Cùng một người" in latest.history_change_reason
        assert result.moved["members.Membership.person"] == 2

    def test_it_refuses_overlapping_seats_of_one_committee_and_changes_nothing(
        self, committee_a, superuser
    ):
        keep = person("Nguyễn Văn Được", "nguyen-van-duoc")
        merge = person("Nguyen Van Duoc", "nguyen-van-duoc-2")
        membership_appoint(committee=committee_a, person=keep, start=D(2022, 1, 1), reason="x")
        seat = membership_appoint(
            committee=committee_a, person=merge, start=D(2020, 1, 1), reason="x"
        )
        membership_end(membership=seat, on=D(2022, 3, 31), reason="x")
        before = rows_naming([keep, merge]), Person.history.count()
        with pytest.raises(ValidationError) as refused:
            person_merge(keep=keep, merge=merge, reason="Trùng", by=superuser)
        message = " ".join(refused.value.messages)
        assert "Ban Chỉ đạo A" in message
        assert "01/01/2022 → now" in message
        assert "01/01/2020 → 31/03/2022" in message
        assert (rows_naming([keep, merge]), Person.history.count()) == before
        merge.refresh_from_db()
        assert merge.merged_into is None

    def test_it_refuses_a_person_into_itself_a_merged_person_and_no_reason(self, superuser):
        a, b, c = PersonFactory(), PersonFactory(), PersonFactory()
        with pytest.raises(ValidationError, match="into itself"):
            person_merge(keep=a, merge=a, reason="x", by=superuser)
        with pytest.raises(ValidationError, match="reason is required"):
            person_merge(keep=a, merge=b, reason=" ", by=superuser)
        person_merge(keep=a, merge=b, reason="x", by=superuser)
        with pytest.raises(ValidationError, match="already been merged"):
            person_merge(keep=c, merge=b, reason="x", by=superuser)
        with pytest.raises(ValidationError, match="keep that person instead"):
            person_merge(keep=b, merge=c, reason="x", by=superuser)

    def test_it_knows_every_relation_to_person(self):
        assert set(person_relations()) <= set(HANDLERS)
        require_known_relations()

    def test_it_fails_loudly_on_a_relation_it_does_not_know(self, superuser):
        partial = {k: v for k, v in HANDLERS.items() if k != ("members.PositionHolding", "person")}
        with pytest.raises(ImproperlyConfigured, match=r"members\.PositionHolding\.person"):
            require_known_relations(partial)

    def test_it_is_for_administrators_only(self, city_staff):
        a, b = PersonFactory(), PersonFactory()
        with pytest.raises(PermissionDenied):
            person_merge(keep=a, merge=b, reason="x", by=city_staff)


class TestMergedPeopleLeadToTheKeptOne:
    @pytest.fixture
    def merged(self, superuser, committee_a):
        keep = person("Lâm Đình Thắng", "lam-dinh-thang")
        merge = person("Lam Dinh Thang", "lam-dinh-thang-2")
        membership_appoint(committee=committee_a, person=merge, reason="x")
        person_merge(keep=keep, merge=merge, reason="Trùng", by=superuser)
        return keep, merge

    def test_the_portal_page_redirects_permanently(self, client, city_staff, merged):
        client.force_login(city_staff)
        response = client.get("/people/lam-dinh-thang-2/")
        assert response.status_code == 301
        assert response["Location"] == "/people/lam-dinh-thang/"
        page = client.get(response["Location"]).content.decode()
        assert "Ban Chỉ đạo A" in page

    def test_the_api_address_redirects_permanently(self, client, merged):
        response = client.get("/api/people/lam-dinh-thang-2/?format=json")
        assert response.status_code == 301
        assert response["Location"].endswith("/api/people/lam-dinh-thang/?format=json")
        assert client.get(response["Location"]).json()["slug"] == "lam-dinh-thang"

    def test_it_leaves_lists_and_search(self, client, city_staff, superuser, merged):
        client.force_login(city_staff)
        search = client.get("/search/", {"q": "lam dinh thang"}).content.decode()
        assert "/people/lam-dinh-thang/" in search
        assert "/people/lam-dinh-thang-2/" not in search
        slugs = [p["slug"] for p in client.get("/api/people/", {"q": "thang"}).json()["results"]]
        assert slugs == ["lam-dinh-thang"]
        popolo = streamed_json(client.get("/api/popolo.json"))
        assert "Lam Dinh Thang" not in [p["name"] for p in popolo["persons"]]
        client.force_login(superuser)
        listed = client.get("/admin/members/person/").content.decode()
        assert "Lâm Đình Thắng" in listed
        assert "lam-dinh-thang-2" not in listed
        assert ">Lam Dinh Thang<" not in listed
        shown = client.get("/admin/members/person/", {"merged": "yes"}).content.decode()
        assert "Lam Dinh Thang" in shown
        picker = client.get(
            "/admin/autocomplete/",
            {
                "term": "thang",
                "app_label": "members",
                "model_name": "membership",
                "field_name": "person",
            },
        ).json()
        assert [row["text"] for row in picker["results"]] == ["Lâm Đình Thắng"]

    def test_the_merged_record_is_read_only_and_says_where_it_went(self, login, superuser, merged):
        _keep, merge = merged
        client = login(superuser)
        page = client.get(f"/admin/members/person/{merge.pk}/change/").content.decode()
        assert "Merged into" in page
        assert 'name="full_name"' not in page  # read-only
        history = client.get(f"/admin/members/person/{merge.pk}/history/").content.decode()
        assert "Trùng" in history


class TestTheAdmin:
    @pytest.fixture
    def two(self, committee_a, committee_b):
        keep = person("Lâm Đình Thắng", "lam-dinh-thang")
        merge = person("Lam Dinh Thang", "lam-dinh-thang-2")
        membership_appoint(committee=committee_a, person=keep, reason="x")
        membership_appoint(committee=committee_b, person=merge, reason="x")
        return keep, merge

    def test_the_action_leads_to_a_confirmation_page_side_by_side(self, login, superuser, two):
        keep, merge = two
        client = login(superuser)
        response = client.post(
            "/admin/members/person/",
            {"action": "merge_into", "_selected_action": [keep.pk, merge.pk]},
        )
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "Lâm Đình Thắng" in page
        assert "Lam Dinh Thang" in page
        assert "Ban Chỉ đạo A" in page
        assert "Ban Chỉ đạo B" in page
        assert page.index("Ban Chỉ đạo A") < page.index('name="reason"')
        assert Person.objects.filter(merged_into__isnull=False).count() == 0

    def test_one_person_is_not_enough(self, login, superuser, two):
        client = login(superuser)
        response = client.post(
            "/admin/members/person/",
            {"action": "merge_into", "_selected_action": [two[0].pk]},
            follow=True,
        )
        assert "Select between 2 and 10 people" in response.content.decode()

    def test_a_reason_is_required_and_then_it_merges(self, login, superuser, two):
        keep, merge = two
        client = login(superuser)
        url = f"/admin/members/person/merge/?ids={keep.pk},{merge.pk}"
        data = {"ids": f"{keep.pk},{merge.pk}", "keep": keep.pk, "merge": [merge.pk]}
        page = client.post(url, {**data, "reason": ""}).content.decode()
        assert "This field is required" in page
        merge.refresh_from_db()
        assert merge.merged_into is None
        page = client.post(url, {**data, "merge": [keep.pk], "reason": "x"}).content.decode()
        assert "cannot also be merged" in page
        response = client.post(url, {**data, "reason": "Một người, hai hồ sơ"})
        assert response.status_code == 302
        assert response["Location"] == f"/admin/members/person/{keep.pk}/change/"
        merge.refresh_from_db()
        assert merge.merged_into == keep
        assert Membership.objects.filter(person=keep).count() == 2

    def test_an_overlap_is_refused_on_the_page_in_vietnamese(self, client, superuser, committee_a):
        keep = person("Lâm Đình Thắng", "lam-dinh-thang")
        merge = person("Lam Dinh Thang", "lam-dinh-thang-2")
        membership_appoint(committee=committee_a, person=keep, reason="x")
        membership_appoint(committee=committee_a, person=merge, reason="x")
        client.cookies["django_language"] = "vi"
        client.force_login(superuser)
        response = client.post(
            f"/admin/members/person/merge/?ids={keep.pk},{merge.pk}",
            {
                "ids": f"{keep.pk},{merge.pk}",
                "keep": keep.pk,
                "merge": [merge.pk],
                "reason": "Trùng",
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "không thể gộp" in page.lower()
        assert "Ban Chỉ đạo A" in page
        merge.refresh_from_db()
        assert merge.merged_into is None


def namesake_pairs(start, count):
    """`count` pairs of namesakes (one seated, one holding a post), and people without one."""
    for index in range(start, start + count):
        seated = PersonFactory(full_name=f"Trần Thị Số {index}")
        membership_appoint(committee=CommitteeFactory(), person=seated, reason="x")
        HoldingFactory(person=PersonFactory(full_name=f"Tran Thi So {index}"))
        PersonFactory()


class TestDuplicates:
    def test_it_lists_people_whose_folded_names_agree(self, login, superuser):
        person("Lâm Đình Thắng", "lam-dinh-thang")
        person("LAM DINH THANG", "lam-dinh-thang-2")
        person("Lê Hồng Nam", "le-hong-nam", other_names=[{"name": "Nguyễn Văn Được"}])
        person("Nguyễn Văn Được", "nguyen-van-duoc")
        person("Phan Văn Mãi", "phan-van-mai")
        merged = person("Phan Van Mai", "phan-van-mai-2")
        merged.merged_into = Person.objects.get(slug="phan-van-mai")
        merged.save()
        page = login(superuser).get("/admin/members/person/duplicates/").content.decode()
        assert "2 groups to review" in page
        assert "LAM DINH THANG" in page
        assert "Lê Hồng Nam" in page
        assert "phan-van-mai" not in page
        assert "/admin/members/person/merge/?ids=" in page

    def test_it_does_a_fixed_number_of_queries(self, login, superuser, django_assert_num_queries):
        client = login(superuser)
        namesake_pairs(0, 3)
        url = "/admin/members/person/duplicates/"
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        namesake_pairs(3, 30)
        with django_assert_num_queries(len(small.captured_queries)):
            page = client.get(url).content.decode()
        assert "33 groups to review" in page

    def test_it_is_grouped_and_paged_by_the_database(self, login, superuser, monkeypatch):
        monkeypatch.setattr(admin_merge, "GROUPS_PER_PAGE", 2)
        namesake_pairs(0, 3)  # three groups, "tran thi so 0" to "tran thi so 2"
        # Two people who share both their names are one group, not two.
        hai = person("Võ Văn Hai", "vo-van-hai", other_names=[{"name": "Võ Hai"}])
        hai_2 = person("Vo Van Hai", "vo-van-hai-2", other_names=[{"name": "VÕ HAI"}])
        client = login(superuser)
        first = client.get("/admin/members/person/duplicates/").content.decode()
        assert "4 groups to review" in first
        assert "Trần Thị Số 0" in first
        assert "Trần Thị Số 1" in first
        assert "Trần Thị Số 2" not in first
        last = client.get("/admin/members/person/duplicates/?page=2").content.decode()
        assert "Trần Thị Số 2" in last
        assert last.count(f"/admin/members/person/merge/?ids={hai.pk}%2C{hai_2.pk}") == 1

    def test_the_person_list_links_to_it_for_administrators(self, login, superuser):
        page = login(superuser).get("/admin/members/person/").content.decode()
        assert "/admin/members/person/duplicates/" in page
