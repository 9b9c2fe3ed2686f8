"""Search, one rule for every box (committees/search.py): each folded word of the query begins
a word of a folded key, the same in the portal, the API and the admin; near spellings through
trigrams when nothing begins so; the word indexes are the ones PostgreSQL uses; the embedded
SQLite path finds the same rows; query counts stay fixed."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import Area
from committees import search
from committees.models import Agency, Committee, LegalInstrument
from committees.text import fold
from mandates.models import Mandate, Target
from members.models import Membership, Person, Position
from tests.committees.test_admin import admin_url
from tests.factories import (
    CommitteeFactory,
    InstrumentFactory,
    MandateFactory,
    MembershipFactory,
    PersonFactory,
)
from work.models import Meeting, Task

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = [Person, Position, Committee, Agency, LegalInstrument, Area, Mandate, Target, Meeting]
SEARCHED.append(Task)


def by_the_rule(keys: dict, query: str) -> set:
    """The rule written out: every folded word of the query begins a word of the key."""
    words = [w for w in re.split(r"[\W_]+", fold(query)) if w]
    return {
        pk
        for pk, key in keys.items()
        if all(any(part.startswith(w) for part in re.split(r"[\W_]+", key)) for w in words)
    }


def admin_pks(client, model, query: str) -> set[int]:
    response = client.get(admin_url(model, "changelist"), {"q": query})
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def api_slugs(client, name: str, query: str) -> set[str]:
    response = client.get(reverse(f"api:{name}-list"), {"q": query, "page_size": 100})
    assert response.status_code == 200
    return {row["slug"] for row in response.json()["results"]}


@pytest.mark.django_db
class TestWordPrefix:
    def test_ban_chi_dao_finds_the_steering_committees_in_every_box(
        self, client, superuser, seeded
    ):
        keys = dict(Committee.objects.values_list("pk", "search_key"))
        expected = by_the_rule(keys, "ban chi dao")
        data = Committee.objects.get(name="Ban Chỉ đạo về dữ liệu TPHCM")
        assert data.pk in expected
        assert len(expected) < len(keys)  # the other bodies (Tổ giúp việc BCĐ …) stay out
        assert {c.pk for c in search.begins(Committee.objects.all(), "ban chi dao")} == expected
        assert {c.pk for c in search.begins(Committee.objects.all(), "BAN CHỈ ĐẠO")} == expected
        slugs = set(Committee.objects.filter(pk__in=expected).values_list("slug", flat=True))
        assert api_slugs(client, "committee", "ban chi dao") == slugs
        html = client.get(reverse("portal:search"), {"q": "ban chi dao"}).content.decode()
        assert all(f'href="/committees/{slug}/"' in html for slug in slugs)
        client.force_login(superuser)
        assert admin_pks(client, Committee, "Ban Chỉ đạo") == expected

    def test_a_word_s_beginning_finds_nguyen_and_a_word_inside_a_word_does_not(
        self, client, superuser, seeded
    ):
        duoc = Person.objects.get(full_name="Nguyễn Văn Được")
        assert duoc in search.begins(Person.objects.all(), "nguy")
        assert "nguyen-van-duoc" in api_slugs(client, "person", "nguy")
        html = client.get(reverse("portal:search"), {"q": "Nguy"}).content.decode()
        assert 'href="/people/nguyen-van-duoc/"' in html
        # "an" begins "an", "anh"…, it is not a match inside "ban" or "đoàn".
        found = search.begins(Committee.objects.all(), "an")
        assert Committee.objects.get(name="Ban Chỉ đạo về dữ liệu TPHCM") not in found
        keys = dict(Committee.objects.values_list("pk", "search_key"))
        assert {c.pk for c in found} == by_the_rule(keys, "an")
        client.force_login(superuser)
        assert duoc.pk in admin_pks(client, Person, "nguy")
        seats = admin_pks(client, Membership, "nguy du lieu")  # a word each from two keys
        on_data = duoc.memberships.filter(committee__name="Ban Chỉ đạo về dữ liệu TPHCM")
        assert on_data.exists()
        assert set(on_data.values_list("pk", flat=True)) <= seats

    def test_punctuation_separates_words_and_d_with_stroke_is_d(self, superuser, client):
        decision = InstrumentFactory(number="2101/QĐ-UBND", title="Về việc kiện toàn Ban")
        PersonFactory(full_name="Đặng Đức Đông")
        assert fold("Đặng Đức Đông") == "dang duc dong"
        for query in ("2101", "qd ubnd", "QĐ-UBND", "2101/qđ"):
            assert list(search.begins(LegalInstrument.objects.all(), query)) == [decision], query
        for query in ("dang duc", "ĐẶNG ĐỨC ĐÔNG", "đông", "Đ Đ"):
            found = search.begins(Person.objects.all(), query)
            assert [p.full_name for p in found] == ["Đặng Đức Đông"], query
        # A query without letters or digits finds nothing; a blank one filters nothing.
        assert not search.begins(Person.objects.all(), "% _ '").exists()
        assert search.begins(Person.objects.all(), "  ").count() == Person.objects.count()

    def test_words_in_the_row_s_own_key_or_across_keys_both_begin(self):
        """`matching` asks the row's own key first: a row whose words lie across its own key
        and its committee's still counts as found, not as a typo to look near."""
        water = CommitteeFactory(name="Ban Chỉ đạo cấp nước")
        both = MandateFactory(committee=water, text="Phối hợp điều tiết nguồn")
        own = MandateFactory(committee=CommitteeFactory(), text="Điều tiết cấp nước vùng")
        MandateFactory(committee=CommitteeFactory(), text="Phối hợp tuyên truyền")
        fields = ("search_key", "committee__search_key")
        found = search.matching(Mandate.objects.all(), "dieu tiet nuoc", fields=fields)
        assert set(found) == {both, own}
        across = search.matching(Mandate.objects.all(), "phoi hop cap nuoc", fields=fields)
        assert list(across) == [both]
        assert "search_closeness" not in across.query.annotations  # not the typo fallback

    def test_a_typo_finds_near_spellings_through_trigrams(self, client, superuser, seeded):
        assert not search.begins(Person.objects.all(), "nguyen vna").exists()
        near = list(search.matching(Person.objects.all(), "nguyen vna"))
        assert near[0].full_name == "Nguyễn Văn Được"  # the closest first
        assert all(p.search_key.startswith("nguyen") for p in near)
        html = client.get(reverse("portal:search"), {"q": "nguyen vna"}).content.decode()
        assert 'href="/people/nguyen-van-duoc/"' in html
        assert "nguyen-van-duoc" in api_slugs(client, "person", "nguyen vna")
        client.force_login(superuser)
        assert near[0].pk in admin_pks(client, Person, "Nguyễn Vna")
        seats = admin_pks(client, Membership, "nguyen vna")
        assert set(near[0].memberships.values_list("pk", flat=True)) <= seats
        assert Membership.objects.filter(pk__in=seats).exclude(person__in=near).count() == 0
        # Nothing near: nothing found.
        assert not search.matching(Person.objects.all(), "zzzz qqqq").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", SEARCHED, ids=lambda m: m.__name__)
