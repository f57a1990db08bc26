"""Blank spreadsheet templates for staff, generated from the dataset schemas.

One column per field a sheet can carry (:func:`ckanext.hueyapan.hojas.campos.field_specs`:
the schema's fields in order, without ``name``, ``owner_org``, ``license_id`` or repeating groups,
with three pairs of funding-source columns for an obra), headed by the field's Spanish label, so
that :func:`~ckanext.hueyapan.hojas.tabla.read_table` reads a filled template back as is.

* CSV: the header row only, UTF-8 with BOM (so that Excel shows the accents right).
* XLSX: sheet "Datos" (bold, frozen header; drop-down lists on the columns that take list values),
  sheet "Diccionario" (one row per column: header, field name, Spanish help, expected format,
  whether required, allowed values; then the reading rules: which rows are not published, what
  happens to a cell that cannot be read, which cells count as empty, where an obra's stage comes
  from) and sheet "Listas" (the vocabulary terms and communities the
  drop-down lists offer). Vocabularies and communities are read from the database when the file is
  made; the explanations are in the language of the current request.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan.comun import DATASET_TYPES, KEY_FIELDS
from ckanext.hueyapan.hojas.campos import FieldSpec, field_specs
from ckanext.hueyapan.hojas.celdas import empty_markers
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad
from ckanext.hueyapan.registros import vocabularios

__all__ = ["CSV_MIMETYPE", "XLSX_MIMETYPE", "filename", "reading_rules", "template_csv",
           "template_xlsx"]

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_BOM = b"\xef\xbb\xbf"
_DATA_SHEET = "Datos"
_DICTIONARY_SHEET = "Diccionario"
_LISTS_SHEET = "Listas"
_VALIDATED_ROWS = 1000
"""Rows of the "Datos" sheet that get the drop-down lists."""
_MIN_WIDTH, _MAX_WIDTH = 14, 45


def _check(dataset_type: str) -> Sequence[FieldSpec]:
    if dataset_type not in DATASET_TYPES:
        raise ValueError(f"unknown dataset type {dataset_type!r}")
    return field_specs(dataset_type)


def filename(dataset_type: str, extension: str) -> str:
    """Download name of a template: ``plantilla-obra.xlsx``."""
    return f"plantilla-{dataset_type}.{extension}"


def template_csv(dataset_type: str) -> bytes:
    """The header row of ``dataset_type``'s template as CSV, UTF-8 with BOM."""
    output = io.StringIO(newline="")
    csv.writer(output, lineterminator="\r\n").writerow(
        [spec.label for spec in _check(dataset_type)])
    return _BOM + output.getvalue().encode("utf-8")


def _format(spec: FieldSpec) -> str:
    """What a person must write in the column, in the language of the request."""
    formats = {
        "text": tk._("Text"),
        "longtext": tk._("Text; it may take several lines"),
        "lines": tk._("One item per line of the cell, or items separated by \";\""),
        "links": tk._("Web names of other datasets of the catalog, separated by \",\""),
        "money": tk._("Amount in pesos: 1,234,567.89"),
        "percent": tk._("Percentage from 0 to 100: 45, 0.45 or 45%"),
        "integer": tk._("Whole number: 420"),
        "year": tk._("Four-digit year: 2025"),
        "date": tk._("Date: dd/mm/yyyy or yyyy-mm-dd"),
        "communities": tk._(
            "9-digit INEGI key or name of the community; several separated by \";\"; "
            "\"Todo el municipio\" for the whole municipality"),
        "term": tk._("One of the allowed values"),
        "choice": tk._("One of the allowed values"),
        "terms": tk._("One or more of the allowed values, separated by \";\""),
        "rfc": tk._("RFC of a company: 12 characters"),
        "geojson": tk._("GeoJSON geometry with longitude and latitude"),
    }
    return formats[spec.kind]


def _required(spec: FieldSpec, dataset_type: str) -> str:
    if spec.name == KEY_FIELDS[dataset_type]:
        return tk._("Yes: it identifies the row and must not repeat")
    return tk._("Yes") if spec.required else tk._("No")


def _community_choices() -> list[str]:
    """"Todo el municipio" and every active community as "Name (INEGI key)"."""
    active = (
        model.Session.query(Comunidad)
        .filter(Comunidad.estado == ESTADO_ACTIVA)
        .order_by(Comunidad.nombre, Comunidad.id)
    )
    return ["Todo el municipio"] + [f"{c.nombre} ({c.cvegeo or c.id})" for c in active]


def _choices(spec: FieldSpec) -> list[str]:
    if spec.kind == "communities":
        return _community_choices()
    if spec.vocabulary:
        return [term.etiqueta for term in vocabularios.terms(spec.vocabulary)]
    return [label for _, label, _ in spec.choices]


