"""Popolo in, Popolo out, nothing lost: every field of a file comes back in the export, and a
second import of the same file changes nothing (issue 17)."""

import copy
import io
import json
import unicodedata
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from api.models import ExternalIdentifier, PopoloExtras, PopoloFileMeta
from api.popolo import popolo_document
from api.popolo_import import PopoloFileError, popolo_import, popolo_load
from areas.models import Area
from committees.models import Agency, Committee, Level
from members.models import Membership, Person
from tests.api.test_popolo_export import streamed_json
from tests.api.test_popolo_import import SHARED_SAMPLE, alderney_like
from tests.factories import AgencyFactory, CommitteeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def every_field() -> dict:
    """A Popolo file that uses every field the registry keeps, and some it does not know.
    Vietnamese text is written decomposed (NFD): it must come back in NFC."""
    return {
        "meta": {
            "sources": ["https://quochoi.vn/", "https://hochiminhcity.gov.vn/"],
            "license": {"name": nfd("Giấy phép mở"), "url": "https://example.org/licence"},
        },
        "areas": [
            {
                "id": "ocd-division/country:vn",
                "name": "Việt Nam",
                "type": "country",
                "identifiers": [
                    {"scheme": "wikidata", "identifier": "Q881"},
                    {"scheme": "iso_3166_1", "identifier": "VN"},
                ],
                "other_names": [
                    {"name": "Vietnam", "lang": "en", "note": "multilingual"},
                    {
                        "name": nfd("Việt Nam Dân chủ Cộng hòa"),
                        "lang": "vi",
                        "start_date": "1945-09-02",
                        "end_date": "1976-07-02",
                    },
                ],
                "sources": [{"url": "https://example.org/areas/vn"}],
            },
            {
                "id": "area/hcm",
                "name": nfd("Thành phố Hồ Chí Minh"),
                "type": "city",
                "parent_id": "ocd-division/country:vn",
                "start_date": "1976-07",
            },
            {
                "id": "area/ben-thanh",
                "name": nfd("Phường Bến Thành"),
                "type": "ward",
                "parent_id": "area/hcm",
                "start_date": "2025-07-01",
                "sources": [
                    {"url": "https://example.org/nq-1685", "note": "Nghị quyết 1685/NQ-UBTVQH15"},
                    {"note": "Công báo 2025"},
                ],
            },
            {
                "id": "area/hcm-1",
                "name": "Đơn vị bầu cử số 1",
                "type": "constituency",
                "parent_id": "area/hcm",
                "geometry": {"type": "Point", "coordinates": [106.7, 10.77]},
            },
        ],
        "persons": [
            {
                "id": "p-duoc",
                "name": nfd("Nguyễn Văn Được"),
                "honorific_prefix": "Đồng chí",
                "gender": "male",
                "birth_date": "1963-04",
                "image": "https://example.org/duoc.jpg",
                "images": [
                    {"url": "https://example.org/duoc.jpg"},
                    {"url": "https://example.org/duoc-2024.jpg", "note": "2024"},
                ],
                "links": [
                    {"url": "https://example.org/duoc", "note": "Tiểu sử"},
                    {"url": "https://vi.wikipedia.org/wiki/Nguyễn_Văn_Được"},
                ],
                "contact_details": [
                    {"type": "email", "value": "duoc@example.org", "label": "Văn phòng"},
                    {"type": "phone", "value": "+84 28 0000 0000", "valid_from": "2024-07"},
                ],
                "other_names": [
                    {"name": "Nguyen Van Duoc", "lang": "en", "note": "ascii"},
                    {"name": "Tư Được", "start_date": "1990", "end_date": "2000-06"},
                ],
                "identifiers": [
                    {"scheme": "wikidata", "identifier": "Q1001"},
                    {"scheme": "everypolitician_legacy", "identifier": "0001"},
                ],
                "sources": [
                    {"url": "https://example.org/duoc-profile"},
                    {"note": "000_2a91e00bcaefebd8.txt"},
                ],
                "summary": "Chủ tịch UBND Thành phố.",
                "national_identity": "Việt Nam",
            },
            {
                "id": "p-trinh",
                "name": "Võ Thị Trung Trinh",
                "gender": "F",
                "birth_date": "1970",
                "death_date": "2099-12-31",
            },
            {"id": "p-hieu", "name": "Lê Minh Hiếu", "email": "hieu@example.org"},
        ],
        "organizations": [
            {
                "id": "qh",
                "name": "Quốc hội",
                "classification": "legislature",
                "type": "unicameral legislature",
                "area_id": "ocd-division/country:vn",
                "seats": 500,
                "founding_date": "1946-01",
                "other_names": [
                    {"name": "Quốc hội khóa XV", "start_date": "2021-07", "end_date": "2026"},
                    {"name": "National Assembly", "lang": "en"},
                ],
                "identifiers": [{"scheme": "wikidata", "identifier": "Q1137419"}],
                "sources": [
                    {"url": "https://example.org/qh"},
                    {"url": "https://example.org/qh-2", "note": "second source"},
                ],
                "srgb": "#aa0000",
            },
            {
                "id": "hdnd-ben-thanh",
                "name": "Hội đồng nhân dân phường Bến Thành",
                "classification": "council",
                "area_id": "area/ben-thanh",
                "founding_date": "2025-07-01",
            },
            {
                "id": "bcd-old",
                "name": "Ban Chỉ đạo cũ",
                "classification": "steering committee",
                "founding_date": "2020-03-14",
                "dissolution_date": "2022",
                "description": "Đã hợp nhất.",
            },
            {"id": "dcs", "name": "Đảng Cộng sản Việt Nam", "classification": "party"},
            {
                "id": "so-tttt",
                "name": "Sở Thông tin và Truyền thông",
                "classification": "department",
                "other_names": [{"name": "Sở TT&TT", "note": "abbreviation"}],
                "area_id": "area/hcm",
            },
        ],
        "posts": [
            {
                "id": "post-gd",
                "label": "Giám đốc Sở TT&TT",
                "organization_id": "so-tttt",
                "single_holder": True,
                "identifiers": [{"scheme": "local", "identifier": "gd-tttt"}],
                "sources": [{"url": "https://example.org/post"}, {"note": "bản in"}],
                "start_date": "2008",
            }
        ],
        "events": [
            {
                "id": "term/15",
                "name": "Khóa XV",
                "classification": "legislative period",
                "organization_id": "qh",
                "start_date": "2021-07",
                "end_date": "2026-04",
                "identifiers": [{"scheme": "wikidata", "identifier": "Q106476453"}],
                "wikipedia": "https://vi.wikipedia.org/wiki/Quốc_hội_Việt_Nam_khóa_XV",
            }
        ],
        "memberships": [
            {
                "id": "m-duoc",
                "person_id": "p-duoc",
                "organization_id": "qh",
                "role": "member",
                "label": "Đại biểu Quốc hội",
                "area_id": "area/hcm-1",
                "on_behalf_of_id": "dcs",
                "legislative_period_id": "term/15",
                "start_date": "2021-07-01",
                "end_date": "2026-04",
                "identifiers": [{"scheme": "local", "identifier": "dbqh-1"}],
                "sources": [
                    {"url": "https://example.org/dbqh-1"},
                    {"note": "Danh sách đại biểu"},
                ],
                "contact_details": [{"type": "email", "value": "dbqh1@example.org"}],
            },
            {
                "id": "m-trinh",
                "person_id": "p-trinh",
                "organization_id": "qh",
                "role": "Chairman",
                "legislative_period_id": "term/15",
                "area_id": "area/hcm-1",
            },
            {
                "id": "m-hieu",
                "person_id": "p-hieu",
                "organization_id": "bcd-old",
                "role": "Trưởng ban Tuyên giáo",
                "post_id": "post-gd",
                "start_date": "2020-03-14",
                "end_date": "2022",
                "end_reason": "dissolved",
            },
            # A seat the decision names by its title only: no person_id (docs/popolo.md).
            {
                "id": "m-title",
                "organization_id": "hdnd-ben-thanh",
                "role": "Chủ tịch",
                "label": "Chủ tịch HĐND phường Bến Thành",
                "start_date": "2025-07",
            },
            {
                "id": "m-hieu-2",
                "person_id": "p-hieu",
                "organization_id": "hdnd-ben-thanh",
                "role": "member",
                "start_date": "2025-07",
                "area_id": "area/ben-thanh",
            },
        ],
    }


