"""Login throttling behind 0, 1 and 2 trusted proxies (TRUSTED_PROXY_COUNT), with the client
rotating or forging X-Forwarded-For: the lockout holds, nobody locks out another client's
address, and failures from one address across many user names are limited too."""

import itertools

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.ops.helpers import production_env, run_script

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-Good-passw0rd"
PROXIES = ["10.9.0.1", "10.9.0.2"]  # the outer proxy, then the inner one next to the app
_forged = (f"203.0.113.{n}" for n in itertools.count(1))


def through(proxies: int, client: str, forged: str | None) -> dict[str, str]:
    """The request as the app receives it: the client sent `forged` as X-Forwarded-For; each
    proxy appends the address it got the request from; REMOTE_ADDR is the last hop."""
    chain = [forged] if forged else []
    hops = [client, *PROXIES[:proxies]]
    chain += hops[:-1]
    meta = {"REMOTE_ADDR": hops[-1], "HTTP_ACCEPT_LANGUAGE": "vi"}
    if chain:
        meta["HTTP_X_FORWARDED_FOR"] = ", ".join(chain)
    return meta


def login(proxies: int, client_ip: str, username: str, password: str, forged=None):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        **through(proxies, client_ip, forged),
    )
    return response, client


@pytest.fixture(params=[0, 1, 2], ids=["no-proxy", "one-proxy", "two-proxies"])
def proxies(request, settings):
    settings.TRUSTED_PROXY_COUNT = request.param
    return request.param


def test_it_locks_the_account_however_the_forwarded_header_rotates(proxies):
    user = UserFactory(username="canbo.xoay")
    for attempt in range(5):
        response, _client = login(proxies, "198.51.100.7", user.username, "sai", next(_forged))
        assert response.status_code == (429 if attempt == 4 else 200)
    # Still locked with the right password and yet another forged header.
    response, client = login(proxies, "198.51.100.7", user.username, GOOD_PASSWORD, next(_forged))
    assert response.status_code == 429
    assert "15 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # ...and with no header at all.
    response, _client = login(proxies, "198.51.100.7", user.username, GOOD_PASSWORD)
    assert response.status_code == 429


def test_nobody_locks_out_another_clients_address_by_forging_the_header(proxies):
    victim = UserFactory(username="canbo.nan.nhan")
    victim_ip, attacker_ip = "198.51.100.20", "198.51.100.66"
    for _attempt in range(8):
        # The attacker claims to be the victim's address, in every place a header can say it.
        login(proxies, attacker_ip, victim.username, "sai", f"{victim_ip}, {victim_ip}")
    response, client = login(proxies, victim_ip, victim.username, GOOD_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)
    # The attacker's own address is the one locked for that user name.
    response, _client = login(proxies, attacker_ip, victim.username, GOOD_PASSWORD, victim_ip)
    assert response.status_code == 429


def test_failures_from_one_address_across_user_names_are_limited(proxies, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    sprayer = "198.51.100.99"
    users = [UserFactory(username=f"canbo.phun.{n:02d}") for n in range(21)]
    # One password tried once on each of 20 accounts, a different forged header every time.
    for user in users[:20]:
        response, _client = login(proxies, sprayer, user.username, "Mua-xuan-2026", next(_forged))
        assert response.status_code in (200, 429)
    assert response.status_code == 429
    # The address is now locked whatever the account, even with its right password...
    response, client = login(proxies, sprayer, users[20].username, GOOD_PASSWORD, next(_forged))
    assert response.status_code == 429
    assert "từ địa chỉ của bạn" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # ...and only that address: the same accounts log in from elsewhere.
    response, client = login(proxies, "198.51.100.100", users[0].username, GOOD_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users[0].pk)


def test_nineteen_failures_across_user_names_do_not_lock_the_address(proxies, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    users = [UserFactory(username=f"canbo.van.phong.{n:02d}") for n in range(20)]
    for user in users[:19]:
        response, _client = login(proxies, "198.51.100.50", user.username, "sai", next(_forged))
        assert response.status_code == 200
    response, _client = login(proxies, "198.51.100.50", users[19].username, GOOD_PASSWORD)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "192.0.2.1"),
        (1, {"REMOTE_ADDR": "10.9.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 192.0.2.1"}, "192.0.2.1"),
        (1, {"REMOTE_ADDR": "10.9.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, "192.0.2.1"),
        (1, {"REMOTE_ADDR": "10.9.0.1"}, "10.9.0.1"),
        (2, {"REMOTE_ADDR": "10.9.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 192.0.2.1, 10.9.0.1"}, "192.0.2.1"),
        # The outer proxy skipped: the inner one's entry is the client.
        (2, {"REMOTE_ADDR": "10.9.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, "192.0.2.1"),
        (1, {"REMOTE_ADDR": "10.9.0.1", "HTTP_X_FORWARDED_FOR": "x, not-an-ip"}, "10.9.0.1"),
    ],
)  # fmt: skip
def test_it_takes_the_client_address_from_the_trusted_hops(rf, settings, proxies, meta, expected):
    from config.middleware import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", **meta)
    assert client_ip(request) == expected


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("0", "0"), ("1", "1"), ("2", "2")])
def test_the_proxy_count_comes_from_the_environment_and_defaults_to_none(tmp_path, value, expected):
    env = production_env(tmp_path)
    env.pop("TRUSTED_PROXY_COUNT", None)
    if value is not None:
        env["TRUSTED_PROXY_COUNT"] = value
    result = run_script(
        env, "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
