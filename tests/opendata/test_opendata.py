"""Open data: the files (CSV with BOM, JSON, Popolo), their manifest, the pages, the task."""

import csv
import hashlib
import io
import json

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from committees.models import Committee
from members.models import Person
from opendata import services
from opendata.datasets import DATASETS, dataset_get
from portal.revision import registry_revision_bump

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_data_root(settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    registry_revision_bump()


def download(client, name: str) -> bytes:
    response = client.get(reverse("opendata:download", args=[name]))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content)


def test_it_builds_every_dataset_as_csv_and_json_with_size_and_sha256(seeded):
    manifest = services.open_data_build()
    names = {item["name"] for item in manifest["files"]}
    for dataset in DATASETS:
        assert {f"{dataset.name}.csv", f"{dataset.name}.json"} <= names
    assert "popolo.json" in names
    for item in manifest["files"]:
        content = (services.open_data_root() / item["name"]).read_bytes()
        assert item["size"] == len(content)
        assert item["sha256"] == hashlib.sha256(content).hexdigest()
    assert manifest["licence"]["name"] == django_settings.OPEN_DATA_LICENCE


def test_an_anonymous_visitor_downloads_a_csv_that_keeps_its_diacritics(client, seeded):
    page = client.get(reverse("opendata:index")).content.decode()  # the first visit builds
    assert 'data-file="seats.csv"' in page
    assert "data-licence" in page
    content = download(client, "seats.csv")
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: spreadsheets read it right
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert "Nguyễn Văn Được" in {row["person_name"] for row in rows}
    assert [column.name for column in DATASETS[1].columns] == list(rows[0])


def test_the_files_hold_the_api_public_fields_only(client, seeded):
    person = Person.objects.get(slug="nguyen-van-duoc")
    person.gender = Person.Gender.MALE
    person.save(update_fields=["gender"])
    services.open_data_build()
    people = json.loads(download(client, "people.json"))
    record = next(r for r in people["records"] if r["slug"] == "nguyen-van-duoc")
    api = client.get(reverse("api:person-detail", args=["nguyen-van-duoc"])).json()
    assert set(record) == set(api)
    assert "gender" not in record
    assert "source_date" not in record
    seats = json.loads(download(client, "seats.json"))
    assert not {"end_note", "version", "source_date"} & set(seats["records"][0])


def test_sources_are_article_titles_never_internal_file_names(client, seeded):
    services.open_data_build()
    for name in ("committees.csv", "seats.json", "popolo.json", "targets.csv"):
        assert b".txt" not in download(client, name), name
    committees = json.loads(download(client, "committees.json"))["records"]
    data = next(r for r in committees if r["slug"] == "bcd-du-lieu-tphcm")
    assert data["source"] == "Ban Chỉ đạo về dữ liệu TPHCM có 32 thành viên"
    api = client.get(reverse("api:committee-detail", args=["bcd-du-lieu-tphcm"])).json()
    assert api["source"] == data["source"]


def test_it_rebuilds_only_when_the_registry_changed(seeded, django_capture_on_commit_callbacks):
    first = services.open_data_refresh()
    assert services.open_data_refresh()["built_at"] == first["built_at"]
    committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
    committee.declared_member_count = 33
    with django_capture_on_commit_callbacks(execute=True):
        committee.save(update_fields=["declared_member_count"])
    rebuilt = services.open_data_refresh()
    assert rebuilt["built_at"] != first["built_at"]
    rows = json.loads((services.open_data_root() / "committees.json").read_text())["records"]
    assert next(r for r in rows if r["slug"] == "bcd-du-lieu-tphcm")["declared_member_count"] == 33


def test_the_task_is_scheduled_and_registered():
    from config.celery_app import app
    from opendata.tasks import rebuild_open_data

    entry = django_settings.CELERY_BEAT_SCHEDULE["rebuild-open-data"]
    assert entry["task"] == rebuild_open_data.name
    app.loader.import_default_modules()
    assert rebuild_open_data.name in app.tasks


def test_the_dictionary_explains_every_column(client):
    html = client.get(reverse("opendata:dictionary")).content.decode()
    for dataset in DATASETS:
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in html


def test_an_unknown_file_is_not_found(client, seeded):
    services.open_data_build()
    assert client.get("/open-data/manifest.json").status_code == 404
    assert client.get("/open-data/nothing.csv").status_code == 404


def test_open_data_follows_the_public_pages_switch(client, settings):
    settings.PUBLIC_PAGES = False
    assert client.get(reverse("opendata:index")).status_code == 302


def test_every_file_has_the_api_public_fields_as_columns_each_described(client):
    from api.serializers import MembershipSerializer
    from opendata.datasets import public_fields

    html = client.get(reverse("opendata:dictionary")).content.decode()
    for dataset in DATASETS:
        assert [c.name for c in dataset.columns] == public_fields(dataset.serializer)
        for column in dataset.columns:
            assert column.name in dataset.descriptions, (dataset.name, column.name)
    seats = dataset_get("seats")
    names = [c.name for c in seats.columns]
    assert {"seat_status", "role_title", "post_left", "post_left_on", "area"} <= set(names)
    assert not {"end_note", "version", "source_date"} & set(names)
    assert names == [n for n in MembershipSerializer.Meta.fields if n in names]
    assert "<code>post_left_on</code>" in html


def test_the_seats_file_says_a_seats_status_role_title_and_a_post_left(client):
    import datetime as dt

    from members.models import Role
    from members.services import membership_appoint
    from tests.factories import CommitteeFactory, HoldingFactory, PersonFactory, PositionFactory

    body = CommitteeFactory(name="Ban Chỉ đạo mở", slug="ban-mo")
    post = PositionFactory(title="Giám đốc Sở Nội vụ")
    person = PersonFactory(full_name="Trần Văn Rời", slug="tran-van-roi")
    HoldingFactory(
        person=person, position=post, start_date=dt.date(2020, 1, 1), end_date=dt.date(2025, 3, 31)
    )
    membership_appoint(
        committee=body,
        person=person,
        role=Role.DEPUTY_HEAD,
        role_title="Phó Trưởng ban Thường trực",
        position=post,
        start=dt.date(2022, 1, 1),
        reason="Theo chức vụ",
    )
    membership_appoint(
        committee=body, person=None, title="Thứ trưởng Bộ Tư pháp", reason="Chưa rõ tên"
    )
    services.open_data_build()
    rows = list(csv.DictReader(io.StringIO(download(client, "seats.csv").decode("utf-8-sig"))))
    left = next(row for row in rows if row["person"] == "tran-van-roi")
    assert left["seat_status"] == "named"
    assert left["role_title"] == "Phó Trưởng ban Thường trực"
    assert left["post_left"] == "true"
    assert left["post_left_on"] == "2025-03-31"
    assert "area" in left
    unnamed = next(row for row in rows if row["title_at_appointment"] == "Thứ trưởng Bộ Tư pháp")
    assert unnamed["seat_status"] == "title_only"
    assert unnamed["post_left"] == "false"
    records = json.loads(download(client, "seats.json"))["records"]
    record = next(r for r in records if r["person"] == "tran-van-roi")
    assert record["post_left"] is True
    assert record["post_left_on"] == "2025-03-31"
