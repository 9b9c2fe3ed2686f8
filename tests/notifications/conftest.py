"""Fixtures of the work queue tests: the default rules (a transactional test empties the tables a
data migration filled), a pending ex officio change, a real SMTP server on a free local port, and
the suite's real Celery worker."""

import datetime as dt
import importlib
import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from members.models import Role
from members.services import membership_appoint, position_holder_change
from tests.factories import HoldingFactory, PersonFactory, PositionFactory
from tests.reports.conftest import (  # noqa: F401  (fixtures)
    _no_leftover_messages,
    private_root,
    worker_factory,
)

D = dt.date


def seed_default_rules() -> None:
    """The rules and schedules the data migrations seed (idempotent)."""
    from django.apps import apps

    for name in (
        "0002_default_rules_and_schedules",
        "0003_assigned_tasks_due",
        "0004_focal_points_and_roster_changes_without_a_decision",
    ):
        importlib.import_module(f"notifications.migrations.{name}").seed(apps, None)


@pytest.fixture(autouse=True)
def default_rules(db):
    seed_default_rules()


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def pending_change(committee_a):
    """The director of a department sits ex officio on committee A; a new director is appointed."""
    post = PositionFactory(title="Giám đốc Sở Khoa học và Công nghệ")
    old = PersonFactory(full_name="Lâm Đình Thắng")
    HoldingFactory(person=old, position=post, start_date=D(2020, 1, 1))
    membership_appoint(
        committee=committee_a,
        person=old,
        role=Role.DEPUTY_HEAD,
        position=post,
        start=D(2022, 1, 1),
        reason="Theo chức vụ",
    )
    _, changes = position_holder_change(
        position=post,
        person=PersonFactory(full_name="Nguyễn Thị Mới"),
        on=D(2025, 5, 1),
        reason="Quyết định bổ nhiệm",
    )
    return changes[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it receives, or refuses everything with 550."""

    def __init__(self):
        self.messages: list = []
        self.refuse = False
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.refuse:
                return "550 Mailbox unavailable"
            self.messages.append(
                (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy))
            )
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on a free local port for the whole session."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings):
    """The session's SMTP server, emptied and accepting; Django in this process sends to it."""
    box = smtp_server.handler
    with box.lock:
        box.messages.clear()
        box.refuse = False
        box.attempts = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield box
    box.refuse = False


# The portal's browser page fixtures (the browser itself is the session's, tests/conftest.py);
# the work app's agencies and focal points (a focal point's own queue).
from tests.portal.conftest import (  # noqa: E402, F401
    log_in,
    page,
    pytest_runtest_makereport,
)
from tests.work.conftest import (  # noqa: E402, F401
    focal_point,
    focal_point_other,
    lead_agency,
    other_agency,
)
