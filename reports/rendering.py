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
from work.reports import work_context

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


def _short_instrument(data: dict | None) -> str:
    """A decision by its number only ("Quyết định 944/QĐ-UBND"), for roster lines; its full
    title is in the report's list of decisions."""
    if not data:
        return ""
    label = _label(LegalInstrument.Kind, data["kind"]).capitalize()
    return f"{label} {data['number']}" if data["number"] else f"{label}: {data['title']}"


def _instrument_key(data: dict) -> tuple:
    return (data["kind"], data["number"], data["title"])


def decisions_cited(snapshot: dict) -> list[dict]:
    """Every decision the report cites, once, with its full title, issuer and date."""
    found: dict[tuple, dict] = {}

    def add(data):
        if data:
            found.setdefault(_instrument_key(data), data)

    add(snapshot["committee"].get("established_by"))
    for item in snapshot.get("legal_basis", []):
        add(item)
    for line in snapshot.get("roster", []):
        add(line.get("appointed_by"))
    for line in snapshot.get("changes", []):
        add(line.get("decision"))
    for group in snapshot.get("support_groups", []):
        for line in group["roster"]:
            add(line.get("appointed_by"))
    for line in snapshot.get("mandates", []):
        for item in line["legal_basis"]:
            add(item)
    for line in snapshot.get("predecessors", []) + snapshot.get("successors", []):
        add(line.get("instrument"))
    rows = []
    for data in found.values():
        rows.append(
            {
                "short": _short_instrument(data),
                "title": data["title"] if data["number"] else "",
                "issuer": data.get("issuer", ""),
                "signed": _date(data["signed"]) if data.get("signed", {}).get("date") else "",
            }
        )
    return rows


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


def _holder(line: dict) -> str:
    """The person, or what the roster says in their place (a seat known by its title only,
    or one left vacant)."""
    if line.get("person"):
        return line["person"]
    return _("vacant") if line.get("vacant") else _("name not known")


def _member(line: dict) -> dict:
    status = line.get("seat_status", "named")
    name = {"title_only": _("name not known"), "vacant": _("vacant")}.get(status, line["person"])
    left_on = line.get("post_left_on")
    return {
        "name": name,
        "unnamed": status != "named",
        "post_left": line.get("post_left", False),
        "post_left_on": _date({"date": left_on, "precision": "day"}) if left_on else "",
        "post_left_known": bool(left_on),
        "rank": line["rank"],
        "role": _label(Role, line["role"]),
        "title": line["title"] or line["post"],
        "home_agency": line["home_agency"],
        "ex_officio": line["ex_officio"],
        "start": _date(line["start"]),
        "start_uncertain": line["start_uncertain"],
        "appointed_by": _short_instrument(line["appointed_by"]),
    }


KEEP_TOGETHER = 3


def _by_role(roster: list[dict]) -> list[dict]:
    """Members by role; `head` and `tail` split each group so its last lines stay together and
    no page holds a lone member."""
    groups = []
    for role, members in groupby((_member(line) for line in roster), key=lambda m: m["role"]):
        members = list(members)
        cut = max(len(members) - KEEP_TOGETHER, 0)
        groups.append(
            {"role": role, "members": members, "head": members[:cut], "tail": members[cut:]}
        )
    return groups


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


def progress_share(line: dict) -> float | None:
    """How far the latest value has come from the baseline (zero when none) to the target
    value, 0 to 1, whichever the direction; None without a measurement."""
    latest = _number(line["latest"]["value"]) if line["latest"] else None
    goal = _number(line["target_value"])
    if latest is None or goal is None:
        return None
    start = _number(line["baseline"])
    if start is None:
        start = Decimal(0) if line["direction"] != Target.Direction.AT_MOST else latest
    span = goal - start
    if span == 0:
        reached = (
            latest >= goal if line["direction"] != Target.Direction.AT_MOST else latest <= goal
        )
        return 1.0 if reached else 0.0
    return float(max(Decimal(0), min(Decimal(1), (latest - start) / span)))


PROGRESS_WIDTH = 300
STATUS_COLOURS = {
    "achieved": "#1d6b2f",
    "on_track": "#1d4f91",
    "at_risk": "#a35a00",
    "overdue": "#a31515",
    "no_data": "#9aa5b1",
}


def _plain(text: str | None, unit: str) -> str:
    value = _number(text)
    if value is None:
        return ""
    return f"{value.normalize():f} {unit}".strip()


