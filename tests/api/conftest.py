"""Fixtures of the API tests: clients, tokens, and a clean anonymous rate-limit bucket."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """Every test starts with an empty anonymous bucket (the test client always comes from 127.0.0.1)."""
    cache.delete("throttle_anon_127.0.0.1")
    yield
    cache.delete("throttle_anon_127.0.0.1")


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def reader_client(city_staff):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=city_staff).key}")
    return client