def alderney() -> dict:
    if SHARED_SAMPLE.exists():
        return json.loads(SHARED_SAMPLE.read_text(encoding="utf-8"))
    return alderney_like()


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value


def _natural_key(record: dict) -> tuple:
    """A membership without an id is found by what it joins, and when."""
    return tuple(
        record.get(key)
        for key in ("person_id", "organization_id", "legislative_period_id", "area_id")
    )


def missing_fields(given: dict, exported: dict) -> list[str]:
    """Every field of every record of `given` that `exported` does not give back equal (up to
    key order and NFC), and the file's `meta`."""
    missing = []
    for collection, records in given.items():
        if collection == "meta":
            if exported.get("meta") != _nfc(records):
                missing.append(f"meta: {records!r} came back as {exported.get('meta')!r}")
            continue
        out = exported.get(collection, [])
        by_id = {r["id"]: r for r in out if "id" in r}
        by_key = {_natural_key(r): r for r in out}
        for index, record in enumerate(records):
            match = by_id.get(record["id"]) if "id" in record else by_key.get(_natural_key(record))
            if match is None:
                missing.append(f"{collection}[{index}]: no record")
                continue
            for key, value in record.items():
                if match.get(key) != _nfc(value):
                    missing.append(
                        f"{collection}[{index}].{key}: {value!r} came back as {match.get(key)!r}"
                    )
    return missing


