"""Snapshot → HTML: labels translated in the report's language, dates at their precision, charts."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from committees.models import Committee, LegalInstrument, Succession
from committees.partial_dates import format_partial_date
from mandates.models import Mandate, Target
from members.models import Membership, Role

TEMPLATES = {
    "committee_review": "reports/pdf/committee_review.html",
    "city_overview": "reports/pdf/city_overview.html",
}
CHART_WIDTH = 380
VALUE_ROOM = 90
BAR_COLOURS = {"baseline": "#9aa5b1", "latest": "#1d4f91", "target": "#1d6b2f"}
BAR_HEIGHT = 12
BAR_GAP = 6
LABEL_WIDTH = 110


def _label(choices, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _date(partial: dict | None) -> str:
    if not partial or not partial.get("date"):
        return _("unknown")
    return format_partial_date(dt.date.fromisoformat(partial["date"]), partial.get("precision"))


def _day(iso: str | None) -> str:
    if not iso:
        return _("unknown")
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _instrument(data: dict | None) -> str:
    if not data:
        return ""
    label = _label(LegalInstrument.Kind, data["kind"]).capitalize()
    head = f"{label} {data['number']}" if data["number"] else f"{label}: {data['title']}"
    parts = [head]
    if data["number"] and data["title"]:
        parts.append(data["title"])
    if data.get("issuer"):
        parts.append(data["issuer"])
    if data.get("signed", {}).get("date"):
        parts.append(_date(data["signed"]))
    return " — ".join(parts)


def css_string(value: str) -> str:
    """A CSS string literal for the page margin boxes."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return f'"{escaped}"'


def _member(line: dict) -> dict:
    status = line.get("seat_status", "named")
    name = {"title_only": _("name not known"), "vacant": _("vacant")}.get(status, line["person"])
    left_on = line.get("post_left_on")
    return {
        "name": name,
        "unnamed": status != "named",
        "post_left": line.get("post_left", False),
        "post_left_on": _date({"date": left_on, "precision": "day"}) if left_on else _("unknown"),
        "rank": line["rank"],
        "role": _label(Role, line["role"]),
        "title": line["title"] or line["post"],
        "home_agency": line["home_agency"],
        "ex_officio": line["ex_officio"],
        "start": _date(line["start"]),
        "start_uncertain": line["start_uncertain"],
        "appointed_by": _instrument(line["appointed_by"]),
    }


