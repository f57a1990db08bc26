"""Withdrawing a dataset from publication and publishing it again, and a call's staff actions
(closing it early, recording its results), each a confirmed page of ``views/publicacion.py``.

The editor is "area-obras" of Obras Públicas (the ``area`` fixture); pages are used as a browser
does, with the session of the login form and the CSRF token of each form. What the public sees
is checked anonymously in every output of the catalog (``paginas.salidas``: search page,
``package_search``, CSV, XLSX, ``hueyapan_resumen``, OC4IDS, Atom, community page, home figures)
and in DCAT.
"""
from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan import comun
from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.paginas import cifras, fichas, salidas
from tests.fabricas import convocatoria, dia, obra
from tests.sesion import csrf_token, log_in

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]

LOS_MANGOS = "300730030"
MOTIVO = "Los montos se revisan contra el contrato firmado."
#: What the confirmation page says withdrawing does (issue 18, item 5).
LO_QUE_PASA = ("La obra dejará de verse en el catálogo, en la API pública, en las exportaciones y "
               "en los feeds; se conserva con su historial y puede volver a publicarse.")


# --- Helpers ------------------------------------------------------------------------------------


def _page(response) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _text(response) -> str:
    return " ".join(_page(response).get_text(" ", strip=True).split())


def _anonymous(app) -> Any:
    """A client without the editor's session."""
    return app.test_client()


def _post(app, url: str, data: dict[str, str]) -> Any:
    """Submits the form of ``url`` as a browser does: its CSRF token, then ``data``."""
    token = csrf_token(app.get(url))
    return app.post(url, data={"_csrf_token": token, **data}, follow_redirects=False)


def _editor(app, area) -> dict[str, Any]:
    log_in(app, area["editor"]["name"])
    return {"user": area["editor"]["name"]}


def _obras(area) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two public obras in Los Mangos: the one withdrawn, and one that stays."""
    context = {"user": area["editor"]["name"]}
    retirada = call_action("package_create", context, **obra(area["org"]))
    queda = call_action("package_create", context, **obra(
        area["org"], name="drenaje-los-mangos", clave_obra="HUE-2025-FISM-014",
        title="Drenaje de Los Mangos"))
    return retirada, queda


def _withdraw(app, dataset: dict[str, Any], motivo: str = MOTIVO) -> Any:
    answer = _post(app, f"/dataset/{dataset['id']}/retirar", {"motivo": motivo})
    assert answer.status_code == 302, _text(answer)[:2000]
    return answer


def _show(dataset: dict[str, Any]) -> dict[str, Any]:
    return call_action("package_show", {"ignore_auth": True}, id=dataset["id"])


def _record(dataset: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in _show(dataset).get("extras") or []
            if e["key"].startswith("retiro_")}


def _names_in_outputs(app, datasets: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Which of ``datasets`` (obras) each public output lists, asked anonymously."""
    anonymous = _anonymous(app)
    api = anonymous.get("/api/3/action/package_search?fq=dataset_type:obra&rows=100").json
    search = _page(anonymous.get("/obra/"))
    rows = list(csv.DictReader(io.StringIO(
        anonymous.get("/exportar/obra.csv").get_data(as_text=True).lstrip("\ufeff"))))
    atom = anonymous.get("/cambios/obra.atom").get_data(as_text=True)
    oc4ids = anonymous.get("/exportar/oc4ids.json").json
    catalog = anonymous.get("/catalog.ttl").get_data(as_text=True)
    return {
        "package_search": {d["name"] for d in api["result"]["results"]},
        "search page": {str(a["href"]).rsplit("/", 1)[-1]
                        for a in search.select(".dataset-heading a")},
        "csv": {row["Nombre web"] for row in rows},
        "atom": {d["name"] for d in datasets if f"/obra/{d['name']}" in atom},
        "oc4ids": {d["name"] for d in datasets for project in oc4ids["projects"]
                   if project["title"] == d["title"]},
        "dcat": {d["name"] for d in datasets if f"/dataset/{d['id']}>" in catalog},
    }


def _fecha_larga(app, day: datetime.date) -> str:
    """The date as the pages write it ("12 de mayo de 2026"), in Spanish."""
    with app.flask_app.test_request_context("/"):
        return fichas.fecha_larga(day)