def everything() -> dict[str, int]:
    """Rows and history rows of every table of the registry's apps."""
    found = {}
    for label in ("areas", "committees", "members", "api"):
        for model in apps.get_app_config(label).get_models():
            found[model._meta.label] = model._default_manager.count()
    return found


def import_file(data: dict, name: str = "file.json"):
    return popolo_import(data=popolo_load(json.dumps(data, ensure_ascii=False)), source_name=name)


@pytest.mark.parametrize("make", [every_field, alderney], ids=["every-field", "alderney"])
class TestRoundTrip:
    def test_it_gives_every_field_back(self, make):
        data = make()
        import_file(copy.deepcopy(data))
        exported = popolo_document(reader=True)
        assert missing_fields(data, exported) == []

    def test_a_second_import_changes_nothing(self, make):
        data = make()
        import_file(copy.deepcopy(data))
        before = everything()
        report = import_file(copy.deepcopy(data))
        assert everything() == before
        assert not +report.created
        assert not +report.updated

    def test_its_export_imported_again_changes_nothing(self, make):
        import_file(make())
        exported = popolo_document(reader=True)
        before = everything()
        report = import_file(exported, "export.json")
        assert everything() == before
        assert not +report.created
        assert not +report.updated
        assert popolo_document(reader=True) == exported


