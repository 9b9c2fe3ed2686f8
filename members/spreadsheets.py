"""Roster files: read XLSX or CSV into rows, and write a roster on any date as XLSX or CSV.

Planning and applying an import is members.roster_import's; this module reads and writes
files only."""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.models import Committee
from committees.partial_dates import format_partial_date
from committees.text import fold
from members.selectors import roster_queryset, today
from members.workbooks import (  # noqa: F401 (the reading limits, named here too)
    FORMULA_PREFIXES,
    MAX_COLUMNS,
    MAX_IMPORT_BYTES,
    MAX_ROWS,
    RosterFileError,
    head_and_rest,
    read_csv,
    read_xlsx,
    too_large_message,
)

# The columns of a roster file, in order, with their header in the user's language.
COLUMNS: tuple[tuple[str, object], ...] = (
    ("full_name", gettext_lazy("Full name")),
    ("rank", gettext_lazy("Rank")),
    ("role", gettext_lazy("Role")),
    ("post", gettext_lazy("Post")),
    ("home_agency", gettext_lazy("Home agency")),
    ("start", gettext_lazy("Start date")),
    ("decision", gettext_lazy("Decision number")),
    ("person_id", gettext_lazy("Person identifier")),
)
# Columns a file may leave out: the person identifier tells namesakes apart when a script
# knows who is meant (the person's identifier in the registry, as in their page's address).
OPTIONAL_COLUMNS = frozenset({"person_id"})
# Headers are matched folded (no diacritics, lower case), in Vietnamese or English.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "name", "full name", "full_name"),
    "rank": ("cap bac", "cap bac/ham", "ham", "rank"),
    "role": ("vai tro", "chuc danh trong ban", "role"),
    "post": ("chuc vu", "post", "position", "title"),
    "home_agency": ("co quan", "don vi", "co quan cong tac", "home agency", "agency"),
    "start": ("ngay bat dau", "tu ngay", "start", "start date"),
    "decision": ("so quyet dinh", "quyet dinh", "decision", "decision number"),
    "person_id": ("ma nguoi", "ma dinh danh", "person id", "person_id", "person identifier"),
}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return _("Row %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class SourceRow:
    line: int
    full_name: str
    rank: str
    role: str
    post: str
    home_agency: str
    start: str
    decision: str
    person_id: str = ""


# --- Reading ------------------------------------------------------------------------------


def _key(value: str) -> str:
    return fold(value).strip(" :*")


def _header_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            mapping[alias] = column
    for language in ("vi", "en"):
        with translation.override(language):
            for column, label in COLUMNS:
                mapping[_key(str(label))] = column
    return mapping


def _find_header(rows: list[list[str]]) -> tuple[int, dict[int, str]] | None:
    """The first non-empty row is the header; map its column indexes to column keys."""
    mapping = _header_map()
    for index, row in enumerate(rows[:10]):
        if not any(cell.strip() for cell in row):
            continue
        found = {i: mapping[_key(cell)] for i, cell in enumerate(row) if _key(cell) in mapping}
        return index, found
    return None


def _missing_columns(found: dict[int, str]) -> list[str]:
    present = set(found.values())
    return [
        str(label)
        for column, label in COLUMNS
        if column not in present and column not in OPTIONAL_COLUMNS
    ]


def read_roster_file(data: bytes, filename: str = "") -> list[SourceRow]:
    """The rows of a roster file, or a RosterFileError naming what is wrong with it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise RosterFileError(too_large_message(len(data)))
    if not data.strip():
        raise RosterFileError(_("The file is empty."))
    is_xlsx = data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))
    # Sheets are read one at a time, and a sheet only past its first rows when they hold the
    # roster's header (members/workbooks.py checks a workbook's sizes before reading it).
    sheets = read_xlsx(data) if is_xlsx else read_csv(data)
    best_missing: list[str] | None = None
    for sheet in sheets:
        head, rest = head_and_rest(sheet)
        header = _find_header(head)
        if header is None:
            continue
        index, found = header
        missing = _missing_columns(found)
        if missing:
            if best_missing is None or len(missing) < len(best_missing):
                best_missing = missing
            continue
        return _rows_from(chain(head[index + 1 :], rest), found, first_line=index + 2)
    if best_missing is not None and len(best_missing) < len(COLUMNS) - len(OPTIONAL_COLUMNS):
        raise RosterFileError(
            _("Missing columns: %(columns)s. The columns are: %(all)s.")
            % {
                "columns": ", ".join(best_missing),
                "all": ", ".join(str(label) for _c, label in COLUMNS),
            }
        )
    raise RosterFileError(
        _("No sheet of the file has the roster columns (%(all)s) in its first row.")
        % {"all": ", ".join(str(label) for _c, label in COLUMNS)}
    )


def _rows_from(
    rows: Iterable[list[str]], found: dict[int, str], first_line: int
) -> list[SourceRow]:
    result = []
    for offset, row in enumerate(rows):
        values = {column: "" for column, _label in COLUMNS}
        for index, column in found.items():
            if index < len(row):
                values[column] = row[index].strip()
        if not any(values.values()):
            continue
        result.append(SourceRow(line=first_line + offset, **values))
    return result


# --- Export -------------------------------------------------------------------------------


def roster_table(committee: Committee, day: dt.date | None = None) -> list[list[str]]:
    """The roster on a day as rows of text: a header in the user's language, then one row per
    seat (in one query)."""
    day = day or today()
    header = [str(label) for _column, label in COLUMNS]
    rows = [header]
    for seat in roster_queryset(committee, day):
        # A seat named by its title only (or vacant) is written with an empty name and its
        # title, so importing the file back records the same seat.
        person = seat.person
        rows.append(
            [
                person.full_name if person else "",
                person.rank if person else "",
                seat.role_display,
                seat.title_at_appointment or (seat.position.title if seat.position else ""),
                seat.home_agency.name if seat.home_agency else "",
                format_partial_date(seat.start_date, seat.start_precision)
                if seat.start_date
                else "",
                seat.appointed_by.number if seat.appointed_by else "",
                person.slug if person else "",
            ]
        )
    return rows


def guard_formula(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is written as text."""
    return "'" + value if value.lstrip(" ").startswith(FORMULA_PREFIXES) else value


def roster_csv(committee: Committee, day: dt.date | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in roster_table(committee, day):
        writer.writerow([guard_formula(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def roster_xlsx(committee: Committee, day: dt.date | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")[:31]
    for row_index, row in enumerate(roster_table(committee, day), start=1):
        for column_index, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column_index)
            cell.value = value
            # Stored as text, never as a formula, whatever the first character.
            cell.data_type = "s"
            if value.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
            if row_index == 1:
                cell.font = Font(bold=True)
    for column in ("A", "D", "E"):
        sheet.column_dimensions[column].width = 32
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_export(
    *, committee: Committee, day: dt.date | None = None, fmt: str = "xlsx"
) -> tuple[bytes, str, str]:
    """The roster file's bytes, content type and file name."""
    day = day or today()
    name = f"{committee.slug}-{day.isoformat()}.{fmt}"
    if fmt == "csv":
        return roster_csv(committee, day), "text/csv; charset=utf-8", name
    if fmt == "xlsx":
        return (
            roster_xlsx(committee, day),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        )
    raise ValueError(fmt)


__all__ = [
    "COLUMNS",
    "MAX_IMPORT_BYTES",
    "RosterFileError",
    "RowError",
    "SourceRow",
    "read_roster_file",
    "roster_export",
    "roster_table",
]