def _every_output(app, tipo: str, filtro: tuple[tuple[str, str], ...]) -> dict[str, int | None]:
    """The anonymous count of a filter in every output; fails when two outputs disagree."""
    row = salidas.fila(app.flask_app, tipo, filtro, cifras.compute())
    assert not row.discrepancias, row.cuentas
    return row.cuentas


# --- The edit page ------------------------------------------------------------------------------


def test_the_edit_page_links_to_the_confirmation_instead_of_unpublishing(app, area):
    _editor(app, area)
    dataset, _ = _obras(area)
    page = _page(app.get(f"/obra/edit/{dataset['name']}"))
    assert not page.select("button[value=go-metadata-unpublish]")
    link = page.select_one("a#hy-retirar")
    assert link is not None and link.get_text(strip=True) == "Retirar de la publicación"
    assert link["href"] == f"/dataset/{dataset['id']}/retirar"
    # the visibility is said, not a select that withdraws silently
    assert not page.select("select[name=private]")
    assert page.select_one("input[type=hidden][name=private]")["value"] == "False"
    assert "Retirar de la publicación" in page.select_one("#hy-visibilidad").get_text()


def test_deleting_keeps_its_confirmation_in_our_spanish(app, area):
    _editor(app, area)
    dataset, _ = _obras(area)
    borrar = _page(app.get(f"/obra/edit/{dataset['name']}")).select_one("a#hy-borrar")
    assert borrar.get_text(strip=True) == "Borrar"
    assert borrar["data-module"] == "confirm-action"
    content = str(borrar["data-module-content"])
    assert content.startswith("¿Borrar «Pavimentación de la calle principal de Los Mangos» "
                              "para siempre?"), content
    assert "Retirar de la publicación" in content
    assert (borrar["data-module-confirm-text"], borrar["data-module-cancel-text"]) == (
        "Borrar", "Cancelar")
    # without JavaScript, CKAN's page asks the same
    confirm = app.get(f"/obra/delete/{dataset['id']}")
    assert "¿Borrar «Pavimentación de la calle principal de Los Mangos» para siempre?" in _text(
        confirm)
    buttons = _page(confirm).select("#confirm-dataset-delete-form button")
    assert [b.get_text(strip=True) for b in buttons] == ["Cancelar", "Sí, borrar"]
    assert _show(dataset)["state"] == "active"


def test_the_delete_confirmation_shows_a_title_as_text(app, area):
    context = _editor(app, area)
    dataset = call_action("package_create", context, **obra(
        area["org"], title="Techado <img src=x data-x=1> de la cancha"))
    borrar = _page(app.get(f"/obra/edit/{dataset['name']}")).select_one("a#hy-borrar")
    # the module inserts its content as HTML: the markup must arrive escaped
    assert "«Techado &lt;img src=x data-x=1&gt; de la cancha»" in str(
        borrar["data-module-content"])


# --- Withdrawing --------------------------------------------------------------------------------


def test_the_confirmation_page_says_what_happens_and_needs_a_reason(app, area):
    _editor(app, area)
    dataset, _ = _obras(area)
    url = f"/dataset/{dataset['id']}/retirar"
    page = app.get(url)
    assert page.status_code == 200
    assert LO_QUE_PASA in _text(page)
    assert "Obras Públicas" in _page(page).select_one("#hy-que-pasa").get_text()
    assert _page(page).select_one("#hy-confirmar-retiro").get_text(strip=True) == (
        "Retirar de la publicación")

    refused = _post(app, url, {"motivo": "   "})
    assert refused.status_code == 200
    error = _page(refused).select_one("#hy-motivo-error").get_text(" ", strip=True)
    assert error.startswith("Escriba por qué se retira"), error
    assert _page(refused).select_one("#hy-motivo")["aria-invalid"] == "true"
    assert _show(dataset)["private"] is False

    too_long = _post(app, url, {"motivo": "x" * 1001})
    assert "1001 caracteres" in _page(too_long).select_one("#hy-motivo-error").get_text()
    assert _show(dataset)["private"] is False


def test_withdrawing_needs_the_forms_csrf_token(app, area):
    _editor(app, area)
    dataset, _ = _obras(area)
    answer = app.post(f"/dataset/{dataset['id']}/retirar", data={"motivo": MOTIVO})
    assert answer.status_code in (400, 403)
    assert _show(dataset)["private"] is False


