"""Red flags and indigenous communities as search facets and filters, and as API fields."""
from __future__ import annotations

import json

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import dia, obra

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]




@pytest.fixture
def obras(with_plugins, clean_index, comunidades):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    consulta = [{"fecha": "2025-02-10", "lugar": "Agencia municipal", "asistentes_mujeres": "10",
                 "asistentes_hombres": "9"}]
    call_action("package_create", context=context, **obra(   # clean, on time, planning
        org, fecha_inicio=dia(-30), fecha_termino_programada=dia(60)))
    call_action("package_create", context=context, **obra(   # overrun + direct award + late (open)
        org, name="sobrecosto", clave_obra="HUE-2025-FISM-020", etapa="ejecucion",
        consultas=consulta, modalidad_contratacion="adjudicacion_directa",
        monto_modificado="1,500,000", fecha_inicio=dia(-200), fecha_termino_programada=dia(-10)))
    # ended long ago, no close-out, no consultation
    call_action("package_create", context=context, **obra(
        org, name="sin-finiquito", clave_obra="HUE-2024-FISM-030", etapa="concluida",
        fecha_inicio="2024-01-10", fecha_termino_programada="2024-06-30",
        fecha_termino_real="2024-06-20"))
    sysadmin = factories.Sysadmin()
    call_action("hueyapan_comunidad_update", {"user": sysadmin["name"]}, id="300730002",
                indigena="true", pueblos_indigenas="Popoluca")
    call_action("package_create", context=context, **obra(   # in an indigenous community
        org, name="aguacate", clave_obra="HUE-2025-FISM-040", comunidades=["300730002"],
        fecha_inicio=dia(-30), fecha_termino_programada=dia(60)))
    return org


def _names(**params):
    return sorted(r["name"] for r in call_action("package_search", rows=50, **params)["results"])


@pytest.mark.usefixtures("obras")
def test_red_flag_facet_counts():
    result = call_action("package_search", fq="+dataset_type:obra",
                         **{"facet.field": json.dumps(["hueyapan_alerta"])})
    assert result["facets"]["hueyapan_alerta"] == {
        "sobrecosto": 1, "adjudicacion_directa": 1, "retraso": 1, "sin_consulta": 1,
        "sin_finiquito": 1}


@pytest.mark.usefixtures("obras")
@pytest.mark.parametrize("alerta, names", [
    ("sobrecosto", ["sobrecosto"]),
    ("adjudicacion_directa", ["sobrecosto"]),
    ("retraso", ["sobrecosto"]),             # open and past its end date: computed by Solr today
    ("sin_finiquito", ["sin-finiquito"]),
    ("sin_consulta", ["sin-finiquito"]),
])
def test_filter_by_red_flag(alerta, names):
    assert _names(fq=f"hueyapan_alerta:{alerta}") == names


@pytest.mark.usefixtures("obras")
def test_unknown_red_flag_is_a_spanish_error(app):
    response = app.get("/api/3/action/package_search?fq=hueyapan_alerta:otra", status=409)
    assert "Alerta desconocida" in str(response.json["error"])


@pytest.mark.usefixtures("obras")
def test_flags_in_the_api():
    shown = call_action("package_show", id="sobrecosto")
    assert shown["alertas"] == ["sobrecosto", "retraso", "adjudicacion_directa"]
    assert shown["sobrecosto_pct"] == pytest.approx(21.5)
    assert shown["retraso_dias"] == 10
    assert call_action("package_show", id="pavimentacion-los-mangos")["alertas"] == []


@pytest.mark.usefixtures("obras")
def test_flags_are_not_stored_by_an_update():
    user = call_action("get_site_user")["name"]
    shown = call_action("package_show", id="sobrecosto")
    call_action("package_update", context={"user": user, "ignore_auth": True}, **shown)
    from ckan import model

    assert "alertas" not in (model.Package.get("sobrecosto").extras or {})


@pytest.mark.usefixtures("obras")
def test_indigenous_community_facet():
    assert _names(fq="hueyapan_indigena:si") == ["aguacate"]
    facets = call_action("package_search", **{"facet.field": json.dumps(["hueyapan_indigena"])})
    assert facets["facets"]["hueyapan_indigena"] == {"si": 1}
