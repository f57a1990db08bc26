"""A staff member of Obras Públicas publishes and keeps an obra current, in a real browser, at
1280×800 and on a 375 px phone: logs in through the form and lands on "Mi área"; publishes a new
obra from its essentials on one screen (communities picked from the searchable list and the map,
the place clicked on the map); records a consultation with its minutes PDF; updates the progress
in one screen with a photo, and the page shows the same figure in the headline and the history;
withdraws the obra through the confirmation and publishes it again. Screenshots of every step.

Every input filled and every click is counted; the counts of both widths are written to
``.state/screenshots/<test>/conteo.json`` beside the pictures (the closing note of issue 18 quotes
them). The same essentials on CKAN's full form are counted as "antes": the inputs that form shows
and its height in screens. (Made-up data; only the localities are real.)"""
from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from ckan.tests import factories

from tests.browser.conftest import SCREENSHOTS
from tests.browser.support import click_and_wait, page_problems, raw_values_on_page, visit
from tests.fabricas import area_obras, dia

PASSWORD = "Obras-Hueyapan-2026"
PDF = b"%PDF-1.4\n% acta de consulta, datos de ejemplo\n%%EOF\n"
SIZES = {"escritorio": (1280, 800), "telefono": (375, 740)}


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 140, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


class Jornada:
    """The browser, with a count of what a person does: inputs filled and clicks."""

    def __init__(self, browser, screenshot):
        self.browser, self.screenshot = browser, screenshot
        self.entradas = 0
        self.clics = 0

    def find(self, selector: str):
        return self.browser.find_element(By.CSS_SELECTOR, selector)

    def type(self, selector: str, text: str) -> None:
        element = self.find(selector)
        element.clear()
        element.send_keys(text)
        self.entradas += 1

    def choose(self, selector: str, value: str) -> None:
        Select(self.find(selector)).select_by_value(value)
        self.entradas += 1

    def date(self, selector: str, day: str) -> None:
        """A date field (what a date picker ends in; its typing order depends on the locale)."""
        self.browser.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
            self.find(selector), day)
        self.entradas += 1

    def attach(self, selector: str, path) -> None:
        self.find(selector).send_keys(str(path))
        self.entradas += 1

    def tick(self, element) -> None:
        self.browser.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
        element.click()
        self.entradas += 1

    def go(self, selector: str) -> None:
        """Click a link or a button that loads a page."""
        click_and_wait(self.browser, self.find(selector))
        self.clics += 1

    def check_page(self, name: str) -> None:
        """What every staff page must be: Spanish, accessible, no raw values, not too wide."""
        self.screenshot(name)
        assert page_problems(self.browser, narrow=True, csp=False) == {}, name
        assert raw_values_on_page(self.browser) == [], name


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as answer:  # anonymous: no cookies
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _screens(browser, button: str) -> float:
    """How many window heights a person scrolls through to reach a form's button."""
    return round(browser.execute_script(
        "const b = [...document.querySelectorAll(arguments[0])].pop().getBoundingClientRect();"
        "return (b.bottom + window.scrollY) / window.innerHeight", button), 1)


def _visible_fields(browser, form_selector: str) -> int:
    """The fields a form shows: one per input name (a multiple choice is one field, however many
    boxes it has; the community picker's filter and boxes are its one field)."""
    return browser.execute_script(
        "const names = new Set();"
        "for (const el of document.querySelectorAll(arguments[0] + ' input, ' + arguments[0] + "
        "    ' select, ' + arguments[0] + ' textarea')) {"
        "  if (el.type === 'hidden' || el.type === 'submit' || el.offsetParent === null) continue;"
        "  const picker = el.closest('[data-hy-comunidades]');"
        "  names.add(picker ? picker.dataset.hyComunidades : (el.name || el.id)); }"
        "return names.size;", form_selector)