def test_a_withdrawn_obra_leaves_every_output_and_comes_back_when_published(app, area):
    _editor(app, area)
    obras = list(_obras(area))
    dataset, queda = obras
    both = {"pavimentacion-los-mangos", "drenaje-los-mangos"}
    found = _names_in_outputs(app, obras)
    assert all(names == both for names in found.values()), found
    filtro = (("hueyapan_comunidad", LOS_MANGOS),)
    assert _every_output(app, "obra", filtro)["api"] == 2

    answer = _withdraw(app, dataset)
    assert answer.headers["Location"].endswith("/obra/pavimentacion-los-mangos")
    shown = _show(dataset)
    assert (shown["private"], shown["state"]) == (True, "active")
    found = _names_in_outputs(app, obras)
    assert found == dict.fromkeys(found, {queda["name"]}), found
    counts = _every_output(app, "obra", filtro)
    assert (counts["api"], counts["pagina"], counts["csv"], counts["atom"], counts["comunidad"],
            counts["inicio"]) == (1, 1, 1, 1, 1, None)
    assert _every_output(app, "obra", ())["inicio"] == 1  # the home page's count of obras
    anonymous = _anonymous(app)
    assert anonymous.get(f"/dataset/{dataset['name']}.ttl").status_code == 404
    assert anonymous.get(f"/exportar/oc4ids/{dataset['name']}.json").status_code == 404
    # its área still finds it, marked, on its search page and with include_private
    staff = call_action("package_search", {"user": area["editor"]["name"]},
                        fq="dataset_type:obra", include_private=True)
    assert {d["name"] for d in staff["results"]} == both
    mine = _page(app.get("/obra/"))
    private = [item.select_one(".dataset-heading a")["href"]
               for item in mine.select(".dataset-item") if item.select_one(".dataset-private")]
    assert private == ["/obra/pavimentacion-los-mangos"], mine.select(".dataset-item")

    page = app.get(f"/dataset/{dataset['id']}/publicar")
    assert "volverá a verse en el catálogo, en la API pública, en las exportaciones y en los " \
           "feeds" in _text(page)
    assert MOTIVO in _page(page).select_one("#hy-retiro-datos").get_text()
    answer = _post(app, f"/dataset/{dataset['id']}/publicar", {})
    assert answer.status_code == 302
    assert (_show(dataset)["private"], _record(dataset)) == (False, {})
    found = _names_in_outputs(app, obras)
    assert all(names == both for names in found.values()), found
    assert _every_output(app, "obra", filtro)["api"] == 2


def test_the_editor_sees_why_it_is_not_public_and_everyone_else_gets_a_404(app, area):
    context = _editor(app, area)
    dataset, _ = _obras(area)
    _withdraw(app, dataset)
    record = _record(dataset)
    assert record["retiro_motivo"] == MOTIVO
    assert record["retiro_usuario"] == area["editor"]["id"]
    assert record["retiro_fecha"][:10] == comun.today().isoformat()

    page = app.get(f"/obra/{dataset['name']}")
    assert page.status_code == 200
    banner = _page(page).select_one("#hy-no-publica")
    text = " ".join(banner.get_text(" ", strip=True).split())
    assert text.startswith(
        f"Fuera de publicación desde el {_fecha_larga(app, comun.today())}"), text
    assert MOTIVO in text and area["editor"]["fullname"] in text
    button = banner.select_one("a#hy-volver-a-publicar")
    assert button.get_text(strip=True) == "Volver a publicar"
    assert button["href"] == f"/dataset/{dataset['name']}/publicar"
    assert call_action("package_show", context, id=dataset["id"])["private"] is True

    anonymous = _anonymous(app)
    for url in (f"/obra/{dataset['name']}", f"/dataset/{dataset['name']}",
                f"/dataset/{dataset['id']}/publicar", f"/dataset/{dataset['id']}/retirar"):
        answer = anonymous.get(url)
        assert answer.status_code == 404, url
        assert MOTIVO not in answer.get_data(as_text=True)
    outsider = factories.UserWithToken()
    other_area = factories.Organization(users=[{"name": outsider["name"], "capacity": "admin"}])
    assert other_area["id"] != area["org"]["id"]
    for url in (f"/obra/{dataset['name']}", f"/dataset/{dataset['id']}/publicar"):
        answer = _anonymous(app).get(url, headers={"Authorization": outsider["token"]})
        assert answer.status_code == 404, url


