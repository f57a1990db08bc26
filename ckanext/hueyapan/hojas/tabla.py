"""From the bytes of a spreadsheet (CSV or XLSX) to dataset dicts, with row-level errors.

Municipal staff keep their lists in spreadsheets: our own templates (``plantillas.py``), the
quarterly SIPOT/PNT formats, Excel lists made by hand. :func:`read_table` turns each row into the
fields of one dataset of type ``obra``, ``programa-social`` or ``convocatoria``, ready for
``package_create``, and says precisely what it could not read.

**The file.** CSV in UTF-8 (with or without BOM) or Windows-1252, any of the delimiters , ; tab |
(sniffed); or an XLSX workbook, of which the first visible sheet with a recognisable header is read.
The format is recognised by content, not by name. An old ``.xls`` workbook, a damaged file or a file
with no header raises :class:`TableError`, and nothing is imported.

**The header** is the first of the top 15 rows where at least two cells name known columns. Headers
are compared without case, accents, punctuation or spacing, with or without a part in parentheses,
against each schema field's Spanish label and field name, and against the aliases of
``encabezados.yaml`` (SIPOT format headers and others; staff may extend it). ``mapping``
(header → field name, from the harvest source) comes first; mapping a header to ``""`` ignores that
column. Columns nobody knows are ignored. When several columns feed one field, the first one in
that order with a readable value wins for each row.

**The key** identifies each row: ``clave_obra``, ``clave_programa`` or ``folio``, or ``key_column``
(a header as written in the file, or a field name). A file without it raises :class:`TableError`.
A row without a key is reported; a key repeated in the file (compared without case or extra
spaces) is reported on every repeat, and only its first row is imported.

**Rows skipped silently:** empty rows, and total rows: the first non-empty cell says "Total",
"Totales", "Subtotal", "Gran total", "Suma" ..., or the row holds only numbers and has no key.

**Values** come out as the catalog stores them:

* money: ``"$1,234,567.89"``, ``"1234567.89"``, ``"1,234.5"``, ``"$ 1,234 MXN"`` or an Excel number
  → ``"1234567.89"``;
* dates: dd/mm/yyyy, d/m/yy (20yy, or 19yy when that would be more than ten years ahead),
  yyyy-mm-dd, "15 de marzo de 2025", Excel date cells and Excel serial numbers (years 1950–2100)
  → ``"2025-03-15"``. Month-first dates (03/25/2025) are refused, never guessed;
* percentages: ``"45%"``, ``"45"``, ``45`` → ``"45"``. **A fraction is multiplied by 100**: a cell
  formatted as a percentage in Excel, a number below or equal to 1 that is not whole (``0.45``), or
  a text with a decimal point whose value is at most 1 (``"0.45"`` → ``"45"``, ``"1.0"`` →
  ``"100"``). A ``%`` sign is never multiplied: ``"0.5%"`` → ``"0.5"``. The result must be 0–100;
* communities: names as in the register, with or without accents, any case, with or without a
  leading article or "Localidad"; 9-digit INEGI keys, alone or in parentheses after the name
  ("La Nueva Esperanza (300730156)": the key decides); several separated by ``;`` ``,`` or "y".
  "Todo el municipio", "Cabecera y localidades" ... → the municipality's key
  (``ckanext.hueyapan.municipio.cvegeo``); "Cabecera municipal" → locality 0001. A name two
  communities share (La Nueva Esperanza) is an error asking for the INEGI key. → list of keys;
* vocabulary fields: the term's key or its label (Spanish or English, without accents or case), or
  a value listed in ``encabezados.yaml`` (SIPOT catalogue values) → the key; several terms
  separated like communities → list of keys. Whether a term is valid in the fiscal year is left to
  the catalog's validators;
* whole numbers, fiscal years, company RFCs (a person's 13-character RFC is refused: it is personal
  data) and GeoJSON geometries are checked with the catalog's own validators;
* lists of text (requisitos ...): one item per line of the cell, or items separated by ``;``;
* obra funding: up to three pairs of columns "Fuente de financiamiento N" / "Monto fuente N"
  → ``fuentes_financiamiento = [{"fuente": key, "monto": "1234.50"}, ...]``;
* citizen consultations: up to two sets of columns "Fecha de la consulta" / "Lugar de la
  consulta" / "Asistentes mujeres" / "Asistentes hombres" / "Acta de la consulta" (and SIPOT-style
  names, ``encabezados.yaml``) → ``consultas = [{"fecha": ..., "lugar": ..., ...}]``; a
  consultation without its date or place is not kept and is reported.

An **empty cell leaves its field out** of the row's data. A cell that says there is no value
("N/D", "no disponible", "s/d" ...: ``vacios`` of ``encabezados.yaml``) or holds only punctuation
("-", "—") is an empty cell, never an error. A missing title is made from the
description (its first line, at most 150 characters). ``name`` is never set: the harvester names
datasets.

**Errors.** Each cell that cannot be read gives one :class:`RowError` (row as a person sees it,
header as written, raw text, Spanish reason). A bad value in a **required** field, or an empty cell
in the column of one, drops the whole row from :attr:`ParsedTable.rows`; a bad value in an
**optional** field drops only that field (the rest of the row is imported), is still reported
and is one of the row's :attr:`ParsedRow.observations` (the harvest stores them on the dataset).
A required field named in ``fillable`` (filled by the harvest) counts as optional.
A required field whose column the file lacks is not reported here: the harvester may fill it, and
``package_create`` says so otherwise. :attr:`ParsedTable.keys_seen` lists every key of the file,
also those of dropped rows, so that a row with an error is never taken for a withdrawn one.
Messages are translated through ``toolkit._`` in the language of the current request (English
msgids outside a request).
"""
from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun import KEY_FIELDS
from ckanext.hueyapan.comun.lectura import normalise_header
from ckanext.hueyapan.hojas.campos import GROUP_REQUIRED, SHEET_GROUPS, FieldSpec, field_specs
from ckanext.hueyapan.hojas.celdas import EMPTY, Cell, TableError, display, read_sheets
from ckanext.hueyapan.hojas.encabezados import (
    HEADER_SEARCH_ROWS,
    Layout,
    build_headers,
    find_header,
    find_layout,
)
from ckanext.hueyapan.hojas.valores import BadValue, CellReader, is_number, one_line

