"""A person's page shows what an exchange file gave of them (issue 17): life dates at their
precision, pictures, links, contact details (the page is for readers only), every source and
other names with their language and dates."""

import pytest
from django.urls import reverse
from django.utils import translation

from members.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> Person:
    return PersonFactory(
        full_name="Nguyễn Văn Được",
        birth_date="1963-04-01",
        birth_precision="month",
        death_date="2099-01-01",
        death_precision="year",
        image="https://example.org/duoc.jpg",
        images=[{"url": "https://example.org/duoc-2024.jpg", "note": "2024"}],
        links=[
            {"url": "https://example.org/duoc", "note": "Tiểu sử"},
            {"url": "javascript:alert(1)", "note": "bad"},
        ],
        contact_details=[{"type": "email", "value": "duoc@example.org", "label": "Văn phòng"}],
        other_names=[
            {"name": "Tư Được", "lang": "vi", "start_date": "1990", "end_date": "2000-06"}
        ],
        source="https://example.org/profile",
        sources=[{"url": "https://example.org/profile"}, {"note": "000_2a91e00bcaefebd8.txt"}],
    )


def test_a_reader_sees_dates_pictures_links_contacts_sources_and_dated_names(
    client, leader, person
):
    client.force_login(leader)
    with translation.override("vi"):
        response = client.get(reverse("portal:person-detail", args=[person.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<dd data-born>04/1963</dd>" in page
    assert "<dd data-died>2099</dd>" in page
    assert 'href="https://example.org/duoc.jpg"' in page
    assert 'href="https://example.org/duoc-2024.jpg"' in page
    assert 'href="https://example.org/duoc"' in page
    assert 'href="javascript' not in page  # shown as text, never as a link
    assert "Văn phòng: duoc@example.org" in page
    assert "000_2a91e00bcaefebd8.txt" not in page  # the article, never the file name
    assert "Ban Chỉ đạo về dữ liệu TPHCM có 32 thành viên" in page
    assert "Tư Được" in page
    assert "1990 \u2013 06/2000" in page
    assert "Sinh" in page
    assert "Nguồn" in page


def test_a_person_without_such_facts_has_no_empty_section(client, leader):
    person = PersonFactory(full_name="Trần Văn Ba", source="")
    client.force_login(leader)
    response = client.get(reverse("portal:person-detail", args=[person.slug]))
    assert "data-person-facts" not in response.content.decode()


def test_an_anonymous_visitor_does_not_see_contact_details(client, person):
    response = client.get(reverse("portal:person-detail", args=[person.slug]))
    assert "duoc@example.org" not in response.content.decode()


def test_a_committee_page_names_its_jurisdiction_and_no_empty_level(client, leader):
    from areas.models import Area
    from tests.factories import CommitteeFactory

    city = Area.objects.create(name="Thành phố Hồ Chí Minh", slug="tp-hcm-j", kind="city")
    committee = CommitteeFactory(level="", jurisdiction_area=city)
    client.force_login(leader)
    page = client.get(committee.get_absolute_url()).content.decode()
    assert "<span data-jurisdiction>Thành phố Hồ Chí Minh</span>" in page
    assert " · </p>" not in page
