"""`manage.py import_popolo`: EveryPolitician-style files, partial dates, roles, idempotence, refusals."""

import datetime as dt
import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from api.models import ExternalIdentifier, MembershipPeriod, PopoloEvent
from api.popolo import partial_iso
from api.popolo_import import PopoloFileError, popolo_import
from committees.models import Agency, Committee
from demo.bench import popolo_document
from members.models import Membership, Person, Position, Role
from tests.factories import CommitteeFactory, PersonFactory

D = dt.date
pytestmark = pytest.mark.django_db
SHARED_SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "popolo"
    / "everypolitician-alderney-states.json"
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def sample() -> dict:
    """A small file in EveryPolitician's shape, with Vietnamese names written decomposed (NFD)."""
    return {
        "persons": [
            {
                "id": "p-duoc",
                "name": nfd("Nguyễn Văn Được"),
                "gender": "male",
                "honorific_prefix": "Đồng chí",
                "identifiers": [{"scheme": "wikidata", "identifier": "Q1001"}],
                "other_names": [{"name": nfd("Nguyen Van Duoc"), "lang": "en", "note": "ascii"}],
            },
            {"id": "p-trinh", "name": "Võ Thị Trung Trinh", "gender": "female"},
            {"id": "p-thang", "name": "Lâm Đình Thắng"},
            {"id": "p-hieu", "name": "Lê Minh Hiếu"},
        ],
        "organizations": [
            {
                "id": "hdnd",
                "name": "Hội đồng nhân dân Thành phố",
                "classification": "legislature",
                "seats": 95,
                "identifiers": [{"scheme": "wikidata", "identifier": "Q2002"}],
            },
            {
                "id": "bcd",
                "name": "Ban Chỉ đạo chuyển đổi số",
                "classification": "steering committee",
            },
            {
                "id": "tgv",
                "name": "Tổ giúp việc Ban Chỉ đạo chuyển đổi số",
                "classification": "support group",
                "parent_id": "bcd",
            },
            {"id": "party/dcs", "name": "Đảng Cộng sản Việt Nam", "classification": "party"},
            {
                "id": "so-tttt",
                "name": "Sở Thông tin và Truyền thông",
                "classification": "department",
            },
        ],
        "posts": [{"id": "post-gd", "label": "Giám đốc Sở TT&TT", "organization_id": "so-tttt"}],
        "events": [
            {
                "id": "term/2016",
                "classification": "legislative period",
                "name": "Khóa IX",
                "organization_id": "hdnd",
                "start_date": "2016-07-01",
                "end_date": "2021-06-30",
            },
            {
                "id": "term/2021",
                "classification": "legislative period",
                "name": "Khóa X",
                "organization_id": "hdnd",
                "start_date": "2021-07",
            },
        ],
        "memberships": [
            # Dates from the legislative period.
            {
                "person_id": "p-duoc",
                "organization_id": "hdnd",
                "role": "member",
                "legislative_period_id": "term/2016",
                "on_behalf_of_id": "party/dcs",
                "sources": [{"url": "https://example.org/khoa-ix"}],
            },
            {
                "person_id": "p-duoc",
                "organization_id": "hdnd",
                "role": "member",
                "legislative_period_id": "term/2021",
                "on_behalf_of_id": "party/dcs",
            },
            # Partial dates of its own, a Vietnamese role, a post.
            {
                "id": "m-thang",
                "person_id": "p-thang",
                "organization_id": "bcd",
                "role": "Phó Trưởng ban",
                "post_id": "post-gd",
                "start_date": "2016",
                "end_date": "2016-04",
            },
            {
                "person_id": "p-trinh",
                "organization_id": "tgv",
                "role": "Tổ phó",
                "start_date": "2022-03",
            },
            # A role the registry has no word for: a member, keeping the label.
            {
                "person_id": "p-hieu",
                "organization_id": "tgv",
                "role": "Chairman of the Finance Committee",
                "start_date": "2022-03-14",
            },
        ],
    }


