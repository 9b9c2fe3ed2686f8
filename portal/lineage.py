"""Draw a committee's lineage (predecessors → it → successors) as a small server-side SVG.

Every piece of text is escaped here, so names and titles can hold anything.
"""

import textwrap

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from committees.models import Committee, Succession
from committees.partial_dates import format_partial_date

NODE_W = 240
NODE_H = 66
GAP = 18
COLUMN_GAP = 70
WIDTH = 3 * NODE_W + 2 * COLUMN_GAP
LINE_CHARS = 34


def _lines(text: str, count: int = 2) -> list[str]:
    lines = textwrap.wrap(text, LINE_CHARS) or [""]
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][: LINE_CHARS - 1].rstrip() + "…"
    return lines


def _node(x: int, y: int, committee: Committee, caption: str, *, current: bool) -> str:
    name = committee.short_name or committee.name
    css = "lineage-node lineage-current" if current else "lineage-node"
    texts = "".join(
        f'<text x="{x + 12}" y="{y + 22 + 17 * i}" class="lineage-name">{escape(line)}</text>'
        for i, line in enumerate(_lines(name))
    )
    if caption:
        texts += (
            f'<text x="{x + 12}" y="{y + NODE_H - 8}" class="lineage-caption">'
            f"{escape(caption)}</text>"
        )
    body = (
        f"<title>{escape(committee.name)}</title>"
        f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="8" class="{css}"/>'
        f"{texts}"
    )
    if current:
        return f'<g aria-current="page">{body}</g>'
    return f'<a href="{escape(committee.get_absolute_url())}">{body}</a>'


def _caption(succession: Succession) -> str:
    when = format_partial_date(succession.date, succession.date_precision)
    return f"{succession.get_kind_display()} · {when}"


def lineage_svg(
    committee: Committee, predecessors: list[Succession], successors: list[Succession]
) -> SafeString:
    """An SVG of the committee between its predecessors (left) and successors (right); empty when
    the committee has neither."""
    if not predecessors and not successors:
        return mark_safe("")
    rows = max(len(predecessors), len(successors), 1)
    height = rows * (NODE_H + GAP) + GAP
    left_x, centre_x, right_x = 0, NODE_W + COLUMN_GAP, 2 * (NODE_W + COLUMN_GAP)
    centre_y = (height - NODE_H) // 2

    def column_y(index: int, count: int) -> int:
        top = (height - (count * (NODE_H + GAP) - GAP)) // 2
        return top + index * (NODE_H + GAP)

    parts = [
        '<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" class="lineage-arrowhead"/></marker></defs>'
    ]
    for index, succession in enumerate(predecessors):
        y = column_y(index, len(predecessors))
        parts.append(
            f'<path d="M {left_x + NODE_W} {y + NODE_H // 2} C {left_x + NODE_W + 35} '
            f"{y + NODE_H // 2}, {centre_x - 35} {centre_y + NODE_H // 2}, {centre_x} "
            f'{centre_y + NODE_H // 2}" class="lineage-edge" marker-end="url(#lineage-arrow)"/>'
        )
        parts.append(_node(left_x, y, succession.predecessor, _caption(succession), current=False))
    for index, succession in enumerate(successors):
        y = column_y(index, len(successors))
        parts.append(
            f'<path d="M {centre_x + NODE_W} {centre_y + NODE_H // 2} C {centre_x + NODE_W + 35} '
            f"{centre_y + NODE_H // 2}, {right_x - 35} {y + NODE_H // 2}, {right_x} "
            f'{y + NODE_H // 2}" class="lineage-edge" marker-end="url(#lineage-arrow)"/>'
        )
        parts.append(_node(right_x, y, succession.successor, _caption(succession), current=False))
    parts.append(_node(centre_x, centre_y, committee, _("this body"), current=True))
    label = escape(_("Lineage of %(name)s") % {"name": committee.name})
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="group" '
        f'aria-label="{label}" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMidYMid meet">{"".join(parts)}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every piece of text above is escaped
