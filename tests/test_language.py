"""The interface is Vietnamese by default, whatever the browser asks, and English when chosen."""

import pytest


@pytest.mark.django_db
def test_pages_are_vietnamese_even_for_an_english_browser(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập" in page
    assert 'lang="vi"' in page


@pytest.mark.django_db
def test_the_language_switch_gives_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/").content.decode()
    assert "Log in" in page
    assert "Đăng nhập" not in page
    client.post("/i18n/setlang/", {"language": "vi", "next": "/accounts/login/"})
    assert "Đăng nhập" in client.get("/accounts/login/").content.decode()
