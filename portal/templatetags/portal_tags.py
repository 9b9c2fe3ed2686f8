"""Template helpers for the portal: dates at their precision, a committee's status, report links."""

import datetime as dt

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from committees.models import Succession
from committees.partial_dates import (
    PartialDate,
    Precision,
    format_partial_date,
    parse_partial_date,
)

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


_SUCCESSION_STATUS = {
    Succession.Kind.RENAMED_TO: gettext_lazy("Renamed to %(names)s (%(day)s)"),
    Succession.Kind.MERGED_INTO: gettext_lazy("Merged into %(names)s (%(day)s)"),
    Succession.Kind.REPLACED_BY: gettext_lazy("Replaced by %(names)s (%(day)s)"),
    Succession.Kind.SPLIT_INTO: gettext_lazy("Split into %(names)s (%(day)s)"),
}


@register.simple_tag
def committee_status(committee, successions=None, badge: bool = True) -> SafeString:
    """Active; or how the body ended: "renamed to …", "merged into …" (with the successor
    and the date) when the lineage says so, else "dissolved …".

    `successions` are the committee's successions out (the detail page has them); otherwise
    the ones `portal.selectors.with_successors` prefetched. The template makes no query."""
    if committee.is_active:
        text = format_html("{}", gettext("active"))
        css = "badge badge-ok"
    else:
        if successions is None:
            successions = getattr(committee, "successors_list", None) or []
        successions = [s for s in successions if s.predecessor_id == committee.pk]
        css = "badge badge-muted"
        if successions:
            first = successions[0]
            same_kind = [s for s in successions if s.kind == first.kind]
            names = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((s.successor.get_absolute_url(), s.successor.name) for s in same_kind),
            )
            day = (first.when if first.when.known else committee.dissolved).display()
            pattern = conditional_escape(str(_SUCCESSION_STATUS[first.kind]))
            # The pattern is escaped, the names are built by format_html, the day is escaped.
            text = mark_safe(pattern % {"names": names, "day": conditional_escape(day)})  # noqa: S308
        else:
            text = format_html(
                "{}", gettext("dissolved %(day)s") % {"day": committee.dissolved_display()}
            )
    if not badge:
        return text
    return format_html('<span class="{}" data-status>{}</span>', css, text)


@register.filter
def http_url(value) -> str:
    """The address when it is a web address (http or https), else "": a link taken from an
    imported file never becomes a `javascript:` or other link."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


@register.filter
def popolo_date(value) -> str:
    """A Popolo partial date ("1963", "1963-04", "1963-04-12") shown at its precision."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        date, precision = parse_partial_date(value)
    except ValueError:
        return value
    return format_partial_date(date, precision)


CONTACT_TYPES = {
    "email": gettext_lazy("email"),
    "phone": gettext_lazy("phone"),
    "voice": gettext_lazy("phone"),
    "cell": gettext_lazy("mobile phone"),
    "fax": gettext_lazy("fax"),
    "address": gettext_lazy("address"),
    "twitter": "Twitter",
    "facebook": "Facebook",
}


@register.filter
def contact_label(item) -> str:
    """The label of a Popolo contact detail: its own label, else its type in the user's language."""
    if not isinstance(item, dict):
        return ""
    kind = str(item.get("type") or "")
    return str(item.get("label") or CONTACT_TYPES.get(kind.lower(), kind))


@register.filter
def source_label(source: str | None) -> str:
    """A source as readers know it: the article's title or its URL, never an internal file name."""
    from committees.sources import source_label as label

    return label(source)
