"""Ends known to a month or a year move to the last day of that period; dated holdings are ended.

Until now an end of "2023" was stored as 01/01/2023, so the member left the roster at the start
of the year. The end is now the last day the period could mean (31/12/2023). A seat whose later
end would overlap another term of the same person, or of the same single-seat role, on the
committee keeps its stored day: the rules refuse the overlap, and a person has to decide.
"""

import calendar
import datetime as dt

from django.db import migrations

SINGLE_SEAT_ROLES = ("head", "standing_deputy_head", "group_leader")


def _last_day(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def forward(apps, schema_editor):
    PositionHolding = apps.get_model("members", "PositionHolding")
    Membership = apps.get_model("members", "Membership")

    PositionHolding.objects.filter(end_date__isnull=False, ended=False).update(ended=True)
    for holding in PositionHolding.objects.filter(end_precision__in=("month", "year")).exclude(
        end_date__isnull=True
    ):
        last = _last_day(holding.end_date, holding.end_precision)
        if last != holding.end_date:
            PositionHolding.objects.filter(pk=holding.pk).update(end_date=last)

    for seat in Membership.objects.filter(end_precision__in=("month", "year")).exclude(
        end_date__isnull=True
    ):
        last = _last_day(seat.end_date, seat.end_precision)
        if last == seat.end_date:
            continue
        others = Membership.objects.filter(committee_id=seat.committee_id).exclude(pk=seat.pk)
        if seat.role in SINGLE_SEAT_ROLES:
            others = others.filter(person_id=seat.person_id) | others.filter(role=seat.role)
        else:
            others = others.filter(person_id=seat.person_id)
        # Terms the added days (old end, new end] would meet.
        meets = others.exclude(start_date__gt=last).exclude(end_date__lte=seat.end_date)
        if meets.exists():
            continue
        Membership.objects.filter(pk=seat.pk).update(end_date=last)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_position_source_and_holding_ended"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
