"""Dissolution dates known to a month or a year move to the last day of that period.

Until now a body dissolved in "2022" was stored as dissolved on 01/01/2022; the date is now
the last day the period could mean (31/12/2022), as the model's clean() stores it.
"""

import calendar
import datetime as dt

from django.db import migrations


def _last_day(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def forward(apps, schema_editor):
    Committee = apps.get_model("committees", "Committee")
    for committee in Committee.objects.filter(
        dissolved_on__isnull=False, dissolved_precision__in=("month", "year")
    ):
        last = _last_day(committee.dissolved_on, committee.dissolved_precision)
        if last != committee.dissolved_on:
            Committee.objects.filter(pk=committee.pk).update(dissolved_on=last)


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
