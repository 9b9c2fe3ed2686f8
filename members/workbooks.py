"""Reading roster files without trusting them: sizes checked before anything is unpacked, every
cell's length checked while streaming, and every row of an XLSX sheet read whatever size the
sheet declares.

An XLSX file is a zip of XML parts. Its compressed size says little about what it holds (a
412 KB workbook can unpack to a 400 MB cell), so a workbook is inspected before openpyxl sees it:

1. the sizes the zip declares for its parts are added up (Python's zipfile never yields more
   than a part's declared size: a part that unpacks to more fails its checksum), and the parts
   openpyxl reads whole (workbook, styles, relationships…) are capped one by one;
2. the shared strings and the sheets are streamed through expat, 64 KiB at a time, counting the
   characters of each cell and the cells of each row without keeping them, within a budget of
   unpacked bytes; the first cell over the limit is named (sheet and cell reference);
3. only then does openpyxl read the workbook, in read-only mode, with the sheet's declared
   dimension reset: some writers declare `A1:G2` on a sheet of 500 rows, and read-only openpyxl
   stops at the declared last row.
"""

import csv
import datetime as dt
import io
import math
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from itertools import islice
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils import numberformat
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from committees.text import nfc

# The upload itself.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# What a workbook may unpack to, all parts together.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
# The shared strings part: openpyxl keeps every string of it in memory.
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_SHARED_STRINGS = 200_000
# Any other XML part (workbook, styles, theme, relationships…): openpyxl parses it whole.
MAX_XML_PART_BYTES = 8 * 1024 * 1024
# A spreadsheet cell holds at most 32,767 characters (Excel's own limit), a row 16,384 cells.
MAX_CELL_CHARS = 32_767
MAX_ROW_CELLS = 16_384
MAX_ROWS = 10_000
# A roster has seven columns; more than this is not a roster.
MAX_COLUMNS = 64
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_ROWS = 10

_CHUNK = 64 * 1024
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted part
    OSError,
    ValueError,
    KeyError,
)


class RosterFileError(ValidationError):
    """The file as a whole cannot be read (size, format, sheet, columns)."""


