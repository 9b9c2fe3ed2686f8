"""The admin city staff browse: every page renders, search ignores accents, query counts stay fixed."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.admin_base import LimitedCountPaginator
from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.text import fold
from mandates.models import Mandate, Measurement, Target
from members.models import (
    Membership,
    PendingSeatChange,
    Person,
    Position,
    PositionHolding,
    Role,
)
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
)

REGISTRY_APPS = {"committees", "members", "mandates"}
REGISTRY_MODELS = [m for m in admin.site._registry if m._meta.app_label in REGISTRY_APPS]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def with_measurement(seeded):
    target = Target.objects.filter(committee__slug="bcd-chuyen-doi-so-tphcm").first()
    return MeasurementFactory(target=target, value=80, date=dt.date(2022, 12, 31))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["superuser", "city_staff"])
def test_every_changelist_and_change_page_renders_with_the_demo_data(
    client, request, persona, with_measurement
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert REGISTRY_MODELS, "the registry's models are registered in the admin"
    for model in REGISTRY_MODELS:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model
        obj = model.objects.order_by("pk").first()
        if obj is None:  # e.g. pending changes: the demo data has none
            continue
        response = client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200, model
        if persona == "city_staff":
            assert b'name="_save"' not in response.content, (
                f"{model} must be read-only for city staff"
            )


@pytest.mark.django_db
def test_city_staff_cannot_change_anything(client, city_staff, seeded):
    client.force_login(city_staff)
    committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
    response = client.post(admin_url(Committee, "change", committee.pk), {"name": "Đã đổi"})
    assert response.status_code == 403
    committee.refresh_from_db()
    assert committee.name == "Ban Chỉ đạo về dữ liệu TPHCM"
    assert client.get(admin_url(Person, "add")).status_code == 403


@pytest.mark.django_db
def test_the_committee_page_shows_roster_lineage_and_counts(client, superuser, seeded):
    client.force_login(superuser)
    committee = Committee.objects.get(slug="bcd-chuyen-doi-so-tphcm")
    page = client.get(admin_url(Committee, "change", committee.pk)).content.decode()
    assert "Phan Văn Mãi" in page
    assert "Dương Anh Đức" in page
    assert page.index("Phan Văn Mãi") < page.index("Dương Anh Đức") < page.index("Lê Hồng Nam")
    assert "BCĐ đô thị thông minh" in page
    assert "BCĐ chính quyền điện tử" in page
    assert "Tổ giúp việc BCĐ chuyển đổi số" in page
    assert "Tỷ lệ người dân có điện thoại thông minh" in page
    assert "<strong>23</strong>" in page
    assert "<strong>4</strong>" in page
    assert "<strong>19</strong>" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["nguyen van duoc", "NGUYEN VAN DUOC", "Nguyễn Văn Được", "van duoc"]
)
def test_admin_search_ignores_accents_and_case(client, superuser, seeded, query):
    client.force_login(superuser)
    page = client.get(admin_url(Person, "changelist"), {"q": query}).content.decode()
    assert "Nguyễn Văn Được" in page
    assert "Phan Văn Mãi" not in page
    memberships = client.get(admin_url(Membership, "changelist"), {"q": query}).content.decode()
    assert "BCĐ dữ liệu" in memberships


@pytest.mark.django_db
def test_committee_search_ignores_accents(client, superuser, seeded):
    client.force_login(superuser)
    page = client.get(
        admin_url(Committee, "changelist"), {"q": "ban chi dao ve du lieu"}
    ).content.decode()
    assert "Ban Chỉ đạo về dữ liệu TPHCM" in page
    assert "Tổ giúp việc BCĐ chuyển đổi số" not in page


def changelist_pks(client, model, query: str) -> set[int]:
    response = client.get(admin_url(model, "changelist"), {"q": query})
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["du lieu", "DU LIEU", "dữ liệu"])
def test_mandate_search_ignores_accents(client, superuser, seeded, query):
    client.force_login(superuser)
    data_committee = set(
        Mandate.objects.filter(committee__slug="bcd-du-lieu-tphcm").values_list("pk", flat=True)
    )
    assert data_committee
    found = changelist_pks(client, Mandate, query)
    assert data_committee <= found
    # Every hit says "dữ liệu", in its text or in its committee's name.
    for mandate in Mandate.objects.filter(pk__in=found).select_related("committee"):
        assert "dữ liệu" in f"{mandate.text} {mandate.committee.name}".lower(), mandate
    assert changelist_pks(client, Mandate, "du lieu") == changelist_pks(client, Mandate, "dữ liệu")


@pytest.mark.django_db
def test_target_and_measurement_search_ignore_accents(client, superuser, with_measurement):
    client.force_login(superuser)
    smartphones = Target.objects.get(indicator="Tỷ lệ người dân có điện thoại thông minh")
    MeasurementFactory(target=smartphones, value=70, date=dt.date(2022, 6, 30))
    assert changelist_pks(client, Target, "dien thoai") == {smartphones.pk}
    assert changelist_pks(client, Target, "điện thoại") == {smartphones.pk}
    assert smartphones.pk in changelist_pks(client, Target, "chuyen doi so")
    assert changelist_pks(client, Measurement, "dien thoai thong minh") == set(
        Measurement.objects.filter(target=smartphones).values_list("pk", flat=True)
    )
    assert not changelist_pks(client, Target, "khong co chi tieu nay")


@pytest.mark.django_db
def test_the_seeded_mandates_and_targets_carry_their_search_keys(seeded):
    assert Mandate.objects.exists()
    assert Target.objects.exists()
    for mandate in Mandate.objects.all():
        assert mandate.search_key == fold(mandate.text)
    for target in Target.objects.all():
        assert target.search_key == fold(target.indicator)


@pytest.mark.django_db
def test_the_data_migration_fills_missing_search_keys(seeded):
    """Rows made before the key existed (or bulk-created without it) get it from the migration."""
    fill = importlib.import_module("mandates.migrations.0003_fill_search_key").fill
    Mandate.objects.update(search_key="")
    Target.objects.update(search_key="")
    fill(django_apps, None)
    assert not Mandate.objects.filter(search_key="").exists()
    mandate = Mandate.objects.filter(committee__slug="bcd-du-lieu-tphcm").first()
    assert mandate.search_key == fold(mandate.text)
    target = Target.objects.get(indicator="Tỷ lệ người dân có điện thoại thông minh")
    assert target.search_key == "ty le nguoi dan co dien thoai thong minh"


@pytest.mark.django_db
def test_autocomplete_finds_people_without_accents(client, superuser, seeded):
    client.force_login(superuser)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "duoc",
            "app_label": "members",
            "model_name": "membership",
            "field_name": "person",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Nguyễn Văn Được"]


# --- query discipline -------------------------------------------------------------------------


def build_rows(model, n: int):
    """n rows of the model, with their related rows, for the changelist count test."""
    committee = CommitteeFactory()
    makers = {
        Agency: lambda: AgencyFactory.create_batch(n, parent=AgencyFactory()),
        LegalInstrument: lambda: InstrumentFactory.create_batch(n),
        Committee: lambda: CommitteeFactory.create_batch(n),
        Succession: lambda: SuccessionFactory.create_batch(n),
        Person: lambda: PersonFactory.create_batch(n),
        Position: lambda: PositionFactory.create_batch(n),
        PositionHolding: lambda: HoldingFactory.create_batch(n),
        Membership: lambda: MembershipFactory.create_batch(
            n, committee=committee, position=PositionFactory()
        ),
        Mandate: lambda: [
            m.legal_basis.add(InstrumentFactory()) or m
            for m in MandateFactory.create_batch(n, committee=committee)
        ],
        Target: lambda: TargetFactory.create_batch(
            n, committee=committee, responsible_agency=AgencyFactory()
        ),
        Measurement: lambda: MeasurementFactory.create_batch(n),
        PendingSeatChange: lambda: [
            PendingSeatChange.objects.create(
                committee=committee,
                membership=MembershipFactory(committee=committee, position=position),
                position=position,
                new_holding=HoldingFactory(position=position),
            )
            for position in PositionFactory.create_batch(n)
        ],
    }
    return makers[model]()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(client, superuser, model):
    client.force_login(superuser)
    build_rows(model, 10)
    small = count_queries(client, admin_url(model, "changelist"))
    build_rows(model, 190)
    assert model.objects.count() >= 200
    large = count_queries(client, admin_url(model, "changelist"))
    assert small == large


def committee_with(n: int, *, lineage: int, groups: int) -> Committee:
    """A committee with n seats, `lineage` predecessors and successors each (with decisions),
    and `groups` support groups with a seat each."""
    committee = CommitteeFactory()
    MembershipFactory.create_batch(
        n, committee=committee, position=PositionFactory(), appointed_by=InstrumentFactory()
    )
    for mandate in MandateFactory.create_batch(3, committee=committee):
        mandate.legal_basis.add(InstrumentFactory())
    for target in TargetFactory.create_batch(3, committee=committee):
        MeasurementFactory(target=target)
    for _ in range(lineage):
        SuccessionFactory(successor=committee, instrument=InstrumentFactory())
        SuccessionFactory(predecessor=committee, instrument=InstrumentFactory())
    for group in SupportGroupFactory.create_batch(groups, parent=committee):
        MembershipFactory(committee=group, position=PositionFactory())
    return committee


@pytest.mark.django_db
def test_committee_change_page_query_count_does_not_grow_with_the_roster(client, superuser):
    client.force_login(superuser)
    small = count_queries(
        client, admin_url(Committee, "change", committee_with(10, lineage=1, groups=1).pk)
    )
    large_committee = committee_with(200, lineage=20, groups=20)
    response = client.get(admin_url(Committee, "change", large_committee.pk))
    # The page really lists every successor and support group it was given.
    successors = Succession.objects.filter(predecessor=large_committee).select_related("successor")
    assert all(str(step.successor) in response.content.decode() for step in successors)
    assert response.content.decode().count("Tổ giúp việc số") >= 20
    large = count_queries(client, admin_url(Committee, "change", large_committee.pk))
    assert small == large


@pytest.mark.django_db
def test_the_successions_inline_is_read_only(client, superuser):
    """Lineage is edited in its own admin; the committee page only lists it (and links to it)."""
    client.force_login(superuser)
    committee = committee_with(1, lineage=2, groups=0)
    page = client.get(admin_url(Committee, "change", committee.pk)).content.decode()
    step = Succession.objects.filter(predecessor=committee).first()
    assert admin_url(Succession, "change", step.pk) in page
    assert 'name="successions_out-0-successor"' not in page
    assert 'name="successions_out-TOTAL_FORMS" value="2"' in page
    assert 'name="successions_out-MAX_NUM_FORMS" value="0"' in page


@pytest.mark.django_db
def test_person_and_membership_change_pages_have_fixed_query_counts(client, superuser):
    client.force_login(superuser)

    def person_with(n):
        person = PersonFactory()
        for _ in range(n):
            MembershipFactory(person=person, position=PositionFactory())
            HoldingFactory(person=person)
        return person

    assert count_queries(client, admin_url(Person, "change", person_with(10).pk)) == count_queries(
        client, admin_url(Person, "change", person_with(200).pk)
    )
    position = PositionFactory()
    HoldingFactory.create_batch(10, position=position)
    small = count_queries(client, admin_url(Position, "change", position.pk))
    HoldingFactory.create_batch(190, position=position)
    assert small == count_queries(client, admin_url(Position, "change", position.pk))


def test_the_committee_form_sends_a_rename_to_the_decision_form(client, superuser, committee_a):
    client.force_login(superuser)
    page = client.get(reverse("admin:committees_committee_change", args=[committee_a.pk]))
    assert "Để đổi tên cơ quan, hãy ghi nhận quyết định đổi tên" in page.content.decode()


def ended_seats(committee: Committee, n: int) -> list[Membership]:
    return MembershipFactory.create_batch(
        n,
        committee=committee,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
        end_reason=Membership.EndReason.TERM_ENDED,
    )


@pytest.mark.django_db
def test_the_committee_page_shows_current_seats_a_page_at_a_time(client, superuser):
    """Open seats only, 50 a page, by role; ended seats counted and a link away."""
    client.force_login(superuser)
    committee = CommitteeFactory()
    head = MembershipFactory(committee=committee, role=Role.HEAD)
    MembershipFactory.create_batch(59, committee=committee)
    gone = ended_seats(committee, 3)
    url = admin_url(Committee, "change", committee.pk)
    page = client.get(url).content.decode()
    assert 'name="memberships-TOTAL_FORMS" value="50"' in page
    assert page.index(head.person.full_name) < page.index("60 ghế hiện tại")
    assert all(seat.person.full_name not in page for seat in gone)
    assert "?seats=2#memberships-group" in page
    history = (
        f"{admin_url(Membership, 'changelist')}?committee__id__exact={committee.pk}&amp;active=no"
    )
    assert f'href="{history}">3 ghế đã kết thúc</a>' in page
    assert admin_url(Committee, "timeline", committee.pk) in page
    second = client.get(f"{url}?seats=2").content.decode()
    assert 'name="memberships-TOTAL_FORMS" value="10"' in second
    assert head.person.full_name not in second
    listed = client.get(history.replace("&amp;", "&")).content.decode()
    assert all(seat.person.full_name in listed for seat in gone)
    assert head.person.full_name not in listed


@pytest.mark.django_db
def test_an_administrator_saves_the_committee_from_a_later_page_of_seats(client, superuser):
    client.force_login(superuser)
    committee = CommitteeFactory()
    MembershipFactory.create_batch(55, committee=committee)
    url = admin_url(Committee, "change", committee.pk) + "?seats=2"
    formset = client.get(url).context["inline_admin_formsets"][0].formset
    shown = [form.instance.pk for form in formset.forms]
    assert len(shown) == 5
    data = {
        "name": "Ban Chỉ đạo đã sửa",
        "slug": committee.slug,
        "kind": committee.kind,
        "level": committee.level,
        "founded_precision": "day",
        "dissolved_precision": "day",
        "memberships-TOTAL_FORMS": 5,
        "memberships-INITIAL_FORMS": 5,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 0,
    }
    for index, pk in enumerate(shown):
        data[f"memberships-{index}-id"] = pk
        data[f"memberships-{index}-committee"] = committee.pk
    for prefix in ("mandates", "targets", "successions_out"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    committee.refresh_from_db()
    assert committee.name == "Ban Chỉ đạo đã sửa"
    assert Membership.objects.filter(committee=committee, end_date__isnull=True).count() == 55


@pytest.mark.django_db
def test_the_committee_page_query_count_does_not_grow_with_history(client, superuser):
    client.force_login(superuser)
    small = CommitteeFactory()
    MembershipFactory.create_batch(5, committee=small)
    ended_seats(small, 2)
    large = CommitteeFactory()
    MembershipFactory.create_batch(120, committee=large)
    ended_seats(large, 300)
    client.get(admin_url(Committee, "change", small.pk))
    assert count_queries(client, admin_url(Committee, "change", small.pk)) == count_queries(
        client, admin_url(Committee, "change", large.pk)
    )


@pytest.mark.django_db
def test_the_committee_list_counts_and_sorts_by_open_seats(client, superuser):
    client.force_login(superuser)
    few, many, none = CommitteeFactory(), CommitteeFactory(), CommitteeFactory()
    MembershipFactory.create_batch(2, committee=few)
    ended_seats(few, 4)
    MembershipFactory.create_batch(5, committee=many)
    url = admin_url(Committee, "changelist")
    response = client.get(url)
    counts = {c.pk: c.active_count for c in response.context["cl"].result_list}
    assert counts == {few.pk: 2, many.pk: 5, none.pk: 0}
    index = admin.site._registry[Committee].list_display.index("actual_count") + 1
    ordered = client.get(f"{url}?o=-{index}").context["cl"].result_list
    assert [c.pk for c in ordered] == [many.pk, few.pk, none.pk]
    assert client.get(f"{url}?founded_on__year=2020").status_code == 200


@pytest.mark.django_db
def test_a_long_list_is_counted_up_to_a_limit(client, superuser, monkeypatch):
    """Beyond the limit the list says "more than", and still pages; below it, the exact count."""
    monkeypatch.setattr(LimitedCountPaginator, "limit", 55)
    client.force_login(superuser)
    PersonFactory.create_batch(40)
    url = admin_url(Person, "changelist")
    assert "40 nhân sự" in client.get(url).content.decode()
    PersonFactory.create_batch(20)
    small = count_queries(client, url)
    assert "hơn 55 nhân sự" in client.get(url).content.decode()
    assert "hơn 55 kết quả" in client.get(f"{url}?q=nguyen").content.decode()
    assert len(client.get(f"{url}?p=2").context["cl"].result_list) == 10
    PersonFactory.create_batch(100)
    assert count_queries(client, url) == small