def broken() -> dict:
    """The sample with one bad record of each sort (a person without a name, an unknown
    person, a seat that clashes, a date that does not exist, wrong types): refused whole."""
    data = sample()
    data["persons"].append({"id": "p-noname"})
    data["persons"][0]["gender"] = 7
    data["persons"][1]["identifiers"] = "Q1"
    data["persons"][2]["other_names"] = [{"name": 5}]
    data["organizations"][0]["seats"] = "500"
    data["memberships"] += [
        {"person_id": "p-nobody", "organization_id": "bcd", "role": "member"},
        {"person_id": "p-hieu", "organization_id": "tgv", "role": "member", "start_date": "2023"},
        {"person_id": "p-trinh", "organization_id": "bcd", "start_date": "2022-02-31"},
    ]
    return data


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_popolo", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sample_file(tmp_path) -> Path:
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(sample(), ensure_ascii=False), encoding="utf-8")
    return path


def counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "committees": Committee.objects.count(),
        "agencies": Agency.objects.count(),
        "memberships": Membership.objects.count(),
        "posts": Position.objects.count(),
        "events": PopoloEvent.objects.count(),
        "identifiers": ExternalIdentifier.objects.count(),
        "history": Membership.history.count() + Person.history.count(),
    }


class TestImport:
    def test_it_imports_persons_organizations_posts_and_memberships(self, sample_file):
        output = run(sample_file)
        assert counts() | {"history": 0} == {
            "persons": 4,
            "committees": 3,
            "agencies": 2,
            "memberships": 5,
            "posts": 1,
            "events": 2,
            # 4 person ids + 1 wikidata, 5 organization ids + 1 wikidata, 1 post, 1 membership id
            "identifiers": 13,
            "history": 0,
        }
        assert "Created:" in output
        duoc = Person.objects.get(full_name="Nguyễn Văn Được")
        assert duoc.full_name == unicodedata.normalize("NFC", duoc.full_name)
        assert duoc.rank == "Đồng chí"
        assert duoc.gender == "male"
        assert duoc.other_names == [{"name": "Nguyen Van Duoc", "lang": "en", "note": "ascii"}]
        assert duoc.slug == "nguyen-van-duoc"
        assert ExternalIdentifier.objects.filter(
            object_id=duoc.pk, scheme="wikidata", identifier="Q1001"
        ).exists()

    def test_organizations_map_to_committees_and_agencies(self, sample_file):
        run(sample_file)
        council = Committee.objects.get(name="Hội đồng nhân dân Thành phố")
        assert council.kind == Committee.Kind.COUNCIL
        assert council.declared_member_count == 95
        group = Committee.objects.get(name__startswith="Tổ giúp việc")
        assert group.kind == Committee.Kind.SUPPORT_GROUP
        assert group.parent.name == "Ban Chỉ đạo chuyển đổi số"
        assert Agency.objects.get(name="Đảng Cộng sản Việt Nam").kind == Agency.Kind.PARTY
        assert Agency.objects.get(name="Sở Thông tin và Truyền thông").kind == "department"

    def test_membership_dates_come_from_the_legislative_period_when_it_has_none(self, sample_file):
        run(sample_file)
        terms = list(
            Membership.objects.filter(committee__name__startswith="Hội đồng").order_by("start_date")
        )
        assert [(m.start_date, m.end_date) for m in terms] == [
            (D(2016, 7, 1), D(2021, 6, 30)),
            (D(2021, 7, 1), None),
        ]
        assert terms[1].start_precision == "month"
        assert terms[0].end_reason == Membership.EndReason.TERM_ENDED
        assert terms[0].on_behalf_of.name == "Đảng Cộng sản Việt Nam"
        assert terms[0].source == "https://example.org/khoa-ix"
        assert MembershipPeriod.objects.get(membership=terms[0]).event.popolo_id == "term/2016"

    def test_partial_dates_roles_and_posts(self, sample_file):
        run(sample_file)
        thang = Membership.objects.get(person__full_name="Lâm Đình Thắng")
        assert thang.role == Role.DEPUTY_HEAD
        assert (thang.start_date, thang.start_precision) == (D(2016, 1, 1), "year")
        assert partial_iso(thang.end_date, thang.end_precision) == "2016-04"
        assert thang.end_precision == "month"
        assert thang.position.title == "Giám đốc Sở TT&TT"
        assert thang.home_agency.name == "Sở Thông tin và Truyền thông"
        trinh = Membership.objects.get(person__full_name="Võ Thị Trung Trinh")
        assert trinh.role == Role.DEPUTY_GROUP_LEADER
        hieu = Membership.objects.get(person__full_name="Lê Minh Hiếu")
        assert hieu.role == Role.MEMBER
        assert hieu.role_title == "Chairman of the Finance Committee"
        assert hieu.title_at_appointment == ""

    def test_it_refuses_the_whole_file_and_lists_every_type_problem_with_its_path(self, tmp_path):
        with pytest.raises(CommandError) as refused:
            run(write(tmp_path / "broken.json", broken()))
        message = str(refused.value)
        for problem in (
            "persons[4].name: missing",
            "persons[0].gender: 7 is not text",
            'persons[1].identifiers: "Q1" is not a list',
            "persons[2].other_names[0].name: 5 is not text",
            'organizations[0].seats: "500" is not a whole number ≥ 0',
            "memberships[7].start_date: 2022-02-31 is not a date",
        ):
            assert problem in message, message
        assert "nothing was written" in message
        assert set(counts().values()) == {0}

    def test_it_refuses_the_whole_file_and_lists_every_rule_problem_with_its_path(self, tmp_path):
        data = sample()
        data["memberships"] += [
            {"person_id": "p-nobody", "organization_id": "bcd", "role": "member"},
            {"person_id": "p-hieu", "organization_id": "tgv", "start_date": "2023"},
            {"person_id": "p-hieu", "organization_id": "nowhere"},
            {"person_id": "p-hieu", "organization_id": "bcd", "post_id": "post-x"},
        ]
        with pytest.raises(CommandError) as refused:
            run(write(tmp_path / "rules.json", data))
        message = str(refused.value)
        assert "memberships[5].person_id: unknown person p-nobody" in message
        assert "memberships[6]: Lê Minh Hiếu already has a seat on" in message
        assert "memberships[7].organization_id: unknown organization nowhere" in message
        assert "memberships[8].post_id: unknown post post-x" in message
        assert set(counts().values()) == {0}

    def test_the_command_exits_non_zero_on_a_refused_file(self, tmp_path):
        path = write(tmp_path / "broken.json", broken())
        result = subprocess.run(
            [sys.executable, "manage.py", "import_popolo", str(path)],
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            # The refusal comes before any database access: the process's own settings do.
            env=dict(os.environ),
            check=False,
        )
        assert result.returncode != 0
        assert "2022-02-31" in result.stderr

    def test_a_second_import_creates_nothing(self, sample_file):
        run(sample_file)
        before = counts()
        output = run(sample_file)
        assert counts() == before
        assert "Created: 0" in output
        assert "Updated: 0" in output

    def test_a_changed_record_is_updated_not_duplicated(self, sample_file, tmp_path):
        run(sample_file)
        data = sample()
        data["persons"][1]["name"] = "Võ Thị Trung Trinh (sửa)"
        data["memberships"][3]["end_date"] = "2024-12-31"
        changed = tmp_path / "changed.json"
        changed.write_text(json.dumps(data), encoding="utf-8")
        before = counts()
        output = run(changed)
        assert Person.objects.count() == before["persons"]
        assert Membership.objects.count() == before["memberships"]
        assert Person.objects.filter(full_name="Võ Thị Trung Trinh (sửa)").exists()
        seat = Membership.objects.get(person__full_name__startswith="Võ Thị")
        assert seat.end_date == D(2024, 12, 31)
        assert seat.version == 2
        assert "Updated:" in output
        assert "memberships 1" in output

    def test_a_dry_run_writes_nothing(self, sample_file):
        output = run(sample_file, "--dry-run")
        assert "Dry run" in output
        assert "memberships 5" in output
        assert set(counts().values()) == {0}

    def test_it_refuses_a_seat_that_clashes_with_the_registry(self, tmp_path):
        committee = CommitteeFactory(slug="ban-a")
        existing = PersonFactory(slug="nguyen-van-a", full_name="Nguyễn Văn A")
        Membership.objects.create(committee=committee, person=existing, role=Role.HEAD)
        data = {
            "persons": [{"id": "x", "name": "Trần Văn B"}],
            "memberships": [
                {"person_id": "x", "organization_id": "committee/ban-a", "role": "Trưởng ban"}
            ],
        }
        path = tmp_path / "clash.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(CommandError, match="is already held by"):
            run(path)
        assert Membership.objects.filter(committee=committee).count() == 1
        assert not Person.objects.filter(full_name="Trần Văn B").exists()


