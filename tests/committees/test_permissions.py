"""The permission matrix: six kinds of user by six operations on committees A and B, every cell
asserted allowed or refused, through the services and through the admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from committees import permissions
from committees.models import Committee, LegalInstrument
from mandates.models import Measurement
from members.models import Membership, Role
from members.services import membership_appoint, membership_end, membership_replace
from packages.decisions import DecisionInput, record_decision
from tests.factories import PersonFactory, TargetFactory, UserFactory

D = dt.date
PERSONAS = ["anonymous", "city_staff", "secretariat_a", "secretariat_b", "leader", "superuser"]
OPERATIONS = [
    "view",
    "appoint",
    "end",
    "replace",
    "change_committee",
    "add_measurement",
    "record_decision",
]
COMMITTEES = ["a", "b"]

# Who may do what, on committee A / committee B.
KEEPERS = {("secretariat_a", "a"), ("secretariat_b", "b"), ("superuser", "a"), ("superuser", "b")}
READERS = {"city_staff", "secretariat_a", "secretariat_b", "leader", "superuser"}
ADMIN_READERS = READERS - {"leader"}  # leaders read the portal; the admin is for staff


def allowed(persona: str, operation: str, committee: str, *, admin: bool) -> bool:
    if operation == "view":
        return persona in (ADMIN_READERS if admin else READERS)
    if operation == "change_committee":
        return persona == "superuser"
    return (persona, committee) in KEEPERS


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(request, groups, committee_a, committee_b):
    committees = {"a": committee_a, "b": committee_b}
    seats = {
        key: membership_appoint(
            committee=committee,
            person=PersonFactory(),
            role=Role.HEAD,
            start=D(2022, 1, 1),
            reason="Thành lập",
        )
        for key, committee in committees.items()
    }
    targets = {key: TargetFactory(committee=committee) for key, committee in committees.items()}
    return committees, seats, targets


def persona_user(request, persona):
    if persona == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(persona)


CELLS = [(p, o, c) for p in PERSONAS for o in OPERATIONS for c in COMMITTEES]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "operation", "key"), CELLS)
def test_services(request, world, persona, operation, key):
    committees, seats, _targets = world
    committee, seat = committees[key], seats[key]
    user = persona_user(request, persona)
    expected = allowed(persona, operation, key, admin=False)

    def run():
        if operation == "view":
            if not permissions.can_view_committee(user, committee):
                raise PermissionDenied
        elif operation == "appoint":
            membership_appoint(committee=committee, person=PersonFactory(), reason="x", by=user)
        elif operation == "end":
            membership_end(membership=seat, on=D(2023, 1, 1), reason="x", by=user)
        elif operation == "replace":
            membership_replace(
                membership=seat, person=PersonFactory(), on=D(2023, 1, 1), reason="x", by=user
            )
        elif operation == "change_committee":
            if not permissions.can_change_committee(user, committee):
                raise PermissionDenied
        elif operation == "add_measurement":
            permissions.require_measurement_right(user, committee)
        elif operation == "record_decision":
            record_decision(
                DecisionInput(committee=committee, title="Kiện toàn", declared_count=5), by=user
            )

    before = Membership.objects.count(), Membership.history.count()
    if expected:
        run()
    else:
        with pytest.raises(PermissionDenied):
            run()
        assert (Membership.objects.count(), Membership.history.count()) == before


def _post_committee_change(client, committee):
    data = {
        "name": committee.name + " (sửa)",
        "short_name": "",
        "slug": committee.slug,
        "kind": committee.kind,
        "level": committee.level,
        "standing_agency": committee.standing_agency_id,
        "description": "",
        "founded_on": "",
        "founded_precision": "day",
        "dissolved_on": "",
        "dissolved_precision": "day",
        "declared_member_count": 12,
        "source": "",
        "source_date": "",
    }
    for prefix in ("memberships", "mandates", "targets", "successions_out"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return client.post(f"/admin/committees/committee/{committee.pk}/change/", data)


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "operation", "key"), CELLS)
def test_admin(request, client, world, persona, operation, key):
    committees, seats, targets = world
    committee, seat, target = committees[key], seats[key], targets[key]
    if persona != "anonymous":
        client.force_login(persona_user(request, persona))
    expected = allowed(persona, operation, key, admin=True)
    seats_before = Membership.objects.count()
    if operation == "view":
        response = client.get(f"/admin/committees/committee/{committee.pk}/change/")
        effect = response.status_code == 200 and committee.name in response.content.decode()
    elif operation == "appoint":
        response = client.post(
            "/admin/members/membership/add/",
            {
                "committee": committee.pk,
                "person": PersonFactory().pk,
                "role": Role.MEMBER,
                "start_date": "2023-01-01",
                "start_precision": "day",
                "end_precision": "day",
                "reason": "Bổ sung thành viên",
            },
        )
        effect = Membership.objects.count() == seats_before + 1
    elif operation == "end":
        response = client.post(
            f"/admin/members/membership/{seat.pk}/end/",
            {
                "on": "2023-01-01",
                "end_reason": "term_ended",
                "reason": "Hết nhiệm kỳ",
                "version": 1,
            },
        )
        seat.refresh_from_db()
        effect = seat.end_date == D(2023, 1, 1)
    elif operation == "replace":
        response = client.post(
            f"/admin/members/membership/{seat.pk}/replace/",
            {"person": PersonFactory().pk, "on": "2023-01-01", "reason": "Thay", "version": 1},
        )
        effect = Membership.objects.count() == seats_before + 1
    elif operation == "change_committee":
        response = _post_committee_change(client, committee)
        effect = Committee.objects.get(pk=committee.pk).declared_member_count == 12
    elif operation == "record_decision":
        response = client.post(
            "/admin/committees/legalinstrument/record/",
            {
                "kind": "decision",
                "title": "Kiện toàn",
                "number": "31/QĐ",
                "committee": committee.pk,
                "declared_count": 7,
                "confirm": "1",
            },
        )
        effect = LegalInstrument.objects.filter(number="31/QĐ").exists()
    else:
        response = client.post(
            "/admin/mandates/measurement/add/",
            {"target": target.pk, "value": "55", "date": "2024-06-30", "note": "", "source": ""},
        )
        effect = Measurement.objects.filter(target=target).exists()

    if expected:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/login/" not in response["Location"]
        assert effect, getattr(response, "context", None) and response.context.get("errors")
    else:
        assert not effect
        if persona in ("anonymous", "leader"):
            assert response.status_code == 302
            assert "/admin/login/" in response["Location"]
        else:
            assert response.status_code in (403, 404)


@pytest.mark.django_db
class TestGrantingSecretariatRights:
    def test_an_administrator_grants_and_revokes_from_the_admin(
        self, client, superuser, committee_a, groups
    ):
        user = UserFactory(username="thuky.moi")
        client.force_login(superuser)
        url = f"/admin/committees/committee/{committee_a.pk}/secretariat/"
        response = client.post(url, {"username": "thuky.moi", "action": "grant"})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.is_staff
        assert permissions.can_manage_roster(user, committee_a)
        assert permissions.can_add_measurement(user, committee_a)
        assert "thuky.moi" in client.get(url).content.decode()
        client.post(url, {"username": "thuky.moi", "action": "revoke"})
        user = type(user).objects.get(pk=user.pk)
        assert not permissions.can_manage_roster(user, committee_a)

    def test_a_secretariat_cannot_grant_rights(self, client, secretariat_a, committee_a):
        client.force_login(secretariat_a)
        url = f"/admin/committees/committee/{committee_a.pk}/secretariat/"
        response = client.post(url, {"username": "thuky.a", "action": "grant"})
        assert response.status_code == 403

    def test_guardians_object_permission_pages_work_for_administrators(
        self, client, superuser, committee_a, groups
    ):
        user = UserFactory(username="thuky.guardian", is_staff=True)
        client.force_login(superuser)
        base = f"/admin/committees/committee/{committee_a.pk}/permissions/"
        assert client.get(base).status_code == 200
        response = client.post(f"{base}user-manage/{user.pk}/", {"permissions": ["manage_roster"]})
        assert response.status_code == 302
        assert permissions.can_manage_roster(type(user).objects.get(pk=user.pk), committee_a)

    def test_guardians_pages_are_closed_to_a_secretariat(self, client, secretariat_a, committee_a):
        client.force_login(secretariat_a)
        base = f"/admin/committees/committee/{committee_a.pk}/permissions/"
        response = client.post(
            f"{base}user-manage/{secretariat_a.pk}/", {"permissions": ["manage_roster"]}
        )
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
        assert not permissions.can_change_committee(secretariat_a, committee_a)


@pytest.mark.django_db
def test_a_secretariat_keeps_its_support_groups(secretariat_a, committee_a, committee_b):
    from tests.factories import SupportGroupFactory

    group_a = SupportGroupFactory(parent=committee_a)
    group_b = SupportGroupFactory(parent=committee_b)
    assert permissions.can_manage_roster(secretariat_a, group_a)
    assert not permissions.can_manage_roster(secretariat_a, group_b)
    assert set(permissions.committees_roster_editable_by(secretariat_a)) == {committee_a, group_a}


# --- Who may correct a person: six kinds of user by the person's standing on committee A or B
# (or on none), every cell asserted through the permission module and through the admin. ---

PERSON_STANDINGS = ["sits", "future", "pending", "sat", "declined"]
PERSON_CELLS = [
    *[(p, s, c) for p in PERSONAS for s in PERSON_STANDINGS for c in COMMITTEES],
    *[(p, s, None) for p in PERSONAS for s in ("unseated", "added_by_other", "both")],
]
# A secretariat corrects the people who sit, or have a pending seat, on its own committees.
EDITABLE_STANDINGS = {"sits", "future", "pending"}


def may_change_person(persona: str, standing: str, key: str | None) -> bool:
    if persona == "superuser":
        return True
    return (
        persona in ("secretariat_a", "secretariat_b")
        and key == persona[-1]
        and standing in EDITABLE_STANDINGS
    )


@pytest.fixture
def person_in(request, groups, committee_a, committee_b):
    """A person standing in the given way on committee `key` (or on none)."""
    from members.models import PendingSeatChange
    from tests.factories import HoldingFactory, MembershipFactory, PositionFactory

    committees = {"a": committee_a, "b": committee_b}
    today = dt.date.today()

    def make(standing: str, key: str | None):
        person = PersonFactory(full_name="Lê Thị Hồng Nhung")
        committee = committees.get(key)
        if standing == "sits":
            MembershipFactory(person=person, committee=committee, start_date=D(2022, 1, 1))
        elif standing == "future":
            MembershipFactory(
                person=person, committee=committee, start_date=today + dt.timedelta(days=30)
            )
        elif standing == "sat":
            MembershipFactory(
                person=person,
                committee=committee,
                start_date=D(2020, 1, 1),
                end_date=D(2023, 1, 1),
                end_reason=Membership.EndReason.TERM_ENDED,
            )
        elif standing in ("pending", "declined"):
            post = PositionFactory(title="Giám đốc Sở Nội vụ")
            seat = MembershipFactory(committee=committee, position=post, start_date=D(2022, 1, 1))
            PendingSeatChange.objects.create(
                committee=committee,
                membership=seat,
                position=post,
                new_holding=HoldingFactory(person=person, position=post, start_date=D(2024, 1, 1)),
                status=standing if standing == "declined" else "pending",
                decided_at=timezone.now() if standing == "declined" else None,
            )
        elif standing == "added_by_other":
            # Just added through the admin by another secretariat, no seat yet.
            other = UserFactory(username="thuky.khac")
            permissions.grant_secretariat(other, committee_a)
            person._history_user = other
            person.save()
        elif standing == "both":
            for each in committees.values():
                MembershipFactory(person=person, committee=each, start_date=D(2022, 1, 1))
        return person

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "standing", "key"), PERSON_CELLS)
def test_person_change_permission(request, person_in, persona, standing, key):
    person = person_in(standing, key)
    user = persona_user(request, persona)
    assert permissions.can_change_person(user, person) is may_change_person(persona, standing, key)


def _post_person_change(client, person):
    data = {
        "full_name": "Lê Thị Hồng Nhung (đã sửa)",
        "rank": person.rank,
        "gender": person.gender,
        "slug": person.slug,
        "other_names": "[]",
        "source": "",
        "source_date": "",
    }
    for prefix in ("holdings", "memberships"):
        total = getattr(person, prefix).count()
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": total,
                f"{prefix}-INITIAL_FORMS": total,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 0,
            }
        )
        for index, row in enumerate(getattr(person, prefix).order_by("pk")):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-person"] = person.pk
    return client.post(f"/admin/members/person/{person.pk}/change/", data)


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "standing", "key"), PERSON_CELLS)
def test_person_change_in_the_admin(request, client, person_in, persona, standing, key):
    from members.models import Person

    person = person_in(standing, key)
    if persona != "anonymous":
        client.force_login(persona_user(request, persona))
    response = _post_person_change(client, person)
    changed = Person.objects.get(pk=person.pk).full_name.endswith("(đã sửa)")
    if may_change_person(persona, standing, key):
        assert response.status_code == 302, getattr(response, "context", None) and (
            response.context.get("errors")
        )
        assert changed
    else:
        assert not changed
        if persona in ("anonymous", "leader"):
            assert response.status_code == 302
            assert "/admin/login/" in response["Location"]
        else:
            assert response.status_code == 403


# --- Merging two records of one person: administrators only, whichever committees they sit on.

MERGE_OPERATIONS = ["merge_page", "merge", "action", "duplicates"]


@pytest.fixture
def two_records(groups, committee_a):
    from tests.factories import PersonFactory

    keep = PersonFactory(full_name="Lâm Đình Thắng")
    merge = PersonFactory(full_name="Lam Dinh Thang")
    membership_appoint(committee=committee_a, person=merge, reason="Thành lập")
    return keep, merge


def _merge_state(merge):
    merge.refresh_from_db()
    return merge.merged_into_id, Membership.objects.filter(person=merge).count()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_merge_through_the_service(request, two_records, persona):
    from members.person_merge import person_merge

    keep, merge = two_records
    user = persona_user(request, persona)
    before = _merge_state(merge), Membership.history.count()
    if persona == "superuser":
        person_merge(keep=keep, merge=merge, reason="Trùng hồ sơ", by=user)
        assert _merge_state(merge) == (keep.pk, 0)
    else:
        with pytest.raises(PermissionDenied):
            person_merge(keep=keep, merge=merge, reason="Trùng hồ sơ", by=user)
        assert (_merge_state(merge), Membership.history.count()) == before
    assert permissions.can_merge_people(user) is (persona == "superuser")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "operation"), [(p, o) for p in PERSONAS for o in MERGE_OPERATIONS]
)
def test_merge_through_the_admin(request, client, two_records, persona, operation):
    keep, merge = two_records
    if persona != "anonymous":
        client.force_login(persona_user(request, persona))
    ids = f"{keep.pk},{merge.pk}"
    if operation == "merge_page":
        response = client.get(f"/admin/members/person/merge/?ids={ids}")
        effect = response.status_code == 200 and "Lam Dinh Thang" in response.content.decode()
    elif operation == "merge":
        response = client.post(
            "/admin/members/person/merge/",
            {"ids": ids, "keep": keep.pk, "merge": [merge.pk], "reason": "Trùng hồ sơ"},
        )
        effect = _merge_state(merge) == (keep.pk, 0)
    elif operation == "action":
        response = client.post(
            "/admin/members/person/",
            {"action": "merge_into", "_selected_action": [keep.pk, merge.pk]},
        )
        effect = "/admin/members/person/merge/" in response.get("Location", "")
    else:
        response = client.get("/admin/members/person/duplicates/")
        effect = response.status_code == 200 and "Lam Dinh Thang" in response.content.decode()

    if persona == "superuser":
        assert response.status_code in (200, 302), response.status_code
        assert effect
    else:
        assert not effect
        assert _merge_state(merge) == (None, 1)
        if persona in ("anonymous", "leader"):
            assert response.status_code == 302
            assert "/admin/login/" in response["Location"]
        elif operation != "action":
            assert response.status_code == 403
