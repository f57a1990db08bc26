"""Bulk exports of a search as CSV and XLSX: Spanish headers, numbers as numbers, filters as on
the search page, the data dictionary, the full export kept current."""
from __future__ import annotations

import csv
import datetime
import io

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra

LOS_MANGOS, EL_AGUACATE = "300730030", "300730002"

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]


@pytest.fixture
def catalogo(with_plugins, clean_index, comunidades):
    from ckanext.hueyapan.paginas import cifras

    cifras.invalidate()
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(org, avance_fisico="45"))
    call_action("package_create", context=context, **obra(
        org, name="agua-el-aguacate", clave_obra="HUE-2024-FISM-002", etapa="ejecucion",
        title="Red de agua potable en El Aguacate", ejercicio_fiscal="2024",
        rubro_fais="agua_potable", comunidades=[EL_AGUACATE, LOS_MANGOS],
        modalidad_contratacion="adjudicacion_directa", monto_aprobado="750,000.50",
        monto_modificado="900,000.60",
        fuentes_financiamiento=[{"fuente": "fism", "monto": "750,000.50"}]))
    return {"org": org, "context": context}


def _csv(app, url):
    response = app.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    data = response.data if hasattr(response, "data") else response.body.encode()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.usefixtures("catalogo")
def test_csv_of_every_obra(app):
    rows = {row["Nombre web"]: row for row in _csv(app, "/exportar/obra.csv")}
    assert set(rows) == {"pavimentacion-los-mangos", "agua-el-aguacate"}
    agua = rows["agua-el-aguacate"]
    assert agua["Dirección"].endswith("/obra/agua-el-aguacate")
    assert agua["Nombre de la obra"] == "Red de agua potable en El Aguacate"
    assert agua["Comunidades"] == "El Aguacate; Los Mangos"
    assert agua["Monto aprobado (MXN)"] == "750000.5"
    assert agua["Etapa"] == "En ejecución"
    assert agua["Sobrecosto (%)"] == "20"
    assert "Adjudicación directa" in agua["Alertas"] and "Sobrecosto" in agua["Alertas"]
    assert rows["pavimentacion-los-mangos"]["Avance físico (%)"] == "45"


@pytest.mark.usefixtures("catalogo")
@pytest.mark.parametrize("query, names", [
    (f"hueyapan_comunidad={EL_AGUACATE}", {"agua-el-aguacate"}),
    ("hueyapan_ejercicio=2025", {"pavimentacion-los-mangos"}),
    ("q=agua", {"agua-el-aguacate"}),
    (f"hueyapan_comunidad={LOS_MANGOS}&hueyapan_etapa=planeacion", {"pavimentacion-los-mangos"}),
])
def test_filters_as_on_the_search_page(app, query, names):
    assert {row["Nombre web"] for row in _csv(app, f"/exportar/obra.csv?{query}")} == names


@pytest.mark.usefixtures("catalogo")
def test_xlsx_has_numbers_dates_and_the_dictionary(app):
    from openpyxl import load_workbook

    response = app.get("/exportar/obra.xlsx?hueyapan_ejercicio=2024")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Datos", "Diccionario"]
    sheet = workbook["Datos"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Monto aprobado (MXN)"] == pytest.approx(750000.5)
    assert isinstance(row["Ejercicio fiscal"], int)
    assert isinstance(row["Fecha de inicio"], datetime.datetime)
    fields = [cell.value for cell in workbook["Diccionario"]["B"]][1:]
    assert "monto_aprobado" in fields and "comunidades" in fields


@pytest.mark.usefixtures("catalogo")
def test_dictionary_csv(app):
    rows = _csv(app, "/exportar/obra-diccionario.csv")
    assert {"Columna", "Campo", "Descripción", "Tipo"} <= set(rows[0])
    assert any(row["Campo"] == "monto_aprobado" for row in rows)


@pytest.mark.usefixtures("catalogo")
def test_the_full_export_follows_every_change(app, catalogo):
    assert len(_csv(app, "/exportar/obra.csv")) == 2
    call_action("package_patch", context=catalogo["context"], id="agua-el-aguacate",
                title="Red de agua potable en El Aguacate, segunda etapa")
    rows = {row["Nombre web"]: row for row in _csv(app, "/exportar/obra.csv")}
    assert rows["agua-el-aguacate"]["Nombre de la obra"].endswith("segunda etapa")
    call_action("package_delete", context=catalogo["context"], id="agua-el-aguacate")
    assert len(_csv(app, "/exportar/obra.csv")) == 1


@pytest.mark.usefixtures("with_plugins")
def test_unknown_type_is_a_404(app):
    app.get("/exportar/otra-cosa.csv", status=404)


HYPERLINK = '=HYPERLINK("http://evil.example/","x")'
CMD = "+cmd|' /C calc'!A0"


@pytest.fixture
def formulas(catalogo):
    """An obra whose texts begin like formulas (issue 16), and a negative-looking one."""
    call_action("package_create", context=catalogo["context"], **obra(
        catalogo["org"], name="formulas", clave_obra="HUE-2023-FISM-666", title=HYPERLINK,
        notes=CMD, ejercicio_fiscal="2023", contratista_razon_social="@SUM(1+1)"))


@pytest.mark.usefixtures("formulas")
def test_the_xlsx_has_no_formula_cell_and_numbers_stay_numbers(app):
    from openpyxl import load_workbook

    response = app.get("/exportar/obra.xlsx?hueyapan_ejercicio=2023")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Datos"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["Nombre de la obra"] == HYPERLINK  # the text itself, as a string cell
    assert row["Contratista (razón social)"] == "@SUM(1+1)"
    assert isinstance(row["Monto aprobado (MXN)"], float) and isinstance(
        row["Ejercicio fiscal"], int)
    notes = [row for row in workbook["Diccionario"].iter_rows(values_only=True)]
    assert "apóstrofo" in str(notes[-1][2])


@pytest.mark.usefixtures("formulas")
def test_the_csv_has_no_raw_leading_formula_character(app):
    rows = _csv(app, "/exportar/obra.csv?hueyapan_ejercicio=2023")
    assert len(rows) == 1
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert rows[0]["Nombre de la obra"] == "'" + HYPERLINK
    assert rows[0]["Contratista (razón social)"] == "'@SUM(1+1)"
    assert rows[0]["Monto aprobado (MXN)"] == "1234567.89"
    note = _csv(app, "/exportar/obra-diccionario.csv")[-1]
    assert "apóstrofo" in note["Descripción"] and "=, +, -, @" in note["Descripción"]
