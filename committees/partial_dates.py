"""Dates known to a precision (day, month, quarter, half-year or year), as sources give them.

A partial date is stored as two columns: the first day of the period it names and
its precision. It is shown at that precision and never pretends to know a day.
Clerks write dates day first (dd/mm/yyyy); a month-first reading is never tried.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _


class Precision(models.TextChoices):
    DAY = "day", gettext_lazy("day")
    MONTH = "month", gettext_lazy("month")
    QUARTER = "quarter", gettext_lazy("quarter")
    HALF = "half", gettext_lazy("half-year")
    YEAR = "year", gettext_lazy("year")


# Months a period of each precision spans (day precision spans part of one month).
_SPAN = {Precision.MONTH: 1, Precision.QUARTER: 3, Precision.HALF: 6, Precision.YEAR: 12}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class PartialDate:
    date: dt.date | None
    precision: str = Precision.DAY

    @property
    def known(self) -> bool:
        return self.date is not None

    def last_day(self) -> dt.date | None:
        """The last day the period could mean (the day itself for day precision)."""
        first = normalise(self.date, self.precision)
        if first is None or self.precision not in _SPAN:
            return first
        month = first.month + _SPAN[self.precision] - 1
        return dt.date(first.year, month, calendar.monthrange(first.year, month)[1])

    def display(self) -> str:
        return format_partial_date(self.date, self.precision)


def normalise(date: dt.date | None, precision: str) -> dt.date | None:
    """The first day of the period, so comparisons and ranges agree with the precision."""
    if date is None:
        return None
    span = _SPAN.get(precision)
    if span is None:
        return date
    return dt.date(date.year, (date.month - 1) // span * span + 1, 1)


def format_partial_date(date: dt.date | None, precision: str | None = Precision.DAY) -> str:
    """ "2022", "Quý II/2022", "6 tháng đầu năm 2022", "03/2022", "14/01/2026", or "unknown"
    ("không rõ") when nothing is known."""
    if date is None:
        return _("unknown")
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.HALF:
        if date.month <= 6:
            return _("first half of %(year)s") % {"year": f"{date.year:04d}"}
        return _("second half of %(year)s") % {"year": f"{date.year:04d}"}
    if precision == Precision.QUARTER:
        quarter = (date.month - 1) // 3 + 1
        # Vietnamese writes quarters in Roman numerals ("Quý II/2025"), English "Q2/2025".
        if (get_language() or "vi").startswith("vi"):
            return f"Quý {_ROMAN[quarter]}/{date.year:04d}"
        return f"Q{quarter}/{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.month:02d}/{date.year:04d}"
    return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:T.*)?)?)?$")
_SLASHED = re.compile(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})$")
_QUARTER_ISO = re.compile(r"^(\d{4})-?q([1-4])$")
_QUARTER_SLASHED = re.compile(r"^(?:q|quý|quy)\s*(i{1,3}|iv|[1-4])\s*[/\-\s]\s*(?:năm\s*)?(\d{4})$")
_HALF_ISO = re.compile(r"^(\d{4})-?h([12])$")
_HALF_SLASHED = re.compile(r"^h([12])\s*[/\-\s]\s*(\d{4})$")
_HALF_WORDS = re.compile(r"^6 tháng (đầu|cuối) năm (\d{4})$")
_ROMAN_VALUE = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _quarter(year: str, quarter: str) -> tuple[dt.date, str]:
    number = _ROMAN_VALUE.get(quarter) or int(quarter)
    return dt.date(int(year), (number - 1) * 3 + 1, 1), Precision.QUARTER


def _half(year: str, half: int) -> tuple[dt.date, str]:
    return dt.date(int(year), 1 if half == 1 else 7, 1), Precision.HALF


def parse_partial_date(text: str) -> tuple[dt.date, str]:
    """Read a date as clerks and files write it; raise ValueError otherwise.

    Day: "14/03/2022", "2022-03-14". Month: "03/2022", "2022-03". Quarter: "Q2/2025",
    "Quý II/2025", "2025-Q2". Half-year: "H1/2025", "2025-H1", "6 tháng đầu năm 2025".
    Year: "2022". The year always has four digits: "14/01/26" is refused rather than read as
    the year 26, and a slashed date is always day first.
    """
    value = " ".join((text or "").strip().split())
    lowered = value.lower()
    if match := _QUARTER_ISO.match(lowered):
        return _quarter(match.group(1), match.group(2))
    if match := _QUARTER_SLASHED.match(lowered):
        return _quarter(match.group(2), match.group(1))
    if match := _HALF_ISO.match(lowered):
        return _half(match.group(1), int(match.group(2)))
    if match := _HALF_SLASHED.match(lowered):
        return _half(match.group(2), int(match.group(1)))
    if match := _HALF_WORDS.match(lowered):
        return _half(match.group(2), 1 if match.group(1) == "đầu" else 2)
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


def iso_partial(date: dt.date | None, precision: str | None) -> str:
    """A partial date as exchange files write it: "2022", "2022-H1", "2022-Q2", "2022-03",
    "2022-03-14", or "" when unknown."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.HALF:
        return f"{date.year:04d}-H{1 if date.month <= 6 else 2}"
    if precision == Precision.QUARTER:
        return f"{date.year:04d}-Q{(date.month - 1) // 3 + 1}"
    if precision == Precision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def popolo_iso(date: dt.date | None, precision: str | None) -> str | None:
    """A partial date the Popolo way: "2022", "2022-03" or "2022-03-14" (None when unknown).
    Popolo dates have no quarters or half-years: those are written as their year, which is
    true though less precise (a month would name the wrong period)."""
    if date is None:
        return None
    if precision in (Precision.QUARTER, Precision.HALF):
        return f"{date.year:04d}"
    return iso_partial(date, precision)


def precision_field(verbose_name) -> models.CharField:
    return models.CharField(
        verbose_name,
        max_length=7,
        choices=Precision.choices,
        default=Precision.DAY,
    )
