"""Bulk exports: any search of obras, programas sociales or convocatorias as CSV or XLSX.

One row per dataset, flattened, with the Spanish headers of our spreadsheet templates (so an
export can be edited and harvested back), preceded by the dataset's address, web name, área and
last change, and followed, for obras, by the red flags. Numbers are numbers (amounts in pesos,
percentages 0-100, years), dates ISO 8601 (real dates in XLSX), communities and vocabulary terms
by their Spanish names. The data dictionary (header, field, meaning, format) is the XLSX's second
sheet, and a CSV of its own.

Stable addresses (``views/exportaciones.py``): ``/exportar/obra.csv``, ``/exportar/obra.xlsx``,
``/exportar/obra-diccionario.csv``, with the same filters as the search page
(``?q=agua&hueyapan_comunidad=300730030&hueyapan_ejercicio=2025``). The full export of a type
(no filters) is kept on disk and made again after any dataset changes (the same generation the
home page's figures use), so the most common download costs nothing.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan import comun
from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun import DATASET_TYPES
from ckanext.hueyapan.comun.cantidades import numero
from ckanext.hueyapan.hojas.campos import FieldSpec, field_specs
from ckanext.hueyapan.model import Comunidad, Termino
from ckanext.hueyapan.paginas import cifras
from ckanext.hueyapan.reglas import alertas

__all__ = ["CSV_MIMETYPE", "MAX_ROWS", "XLSX_MIMETYPE", "columns", "datasets", "export",
           "dictionary_csv"]

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The most rows one export holds.
MAX_ROWS = 50000
_BOM = b"\xef\xbb\xbf"


class Column:
    """One column of an export: header, field, meaning, format, and how to read its value."""

    def __init__(self, header: str, field: str, meaning: str, kind: str,
                 spec: FieldSpec | None = None) -> None:
        self.header, self.field, self.meaning, self.kind = header, field, meaning, kind
        self.spec = spec


def columns(dataset_type: str) -> list[Column]:
    if dataset_type not in DATASET_TYPES:
        raise ValueError(f"unknown dataset type {dataset_type!r}")
    cols = [
        Column(tk._("Address"), "url", tk._("Page of the dataset in the catalog"), "text"),
        Column(tk._("Web name"), "name", tk._("Unique name of the dataset in its address"), "text"),
        Column(tk._("Municipal area"), "organization", tk._("Area that publishes it"), "text"),
        Column(tk._("Last change"), "metadata_modified",
               tk._("Date and time (UTC) of the last change"), "datetime"),
    ]
    for spec in field_specs(dataset_type, computed=True):
        cols.append(Column(spec.label, spec.name, spec.help, spec.kind, spec))
    if dataset_type == "obra":
        cols += [
            Column(tk._("Cost overrun (%)"), "sobrecosto_pct",
                   tk._("How much the final (or modified, or exercised) amount exceeds the "
                        "contracted (or approved) one"), "number"),
            Column(tk._("Delay (days)"), "retraso_dias",
                   tk._("Days past the scheduled end (until today if it has not ended)"),
                   "integer"),
            Column(tk._("Red flags"), "alertas",
                   tk._("Cost overrun, delay, direct award, no recorded consultation, no close-out "
                        "after the end date"), "flags"),
        ]
    return cols


def datasets(dataset_type: str, busqueda: filtros.Busqueda | None = None
             ) -> Iterator[dict[str, Any]]:
    """The datasets of one type a search finds (at most :data:`MAX_ROWS`), newest change first."""
    busqueda = (busqueda or filtros.Busqueda()).narrow(tipo=dataset_type)
    return filtros.iterate_datasets(busqueda, limite=MAX_ROWS)


def _labels() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    from ckan import model

    communities = {c.id: c.nombre for c in model.Session.query(Comunidad)}
    communities[str(tk.config["ckanext.hueyapan.municipio.cvegeo"])] = "Todo el municipio"
    terms = {(t.vocabulario, t.clave): t.etiqueta for t in model.Session.query(Termino)}
    return communities, terms




def _value(column: Column, dataset: dict[str, Any], labels: tuple[Any, Any], today: datetime.date,
           flags: dict[str, Any]) -> Any:
    communities, terms = labels
    field = column.field
    if field == "url":
        return tk.url_for(f"{dataset['type']}.read", id=dataset["name"], _external=True)
    if field == "organization":
        return (dataset.get("organization") or {}).get("title") or ""
    if field in ("sobrecosto_pct", "retraso_dias", "alertas"):
        if field == "alertas":
            return "; ".join(tk._(alertas.ALERTAS[name]) for name in flags["alertas"])
        return flags[field]
    if column.spec is not None and column.spec.group:
        group, number, subfield = field.split(".")
        items = dataset.get(group) or []
        value = items[int(number) - 1].get(subfield) if len(items) >= int(number) else None
    else:
        value = dataset.get(field)
    if value in (None, "", []):
        return None
    kind = column.kind
    if kind in ("money", "percent", "number"):
        return numero(value)
    if kind in ("integer", "year"):
        number = numero(value)
        return int(number) if number is not None else None
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    if kind == "datetime":
        try:
            return datetime.datetime.fromisoformat(str(value)[:19])
        except ValueError:
            return str(value)
    if kind == "communities":
        keys = value if isinstance(value, list) else [value]
        return "; ".join(communities.get(str(k), str(k)) for k in keys)
    if kind in ("term", "terms") and column.spec is not None and column.spec.vocabulary:
        keys = value if isinstance(value, list) else [value]
        return "; ".join(terms.get((column.spec.vocabulary, str(k)), str(k)) for k in keys)
    if kind == "choice" and column.spec is not None:
        return {v: es for v, es, _ in column.spec.choices}.get(str(value), str(value))
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def rows(dataset_type: str, busqueda: filtros.Busqueda | None = None) -> Iterator[list[Any]]:
    cols = columns(dataset_type)
    labels = _labels()
    today = comun.today()
    for dataset in datasets(dataset_type, busqueda):
        flags = alertas.flags(dataset, today) if dataset_type == "obra" else {}
        yield [_value(column, dataset, labels, today, flags) for column in cols]


#: What makes a spreadsheet read a text cell as a formula (formula or CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_note() -> list[str]:
    """The dictionary's last row: how text that would be a formula is written."""
    return [tk._("(note)"), "", tk._(
        "A text that begins with =, +, -, @, a tab or a carriage return is written in the CSV "
        "with an apostrophe (') before it, and in the XLSX as text, so that no spreadsheet runs "
        "it as a formula; numbers are numbers. Remove the apostrophe to read the original "
        "text"), tk._("note")]


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a text, never a formula (numbers are not str: they stay numbers)
    return str(value)


