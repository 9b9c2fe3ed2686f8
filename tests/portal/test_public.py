"""The public pages: what an anonymous visitor reads, that it is the API's public fields and
nothing more, the switch that turns them off, and the page cache under the registry revision."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Committee
from members.models import Membership, Person
from portal.revision import registry_revision, registry_revision_bump
from tests.factories import CommitteeFactory, MembershipFactory, PersonFactory, UserFactory
from tests.portal.helpers import DATA_COMMITTEE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_revision():
    """A test's pages are never served from another test's cache (rolled-back rows)."""
    registry_revision_bump()


def committee_url(slug: str) -> str:
    return reverse("portal:committee-detail", args=[slug])


def test_it_serves_the_directory_at_home_to_anonymous_visitors(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-home-intro" in html
    assert "Ban Chỉ đạo về dữ liệu TPHCM" in html
    assert reverse("opendata:index") in html
    assert reverse("login") in html  # a way in for staff


@pytest.mark.parametrize(
    "url",
    [
        "/committees/",
        f"/committees/{DATA_COMMITTEE}/",
        "/people/nguyen-van-duoc/",
        "/search/?q=nguyen",
    ],
)
def test_it_shows_public_pages_to_anonymous_visitors(client, seeded, url):
    assert client.get(url).status_code == 200


def test_it_sends_anonymous_visitors_to_log_in_when_public_pages_are_off(client, seeded, settings):
    settings.PUBLIC_PAGES = False
    for url in ("/", f"/committees/{DATA_COMMITTEE}/", "/open-data/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_it_shows_exactly_the_api_public_fields_on_the_public_committee_page(client, seeded):
    committee = Committee.objects.get(slug=DATA_COMMITTEE)
    seat = Membership.objects.filter(committee=committee).select_related("person").first()
    seat.end_note = "Ghi chú nội bộ không công khai"
    seat.save(update_fields=["end_note"])
    person = seat.person
    person.gender = Person.Gender.FEMALE
    person.save(update_fields=["gender"])

    api = client.get(reverse("api:membership-list"), {"committee": DATA_COMMITTEE}).json()
    public = {row["person_name"] for row in api["results"] if row["end"] is None}
    restricted = {"source_date", "end_note", "version", "gender"}
    assert not restricted & set(api["results"][0])  # the API's anonymous fields

    html = client.get(committee_url(DATA_COMMITTEE)).content.decode()
    table = html.split('class="data-table roster-table"', 1)[1].split("</table>", 1)[0]
    shown = set(re.findall(r'class="strong">([^<]+)</a>', table))
    assert shown == public
    assert "Ghi chú nội bộ không công khai" not in html
    assert ".txt" not in html  # no internal source file names
    assert "data-edit-link" not in html
    assert 'id="reports"' not in html
    person_html = client.get(person.get_absolute_url()).content.decode()
    assert person.full_name in person_html
    assert "Ghi chú nội bộ không công khai" not in person_html
    assert "Nữ" not in person_html
    assert "female" not in person_html


def test_signed_in_readers_see_the_reader_page_uncached(client, seeded, leader):
    client.force_login(leader)
    response = client.get(committee_url(DATA_COMMITTEE))
    assert "X-Public-Page" not in response
    assert 'id="reports"' in response.content.decode()


def test_it_caches_public_pages_until_the_registry_changes(
    client, seeded, django_capture_on_commit_callbacks
):
    url = committee_url(DATA_COMMITTEE)
    first = client.get(url)
    assert first["X-Public-Page"] == "rendered"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second["X-Public-Page"] == "cached"
    assert len(queries) == 0
    before = registry_revision()
    committee = Committee.objects.get(slug=DATA_COMMITTEE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        newcomer = PersonFactory(full_name="Trần Văn Mới")
        MembershipFactory(committee=committee, person=newcomer, start_date=dt.date(2024, 1, 1))
        assert registry_revision() == before  # not before the rows are committed
    assert len(callbacks) == 1  # once for the whole transaction
    assert registry_revision() != before
    third = client.get(url)
    assert third["X-Public-Page"] == "rendered"
    assert "Trần Văn Mới" in third.content.decode()


def test_it_answers_not_modified_to_a_known_etag(client, seeded):
    url = committee_url(DATA_COMMITTEE)
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    registry_revision_bump()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_each_visitor_of_a_cached_page_gets_a_working_language_switch(seeded):
    from django.test import Client

    url = committee_url(DATA_COMMITTEE)
    Client(enforce_csrf_checks=True).get(url)  # renders and caches the page
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page["X-Public-Page"] == "cached"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = visitor.post(
        reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert "Members declared" in visitor.get(url).content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_the_public_committee_page_costs_the_same_queries_whatever_its_size(
    client, size, django_assert_num_queries
):
    committee = CommitteeFactory(slug=f"ban-{size}")
    for _ in range(size):
        MembershipFactory(committee=committee)
    registry_revision_bump()
    with django_assert_num_queries(PUBLIC_COMMITTEE_PAGE_QUERIES):
        assert client.get(committee_url(committee.slug)).status_code == 200


PUBLIC_COMMITTEE_PAGE_QUERIES = 9  # the roster and its changes a page at a time


def test_a_signed_in_non_reader_reads_the_public_pages(client, seeded):
    client.force_login(UserFactory(username="nguoidan"))
    response = client.get(committee_url(DATA_COMMITTEE))
    assert response.status_code == 200
    assert 'id="reports"' not in response.content.decode()


def test_search_results_say_who_people_are(client, seeded):
    html = client.get(reverse("portal:search"), {"q": "nguyen van duoc"}).content.decode()
    seats = re.search(r"data-result-seats>(.*?)</div>", html, re.S)[1]
    assert "Trưởng ban" in seats
    assert "Ban Chỉ đạo về dữ liệu TPHCM" in seats
    assert "Chủ tịch UBND" in re.search(r"data-result-posts>(.*?)</div>", html, re.S)[1]


def test_a_past_roster_warns_about_members_whose_start_is_unknown(client, seeded):
    past = client.get(committee_url(DATA_COMMITTEE), {"as_of": "2020-01-01"}).content.decode()
    assert "data-unknown-starts" in past
    assert "4 thành viên trong danh sách không có ngày bắt đầu" in past
    today = client.get(committee_url(DATA_COMMITTEE)).content.decode()
    assert "data-unknown-starts" not in today


def test_the_date_box_keeps_the_day_asked_in_either_form(client, seeded):
    for asked in ("14/01/2026", "2026-01-14"):
        html = client.get(committee_url(DATA_COMMITTEE), {"as_of": asked}).content.decode()
        assert re.search(r'<input type="text" name="as_of" value="14/01/2026"', html), asked
        assert "14/01/2026" in html