def reading_rules(dataset_type: str) -> list[tuple[str, str]]:
    """(title, explanation) of each rule the harvest follows when it reads a sheet of
    ``dataset_type``, in the language of the request: the template's dictionary lists them."""
    specs = _check(dataset_type)
    required = [spec.label for spec in specs if spec.required or spec.name == KEY_FIELDS[
        dataset_type]]
    rules = [
        (tk._("Rows that are not published"), tk._(
            "A row without a key, with a key repeated in the file, or with a required cell "
            "({columns}) that cannot be read is not published: the harvest report says why, with "
            "its row and column.").format(columns=", ".join(required))),
        (tk._("Cells that cannot be read"), tk._(
            "A row whose other cells cannot be read (an amount written in words, an impossible "
            "date, a percentage over 100 ...) is published with those fields empty. Its page "
            "shows the note \"Data with observations\" with one line per cell (row, column, "
            "value and reason), the API and the exports carry the same lines in the field "
            "observaciones, and so does the harvest report. Once a later harvest reads the "
            "corrected cell, its line disappears.")),
        (tk._("Cells without a value"), tk._(
            "Empty cells, cells holding only a dash or other punctuation, and cells that say "
            "there is no value ({markers}) are read as empty, never as errors. An empty cell "
            "never erases a value already in the catalog.").format(
            markers=", ".join(f"«{marker}»" for marker in empty_markers()))),
    ]
    if dataset_type == "obra":
        rules.append((tk._("Stage"), tk._(
            "When a row has no stage, the default of the harvest source applies (its setting "
            "\"valores\", for example \"etapa\": \"ejecucion\"); without one, the catalog "
            "works it out from physical progress, the dates, the contract and the close-out, "
            "and the page, the API and the exports say \"estimated stage\".")))
    return rules


def template_xlsx(dataset_type: str) -> bytes:
    """``dataset_type``'s template as an XLSX workbook: "Datos", "Diccionario" and "Listas"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    specs = _check(dataset_type)
    workbook = Workbook()
    data = workbook.worksheets[0]  # the one sheet a new workbook has (its active one)
    data.title = _DATA_SHEET
    dictionary = workbook.create_sheet(_DICTIONARY_SHEET)
    lists = workbook.create_sheet(_LISTS_SHEET)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")

    data.append([spec.label for spec in specs])
    dictionary.append([tk._("Column"), tk._("Field"), tk._("Description"),
                       tk._("Type and format"), tk._("Required"), tk._("Allowed values")])
    list_columns: dict[str, tuple[str, int]] = {}  # list → (column letter, number of values)
    for index, spec in enumerate(specs, start=1):
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = min(max(len(spec.label) + 2, _MIN_WIDTH),
                                                   _MAX_WIDTH)
        choices = _choices(spec) if spec.kind in ("term", "terms", "choice", "communities") \
            else []
        if spec.kind == "communities":
            allowed = tk._("See the sheet \"{sheet}\"").format(sheet=_LISTS_SHEET)
        else:
            allowed = "; ".join(choices)
        dictionary.append([spec.label, spec.name, spec.help, _format(spec),
                           _required(spec, dataset_type), allowed])
        if not choices:
            continue
        source = spec.vocabulary or f"{spec.kind}:{spec.name}"
        if source not in list_columns:  # one column of "Listas" per list, shared by its fields
            column = len(list_columns) + 1
            list_columns[source] = (get_column_letter(column), len(choices))
            lists.cell(row=1, column=column, value=spec.label)
            for position, choice in enumerate(choices, start=2):
                lists.cell(row=position, column=column, value=choice)
            lists.column_dimensions[get_column_letter(column)].width = _MAX_WIDTH
        list_letter, count = list_columns[source]
        # A drop-down list that suggests, and still lets staff type keys or several values.
        single = spec.kind in ("term", "choice")
        validation = DataValidation(
            type="list", formula1=f"{_LISTS_SHEET}!${list_letter}$2:${list_letter}${count + 1}",
            allow_blank=True, showErrorMessage=single, errorStyle="warning")
        validation.add(f"{letter}2:{letter}{_VALIDATED_ROWS + 1}")
        data.add_data_validation(validation)

    dictionary.append([])
    dictionary.append([tk._("Reading rules")])
    dictionary.cell(row=dictionary.max_row, column=1).font = bold
    for title, text in reading_rules(dataset_type):
        dictionary.append([title, None, text])

    for sheet in (data, dictionary, lists):
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (30, 28, 60, 40, 18, 60), strict=True):
        dictionary.column_dimensions[letter].width = width
    for row in dictionary.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrapped

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