__all__ = [
    "ParsedRow",
    "ParsedTable",
    "RowError",
    "read_defaults",
    "read_table",
]

_TITLE_LENGTH = 150
_MESSAGE_VALUE_LENGTH = 80


@dataclass(frozen=True)
class RowError:
    """One cell (or row) that could not be read."""

    row: int
    """Spreadsheet row number as a person sees it (1-based, title and header rows counted)."""
    column: str | None
    """The header text as written in the file; None for whole-row problems."""
    value: str | None
    """The raw cell text; None when the cell is empty or the problem is the whole row."""
    reason: str
    """Translated message."""

    def message(self) -> str:
        """One line naming row, column and value, in the language of the current request."""
        if self.column is None:
            return tk._("Row {row}: {reason}").format(row=self.row, reason=self.reason)
        if self.value is None:
            return tk._("Row {row}, column \"{column}\": {reason}").format(
                row=self.row, column=self.column, reason=self.reason)
        value = self.value
        if len(value) > _MESSAGE_VALUE_LENGTH:
            value = value[:_MESSAGE_VALUE_LENGTH - 1].rstrip() + "…"
        return tk._("Row {row}, column \"{column}\", value \"{value}\": {reason}").format(
            row=self.row, column=self.column, value=value, reason=self.reason)


@dataclass
class ParsedRow:
    """One good row, as the fields of a dataset."""

    row: int
    key: str
    """The row's identity: clave_obra / clave_programa / folio, or the configured key column."""
    data: dict[str, Any]
    """Dataset fields ready for ``package_create`` (no ``name``, ``type`` nor ``owner_org``)."""
    columns: dict[str, str]
    """Dataset field name → header text it came from (to report validation errors by column)."""
    observations: list[RowError] = field(default_factory=list)
    """The row's cells that could not be read and were left out (also in the table's errors)."""