class TestRefusals:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"{not json", "not JSON"),
            (b"\xff\xfe\x00garbage", "not JSON"),
            (b"[1, 2, 3]", "not Popolo"),
            (b'{"name": "something else"}', "not Popolo"),
            (b'{"persons": {"id": "x"}}', "must be a list of objects"),
            (b'{"persons": [], "memberships": ["x"]}', "must be a list of objects"),
        ],
    )
    def test_a_file_that_is_not_json_or_not_popolo_is_refused_and_nothing_is_written(
        self, tmp_path, content, message
    ):
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        with pytest.raises(CommandError, match=message):
            run(path)
        assert set(counts().values()) == {0}

    def test_the_refusal_speaks_vietnamese_by_default(self, tmp_path):
        path = tmp_path / "bad.json"
        path.write_bytes(b"{not json")
        with pytest.raises(CommandError, match="không phải JSON"):
            call_command("import_popolo", str(path), stdout=io.StringIO())

    def test_a_missing_file_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="Cannot read"):
            run(tmp_path / "missing.json")


def _import_queries(path: Path) -> int:
    ContentType.objects.clear_cache()  # each import starts cold, as in a fresh process
    with CaptureQueriesContext(connection) as log:
        run(path)
    return len(log.captured_queries)


def _import_twice(tmp_path: Path, persons: int) -> tuple[int, int]:
    """The queries of importing a file of `persons` persons and four times as many memberships
    into an empty registry, then of importing it again (rolled back afterwards)."""
    path = tmp_path / f"big-{persons}.json"
    data = popolo_document(persons, 4 * persons)  # the benchmark's file, smaller
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with transaction.atomic():
        first = _import_queries(path)
        assert Person.objects.count() == persons
        assert Membership.objects.count() == Membership.history.count() == 4 * persons
        again = _import_queries(path)  # matched on the ids they came with: nothing new
        assert Person.objects.count() == persons
        assert Membership.objects.count() == Membership.history.count() == 4 * persons
        transaction.set_rollback(True)
    return first, again


