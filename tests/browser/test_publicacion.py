"""Withdrawing an obra and publishing it again, and closing a call and recording its results,
in a real browser at 1280×800 and at 375 px (issue 18, items 5 and 6).

An editor of Obras Públicas, logged in through the login form, follows the links staff see: the
edit page's "Retirar de la publicación", the confirmation (a reason, one button), the obra's page
with the banner that says why it is not public, "Volver a publicar" and its confirmation; then a
call's "Cerrar la convocatoria" and "Registrar resultados". Every page on the way: Spanish only,
no serious or critical axe finding, no CSP violation, nothing wider than a 375 px screen, and
every button, link-button and field of the page's form at least 44 px high and wide. Screenshots
in ``.state/screenshots/``. (Made-up data; only the localities are real.)
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import (
    axe_violations,
    click_and_wait,
    csp_problems,
    english_on_page,
    too_wide,
    visit,
    watch_csp,
)
from tests.fabricas import area_obras, convocatoria, dia, obra

PASSWORD = "Personal-Hueyapan-2026"
SIZES = {"1280": (1280, 800), "375": (375, 800)}
MOTIVO = "Los montos se revisan contra el contrato firmado."

#: The tap targets of the pages of views/publicacion.py and of the banner.
TARGETS = ("#hy-no-publica a.btn, .hy-publicacion a.btn, .hy-publicacion button, "
           ".hy-publicacion textarea, .hy-publicacion input:not([type=hidden]), "
           "#hy-acciones-convocatoria a.btn")

pytestmark = pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")


@pytest.fixture
def editor(live_server, comunidades):
    """The área Obras Públicas (no image: nothing leaves the machine) with its editor."""
    user = factories.User(name="area-obras", fullname="Lucía Hernández", password=PASSWORD,
                          image_url="")
    org = area_obras(users=[{"name": user["name"], "capacity": "editor"}])
    return {"user": user, "org": org, "context": {"user": user["name"]}}


def _small_targets(browser) -> list[str]:
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".filter(el => el.offsetParent !== null)"
        ".map(el => [el, el.getBoundingClientRect()])"
        ".filter(([el, r]) => r.height < 44 || r.width < 44)"
        ".map(([el, r]) => (el.id || el.tagName) + ' ' + Math.round(r.width) + 'x'"
        " + Math.round(r.height));", TARGETS)


def _check(browser, screenshot, name: str) -> None:
    """Both sizes of the current page: the findings of each, in one assertion."""
    findings = {}
    for size, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        problems = {
            "english": english_on_page(browser),
            "axe": axe_violations(browser),
            "csp": csp_problems(browser),
            "small targets": _small_targets(browser),
            "too wide": too_wide(browser) if size == "375" else [],
        }
        found = {kind: items for kind, items in problems.items() if items}
        if found:
            findings[size] = found
        screenshot(f"{name}-{size}")
    browser.set_window_size(*SIZES["1280"])
    assert not findings, f"{name}: {findings}"


def _show(editor, dataset) -> dict:
    """The dataset as stored now: the live server saved it in its own thread, so this thread's
    database session starts afresh."""
    from ckan import model

    model.Session.remove()
    return call_action("package_show", editor["context"], id=dataset["id"])


def _text(browser, css: str) -> str:
    return " ".join(browser.find_element(By.CSS_SELECTOR, css).text.split())


def test_an_editor_withdraws_an_obra_and_publishes_it_again(
        browser, live_server, login, screenshot, editor):
    dataset = call_action("package_create", editor["context"], **obra(editor["org"]))
    watch_csp(browser)
    browser.set_window_size(*SIZES["1280"])
    login("area-obras", PASSWORD)

    visit(browser, f"{live_server}/obra/edit/{dataset['name']}")
    # deleting keeps CKAN's confirmation, in our words; cancelled here (once CKAN's module
    # listens to the link: before, a click would follow it to the page without JavaScript)
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return !!(window.jQuery && jQuery._data(document.getElementById('hy-borrar'), 'events'))"))
    browser.find_element(By.ID, "hy-borrar").click()
    modal = WebDriverWait(browser, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".modal.show"))
    assert modal.find_element(By.CSS_SELECTOR, ".modal-title").text == "Borrar para siempre"
    assert modal.find_element(By.CSS_SELECTOR, ".modal-body").text.startswith(
        "¿Borrar «Pavimentación de la calle principal de Los Mangos» para siempre?")
    assert [b.text for b in modal.find_elements(By.CSS_SELECTOR, ".modal-footer button")] == [
        "Cancelar", "Borrar"]
    modal.find_element(By.CSS_SELECTOR, ".btn-cancel").click()
    WebDriverWait(browser, 30).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, ".modal.show, .modal-backdrop"))
    retirar = browser.find_element(By.ID, "hy-retirar")
    assert retirar.text == "Retirar de la publicación"
    assert not browser.find_elements(By.CSS_SELECTOR, "[value=go-metadata-unpublish]")
    click_and_wait(browser, retirar)

    assert "La obra dejará de verse en el catálogo, en la API pública, en las exportaciones y " \
           "en los feeds; se conserva con su historial y puede volver a publicarse." in _text(
               browser, "#hy-que-pasa")
    _check(browser, screenshot, "retirar")
    confirmar = browser.find_element(By.ID, "hy-confirmar-retiro")
    click_and_wait(browser, confirmar)  # no reason: the browser does not stop it (novalidate)
    assert browser.find_element(By.ID, "hy-motivo-error").text.startswith("Escriba por qué")
    assert _show(editor, dataset)["private"] is False
    browser.find_element(By.ID, "hy-motivo").send_keys(MOTIVO)
    click_and_wait(browser, browser.find_element(By.ID, "hy-confirmar-retiro"))

    assert browser.current_url.endswith(f"/obra/{dataset['name']}")
    banner = _text(browser, "#hy-no-publica")
    assert banner.startswith("Fuera de publicación desde el") and MOTIVO in banner, banner
    assert "Lucía Hernández" in banner
    _check(browser, screenshot, "obra-retirada")
    assert _show(editor, dataset)["private"] is True

    click_and_wait(browser, browser.find_element(By.ID, "hy-volver-a-publicar"))
    assert MOTIVO in _text(browser, "#hy-retiro-datos")
    _check(browser, screenshot, "publicar")
    boton = browser.find_element(By.ID, "hy-confirmar-publicacion")
    assert boton.text == "Volver a publicar"
    click_and_wait(browser, boton)
    assert not browser.find_elements(By.ID, "hy-no-publica")
    assert _show(editor, dataset)["private"] is False


def test_an_editor_closes_a_call_early_and_records_its_results(
        browser, live_server, login, screenshot, editor):
    dataset = call_action("package_create", editor["context"], **convocatoria(
        editor["org"], fecha_apertura=dia(-5), fecha_cierre=dia(10), fecha_resultados=""))
    watch_csp(browser)
    browser.set_window_size(*SIZES["1280"])
    login("area-obras", PASSWORD)

    visit(browser, f"{live_server}/convocatoria/{dataset['name']}")
    click_and_wait(browser, browser.find_element(By.ID, "hy-cerrar-convocatoria"))
    _check(browser, screenshot, "cerrar")
    browser.find_element(By.ID, "hy-motivo").send_keys("Se agotó el presupuesto.")
    click_and_wait(browser, browser.find_element(By.ID, "hy-confirmar-cierre"))
    assert _show(editor, dataset)["estado"] == "cerrada"

    click_and_wait(browser, browser.find_element(By.ID, "hy-registrar-resultados"))
    _check(browser, screenshot, "resultados")
    for field, value in (("resultados_recibidas", "12"), ("resultados_aprobadas", "5"),
                         ("resultados_rechazadas", "7"), ("resultados_mujeres", "8"),
                         ("resultados_hombres", "4")):
        browser.find_element(By.ID, f"hy-{field}").send_keys(value)
    click_and_wait(browser, browser.find_element(By.ID, "hy-confirmar-resultados"))
    shown = _show(editor, dataset)
    assert (shown["estado"], shown["resultados_aprobadas"]) == ("resuelta", "5")
    assert browser.current_url.endswith(f"/convocatoria/{dataset['name']}")
