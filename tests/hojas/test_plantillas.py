"""Blank spreadsheet templates: made from the schemas, downloadable, and read back as they are."""
from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ckanext.hueyapan.comun import DATASET_TYPES, KEY_FIELDS
from ckanext.hueyapan.hojas.campos import FieldSpec, field_specs
from ckanext.hueyapan.hojas.plantillas import filename, template_csv, template_xlsx
from ckanext.hueyapan.hojas.tabla import read_table

DB = pytest.mark.usefixtures("with_plugins", "comunidades")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOMETRY = '{"type": "Point", "coordinates": [-95.1427, 18.1519]}'


def _csv_header(content: bytes) -> list[str]:
    assert content.startswith(b"\xef\xbb\xbf")
    return next(csv.reader(io.StringIO(content[3:].decode("utf-8"))))


def test_csv_header_is_the_spanish_labels_in_schema_order():
    header = _csv_header(template_csv("obra"))
    assert header[:4] == ["Nombre de la obra", "Clave de la obra", "Ejercicio fiscal", "Etapa"]
    assert "Ubicación (GeoJSON)" in header
    for absent in ("Dirección web (URL)", "Área responsable", "Licencia", "Consultas ciudadanas",
                   "Historial de avance", "Retirado de la hoja de origen"):
        assert absent not in header
    funding = header[header.index("Fuente de financiamiento"):][:6]
    assert funding == ["Fuente de financiamiento", "Monto fuente (MXN)",
                       "Fuente de financiamiento 2", "Monto fuente 2 (MXN)",
                       "Fuente de financiamiento 3", "Monto fuente 3 (MXN)"]
    assert header.index("Fuente de financiamiento") == header.index("Monto aprobado (MXN)") - 6


@pytest.mark.parametrize("dataset_type", DATASET_TYPES)
def test_every_template_column_is_one_field_of_the_schema(dataset_type):
    header = _csv_header(template_csv(dataset_type))
    assert header == [spec.label for spec in field_specs(dataset_type)]
    assert len(set(header)) == len(header)


def test_unknown_type_has_no_template():
    with pytest.raises(ValueError):
        template_csv("dataset")
    assert filename("obra", "xlsx") == "plantilla-obra.xlsx"


@DB
def test_xlsx_has_a_frozen_bold_header_a_dictionary_and_lists():
    workbook = load_workbook(io.BytesIO(template_xlsx("obra")))
    assert workbook.sheetnames == ["Datos", "Diccionario", "Listas"]
    data, dictionary, lists = (workbook[name] for name in workbook.sheetnames)
    header = [cell.value for cell in data[1]]
    assert header == [spec.label for spec in field_specs("obra")]
    assert data.max_row == 1
    assert all(cell.font.bold for cell in data[1])
    assert data.freeze_panes == "A2"

    specs = field_specs("obra")
    rows = {row[1]: row for row in dictionary.iter_rows(min_row=2, max_row=len(specs) + 1,
                                                        values_only=True)}
    assert list(rows) == [spec.name for spec in specs]
    assert "etapa_estimada" not in rows and "observaciones" not in rows  # computed, not columns
    # after a blank row, the reading rules: rows refused, bad cells, empty markers, the stage
    rules = [row for row in dictionary.iter_rows(min_row=len(specs) + 3, values_only=True)]
    assert rules[0][0] == "Reading rules"
    explained = {row[0]: str(row[2]) for row in rules[1:]}
    assert list(explained) == ["Rows that are not published", "Cells that cannot be read",
                               "Cells without a value", "Stage"]
    assert "«Clave de la obra»" not in explained["Rows that are not published"]
    assert "Clave de la obra" in explained["Rows that are not published"]
    assert "observaciones" in explained["Cells that cannot be read"]
    assert "«N/D»" in explained["Cells without a value"]
    assert "estimated stage" in explained["Stage"]
    column, _, description, _, required, allowed = rows["etapa"]
    assert column == "Etapa" and required == "Yes"
    assert str(description).startswith("Etapa actual de la obra")
    assert allowed == ("Planeación; Contratación; En ejecución; Suspendida; Concluida; "
                       "Finiquitada; Cancelada")
    assert rows["monto_aprobado"][3] == "Amount in pesos: 1,234,567.89"
    assert rows["fecha_inicio"][3] == "Date: dd/mm/yyyy or yyyy-mm-dd"
    assert str(rows["clave_obra"][4]).startswith("Yes: it identifies the row")
    assert rows["notes"][4] == "No"
    assert "FISM-DF (FAIS municipal, Ramo 33)" in str(rows["fuentes_financiamiento.2.fuente"][5])

    [communities] = [[value for value in column[1:] if value]
                     for column in lists.iter_cols(values_only=True) if column[0] == "Comunidades"]
    assert communities[0] == "Todo el municipio"
    assert "La Nueva Esperanza (300730035)" in communities
    assert "La Nueva Esperanza (300730156)" in communities
    validated = {str(validation.sqref): validation.formula1
                 for validation in data.data_validations.dataValidation}
    etapa = header.index("Etapa") + 1
    letter = get_column_letter(etapa)
    assert validated[f"{letter}2:{letter}1001"].startswith("Listas!$")


