"""Popolo export: the whole registry and one committee; the round trip through an empty database."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection
from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from api.popolo import popolo_document
from api.popolo_import import popolo_import, popolo_load
from committees.models import Agency, Committee
from members.models import Membership, Role
from members.services import membership_appoint, membership_end
from tests.api.test_popolo_import import sample
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    MembershipFactory,
    PersonFactory,
    PositionFactory,
    SupportGroupFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


def empty_the_registry() -> None:
    """Truncate every table of the registry's apps inside the test transaction (rolled back after)."""
    tables = [
        model._meta.db_table
        for label in ("committees", "areas", "members", "mandates", "reports", "portal", "api")
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed
    ]
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this transaction must fire before a TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert not Committee.objects.exists()


def response_body(response) -> bytes:
    """A response's body, streamed (the Popolo exports) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def streamed_json(response):
    return json.loads(response_body(response))


def without_ids(document: dict) -> dict:
    """The document with every id replaced by its position among the sorted ids of its collection."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    ids = sorted(
        {record["id"] for key in document for record in document[key] if "id" in record},
        key=len,
        reverse=True,
    )
    for n, value in enumerate(ids):
        text = text.replace(json.dumps(value, ensure_ascii=False), f'"<id {n}>"')
    return json.loads(text)


def test_the_round_trip_gives_the_same_document(seeded):
    # The demo registry, plus an EveryPolitician-style file (events, identifiers, a party).
    popolo_import(data=popolo_load(json.dumps(sample())), source_name="sample.json")
    # A reader's export carries everything (gender too), so the round trip loses nothing.
    first = popolo_document(reader=True)
    assert any(person.get("gender") for person in first["persons"])
    assert len(first["memberships"]) == Membership.objects.count()
    assert first["events"]
    assert first["posts"]
    assert any(o.get("lineage") for o in first["organizations"])

    empty_the_registry()
    report = popolo_import(
        data=popolo_load(json.dumps(first, ensure_ascii=False)), source_name="export.json"
    )
    assert report.created["memberships"] == len(first["memberships"])
    second = popolo_document(reader=True)
    assert without_ids(second) == without_ids(first)
    assert second == first  # the registry's ids survive too


def test_gender_is_exported_to_readers_only(anonymous, reader_client):
    committee = CommitteeFactory(slug="ban-gioi")
    person = PersonFactory(full_name="Võ Thị Trung Trinh", rank="Thượng tá", gender="female")
    membership_appoint(committee=committee, person=person, start=D(2024, 1, 1), reason="QĐ")
    for url in (reverse("api:popolo"), reverse("api:committee-popolo", args=["ban-gioi"])):
        public = anonymous.get(url)
        content = response_body(public)
        (record,) = json.loads(content)["persons"]
        assert record["name"] == "Võ Thị Trung Trinh"
        assert record["honorific_prefix"] == "Thượng tá"
        assert "gender" not in record
        assert b"female" not in content
        (record,) = streamed_json(reader_client.get(url))["persons"]
        assert record["gender"] == "female"
        # The answer depends on who asks: caches must keep the two apart.
        assert "Authorization" in public["Vary"]


