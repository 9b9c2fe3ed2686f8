"""Writes to targets: recording a measurement, checked against the user's rights, with history."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from committees import permissions
from mandates.models import Measurement, Target
from records.writes import save_validated


@transaction.atomic
def measurement_add(
    *,
    target: Target,
    value: Decimal,
    on: dt.date,
    source: str = "",
    note: str = "",
    by: AbstractBaseUser | None,
    reason: str = "Measurement recorded",
) -> Measurement:
    """Record a dated value of a target. `by=None` is the system itself (imports, seeding)."""
    if by is not None:
        permissions.require_measurement_right(by, target.committee)
    measurement = Measurement(target=target, value=value, date=on, source=source, note=note)
    return save_validated(measurement, by=by, reason=reason)
