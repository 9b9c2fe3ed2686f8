"""Login throttling (django-axes through the real login views), password rules, session expiry."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-Good-passw0rd"


def _post(client: Client, url: str, username: str, password: str, ip: str):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="vi"
    )


def _fail_five_times(client: Client, url: str, username: str, ip: str) -> None:
    for _attempt in range(5):
        response = _post(client, url, username, "wrong-password", ip)
        assert response.status_code in (200, 429)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_it_locks_a_user_name_after_five_failures_from_one_address(url):
    user = UserFactory(username="canbo.khoa", is_staff=True)
    client = Client()
    for _attempt in range(4):
        response = _post(client, url, user.username, "wrong-password", "10.0.0.1")
        assert response.status_code == 200
    fifth = _post(client, url, user.username, "wrong-password", "10.0.0.1")
    assert fifth.status_code == 429
    # Locked: even the right password is refused now, with a plain message in Vietnamese.
    locked = _post(client, url, user.username, GOOD_PASSWORD, "10.0.0.1")
    assert locked.status_code == 429
    assert "15 phút" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert locked["Retry-After"] == "900"


def test_the_lockout_is_per_user_name_and_address():
    user = UserFactory(username="canbo.a")
    other = UserFactory(username="canbo.b")
    _fail_five_times(Client(), "/accounts/login/", user.username, "10.0.0.1")
    # The same user from another address, and another user from the same address, get in.
    from_elsewhere = Client()
    assert (
        _post(
            from_elsewhere, "/accounts/login/", user.username, GOOD_PASSWORD, "10.0.0.2"
        ).status_code
        == 302
    )
    assert from_elsewhere.session["_auth_user_id"] == str(user.pk)
    same_address = Client()
    assert (
        _post(
            same_address, "/accounts/login/", other.username, GOOD_PASSWORD, "10.0.0.1"
        ).status_code
        == 302
    )
    assert same_address.session["_auth_user_id"] == str(other.pk)


def test_the_lockout_ends_after_fifteen_minutes():
    user = UserFactory(username="canbo.cho")
    client = Client()
    _fail_five_times(client, "/accounts/login/", user.username, "10.0.0.3")
    assert (
        _post(client, "/accounts/login/", user.username, GOOD_PASSWORD, "10.0.0.3").status_code
        == 429
    )
    assert settings.AXES_COOLOFF_TIME * 60 == 15
    # Sixteen minutes later the user name may try again from that address.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = _post(client, "/accounts/login/", user.username, GOOD_PASSWORD, "10.0.0.3")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_fourteen_minutes_is_not_enough():
    user = UserFactory(username="canbo.som")
    client = Client()
    _fail_five_times(client, "/accounts/login/", user.username, "10.0.0.4")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
    assert (
        _post(client, "/accounts/login/", user.username, GOOD_PASSWORD, "10.0.0.4").status_code
        == 429
    )


@pytest.mark.parametrize("password", ["short1!", "12345678901", "password123", "canbo.matkhau"])
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="canbo.matkhau")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_strong_password_is_accepted():
    validate_password("Trời-xanh-mây-trắng-2026", UserFactory.build(username="canbo"))


def test_a_session_expires_after_eight_hours_and_at_browser_close():
    user = UserFactory(username="canbo.phien", is_staff=True)
    client = Client()
    assert (
        _post(client, "/accounts/login/", user.username, GOOD_PASSWORD, "10.0.0.5").status_code
        == 302
    )
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # A browser-session cookie: no expiry is sent, the browser forgets it when it closes.
    assert not session_cookie["max-age"]
    assert not session_cookie["expires"]
    stored = Session.objects.get(session_key=session_cookie.value)
    lifetime = stored.expire_date - timezone.now()
    assert dt.timedelta(hours=7, minutes=59) < lifetime <= dt.timedelta(hours=8)
    assert client.get("/admin/").status_code == 200
    # Eight hours on, the server no longer knows the session: back to the login page.
    Session.objects.filter(pk=stored.pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