@pytest.mark.parametrize("size", SIZES)
def test_an_obra_published_and_kept_current(browser, live_server, screenshot, login,
                                            comunidades, tmp_path, size):
    width, height = SIZES[size]
    browser.set_window_size(width, height)
    editor = factories.User(name="area-obras", password=PASSWORD, email="obras@example.org",
                            image_url="")
    area_obras(users=[{"name": editor["name"], "capacity": "editor"}])
    acta, foto = tmp_path / "acta-consulta.pdf", tmp_path / "avance.jpg"
    acta.write_bytes(PDF)
    foto.write_bytes(_jpeg())
    j = Jornada(browser, screenshot)

    # 0. before: CKAN's full form for the same obra (inputs shown, height in screens)
    login(editor["name"], PASSWORD)
    visit(browser, live_server + "/obra/new")
    antes = {"campos_mostrados": _visible_fields(browser, "form#dataset-edit"),
             "pantallas": _screens(browser, "form#dataset-edit button[type=submit]")}

    # 1. logging in lands on Mi área
    browser.delete_all_cookies()
    login(editor["name"], PASSWORD)
    j.clics += 1  # the login form's button
    assert browser.current_url.endswith("/mi-area"), browser.current_url
    assert j.find("h1").text == "Mi área"
    j.check_page("1-mi-area")

    # 2. a new obra from its essentials, on one screen
    j.go("a[href$='/obra/nueva']")
    fields_shown = _visible_fields(browser, "#hy-obra-nueva")
    pasos = {}
    j.type("#field-title", "Alumbrado público de la calle principal de Los Mangos")
    j.type(".hy-filtro-comunidades", "mangos")
    j.tick(j.find("#field-comunidades-300730030-casilla"))
    j.choose("#field-etapa", "planeacion")
    j.type("#field-monto_aprobado", "480,000")
    j.choose("#field-fuente", "fortamun")
    mapa = j.find("#mapa-spatial")
    j.tick(mapa)  # the centre of the municipality's map: the place of the obra
    assert json.loads(j.find("#field-spatial").get_attribute("value"))["type"] == "Point"
    after_filling = _screens(browser, "#hy-publicar-obra")
    j.check_page("2-obra-nueva")
    j.go("#hy-publicar-obra")
    pasos["obra_nueva"] = {"entradas": j.entradas, "clics": j.clics}
    assert "/completar" in browser.current_url, browser.current_url
    name = browser.current_url.rstrip("/").split("/")[-2]
    j.check_page("3-completar")

    # 3. a consultation with its minutes
    j.go("#paso-consulta a")
    j.date("#hy-fecha", dia(-3))
    j.type("#hy-lugar", "Salón ejidal de Los Mangos")
    j.type("#hy-asistentes_mujeres", "34")
    j.type("#hy-asistentes_hombres", "29")
    j.attach("#hy-acta", acta)
    j.check_page("4-consulta")
    j.go("button[name=guardar][value=consulta]")
    pasos["consulta"] = {"entradas": j.entradas - pasos["obra_nueva"]["entradas"],
                         "clics": j.clics - pasos["obra_nueva"]["clics"]}
    acta_link = j.find("a.hy-ver-acta")
    assert acta_link.get_attribute("href").endswith(".pdf")

    # 4. progress in one screen: the headline and the history show the same figure
    before = (j.entradas, j.clics)
    j.go("a#hy-actualizar-avance")
    j.type("#hy-avance_fisico", "35")
    j.type("#hy-avance_financiero", "20")
    j.type("#hy-nota", "Postes colocados en la primera cuadra.")
    j.attach("#hy-fotos", foto)
    j.check_page("5-avance")
    j.go("#hy-guardar-avance")
    pasos["avance"] = {"entradas": j.entradas - before[0], "clics": j.clics - before[1]}
    headline = browser.find_element(
        By.XPATH, "//*[@id='hy-avance-fisico']/following-sibling::*[@class='hy-barra-valor']").text
    history = j.find("#hy-historial .hy-linea-tiempo li:last-child .hy-corte").text
    assert headline == "35 %", headline
    assert "Avance físico: 35 %" in history, history
    j.check_page("6-obra-al-dia")

    # 5. withdrawn through the confirmation, and published again
    obra_url = f"{live_server}/obra/{name}"
    before = (j.entradas, j.clics)
    j.go(f"a[href$='/obra/edit/{name}']")
    j.go("a#hy-retirar")
    j.type("#hy-motivo", "Se revisan los montos contra el contrato.")
    j.check_page("7-retirar")
    j.go("#hy-confirmar-retiro")
    pasos["retirar"] = {"entradas": j.entradas - before[0], "clics": j.clics - before[1]}
    assert _status(obra_url) == 404  # the public no longer sees it
    visit(browser, obra_url)
    banner = j.find("#hy-no-publica").text
    assert "Se revisan los montos" in banner
    j.check_page("8-retirada")
    before = (j.entradas, j.clics)
    j.go("#hy-volver-a-publicar")
    j.go("#hy-confirmar-publicacion")
    pasos["volver_a_publicar"] = {"entradas": j.entradas - before[0], "clics": j.clics - before[1]}
    assert _status(obra_url) == 200
    j.check_page("9-publicada-otra-vez")

    conteo = {"tamano": size, "antes_formulario_completo": antes, "despues": {
        "campos_mostrados_obra_nueva": fields_shown, "pantallas_obra_nueva": after_filling,
        "pasos": pasos, "jornada_entradas": j.entradas, "jornada_clics": j.clics}}
    folder = SCREENSHOTS / f"test_an_obra_published_and_kept_current-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conteo.json").write_text(json.dumps(conteo, indent=2), "utf-8")
    print(json.dumps(conteo))
    assert fields_shown <= 8, fields_shown
