"""Obras as OC4IDS projects and the catalog as a project package.

Validation against the official OC4IDS JSON schema is not done here: the schema is not
available from the registries this project may use (PyPI, npm, Maven Central, Debian), and its
repository's files may not be copied in. These tests check the mapping field by field.
"""
from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra

LOS_MANGOS = "300730030"

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]


@pytest.fixture
def publicada(with_plugins, clean_index, comunidades):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas", image_url="")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(
        org, etapa="ejecucion", sector="transport.urban", avance_fisico="45",
        avance_financiero="30", modalidad_contratacion="licitacion_publica",
        contratista_razon_social="Constructora Ejemplo SA de CV", contratista_rfc="CEJ010101AB1",
        contrato_numero="HUE-OP-2025-013", monto_contratado="1,200,000",
        consultas=[{"fecha": "2025-02-10", "lugar": "Agencia municipal de Los Mangos",
                    "asistentes_mujeres": "41", "asistentes_hombres": "37"}],
        historial_avance=[{"fecha": "2025-05-31", "avance_fisico": "20", "avance_financiero": "10"},
                          {"fecha": "2025-04-30", "avance_fisico": "5", "avance_financiero": "5"}],
        resources=[{"url": "http://example.org/contrato.pdf", "name": "Contrato (versión pública)",
                    "format": "PDF", "tipo_recurso": "contrato"}]))
    call_action("package_create", context=context, **obra(
        org, name="camino-2024", clave_obra="HUE-2024-FISM-001", ejercicio_fiscal="2024",
        title="Camino saca cosechas 2024", comunidades=["30073"]))
    return org


@pytest.mark.usefixtures("publicada")
def test_an_obra_as_an_oc4ids_project(app):
    package = app.get("/exportar/oc4ids/pavimentacion-los-mangos.json").json
    assert package["version"] == "0.9"
    assert package["publisher"]["name"] == "Municipio de Hueyapan de Ocampo"
    assert package["license"] == "https://datos.gob.mx/libreusomx"
    [project] = package["projects"]
    assert project["id"] == "oc4ids-hy30073-HUE-2025-FISM-013"
    assert project["status"] == "implementation" and project["sector"] == ["transport.urban"]
    assert project["language"] == "es" and project["updated"].endswith("Z")
    [location] = project["locations"]
    assert location["gazetteer"] == {"scheme": "INEGI-CVEGEO", "identifiers": [LOS_MANGOS]}
    assert location["geometry"]["type"] == "Point"
    assert location["uri"].endswith(f"/comunidad/{LOS_MANGOS}")
    assert project["budget"]["amount"] == {"amount": 1234567.89, "currency": "MXN"}
    assert project["budget"]["budgetBreakdown"][0]["sourceParty"]["id"] == "fuente-fism"
    assert project["period"] == {"startDate": "2025-03-01T00:00:00Z",
                                 "endDate": "2025-09-30T00:00:00Z"}
    roles = {party["id"]: party["roles"] for party in project["parties"]}
    assert roles["area-obras-publicas"] == ["publicAuthority", "procuringEntity"]
    assert roles["proveedor-CEJ010101AB1"] == ["supplier"] and roles["fuente-fism"] == ["funder"]
    assert project["publicAuthority"] == {"id": "area-obras-publicas", "name": "Obras Públicas"}
    metrics = {m["id"]: [o["measure"] for o in m["observations"]] for m in project["metrics"]}
    assert metrics == {"physicalProgress": [5.0, 20.0, 45.0],
                       "financialProgress": [5.0, 10.0, 30.0]}
    [meeting] = project["social"]["consultationMeetings"]
    assert meeting["numberOfParticipants"] == 78 and meeting["date"] == "2025-02-10T00:00:00Z"
    summary = project["contractingProcesses"][0]["summary"]
    assert summary["tender"]["procurementMethod"] == "open" and summary["status"] == "active"
    assert summary["contractValue"] == {"amount": 1200000.0, "currency": "MXN"}
    assert project["documents"][0]["documentType"] == "contractSigned"


@pytest.mark.usefixtures("publicada")
def test_the_catalog_as_a_project_package_with_search_filters(app):
    everything = app.get("/exportar/oc4ids.json").json
    assert {p["id"] for p in everything["projects"]} == {
        "oc4ids-hy30073-HUE-2025-FISM-013", "oc4ids-hy30073-HUE-2024-FISM-001"}
    whole = next(p for p in everything["projects"] if p["id"].endswith("2024-FISM-001"))
    assert whole["locations"][0]["gazetteer"]["identifiers"] == ["30073"]
    assert whole["locations"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    filtered = app.get("/exportar/oc4ids.json?hueyapan_ejercicio=2024").json
    assert [p["id"] for p in filtered["projects"]] == ["oc4ids-hy30073-HUE-2024-FISM-001"]


@pytest.mark.usefixtures("publicada")
def test_nothing_empty_is_written(app):
    def walk(value):
        if isinstance(value, dict):
            assert all(v not in (None, "", [], {}) for v in value.values()), value
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    walk(app.get("/exportar/oc4ids.json").json)


@pytest.mark.usefixtures("publicada")
def test_not_an_obra_is_a_404(app):
    app.get("/exportar/oc4ids/no-existe.json", status=404)
