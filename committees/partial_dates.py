"""Dates known to a precision (day, month or year), as the source articles give them.

A partial date is stored as two columns: the first day of the period it names and
its precision. It is shown at that precision and never pretends to know a day.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Precision(models.TextChoices):
    DAY = "day", gettext_lazy("day")
    MONTH = "month", gettext_lazy("month")
    YEAR = "year", gettext_lazy("year")


@dataclass(frozen=True)
class PartialDate:
    date: dt.date | None
    precision: str = Precision.DAY

    @property
    def known(self) -> bool:
        return self.date is not None

    def last_day(self) -> dt.date | None:
        """The last day the period could mean (the day itself for day precision)."""
        if self.date is None:
            return None
        if self.precision == Precision.YEAR:
            return dt.date(self.date.year, 12, 31)
        if self.precision == Precision.MONTH:
            return dt.date(
                self.date.year,
                self.date.month,
                calendar.monthrange(self.date.year, self.date.month)[1],
            )
        return self.date

    def display(self) -> str:
        return format_partial_date(self.date, self.precision)


def normalise(date: dt.date | None, precision: str) -> dt.date | None:
    """The first day of the period, so comparisons and ranges agree with the precision."""
    if date is None:
        return None
    if precision == Precision.YEAR:
        return dt.date(date.year, 1, 1)
    if precision == Precision.MONTH:
        return dt.date(date.year, date.month, 1)
    return date


def format_partial_date(date: dt.date | None, precision: str | None = Precision.DAY) -> str:
    """ "2022", "03/2022", "14/01/2026", or "unknown" ("không rõ") when nothing is known."""
    if date is None:
        return _("unknown")
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.month:02d}/{date.year:04d}"
    return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:T.*)?)?)?$")
_SLASHED = re.compile(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})$")


def parse_partial_date(text: str) -> tuple[dt.date, str]:
    """Read "2022", "2022-03", "2022-03-14", "03/2022" or "14/03/2022"; raise ValueError otherwise.

    The year always has four digits: "14/01/26" is refused rather than read as the year 26.
    """
    value = (text or "").strip()
    if match := _ISO.match(value):
        year, month, day = match.groups()
    elif match := _SLASHED.match(value):
        day, month, year = match.groups()
    else:
        raise ValueError(f"not a date: {value!r}")
    if day is not None:
        return dt.date(int(year), int(month), int(day)), Precision.DAY
    if month is not None:
        return dt.date(int(year), int(month), 1), Precision.MONTH
    return dt.date(int(year), 1, 1), Precision.YEAR


def precision_field(verbose_name) -> models.CharField:
    return models.CharField(
        verbose_name,
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
