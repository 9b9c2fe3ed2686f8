"""The committee package: read, checked with paths, imported all or nothing, given back whole."""

import datetime as dt
import io
import json
import unicodedata

import pytest
from django.core.management import CommandError, call_command

from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.partial_dates import Precision
from mandates.models import Target
from members.models import Membership, Person
from packages.apply import import_packages
from packages.export import export_package
from packages.reading import data_to_workbook, read_file
from packages.schema import PackageInvalid, read_packages

pytestmark = pytest.mark.django_db

REASON = "Quyết định thành lập"


def _import(data, **kwargs):
    return import_packages(read_packages(data), reason=REASON, **kwargs)


def _nfc(value):
    return json.loads(unicodedata.normalize("NFC", json.dumps(value, ensure_ascii=False)))


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Committee, Membership, Person, Agency, LegalInstrument, Target, Succession)
    }


def test_it_gives_back_every_seed_package_on_every_field(packages):
    packages[0]["name_en"] = "Data Steering Committee of Ho Chi Minh City"
    packages[0]["jurisdiction"] = "Thành phố Hồ Chí Minh"
    packages[0]["sources"].append(
        {"url": "https://example.gov.vn/qd", "date": "2025-Q2", "title": "Cổng"}
    )
    _import(packages)
    for package in packages:
        committee = Committee.objects.get(name=package["name"])
        assert _nfc(export_package(committee)) == _nfc(package), package["name"]


def test_it_changes_nothing_when_the_same_file_comes_twice(packages):
    first = _import(packages)
    assert first.seats["created"] > 0
    before = _counts()
    second = _import(packages)
    assert _counts() == before
    assert second.seats == {"created": 0, "ended": 0, "unchanged": first.seats["created"]}
    assert {c["action"] for c in second.committees} == {"unchanged"}
    assert second.people["created"] == 0


def test_it_keeps_every_level_text_values_and_quarter_deadlines(packages):
    package = packages[0]
    package["level"] = "ministry"
    package["targets"] = [
        {"text": "Chuyên gia dữ liệu", "value": "ít nhất 100 chuyên gia", "deadline": "2025-Q2"},
        {"text": "Tăng trưởng", "value": "8,3\u20138,5%", "deadline": "Quý III/2026"},
    ]
    _import([package])
    committee = Committee.objects.get(name=package["name"])
    assert committee.level == "ministry"
    first, _second = committee.targets.order_by("pk")
    assert first.value_text == "ít nhất 100 chuyên gia"
    assert first.deadline_precision == Precision.QUARTER
    assert first.deadline.month == 4
    exported = export_package(committee)["targets"]
    assert exported[0] == package["targets"][0]
    assert exported[1]["deadline"] == "2026-Q3"


def test_it_refuses_an_unknown_level_rather_than_replace_it(packages):
    packages[0]["level"] = "hamlet"
    with pytest.raises(PackageInvalid) as caught:
        read_packages(packages)
    assert any(p.startswith("[0].level: ") for p in caught.value.problems)


def test_it_lists_every_problem_with_its_path_and_writes_nothing(packages):
    before = _counts()
    packages[0]["members"][1]["persn"] = "x"
    packages[3]["established_by"]["date"] = "31/02/2022x"
    packages[3]["members"].append(dict(packages[3]["members"][2]))
    packages[3]["declared_member_count"] = "nhiều"
    with pytest.raises(PackageInvalid) as caught:
        _import(packages)
    problems = caught.value.problems
    assert any(p.startswith("[0].members[1].persn: ") for p in problems)
    assert any(p.startswith("[3].established_by.date: ") for p in problems)
    assert any(p.startswith("[3].members[4]: ") for p in problems)
    assert any(p.startswith("[3].declared_member_count: ") for p in problems)
    assert _counts() == before


def test_it_says_where_bad_json_breaks():
    with pytest.raises(PackageInvalid) as caught:
        read_file(b'{"name": "Ban A",\n "members": [}')
    assert "dòng 2, cột 14" in caught.value.problems[0]


def test_it_writes_nothing_in_a_dry_run(packages):
    before = _counts()
    report = _import(packages, dry_run=True)
    assert report.seats["created"] > 0
    assert _counts() == before


