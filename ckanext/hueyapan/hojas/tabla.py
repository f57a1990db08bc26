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
import csv
import datetime
import functools
import io
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from itertools import islice
from typing import Any, Literal

import yaml

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun import DATASET_TYPES, KEY_FIELDS
from ckanext.hueyapan.comun.lectura import (
    SNIFF_CHARS,
    ZIP_MAGIC,
    aliases_file,
    detect_encoding,
    is_workbook_zip,
    name_forms,
    normalise_header,
    sniff_delimiter,
)
from ckanext.hueyapan.logic import validators
from ckanext.hueyapan.registros import vocabularios
from ckanext.hueyapan.registros.comunidades import Communities, Found, communities_register

__all__ = [
    "COMPUTED",
    "empty_markers",
    "FieldSpec",
    "ParsedRow",
    "ParsedTable",
    "RowError",
    "TableError",
    "field_specs",
    "read_defaults",
    "read_table",
]


NOT_FROM_SHEETS = frozenset({"name", "owner_org", "license_id", "retirado_de_origen"})
"""Schema fields that never come from a spreadsheet (set by the harvester or by staff)."""

COMPUTED = frozenset({"etapa_estimada", "observaciones"})
"""Schema fields the harvest computes for each row: never read from a sheet nor in a template,
but exported (``field_specs(..., computed=True)``)."""

SHEET_GROUPS: dict[str, int] = {"fuentes_financiamiento": 3, "consultas": 2}
"""Repeating groups written as numbered columns in a sheet, and how many of them."""

GROUP_REQUIRED: dict[str, tuple[str, ...]] = {
    "fuentes_financiamiento": ("fuente",),
    "consultas": ("fecha", "lugar"),
}
"""The subfields without which an entry of a group is not kept."""

HEADER_SEARCH_ROWS = 15
"""The header is looked for among this many rows at the top of a sheet."""

_SCHEMA_FILES = ("obra.yaml", "programa_social.yaml", "convocatoria.yaml")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TITLE_LENGTH = 150
_MESSAGE_VALUE_LENGTH = 80

Kind = Literal[
    "text", "longtext", "lines", "links", "money", "percent", "integer", "year", "date",
    "communities", "term", "terms", "choice", "rfc", "geojson",
]

_PRESET_KINDS: dict[str, Kind] = {
    "hueyapan_monto": "money",
    "hueyapan_porcentaje": "percent",
    "hueyapan_entero": "integer",
    "hueyapan_ejercicio": "year",
    "hueyapan_fecha": "date",
    "hueyapan_comunidades": "communities",
    "hueyapan_vocabulario": "term",
    "hueyapan_etapa_obra": "term",
    "hueyapan_vocabulario_multiple": "terms",
    "hueyapan_rfc_moral": "rfc",
    "hueyapan_geometria": "geojson",
    "hueyapan_enlaces": "links",
    "multiple_text": "lines",
    "markdown": "longtext",
    "select": "choice",
}
_LONG_SNIPPETS = ("markdown.html", "textarea.html")


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------

