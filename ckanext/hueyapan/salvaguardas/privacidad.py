"""Personal-data guard for uploaded resources: the table scan.

Mexican transparency law lets a padrón publish a beneficiary's name, amount, locality, age and sex,
but never the CURP, the RFC of a *persona física*, the voter key, the social security number, bank
accounts, the home address, the phone number or the e-mail address (research notes, domain §2.f).
:func:`scan_table` looks for those data in CSV and XLSX files, by column name and by value, so that
publication can be stopped before a leak. Photos lose their metadata in ``imagenes.py``, which
raises this module's :class:`PrivacyScanError` too.

Nothing here needs a request: ``toolkit._()`` is only called when a message is built, and it returns
the English msgid when no request (and so no locale) is active.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, Literal

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun.lectura import (
    SNIFF_CHARS,
    ZIP_MAGIC,
    ReadError,
    detect_encoding,
    is_workbook_zip,
    normalise_header,
    sniff_delimiter,
)

log = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "Finding",
    "Kind",
    "PrivacyScanError",
    "describe",
    "is_table",
    "scan_table",
]

Kind = Literal[
    "curp",
    "rfc_persona_fisica",
    "telefono",
    "correo",
    "domicilio",
    "clave_elector",
    "nss",
    "cuenta_bancaria",
]

#: Every kind of personal datum, in the order findings of one column are reported.
KINDS: tuple[Kind, ...] = (
    "curp",
    "rfc_persona_fisica",
    "clave_elector",
    "nss",
    "cuenta_bancaria",
    "domicilio",
    "telefono",
    "correo",
)

_MAX_ROWS = 20_000
"""Rows read from a CSV file or from each XLSX sheet (title and header rows included)."""

_MAX_VALUES_PER_COLUMN = 1_000
"""Non-empty values of each column compared with the value patterns."""

_MAX_ROWS_PER_FINDING = 3
"""Row numbers kept in a finding."""

_HEADER_SEARCH_ROWS = 10
"""The header is looked for among this many rows at the top of a table."""

_CSV_EXTENSIONS = (".csv", ".tsv")
_XLSX_EXTENSIONS = (".xlsx", ".xlsm")
_CSV_MIMETYPES = frozenset(
    {"text/csv", "application/csv", "text/x-csv", "text/comma-separated-values",
     "text/tab-separated-values"}
)
_XLSX_MIMETYPES = frozenset(
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "application/vnd.ms-excel.sheet.macroenabled.12"}
)


class PrivacyScanError(ReadError):
    """A file that should be checked for personal data could not be read.

    ``message`` is a user-facing sentence, already translated for the current request.
    """


@dataclass(frozen=True)
class Finding:
    """One column of a table that holds (or is named after) one kind of personal datum."""

    column: str
    """The header as written (whitespace collapsed), or the column letter when it is empty."""
    column_letter: str
    """Spreadsheet column letter: "A", "B", ..., "AA"."""
    kind: Kind
    rows: tuple[int, ...] = ()
    """Up to three spreadsheet row numbers (1-based, title and header rows counted) whose value
    matched; empty when only the column name gave the datum away."""
    sheet: str | None = None
    """The XLSX sheet name; None for CSV."""


# --------------------------------------------------------------------------------------------
# Column names
# --------------------------------------------------------------------------------------------

_NUMBER_WORDS = frozenset({"n", "no", "num", "numero", "nro", "nr", "nm"})
_STOP_WORDS = _NUMBER_WORDS | {"de", "del", "la", "el", "los", "las", "y", "o", "e"}
# "Dirección" also names a municipal directorate ("Dirección responsable"), with
# "electrónica" an e-mail address, and in our obra template the public location of the works
# ("Dirección o referencia", "Dirección de la obra"): those are not home addresses.
_NOT_AN_ADDRESS = frozenset(
    {"responsable", "ejecutora", "area", "dependencia", "administrativa", "unidad", "general",
     "electronica", "web", "url", "pagina", "internet", "referencia", "obra"}
)


def _after_number_word(tokens: Sequence[str], word: str) -> bool:
    """Whether ``word`` follows "número"/"núm."/"no." (with an optional "de" between)."""
    for index, token in enumerate(tokens):
        if token != word or index == 0:
            continue
        previous = tokens[index - 1]
        if previous in _NUMBER_WORDS:
            return True
        if previous == "de" and index >= 2 and tokens[index - 2] in _NUMBER_WORDS:
            return True
    return False


def _header_kinds(header: str) -> list[Kind]:
    """The kinds of personal datum a column name announces (none for an RFC: see below).

    A column named "RFC" is not flagged by its name: the RFC of a company (persona moral) may be
    published, so only 13-character values (personas físicas) flag it.
    """
    normalised = normalise_header(header)
    tokens = normalised.split()
    if not tokens:
        return []
    words = set(tokens)
    core = [token for token in tokens if token not in _STOP_WORDS]
    kinds: list[Kind] = []

    if any(token.startswith("curp") for token in tokens):
        kinds.append("curp")
    if words & {"ine", "ife", "elector"} or (
        "credencial" in words and words & {"votar", "elector", "electoral"}
    ):
        kinds.append("clave_elector")
    if words & {"nss", "imss"} or (
        {"seguridad", "social"} <= words and (words & _NUMBER_WORDS or "afiliacion" in words)
    ):
        kinds.append("nss")
    if "clabe" in words or (
        "cuenta" in words and words & {"bancaria", "bancario", "banco", "bancarias"}
    ) or _after_number_word(tokens, "cuenta") or _after_number_word(tokens, "tarjeta"):
        kinds.append("cuenta_bancaria")
    email = (
        any(token.startswith(("correo", "email")) for token in tokens)
        or "mail" in words
        or "mails" in words
        or ("direccion" in words and "electronica" in words)
    )
    address = (
        any(token.startswith("domicilio") for token in tokens)
        or ("direccion" in words and not words & _NOT_AN_ADDRESS)
        or words & {"calle", "calles", "colonia"}
        or (words & {"exterior", "ext", "interior", "int"} and words & _NUMBER_WORDS)
        or "exterior" in words
    )
    if address:
        kinds.append("domicilio")
    if (
        any(token.startswith(("telef", "telf", "celular", "whatsapp")) for token in tokens)
        or words & {"tel", "tels", "cel", "whats"}
        or core == ["movil"]
    ):
        kinds.append("telefono")
    if email:
        kinds.append("correo")
    return kinds


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

_CURP = re.compile(r"(?<![A-Z0-9])[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z0-9]\d(?![A-Z0-9])", re.IGNORECASE)
_RFC_PERSONA_FISICA = re.compile(r"[A-ZÑ&]{4}(\d{2})(\d{2})(\d{2})[A-Z0-9]{3}", re.IGNORECASE)
# SAT's generic RFCs for the general public and for foreigners: not anybody's datum.
_GENERIC_RFCS = frozenset({"XAXX010101000", "XEXX010101000"})
_CLAVE_ELECTOR = re.compile(r"[A-Z]{6}\d{8}[HM]\d{3}", re.IGNORECASE)
_CLABE = re.compile(r"\d{18}")
_PHONE_SHAPE = re.compile(r"(\+\s*52[\s\-]*(?:1[\s\-]+)?)?[\d\s()\-]+")
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_SEPARATORS = re.compile(r"[\s\-]+")


def _is_rfc_persona_fisica(compact: str) -> bool:
    match = _RFC_PERSONA_FISICA.fullmatch(compact)
    if not match or compact.upper() in _GENERIC_RFCS:
        return False
    month, day = int(match.group(2)), int(match.group(3))
    return 1 <= month <= 12 and 1 <= day <= 31


def _is_clabe(compact: str) -> bool:
    """An 18-digit CLABE whose control digit is right (weights 3, 7, 1)."""
    if not _CLABE.fullmatch(compact):
        return False
    weights = (3, 7, 1) * 6
    # 17 digits against 18 weights: the last weight is never used
    total = sum(int(digit) * weight % 10
                for digit, weight in zip(compact[:17], weights, strict=False))
    return (10 - total % 10) % 10 == int(compact[17])


def _is_phone(text: str) -> bool:
    """A Mexican 10-digit number, optionally after +52, grouped as people write phone numbers."""
    match = _PHONE_SHAPE.fullmatch(text)
    if not match:
        return False
    body = text[match.end(1):] if match.group(1) else text
    groups = [group for group in re.split(r"[\s()\-]+", body) if group]
    digits = "".join(groups)
    if len(digits) != 10 or digits[0] in "01":
        return False
    if len(groups) == 1:
        return True
    # "55 1234 5678", "(228) 123-45-67", "228 1234567"; not "2024-000123" (a folio).
    return len(groups[0]) in (2, 3) and (
        len(groups) == 2 or all(2 <= len(group) <= 4 for group in groups[1:])
    )


def _value_kinds(value: str) -> list[Kind]:
    """The kinds of personal datum a single (trimmed, non-empty) cell value is."""
    kinds: list[Kind] = []
    compact = _SEPARATORS.sub("", value)
    if _CURP.search(value):
        kinds.append("curp")
    if len(compact) == 13 and _is_rfc_persona_fisica(compact):
        kinds.append("rfc_persona_fisica")
    if len(compact) == 18:
        if _CLAVE_ELECTOR.fullmatch(compact):
            kinds.append("clave_elector")
        elif _is_clabe(compact):
            kinds.append("cuenta_bancaria")
    if _is_phone(value):
        kinds.append("telefono")
    if "@" in value and _EMAIL.search(value):
        kinds.append("correo")
    return kinds


def _cell_text(value: object) -> str:
    """A cell value as a person reads it, trimmed; integral floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return str(value).strip()


