"""The citizen-consultation rule of an obra, through the real app: an obra past planeación
without a recorded consultation is published with the red flag ``sin_consulta`` (API and
harvests; found in search and exports), the staff form asks once to tick "Publicar sin consulta
registrada", the hard stop (``ckanext.hueyapan.obra.consulta_obligatoria = true``) refuses it on
the form and the API, and the flags are shown on the obra's page (with the área's pending task)
and on its result card. Harvests with the hard stop on: tests/harvesters/test_consulta_cosecha.py.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from ckan import model
from ckan.tests.helpers import call_action

from ckanext.hueyapan.logic.validators import AVISO_SIN_CONSULTA
from ckanext.hueyapan.paginas import fichas
from ckanext.hueyapan.reglas.alertas import ALERTAS
from tests import fabricas
from tests.sesion import csrf_token, log_in

AUTH = "Authorization"
NOMBRE = "pavimentacion-los-mangos"
AVISO = "no tiene registrada ninguna consulta ciudadana"
CASILLA = f'name="{AVISO_SIN_CONSULTA}"'
RECHAZO = "no puede pasar de «Planeación» sin una consulta ciudadana registrada"
DUREZA = pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "true")

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def form(area: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An obra as the scheming form posts it (repeating subfields as ``consultas-0-fecha``)."""
    data = fabricas.obra(area["org"], etapa="ejecucion", **fields)
    return {**{k: v for k, v in data.items() if isinstance(v, str) or (
        isinstance(v, list) and all(isinstance(i, str) for i in v))}, "save": "continue"}


def post_new(app, data: dict[str, Any]):
    token = csrf_token(app.get("/obra/new"))
    return app.post("/obra/new", data={**data, "_csrf_token": token}, follow_redirects=False)


def api(app, area, action: str, data: dict[str, Any]):
    return app.test_client().post(f"/api/3/action/{action}", json=data,
                                  headers={AUTH: area["editor"]["token"]})


# --- The staff form -------------------------------------------------------------------------------

def test_the_form_warns_once_and_stores_nothing_until_the_box_is_ticked(app, area):
    log_in(app, "area-obras")
    answer = post_new(app, form(area))
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert AVISO in _text(page)
    assert CASILLA in page and "Publicar sin consulta registrada" in _text(page)
    assert model.Package.get(NOMBRE) is None


