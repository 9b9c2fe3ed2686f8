"""Recording measurements: the secretariat of the committee may, others may not; target status follows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mandates.models import Target
from mandates.services import measurement_add
from tests.factories import MeasurementFactory, TargetFactory


@pytest.mark.django_db
def test_the_secretariat_records_a_measurement_on_its_committee(secretariat_a, committee_a):
    target = TargetFactory(committee=committee_a)
    measurement = measurement_add(
        target=target, value=Decimal("42.5"), on=dt.date(2025, 1, 1), by=secretariat_a
    )
    history = measurement.history.get()
    assert history.history_user == secretariat_a
    assert target.measurements.get().value == Decimal("42.5")


@pytest.mark.django_db
def test_the_secretariat_of_another_committee_is_refused(secretariat_b, committee_a):
    target = TargetFactory(committee=committee_a)
    with pytest.raises(PermissionDenied):
        measurement_add(target=target, value=Decimal(1), on=dt.date(2025, 1, 1), by=secretariat_b)
    assert not target.measurements.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "on", "status"),
    [
        (90, dt.date(2022, 6, 1), Target.Status.ACHIEVED),
        (60, dt.date(2022, 7, 1), Target.Status.ON_TRACK),
        (20, dt.date(2022, 7, 1), Target.Status.AT_RISK),
        (None, dt.date(2022, 7, 1), Target.Status.NO_DATA),
        (60, dt.date(2023, 1, 1), Target.Status.OVERDUE),
    ],
)
def test_target_status_on_a_day(value, on, status):
    target = TargetFactory(
        target_value=85,
        baseline=0,
        baseline_date=dt.date(2022, 1, 1),
        deadline=dt.date(2022, 1, 1),
        deadline_precision="year",
    )
    latest = (
        MeasurementFactory(target=target, value=value, date=min(on, dt.date(2022, 12, 31)))
        if value is not None
        else None
    )
    assert target.status_on(on, latest) == status
