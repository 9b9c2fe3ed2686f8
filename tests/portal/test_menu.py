"""The site menu and the pages agree: every kind of user, with the public pages on and off, can
open each page the menu offers, and each page the menu leaves out refuses them (issue 12: a
focal point was refused the Committees and Search pages its menu showed)."""

import re

import pytest
from django.urls import reverse

from committees.permissions import grant_focal_point
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous", "signed_in", "focal_point", "leader", "city_staff", "secretariat_a", "superuser",
]  # fmt: skip
ENTRIES = {
    "committees": reverse("portal:committee-list"),
    "search": reverse("portal:search") + "?q=ban",
    "open-data": reverse("opendata:index"),
    "reports": reverse("reports:list"),
    "tasks": reverse("work:my-tasks"),
    "work-queue": reverse("notifications:queue"),
    "admin": reverse("admin:index"),
}
READERS = {"leader", "city_staff", "secretariat_a", "superuser"}


def _user(request, persona):
    if persona == "anonymous":
        return None
    if persona == "signed_in":
        return UserFactory(username="nguoidung")
    if persona == "focal_point":
        user = UserFactory(username="daumoi")
        grant_focal_point(user, AgencyFactory(slug="so-tttt"))
        return user
    return request.getfixturevalue(persona)


def _menu(html: str) -> set[str]:
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'data-nav="([a-z-]+)"', nav))


def _opens(client, url: str) -> bool:
    """The page answers, possibly through a redirect that is not to a login page (a focal point's
    task page leads to its agency's board)."""
    response = client.get(url)
    if response.status_code == 302 and "login" not in response["Location"]:
        response = client.get(response["Location"])
    return response.status_code == 200


def _expected(persona: str, public_pages: bool) -> set[str]:
    expected = set()
    if persona != "anonymous" or public_pages:
        expected |= {"committees", "search", "open-data"}
    if persona in READERS:
        expected |= {"reports", "tasks", "work-queue"}
    if persona == "focal_point":  # its agency's tasks, and its queue of them
        expected |= {"tasks", "work-queue"}
    if persona in {"city_staff", "secretariat_a", "superuser"}:  # staff accounts that read
        expected.add("admin")
    return expected


@pytest.mark.parametrize("public_pages", [True, False], ids=["public-on", "public-off"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_offers_exactly_the_pages_the_user_may_open(
    client, request, groups, committee_a, persona, public_pages, settings
):
    settings.PUBLIC_PAGES = public_pages
    user = _user(request, persona)
    if user is not None:
        client.force_login(user)
    # A visitor with the public pages off sees the menu on the login page only.
    start = "/" if user is not None or public_pages else reverse("login")
    response = client.get(start)
    assert response.status_code == 200
    offered = _menu(response.content.decode())
    assert offered == _expected(persona, public_pages)
    for name, url in ENTRIES.items():
        assert _opens(client, url) == (name in offered), name


@pytest.mark.parametrize("persona", ["signed_in", "focal_point"])
def test_a_signed_in_non_reader_reads_the_public_committee_page_with_the_public_pages_off(
    client, request, groups, committee_a, persona, settings
):
    settings.PUBLIC_PAGES = False
    client.force_login(_user(request, persona))
    response = client.get(reverse("portal:committee-detail", args=[committee_a.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert committee_a.name in html
    assert 'id="reports"' not in html  # the public page: no reports, no reader's fields
    assert "data-follow" not in html  # following (the work queue) is for readers


def test_a_signed_in_page_is_never_served_to_a_visitor_from_the_cache(client, groups, committee_a):
    """The public page cache holds visitors' pages only: a page drawn for a signed-in user names
    that user in its header."""
    from django.test import Client

    focal = Client()
    focal.force_login(_user(None, "focal_point"))
    url = reverse("portal:committee-detail", args=[committee_a.slug])
    assert "daumoi" in focal.get(url).content.decode()
    visitor = client.get(url)
    assert "daumoi" not in visitor.content.decode()
    assert visitor["X-Public-Page"] == "rendered"
    assert focal.get(url).has_header("X-Public-Page") is False
