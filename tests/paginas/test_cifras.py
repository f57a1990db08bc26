"""The home page's key figures: computed from public datasets, cached, refreshed on change."""
from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan.paginas import cifras
from tests.fabricas import convocatoria, dia, obra, programa

LOS_MANGOS, EL_AGUACATE, CABECERA = "300730030", "300730002", "300730001"

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]


@pytest.fixture
def org(with_plugins, clean_index, comunidades):  # obras by etapa and open calls: a search
    cifras.invalidate()
    return factories.Organization(name="obras-publicas", title="Obras Públicas")


def _create(data):
    user = call_action("get_site_user")
    return call_action("package_create", context={"user": user["name"], "ignore_auth": True},
                       **data)




@pytest.fixture
def catalogo(org):
    _create(obra(org))  # planeación, 2025, FISM 1,234,567.89, Los Mangos
    _create(obra(org, name="agua-el-aguacate", clave_obra="HUE-2024-FISM-002", etapa="ejecucion",
                 ejercicio_fiscal="2024", comunidades=[EL_AGUACATE, LOS_MANGOS],
                 fuentes_financiamiento=[{"fuente": "fism", "monto": "500,000"},
                                         {"fuente": "estatal", "monto": "250,000.50"}],
                 monto_aprobado="750,000.50"))
    _create(obra(org, name="borrador", clave_obra="HUE-2025-FISM-099", private=True,
                 comunidades=[CABECERA],
                 fuentes_financiamiento=[{"fuente": "fism", "monto": "9,999,999"}],
                 monto_aprobado="9,999,999"))  # private: never counted
    _create(programa(org, vigencia_inicio=dia(-30), vigencia_fin=dia(30)))
    _create(programa(org, name="programa-vencido", clave_programa="DA-2024-01",
                     vigencia_inicio="2024-01-01", vigencia_fin="2024-12-31"))
    _create(convocatoria(org, fecha_apertura=dia(-3), fecha_cierre=dia(9),
                         fecha_resultados=dia(20)))
    _create(convocatoria(org, name="convocatoria-cerrada", folio="PC-2024-01",
                         title="Convocatoria cerrada", fecha_apertura="2024-01-01",
                         fecha_cierre="2024-01-31", fecha_resultados="2024-02-15"))


@pytest.mark.usefixtures("catalogo")
def test_figures_count_only_public_datasets():
    result = cifras.compute()
    assert result["obras"] == 2
    assert {item["clave"]: item["obras"] for item in result["obras_por_etapa"]} == {
        "planeacion": 1, "ejecucion": 1}
    assert result["inversion_total"] == pytest.approx(1234567.89 + 750000.50)
    assert result["inversion_por_ejercicio"] == [
        {"ejercicio": "2025", "monto": pytest.approx(1234567.89)},
        {"ejercicio": "2024", "monto": pytest.approx(750000.50)}]
    assert result["inversion_por_fuente"] == [
        {"clave": "fism", "monto": pytest.approx(1734567.89)},
        {"clave": "estatal", "monto": pytest.approx(250000.50)}]
    assert result["programas_vigentes"] == 1
    assert [(c["name"], c["dias"]) for c in result["convocatorias_abiertas"]] == [
        ("proyectos-comunitarios-2026", 9)]
    # Los Mangos, El Aguacate and the programa's community; the convocatoria is municipal
    assert result["comunidades_alcanzadas"] == 3
    assert result["todo_el_municipio"] is True
    assert result["comunidades_total"] >= 50


@pytest.mark.usefixtures("catalogo")
def test_figures_are_cached_and_refreshed_on_change(org):
    first = cifras.figures()
    assert first["obras"] == 2
    assert cifras.figures() == first
    _create(obra(org, name="tercera", clave_obra="HUE-2025-FISM-003"))
    assert cifras.figures()["obras"] == 3
    call_action("package_delete", context={"user": call_action("get_site_user")["name"],
                                           "ignore_auth": True}, id="tercera")
    assert cifras.figures()["obras"] == 2


def test_an_empty_catalog_has_zero_figures(org):
    result = cifras.figures()
    assert result["obras"] == 0 and result["inversion_total"] == 0
    assert result["convocatorias_abiertas"] == [] and result["comunidades_alcanzadas"] == 0
