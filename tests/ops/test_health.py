"""Probes and outages: /healthz, /readyz, the database down (503), Redis down (pages still work)."""

import json

import pytest
from django.core.cache import caches
from django.test import Client

from tests.factories import CommitteeFactory, UserFactory
from tests.ops.helpers import DEAD_PORT, child_database_url, production_env, run_script


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_says_ready_when_the_database_and_redis_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_naming_redis_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{DEAD_PORT}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("ConnectionError")


def _dead_database_env(tmp_path, **extra):
    return production_env(
        tmp_path,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{DEAD_PORT}/registry",
        DJANGO_ENV="development",
        DJANGO_ALLOWED_HOSTS="testserver",
        **extra,
    )


def test_pages_answer_503_with_a_plain_message_when_the_database_is_down(tmp_path):
    result = run_script(
        _dead_database_env(tmp_path),
        """
        import json
        from django.test import Client
        client = Client(raise_request_exception=False)
        # A logged-in visitor: the first query (the session lookup) meets the dead database.
        client.cookies["sessionid"] = "a-session-key-from-before-the-outage"
        seen = {}
        for path, language in [("/committees/", "vi"), ("/people/x/", "en"), ("/search/?q=a", "vi"),
                               ("/admin/", "vi"), ("/api/committees/", "vi"), ("/readyz", "vi"),
                               ("/healthz", "vi")]:
            client.cookies["django_language"] = language  # the language switch's choice
            response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
            seen[path] = [response.status_code, response.content.decode(),
                          response.get("Retry-After", "")]
        # An anonymous visitor of the open API: the view's own query meets it.
        del client.cookies["sessionid"]
        response = client.get("/api/committees/")
        seen["anonymous-api"] = [response.status_code, response.content.decode(), ""]
        print(json.dumps(seen))
        """,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    vietnamese = "không kết nối được cơ sở dữ liệu"
    for path in ("/committees/", "/search/?q=a", "/admin/"):
        status, body, _retry = seen[path]
        assert status == 503, (path, body)
        assert vietnamese in body
        assert "Traceback" not in body
    status, body, retry = seen["/people/x/"]
    assert (status, retry) == (503, "30")
    assert "its database cannot be reached" in body
    for path in ("/api/committees/", "anonymous-api"):
        status, body, _retry = seen[path]
        assert status == 503
        assert vietnamese in json.loads(body)["detail"]
    status, body, _retry = seen["/readyz"]
    assert status == 503
    assert json.loads(body)["checks"]["database"].startswith("OperationalError")
    assert seen["/healthz"][0] == 200


@pytest.mark.django_db(transaction=True)
def test_pages_and_the_api_still_work_when_redis_is_down(tmp_path):
    """The cache (API throttling) and the broker point at a Redis that is not there."""
    CommitteeFactory(name="Ban Chỉ đạo khi Redis ngừng", slug="ban-redis-ngung")
    UserFactory(username="quantri.redis", is_staff=True, is_superuser=True)
    env = production_env(
        tmp_path,
        DJANGO_ENV="development",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=child_database_url(),
        REDIS_URL=f"redis://127.0.0.1:{DEAD_PORT}/0",
    )
    result = run_script(
        env,
        """
        import json
        from django.contrib.auth import get_user_model
        from django.test import Client
        client = Client()
        client.force_login(get_user_model().objects.get(username="quantri.redis"))
        seen = {path: client.get(path).status_code
                for path in ["/committees/", "/committees/ban-redis-ngung/", "/readyz"]}
        # Anonymous API calls go through the throttle, whose counters live in the cache.
        anonymous = Client()
        for path in ["/api/committees/", "/api/people/"]:
            seen[path] = anonymous.get(path).status_code
        seen["api_body"] = anonymous.get("/api/committees/").content.decode()
        print(json.dumps(seen))
        """,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["/committees/"] == 200
    assert seen["/committees/ban-redis-ngung/"] == 200
    assert seen["/api/committees/"] == 200
    assert seen["/api/people/"] == 200
    assert "Ban Chỉ đạo khi Redis ngừng" in seen["api_body"]
    assert seen["/readyz"] == 503


def test_the_cache_degrades_to_a_miss_when_redis_is_unreachable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{DEAD_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    cache = caches["default"]
    cache.set("throttle", [1, 2, 3])
    assert cache.get("throttle", "missing") == "missing"
    assert cache.add("throttle", 1) is False
    assert cache.get_many(["a", "b"]) == {}


def test_the_cache_works_when_redis_answers(settings):
    from django.conf import settings as live

    assert live.CACHES["default"]["BACKEND"] == "config.cache.ResilientRedisCache"
    cache = caches["default"]
    cache.set("ops-test-key", "giá trị", 30)
    assert cache.get("ops-test-key") == "giá trị"
    cache.delete("ops-test-key")
    assert cache.get("ops-test-key") is None


def test_an_unknown_page_is_not_mistaken_for_an_outage(superuser):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    response = client.get("/committees/khong-co-ban-nay/")
    assert response.status_code == 404
