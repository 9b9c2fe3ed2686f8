"""Template helpers for the portal: dates at their precision, report links."""

import datetime as dt

from django import template
from django.urls import NoReverseMatch, reverse

from committees.partial_dates import PartialDate, Precision, format_partial_date

register = template.Library()


@register.filter
def pdate(value, precision: str | None = None) -> str:
    """A date at its precision: "2022", "03/2022", "14/01/2026", or "unknown" ("không rõ").

    Takes a PartialDate, or a date with its precision as the argument (day by default)."""
    if isinstance(value, PartialDate):
        return value.display()
    if isinstance(value, dt.datetime):
        value = value.date()
    if value is None or isinstance(value, dt.date):
        return format_partial_date(value, precision or Precision.DAY)
    return str(value)


@register.simple_tag
def report_download_url(report) -> str:
    """Where the reports app serves a report's file; empty when it does not say."""
    for name in ("get_download_url", "download_url"):
        attr = getattr(report, name, None)
        if attr:
            try:
                return attr() if callable(attr) else str(attr)
            except NoReverseMatch:
                return ""
    for url_name in ("reports:report-download", "reports:download"):
        try:
            return reverse(url_name, args=[report.pk])
        except NoReverseMatch:
            continue
    return ""
