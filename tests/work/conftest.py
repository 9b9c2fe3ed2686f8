"""Fixtures of the work tests: a committee with a roster, a meeting, tasks, and the focal points."""

import datetime as dt

import pytest

from committees.permissions import grant_focal_point
from members.models import Role
from members.services import membership_appoint
from tests.factories import AgencyFactory, PersonFactory, UserFactory
from tests.portal.conftest import log_in, page  # noqa: F401 (browser fixtures)
from work import services
from work.services import TaskItem

D = dt.date
MEETING_DAY = D(2026, 3, 10)
SEAT_START = D(2025, 1, 1)
DEADLINE = D(2026, 6, 30)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


@pytest.fixture
def lead_agency(db):
    return AgencyFactory(name="Sở Thông tin và Truyền thông", slug="so-tttt", short_name="Sở TT&TT")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Sở Nội vụ", slug="so-noi-vu")


@pytest.fixture
def focal_point(groups, lead_agency):
    user = UserFactory(username="daumoi.tttt")
    grant_focal_point(user, lead_agency)
    return user


@pytest.fixture
def focal_point_other(groups, other_agency):
    user = UserFactory(username="daumoi.noivu")
    grant_focal_point(user, other_agency)
    return user


def seat(committee, name: str, role=Role.MEMBER, start=SEAT_START, title="Giám đốc Sở"):
    return membership_appoint(
        committee=committee,
        person=PersonFactory(full_name=name),
        role=role,
        start=start,
        title=title,
        reason="Thành lập",
    )


def make_meeting(committee, day=MEETING_DAY, **kwargs):
    return services.meeting_create(
        committee=committee,
        title=kwargs.pop("title", "Phiên họp thường kỳ quý I"),
        date=day,
        agenda=kwargs.pop("agenda", ["Đánh giá tiến độ", "Nhiệm vụ quý II"]),
        reason="Ghi nhận phiên họp",
        **kwargs,
    )


def make_task(committee, lead, deadline=DEADLINE, **kwargs):
    return services.task_create(
        committee=committee,
        item=TaskItem(
            text=kwargs.pop("text", "Xây dựng cơ sở dữ liệu chuyên ngành"),
            lead_agency=lead,
            deadline=deadline,
        ),
        source_kind=kwargs.pop("source_kind", "plan"),
        source_instrument=kwargs.pop("source_instrument", None) or _plan(),
        assigned_on=kwargs.pop("assigned_on", D(2026, 1, 1)),
        reason="Giao nhiệm vụ",
        **kwargs,
    )


def _plan():
    from committees.models import LegalInstrument
    from tests.factories import InstrumentFactory

    return InstrumentFactory(kind=LegalInstrument.Kind.PLAN, number="", title="Kế hoạch thử nghiệm")