def test_the_http_export_is_the_document_with_diacritics_intact(anonymous):
    person = PersonFactory(full_name="Nguyễn Văn Được", rank="Đại tá")
    committee = CommitteeFactory(name="Ban Chỉ đạo về dữ liệu", declared_member_count=32)
    membership_appoint(
        committee=committee, person=person, role=Role.HEAD, start=D(2024, 1, 1), reason="QĐ"
    )
    response = anonymous.get(reverse("api:popolo"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    content = response_body(response)
    assert "Nguyễn Văn Được".encode() in content
    data = json.loads(content)
    assert data == json.loads(json.dumps(popolo_document()))
    body = next(o for o in data["organizations"] if o["name"] == "Ban Chỉ đạo về dữ liệu")
    assert body["classification"] == "steering committee"
    assert body["declared_member_count"] == 32
    assert body["actual_member_count"] == 1
    (seat,) = data["memberships"]
    assert seat["role"] == "head"
    assert seat["start_date"] == "2024-01-01"
    assert seat["person_id"] == f"person/{person.slug}"
    assert seat["organization_id"] == body["id"]
    assert data["persons"][0]["honorific_prefix"] == "Đại tá"


def test_a_committee_export_holds_the_committee_its_support_groups_and_their_people(anonymous):
    committee = CommitteeFactory(slug="bcd-cds", declared_member_count=23)
    group = SupportGroupFactory(parent=committee, slug="tgv-cds")
    other = CommitteeFactory(slug="ban-khac")
    post = PositionFactory(agency=AgencyFactory(parent=AgencyFactory(slug="ubnd")))
    head = membership_appoint(
        committee=committee,
        person=PersonFactory(slug="phan-van-mai"),
        role=Role.HEAD,
        start=D(2022, 1, 1),
        position=post,
        reason="QĐ 944",
    )
    membership_end(membership=head, on=D(2023, 6, 30), reason="Chuyển công tác")
    MembershipFactory(
        committee=group, role=Role.GROUP_LEADER, person=PersonFactory(slug="le-quoc-cuong")
    )
    MembershipFactory(committee=other, person=PersonFactory(slug="nguoi-ngoai"))

    data = streamed_json(anonymous.get(reverse("api:committee-popolo", args=["bcd-cds"])))
    ids = {o["id"] for o in data["organizations"]}
    assert {"committee/bcd-cds", "committee/tgv-cds", "agency/ubnd"} <= ids
    assert "committee/ban-khac" not in ids
    assert {p["id"] for p in data["persons"]} == {"person/phan-van-mai", "person/le-quoc-cuong"}
    group_record = next(o for o in data["organizations"] if o["id"] == "committee/tgv-cds")
    assert group_record["parent_id"] == "committee/bcd-cds"
    assert group_record["classification"] == "support group"
    ended = next(m for m in data["memberships"] if m["person_id"] == "person/phan-van-mai")
    assert ended["end_date"] == "2023-06-30"
    assert ended["post_id"] == data["posts"][0]["id"]
    assert anonymous.get(reverse("api:committee-popolo", args=["khong-co"])).status_code == 404


def test_lineage_travels_as_an_extra_field(anonymous):
    from tests.factories import SuccessionFactory

    old, new = CommitteeFactory(slug="cu"), CommitteeFactory(slug="moi")
    SuccessionFactory(predecessor=old, successor=new, kind="merged_into")
    data = streamed_json(anonymous.get(reverse("api:committee-popolo", args=["moi"])))
    record = next(o for o in data["organizations"] if o["id"] == "committee/moi")
    assert record["lineage"] == {
        "predecessors": [{"kind": "merged_into", "organization_id": "committee/cu"}]
    }


def test_the_export_makes_a_fixed_number_of_queries(
    anonymous, django_assert_max_num_queries, django_assert_num_queries
):
    committee = CommitteeFactory(slug="ban-dem")

    def add(n):
        for _ in range(n):
            MembershipFactory(committee=committee, position=PositionFactory())

    add(10)
    response_body(anonymous.get(reverse("api:popolo")))
    with django_assert_max_num_queries(30) as small:
        response_body(anonymous.get(reverse("api:popolo")))
        response_body(anonymous.get(reverse("api:committee-popolo", args=["ban-dem"])))
    add(190)
    with django_assert_num_queries(len(small.captured_queries)):
        response_body(anonymous.get(reverse("api:popolo")))
        response_body(anonymous.get(reverse("api:committee-popolo", args=["ban-dem"])))


class TestStreamed:
    """/api/popolo.json is written as it is read: the same document, an ETag from the registry's
    revision, 304 without reading the registry."""

    def test_the_streamed_body_is_the_document_written_at_once(self, seeded, anonymous):
        popolo_import(data=popolo_load(json.dumps(sample())), source_name="sample.json")
        response = anonymous.get(reverse("api:popolo"))
        assert response.streaming
        content = response_body(response)
        document = popolo_document()
        # Byte for byte what the API's JSON renderer made of the whole document before.
        assert content == JSONRenderer().render(document)
        assert json.loads(content) == document
        for name, records in document.items():
            ids = [record["id"] for record in records]
            assert ids == sorted(ids), name  # each collection in the order of its ids
            assert len(set(ids)) == len(ids), name
        assert len(document["memberships"]) == Membership.objects.count()
        assert len(document["organizations"]) == Committee.objects.count() + Agency.objects.count()
        # Every reference names a record of the document.
        organizations = {o["id"] for o in document["organizations"]}
        persons = {p["id"] for p in document["persons"]}
        posts = {p["id"] for p in document["posts"]}
        for seat in document["memberships"]:
            assert seat["organization_id"] in organizations
            assert seat.get("person_id", next(iter(persons))) in persons
            assert seat.get("post_id", next(iter(posts))) in posts

    def test_the_open_data_file_is_the_same_document(self, seeded, settings, tmp_path):
        from opendata.services import POPOLO_FILE, open_data_build

        settings.OPEN_DATA_ROOT = str(tmp_path)
        manifest = open_data_build()
        written = (tmp_path / POPOLO_FILE).read_bytes()
        document = popolo_document()
        assert written == json.dumps(document, ensure_ascii=False).encode()
        (entry,) = [f for f in manifest["files"] if f["name"] == POPOLO_FILE]
        assert entry["records"] == len(document["persons"])
        assert entry["size"] == len(written)

    # Committed for real: the revision moves when a write commits.
    @pytest.mark.django_db(transaction=True)
    def test_a_registry_write_changes_the_etag_and_a_client_that_has_it_gets_304(
        self, anonymous, django_assert_max_num_queries
    ):
        committee = CommitteeFactory(slug="ban-etag")
        url = reverse("api:popolo")
        first = anonymous.get(url)
        response_body(first)
        etag = first["ETag"]
        assert first["Last-Modified"]
        # Nothing of the registry is read to answer 304.
        with django_assert_max_num_queries(0):
            again = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again["ETag"] == etag
        # The committee's own document has its own tag.
        scoped = anonymous.get(reverse("api:committee-popolo", args=["ban-etag"]))
        assert scoped["ETag"] != etag
        membership_appoint(
            committee=committee, person=PersonFactory(), start=D(2024, 1, 1), reason="QĐ"
        )
        changed = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag
        assert len(streamed_json(changed)["memberships"]) == 1

    @pytest.mark.django_db(transaction=True)
    def test_an_import_changes_the_etag(self, anonymous):
        url = reverse("api:popolo")
        etag = anonymous.get(url)["ETag"]
        # Its rows are written in bulk, without signals: the import moves the revision itself.
        popolo_import(data=popolo_load(json.dumps(sample())), source_name="sample.json")
        assert anonymous.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200

    def test_readers_and_the_public_get_different_tags(self, anonymous, reader_client):
        CommitteeFactory()
        url = reverse("api:popolo")
        assert anonymous.get(url)["ETag"] != reader_client.get(url)["ETag"]
