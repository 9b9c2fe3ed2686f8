"""Report periods: a month ("2026-03"), a quarter ("2026-Q4"), a half-year ("2026-H1", for the
interim review, sơ kết) or a year ("2026", for the final review, tổng kết), and cadences."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    HALF_YEARLY = "half", _("half-yearly")
    YEARLY = "yearly", _("yearly")


_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_HALF = re.compile(r"^(\d{4})-[Hh]([12])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    cadence: str

    @property
    def code(self) -> str:
        if self.cadence == Cadence.YEARLY:
            return f"{self.start.year:04d}"
        if self.cadence == Cadence.QUARTERLY:
            return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"
        if self.cadence == Cadence.HALF_YEARLY:
            return f"{self.start.year:04d}-H{1 if self.start.month <= 6 else 2}"
        return f"{self.start.year:04d}-{self.start.month:02d}"

    def __str__(self) -> str:
        return self.code

    def next(self) -> "Period":
        return period_containing(self.end + dt.timedelta(days=1), self.cadence)

    def previous(self) -> "Period":
        return period_containing(self.start - dt.timedelta(days=1), self.cadence)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def period_containing(day: dt.date, cadence: str) -> Period:
    if cadence == Cadence.YEARLY:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), Cadence.YEARLY)
    if cadence == Cadence.HALF_YEARLY:
        first = 1 if day.month <= 6 else 7
        return Period(
            dt.date(day.year, first, 1), _month_end(day.year, first + 5), Cadence.HALF_YEARLY
        )
    if cadence == Cadence.QUARTERLY:
        first = (day.month - 1) // 3 * 3 + 1
        return Period(
            dt.date(day.year, first, 1), _month_end(day.year, first + 2), Cadence.QUARTERLY
        )
    return Period(dt.date(day.year, day.month, 1), _month_end(day.year, day.month), Cadence.MONTHLY)


def parse_period(text: str) -> Period:
    """Read "2026-Q4", "2026-H1", "2026-03" or "2026"; raise ValueError with a message otherwise."""
    value = (text or "").strip()
    if match := _QUARTER.match(value):
        year, quarter = int(match[1]), int(match[2])
        return period_containing(dt.date(year, quarter * 3, 1), Cadence.QUARTERLY)
    if match := _HALF.match(value):
        return period_containing(
            dt.date(int(match[1]), 1 if match[2] == "1" else 7, 1), Cadence.HALF_YEARLY
        )
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return period_containing(dt.date(year, month, 1), Cadence.MONTHLY)
    if match := _YEAR.match(value):
        return period_containing(dt.date(int(match[1]), 1, 1), Cadence.YEARLY)
    raise ValueError(
        _('"%(value)s" is not a period: write 2026-Q4, 2026-H1, 2026-03 or 2026.')
        % {"value": value}
    )


def last_complete_period(day: dt.date, cadence: str = Cadence.QUARTERLY) -> Period:
    """The latest period that has ended by the day: a report made on 2 December 2026 covers
    the third quarter, not the unfinished fourth (whose "as of" day would be in the future)."""
    current = period_containing(day, cadence)
    return current if current.end <= day else current.previous()