def _target(line: dict) -> dict:
    share = progress_share(line)
    return {
        "indicator": line["indicator"],
        "unit": line["unit"],
        "direction": _label(Target.Direction, line["direction"]),
        "baseline": _plain(line["baseline"], line["unit"]) or _("not recorded"),
        "baseline_date": _day(line["baseline_date"]) if line["baseline_date"] else "",
        "latest": _plain(line["latest"]["value"], line["unit"])
        if line["latest"]
        else _("no measurement yet"),
        "latest_date": _day(line["latest"]["date"]) if line["latest"] else "",
        "percent": None if share is None else round(share * 100),
        "progress": {
            "width": PROGRESS_WIDTH,
            "filled": 0 if share is None else round(share * PROGRESS_WIDTH, 1),
            "colour": STATUS_COLOURS.get(line["status"], "#9aa5b1"),
        },
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
        "person": _holder(line),
        "role": _label(Role, line["role"]),
        "date": _date(line["date"]),
        "decision": _short_instrument(line["decision"]),
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
        "instrument": _short_instrument(line["instrument"]),
    }


def _made_at(iso: str) -> str:
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%d/%m/%Y %H:%M")


def _long_date(iso: str) -> str:
    """The date line of the cover, as each language writes it."""
    day = timezone.localtime(dt.datetime.fromisoformat(iso)).date()
    return _("Ho Chi Minh City, %(day)s %(month)s %(year)s") % {
        "day": f"{day.day:02d}" if translation.get_language() == "vi" else day.day,
        "month": _month_name(day.month),
        "year": day.year,
    }


def _month_name(month: int) -> str:
    if translation.get_language() == "vi":
        return f"tháng {month:02d} năm"
    return dt.date(2000, month, 1).strftime("%B")


def _summary(snapshot: dict, targets: list[dict]) -> dict:
    """The first page's figures: seats declared and named (title-only and vacant seats come
    with the roster rework; until then their slots say so), targets by status."""
    counts = snapshot["counts"]
    declared = counts.get("declared")
    named = counts.get("named", counts.get("actual", 0))
    by_status = {code: 0 for code in STATUS_COLOURS}
    for line in snapshot["targets"]:
        by_status[line["status"]] = by_status.get(line["status"], 0) + 1
    top = max(declared or 0, named, 1)
    return {
        "declared": declared,
        "named": named,
        "title_only": counts.get("title_only"),
        "vacant": counts.get("vacant"),
        "gap": counts.get("gap"),
        "targets": by_status,
        "targets_total": len(targets),
        "chart": {
            "width": 300,
            "declared": round((declared or 0) / top * 300, 1),
            "named": round(named / top * 300, 1),
        },
    }


def committee_review_context(snapshot: dict) -> dict:
    committee = snapshot["committee"]
    targets = [_target(line) for line in snapshot["targets"]]
    return {
        "number": snapshot.get("number", ""),
        "issuer": _("Ho Chi Minh City People's Committee"),
        "date_line": _long_date(snapshot["made_at"]),
        "summary": _summary(snapshot, targets),
        "decisions": decisions_cited(snapshot)[:-KEEP_TOGETHER] or [],
        "decisions_tail": decisions_cited(snapshot)[-KEEP_TOGETHER:],
        "scope_name": committee["name"],
        "committee": {
            **committee,
            "kind_label": _label(Committee.Kind, committee["kind"]),
            "founded": _date(committee["founded"]),
            "dissolved": _date(committee["dissolved"]) if committee["dissolved"]["date"] else "",
            "established_by": _short_instrument(committee["established_by"]),
        },
        "period": snapshot["period"],
        "period_start": _day(snapshot["period"]["start"]),
        "period_end": _day(snapshot["period"]["end"]),
        "as_of": _day(snapshot["as_of"]),
        "made_at": _made_at(snapshot["made_at"]),
        "legal_basis": [_short_instrument(item) for item in snapshot["legal_basis"]],
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
                "legal_basis": [_short_instrument(item) for item in line["legal_basis"]],
            }
            for line in snapshot["mandates"]
        ],
        "targets": targets,
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
        "work": work_context(snapshot.get("work")),
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
        context["css_as_of"] = css_string(_("Data as of %(day)s") % {"day": context["as_of"]})
        return render_to_string(TEMPLATES[snapshot["kind"]], context)