def test_anonymous_visitors_and_other_areas_cannot_withdraw(app, area):
    dataset, _ = _obras(area)
    anonymous = _anonymous(app)
    assert anonymous.get(f"/dataset/{dataset['id']}/retirar").status_code == 403
    assert anonymous.post(f"/dataset/{dataset['id']}/retirar",
                          data={"motivo": MOTIVO}).status_code in (400, 403)
    outsider = factories.UserWithToken()
    factories.Organization(users=[{"name": outsider["name"], "capacity": "editor"}])
    log_in(app, outsider["name"])
    page = app.get(f"/dataset/{dataset['id']}/retirar")
    assert page.status_code == 403
    assert "Solo el personal de su área" in _text(page)
    token = csrf_token(app.get("/obra/new"))
    answer = app.post(f"/dataset/{dataset['id']}/retirar",
                      data={"_csrf_token": token, "motivo": MOTIVO})
    assert answer.status_code == 403
    assert _show(dataset)["private"] is False


def test_the_record_of_the_withdrawal_survives_the_edit_form(app, area):
    _editor(app, area)
    dataset, _ = _obras(area)
    _withdraw(app, dataset)
    form = _page(app.get(f"/obra/edit/{dataset['name']}")).select_one("form#dataset-edit")
    assert form.select_one("a#hy-publicar").get_text(strip=True) == "Volver a publicar"
    data = MultiDict()
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if "REPEATING" in name or (field.get("type") in ("checkbox", "radio")
                                   and not field.has_attr("checked")):
            continue  # the repeating fields' templates, as the page's script drops them
        if field.name == "select":
            for option in field.select("option[selected]"):
                data.add(name, option.get("value", ""))
        else:
            data.add(name, field.get_text() if field.name == "textarea" else field.get("value", ""))
    data["title"] = "Pavimentación de la calle principal de Los Mangos (revisada)"
    data["save"] = ""  # the "Actualizar" button
    answer = app.post(f"/obra/edit/{dataset['name']}", data=data, follow_redirects=False)
    assert answer.status_code == 302, _text(answer)[:2000]
    shown = _show(dataset)
    assert shown["title"].endswith("(revisada)")
    assert (shown["private"], _record(dataset)["retiro_motivo"]) == (True, MOTIVO)


def test_a_never_published_dataset_is_published_from_its_banner(app, area):
    context = _editor(app, area)
    draft = call_action("package_create", context, **obra(area["org"], private=True))
    banner = _page(app.get(f"/obra/{draft['name']}")).select_one("#hy-no-publica")
    assert banner.select_one("h2").get_text(strip=True) == "Sin publicar"
    assert banner.select_one("a#hy-volver-a-publicar").get_text(strip=True) == "Publicar"
    page = app.get(f"/dataset/{draft['id']}/publicar")
    assert _page(page).select_one("#hy-confirmar-publicacion").get_text(strip=True) == "Publicar"
    assert _post(app, f"/dataset/{draft['id']}/publicar", {}).status_code == 302
    assert _show(draft)["private"] is False
    assert _page(app.get(f"/obra/{draft['name']}")).select_one("#hy-no-publica") is None
    assert _anonymous(app).get(f"/obra/{draft['name']}").status_code == 200


def test_a_public_dataset_is_not_published_twice_nor_a_withdrawn_one_withdrawn_again(app, area):
    _editor(app, area)
    dataset, _ = _obras(area)
    assert _page(app.get(f"/dataset/{dataset['id']}/publicar")).select_one("#hy-ya-publica")
    _withdraw(app, dataset)
    fecha = _record(dataset)["retiro_fecha"]
    page = app.get(f"/dataset/{dataset['id']}/retirar")
    assert _page(page).select_one("#hy-ya-no-publica")
    assert _post(app, f"/dataset/{dataset['id']}/retirar",
                 {"motivo": "Otro motivo"}).status_code == 200
    assert _record(dataset) == {**_record(dataset), "retiro_motivo": MOTIVO, "retiro_fecha": fecha}