def test_the_imports_queries_do_not_grow_with_its_persons_and_memberships(tmp_path):
    """Persons and memberships are matched and written in bulk: twice the rows, the same
    queries, whether new or matched again. Both files stay under one bulk batch (500 rows).
    The time of 500 persons and 2,000 memberships is the benchmark's (demo/bench.py)."""
    assert _import_twice(tmp_path, 60) == _import_twice(tmp_path, 120)


def alderney_like() -> dict:
    """An excerpt in the shape of the shared EveryPolitician sample (used when it is absent)."""
    return {
        "persons": [
            {"id": "a1", "name": "Robert McDowall", "gender": "male"},
            {"id": "a2", "name": "David Earl"},
            {"id": "a3", "name": "Steve Roberts", "gender": "male"},
        ],
        "organizations": [
            {"id": "independent", "name": "Independent", "classification": "party"},
            {"id": "states", "name": "States", "classification": "legislature", "seats": 10},
        ],
        "events": [
            {
                "id": "term/2014",
                "classification": "legislative period",
                "organization_id": "states",
                "start_date": "2015-01-01",
                "end_date": "2016-12-31",
            },
            {
                "id": "term/2017",
                "classification": "legislative period",
                "organization_id": "states",
                "start_date": "2017-01-01",
                "end_date": "2018-12-31",
            },
        ],
        "memberships": [
            {
                "person_id": pid,
                "organization_id": "states",
                "legislative_period_id": term,
                "on_behalf_of_id": "independent",
                "role": "member",
            }
            for pid, term in [("a1", "term/2014"), ("a2", "term/2017"), ("a3", "term/2014")]
        ]
        + [
            {
                "person_id": "a3",
                "organization_id": "states",
                "legislative_period_id": "term/2017",
                "on_behalf_of_id": "independent",
                "role": "member",
            }
        ],
    }