def _column_letter(index: int) -> str:
    """Spreadsheet letter of the 0-based column ``index``: 0 → "A", 26 → "AA"."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --------------------------------------------------------------------------------------------
# Table scan
# --------------------------------------------------------------------------------------------

@dataclass
class _Column:
    header: str = ""
    values_seen: int = 0
    rows: dict[Kind, list[int]] = field(default_factory=dict)


def _find_header(top: Sequence[Sequence[str]]) -> int | None:
    """Index of the header among the top rows: the first with two non-empty cells, else the first
    non-empty one, else None."""
    filled = [sum(1 for cell in row if cell) for row in top]
    for index, count in enumerate(filled):
        if count >= 2:
            return index
    for index, count in enumerate(filled):
        if count:
            return index
    return None


def _scan_rows(rows: Iterable[Sequence[object]], sheet: str | None) -> list[Finding]:
    """Findings of one table given as rows of cells; row 1 is the first item of ``rows``."""
    texts = ([_cell_text(cell) for cell in row] for row in islice(rows, _MAX_ROWS))
    top = list(islice(texts, _HEADER_SEARCH_ROWS))
    header_index = _find_header(top)
    columns: list[_Column] = []

    def column(index: int) -> _Column:
        while len(columns) <= index:
            columns.append(_Column())
        return columns[index]

    if header_index is not None:
        for index, text in enumerate(top[header_index]):
            column(index).header = " ".join(text.split())
    first_data = 0 if header_index is None else header_index + 1
    data_rows = enumerate(top[first_data:], start=first_data + 1)
    remaining = enumerate(texts, start=len(top) + 1)
    for row_number, cells in chain(data_rows, remaining):
        for index, text in enumerate(cells):
            if not text:
                continue
            state = column(index)
            if state.values_seen >= _MAX_VALUES_PER_COLUMN:
                continue
            state.values_seen += 1
            for kind in _value_kinds(text):
                found = state.rows.setdefault(kind, [])
                if len(found) < _MAX_ROWS_PER_FINDING:
                    found.append(row_number)

    findings: list[Finding] = []
    for index, state in enumerate(columns):
        letter = _column_letter(index)
        kinds = set(state.rows) | set(_header_kinds(state.header))
        for kind in KINDS:
            if kind in kinds:
                findings.append(
                    Finding(
                        column=state.header or letter,
                        column_letter=letter,
                        kind=kind,
                        rows=tuple(state.rows.get(kind, ())),
                        sheet=sheet,
                    )
                )
    return findings


def _unreadable(filename: str, file_format: str) -> PrivacyScanError:
    # TRANSLATORS: {format} is "CSV" or "XLSX".
    message = tk._(
        "The file \"{filename}\" could not be read as {format}, so it could not be checked "
        "for personal data."
    )
    return PrivacyScanError(message.format(filename=filename, format=file_format))


def _scan_csv(data: bytes, filename: str, claimed: bool) -> list[Finding]:
    # Decoded as a stream: only the rows that are scanned are ever held as text.
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=detect_encoding(data), errors="replace",
                              newline="")
    sample = stream.read(SNIFF_CHARS)
    if "\x00" in sample:  # binary data, not text
        if claimed:
            raise _unreadable(filename, "CSV")
        return []
    stream.seek(0)
    reader = csv.reader(stream, delimiter=sniff_delimiter(sample))
    try:
        return _scan_rows(reader, sheet=None)
    except csv.Error as error:
        if claimed:
            raise _unreadable(filename, "CSV") from error
        return []


def _scan_xlsx(data: bytes, filename: str, claimed: bool) -> list[Finding]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        if claimed:
            raise _unreadable(filename, "XLSX") from error
        return []
    findings: list[Finding] = []
    try:
        for worksheet in workbook.worksheets:
            # A wrong <dimension> would cut the sheet short: read every row that is there.
            worksheet.reset_dimensions()
            findings.extend(_scan_rows(worksheet.iter_rows(values_only=True), worksheet.title))
    except Exception as error:
        if claimed:
            raise _unreadable(filename, "XLSX") from error
        return []
    finally:
        workbook.close()
    return findings


def _extension(filename: str) -> str:
    name = (filename or "").lower().rsplit("/", 1)[-1]
    return name[name.rfind("."):] if "." in name else ""


def is_table(filename: str, mimetype: str | None) -> bool:
    """Whether :func:`scan_table` should check the upload: a .csv/.tsv/.xlsx/.xlsm name, or a
    CSV or XLSX mimetype."""
    if _extension(filename) in _CSV_EXTENSIONS + _XLSX_EXTENSIONS:
        return True
    base = (mimetype or "").split(";", 1)[0].strip().lower()
    return base in _CSV_MIMETYPES or base in _XLSX_MIMETYPES


def scan_table(data: bytes, filename: str) -> list[Finding]:
    """Find the columns of a CSV or XLSX file that hold personal data that must not be published.

    A workbook is recognised by its content as well as by its name (a workbook renamed ``.csv`` is
    still read as one). Every XLSX sheet is scanned. Empty or unreadable data yields no findings,
    except that a file whose name says CSV or XLSX and that cannot be read raises
    :class:`PrivacyScanError`; no other exception leaves this function.
    """
    data = bytes(data or b"")
    if not data or data.isspace():
        return []
    extension = _extension(filename)
    claimed = extension in _CSV_EXTENSIONS + _XLSX_EXTENSIONS
    try:
        if data.startswith(ZIP_MAGIC) or extension in _XLSX_EXTENSIONS:
            if not is_workbook_zip(data):
                if claimed:
                    raise _unreadable(filename, "XLSX")
                return []
            return _scan_xlsx(data, filename, claimed)
        return _scan_csv(data, filename, claimed)
    except PrivacyScanError:
        raise
    except Exception as error:  # a bug here must not let a file through unchecked, nor crash
        log.exception("Personal data scan of %r failed", filename)
        if claimed:
            file_format = "CSV" if extension in _CSV_EXTENSIONS else "XLSX"
            raise _unreadable(filename, file_format) from error
        return []


# --------------------------------------------------------------------------------------------
# Message
# --------------------------------------------------------------------------------------------

def _kind_words() -> dict[Kind, str]:
    return {
        "curp": tk._("CURP keys"),
        "rfc_persona_fisica": tk._("RFC keys of individuals"),
        "telefono": tk._("phone numbers"),
        "correo": tk._("e-mail addresses"),
        "domicilio": tk._("home addresses"),
        "clave_elector": tk._("voter ID keys (INE)"),
        "nss": tk._("social security numbers (NSS)"),
        "cuenta_bancaria": tk._("bank accounts (CLABE)"),
    }


def describe(findings: Sequence[Finding]) -> str:
    """One user-facing message naming every finding, in the language of the current request.

    Empty when there is nothing to report.
    """
    if not findings:
        return ""
    words = _kind_words()
    parts = []
    for finding in findings:
        fields: dict[str, Any] = {
            "column": finding.column,
            "letter": finding.column_letter,
            "kind": words[finding.kind],
            "sheet": finding.sheet,
            "rows": ", ".join(str(row) for row in finding.rows),
        }
        if finding.sheet is not None and finding.rows:
            # TRANSLATORS: {kind} is one of the kinds of personal data; {rows} is like "4, 7, 9".
            template = tk._(
                "Sheet \"{sheet}\", column \"{column}\" ({letter}) holds {kind} (rows {rows})"
            )
        elif finding.sheet is not None:
            template = tk._("Sheet \"{sheet}\", column \"{column}\" ({letter}) holds {kind}")
        elif finding.rows:
            template = tk._("Column \"{column}\" ({letter}) holds {kind} (rows {rows})")
        else:
            template = tk._("Column \"{column}\" ({letter}) holds {kind}")
        parts.append(template.format(**fields))
    intro = tk._(
        "Publication was stopped to protect personal data; a sysadmin may publish it after "
        "reviewing the file."
    )
    return "{intro} {details}.".format(intro=intro, details="; ".join(parts))
