"""Fixtures of the operations tests."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Log-in tests hash many passwords; the hasher is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