# ------------------------------------------------------------------------------ round trip

def _first_choices(lists: Any) -> dict[str, str]:
    """The first value of each list of the "Listas" sheet, by the list's header."""
    return {column[0]: column[1] for column in lists.iter_cols(values_only=True)}


def _sample(spec: FieldSpec, dataset_type: str, choices: dict[str, str]) -> tuple[Any, Any]:
    """(what a person writes in the cell, what read_table must give) for one column."""
    kind = spec.kind
    if spec.name == KEY_FIELDS[dataset_type]:
        return "HUE-2025-001", "HUE-2025-001"
    if kind in ("term", "choice", "terms", "communities"):
        # the columns of one vocabulary share a list, headed by the first of them
        header = spec.label if not spec.vocabulary else next(
            other.label for other in field_specs(dataset_type)
            if other.vocabulary == spec.vocabulary)
        return choices[header], None  # the key depends on the database: checked separately
    samples: dict[str, tuple[Any, Any]] = {
        "text": (f"Texto de {spec.name}", f"Texto de {spec.name}"),
        "longtext": ("Primera línea\nSegunda línea", "Primera línea\nSegunda línea"),
        "lines": ("Uno\nDos", ["Uno", "Dos"]),
        "links": ("conjunto-relacionado", "conjunto-relacionado"),
        "money": ("$1,234,567.89", "1234567.89"),
        "percent": ("45%", "45"),
        "integer": ("420", "420"),
        "year": ("2025", "2025"),
        "date": (datetime.date(2025, 3, 31), "2025-03-31"),
        "rfc": ("CSO120315AB7", "CSO120315AB7"),
        "geojson": (GEOMETRY, json.dumps(json.loads(GEOMETRY))),
    }
    return samples[kind]


@DB
@pytest.mark.parametrize("dataset_type", DATASET_TYPES)
def test_a_filled_xlsx_template_is_read_back(dataset_type):
    workbook = load_workbook(io.BytesIO(template_xlsx(dataset_type)))
    data, lists = workbook["Datos"], workbook["Listas"]
    specs = field_specs(dataset_type)
    choices = _first_choices(lists)
    samples = {spec.name: _sample(spec, dataset_type, choices) for spec in specs}
    data.append([samples[spec.name][0] for spec in specs])
    output = io.BytesIO()
    workbook.save(output)

    table = read_table(output.getvalue(), f"plantilla-{dataset_type}.xlsx", dataset_type)
    assert table.errors == []
    assert (table.sheet, table.header_row) == ("Datos", 1)
    [row] = table.rows
    assert (row.row, row.key) == (2, "HUE-2025-001")
    expected_names = {spec.group or spec.name for spec in specs}
    assert set(row.data) == expected_names
    for spec in specs:
        if spec.group:
            continue
        written, expected = samples[spec.name]
        if expected is not None:
            assert row.data[spec.name] == expected, spec.name
        assert row.columns[spec.name] == spec.label
    assert row.data["comunidades"] == ["30073"]  # "Todo el municipio" is the first choice
    if dataset_type == "obra":
        assert row.data["etapa"] == "planeacion"
        assert row.data["fuentes_financiamiento"] == [
            {"fuente": "fism", "monto": "1234567.89"}] * 3
    if dataset_type == "programa-social":
        assert row.data["tipo_programa"] == "transferencia"
        assert row.data["enfoque"] == ["genero"]
    if dataset_type == "convocatoria":
        assert row.data["tipo_convocatoria"] == "licitacion_obra"