class TestWhatIsKept:
    @pytest.fixture
    def imported(self):
        import_file(every_field())

    def test_people_keep_dates_pictures_links_contacts_and_every_source(self, imported):
        duoc = Person.objects.get(full_name="Nguyễn Văn Được")
        assert duoc.born.display() == "04/1963"
        assert duoc.image == "https://example.org/duoc.jpg"
        assert len(duoc.images) == 2
        assert duoc.links[0] == {"url": "https://example.org/duoc", "note": "Tiểu sử"}
        assert duoc.contact_details[0]["value"] == "duoc@example.org"
        assert [s.get("url") or s.get("note") for s in duoc.sources] == [
            "https://example.org/duoc-profile",
            "000_2a91e00bcaefebd8.txt",
        ]
        assert duoc.source == "https://example.org/duoc-profile"
        assert duoc.other_names[1] == {
            "name": "Tư Được",
            "start_date": "1990",
            "end_date": "2000-06",
        }
        trinh = Person.objects.get(full_name="Võ Thị Trung Trinh")
        assert (trinh.gender, trinh.born.display(), trinh.died.display()) == (
            "female",
            "1970",
            "31/12/2099",
        )

    def test_a_file_without_a_gender_does_not_clear_it(self, imported):
        data = every_field()
        for person in data["persons"]:
            person.pop("gender", None)
        import_file(data)
        assert Person.objects.get(full_name="Nguyễn Văn Được").gender == "male"
        assert Person.objects.get(full_name="Võ Thị Trung Trinh").gender == "female"

    def test_areas_bodies_and_seats(self, imported):
        ward = Area.objects.get(name="Phường Bến Thành")
        assert (ward.kind, ward.parent.name, ward.parent.parent.name) == (
            "commune",
            "Thành phố Hồ Chí Minh",
            "Việt Nam",
        )
        assert ward.valid_from_partial.display() == "01/07/2025"
        qh = Committee.objects.get(name="Quốc hội")
        assert (qh.classification, qh.org_type) == ("legislature", "unicameral legislature")
        assert qh.jurisdiction_area.name == "Việt Nam"
        assert qh.level == Level.NATIONAL  # from the area's kind: the file gives no level
        assert (qh.declared_member_count, qh.declared_count_source) == (
            500,
            "https://example.org/qh",
        )
        assert qh.founded.display() == "01/1946"
        assert [n["name"] for n in qh.other_names] == ["Quốc hội khóa XV", "National Assembly"]
        council = Committee.objects.get(name="Hội đồng nhân dân phường Bến Thành")
        assert council.level == Level.WARD
        # A body with neither level nor area has no level: never "city" by default.
        assert Committee.objects.get(name="Ban Chỉ đạo cũ").level == ""
        assert Agency.objects.get(name="Đảng Cộng sản Việt Nam").level == ""
        assert Agency.objects.get(name="Sở Thông tin và Truyền thông").short_name == "Sở TT&TT"
        seat = Membership.objects.get(person__full_name="Nguyễn Văn Được")
        assert seat.area.name == "Đơn vị bầu cử số 1"
        titled = Membership.objects.get(title_at_appointment="Chủ tịch HĐND phường Bến Thành")
        assert titled.person is None
        assert titled.is_title_only
        assert (titled.role, titled.role_title) == ("head", "Chủ tịch")
        kept = PopoloExtras.objects.get(object_id=qh.pk, content_type__model="committee")
        assert kept.extras == {"srgb": "#aa0000"}
        assert len(kept.sources) == 2

    def test_readers_only_fields_stay_out_of_the_public_export(self, imported):
        public = popolo_document()
        duoc = next(p for p in public["persons"] if p["id"] == "p-duoc")
        assert "contact_details" not in duoc
        assert "gender" not in duoc
        assert duoc["birth_date"] == "1963-04"
        assert duoc["image"] == "https://example.org/duoc.jpg"
        hieu = next(p for p in public["persons"] if p["id"] == "p-hieu")
        assert "email" not in hieu
        seat = next(m for m in public["memberships"] if m["id"] == "m-duoc")
        assert "contact_details" not in seat
        reader = popolo_document(reader=True)
        assert next(p for p in reader["persons"] if p["id"] == "p-hieu")["email"]

    def test_a_kept_spelling_gives_way_to_a_later_edit(self, imported):
        trinh = Person.objects.get(full_name="Võ Thị Trung Trinh")
        trinh.gender = "male"
        trinh.save()
        exported = popolo_document(reader=True)
        assert next(p for p in exported["persons"] if p["id"] == "p-trinh")["gender"] == "male"


