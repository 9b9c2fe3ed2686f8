"""Search, one rule for every box (committees/search.py): each folded word of the query begins
a word of a folded key, the same in the portal, the API and the admin; near spellings through
trigrams when nothing begins so; the word indexes are the ones PostgreSQL uses; the embedded
SQLite path finds the same rows; query counts stay fixed."""

import datetime as dt
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
from committees.admin_base import LimitedCountPaginator
from committees.models import Agency, Committee, LegalInstrument
from committees.text import fold
from mandates.models import Mandate, Target
from members.models import Membership, Person, Position
from records import writes
from records.writes import create_with_history
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


def _tasks(committee, texts: list[str], *, deadline=dt.date(2026, 6, 30)) -> list[Task]:
    tasks = [
        Task(
            committee=committee,
            text=text,
            source_kind=Task.SourceKind.MEETING,
            deadline=deadline,
            deadline_last_day=deadline + dt.timedelta(days=n % 300),
            search_key=fold(text),
        )
        for n, text in enumerate(texts)
    ]
    return create_with_history(Task, tasks, reason="Thử tìm kiếm")


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_a_common_word_walks_the_list_s_order_and_stops_at_its_page(client, superuser, monkeypatch):
    """A word in most tasks: the admin's page walks the list's ordering index, testing each
    task's stored words (no words computed, no set of every match built) until its 50 rows;
    the capped count reads the table once and stops at the cap."""
    monkeypatch.setattr(LimitedCountPaginator, "limit", 1000)
    data = CommitteeFactory(name="Ban Chỉ đạo về dữ liệu số")
    other = CommitteeFactory(name="Hội đồng thi đua")
    _tasks(data, [f"Báo cáo tiến độ số {n}" for n in range(600)])  # "dữ liệu" in the committee
    _tasks(other, [f"Xây dựng cơ sở dữ liệu dân cư {n}" for n in range(1400)])  # in the task
    _tasks(other, [f"Tổng kết công tác thi đua {n}" for n in range(600)])  # in neither
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE work_task")
        # Only the choice that matters is left: the word index's set of matches, or the walk.
        cursor.execute("SET LOCAL enable_seqscan = off")
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as log:
        response = client.get(admin_url(Task, "changelist"), {"q": "DỮ LIỆU"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50
    assert "hơn 1000" in response.content.decode()
    sql = [q["sql"] for q in log.captured_queries if '"work_task"' in q["sql"]]
    page = next(s for s in sql if s.endswith("LIMIT 50"))
    count = next(s for s in sql if s.startswith("SELECT COUNT(*)"))
    reads_of_tasks = re.compile(r" on work_task\b(?!_)")
    plan = _plan(page)
    assert "Index Scan using work_task_deadline on work_task" in plan, plan
    assert "search_words @@" in plan, plan
    assert "to_tsvector" not in plan, plan
    assert len(reads_of_tasks.findall(plan)) == 1, plan  # no subquery over every task
    plan = _plan(count)
    assert plan.splitlines()[1].lstrip(" ->").startswith("Limit"), plan
    assert "to_tsvector" not in plan, plan
    assert len(reads_of_tasks.findall(plan)) == 1, plan


@pytest.mark.django_db
def test_a_rare_word_is_asked_of_the_word_index(client, superuser):
    """A word in few tasks' own keys: the tasks holding it are asked of the word index (a
    few rows), not found by reading every task's words to count them."""
    other = CommitteeFactory(name="Hội đồng thi đua")
    _tasks(other, [f"Tổng kết công tác thi đua {n}" for n in range(2000)])
    _tasks(other, ["Số hóa hồ sơ hộ tịch", "Cấp bản sao hộ tịch"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE work_task")
        # Only the choice that matters is left: the word index, or every task's words.
        cursor.execute("SET LOCAL enable_seqscan = off")
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as log:
        response = client.get(admin_url(Task, "changelist"), {"q": "HỘ TỊCH"})
    assert response.status_code == 200
    found = {task.text for task in response.context["cl"].result_list}
    assert found == {"Số hóa hồ sơ hộ tịch", "Cấp bản sao hộ tịch"}
    count = next(q["sql"] for q in log.captured_queries if q["sql"].startswith("SELECT COUNT"))
    plan = _plan(count)
    assert "Bitmap Index Scan on work_task_search_words" in plan, plan


@pytest.mark.django_db
def test_lists_across_keys_find_what_the_rule_finds(client, superuser):
    """The admin's meetings and tasks (their own key, or their committee's): the same rows
    as the rule written out, diacritics and case folded, a word from each key or both."""
    data = CommitteeFactory(name="Ban Chỉ đạo Chuyển đổi số")
    water = CommitteeFactory(name="Hội đồng Cấp nước")
    _tasks(data, ["Hoàn thiện cơ sở dữ liệu đất đai", "Đánh giá chỉ số", "Báo cáo Quý I"])
    _tasks(water, ["Cấp nước sạch nông thôn", "Dữ liệu đồng hồ nước", "Điều tiết nguồn"])
    for committee, title in [
        (data, "Phiên họp thường kỳ Quý I"),
        (water, "Phiên họp chuyên đề nước sạch"),
        (water, "Hội nghị tổng kết"),
    ]:
        Meeting.objects.create(
            committee=committee, title=title, date=dt.date(2026, 3, 1), search_key=fold(title)
        )
    client.force_login(superuser)
    queries = ["DỮ LIỆU", "du lieu", "ban chi dao", "chuyen so quy", "nuoc sach", "điều"]
    queries += ["phiên họp nước", "hoi dong", "cap", "chi"]
    for model in (Task, Meeting):
        keys = {
            pk: f"{own} {committee}"
            for pk, own, committee in model.objects.values_list(
                "pk", "search_key", "committee__search_key"
            )
        }
        fields = ("search_key", "committee__search_key")
        for query in queries:
            expected = by_the_rule(keys, query)
            assert admin_pks(client, model, query) == expected, (model.__name__, query)
            for common in (True, False):  # the own key tested in place, or asked as a set
                found = search.begins(model.objects.all(), query, fields=fields, common=common)
                assert {row.pk for row in found} == expected, (model.__name__, query, common)
    found = Task.objects.filter(pk__in=admin_pks(client, Task, "DỮ LIỆU"))
    assert set(found.values_list("text", flat=True)) == {
        "Hoàn thiện cơ sở dữ liệu đất đai",
        "Dữ liệu đồng hồ nước",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("threshold", [1, 10_000], ids=["copy", "bulk_create"])
def test_the_stored_words_follow_every_write(monkeypatch, threshold):
    """The words are a column the database keeps from the key: rows written by COPY or by
    bulk_create, saved, or updated in bulk are found by their words now, not their old ones."""
    monkeypatch.setattr(writes, "COPY_THRESHOLD", threshold)
    committee = CommitteeFactory(name="Tổ công tác")
    first, second = _tasks(committee, ["Rà soát hồ sơ đất đai", "Kiểm kê tài sản công"])
    assert list(search.begins(Task.objects.all(), "ho so dat")) == [first]
    first.text = "Số hóa hồ sơ hộ tịch"
    first.search_key = fold(first.text)
    first.save()
    Task.objects.filter(pk=second.pk).update(search_key=fold("Kiểm tra đất công"))
    assert list(search.begins(Task.objects.all(), "ho tich")) == [first]
    assert list(search.begins(Task.objects.all(), "dat")) == [second]
    assert not search.begins(Task.objects.all(), "tai san").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM work_task WHERE search_words IS DISTINCT FROM "
            "strip(to_tsvector('simple', regexp_replace(search_key, '[^[:alnum:]]+', ' ', 'g')))"
        )
        assert cursor.fetchone()[0] == 0


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
    for url, params in pages:  # once uncounted: process-wide caches (content types) fill here
        client.get(url, params)
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
        # Lists with a key of their own and one across a relation (the admin's posts, mandates).
        posts = search.begins(
            Position.objects.select_related("agency"),
            query,
            fields=("search_key", "agency__search_key"),
        )
        found[f"posts {query}"] = sorted(f"{p.title} ({p.agency.name})" for p in posts)
        mandates = search.begins(
            Mandate.objects.all(), query, fields=("search_key", "committee__search_key")
        )
        found[f"mandates {query}"] = sorted(mandates.values_list("text", flat=True))
    return {"vendor": connection.vendor, "found": found}


@pytest.mark.django_db
def test_the_embedded_sqlite_path_finds_what_postgres_finds(seeded, tmp_path):
    on_postgres = found_slugs()
    assert on_postgres["vendor"] == "postgresql"
    assert on_postgres["found"]["committees ban chi dao"]
    for name in ("posts", "mandates"):  # a list across keys finds something to compare
        assert any(rows for key, rows in on_postgres["found"].items() if key.startswith(name))
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