# --- A call: publish, close early, record its results ---------------------------------------------


def _convocatoria(area, **fields) -> dict[str, Any]:
    return call_action("package_create", {"user": area["editor"]["name"]}, **convocatoria(
        area["org"], **{"fecha_apertura": dia(-5), "fecha_cierre": dia(10),
                        "fecha_resultados": "", **fields}))


def _estado_everywhere(app, dataset: dict[str, Any]) -> str:
    """The call's estado as package_show gives it, after checking that every output finds it
    under that estado and under no other."""
    estado = _show(dataset)["estado"]
    for other in comun.ESTADOS:
        counts = _every_output(app, "convocatoria", ((filtros.ESTADO_FIELD, other),))
        assert counts["api"] == (1 if other == estado else 0), (other, counts)
    return estado


def test_a_call_is_published_with_todays_date(app, area):
    _editor(app, area)
    dataset = _convocatoria(area, private=True)
    assert not _show(dataset).get("fecha_publicacion")
    page = app.get(f"/convocatoria/{dataset['name']}/publicar")
    assert f"Su fecha de publicación será hoy, {_fecha_larga(app, comun.today())}." in _text(page)
    assert _post(app, f"/convocatoria/{dataset['name']}/publicar", {}).status_code == 302
    shown = _show(dataset)
    assert (shown["private"], shown["fecha_publicacion"]) == (False, comun.today().isoformat())
    assert _estado_everywhere(app, dataset) == "abierta"


def test_closing_a_call_early_makes_it_closed_everywhere(app, area):
    _editor(app, area)
    dataset = _convocatoria(area)
    assert _estado_everywhere(app, dataset) == "abierta"
    page = app.get(f"/convocatoria/{dataset['name']}")
    link = _page(page).select_one("a#hy-cerrar-convocatoria")
    assert link["href"] == f"/convocatoria/{dataset['name']}/cerrar"
    assert link.get_text(strip=True) == "Cerrar la convocatoria"

    url = f"/convocatoria/{dataset['name']}/cerrar"
    assert "deja de recibir solicitudes desde ahora" in _text(app.get(url))
    refused = _post(app, url, {"motivo": ""})
    assert _page(refused).select_one("#hy-motivo-error")
    assert _show(dataset)["estado"] == "abierta"

    assert _post(app, url, {"motivo": "Se agotó el presupuesto."}).status_code == 302
    shown = _show(dataset)
    yesterday = (comun.today() - datetime.timedelta(days=1)).isoformat()
    assert (shown["fecha_cierre"], shown["fecha_cierre_programada"], shown["motivo_cierre"]) == (
        yesterday, dia(10), "Se agotó el presupuesto.")
    assert _estado_everywhere(app, dataset) == "cerrada"
    # its page says so, and proposals are no longer received
    public = _anonymous(app).get(f"/convocatoria/{dataset['name']}")
    assert "Se agotó el presupuesto." in _text(public)
    assert _page(app.get(f"/convocatoria/{dataset['name']}")).select_one(
        "a#hy-registrar-resultados")
    # closing again is not offered
    assert _page(app.get(url)).select_one("#hy-no-se-cierra")


@pytest.mark.parametrize("apertura, cierre", [(3, 10), (0, 10)])
def test_a_call_that_has_not_opened_or_opened_today_is_not_closed(app, area, apertura, cierre):
    _editor(app, area)
    dataset = _convocatoria(area, fecha_apertura=dia(apertura), fecha_cierre=dia(cierre))
    url = f"/convocatoria/{dataset['name']}/cerrar"
    assert _page(app.get(url)).select_one("#hy-no-se-cierra")
    assert _post(app, url, {"motivo": "No debe cerrarse."}).status_code == 200
    assert _show(dataset)["fecha_cierre"] == dia(cierre)


