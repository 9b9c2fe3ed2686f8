"""A seated namesake: the roster import and the committee package give the same answer.

One member, Ngô Bảo Châu, sits on the body, known to the registry as "Viện trưởng" of the
"Viện Toán học". A file names him again (in another role, or the same one) with no post,
with the post he is known by, or with a post the registry does not know him by. Both paths
ask members.matching's one rule: the first two are him (issue 11's role change), the last is a
possible match the clerk decides (issue 10), never taken for him.
"""

import csv
import datetime as dt
import io

import pytest
from django.utils import translation

from members.models import Membership, Person, Role
from members.roster_import import roster_import
from members.services import membership_appoint
from packages.apply import NEW, import_packages
from packages.schema import PackageInvalid, read_packages
from tests.factories import AgencyFactory, PersonFactory

pytestmark = pytest.mark.django_db

NAME = "Ngô Bảo Châu"
ON = dt.date(2026, 12, 1)
POSTS = {
    "no post": ("", ""),
    "the post he is known by": ("Viện trưởng", "Viện Toán học"),
    "a post he is not known by": ("Giám đốc Sở Y tế", ""),
}
ROLES = {"another role": "Phó Trưởng ban", "the same role": "Ủy viên"}


@pytest.fixture
def seated(committee_a):
    """Ngô Bảo Châu seated on the body (a member), and Lê Thu Hà beside him."""
    committee_a.founded_on = dt.date(2020, 1, 1)
    committee_a.save()
    person = PersonFactory(full_name=NAME)
    institute = AgencyFactory(name="Viện Toán học")
    seat = membership_appoint(
        committee=committee_a,
        person=person,
        role=Role.MEMBER,
        title="Viện trưởng",
        home_agency=institute,
        start=dt.date(2022, 1, 1),
        reason="Thành lập",
    )
    membership_appoint(
        committee=committee_a,
        person=PersonFactory(full_name="Lê Thu Hà"),
        role=Role.MEMBER,
        start=dt.date(2022, 1, 1),
        reason="Thành lập",
    )
    return committee_a, seat


def _roster_file(role: str, post: str, agency: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Full name", "Rank", "Role", "Post", "Home agency", "Start date", "Decision number"]
    )
    writer.writerow([NAME, "", role, post, agency, "01/11/2026", ""])
    writer.writerow(["Lê Thu Hà", "", "Ủy viên", "", "", "", ""])
    return out.getvalue().encode("utf-8")


def _package(committee, role: str, post: str, agency: str) -> list:
    return read_packages(
        {
            "name": committee.name,
            "level": committee.level,
            "established_by": {"number": "30/QĐ-UBND", "date": "01/11/2026", "title": "Kiện toàn"},
            "members": [
                {
                    "person": NAME,
                    "role_in_committee": role,
                    "position_in_home_agency": post,
                    "home_agency": agency,
                },
                {"person": "Lê Thu Hà", "role_in_committee": "Ủy viên"},
            ],
        }
    )


def _roster_answer(committee, seat, role, post, agency) -> str:
    plan = roster_import(
        committee=committee,
        data=_roster_file(role, post, agency),
        filename="r.csv",
        on=ON,
        dry_run=True,
    )
    if [match.full_name for match in plan.possible_matches] == [NAME]:
        assert [p.pk for p, _known in plan.possible_matches[0].candidates] == [seat.person_id]
        return "possible match"
    assert not plan.possible_matches
    assert plan.new_people == 0
    kept = seat in plan.unchanged
    moved = [s.person for s in plan.added if s.full_name == NAME] == [seat.person]
    assert kept != moved
    return "him"


def _package_answer(committee, seat, role, post, agency) -> str:
    report = import_packages(
        _package(committee, role, post, agency), reason="Kiện toàn", dry_run=True
    )
    if [match["path"] for match in report.possible_matches] == ["members[0]"]:
        assert [c["id"] for c in report.possible_matches[0]["candidates"]] == [seat.person_id]
        return "possible match"
    assert not report.possible_matches
    assert report.people["created"] == 0
    kept = report.seats["unchanged"] == 2
    moved = report.matched_people == [{"path": "members[0]", "name": NAME}]
    assert kept != moved
    return "him"


@pytest.mark.parametrize("role", ROLES.values(), ids=ROLES.keys())
@pytest.mark.parametrize(
    ("post", "answer"),
    [
        ("no post", "him"),
        ("the post he is known by", "him"),
        ("a post he is not known by", "possible match"),
    ],
)
def test_both_imports_give_the_same_answer_for_a_seated_namesake(seated, role, post, answer):
    committee, seat = seated
    given = POSTS[post]
    assert _roster_answer(committee, seat, role, *given) == answer
    assert _package_answer(committee, seat, role, *given) == answer


def _state():
    return (
        Person.objects.count(),
        Membership.history.count(),
        list(Membership.objects.order_by("pk").values_list("pk", "person_id", "role", "end_date")),
    )


def test_the_package_asks_and_changes_nothing_until_the_clerk_confirms(seated):
    """A seated member's name with a post the registry does not know him by: the import is
    refused, in Vietnamese, naming the seat and the body, and writes nothing; the clerk's
    choice of him changes his role; the clerk's "new person" seats a new person instead."""
    committee, seat = seated
    post, agency = POSTS["a post he is not known by"]
    package = _package(committee, "Phó Trưởng ban", post, agency)
    before = _state()
    with translation.override("vi"), pytest.raises(PackageInvalid) as caught:
        import_packages(package, reason="Kiện toàn")
    assert caught.value.problems == [
        f"members[0]: {NAME} đang là thành viên {committee.name}, nhưng sổ chưa ghi nhận người "
        f"này với chức vụ “{post}”, mà trùng tên thì chưa đủ để coi hai hồ sơ là một người: "
        "hãy xác nhận đây là cùng một người hay một người mới."
    ]
    assert _state() == before

    report = import_packages(
        package, reason="Kiện toàn", confirmations={"members[0]": str(seat.person_id)}
    )
    assert report.people == {"created": 0, "matched": 1}
    seat.refresh_from_db()
    assert seat.end_reason == Membership.EndReason.ROLE_CHANGED
    new = committee.memberships.get(person_id=seat.person_id, end_date__isnull=True)
    assert (new.role, new.title_at_appointment) == (Role.DEPUTY_HEAD, post)


def test_the_clerks_new_person_is_seated_beside_the_ended_member(seated):
    committee, seat = seated
    post, agency = POSTS["a post he is not known by"]
    report = import_packages(
        _package(committee, "Phó Trưởng ban", post, agency),
        reason="Kiện toàn",
        confirmations={"members[0]": NEW},
    )
    assert report.people == {"created": 1, "matched": 0}
    seat.refresh_from_db()
    assert seat.end_reason == Membership.EndReason.REPLACED
    new = committee.memberships.get(person__full_name=NAME, end_date__isnull=True)
    assert new.person_id != seat.person_id
