"""Schemathesis over the API's own OpenAPI schema: generated requests never make a server error."""

import contextlib
import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from members.models import Role
from members.services import membership_appoint
from tests.factories import (
    CommitteeFactory,
    MandateFactory,
    MeasurementFactory,
    PersonFactory,
    PositionFactory,
    SupportGroupFactory,
)

MAX_EXAMPLES = 8


class _ManyWithMore:
    """The `many(...).more()` protocol hypothesis-jsonschema 0.23 uses, over the newer
    `with many(...) as elements: for _ in elements:` protocol of the locked Hypothesis."""

    def __init__(self, data, **kwargs):
        from hypothesis.internal.conjecture.utils import many

        self._many = many(data, **kwargs)
        self._many.__enter__()
        self._elements = iter(self._many)

    def more(self) -> bool:
        try:
            next(self._elements)
        except StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self, why=None) -> None:
        self._many.reject(why)


@pytest.fixture
def jsonschema_strategies_work(monkeypatch):
    """Bridge the locked pair hypothesis 6.170 / hypothesis-jsonschema 0.23.1 (an API change
    in Hypothesis's internals breaks object generation) for this test only."""
    import types

    from hypothesis.internal.conjecture import utils
    from hypothesis_jsonschema import _from_schema

    if not hasattr(utils.many, "more"):
        bridged = types.SimpleNamespace(**vars(utils))
        bridged.many = _ManyWithMore
        monkeypatch.setattr(_from_schema, "cu", bridged)


@contextlib.contextmanager
def wsgi_in_test_transaction():
    """Requests through the real WSGI handler, on the test's connection (as Django's test client
    does): the handler must not close the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def some_data(db):
    committee = CommitteeFactory(slug="ban-du-lieu", name="Ban Chỉ đạo về dữ liệu")
    SupportGroupFactory(parent=committee)
    membership_appoint(
        committee=committee,
        person=PersonFactory(full_name="Nguyễn Văn Được"),
        role=Role.HEAD,
        start=dt.date(2022, 1, 1),
        position=PositionFactory(),
        reason="QĐ",
    )
    MandateFactory(committee=committee)
    MeasurementFactory()


@pytest.mark.django_db
def test_no_generated_request_makes_a_server_error(
    anonymous, city_staff, some_data, jsonschema_strategies_work, monkeypatch
):
    from rest_framework.throttling import SimpleRateThrottle

    # Hundreds of anonymous requests in a minute: the rate limit is tested elsewhere.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute"})
    raw = anonymous.get("/api/schema/", {"format": "json"}).json()
    token = Token.objects.create(user=city_staff).key
    seen: list[tuple[str, int]] = []
    with wsgi_in_test_transaction() as app:
        schema = schemathesis.from_dict(raw, app=app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 18
        for operation in operations:
            run_operation(operation, token, seen)
    assert {path for path, _status in seen} == {operation.path for operation in operations}
    statuses = {status for _path, status in seen}
    assert 200 in statuses
    assert all(status < 500 for status in statuses)


def run_operation(operation, token: str, seen: list) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        for headers in ({}, {"Authorization": f"Token {token}"}):
            response = case.call(headers=headers)
            case.validate_response(response, checks=(not_a_server_error,))
            seen.append((operation.path, response.status_code))

    check()