def test_recording_results_resolves_the_call_everywhere(app, area):
    _editor(app, area)
    resultante, _ = _obras(area)
    dataset = _convocatoria(area, fecha_apertura=dia(-40), fecha_cierre=dia(-20))
    assert _estado_everywhere(app, dataset) == "cerrada"
    url = f"/convocatoria/{dataset['name']}/resultados"
    form = _page(app.get(url)).select_one("form#hy-resultados-form")
    assert form.select_one("#hy-fecha_resultados")["value"] == comun.today().isoformat()
    values = {"resultados_recibidas": "12", "resultados_aprobadas": "5",
              "resultados_rechazadas": "7", "resultados_mujeres": "8", "resultados_hombres": "4",
              "fecha_resultados": comun.today().isoformat(),
              "obras_resultantes": resultante["name"], "programas_resultantes": ""}
    assert _post(app, url, values).status_code == 302
    shown = _show(dataset)
    assert (shown["resultados_recibidas"], shown["resultados_aprobadas"],
            shown["fecha_resultados"], shown["obras_resultantes"]) == (
        "12", "5", comun.today().isoformat(), [resultante["name"]])
    assert _estado_everywhere(app, dataset) == "resuelta"
    public = _text(_anonymous(app).get(f"/convocatoria/{dataset['name']}"))
    assert resultante["name"] in public and "[]" not in public


@pytest.mark.parametrize("changes, field, message", [
    ({"resultados_aprobadas": "13"}, "resultados_aprobadas",
     "Aprobadas más rechazadas (20) son más que las recibidas (12)"),
    ({"resultados_hombres": "5"}, "resultados_mujeres",
     "Mujeres más hombres (13) son más que las recibidas (12)"),
    ({"fecha_resultados": dia(3)}, "fecha_resultados", "es posterior a hoy"),
    ({"obras_resultantes": "no-existe"}, "obras_resultantes", "«no-existe» no existe"),
    ({"resultados_recibidas": "doce"}, "resultados_recibidas", "«doce»"),
])
def test_results_that_cannot_be_true_are_refused_naming_the_field(app, area, changes, field,
                                                                 message):
    _editor(app, area)
    dataset = _convocatoria(area, fecha_apertura=dia(-40), fecha_cierre=dia(-20))
    values = {"resultados_recibidas": "12", "resultados_aprobadas": "5",
              "resultados_rechazadas": "7", "resultados_mujeres": "8", "resultados_hombres": "4",
              "fecha_resultados": comun.today().isoformat(), "obras_resultantes": "",
              "programas_resultantes": "", **changes}
    answer = _post(app, f"/convocatoria/{dataset['name']}/resultados", values)
    assert answer.status_code == 200
    error = _page(answer).select_one(f"#hy-{field}-error")
    assert error is not None and message in error.get_text(), _text(answer)[:3000]
    # what was typed is still there
    assert _page(answer).select_one(f"#hy-{field}")["value"] == values[field]
    assert _show(dataset).get("resultados_recibidas") in (None, "")
    assert _show(dataset)["estado"] == "cerrada"


def test_an_open_call_is_closed_before_its_results(app, area):
    _editor(app, area)
    dataset = _convocatoria(area)
    page = _page(app.get(f"/convocatoria/{dataset['name']}/resultados"))
    assert page.select_one("#hy-no-se-resuelve a")["href"] == (
        f"/convocatoria/{dataset['name']}/cerrar")
    assert not page.select("form#hy-resultados-form")


def test_only_a_calls_area_closes_it_and_an_obra_has_no_such_page(app, area):
    dataset = _convocatoria(area)
    obra_publica, _ = _obras(area)
    anonymous = _anonymous(app)
    for action in ("cerrar", "resultados"):
        assert anonymous.get(f"/convocatoria/{dataset['name']}/{action}").status_code == 403
    _editor(app, area)
    assert app.get(f"/convocatoria/{obra_publica['name']}/cerrar").status_code == 404


def test_publishing_again_through_the_api_drops_the_record_of_the_withdrawal(app, area):
    """A public dataset carries no withdrawal record, whichever way it was published again
    (``logic/chained.py``): the reason and who withdrew it are the área's, not the public's."""
    _editor(app, area)
    dataset, _ = _obras(area)
    _withdraw(app, dataset)
    assert _record(dataset)["retiro_motivo"] == MOTIVO
    call_action("package_patch", {"user": area["editor"]["name"]}, id=dataset["id"],
                private=False)
    shown = _show(dataset)
    assert shown["private"] is False
    assert not {extra["key"] for extra in shown.get("extras") or []} & set(comun.RETIRO_KEYS)