class TableError(Exception):
    """The whole file is unusable; ``str(error)`` is a translated message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


@dataclass(frozen=True)
class FieldSpec:
    """A column a spreadsheet of one dataset type may have."""

    name: str
    """Schema field name, or ``<group>.<n>.<subfield>`` for the numbered columns of a group."""
    label: str
    """Spanish header of our templates."""
    help: str
    """Spanish help text."""
    kind: Kind
    required: bool
    vocabulary: str | None = None
    choices: tuple[tuple[str, str, str], ...] = ()
    """(value, Spanish label, English label) of a select field."""
    aliases: tuple[str, ...] = ()
    """Other headers that mean this field (``encabezados.yaml``)."""

    @property
    def group(self) -> str | None:
        """The repeating group of a numbered column, else None."""
        return self.name.split(".", 1)[0] if "." in self.name else None


# --------------------------------------------------------------------------------------------
# Schemas and aliases (data files)
# --------------------------------------------------------------------------------------------


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    folder = resources.files("ckanext.hueyapan.schemas")
    presets = {
        preset["preset_name"]: preset["values"]
        for preset in yaml.safe_load((folder / "presets.yaml").read_text("utf-8"))["presets"]
    }
    schemas = {}
    for name in _SCHEMA_FILES:
        schema = yaml.safe_load((folder / name).read_text("utf-8"))
        schema["_presets"] = presets
        schemas[schema["dataset_type"]] = schema
    return schemas


def _spanish(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("es") or value.get("en") or "")
    return str(value or "")


def _english(value: Any) -> str:
    return str(value.get("en") or "") if isinstance(value, dict) else ""


def _kind(definition: dict[str, Any]) -> Kind:
    preset = definition.get("preset")
    if preset in _PRESET_KINDS:
        return _PRESET_KINDS[preset]
    if definition.get("form_snippet") in _LONG_SNIPPETS:
        return "longtext"
    return "text"


def _spec(definition: dict[str, Any], presets: dict[str, Any], name: str, label: str,
          aliases: Iterable[str], required: bool | None = None) -> FieldSpec:
    merged = {**presets.get(definition.get("preset", ""), {}), **definition}
    choices = tuple(
        (str(choice["value"]), _spanish(choice.get("label")), _english(choice.get("label")))
        for choice in merged.get("choices") or ()
    )
    return FieldSpec(
        name=name,
        label=label,
        help=_spanish(definition.get("help_text")),
        kind=_kind(definition),
        required=bool(definition.get("required")) if required is None else required,
        vocabulary=merged.get("vocabulario"),
        choices=choices,
        aliases=tuple(str(alias) for alias in aliases or ()),
    )


@functools.cache
def field_specs(dataset_type: str, *, computed: bool = False) -> tuple[FieldSpec, ...]:
    """The columns a spreadsheet of ``dataset_type`` may have, in the schema's order.

    Every dataset field but those in :data:`NOT_FROM_SHEETS` and the repeating groups, whose
    numbered columns (``fuentes_financiamiento.1.fuente`` ...) stand where the group stands.
    With ``computed``, also the fields of :data:`COMPUTED` (for exports, never for sheets).
    """
    if dataset_type not in DATASET_TYPES:
        raise ValueError(f"unknown dataset type {dataset_type!r}")
    schema = _schemas()[dataset_type]
    presets = schema["_presets"]
    aliases = (aliases_file().get("encabezados") or {}).get(dataset_type) or {}
    specs: list[FieldSpec] = []
    for definition in schema["dataset_fields"]:
        name = definition["field_name"]
        if name in NOT_FROM_SHEETS or (name in COMPUTED and not computed):
            continue
        subfields = definition.get("repeating_subfields")
        if subfields is None:
            specs.append(_spec(definition, presets, name, _spanish(definition.get("label")),
                               aliases.get(name) or ()))
            continue
        for number in range(1, SHEET_GROUPS.get(name, 0) + 1):
            for subfield in subfields:
                pseudo = f"{name}.{number}.{subfield['field_name']}"
                own = list(aliases.get(pseudo) or ())
                label = own.pop(0) if own else f"{_spanish(subfield.get('label'))} {number}"
                specs.append(_spec(subfield, presets, pseudo, label, own, required=False))
    return tuple(specs)


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cell:
    value: Any
    """The value as the file holds it: text for CSV; text, number, datetime ... for XLSX."""
    text: str
    """The value as a person reads it, trimmed."""
    percent: bool = False
    """An XLSX number formatted as a percentage (0.45 shown as 45 %)."""


_EMPTY = _Cell(None, "")


def _display(value: Any) -> str:
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


def _xlsx_cell(cell: Any) -> _Cell:
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        value = value.strip()
        if _means_empty(value):
            return _EMPTY
    number_format = getattr(cell, "number_format", None) or ""
    percent = isinstance(value, (int, float)) and not isinstance(value, bool) and \
        "%" in number_format
    return _Cell(value, _display(value), percent)


def _csv_cell(text: str) -> _Cell:
    trimmed = text.strip()
    return _EMPTY if _means_empty(trimmed) else _Cell(text, trimmed)


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------

_Rows = Iterator[list[_Cell]]


def _unreadable(filename: str) -> TableError:
    return TableError(
        tk._("The file \"{filename}\" could not be read: save it as .xlsx, or as .csv in UTF-8, "
             "and try again").format(filename=filename))


def _sheets(content: bytes, filename: str) -> Generator[tuple[str | None, _Rows], None, None]:
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


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------


@dataclass
class _Headers:
    """Which fields each header of a file feeds, with priorities (lower wins)."""

    exact: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    prefixes: list[tuple[str, str, int]] = field(default_factory=list)
    mapped: dict[str, str | None] = field(default_factory=dict)

    def add(self, header: str, name: str, priority: int) -> None:
        if header.rstrip().endswith("*"):
            prefix = normalise_header(header.rstrip()[:-1])
            if prefix:
                self.prefixes.append((prefix, name, priority))
            return
        for form in name_forms(header):
            targets = self.exact.setdefault(form, [])
            if name not in [target for target, _ in targets]:
                targets.append((name, priority))

    def match(self, header: str) -> list[tuple[str, int]]:
        forms = name_forms(header)
        for form in forms:
            if form in self.mapped:
                name = self.mapped[form]
                return [(name, -1)] if name else []
        for form in forms:
            if form in self.exact:
                return self.exact[form]
        return [(name, priority) for prefix, name, priority in self.prefixes
                if forms and (forms[0] == prefix or forms[0].startswith(prefix + " "))]


def _headers(specs: Sequence[FieldSpec], mapping: dict[str, str] | None,
             dataset_type: str) -> _Headers:
    headers = _Headers()
    for spec in specs:
        headers.add(spec.label, spec.name, 0)
        headers.add(spec.name, spec.name, 1)
    for spec in specs:
        for position, alias in enumerate(spec.aliases):
            headers.add(alias, spec.name, 10 + position)
    known = {spec.name for spec in specs}
    for header, name in (mapping or {}).items():
        target = (name or "").strip() or None
        if target is not None and target not in known:
            raise TableError(
                tk._("The column mapping sends \"{column}\" to \"{field}\", which is not a field "
                     "of {dataset_type}").format(column=header, field=target,
                                                 dataset_type=dataset_type))
        for form in name_forms(str(header)):
            headers.mapped[form] = target
    return headers


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

class _Bad(Exception):
    """A cell value that cannot be read; the argument is the translated reason."""


_MONEY_NOISE = re.compile(r"\b(mxn|m\.?\s?n\.?|pesos?)\s*$", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_NUMBERISH = re.compile(r"^[$\s]*[+-]?[\d,]+(\.\d+)?\s*%?$")
_WHOLE_WITH_ZEROS = re.compile(r"^(\d+)\.0+$")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _exact(number: int | float | Decimal) -> Decimal:
    """A number as shown: the float 0.1 is Decimal("0.1"), not 0.1000000000000000055..."""
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def _money(cell: _Cell) -> str:
    try:
        if _is_number(cell.value):
            return str(validators.parse_money(_exact(cell.value)))
        return str(validators.parse_money(_MONEY_NOISE.sub("", cell.text).strip()))
    except (ValueError, InvalidOperation):
        raise _Bad(tk._(
            "Invalid amount: write pesos, for example 1,234,567.89 or $1,234,567.89")) from None


def _decimal_text(number: Decimal) -> str:
    number = number.quantize(Decimal("0.01")).normalize()
    return format(number, "f")


def _percent(cell: _Cell) -> str:
    reason = tk._("Invalid percentage: write a number from 0 to 100 (45 or 45%) or a fraction "
                  "(0.45)")
    try:
        if _is_number(cell.value):
            number = _exact(cell.value)
            if cell.percent or (number <= 1 and number != number.to_integral_value()):
                number *= 100
        else:
            text = cell.text.replace(" ", "")
            if text.endswith("%"):
                number = Decimal(text[:-1])
            else:
                if not _PLAIN_NUMBER.match(text):
                    raise _Bad(reason)
                number = Decimal(text)
                if "." in text and number <= 1:
                    number *= 100
    except InvalidOperation:
        raise _Bad(reason) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise _Bad(reason)
    return _decimal_text(number)


def _whole(cell: _Cell) -> str:
    text = cell.text
    match = _WHOLE_WITH_ZEROS.match(text.replace(",", ""))
    return match.group(1) if match else text


def _integer(cell: _Cell) -> str:
    try:
        return str(validators.hueyapan_entero(_whole(cell)))
    except tk.Invalid:
        raise _Bad(tk._("Invalid number: write a whole number, 0 or more")) from None


def _year(cell: _Cell) -> str:
    try:
        return str(validators.hueyapan_ejercicio(_whole(cell)))
    except tk.Invalid:
        raise _Bad(tk._("Invalid fiscal year: write a year from 2000 to {last}").format(
            last=datetime.date.today().year + 1)) from None


_MONTHS = {
    "enero": 1, "ene": 1, "febrero": 2, "feb": 2, "marzo": 3, "mar": 3, "abril": 4, "abr": 4,
    "mayo": 5, "may": 5, "junio": 6, "jun": 6, "julio": 7, "jul": 7, "agosto": 8, "ago": 8,
    "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9, "set": 9, "octubre": 10, "oct": 10,
    "noviembre": 11, "nov": 11, "diciembre": 12, "dic": 12,
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME + "$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})" + _TIME + "$")
_WORDS_DATE = re.compile(r"^(\d{1,2}) (?:de )?([a-z]+) (?:de |del )?(\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _full_year(two_digits: int) -> int:
    this_year = datetime.date.today().year
    year = 2000 + two_digits
    return year if year <= this_year + 10 else year - 100


def _from_serial(number: float) -> datetime.date | None:
    try:
        day = _EXCEL_EPOCH + datetime.timedelta(days=int(number))
    except OverflowError:
        return None
    return day if 1950 <= day.year <= 2100 else None


def _parse_date(cell: _Cell) -> datetime.date | None:
    value = cell.value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if _is_number(value):
        return _from_serial(float(value))
    text = cell.text
    try:
        if match := _ISO_DATE.match(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY_DATE.match(text):
            year = int(match[3]) if len(match[3]) == 4 else _full_year(int(match[3]))
            return datetime.date(year, int(match[2]), int(match[1]))
        if _SERIAL.match(text):
            return _from_serial(float(text))
        if match := _WORDS_DATE.match(normalise_header(text)):
            month = _MONTHS.get(match[2])
            return datetime.date(int(match[3]), month, int(match[1])) if month else None
    except ValueError:  # day or month out of range
        return None
    return None


def _date(cell: _Cell) -> str:
    day = _parse_date(cell)
    if day is None:
        raise _Bad(tk._("Invalid date: write it as dd/mm/yyyy (for example 31/03/2025) or "
                        "yyyy-mm-dd"))
    return day.isoformat()


def _rfc(cell: _Cell) -> str:
    try:
        return str(validators.hueyapan_rfc_moral(cell.text))
    except tk.Invalid:
        compact = re.sub(r"[\s-]", "", cell.text)
        if len(compact) == 13:
            raise _Bad(tk._("This looks like the RFC of a person (13 characters): it is personal "
                            "data and is not published. Write only the RFC of a company (12 "
                            "characters)")) from None
        raise _Bad(tk._("Invalid RFC: a company's RFC has 12 characters")) from None


def _geojson(cell: _Cell) -> str:
    try:
        return str(validators.hueyapan_geojson(cell.text))
    except (tk.Invalid, ValueError):
        raise _Bad(tk._("Invalid location: write a GeoJSON geometry with longitude and latitude, "
                        "for example {example}").format(
            example='{"type": "Point", "coordinates": [-95.14, 18.15]}')) from None


def _one_line(cell: _Cell) -> str:
    return " ".join(cell.text.split())


def _long_text(cell: _Cell) -> str:
    lines = cell.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


_BULLET = re.compile(r"^\s*(?:[-•·*▪◦]|\d{1,2}[.)])\s+")


def _lines(cell: _Cell) -> list[str]:
    text = _long_text(cell)
    parts = text.split("\n") if "\n" in text else text.split(";")
    items = [_BULLET.sub("", part).strip() for part in parts]
    return [item for item in items if item]


# --- Values from lists: vocabularies and communities -----------------------------------------


_Resolver = Callable[[str], "Found | None"]
_STRONG_SEPARATORS = re.compile(r"[;\n\r|]+")
_WEAK_SEPARATORS = re.compile(r"(\s*,\s*|\s+(?:y|e)\s+)", re.IGNORECASE)


def _split_resolve(text: str, resolve: _Resolver) -> tuple[list[str], list[str], list[str]]:
    """(values, problems, unknown pieces) of a cell holding several names.

    Names are separated by ; or line breaks, and by "," or "y" unless the words around them make
    one name ("Niñas, niños y adolescentes", "Cabecera y localidades"): the longest run of pieces
    that names something wins.
    """
    values: list[str] = []
    problems: list[str] = []
    unknown: list[str] = []
    for chunk in _STRONG_SEPARATORS.split(text):
        parts = _WEAK_SEPARATORS.split(chunk.strip())
        pieces = parts[0::2]
        start = 0
        while start < len(pieces):
            if not pieces[start].strip():
                start += 1
                continue
            for end in range(len(pieces) - 1, start - 1, -1):
                candidate = "".join(parts[2 * start: 2 * end + 1]).strip()
                found = resolve(candidate)
                if found is not None:
                    if found.problem:
                        problems.append(found.problem)
                    elif found.value not in values:
                        values.append(found.value)  # type: ignore[arg-type]
                    start = end + 1
                    break
            else:
                unknown.append(pieces[start].strip())
                start += 1
    return values, problems, unknown


@dataclass
class _Options:
    """The values a list field takes, found by any of their names."""

    labels: list[str]
    """Spanish labels, in display order (for the error message)."""
    index: dict[str, str] = field(default_factory=dict)
    """Normalised name → value."""

    def resolve(self, text: str) -> Found | None:
        for form in name_forms(text):
            if form in self.index:
                return Found(self.index[form])
        return None

    def reason(self) -> str:
        return tk._("Not an option of this list; write one of: {options}").format(
            options="; ".join(self.labels))


def _vocabulary_options(vocabulary: str) -> _Options:
    """A vocabulary's terms by key, Spanish or English label (also without its parentheses, when
    that names one term only) and the values listed for it in ``encabezados.yaml``."""
    terms = vocabularios.terms(vocabulary)
    options = _Options([term.etiqueta for term in terms])
    loose: dict[str, set[str]] = {}
    for term in terms:
        for name in (term.clave, term.etiqueta, term.etiqueta_en or ""):
            forms = name_forms(name)
            if forms:
                options.index.setdefault(forms[0], term.clave)
            for form in forms[1:]:
                loose.setdefault(form, set()).add(term.clave)
    keys = {term.clave for term in terms}
    aliases = (aliases_file().get("valores") or {}).get(vocabulary) or {}
    for alias, key in aliases.items():
        if str(key) in keys:
            for form in name_forms(str(alias)):
                options.index.setdefault(form, str(key))
    for form, found in loose.items():
        if len(found) == 1:
            options.index.setdefault(form, found.pop())
    return options


def _choice_options(spec: FieldSpec) -> _Options:
    """A select field's choices by value and label."""
    options = _Options([label for _, label, _ in spec.choices])
    for value, label, label_en in spec.choices:
        for name in (value, label, label_en):
            for form in name_forms(name):
                options.index.setdefault(form, value)
    return options