@dataclass
class ParsedTable:
    rows: list[ParsedRow]
    errors: list[RowError]
    header_row: int
    sheet: str | None
    keys_seen: list[str] = field(default_factory=list)
    """Every key found in the file, also on rows dropped for errors and on repeats."""


_TOTAL = re.compile(r"^(?:gran |sub)?total(?:es)?(?: |$)|^sumas?(?: |$)")
_NUMBERISH = re.compile(r"^[$\s]*[+-]?[\d,]+(\.\d+)?\s*%?$")


def _is_total(cells: Sequence[Cell]) -> bool:
    """Whether the first non-empty cell says "Total", "Gran total", "Suma" ... (without digits,
    so that a key such as "TOTAL-2025-01" is not taken for one)."""
    first = normalise_header(next((cell.text for cell in cells if cell.text), ""))
    return bool(_TOTAL.match(first)) and not any(char.isdigit() for char in first)


def _only_numbers(cells: Sequence[Cell]) -> bool:
    return all(
        is_number(cell.value) or isinstance(cell.value, datetime.datetime)
        or _NUMBERISH.match(cell.text)
        for cell in cells if cell.text
    )


def _title_from(description: str) -> str:
    first = next((line.strip() for line in description.splitlines() if line.strip()), "")
    if len(first) <= _TITLE_LENGTH:
        return first.rstrip(".").strip()
    cut = first[:_TITLE_LENGTH - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


class _RowParser:
    """Turns the cells of one row into a dataset's fields, following a sheet's layout."""

    def __init__(self, layout: Layout, specs: Sequence[FieldSpec], reader: CellReader,
                 fillable: frozenset[str] = frozenset()) -> None:
        self.layout = layout
        self.specs = [spec for spec in specs if spec.name in layout.fields]
        self.reader = reader
        self.fillable = fillable

    def header(self, index: int) -> str:
        return self.layout.headers[index]

    def key(self, cells: Sequence[Cell]) -> tuple[str, int]:
        for index in self.layout.key_columns:
            cell = cells[index] if index < len(cells) else EMPTY
            if cell.text:
                return one_line(cell), index
        return "", self.layout.key_columns[0]

    def parse(self, number: int, cells: Sequence[Cell]) -> tuple[dict[str, Any],
                                                                  dict[str, str],
                                                                  list[RowError], bool]:
        """(data, columns, errors, whether a required field failed) of one row."""
        data: dict[str, Any] = {}
        columns: dict[str, str] = {}
        errors: list[RowError] = []
        fatal = False
        for spec in self.specs:
            first_error: RowError | None = None
            for index in self.layout.fields[spec.name]:
                cell = cells[index] if index < len(cells) else EMPTY
                if not cell.text:
                    continue
                try:
                    value = self.reader.parse(spec, cell)
                except BadValue as bad:
                    first_error = first_error or RowError(number, self.header(index), cell.text,
                                                          str(bad.args[0]))
                    continue
                if value in ("", []):
                    continue
                data[spec.name] = value
                columns[spec.name] = self.header(index)
                break
            if spec.name in data:
                continue
            required = spec.required and spec.name not in self.fillable
            if first_error is not None:
                errors.append(first_error)
                fatal = fatal or required
            elif required and spec.name != "title":
                errors.append(RowError(number, self.header(self.layout.fields[spec.name][0]),
                                       None, tk._("This value is required")))
                fatal = True
        self._groups(number, data, columns, errors)
        if "title" not in data and "notes" in data:
            data["title"] = _title_from(data["notes"])
            columns["title"] = columns["notes"]
        title_columns = self.layout.fields.get("title") or self.layout.fields.get("notes")
        if "title" not in data and title_columns:
            errors.append(RowError(number, self.header(title_columns[0]), None,
                                   tk._("This value is required")))
            fatal = True
        return data, columns, errors, fatal

    def _headers_of(self, *names: str) -> set[str]:
        """The headers of the columns that feed ``names``."""
        return {self.header(index) for name in names for index in self.layout.fields.get(name, ())}

    def _groups(self, number: int, data: dict[str, Any], columns: dict[str, str],
                errors: list[RowError]) -> None:
        """Gather numbered columns (``fuentes_financiamiento.2.monto``) into their group's list."""
        failed = {error.column for error in errors}
        for group, count in SHEET_GROUPS.items():
            entries: list[dict[str, Any]] = []
            first_column: str | None = None
            for position in range(1, count + 1):
                prefix = f"{group}.{position}."
                entry = {name[len(prefix):]: data.pop(name) for name in list(data)
                         if name.startswith(prefix)}
                used = {name[len(prefix):]: columns.pop(name) for name in list(columns)
                        if name.startswith(prefix)}
                if not entry:
                    continue
                lacking = [sub for sub in GROUP_REQUIRED.get(group, ()) if sub not in entry]
                if lacking:
                    if not self._headers_of(*(prefix + sub for sub in lacking)) & failed:
                        errors.append(RowError(number, next(iter(used.values())), None,
                                               _incomplete_entry(group)))
                    continue
                entries.append(entry)
                first_column = first_column or next(iter(used.values()))
            if entries:
                data[group] = entries
                columns[group] = first_column  # type: ignore[assignment]


def read_defaults(dataset_type: str, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A harvest source's default values (``{"etapa": "En ejecución", "ejercicio_fiscal": 2025}``)
    read as cells of their fields, so that they are written as in a sheet.

    :returns: (field name → value as stored, translated problems). A problem is a name that is
        no field a sheet can fill (the key, a computed field, a numbered group column) or a value
        that cannot be read.
    """
    specs = {spec.name: spec for spec in field_specs(dataset_type)
             if not spec.group and spec.name != KEY_FIELDS[dataset_type]}
    reader = CellReader(dataset_type)
    found: dict[str, Any] = {}
    problems: list[str] = []
    for name, raw in values.items():
        spec = specs.get(str(name))
        if spec is None:
            problems.append(tk._("\"valores\": \"{field}\" is not a field a source can fill for "
                                 "{dataset_type}").format(field=name, dataset_type=dataset_type))
            continue
        if isinstance(raw, list):
            raw = "; ".join(str(item) for item in raw)
        text = display(raw)
        if not text:
            continue
        try:
            value = reader.parse(spec, Cell(raw, text))
        except BadValue as bad:
            problems.append(tk._("\"valores\": \"{field}\" = \"{value}\": {reason}").format(
                field=name, value=text, reason=bad.args[0]))
            continue
        if value not in ("", []):
            found[spec.name] = value
    return found, problems


def _incomplete_entry(group: str) -> str:
    if group == "fuentes_financiamiento":
        return tk._("This amount has no funding source: write the source in its column")
    return tk._("This consultation is not recorded without its date and place: write both in "
                "their columns")


def read_table(content: bytes, filename: str, dataset_type: str, *,
               mapping: dict[str, str] | None = None, key_column: str | None = None,
               max_rows: int = 20000, fillable: Iterable[str] = ()) -> ParsedTable:
    """Read a CSV or XLSX file into datasets of ``dataset_type``, one per row.

    :param content: the file's bytes.
    :param filename: its name, for messages (the format is recognised by content).
    :param dataset_type: ``obra``, ``programa-social`` or ``convocatoria``.
    :param mapping: header as written → field name; overrides the known headers. ``""`` ignores
        the column. Numbered group columns are ``fuentes_financiamiento.N.fuente`` / ``.monto``.
    :param key_column: header (or field name) of the column that identifies each row, instead of
        the type's key field.
    :param max_rows: rows read from the sheet (title and header rows counted); a longer sheet is
        reported with a row error and the rest is not read.
    :param fillable: required fields the caller fills itself when a row has no value (the
        source's defaults, the stage the harvest infers): an empty or unreadable cell there does
        not drop the row (an unreadable one is still reported, as an observation).
    :raises TableError: the file cannot be read, has no header or has no key column.
    """
    specs = field_specs(dataset_type)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "?"
    content = bytes(content or b"")
    if not content.strip():
        raise TableError(tk._("The file \"{filename}\" is empty").format(filename=name))
    headers = build_headers(specs, mapping, dataset_type)
    found_header = False
    with contextlib.closing(read_sheets(content, name)) as sheets:
        for sheet, rows in sheets:
            top = list(islice(rows, HEADER_SEARCH_ROWS))
            header_index = find_header(top, headers)
            if header_index is None:
                continue
            found_header = True
            layout = find_layout(header_index, top[header_index], headers, specs, key_column,
                                 dataset_type)
            if layout is None:
                continue
            numbered = enumerate(top[header_index + 1:], start=header_index + 2)
            rest = enumerate(rows, start=len(top) + 1)
            parser = _RowParser(layout, specs, CellReader(dataset_type), frozenset(fillable))
            return _read_rows(parser, numbered, rest, sheet, max_rows)
    if found_header:
        raise TableError(_no_key_message(name, dataset_type, specs, key_column))
    raise TableError(_no_header_message(name, specs, dataset_type))


def _read_rows(parser: _RowParser, numbered: Iterable[tuple[int, list[Cell]]],
               rest: Iterator[tuple[int, list[Cell]]], sheet: str | None,
               max_rows: int) -> ParsedTable:
    table = ParsedTable(rows=[], errors=[], header_row=parser.layout.header_row, sheet=sheet)
    first_rows: dict[str, int] = {}

    def all_rows() -> Iterator[tuple[int, list[Cell]]]:
        yield from numbered
        yield from rest

    for number, cells in all_rows():
        if number > max_rows:
            if any(cell.text for cell in cells) or any(
                    any(cell.text for cell in later) for _, later in islice(rest, max_rows)):
                table.errors.append(RowError(number, None, None, tk._(
                    "Only the first {max_rows} rows were read: split the file into smaller "
                    "ones").format(max_rows=max_rows)))
            break
        if not any(cell.text for cell in cells) or _is_total(cells):
            continue
        key, key_index = parser.key(cells)
        if not key:
            if _only_numbers(cells):
                continue
            table.errors.append(RowError(number, parser.header(key_index), None, tk._(
                "The row has no key: every row needs a value in this column to be imported")))
            continue
        if key not in table.keys_seen:
            table.keys_seen.append(key)
        identity = key.casefold()
        if identity in first_rows:
            table.errors.append(RowError(number, parser.header(key_index), key, tk._(
                "The key \"{key}\" is repeated in rows {first} and {row}: only row {first} is "
                "imported").format(key=key, first=first_rows[identity], row=number)))
            continue
        first_rows[identity] = number
        data, columns, errors, fatal = parser.parse(number, cells)
        table.errors.extend(errors)
        if not fatal:
            table.rows.append(ParsedRow(row=number, key=key, data=data, columns=columns,
                                        observations=errors))
    return table


def _quoted(labels: Iterable[str]) -> str:
    return ", ".join(f"«{label}»" for label in labels)


def _no_header_message(filename: str, specs: Sequence[FieldSpec], dataset_type: str) -> str:
    by_name = {spec.name: spec for spec in specs}
    examples = [by_name[name].label for name in
                (KEY_FIELDS[dataset_type], "title", "ejercicio_fiscal", "comunidades")
                if name in by_name]
    return tk._(
        "No header row was found in the first {rows} rows of \"{filename}\": the header must name "
        "at least two known columns, such as {examples}").format(
        rows=HEADER_SEARCH_ROWS, filename=filename, examples=_quoted(examples))


def _no_key_message(filename: str, dataset_type: str, specs: Sequence[FieldSpec],
                    key_column: str | None) -> str:
    if key_column:
        expected = [key_column]
    else:
        spec = next(spec for spec in specs if spec.name == KEY_FIELDS[dataset_type])
        expected = [spec.label, *spec.aliases[:2]]
    return tk._(
        "The file \"{filename}\" has no column {expected}, the key that identifies each row: add "
        "it, or name the key column in the source's configuration").format(
        filename=filename, expected=" / ".join(f"«{label}»" for label in expected))

