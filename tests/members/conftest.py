"""Fixtures of the roster-stewardship tests: a committee with a small roster and a logged-in admin client."""

import datetime as dt

import pytest

from members.models import Role
from members.services import membership_appoint
from tests.factories import InstrumentFactory, PersonFactory


@pytest.fixture
def decision(db):
    return InstrumentFactory(number="944/QĐ-UBND", title="Quyết định thành lập Ban Chỉ đạo")


@pytest.fixture
def head_of_a(committee_a, decision):
    return membership_appoint(
        committee=committee_a,
        person=PersonFactory(full_name="Phan Văn Mãi", slug="phan-van-mai"),
        role=Role.HEAD,
        start=dt.date(2022, 1, 1),
        decision=decision,
        reason="Quyết định thành lập",
    )


@pytest.fixture
def head_of_b(committee_b, decision):
    return membership_appoint(
        committee=committee_b,
        person=PersonFactory(full_name="Nguyễn Văn Được", slug="nguyen-van-duoc"),
        role=Role.HEAD,
        start=dt.date(2022, 1, 1),
        decision=decision,
        reason="Quyết định thành lập",
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.cookies["django_language"] = "en"  # pages follow the language switch
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def english():
    """Messages are asserted in English in these tests; those that check Vietnamese switch."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The portal's browser page fixtures, for the roster pages' browser tests.
from tests.portal.conftest import (  # noqa: E402, F401
    log_in,
    page,
    pytest_runtest_makereport,
)
