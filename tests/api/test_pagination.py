"""The API lists' pages: 50 rows by page number, links to the pages before and after, no total
(counting every row of a city-scale table cost more than the page), and the schema says so."""

import pytest
from django.urls import reverse

from tests.factories import InstrumentFactory

pytestmark = pytest.mark.django_db


def test_a_list_pages_by_number_with_links_and_no_total(anonymous):
    for _index in range(120):
        InstrumentFactory()
    url = reverse("api:decision-list")
    first = anonymous.get(url).json()
    assert set(first) == {"next", "previous", "results"}
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert first["next"].endswith(f"{url}?page=2")
    last = anonymous.get(url, {"page": 3}).json()
    assert len(last["results"]) == 20
    assert last["next"] is None
    assert last["previous"].endswith(f"{url}?page=2")
    assert anonymous.get(url, {"page": 2}).json()["previous"].endswith(url)
    seen = {
        row["id"]
        for page in (1, 2, 3)
        for row in anonymous.get(url, {"page": page}).json()["results"]
    }
    assert len(seen) == 120  # every decision once, in a stable order


def test_the_links_keep_the_filters(anonymous):
    for _index in range(60):
        InstrumentFactory(kind="decision")
    response = anonymous.get(reverse("api:decision-list"), {"kind": "decision"}).json()
    assert "kind=decision" in response["next"]
    assert "page=2" in response["next"]


@pytest.mark.parametrize("page", ["4", "0", "abc", "-1", "9" * 30])
def test_a_page_that_does_not_exist_is_not_found(anonymous, page):
    for _index in range(120):
        InstrumentFactory()
    assert anonymous.get(reverse("api:decision-list"), {"page": page}).status_code == 404


def test_an_empty_list_is_one_empty_page(anonymous):
    body = anonymous.get(reverse("api:task-list")).json()
    assert body == {"next": None, "previous": None, "results": []}


def test_the_schema_describes_the_pages(anonymous):
    schema = anonymous.get(reverse("api:schema"), {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedDecisionList"]
    assert set(page["properties"]) == {"next", "previous", "results"}
    names = {p["name"] for p in schema["paths"]["/api/tasks/"]["get"]["parameters"]}
    assert "page" in names