class _Reader:
    """Parses the cells of one file against one dataset type."""

    def __init__(self, dataset_type: str) -> None:
        self.dataset_type = dataset_type
        self._options: dict[str, _Options] = {}
        self._communities: Communities | None = None

    def options(self, spec: FieldSpec) -> _Options:
        key = spec.vocabulary or f"choices:{spec.name}"
        if key not in self._options:
            self._options[key] = (_vocabulary_options(spec.vocabulary) if spec.vocabulary
                                  else _choice_options(spec))
        return self._options[key]

    @property
    def communities(self) -> Communities:
        if self._communities is None:
            self._communities = communities_register()
        return self._communities

    def parse(self, spec: FieldSpec, cell: _Cell) -> Any:
        kind = spec.kind
        if kind == "money":
            return _money(cell)
        if kind == "percent":
            return _percent(cell)
        if kind == "integer":
            return _integer(cell)
        if kind == "year":
            return _year(cell)
        if kind == "date":
            return _date(cell)
        if kind == "rfc":
            return _rfc(cell)
        if kind == "geojson":
            return _geojson(cell)
        if kind == "longtext":
            return _long_text(cell)
        if kind == "lines":
            return _lines(cell)
        if kind in ("term", "choice"):
            options = self.options(spec)
            found = options.resolve(cell.text)
            if found is None or found.value is None:
                raise _Bad(options.reason())
            return found.value
        if kind == "terms":
            options = self.options(spec)
            values, _, unknown = _split_resolve(cell.text, options.resolve)
            if unknown:
                raise _Bad(options.reason())
            return values
        if kind == "communities":
            communities = self.communities
            values, problems, unknown = _split_resolve(cell.text, communities.resolve)
            problems += [communities.unknown(piece) for piece in unknown]
            if problems:
                raise _Bad("; ".join(problems))
            return values
        if isinstance(cell.value, datetime.datetime) and kind == "text":
            return _display(cell.value)
        return _one_line(cell)


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

