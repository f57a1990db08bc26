"""The three dataset types through the action API: create, update, validation in Spanish,
communities, facets, the convocatoria's estado and the consultation rule."""
from __future__ import annotations

import datetime

import pytest
from freezegun import freeze_time

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import convocatoria, obra, programa

AUTH = "Authorization"


@pytest.fixture
def staff(comunidades):
    """A sysadmin with a token and the Obras Públicas organization."""
    user = factories.SysadminWithToken()
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    return user, org


def api(app, user, action, data):
    return app.post(f"/api/3/action/{action}", json=data, headers={AUTH: user["token"]})


def errors_of(response) -> dict:
    assert response.status_code == 409, response.body
    return response.json["error"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestObra:
    def test_create_stores_numbers_and_communities(self, app, staff):
        user, org = staff
        response = api(app, user, "package_create", obra(org))
        assert response.status_code == 200, response.body
        shown = call_action("package_show", id="pavimentacion-los-mangos")
        assert shown["monto_aprobado"] == "1234567.89"
        assert shown["fuentes_financiamiento"][0]["monto"] == "1234567.89"
        assert shown["comunidades"] == ["300730030"]

    def test_update_is_recorded_in_the_activity_stream(self, app, staff):
        user, org = staff
        api(app, user, "package_create", obra(org))
        response = api(app, user, "package_patch", {
            "id": "pavimentacion-los-mangos", "monto_modificado": "1,300,000",
        })
        assert response.status_code == 200, response.body
        activity = call_action("package_activity_list", id="pavimentacion-los-mangos")
        assert activity[0]["activity_type"] == "changed package"
        assert activity[0]["user_id"] == user["id"]

    @pytest.mark.parametrize("field, value, message", [
        ("monto_aprobado", "12,34,5.x", "Monto no válido «12,34,5.x»"),
        ("avance_fisico", "120", "Porcentaje no válido «120»"),
        ("ejercicio_fiscal", "1850", "Ejercicio fiscal no válido «1850»"),
        ("comunidades", ["211750001"], "Comunidad desconocida «211750001»"),
        ("fecha_termino_programada", "2025-01-15", "es anterior a"),
        ("contratista_rfc", "XAXX010101AB1", "parece el RFC de una persona"),
        ("rubro_fais", "carreteras", "no es una opción de esta lista"),
    ])
    def test_validation_messages_are_spanish(self, app, staff, field, value, message):
        user, org = staff
        response = api(app, user, "package_create", obra(org, **{field: value}))
        assert message in str(errors_of(response)[field])

    def test_required_community(self, app, staff):
        user, org = staff
        response = api(app, user, "package_create", obra(org, comunidades=[]))
        assert "Elija al menos una comunidad" in str(errors_of(response)["comunidades"])

    def test_whole_municipality(self, app, staff):
        user, org = staff
        response = api(app, user, "package_create", obra(org, comunidades=["30073"]))
        assert response.status_code == 200, response.body

    def test_fund_not_valid_before_its_year(self, app, staff):
        user, org = staff
        data = obra(org, ejercicio_fiscal="2024",
                    fuentes_financiamiento=[{"fuente": "fais_indigena", "monto": "100"}])
        response = api(app, user, "package_create", data)
        assert "no puede usarse en el ejercicio 2024" in str(errors_of(response))

    def test_past_planning_without_consultation_is_published_with_its_flag(self, app, staff):
        user, org = staff
        response = api(app, user, "package_create", obra(org, etapa="ejecucion"))
        assert response.status_code == 200, response.body
        assert "sin_consulta" in response.json["result"]["alertas"]
        data = obra(org, name="agua-el-aguacate", clave_obra="HUE-2025-FISM-014",
                    etapa="ejecucion", consultas=[{
                        "fecha": "2025-02-10", "lugar": "Agencia municipal de Los Mangos",
                        "asistentes_mujeres": "41", "asistentes_hombres": "37"}])
        response = api(app, user, "package_create", data)
        assert response.status_code == 200, response.body
        assert "sin_consulta" not in response.json["result"]["alertas"]

    @pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "true")
    def test_the_hard_stop_refuses_a_stage_past_planning_without_consultation(self, app, staff):
        user, org = staff
        response = api(app, user, "package_create", obra(org, etapa="ejecucion"))
        assert "consulta ciudadana" in str(errors_of(response)["etapa"])
        data = obra(org, etapa="ejecucion", consultas=[{
            "fecha": "2025-02-10", "lugar": "Agencia municipal de Los Mangos",
            "asistentes_mujeres": "41", "asistentes_hombres": "37",
        }])
        assert api(app, user, "package_create", data).status_code == 200

    def test_facets_by_community_stage_fund_and_year(self, app, staff):
        user, org = staff
        api(app, user, "package_create", obra(org))
        api(app, user, "package_create", obra(
            org, name="agua-el-aguacate", clave_obra="HUE-2025-FISM-014",
            comunidades=["300730002", "300730030"], rubro_fais="agua_potable",
            fuentes_financiamiento=[{"fuente": "fortamun", "monto": "500000"}]))
        result = app.get("/api/3/action/package_search", query_string={
            "facet.field": '["hueyapan_comunidad", "hueyapan_fuente", "hueyapan_rubro", '
                           '"hueyapan_etapa", "hueyapan_ejercicio"]',
        }).json["result"]
        facets = {name: {i["name"]: (i["count"], i["display_name"]) for i in f["items"]}
                  for name, f in result["search_facets"].items()}
        assert facets["hueyapan_comunidad"]["300730030"] == (2, "Los Mangos")
        assert facets["hueyapan_comunidad"]["300730002"] == (1, "El Aguacate")
        assert facets["hueyapan_fuente"]["fism"][0] == 1
        assert facets["hueyapan_rubro"]["agua_potable"] == (1, "Agua potable")
        assert facets["hueyapan_etapa"]["planeacion"] == (2, "Planeación")
        assert facets["hueyapan_ejercicio"]["2025"][0] == 2
        filtered = call_action("package_search", fq="hueyapan_comunidad:300730002")
        assert [d["name"] for d in filtered["results"]] == ["agua-el-aguacate"]


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestConvocatoria:
    def test_closing_before_opening_is_refused(self, app, staff):
        user, org = staff
        response = api(app, user, "package_create", convocatoria(org, fecha_cierre="2026-02-01"))
        assert "es anterior a" in str(errors_of(response)["fecha_cierre"])

    @pytest.mark.parametrize("today, estado", [
        ("2026-02-27", "proxima"),
        ("2026-03-01", "abierta"),
        ("2026-03-31", "abierta"),
        ("2026-04-01", "cerrada"),
        ("2026-04-15", "resuelta"),
    ])
    def test_estado_follows_the_calendar(self, app, staff, today, estado):
        user, org = staff
        api(app, user, "package_create", convocatoria(org))
        with freeze_time(today + " 12:00:00-06:00"):
            shown = call_action("package_show", id="proyectos-comunitarios-2026")
        assert shown["estado"] == estado

    def test_estado_facet_and_filter_use_todays_date(self, app, staff):
        """Solr compares the indexed dates with its own clock, so the dates are set relative
        to today: nothing stored goes stale as days pass."""
        user, org = staff
        day = datetime.date.today()
        api(app, user, "package_create", convocatoria(
            org, fecha_apertura=str(day - datetime.timedelta(days=5)),
            fecha_cierre=str(day + datetime.timedelta(days=5)), fecha_resultados=""))
        api(app, user, "package_create", convocatoria(
            org, name="convocatoria-futura", folio="PC-2026-02",
            fecha_apertura=str(day + datetime.timedelta(days=10)),
            fecha_cierre=str(day + datetime.timedelta(days=20)), fecha_resultados=""))
        api(app, user, "package_create", convocatoria(
            org, name="convocatoria-pasada", folio="PC-2025-09",
            fecha_apertura=str(day - datetime.timedelta(days=60)),
            fecha_cierre=str(day - datetime.timedelta(days=30)),
            fecha_resultados=str(day - datetime.timedelta(days=10))))
        result = app.get("/api/3/action/package_search", query_string={
            "facet.field": '["hueyapan_estado"]'}).json["result"]
        counts = {i["name"]: i["count"]
                  for i in result["search_facets"]["hueyapan_estado"]["items"]}
        assert counts == {"abierta": 1, "proxima": 1, "resuelta": 1}
        abiertas = call_action("package_search", fq='hueyapan_estado:"abierta"')
        assert [d["name"] for d in abiertas["results"]] == ["proyectos-comunitarios-2026"]
        assert abiertas["results"][0]["estado"] == "abierta"


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestProgramaSocial:
    def test_create_with_beneficiaries_by_community(self, app, staff):
        user, _ = staff
        dif = factories.Organization(name="dif-municipal", title="DIF Municipal")
        response = api(app, user, "package_create", {
            "type": "programa-social", "owner_org": dif["id"], "name": "desayunos-escolares-2025",
            "title": "Desayunos escolares 2025", "clave_programa": "DIF-2025-01",
            "ejercicio_fiscal": "2025", "comunidades": ["300730022", "300730030"],
            "tipo_programa": "especie", "enfoque": ["ninez"],
            "monto_aprobado": "850,000.00",
            "beneficiarios": [
                {"comunidad": "300730022", "mujeres": "120", "hombres": "115", "total": "235"},
                {"comunidad": "300730030", "mujeres": "64", "hombres": "60", "total": "124"},
            ],
        })
        assert response.status_code == 200, response.body
        shown = call_action("package_show", id="desayunos-escolares-2025")
        assert shown["beneficiarios"][1]["comunidad"] == "300730030"
        assert shown["enfoque"] == ["ninez"]
        found = call_action("package_search", fq="hueyapan_enfoque:ninez")
        assert found["count"] == 1


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.parametrize("make", [obra, programa, convocatoria], ids=lambda f: f.__name__)
def test_round_trip_and_update_of_each_type(app, staff, make):
    """What is created comes back unchanged from an update with the same data, and a change to
    one field is kept."""
    user, org = staff
    created = api(app, user, "package_create", make(org))
    assert created.status_code == 200, created.body
    shown = call_action("package_show", id=created.json["result"]["id"])
    again = api(app, user, "package_update", shown)
    assert again.status_code == 200, again.body
    keep = {k: v for k, v in shown.items()
            if k not in ("metadata_modified", "revision_id", "estado")}
    after = call_action("package_show", id=shown["id"])
    assert {k: after[k] for k in keep} == keep
    changed = api(app, user, "package_patch", {"id": shown["id"], "title": "Título corregido"})
    assert changed.status_code == 200, changed.body
    assert call_action("package_show", id=shown["id"])["title"] == "Título corregido"


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_programa_validity_dates_in_order(app, staff):
    user, org = staff
    response = api(app, user, "package_create", programa(org, vigencia_fin="2025-01-01"))
    assert "es anterior a" in str(errors_of(response)["vigencia_fin"])