class TestMatchesTheRegistry:
    def run(self, data: dict, tmp_path: Path, *args: str) -> str:
        path = tmp_path / "match.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        out = io.StringIO()
        with translation.override("en"):
            call_command("import_popolo", str(path), *args, stdout=out)
        return out.getvalue()

    def test_bodies_and_agencies_are_matched_not_copied_and_the_dry_run_lists_each(self, tmp_path):
        government = AgencyFactory(name="Chính phủ", kind="government", level="national")
        committee = CommitteeFactory(name="Ban Chỉ đạo chuyển đổi số", level="city")
        wikidata = AgencyFactory(name="Bộ Công an", level="national")
        ExternalIdentifier.objects.create(
            content_object=wikidata, scheme="wikidata", identifier="Q10"
        )
        data = {
            "persons": [{"id": "p", "name": "Phạm Văn Năm"}],
            "organizations": [
                {
                    "id": "cp",
                    "name": nfd("CHÍNH PHỦ"),
                    "classification": "government",
                    "level": "national",
                },
                {"id": "bcd", "name": "ban chi dao chuyen doi so", "level": "city"},
                {
                    "id": "bca",
                    "name": "Ministry of Public Security",
                    "classification": "ministry",
                    "identifiers": [{"scheme": "wikidata", "identifier": "Q10"}],
                },
                # Same name, another level: a different body.
                {"id": "bcd-nat", "name": "Ban Chỉ đạo chuyển đổi số", "level": "national"},
            ],
            "memberships": [{"person_id": "p", "organization_id": "bcd"}],
        }

        output = self.run(data, tmp_path, "--dry-run")

        assert "Dry run" in output
        assert "Matched with records already kept: 3" in output
        assert "organizations[0] (cp) is the agency “Chính phủ”, found by name and level" in output
        assert "organizations[1] (bcd) is the committee “Ban Chỉ đạo chuyển đổi số”" in output
        assert "organizations[2] (bca) is the agency “Bộ Công an”, found by wikidata Q10" in output
        assert Agency.objects.count() == 3

        self.run(data, tmp_path)

        assert Agency.objects.filter(name="Chính phủ").get() == government
        assert Agency.objects.count() == 3
        assert Committee.objects.filter(level="city").get() == committee
        assert Committee.objects.count() == 2
        assert Membership.objects.get().committee == committee

    def test_an_existing_area_is_matched_by_name_and_kind(self, tmp_path):
        city = Area.objects.create(name="Thành phố Hồ Chí Minh", kind="city", slug="tp-hcm")
        data = {
            "areas": [{"id": "x", "name": nfd("Thành phố Hồ Chí Minh"), "type": "city"}],
            "persons": [{"id": "p", "name": "Phạm Văn Năm"}],
        }
        output = self.run(data, tmp_path)
        assert Area.objects.get() == city
        assert "areas[0] (x) is the area “Thành phố Hồ Chí Minh”, found by name and kind" in output