def _csv(header: Sequence[str], body: Iterable[Sequence[Any]]) -> bytes:
    output = io.StringIO(newline="")
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow([_csv_text(v) for v in row])
    return _BOM + output.getvalue().encode("utf-8")


def dictionary_csv(dataset_type: str) -> bytes:
    return _csv([tk._("Column"), tk._("Field"), tk._("Description"), tk._("Type")],
                [*([c.header, c.field, c.meaning, c.kind] for c in columns(dataset_type)),
                 formula_note()])


def _xlsx(dataset_type: str, body: Iterator[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    data = workbook.worksheets[0]  # the one sheet a new workbook has (its active one)
    data.title = "Datos"
    cols = columns(dataset_type)
    data.append([c.header for c in cols])
    for row in body:
        data.append(row)
        for cell in data[data.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"  # openpyxl made "=..." a formula: a string cell instead
                cell.quotePrefix = True  # and a spreadsheet keeps it text when it is edited
    for index, column in enumerate(cols, start=1):
        if column.kind == "money":
            for cell in data.iter_rows(min_row=2, min_col=index, max_col=index):
                cell[0].number_format = "#,##0.00"
        elif column.kind in ("date",):
            for cell in data.iter_rows(min_row=2, min_col=index, max_col=index):
                cell[0].number_format = "yyyy-mm-dd"
    dictionary = workbook.create_sheet("Diccionario")
    dictionary.append([tk._("Column"), tk._("Field"), tk._("Description"), tk._("Type")])
    for column in cols:
        dictionary.append([column.header, column.field, column.meaning, column.kind])
    dictionary.append(formula_note())
    for sheet in (data, dictionary):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _cache_dir() -> Path:
    return Path(tk.config.get("ckan.storage_path") or "/tmp") / "hueyapan-exportaciones"


def export(dataset_type: str, fmt: str, busqueda: filtros.Busqueda | None = None) -> bytes:
    """The export of a search (:func:`filtros.parse_busqueda`) as ``csv`` or ``xlsx`` bytes; the
    unfiltered one from disk while no dataset changed since it was made."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(fmt)

    def make() -> bytes:
        body = rows(dataset_type, busqueda)
        if fmt == "csv":
            return _csv([c.header for c in columns(dataset_type)], body)
        return _xlsx(dataset_type, body)

    if busqueda is not None and busqueda.filtra:
        return make()

    language = tk.h.lang() if hasattr(tk.h, "lang") else "es"
    path = _cache_dir() / f"{dataset_type}-{cifras.generation()}-{comun.today()}-{language}.{fmt}"
    if path.exists():
        return path.read_bytes()
    content = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(f"{dataset_type}-*.{fmt}"):
        old.unlink(missing_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(content)
    temporary.replace(path)
    return content