def megabytes(size: int) -> str:
    """A size in MB for a message, rounded up to a tenth so that a file over a limit never
    reads as the limit itself ("5.1 MB", not "5.0 MB"), with the user's decimal separator."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    if tenths % 10 == 0:
        return count(tenths // 10)
    return number_format(tenths / 10, decimal_pos=1)


def count(value: int) -> str:
    """A whole number grouped by thousands with the user's separator ("32.767" in Vietnamese,
    whose Django format does not group by itself)."""
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def too_large_message(size: int) -> str:
    return _("The file is too large (%(size)s MB); a roster file may be at most %(max)s MB.") % {
        "size": megabytes(size),
        "max": megabytes(MAX_IMPORT_BYTES),
    }


def _unreadable() -> RosterFileError:
    return RosterFileError(_("The file is not a readable XLSX workbook."))


def _cell_too_long(cell: str | None, sheet: str | None) -> RosterFileError:
    limit = count(MAX_CELL_CHARS)
    if cell and sheet:
        message = _(
            "Cell %(cell)s of the sheet “%(sheet)s” holds more than %(max)s characters, more "
            "than a spreadsheet cell may hold. Shorten it and try again."
        ) % {"cell": cell, "sheet": sheet, "max": limit}
    elif cell:
        message = _(
            "Cell %(cell)s holds more than %(max)s characters, more than a spreadsheet cell may "
            "hold. Shorten it and try again."
        ) % {"cell": cell, "max": limit}
    else:
        message = _(
            "The workbook holds a text of more than %(max)s characters, more than a spreadsheet "
            "cell may hold."
        ) % {"max": limit}
    return RosterFileError(message)


def _unpacks_too_large(size: int) -> RosterFileError:
    return RosterFileError(
        _(
            "The workbook unpacks to %(size)s MB; a roster workbook may unpack to at most "
            "%(max)s MB. Copy the roster sheet alone into a new workbook and try again."
        )
        % {"size": megabytes(size), "max": megabytes(MAX_UNPACKED_BYTES)}
    )


# --- Inspecting a workbook before it is read ----------------------------------------------


class _Stop(Exception):
    """Ends a streamed part early: what was looked for was found."""


class _OverBudget(Exception):
    pass


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total


def _local(name: str) -> str:
    return name.rpartition(":")[2].rpartition(" ")[2]


def _stream(archive: zipfile.ZipFile, name: str, parser, budget: _Budget) -> None:
    """Feed one part to an expat parser in bounded chunks; a document type declaration (never
    in a workbook; the door to entity expansion) makes the file unreadable."""

    def refuse(*_args) -> None:
        raise _unreadable()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            budget.left -= len(chunk)
            if budget.left < 0:
                raise _OverBudget
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _oversized_shared_string(archive: zipfile.ZipFile, name: str, budget: _Budget) -> int | None:
    """The index of the first shared string over the cell limit (None when none is)."""
    parser = expat.ParserCreate()
    state = {"index": -1, "chars": 0, "inside": False}

    def start(tag, _attrs) -> None:
        if _local(tag) == "si":
            state["index"] += 1
            state["chars"] = 0
            state["inside"] = True
            if state["index"] >= MAX_SHARED_STRINGS:
                raise RosterFileError(
                    _(
                        "The workbook holds more than %(max)s different texts; a roster has at "
                        "most %(rows)s rows. Copy the roster sheet alone into a new workbook "
                        "and try again."
                    )
                    % {
                        "max": count(MAX_SHARED_STRINGS),
                        "rows": count(MAX_ROWS),
                    }
                )

    def end(tag) -> None:
        if _local(tag) == "si":
            state["inside"] = False

    def text(data: str) -> None:
        if state["inside"]:
            state["chars"] += len(data)
            if state["chars"] > MAX_CELL_CHARS:
                raise _Stop

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        _stream(archive, name, parser, budget)
    except _Stop:
        return state["index"]
    return None


def _check_sheet(
    archive: zipfile.ZipFile,
    name: str,
    title: str | None,
    oversized_string: int | None,
    budget: _Budget,
) -> None:
    """Raise for the first cell over the limit (its own text, or a shared string over the limit
    that it shows), or for a row of more cells than a spreadsheet row has."""
    from openpyxl.utils.cell import (
        column_index_from_string,
        coordinate_from_string,
        get_column_letter,
    )

    parser = expat.ParserCreate()
    state: dict = {"row": 0, "column": 0, "cells": 0, "ref": None, "kind": None, "chars": 0}
    state.update(in_cell=False, in_value=False, value="")

    def cell_ref() -> str:
        return state["ref"] or f"{get_column_letter(max(state['column'], 1))}{state['row']}"

    def start(tag, attrs) -> None:
        local = _local(tag)
        if local == "row":
            try:
                state["row"] = int(attrs.get("r") or state["row"] + 1)
            except ValueError:
                state["row"] += 1
            state["column"] = 0
            state["cells"] = 0
        elif local == "c":
            state["cells"] += 1
            if state["cells"] > MAX_ROW_CELLS:
                raise RosterFileError(
                    _(
                        "Row %(line)s of the sheet “%(sheet)s” has more cells than a spreadsheet row."
                    )
                    % {"line": state["row"], "sheet": title or "?"}
                )
            ref = attrs.get("r")
            state["ref"] = None
            if ref:
                try:
                    letters, row = coordinate_from_string(ref)
                    state["column"] = column_index_from_string(letters)
                    state["row"] = row
                    state["ref"] = ref
                except ValueError:
                    state["column"] += 1
            else:
                state["column"] += 1
            state.update(kind=attrs.get("t"), chars=0, in_cell=True, value="")
        elif local == "v" and state["in_cell"]:
            state["in_value"] = True

    def end(tag) -> None:
        local = _local(tag)
        if local == "v":
            state["in_value"] = False
        elif local == "c":
            state["in_cell"] = False
            if (
                oversized_string is not None
                and state["kind"] == "s"
                and state["value"].strip() == str(oversized_string)
            ):
                raise _cell_too_long(cell_ref(), title)

    def text(data: str) -> None:
        if not state["in_cell"]:
            return
        state["chars"] += len(data)
        if state["chars"] > MAX_CELL_CHARS:
            raise _cell_too_long(cell_ref(), title)
        if state["in_value"] and state["kind"] == "s" and len(state["value"]) < 16:
            state["value"] += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    _stream(archive, name, parser, budget)


def _elements(archive: zipfile.ZipFile, name: str, wanted: str) -> list[dict[str, str]]:
    """The attributes of every element named `wanted` in a small part, streamed by expat."""
    found: list[dict[str, str]] = []
    parser = expat.ParserCreate()

    def start(tag, attrs) -> None:
        if _local(tag) == wanted:
            found.append({_local(key): value for key, value in attrs.items()})

    parser.StartElementHandler = start
    _stream(archive, name, parser, _Budget(MAX_XML_PART_BYTES))
    return found


def _sheet_parts(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str | None]]:
    """The worksheet parts in workbook order with their titles; every part under
    xl/worksheets/ that the workbook's own list does not name comes after, untitled."""
    found: list[tuple[str, str | None]] = []
    if {"xl/workbook.xml", "xl/_rels/workbook.xml.rels"} <= names:
        targets = {}
        for rel in _elements(archive, "xl/_rels/workbook.xml.rels", "Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id")] = posixpath.normpath(path)
        for sheet in _elements(archive, "xl/workbook.xml", "sheet"):
            path = targets.get(sheet.get("id"))
            if path in names:
                found.append((path, sheet.get("name")))
    listed = {path for path, _title in found}
    for name in sorted(names):
        if name.startswith("xl/worksheets/") and name.endswith(".xml") and name not in listed:
            found.append((name, None))
    return found


def _part_too_large(name: str, size: int, limit: int) -> RosterFileError:
    return RosterFileError(
        _(
            "The workbook's part “%(part)s” unpacks to %(size)s MB, more than the %(max)s MB a "
            "roster workbook needs. Copy the roster sheet alone into a new workbook and try again."
        )
        % {"part": name, "size": megabytes(size), "max": megabytes(limit)}
    )


