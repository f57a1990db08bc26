"""The value of one cell as the catalog stores it, read by the kind of its field (money, dates,
percentages, whole numbers, RFCs, lists of text, communities, vocabulary terms ...), or
:class:`BadValue` with the translated reason.

How a sheet is read is told in :mod:`ckanext.hueyapan.hojas.tabla`.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun.lectura import aliases_file, name_forms, normalise_header
from ckanext.hueyapan.hojas.campos import FieldSpec
from ckanext.hueyapan.hojas.celdas import Cell, display
from ckanext.hueyapan.logic import validators
from ckanext.hueyapan.registros import vocabularios
from ckanext.hueyapan.registros.comunidades import Communities, Found, communities_register

__all__ = ["BadValue", "CellReader", "is_number", "one_line"]


class BadValue(Exception):
    """A cell value that cannot be read; the argument is the translated reason."""


_MONEY_NOISE = re.compile(r"\b(mxn|m\.?\s?n\.?|pesos?)\s*$", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_WHOLE_WITH_ZEROS = re.compile(r"^(\d+)\.0+$")


def is_number(value: Any) -> bool:
    """Whether a cell's value is a number (a bool is not)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _exact(number: int | float | Decimal) -> Decimal:
    """A number as shown: the float 0.1 is Decimal("0.1"), not 0.1000000000000000055..."""
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def _money(cell: Cell) -> str:
    try:
        if is_number(cell.value):
            return str(validators.parse_money(_exact(cell.value)))
        return str(validators.parse_money(_MONEY_NOISE.sub("", cell.text).strip()))
    except (ValueError, InvalidOperation):
        raise BadValue(tk._(
            "Invalid amount: write pesos, for example 1,234,567.89 or $1,234,567.89")) from None


def _decimal_text(number: Decimal) -> str:
    number = number.quantize(Decimal("0.01")).normalize()
    return format(number, "f")


def _percent(cell: Cell) -> str:
    reason = tk._("Invalid percentage: write a number from 0 to 100 (45 or 45%) or a fraction "
                  "(0.45)")
    try:
        if is_number(cell.value):
            number = _exact(cell.value)
            if cell.percent or (number <= 1 and number != number.to_integral_value()):
                number *= 100
        else:
            text = cell.text.replace(" ", "")
            if text.endswith("%"):
                number = Decimal(text[:-1])
            else:
                if not _PLAIN_NUMBER.match(text):
                    raise BadValue(reason)
                number = Decimal(text)
                if "." in text and number <= 1:
                    number *= 100
    except InvalidOperation:
        raise BadValue(reason) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise BadValue(reason)
    return _decimal_text(number)


def _whole(cell: Cell) -> str:
    text = cell.text
    match = _WHOLE_WITH_ZEROS.match(text.replace(",", ""))
    return match.group(1) if match else text


def _integer(cell: Cell) -> str:
    try:
        return str(validators.hueyapan_entero(_whole(cell)))
    except tk.Invalid:
        raise BadValue(tk._("Invalid number: write a whole number, 0 or more")) from None


def _year(cell: Cell) -> str:
    try:
        return str(validators.hueyapan_ejercicio(_whole(cell)))
    except tk.Invalid:
        raise BadValue(tk._("Invalid fiscal year: write a year from 2000 to {last}").format(
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


def _parse_date(cell: Cell) -> datetime.date | None:
    value = cell.value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if is_number(value):
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


def _date(cell: Cell) -> str:
    day = _parse_date(cell)
    if day is None:
        raise BadValue(tk._("Invalid date: write it as dd/mm/yyyy (for example 31/03/2025) "
                            "or yyyy-mm-dd"))
    return day.isoformat()


def _rfc(cell: Cell) -> str:
    try:
        return str(validators.hueyapan_rfc_moral(cell.text))
    except tk.Invalid:
        compact = re.sub(r"[\s-]", "", cell.text)
        if len(compact) == 13:
            raise BadValue(tk._("This looks like the RFC of a person (13 characters): it is "
                                "personal data and is not published. Write only the RFC of a "
                                "company (12 characters)")) from None
        raise BadValue(tk._("Invalid RFC: a company's RFC has 12 characters")) from None


def _geojson(cell: Cell) -> str:
    try:
        return str(validators.hueyapan_geojson(cell.text))
    except (tk.Invalid, ValueError):
        raise BadValue(tk._("Invalid location: write a GeoJSON geometry with longitude and "
                            "latitude, for example {example}").format(
            example='{"type": "Point", "coordinates": [-95.14, 18.15]}')) from None


def one_line(cell: Cell) -> str:
    """The cell's text on one line, its runs of spaces made one."""
    return " ".join(cell.text.split())


def _long_text(cell: Cell) -> str:
    lines = cell.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


_BULLET = re.compile(r"^\s*(?:[-•·*▪◦]|\d{1,2}[.)])\s+")


def _lines(cell: Cell) -> list[str]:
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


class CellReader:
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

    def parse(self, spec: FieldSpec, cell: Cell) -> Any:
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
                raise BadValue(options.reason())
            return found.value
        if kind == "terms":
            options = self.options(spec)
            values, _, unknown = _split_resolve(cell.text, options.resolve)
            if unknown:
                raise BadValue(options.reason())
            return values
        if kind == "communities":
            communities = self.communities
            values, problems, unknown = _split_resolve(cell.text, communities.resolve)
            problems += [communities.unknown(piece) for piece in unknown]
            if problems:
                raise BadValue("; ".join(problems))
            return values
        if isinstance(cell.value, datetime.datetime) and kind == "text":
            return display(cell.value)
        return one_line(cell)