def test_with_the_box_ticked_the_form_saves_the_obra_with_its_flag(app, area):
    log_in(app, "area-obras")
    answer = post_new(app, {**form(area), AVISO_SIN_CONSULTA: "true"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    shown = call_action("package_show", id=NOMBRE)
    assert shown["etapa"] == "ejecucion" and "sin_consulta" in shown["alertas"]
    assert AVISO_SIN_CONSULTA not in shown
    assert AVISO_SIN_CONSULTA not in model.Package.get(NOMBRE).extras


def test_the_box_stays_ticked_when_the_form_comes_back_for_another_reason(app, area):
    log_in(app, "area-obras")
    answer = post_new(app, {**form(area, monto_aprobado="12,34,5.x"), AVISO_SIN_CONSULTA: "true"})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    box = re.search(rf'<input[^>]*{CASILLA}[^>]*>', page, re.S)
    assert box and "checked" in box.group(0)
    assert model.Package.get(NOMBRE) is None


def test_a_recorded_consultation_needs_no_box_and_raises_no_flag(app, area):
    log_in(app, "area-obras")
    answer = post_new(app, {**form(area), "consultas-0-fecha": "2025-02-10",
                            "consultas-0-lugar": "Agencia municipal de Los Mangos"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    shown = call_action("package_show", id=NOMBRE)
    assert shown["consultas"][0]["fecha"] == "2025-02-10"
    assert "sin_consulta" not in shown["alertas"]


def test_editing_an_obra_already_published_without_consultation_asks_nothing_again(app, area):
    api(app, area, "package_create", fabricas.obra(area["org"], etapa="ejecucion"))
    log_in(app, "area-obras")
    token = csrf_token(app.get(f"/obra/edit/{NOMBRE}"))
    answer = app.post(f"/obra/edit/{NOMBRE}", data={
        **form(area, title="Pavimentación de la calle Hidalgo"), "_csrf_token": token},
        follow_redirects=False)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    assert call_action("package_show", id=NOMBRE)["title"] == "Pavimentación de la calle Hidalgo"


def test_moving_a_planned_obra_past_planning_on_the_form_asks_for_the_box(app, area):
    api(app, area, "package_create", fabricas.obra(area["org"]))  # planeación
    log_in(app, "area-obras")
    token = csrf_token(app.get(f"/obra/edit/{NOMBRE}"))
    answer = app.post(f"/obra/edit/{NOMBRE}", data={**form(area), "_csrf_token": token},
                      follow_redirects=False)
    assert answer.status_code == 200 and AVISO in _text(answer.get_data(as_text=True))
    assert call_action("package_show", id=NOMBRE)["etapa"] == "planeacion"


@DUREZA
def test_the_hard_stop_refuses_the_form_even_with_the_box(app, area):
    log_in(app, "area-obras")
    for data in (form(area), {**form(area), AVISO_SIN_CONSULTA: "true"}):
        answer = post_new(app, data)
        assert answer.status_code == 200
        page = answer.get_data(as_text=True)
        assert RECHAZO in _text(page) and CASILLA not in page
    assert model.Package.get(NOMBRE) is None


# --- The action API and code outside a web request ------------------------------------------------

def test_the_api_publishes_the_obra_with_its_flag_and_search_finds_it(app, area):
    answer = api(app, area, "package_create", fabricas.obra(area["org"], etapa="ejecucion"))
    assert answer.status_code == 200, answer.body
    assert "sin_consulta" in call_action("package_show", id=NOMBRE)["alertas"]
    found = app.get("/api/3/action/package_search",
                    query_string={"fq": "hueyapan_alerta:sin_consulta"}).json["result"]
    assert [d["name"] for d in found["results"]] == [NOMBRE]
    assert "sin_consulta" in found["results"][0]["alertas"]
    export = app.get("/exportar/obra.csv?hueyapan_alerta=sin_consulta")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["Nombre web"], "Sin consulta registrada" in r["Alertas"]) for r in rows] == [
        (NOMBRE, True)]


@DUREZA
def test_the_hard_stop_refuses_the_api_but_not_code_outside_a_web_request(app, area):
    answer = api(app, area, "package_create", fabricas.obra(area["org"], etapa="ejecucion"))
    assert answer.status_code == 409
    assert RECHAZO in str(answer.json["error"]["etapa"])
    assert model.Package.get(NOMBRE) is None
    # what harvest consumers, CLI commands and background jobs do: no web request
    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=site, **fabricas.obra(area["org"], etapa="ejecucion"))
    assert "sin_consulta" in call_action("package_show", id=NOMBRE)["alertas"]
    # a resource added to it through the API is not refused either
    answer = api(app, area, "resource_create", {"package_id": NOMBRE, "name": "Avance",
                                                "url": "https://example.org/avance.csv"})
    assert answer.status_code == 200, answer.body


# --- Where the flags are shown --------------------------------------------------------------------

def test_the_obra_page_shows_each_flag_with_its_explanation(app, area):
    api(app, area, "package_create", fabricas.obra(
        area["org"], etapa="ejecucion", modalidad_contratacion="adjudicacion_directa",
        fecha_termino_programada=fabricas.dia(-10), fecha_inicio=fabricas.dia(-100)))
    page = app.get(f"/obra/{NOMBRE}").get_data(as_text=True)
    start = page.index('id="hy-alertas"')
    alertas = _text(page[start:page.index("</section>", start)])
    assert "Alertas" in alertas
    assert "Sin consulta registrada: La obra ya pasó de la planeación" in alertas
    assert "Adjudicación directa:" in alertas
    assert "Retraso: No ha concluido y lleva 10 días de atraso" in alertas
    assert start < page.index('id="hy-datos-clave"')  # near the top
    assert "Pendiente:" not in _text(page)  # a visitor sees no task


def test_the_area_sees_the_pending_consultation_on_the_page(app, area):
    api(app, area, "package_create", fabricas.obra(area["org"], etapa="ejecucion"))
    log_in(app, "area-obras")
    page = app.get(f"/obra/{NOMBRE}").get_data(as_text=True)
    assert "Pendiente: registrar la consulta" in _text(page)
    assert f'href="/obra/{NOMBRE}/consulta"' in page  # the one screen that records it
    assert app.get(f"/obra/{NOMBRE}/consulta").status_code == 200


def test_a_result_card_shows_the_flags_compactly(app, area):
    api(app, area, "package_create", fabricas.obra(area["org"], etapa="ejecucion"))
    api(app, area, "package_create", fabricas.obra(  # planned, on time: no flag
        area["org"], name="agua-el-aguacate", clave_obra="HUE-2025-FISM-014",
        fecha_inicio=fabricas.dia(-10), fecha_termino_programada=fabricas.dia(30)))
    page = app.get("/obra/").get_data(as_text=True)
    cards = {re.search(r'href="/obra/([^"/]+)"', card).group(1): card
             for card in page.split('<li class="dataset-item')[1:]}
    assert set(cards) == {NOMBRE, "agua-el-aguacate"}
    assert 'class="hy-alertas hy-alertas-compactas"' in cards[NOMBRE]
    assert "Sin consulta registrada" in _text(cards[NOMBRE])
    assert "hy-alertas" not in cards["agua-el-aguacate"]


def test_every_flag_has_an_explanation_with_its_figure(app):
    with app.flask_app.test_request_context():
        shown = fichas.alertas({"alertas": list(ALERTAS), "retraso_dias": 12,
                                "sobrecosto_pct": 8.5, "fecha_termino_real": "2025-10-12"})
    assert [a["clave"] for a in shown] == list(ALERTAS)
    assert all(a["etiqueta"] and a["explicacion"] for a in shown)
    explicaciones = " ".join(a["explicacion"] for a in shown)
    assert "12" in explicaciones and "8.5 %" in explicaciones and "90" in explicaciones
