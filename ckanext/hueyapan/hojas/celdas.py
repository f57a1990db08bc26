"""The cells of a spreadsheet: a CSV or XLSX file read into sheets of :class:`Cell` (the value as
the file holds it and as a person reads it), the cells that say there is no value already empty.
A file that cannot be read raises :class:`TableError`.

How a sheet is read is told in :mod:`ckanext.hueyapan.hojas.tabla`.
"""
from __future__ import annotations

import csv
import datetime
import functools
import io
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun.lectura import (
    SNIFF_CHARS,
    ZIP_MAGIC,
    ReadError,
    aliases_file,
    detect_encoding,
    is_workbook_zip,
    normalise_header,
    sniff_delimiter,
)

__all__ = ["EMPTY", "Cell", "TableError", "display", "empty_markers", "read_sheets"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableError(ReadError):
    """The whole file is unusable; ``str(error)`` is a translated message."""


@dataclass(frozen=True)
class Cell:
    """One cell of a sheet."""

    value: Any
    """The value as the file holds it: text for CSV; text, number, datetime ... for XLSX."""
    text: str
    """The value as a person reads it, trimmed."""
    percent: bool = False
    """An XLSX number formatted as a percentage (0.45 shown as 45 %)."""


EMPTY = Cell(None, "")
"""An empty cell, also the one past the last cell of a short row."""


def display(value: Any) -> str:
    """A value of the file as a person reads it: a whole number without ".0", a date without
    its midnight, text trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()


_MARKER_LENGTH = 40
"""Longer cells are never read as "no value" markers."""


def empty_markers() -> list[str]:
    """The cell texts that mean "no value" (``vacios`` of ``encabezados.yaml``), as written."""
    return [str(text) for text in aliases_file().get("vacios") or ()]


@functools.cache
def _empty_markers() -> frozenset[str]:
    return frozenset(normalise_header(text) for text in empty_markers())


def _means_empty(text: str) -> bool:
    """Whether a cell says there is no value: "N/D", "no disponible", "s/d" (``vacios`` of
    ``encabezados.yaml``), or nothing but punctuation ("-", "—", "...")."""
    if not text or len(text) > _MARKER_LENGTH:
        return False
    form = normalise_header(text)
    return not form or form in _empty_markers()


def _xlsx_cell(cell: Any) -> Cell:
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        value = value.strip()
        if _means_empty(value):
            return EMPTY
    number_format = getattr(cell, "number_format", None) or ""
    percent = isinstance(value, (int, float)) and not isinstance(value, bool) and \
        "%" in number_format
    return Cell(value, display(value), percent)


def _csv_cell(text: str) -> Cell:
    trimmed = text.strip()
    return EMPTY if _means_empty(trimmed) else Cell(text, trimmed)


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------

_Rows = Iterator[list[Cell]]


def _unreadable(filename: str) -> TableError:
    return TableError(
        tk._("The file \"{filename}\" could not be read: save it as .xlsx, or as .csv in UTF-8, "
             "and try again").format(filename=filename))


def read_sheets(content: bytes, filename: str) -> Generator[tuple[str | None, _Rows], None, None]:
    """(sheet name, rows) of each readable table of the file: one for CSV, one per visible sheet."""
    if content.startswith(_OLE_MAGIC):
        raise TableError(
            tk._("The file \"{filename}\" is an old Excel workbook (.xls): open it in Excel and "
                 "save it as .xlsx, or as .csv in UTF-8").format(filename=filename))
    if content.startswith(ZIP_MAGIC):
        yield from _xlsx_sheets(content, filename)
    else:
        yield None, _csv_rows(content, filename)


def _csv_rows(content: bytes, filename: str) -> _Rows:
    text = content.decode(detect_encoding(content), errors="replace")
    if "\x00" in text[:SNIFF_CHARS]:
        raise _unreadable(filename)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(
        text[:SNIFF_CHARS]))
    try:
        for record in reader:
            yield [_csv_cell(cell) for cell in record]
    except csv.Error as error:
        raise _unreadable(filename) from error


def _xlsx_sheets(content: bytes, filename: str) -> Iterator[tuple[str | None, _Rows]]:
    from openpyxl import load_workbook

    if not is_workbook_zip(content):
        raise _unreadable(filename)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise _unreadable(filename) from error
    try:
        for worksheet in workbook.worksheets:
            if getattr(worksheet, "sheet_state", "visible") != "visible":
                continue  # SIPOT exports keep their catalogues in hidden sheets
            worksheet.reset_dimensions()  # a wrong <dimension> would cut the sheet short
            yield worksheet.title, _xlsx_rows(worksheet, filename)
    finally:
        workbook.close()


def _xlsx_rows(worksheet: Any, filename: str) -> _Rows:
    try:
        for row in worksheet.iter_rows():
            yield [_xlsx_cell(cell) for cell in row]
    except Exception as error:
        raise _unreadable(filename) from error