def _is_shared_strings(name: str) -> bool:
    return name.lower().endswith("sharedstrings.xml")


def check_xlsx(data: bytes) -> None:
    """Refuse, before openpyxl reads it, a workbook that unpacks to too much or holds a cell
    longer than a spreadsheet cell may be. Memory stays bounded by the chunk size whatever
    the parts hold; work stops after MAX_UNPACKED_BYTES of unpacked XML."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise _unreadable() from exc
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        unpacked = sum(info.file_size for info in infos)
        # The parts openpyxl parses whole (workbook, styles, theme, relationships…), before
        # any of them is read here.
        for info in infos:
            name = info.filename
            if (
                name.lower().endswith((".xml", ".rels", ".vml"))
                and not name.startswith("xl/worksheets/")
                and not _is_shared_strings(name)
                and info.file_size > MAX_XML_PART_BYTES
            ):
                raise _part_too_large(name, info.file_size, MAX_XML_PART_BYTES)
        shared = sorted(name for name in names if _is_shared_strings(name))
        budget = _Budget(MAX_UNPACKED_BYTES)
        oversized = None
        try:
            sheets = _sheet_parts(archive, names)
            for name in shared:
                oversized = _oversized_shared_string(archive, name, budget)
                if oversized is not None:
                    break
            for name, title in sheets:
                _check_sheet(archive, name, title, oversized, budget)
            # The parts openpyxl parses with ElementTree: none may declare a document type.
            checked = {*shared, *(name for name, _title in sheets)}
            for name in sorted(names - checked):
                if name.lower().endswith((".xml", ".rels")):
                    _stream(archive, name, expat.ParserCreate(), budget)
        except _OverBudget:
            raise _unpacks_too_large(max(unpacked, MAX_UNPACKED_BYTES + 1)) from None
        except (*_ZIP_ERRORS, expat.ExpatError) as exc:
            raise _unreadable() from exc
        if oversized is not None:  # a string over the limit that no cell shows
            raise _cell_too_long(None, None)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _unpacks_too_large(unpacked)
        for info in infos:
            if _is_shared_strings(info.filename) and info.file_size > MAX_SHARED_STRINGS_BYTES:
                raise _part_too_large(info.filename, info.file_size, MAX_SHARED_STRINGS_BYTES)


# --- Reading rows ---------------------------------------------------------------------------


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = nfc(str(value))
    # Undo the export's guard against formulas ("'=..." was written for "=...").
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def _too_many_rows() -> RosterFileError:
    return RosterFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})


def _sheet_rows(sheet) -> Iterator[list[str]]:
    # The declared dimension is not trusted: without it read-only openpyxl reads every row.
    sheet.reset_dimensions()
    # max_col: read-only openpyxl pads every row to the widest cell (XFD1 = 16,384).
    rows = sheet.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS, values_only=True)
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS + HEADER_ROWS:
            raise _too_many_rows()
        cells = [cell_text(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        yield cells


def read_xlsx(data: bytes) -> Iterator[Iterator[list[str]]]:
    """The sheets of a workbook, each as its rows of text, read lazily one sheet at a time (a
    sheet whose first rows are not a roster is not read further). The workbook is inspected
    first (check_xlsx)."""
    from openpyxl import load_workbook

    check_xlsx(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises its own errors for broken workbooks
        raise _unreadable() from exc
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "reset_dimensions"):  # a chart sheet
                continue
            yield _guarded(_sheet_rows(sheet))
    finally:
        workbook.close()


def _guarded(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        yield from rows
    except RosterFileError:
        raise
    except Exception as exc:  # a part that openpyxl cannot parse
        raise _unreadable() from exc


def read_csv(data: bytes) -> Iterator[Iterator[list[str]]]:
    if b"\x00" in data[:4096]:
        raise RosterFileError(_("The file is neither an XLSX workbook nor a CSV text file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            _("The CSV file is not in UTF-8; save it as “CSV UTF-8” and try again.")
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            for column, cell in enumerate(row, start=1):
                if len(cell) > MAX_CELL_CHARS:
                    raise _csv_cell_too_long(reader.line_num, column)
            rows.append([cell_text(cell) for cell in row])
            if len(rows) > MAX_ROWS + HEADER_ROWS:
                raise _too_many_rows()
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _csv_cell_too_long(reader.line_num + 1, None) from exc
        raise RosterFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return iter([iter(rows)])


def _csv_cell_too_long(line: int, column: int | None) -> RosterFileError:
    limit = count(MAX_CELL_CHARS)
    if column is None:
        message = _("Line %(line)s holds a cell of more than %(max)s characters.")
    else:
        message = _("Line %(line)s, column %(column)s holds more than %(max)s characters.")
    return RosterFileError(message % {"line": line, "column": column, "max": limit})


def head_and_rest(rows: Iterator[list[str]]) -> tuple[list[list[str]], Iterator[list[str]]]:
    """The first rows of a sheet (where its header is looked for) and an iterator over the
    rest, so that a sheet that is not a roster is not read further."""
    rows = iter(rows)
    return list(islice(rows, HEADER_ROWS)), rows