def test_the_everypolitician_sample_imports_with_its_terms(tmp_path):
    """The shared Alderney file when it is there; an excerpt of the same shape otherwise."""
    if SHARED_SAMPLE.exists():
        path = SHARED_SAMPLE
        data = json.loads(SHARED_SAMPLE.read_text(encoding="utf-8"))
    else:
        data = alderney_like()
        path = tmp_path / "alderney.json"
        path.write_text(json.dumps(data), encoding="utf-8")
    run(path)
    assert Person.objects.count() == len(data["persons"])
    assert Membership.objects.count() == len(data["memberships"])
    names = {unicodedata.normalize("NFC", p["name"]) for p in data["persons"]}
    assert set(Person.objects.values_list("full_name", flat=True)) == names
    states = Committee.objects.get(name="States")
    assert states.kind == Committee.Kind.COUNCIL
    assert states.declared_member_count == 10
    assert Agency.objects.get(name="Independent").kind == Agency.Kind.PARTY
    periods = {
        e["id"]: e for e in data["events"] if e.get("classification") == "legislative period"
    }
    for record in data["memberships"]:
        period = periods[record["legislative_period_id"]]
        person = Person.objects.get(
            full_name=next(p["name"] for p in data["persons"] if p["id"] == record["person_id"])
        )
        seat = Membership.objects.get(
            person=person, start_date=dt.date.fromisoformat(period["start_date"])
        )
        assert seat.end_date == dt.date.fromisoformat(period["end_date"])
        assert seat.on_behalf_of.name == "Independent"
    before = counts()
    run(path)
    assert counts() == before


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


class TestEndedSeatFreedInTheSameFile:
    """A file that ends a head's term and names the next head goes in with one import."""

    PERSONS = [{"id": "x-p1", "name": "Nguyễn Văn Một"}, {"id": "x-p2", "name": "Trần Thị Hai"}]
    ORGANIZATIONS = [
        {"id": "x-org", "name": "Ban Chỉ đạo thử nghiệm", "classification": "steering committee"}
    ]
    M1 = {"id": "m1", "person_id": "x-p1", "organization_id": "x-org", "role": "chair"}

    def first(self) -> dict:
        return {
            "persons": self.PERSONS,
            "organizations": self.ORGANIZATIONS,
            "memberships": [self.M1 | {"start_date": "2016"}],
        }

    def second(self) -> dict:
        return {
            "persons": self.PERSONS,
            "organizations": self.ORGANIZATIONS,
            "memberships": [
                self.M1 | {"start_date": "2016", "end_date": "2020-12-31"},
                {
                    "id": "m2",
                    "person_id": "x-p2",
                    "organization_id": "x-org",
                    "role": "chair",
                    "start_date": "2021-01-01",
                },
            ],
        }

    def test_the_new_head_is_created_in_the_same_import_and_a_rerun_changes_nothing(self, tmp_path):
        run(write(tmp_path / "first.json", self.first()))
        assert Membership.objects.count() == 1
        second = write(tmp_path / "second.json", self.second())

        run(second)

        heads = list(
            Membership.objects.filter(role=Role.HEAD)
            .order_by("start_date")
            .values_list("person__full_name", "start_date", "end_date")
        )
        assert heads == [
            ("Nguyễn Văn Một", D(2016, 1, 1), D(2020, 12, 31)),
            ("Trần Thị Hai", D(2021, 1, 1), None),
        ]
        assert ExternalIdentifier.objects.filter(scheme="popolo", identifier="m2").exists()
        before = counts()

        output = run(second)

        assert counts() == before
        assert "Created: 0" in output
        assert "Updated: 0" in output

    def test_a_head_whose_term_the_file_does_not_end_still_blocks_the_next(self, tmp_path):
        run(write(tmp_path / "first.json", self.first()))
        data = self.second()
        data["memberships"][0].pop("end_date")

        with pytest.raises(CommandError, match="is already held by"):
            run(write(tmp_path / "second.json", data))

        assert Membership.objects.count() == 1
        assert Membership.objects.get().end_date is None