def test_it_keeps_namesakes_of_one_body_apart_and_asks_about_a_known_name(packages):
    _import(packages)
    known = Person.objects.get(full_name="Lê Hồng Nam")
    body = {
        "name": "Hội đồng thẩm định dữ liệu",
        "level": "city",
        "established_by": {
            "number": "12/QĐ-UBND",
            "date": "13/03/2025",
            "issuer": "UBND TP.HCM",
            "title": "Thành lập Hội đồng",
        },
        "members": [
            {
                "person": "Trần Văn An",
                "role_in_committee": "Chủ tịch",
                "position_in_home_agency": "Giám đốc Sở Tư pháp",
                "home_agency": "Sở Tư pháp",
            },
            {
                "person": "Trần Văn An",
                "role_in_committee": "Ủy viên",
                "position_in_home_agency": "Phó Giám đốc Sở TT&TT",
                "home_agency": "Sở TT&TT",
            },
            {
                "person": "Lê Hồng Nam",
                "role_in_committee": "Ủy viên",
                "position_in_home_agency": "Giám đốc Sở Y tế",
                "home_agency": "Sở Y tế",
            },
        ],
    }
    dry = _import(body, dry_run=True)
    assert [m["path"] for m in dry.possible_matches] == ["members[2]"]
    assert dry.possible_matches[0]["candidates"][0]["id"] == known.pk
    assert dry.people["created"] == 3
    report = _import(body, confirmations={"members[2]": str(known.pk)})
    committee = Committee.objects.get(name="Hội đồng thẩm định dữ liệu")
    people = [m.person for m in committee.memberships.order_by("as_printed__order")]
    assert people[0] != people[1]
    assert people[0].full_name == people[1].full_name == "Trần Văn An"
    assert people[2] == known
    assert report.people == {"created": 2, "matched": 1}
    # The agencies written by their abbreviations are the ones kept.
    seat = committee.memberships.get(as_printed__order=1)
    assert seat.home_agency.name == "Sở Thông tin và Truyền thông TP.HCM"
    assert not Agency.objects.filter(name__in=["Sở TT&TT", "UBND TP.HCM"]).exists()
    assert committee.memberships.get(as_printed__order=0).start_date.isoformat() == "2025-03-13"


def test_it_starts_seats_on_the_founding_decision_and_ends_those_left_out(packages):
    _import(packages)
    package = next(p for p in packages if p["established_by"]["number"] == "944")
    leaving = package["members"].pop()
    report = _import(package)
    assert report.seats["ended"] == 1
    committee = Committee.objects.get(name=package["name"])
    ended = committee.memberships.get(person__full_name=leaving["person"])
    assert ended.end_date is not None
    assert ended.ended_by.number == "944"
    assert committee.memberships.exclude(pk=ended.pk).first().start_precision == Precision.YEAR


def test_it_records_unknown_predecessors_as_dissolved_bodies(packages):
    package = next(p for p in packages if p["established_by"]["number"] == "944")
    _import(package)
    for name in package["predecessors"]:
        old = Committee.objects.get(name=name)
        assert old.dissolved_on is not None
        assert old.successions_out.get().successor.name == package["name"]


def test_it_ends_the_seats_of_a_body_replaced_by_a_known_successor():
    _import(
        [
            {
                "name": "Ban Cũ",
                "level": "district",
                "dissolved_or_replaced_by": "Ban Mới",
                "members": [{"person": "Ngô Văn Cũ", "role_in_committee": "Trưởng ban"}],
            },
            {
                "name": "Ban Mới",
                "level": "district",
                "established_by": {"number": "5", "date": "2024-06", "title": "Thành lập Ban Mới"},
            },
        ]
    )
    old = Committee.objects.get(name="Ban Cũ")
    assert old.dissolved_on.isoformat() == "2024-06-30"
    assert old.memberships.get().end_date.isoformat() == "2024-06-30"
    assert export_package(old)["members"][0]["person"] == "Ngô Văn Cũ"


def test_it_reads_the_xlsx_form_as_the_json_form(packages):
    raw = data_to_workbook(packages)
    assert [p.name for p in read_file(raw, "goi.xlsx")] == [p["name"] for p in packages]
    _import_file = import_packages(read_file(raw, "goi.xlsx"), reason=REASON)
    assert _import_file.seats["created"] == sum(
        len(p["members"]) + len((p["support_group"] or {}).get("members", [])) for p in packages
    )