_TOTAL = re.compile(r"^(?:gran |sub)?total(?:es)?(?: |$)|^sumas?(?: |$)")


def _is_total(cells: Sequence[_Cell]) -> bool:
    """Whether the first non-empty cell says "Total", "Gran total", "Suma" ... (without digits,
    so that a key such as "TOTAL-2025-01" is not taken for one)."""
    first = normalise_header(next((cell.text for cell in cells if cell.text), ""))
    return bool(_TOTAL.match(first)) and not any(char.isdigit() for char in first)


def _only_numbers(cells: Sequence[_Cell]) -> bool:
    return all(
        _is_number(cell.value) or isinstance(cell.value, datetime.datetime)
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


@dataclass
class _Layout:
    """Where each field and the key are in one sheet."""

    header_row: int
    headers: list[str]
    fields: dict[str, list[int]]
    """Field name → column indexes in order of priority."""
    key_columns: list[int]
    """The columns the row's key is taken from (the first with a value)."""


def _find_header(top: Sequence[list[_Cell]], headers: _Headers) -> int | None:
    for index, cells in enumerate(top):
        if sum(1 for cell in cells if cell.text and headers.match(cell.text)) >= 2:
            return index
    return None


def _layout(header_index: int, cells: Sequence[_Cell], headers: _Headers,
            specs: Sequence[FieldSpec], key_column: str | None,
            dataset_type: str) -> _Layout | None:
    texts = [" ".join(cell.text.split()) for cell in cells]
    ranked: dict[str, list[tuple[int, int]]] = {}
    for index, text in enumerate(texts):
        if not text:
            continue
        for name, priority in headers.match(text):
            ranked.setdefault(name, []).append((priority, index))
    fields = {name: [index for _, index in sorted(found)] for name, found in ranked.items()}

    if key_column:
        wanted = set(name_forms(key_column))
        key_columns = [index for index, text in enumerate(texts)
                       if text and set(name_forms(text)) & wanted]
        if not key_columns:  # a field name or label: the columns that feed that field
            by_name = next((spec.name for spec in specs
                            if key_column.strip() in (spec.name, spec.label)), None)
            key_columns = fields.get(by_name or "", [])
    else:
        key_columns = fields.get(KEY_FIELDS[dataset_type], [])
    if not key_columns:
        return None
    return _Layout(header_index + 1, texts, fields, key_columns)


class _RowParser:
    """Turns the cells of one row into a dataset's fields, following a sheet's layout."""

    def __init__(self, layout: _Layout, specs: Sequence[FieldSpec], reader: _Reader,
                 fillable: frozenset[str] = frozenset()) -> None:
        self.layout = layout
        self.specs = [spec for spec in specs if spec.name in layout.fields]
        self.reader = reader
        self.fillable = fillable

    def header(self, index: int) -> str:
        return self.layout.headers[index]

    def key(self, cells: Sequence[_Cell]) -> tuple[str, int]:
        for index in self.layout.key_columns:
            cell = cells[index] if index < len(cells) else _EMPTY
            if cell.text:
                return _one_line(cell), index
        return "", self.layout.key_columns[0]

    def parse(self, number: int, cells: Sequence[_Cell]) -> tuple[dict[str, Any],
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
                cell = cells[index] if index < len(cells) else _EMPTY
                if not cell.text:
                    continue
                try:
                    value = self.reader.parse(spec, cell)
                except _Bad as bad:
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
    reader = _Reader(dataset_type)
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
        text = _display(raw)
        if not text:
            continue
        try:
            value = reader.parse(spec, _Cell(raw, text))
        except _Bad as bad:
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
    headers = _headers(specs, mapping, dataset_type)
    found_header = False
    with contextlib.closing(_sheets(content, name)) as sheets:
        for sheet, rows in sheets:
            top = list(islice(rows, HEADER_SEARCH_ROWS))
            header_index = _find_header(top, headers)
            if header_index is None:
                continue
            found_header = True
            layout = _layout(header_index, top[header_index], headers, specs, key_column,
                             dataset_type)
            if layout is None:
                continue
            numbered = enumerate(top[header_index + 1:], start=header_index + 2)
            rest = enumerate(rows, start=len(top) + 1)
            parser = _RowParser(layout, specs, _Reader(dataset_type), frozenset(fillable))
            return _read_rows(parser, numbered, rest, sheet, max_rows)
    if found_header:
        raise TableError(_no_key_message(name, dataset_type, specs, key_column))
    raise TableError(_no_header_message(name, specs, dataset_type))


def _read_rows(parser: _RowParser, numbered: Iterable[tuple[int, list[_Cell]]],
               rest: Iterator[tuple[int, list[_Cell]]], sheet: str | None,
               max_rows: int) -> ParsedTable:
    table = ParsedTable(rows=[], errors=[], header_row=parser.layout.header_row, sheet=sheet)
    first_rows: dict[str, int] = {}

    def all_rows() -> Iterator[tuple[int, list[_Cell]]]:
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