class TestMalformedNestedFields:
    @pytest.mark.parametrize(
        ("person", "organization", "membership", "problem"),
        [
            ({"other_names": 5}, {}, {}, "persons[0].other_names: 5 is not a list"),
            ({"sources": 5}, {}, {}, "persons[0].sources: 5 is not a list"),
            ({"identifiers": "Q1"}, {}, {}, 'persons[0].identifiers: "Q1" is not a list'),
            ({"memberships": 5}, {}, {}, "persons[0].memberships: 5 is not a list"),
            ({"gender": 7}, {}, {}, "persons[0].gender: 7 is not text"),
            ({"birth_date": "1960-02-30"}, {}, {}, "persons[0].birth_date: 1960-02-30 is not"),
            ({}, {"other_names": [{"name": 5}]}, {}, "organizations[0].other_names[0].name: 5"),
            ({}, {"identifiers": {"scheme": "x"}}, {}, "organizations[0].identifiers: {"),
            ({}, {"lineage": {"successors": 5}}, {}, "organizations[0].lineage.successors: 5"),
            ({}, {"seats": "500"}, {}, 'organizations[0].seats: "500" is not a whole number'),
            ({}, {"level": "galaxy"}, {}, 'organizations[0].level: "galaxy" is not a level'),
            ({}, {}, {"sources": 5}, "memberships[0].sources: 5 is not a list"),
            ({}, {}, {"identifiers": 5}, "memberships[0].identifiers: 5 is not a list"),
            ({}, {}, {"start_date": 2022}, "memberships[0].start_date: 2022 is not a date"),
        ],
    )
    def test_a_value_of_the_wrong_type_refuses_the_file_and_says_where(
        self, tmp_path, person, organization, membership, problem
    ):
        data = {
            "persons": [{"id": "p", "name": "Phạm Văn Năm"} | person],
            "organizations": [
                {"id": "o", "name": "Ban Chỉ đạo", "classification": "steering committee"}
                | organization
            ],
            "memberships": [{"id": "m", "person_id": "p", "organization_id": "o"} | membership],
        }

        with pytest.raises(CommandError) as refused:
            run(write(tmp_path / "nested.json", data))

        assert problem in str(refused.value)
        assert set(counts().values()) == {0}

    @pytest.mark.parametrize("key", ["persons", "organizations", "memberships", "posts", "events"])
    @pytest.mark.parametrize("value", [5, None, "x", {"id": "a"}])
    def test_a_top_level_collection_that_is_not_a_list_refuses_the_file(self, tmp_path, key, value):
        data = {"persons": [{"id": "p", "name": "Phạm Văn Năm"}], key: value}
        with pytest.raises(CommandError, match=f"“{key}” must be a list of objects"):
            run(write(tmp_path / "top.json", data))
        assert set(counts().values()) == {0}

    def test_the_service_refuses_an_unchecked_document_too(self):
        data = {"persons": [{"id": "p", "name": "Phạm Văn Năm"}], "memberships": 5}
        with pytest.raises(PopoloFileError) as refused:
            popolo_import(data=data, source_name="direct.json")
        assert "“memberships”" in str(refused.value)
        assert "không phải Popolo" in str(refused.value)
        assert set(counts().values()) == {0}