def test_it_prints_the_import_as_one_json_object(packages, tmp_path):
    path = tmp_path / "goi.json"
    path.write_text(json.dumps(packages, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_committee", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"committees", "seats", "people", "agencies", "possible_matches"}
    assert result["committees"][0] == {
        "name": packages[0]["name"],
        "slug": Committee.objects.get(name=packages[0]["name"]).slug,
        "action": "created",
    }
    out = io.StringIO()
    output = tmp_path / "out.json"
    call_command("export_committee", result["committees"][0]["slug"], "--output", str(output))
    assert _nfc(json.loads(output.read_text(encoding="utf-8"))) == _nfc(packages[0])


def test_it_refuses_a_malformed_file_on_the_command_line(tmp_path):
    path = tmp_path / "goi.json"
    path.write_text('{"name": "Ban A", "levle": "city"}', encoding="utf-8")
    with pytest.raises(CommandError, match="levle: "):
        call_command("import_committee", str(path))
    assert not Committee.objects.exists()


def test_it_exports_the_seats_open_on_a_day(packages):
    _import(packages)
    package = next(p for p in packages if p["established_by"]["number"] == "944")
    committee = Committee.objects.get(name=package["name"])
    assert (
        export_package(committee, as_of=__import__("datetime").date(2021, 12, 31))["members"] == []
    )


def test_it_names_the_seat_the_roster_refuses():
    from tests.factories import CommitteeFactory

    CommitteeFactory(
        name="Ban Đã Giải Thể",
        level="city",
        founded_on=dt.date(2019, 1, 1),
        dissolved_on=dt.date(2020, 12, 31),
    )
    body = {
        "name": "Ban Đã Giải Thể",
        "level": "city",
        "established_by": {"number": "77", "date": "2024", "title": "Kiện toàn"},
        "members": [
            {"person": "Ngô Thị Mai", "role_in_committee": "Ủy viên"},
            {"person": "Ngô Thị Lan", "role_in_committee": "Ủy viên"},
        ],
    }
    with pytest.raises(PackageInvalid) as caught:
        _import(body)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["members[0]", "members[1]"], problems
    assert not Membership.objects.exists()


def test_the_package_carries_the_bodys_jurisdiction_area(packages):
    from areas.models import Area

    city = Area.objects.create(name="Thành phố Hồ Chí Minh", slug="tp-hcm", kind="city")
    city.full_clean()
    city.save()
    packages[0]["jurisdiction"] = "Thành phố Hồ Chí Minh"
    packages[1]["jurisdiction"] = ""
    _import(packages[:2])
    first = Committee.objects.get(name=packages[0]["name"])
    assert first.jurisdiction_area == city  # matched by its name
    second = Committee.objects.get(name=packages[1]["name"])
    assert export_package(second)["jurisdiction"] == ""
    second.jurisdiction_area = city
    second.save()
    assert export_package(second)["jurisdiction"] == "Thành phố Hồ Chí Minh"


def test_a_member_named_again_in_another_role_changes_role_not_person(packages):
    """A later decision re-forms the body and names Lâm Đình Thắng, already its deputy head,
    as a member: the same person changes role from that decision's date. With a post the
    registry does not know him by (one man with a new post, or two men?), the import asks
    and changes nothing until the clerk says; the clerk's choice of him does the same."""
    body = packages[0]
    _import(body)
    committee = Committee.objects.get(name=body["name"])
    old = committee.memberships.get(person__full_name="Lâm Đình Thắng")
    people = Person.objects.count()
    body["established_by"] = {
        "number": "77/QĐ-UBND",
        "date": "2026-11-01",
        "issuer": "UBND TP.HCM",
        "title": "Kiện toàn Ban Chỉ đạo",
    }
    body["members"][2]["role_in_committee"] = "Ủy viên"
    as_before = _import(body, dry_run=True)
    assert as_before.possible_matches == []
    assert as_before.matched_people == [{"path": "members[2]", "name": "Lâm Đình Thắng"}]
    body["members"][2]["position_in_home_agency"] = "Chuyên gia"
    asked = _import(body, dry_run=True)
    assert [(m["path"], [c["id"] for c in m["candidates"]]) for m in asked.possible_matches] == [
        ("members[2]", [old.person_id])
    ]
    before = _counts()
    with pytest.raises(PackageInvalid) as caught:
        _import(body)
    assert [p.split(":")[0] for p in caught.value.problems] == ["members[2]"]
    assert _counts() == before
    report = _import(body, confirmations={"members[2]": str(old.person_id)})
    assert Person.objects.count() == people
    assert report.people["created"] == 0
    decision = LegalInstrument.objects.get(number="77/QĐ-UBND")
    old.refresh_from_db()
    assert (old.end_date, old.end_reason, old.ended_by) == (
        dt.date(2026, 10, 31),
        Membership.EndReason.ROLE_CHANGED,
        decision,
    )
    new = committee.memberships.get(person=old.person, end_date__isnull=True)
    assert (new.role, new.start_date, new.appointed_by, new.title_at_appointment) == (
        "member",
        dt.date(2026, 11, 1),
        decision,
        "Chuyên gia",
    )
    assert committee.memberships.filter(end_date__isnull=True).count() == len(body["members"])