def _by_role(roster: list[dict]) -> list[dict]:
    return [
        {"role": role, "members": list(members)}
        for role, members in groupby((_member(line) for line in roster), key=lambda m: m["role"])
    ]


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def target_chart(line: dict) -> dict:
    """Bar geometry for one target (baseline, latest measurement, target), in SVG user units."""
    values = [
        (_("baseline"), _number(line["baseline"]), "baseline"),
        (_("latest"), _number(line["latest"]["value"]) if line["latest"] else None, "latest"),
        (_("target"), _number(line["target_value"]), "target"),
    ]
    top = max((abs(value) for _, value, _ in values if value is not None), default=Decimal(0))
    scale = (CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM) / float(top) if top else 0.0
    bars = []
    for index, (label, value, css) in enumerate(values):
        width = round(abs(float(value)) * scale, 1) if value is not None else 0
        bars.append(
            {
                "label": label,
                "colour": BAR_COLOURS[css],
                "y": index * (BAR_HEIGHT + BAR_GAP),
                "text_y": index * (BAR_HEIGHT + BAR_GAP) + BAR_HEIGHT - 2,
                "x": LABEL_WIDTH,
                "width": width,
                "value_x": LABEL_WIDTH + width + 4,
                "value": f"{value.normalize():f} {line['unit']}" if value is not None else "—",
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": len(values) * (BAR_HEIGHT + BAR_GAP),
        "bars": bars,
    }


def _target(line: dict) -> dict:
    return {
        "indicator": line["indicator"],
        "unit": line["unit"],
        "direction": _label(Target.Direction, line["direction"]),
        "baseline": line["baseline"] if line["baseline"] is not None else "—",
        "baseline_date": _day(line["baseline_date"]) if line["baseline_date"] else "",
        "latest": line["latest"]["value"] if line["latest"] else "—",
        "latest_date": _day(line["latest"]["date"]) if line["latest"] else "",
        "target_value": line["target_value"],
        "deadline": _date(line["deadline"]),
        "status": line["status"],
        "status_label": _label(Target.Status, line["status"]),
        "responsible_agency": line["responsible_agency"],
        "chart": target_chart(line),
    }


def _change(line: dict) -> dict:
    labels = {"appointed": _("appointed"), "ended": _("ended"), "replaced": _("replaced")}
    return {
        "change": labels.get(line["change"], line["change"]),
        "person": line["person"],
        "role": _label(Role, line["role"]),
        "date": _date(line["date"]),
        "decision": _instrument(line["decision"]),
        "reason": _label(Membership.EndReason, line["end_reason"])
        if line.get("end_reason")
        else "",
        "note": line["note"],
    }


def _step(line: dict) -> dict:
    return {
        "name": line["name"],
        "kind": _label(Succession.Kind, line["kind"]),
        "date": _date(line["date"]),
        "instrument": _instrument(line["instrument"]),
    }


def _made_at(iso: str) -> str:
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%d/%m/%Y %H:%M")


def committee_review_context(snapshot: dict) -> dict:
    committee = snapshot["committee"]
    return {
        "scope_name": committee["name"],
        "committee": {
            **committee,
            "kind_label": _label(Committee.Kind, committee["kind"]),
            "founded": _date(committee["founded"]),
            "dissolved": _date(committee["dissolved"]) if committee["dissolved"]["date"] else "",
            "established_by": _instrument(committee["established_by"]),
        },
        "period": snapshot["period"],
        "period_start": _day(snapshot["period"]["start"]),
        "period_end": _day(snapshot["period"]["end"]),
        "as_of": _day(snapshot["as_of"]),
        "made_at": _made_at(snapshot["made_at"]),
        "legal_basis": [_instrument(item) for item in snapshot["legal_basis"]],
        "counts": snapshot["counts"],
        "roles": _by_role(snapshot["roster"]),
        "changes": [_change(line) for line in snapshot["changes"]],
        "pending_available": snapshot["pending_ex_officio"] is not None,
        "pending": [
            {**line, "role": _label(Role, line["role"]), "since": _date(line["since"])}
            for line in snapshot["pending_ex_officio"] or []
        ],
        "mandates": [
            {
                "text": line["text"],
                "category": _label(Mandate.Category, line["category"]),
                "legal_basis": [_instrument(item) for item in line["legal_basis"]],
            }
            for line in snapshot["mandates"]
        ],
        "targets": [_target(line) for line in snapshot["targets"]],
        "predecessors": [_step(line) for line in snapshot["predecessors"]],
        "successors": [_step(line) for line in snapshot["successors"]],
        "support_groups": [
            {
                "name": group["name"],
                "declared": group["declared"],
                "actual": len(group["roster"]),
                "roles": _by_role(group["roster"]),
            }
            for group in snapshot["support_groups"]
        ],
    }


def city_overview_context(snapshot: dict) -> dict:
    kinds = {code: str(label) for code, label in Committee.Kind.choices}
    return {
        "scope_name": _("City overview"),
        "period": snapshot["period"],
        "period_start": _day(snapshot["period"]["start"]),
        "period_end": _day(snapshot["period"]["end"]),
        "as_of": _day(snapshot["as_of"]),
        "made_at": _made_at(snapshot["made_at"]),
        "totals": snapshot["totals"],
        # Plain dicts with the labels looked up once: thousands of rows render as blocks.
        "committees": [
            {**line, "kind_label": kinds.get(line["kind"], line["kind"])}
            for line in snapshot["committees"]
        ],
        "busiest_people": snapshot["busiest_people"],
        "deadlines": [
            {
                **line,
                "deadline": _date(line["deadline"]),
                "status_label": _label(Target.Status, line["status"]),
            }
            for line in snapshot["deadlines"]
        ],
        "horizon_days": snapshot["horizon_days"],
    }


def render_report_html(*, snapshot: dict, language: str) -> str:
    """The report's HTML, rendered in its language from the frozen snapshot."""
    with translation.override(language):
        if snapshot["kind"] == "committee_review":
            context = committee_review_context(snapshot)
        else:
            context = city_overview_context(snapshot)
        context["language"] = language
        context["css_scope"] = css_string(context["scope_name"])
        context["css_page"] = css_string(_("Page"))
        context["css_of"] = css_string(_("of"))
        return render_to_string(TEMPLATES[snapshot["kind"]], context)
