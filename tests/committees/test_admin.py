"""The admin city staff browse: every page renders, search ignores accents, query counts stay fixed."""

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Agency, Committee, LegalInstrument, Succession
from mandates.models import Mandate, Measurement, Target
from members.models import Membership, PendingSeatChange, Person, Position, PositionHolding
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


def committee_with(n: int) -> Committee:
    committee = CommitteeFactory()
    MembershipFactory.create_batch(
        n, committee=committee, position=PositionFactory(), appointed_by=InstrumentFactory()
    )
    for mandate in MandateFactory.create_batch(3, committee=committee):
        mandate.legal_basis.add(InstrumentFactory())
    for target in TargetFactory.create_batch(3, committee=committee):
        MeasurementFactory(target=target)
    SuccessionFactory(successor=committee)
    CommitteeFactory(kind=Committee.Kind.SUPPORT_GROUP, parent=committee)
    return committee


@pytest.mark.django_db
def test_committee_change_page_query_count_does_not_grow_with_the_roster(client, superuser):
    client.force_login(superuser)
    small = count_queries(client, admin_url(Committee, "change", committee_with(10).pk))
    large = count_queries(client, admin_url(Committee, "change", committee_with(200).pk))
    assert small == large


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
