"""Staff pages of views/area.py: staff land on "Mi área" after logging in, which lists what waits
for their área with the page that fixes it; a new obra is published from its essentials on one
screen (gestion/alta.py), and bad input comes back in Spanish with nothing stored."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import dia, obra
from tests.sesion import PASSWORD, csrf_token, log_in

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


def _page(response) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def _href(page: BeautifulSoup, selector: str) -> str:
    link = page.select_one(selector)
    assert link is not None, selector
    return str(link.get("href"))


def _section(page: BeautifulSoup, ident: str) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.select(f"#{ident} li.hy-pendiente")]


def test_logging_in_lands_on_mi_area(app, area):
    token = csrf_token(app.get("/user/login"))
    answer = app.post("/user/login", data={"login": area["editor"]["name"], "password": PASSWORD,
                                           "_csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/mi-area")


def test_anonymous_visitors_are_sent_to_log_in(app, area):
    for url in ("/mi-area", "/obra/nueva"):
        answer = app.get(url, follow_redirects=False)
        assert answer.status_code == 302, url
        assert "/user/login" in answer.headers["Location"], url


def test_mi_area_lists_what_waits_with_the_page_that_fixes_it(app, area):
    context = {"user": area["editor"]["name"]}
    # under way since last year, no progress report and no consultation: two sections
    call_action("package_create", context, **obra(
        area["org"], name="sin-reporte", title="Techado de la cancha de Nacaxtle",
        clave_obra="HUE-2025-FISM-020", etapa="ejecucion", hueyapan_publicar_sin_consulta="1",
        fecha_inicio=dia(-400), fecha_termino_programada=dia(100)))
    # reported this quarter, consulted: nothing to do
    call_action("package_create", context, **obra(
        area["org"], name="al-dia", title="Red de agua de Los Mangos",
        clave_obra="HUE-2025-FISM-021", etapa="ejecucion",
        fecha_inicio=dia(-60), fecha_termino_programada=dia(100),
        consultas=[{"fecha": dia(-90), "lugar": "Salón ejidal"}],
        historial_avance=[{"fecha": dia(0), "avance_fisico": "30", "avance_financiero": "25"}]))
    call_action("package_create", context, **obra(
        area["org"], name="borrador", title="Borrador de la clínica", clave_obra="HUE-2025-X-1",
        state="draft"))
    call_action("package_create", context, **obra(
        area["org"], name="privada", title="Puente peatonal de Ocotal", clave_obra="HUE-2025-X-2",
        private=True, fecha_inicio=dia(-10), fecha_termino_programada=dia(100)))
    # another área's obra never shows
    otra = factories.Organization(name="dif", title="DIF")
    call_action("package_create", {"user": factories.Sysadmin()["name"]}, **obra(
        otra, name="ajena", title="Obra de otra área", clave_obra="HUE-2025-DIF-1",
        etapa="ejecucion", fecha_inicio=dia(-400), fecha_termino_programada=dia(-200)))

    log_in(app, area["editor"]["name"])
    response = app.get("/mi-area")
    assert response.status_code == 200
    page = _page(response)
    assert page.h1.get_text(strip=True) == "Mi área"
    sin_avance = _section(page, "sin-avance")
    assert len(sin_avance) == 1 and "Techado de la cancha" in sin_avance[0], sin_avance
    assert "Actualizar avance" in sin_avance[0]
    assert _href(page, "#sin-avance li a.btn").endswith("/obra/sin-reporte/avance")
    alertas = _section(page, "alertas")
    assert len(alertas) == 1 and "Sin consulta registrada" in alertas[0], alertas
    assert _href(page, "#alertas li a.btn").endswith("/obra/sin-reporte/consulta")
    borradores = _section(page, "borradores")
    assert len(borradores) == 2, borradores
    assert any("Borrador de la clínica" in b and "Borrador" in b for b in borradores)
    assert any("Puente peatonal de Ocotal" in b and "No es pública" in b for b in borradores)
    assert "Obra de otra área" not in page.get_text()
    assert _section(page, "propuestas") == [] and _section(page, "cosechas") == []


def test_a_new_obra_from_its_essentials_is_published_on_one_screen(app, area):
    log_in(app, area["editor"]["name"])
    form_page = app.get("/obra/nueva")
    assert form_page.status_code == 200
    page = _page(form_page)
    inputs = [el for el in page.select("#hy-obra-nueva input, #hy-obra-nueva select, "
                                       "#hy-obra-nueva textarea")
              if el.get("type") not in ("hidden", "submit")]
    assert len(inputs) <= 8, [el.get("name") for el in inputs]
    answer = app.post("/obra/nueva", data={
        "_csrf_token": csrf_token(form_page), "title": "Alumbrado de la calle Hidalgo",
        "comunidades": ["300730030", "300730029"], "etapa": "planeacion",
        "ejercicio_fiscal": "2026", "monto_aprobado": "$480,000.00", "fuente": "fortamun",
        "spatial": "18.1519, -95.1427"}, follow_redirects=False)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-1500:]
    assert answer.headers["Location"].endswith("/obra/hue-2026-fortamun-001/completar")
    created = call_action("package_show", id="hue-2026-fortamun-001")
    assert created["state"] == "active" and created["owner_org"] == area["org"]["id"]
    assert created["comunidades"] == ["300730030", "300730029"]
    assert created["fuentes_financiamiento"] == [{"fuente": "fortamun", "monto": "480000.00"}]
    following = _page(app.get("/obra/hue-2026-fortamun-001/completar"))
    steps = {str(li.get("id")) for li in following.select(".hy-siguientes li")}
    assert steps == {"paso-consulta", "paso-avance", "paso-contrato", "paso-beneficiarios",
                     "paso-documentos"}


def test_a_short_form_with_mistakes_comes_back_in_spanish_and_stores_nothing(app, area):
    log_in(app, area["editor"]["name"])
    token = csrf_token(app.get("/obra/nueva"))
    answer = app.post("/obra/nueva", data={
        "_csrf_token": token, "title": "", "etapa": "ejecucion", "ejercicio_fiscal": "2026",
        "monto_aprobado": "mucho", "fuente": "fism", "spatial": "junto a la escuela"})
    assert answer.status_code == 200
    page = _page(answer)
    summary = page.select_one("#hy-errores").get_text(" ", strip=True)
    for field in ("Nombre de la obra", "Comunidades", "Monto aprobado", "Ubicación"):
        assert field in summary, (field, summary)
    assert "latitud" in summary
    # what was typed stays in the form
    assert page.select_one("#field-spatial").get_text() == "junto a la escuela"
    assert model.Session.query(model.Package).filter_by(type="obra").count() == 0


def test_a_person_without_an_area_is_told_how_to_get_one(app, comunidades):
    citizen = factories.UserWithToken(name="vecina")
    log_in(app, citizen["name"])
    assert app.get("/obra/nueva").status_code == 403
    page = _page(app.get("/mi-area"))
    assert "propuestas" in page.get_text()