class TestExports:
    def test_the_http_export_gives_areas_dates_pictures_and_seat_areas(self, anonymous):
        import_file(every_field())
        document = streamed_json(anonymous.get(reverse("api:popolo")))
        assert {a["id"] for a in document["areas"]} >= {"area/hcm", "area/hcm-1"}
        duoc = next(p for p in document["persons"] if p["id"] == "p-duoc")
        assert (duoc["birth_date"], duoc["image"]) == ("1963-04", "https://example.org/duoc.jpg")
        seat = next(m for m in document["memberships"] if m["id"] == "m-duoc")
        assert seat["area_id"] == "area/hcm-1"

    def test_a_committee_export_carries_its_areas_with_the_areas_above(self, anonymous):
        import_file(every_field())
        qh = Committee.objects.get(name="Quốc hội")
        document = streamed_json(anonymous.get(reverse("api:committee-popolo", args=[qh.slug])))
        assert {a["id"] for a in document["areas"]} == {
            "ocd-division/country:vn",
            "area/hcm",
            "area/hcm-1",
        }

    def test_the_rest_api_lists_areas_and_a_bodys_jurisdiction(self, anonymous):
        import_file(every_field())
        areas = anonymous.get(reverse("api:area-list")).json()["results"]
        ward = next(a for a in areas if a["name"] == "Phường Bến Thành")
        assert (ward["kind"], ward["valid_from"]) == ("commune", "2025-07-01")
        qh = Committee.objects.get(name="Quốc hội")
        body = anonymous.get(reverse("api:committee-detail", args=[qh.slug])).json()
        assert body["jurisdiction_area"] == qh.jurisdiction_area.slug
        assert body["classification"] == "legislature"
        person = anonymous.get(
            reverse(
                "api:person-detail", args=[Person.objects.get(full_name="Nguyễn Văn Được").slug]
            )
        ).json()
        assert person["birth_date"] == "1963-04"
        assert "contact_details" not in person

    def test_a_refused_file_writes_no_area(self, tmp_path):
        data = every_field()
        data["memberships"][0]["start_date"] = "2021-02-31"
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(CommandError, match=r"memberships\[0\]\.start_date: 2021-02-31"):
            call_command("import_popolo", str(path), stdout=io.StringIO())
        assert not Area.objects.exists()
        assert not Person.objects.exists()


def test_the_seeds_give_the_registry_its_own_areas(seeded):
    hcm = Area.objects.get(slug="tp-ho-chi-minh")
    assert (hcm.kind, hcm.parent.name) == ("city", "Việt Nam")
    assert hcm.source == "000_2a91e00bcaefebd8.txt"
    assert Committee.objects.get(slug="bcd-du-lieu-tphcm").jurisdiction_area == hcm
    assert Committee.objects.get(slug="uy-ban-quoc-gia-chuyen-doi-so").jurisdiction_area.name == (
        "Việt Nam"
    )
    person = PersonFactory()
    assert person.birth_date is None


class TestFileMeta:
    """A file's top-level `meta` is kept per file and given back; two files' metas are merged."""

    def test_two_files_with_different_meta_are_both_kept_and_merged(self):
        first = alderney_like() | {
            "meta": {"sources": ["http://www.alderney.gov.gg"], "license": "CC0"}
        }
        second = every_field() | {"meta": {"sources": ["https://quochoi.vn/"], "license": "CC-BY"}}
        import_file(first, "alderney.json")
        import_file(second, "quoc-hoi.json")
        kept = {row.file_name: row.meta for row in PopoloFileMeta.objects.all()}
        assert kept == {"alderney.json": first["meta"], "quoc-hoi.json": second["meta"]}
        # Every file's sources, in the order first given; the most recent import's licence.
        assert popolo_document()["meta"] == {
            "sources": ["http://www.alderney.gov.gg", "https://quochoi.vn/"],
            "license": "CC-BY",
        }
        # A later version of a file replaces that file's meta only.
        import_file(first | {"meta": {"sources": ["https://alderney.gov.gg/new"]}}, "alderney.json")
        assert popolo_document()["meta"]["sources"] == [
            "https://quochoi.vn/",
            "https://alderney.gov.gg/new",
        ]
        # The registry's own export, imported again, adds nothing.
        report = import_file(popolo_document(reader=True), "export.json")
        assert report.unchanged["meta"] == 1
        assert not PopoloFileMeta.objects.filter(file_name="export.json").exists()

    def test_a_committees_document_has_no_meta_and_a_file_without_meta_keeps_none(self):
        import_file(alderney_like())
        assert "meta" not in popolo_document()
        import_file(every_field())
        states = Committee.objects.get(name="Quốc hội")
        assert "meta" in popolo_document()
        assert "meta" not in popolo_document(committee=states)

    def test_a_meta_that_is_not_an_object_refuses_the_file(self):
        with pytest.raises(PopoloFileError) as refused:
            import_file(alderney_like() | {"meta": ["not", "an", "object"]})
        assert "meta:" in str(refused.value)
        assert not PopoloFileMeta.objects.exists()
