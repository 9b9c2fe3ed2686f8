"""A package file read whatever its form: JSON (an object or an array) or the XLSX form."""

import datetime as dt
import io
import zipfile

from django.utils.translation import gettext as _

from packages.schema import (
    DECISION_KEYS,
    SEAT_KEYS,
    SOURCE_KEYS,
    TARGET_KEYS,
    Package,
    PackageInvalid,
    parse_json,
    read_packages,
)

MAX_ROWS = 20000
MAX_COLUMNS = 32
# The XLSX form: one sheet per list. Each list row names its body by the name in "bodies".
BODY_COLUMNS = (
    "name",
    "name_en",
    "level",
    "jurisdiction",
    *[f"established_by.{key}" for key in DECISION_KEYS],
    "predecessors",
    "dissolved_or_replaced_by",
    "declared_member_count",
    "standing_agency",
    "support_group.name",
    "support_group.declared_member_count",
)
SHEETS = {
    "bodies": BODY_COLUMNS,
    "members": ("body", "group", *SEAT_KEYS),
    "mandates": ("body", "text"),
    "targets": ("body", *TARGET_KEYS),
    "sources": ("body", *SOURCE_KEYS),
}


def read_file(raw: bytes, file_name: str = "") -> list[Package]:
    """Packages from a file's bytes: an XLSX workbook (by its signature) or JSON."""
    if raw[:2] == b"PK" or file_name.lower().endswith(".xlsx"):
        return read_packages(workbook_to_data(raw))
    return parse_json(raw)


def _cell(value) -> str | int | None:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def workbook_to_data(raw: bytes) -> list[dict]:
    """The XLSX form turned into the JSON form, so both are checked by the same rules.
    Read-only, row by row: memory stays bounded whatever the file's size."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise PackageInvalid([_("(file): not a readable XLSX workbook")]) from None
    problems: list[str] = []
    tables: dict[str, list[tuple[int, dict]]] = {}
    try:
        for sheet in book.worksheets:
            title = sheet.title.strip().lower()
            if title not in SHEETS:
                problems.append(
                    _('sheet "%(sheet)s": unknown sheet (expected: %(sheets)s)')
                    % {"sheet": sheet.title, "sheets": ", ".join(SHEETS)}
                )
                continue
            rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
            header = [str(_cell(v)).strip() for v in next(rows, ())]
            while header and not header[-1]:
                header.pop()
            for column in header:
                if column not in SHEETS[title]:
                    problems.append(
                        _('sheet "%(sheet)s", column "%(column)s": unknown key')
                        % {"sheet": sheet.title, "column": column}
                    )
            items = []
            for number, row in enumerate(rows, start=2):
                if number > MAX_ROWS:
                    problems.append(_('sheet "%(sheet)s": too many rows') % {"sheet": sheet.title})
                    break
                values = {h: _cell(v) for h, v in zip(header, row, strict=False) if h}
                if any(v not in ("", None) for v in values.values()):
                    items.append((number, values))
            tables[title] = items
    finally:
        book.close()
    if "bodies" not in tables:
        problems.append(_('(file): the workbook has no "bodies" sheet'))
    if problems:
        raise PackageInvalid(problems)
    packages: list[dict] = []
    by_name: dict[str, dict] = {}
    for _number, row in tables["bodies"]:
        package: dict = {}
        decision: dict = {}
        group: dict = {}
        for key, value in row.items():
            if key.startswith("established_by."):
                decision[key.split(".", 1)[1]] = value
            elif key.startswith("support_group."):
                group[key.split(".", 1)[1]] = value
            elif key == "predecessors":
                package[key] = [p.strip() for p in str(value).splitlines() if p.strip()]
            else:
                package[key] = value
        if any(decision.values()):
            package["established_by"] = decision
        if group.get("name"):
            group["members"] = []
            package["support_group"] = group
        for key in ("members", "mandates", "targets", "sources"):
            package[key] = []
        packages.append(package)
        by_name[str(package.get("name", ""))] = package
    for sheet in ("members", "mandates", "targets", "sources"):
        for number, row in tables.get(sheet, []):
            body = by_name.get(str(row.pop("body", "")))
            if body is None:
                problems.append(
                    _('sheet "%(sheet)s", row %(row)s: no body of that name in "bodies"')
                    % {"sheet": sheet, "row": number}
                )
                continue
            if sheet == "members":
                in_group = str(row.pop("group", "")).strip()
                target = body
                if in_group:
                    if "support_group" not in body:
                        problems.append(
                            _('sheet "members", row %(row)s: the body has no support group')
                            % {"row": number}
                        )
                        continue
                    target = body["support_group"]
                target["members"].append(row)
            elif sheet == "mandates":
                body["mandates"].append(row.get("text", ""))
            else:
                body[sheet].append(row)
    if problems:
        raise PackageInvalid(problems)
    return packages


def data_to_workbook(packages: list[dict]) -> bytes:
    """The XLSX form of packages (the clerk's template, or an export)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(name) for name in SHEETS}
    for name, columns in SHEETS.items():
        sheets[name].append(list(columns))
    for package in packages:
        decision = package.get("established_by") or {}
        group = package.get("support_group") or {}
        row = []
        for column in BODY_COLUMNS:
            if column.startswith("established_by."):
                row.append(decision.get(column.split(".", 1)[1], ""))
            elif column.startswith("support_group."):
                row.append(group.get(column.split(".", 1)[1], ""))
            elif column == "predecessors":
                row.append("\n".join(package.get("predecessors") or []))
            else:
                row.append(package.get(column, ""))
        sheets["bodies"].append([("" if v is None else v) for v in row])
        name = package["name"]
        for seat in package.get("members") or []:
            sheets["members"].append([name, "", *[seat.get(k, "") for k in SEAT_KEYS]])
        for seat in group.get("members") or []:
            sheets["members"].append([name, "x", *[seat.get(k, "") for k in SEAT_KEYS]])
        for text in package.get("mandates") or []:
            sheets["mandates"].append([name, text])
        for target in package.get("targets") or []:
            sheets["targets"].append([name, *[target.get(k, "") for k in TARGET_KEYS]])
        for source in package.get("sources") or []:
            sheets["sources"].append([name, *[source.get(k, "") for k in SOURCE_KEYS]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