def test_postgres_answers_from_the_word_index(model):
    """The migrations' GIN indexes hold the expression the search asks for: were they to
    drift apart, PostgreSQL would read every row and this would fail."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    table = model._meta.db_table
    # Unordered: an index that serves the list's order would be another way not to scan.
    plan = search.begins(model.objects.order_by(), "ban chi").explain()
    assert f"{table}_search_words" in plan, plan
    plan = search.near(model.objects.order_by(), "ban chj").explain()
    assert f"{table}_search_words" in plan, plan


def _people_and_seats(rows: int) -> None:
    committee = CommitteeFactory(name="Ban Chỉ đạo đếm truy vấn")
    for index in range(rows):
        person = PersonFactory(full_name=f"Nguyễn Văn Được {index}")
        MembershipFactory(committee=committee, person=person)


def _queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as log:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(log.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["nguyen van", "nguyen vna", "ban chi dao"])
def test_search_query_counts_do_not_grow_with_rows(client, superuser, query):
    pages = [
        (reverse("portal:search"), {"q": query}),
        (reverse("portal:committee-list"), {"q": query}),
        (reverse("api:person-list"), {"q": query}),
        (admin_url(Person, "changelist"), {"q": query}),
        (admin_url(Membership, "changelist"), {"q": query}),
        (
            reverse("admin:autocomplete"),
            {
                "term": query,
                "app_label": "members",
                "model_name": "membership",
                "field_name": "person",
            },
        ),
    ]
    client.force_login(superuser)
    _people_and_seats(10)
    small = [_queries(client, url, params) for url, params in pages]
    _people_and_seats(190)
    assert Membership.objects.count() >= 200
    large = [_queries(client, url, params) for url, params in pages]
    assert small == large


SQLITE_SCRIPT = r"""
import json
from demo.seeding import load_seeds
from tests.committees.test_search import found_slugs

load_seeds()
print("RESULT " + json.dumps(found_slugs()))
"""

QUERIES = ["ban chi dao", "nguy", "an", "du lieu", "qd ubnd", "dang", "to giup viec", "tp hcm"]


def found_slugs() -> dict:
    models = {"people": Person, "committees": Committee, "agencies": Agency}
    found = {
        f"{name} {query}": sorted(
            search.begins(model.objects.all(), query).values_list("slug", flat=True)
        )
        for query in QUERIES
        for name, model in models.items()
    }
    for query in QUERIES:
        found[f"decisions {query}"] = sorted(
            search.begins(LegalInstrument.objects.all(), query).values_list("number", flat=True)
        )
    return {"vendor": connection.vendor, "found": found}


@pytest.mark.django_db
def test_the_embedded_sqlite_path_finds_what_postgres_finds(seeded, tmp_path):
    on_postgres = found_slugs()
    assert on_postgres["vendor"] == "postgresql"
    assert on_postgres["found"]["committees ban chi dao"]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_VAR_DIR"] = str(tmp_path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [*manage, "shell", "-c", SQLITE_SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    on_sqlite = json.loads(line.removeprefix("RESULT "))
    assert on_sqlite["vendor"] == "sqlite"
    assert on_sqlite["found"] == on_postgres["found"]
