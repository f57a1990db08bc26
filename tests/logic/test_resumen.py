"""hueyapan_resumen: counts and amounts of a search, by community, year, source, category, stage."""
from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra, programa

LOS_MANGOS, EL_AGUACATE = "300730030", "300730002"

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]


@pytest.fixture
def catalogo(with_plugins, clean_index, comunidades):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(org))  # 2025 FISM 1,234,567.89 Los Mangos
    call_action("package_create", context=context, **obra(
        org, name="agua-el-aguacate", clave_obra="HUE-2024-FISM-002", etapa="ejecucion",
        title="Red de agua potable en El Aguacate",
        ejercicio_fiscal="2024", rubro_fais="agua_potable", comunidades=[EL_AGUACATE, LOS_MANGOS],
        fuentes_financiamiento=[{"fuente": "fism", "monto": "500,000"},
                                {"fuente": "estatal", "monto": "250,000.50"}],
        monto_aprobado="750,000.50"))
    call_action("package_create", context=context, **obra(
        org, name="borrador", clave_obra="HUE-2025-FISM-099", private=True,
        monto_aprobado="9,999,999",
        fuentes_financiamiento=[{"fuente": "fism", "monto": "9,999,999"}]))
    call_action("package_create", context=context, **programa(org))
    return org


def _by(result, group):
    return {item["clave"]: (item["datasets"], round(item["monto"], 2))
            for item in result[f"por_{group}"]}


@pytest.mark.usefixtures("catalogo")
def test_summary_of_every_public_obra():
    result = call_action("hueyapan_resumen", context={"ignore_auth": False}, tipo="obra")
    assert result["datasets"] == 2  # the private draft is not counted
    assert result["monto_aprobado"] == pytest.approx(1234567.89 + 750000.50)
    assert _by(result, "comunidad") == {LOS_MANGOS: (2, 1984568.39), EL_AGUACATE: (1, 750000.5)}
    assert _by(result, "fuente") == {"fism": (2, 1734567.89), "estatal": (1, 250000.5)}
    assert _by(result, "ejercicio") == {"2025": (1, 1234567.89), "2024": (1, 750000.5)}
    assert _by(result, "etapa") == {"planeacion": (1, 1234567.89), "ejecucion": (1, 750000.5)}
    assert _by(result, "rubro") == {"urbanizacion": (1, 1234567.89), "agua_potable": (1, 750000.5)}


@pytest.mark.usefixtures("catalogo")
@pytest.mark.parametrize("filters, datasets", [
    ({"comunidad": EL_AGUACATE}, 1),
    ({"ejercicio": "2025", "tipo": "obra"}, 1),
    ({"fuente": "estatal"}, 1),
    ({"fuente": ["estatal", "fism"], "tipo": "obra"}, 2),
    ({"q": "Pavimentación"}, 1),
    ({"tipo": "programa-social"}, 1),
])
def test_filters_as_in_the_search(filters, datasets):
    assert call_action("hueyapan_resumen", **filters)["datasets"] == datasets


@pytest.mark.usefixtures("catalogo")
def test_through_the_api_anonymously(app):
    response = app.get("/api/3/action/hueyapan_resumen?tipo=obra&comunidad=300730030")
    assert response.status_code == 200
    assert response.json["result"]["datasets"] == 2