CSV_ROWS = {
    "obra": (
        {"Clave de la obra": "HUE-2025-002", "Nombre de la obra": "Pozo profundo",
         "Ejercicio fiscal": "2025", "Etapa": "Planeación", "Comunidades": "Nacaxtle; Los Mangos",
         "Fuente de financiamiento": "FISM-DF (FAIS municipal, Ramo 33)",
         "Monto fuente (MXN)": "1,250,000", "Monto aprobado (MXN)": "$1,250,000.00"},
        {"clave_obra": "HUE-2025-002", "title": "Pozo profundo", "ejercicio_fiscal": "2025",
         "etapa": "planeacion", "comunidades": ["300730033", "300730030"],
         "fuentes_financiamiento": [{"fuente": "fism", "monto": "1250000.00"}],
         "monto_aprobado": "1250000.00"},
    ),
    "programa-social": (
        {"Clave del programa": "HUE-2025-DIF-002", "Nombre del programa": "Útiles escolares",
         "Ejercicio fiscal": "2025", "Tipo de programa": "Apoyo en especie",
         "Comunidades": "Todo el municipio"},
        {"clave_programa": "HUE-2025-DIF-002", "title": "Útiles escolares",
         "ejercicio_fiscal": "2025", "tipo_programa": "especie", "comunidades": ["30073"]},
    ),
    "convocatoria": (
        {"Folio": "HUE-LP-OP-003/2025", "Nombre de la convocatoria": "Licitación del camino",
         "Tipo de convocatoria": "Licitación de obra pública", "Objeto": "Rehabilitación",
         "Comunidades": "Nacaxtle", "Fecha de apertura": "01/06/2025",
         "Fecha de cierre": "30/06/2025"},
        {"folio": "HUE-LP-OP-003/2025", "title": "Licitación del camino",
         "tipo_convocatoria": "licitacion_obra", "objeto": "Rehabilitación",
         "comunidades": ["300730033"], "fecha_apertura": "2025-06-01",
         "fecha_cierre": "2025-06-30"},
    ),
}


@DB
@pytest.mark.parametrize("dataset_type", DATASET_TYPES)
def test_a_filled_csv_template_is_read_back(dataset_type):
    cells, expected = CSV_ROWS[dataset_type]
    header = _csv_header(template_csv(dataset_type))
    assert set(cells) <= set(header)
    content = template_csv(dataset_type) + _csv_line([cells.get(label, "") for label in header])
    table = read_table(content, f"plantilla-{dataset_type}.csv", dataset_type)
    assert table.errors == []
    [row] = table.rows
    assert row.data == expected


def _csv_line(row: list[str]) -> bytes:
    output = io.StringIO(newline="")
    csv.writer(output, lineterminator="\r\n").writerow(row)
    return output.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------ download

@DB
def test_templates_page_lists_every_type_with_both_formats(app):
    from bs4 import BeautifulSoup

    response = app.get("/plantillas")
    assert response.status_code == 200
    page = BeautifulSoup(response.body, "html.parser")
    assert page.html["lang"] == "es"
    links = {str(a["href"]) for a in page.select("li.hueyapan-plantilla a")}
    assert links == {f"/plantillas/{tipo}.{extension}" for tipo in DATASET_TYPES
                     for extension in ("csv", "xlsx")}


@DB
@pytest.mark.parametrize(("path", "mimetype"), [
    ("/plantillas/obra.xlsx", XLSX),
    ("/plantillas/programa-social.xlsx", XLSX),
    ("/plantillas/convocatoria.csv", "text/csv; charset=utf-8"),
])
def test_template_download(app, path, mimetype):
    response = app.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    name = path.rsplit("/", 1)[1]
    assert response.headers["Content-Disposition"] == f'attachment; filename="plantilla-{name}"'
    if path.endswith(".csv"):
        assert response.data.startswith(b"\xef\xbb\xbf")
    else:
        assert load_workbook(io.BytesIO(response.data)).sheetnames[0] == "Datos"


@DB
@pytest.mark.parametrize("path", ["/plantillas/dataset.csv", "/plantillas/obra.pdf",
                                  "/plantillas/obra"])
def test_unknown_template_is_404(app, path):
    assert app.get(path).status_code == 404
