"""The search page of obras in a real browser, at a desktop and a phone width: results and facets
in Spanish, ckanext-spatial's map search with no request leaving the machine (the test
configuration sets a blank base layer), accessible (axe-core, WCAG 2.1 AA), no horizontal
overflow, and Spanish full-text search ("pavimentacion" finds "Pavimentación")."""
from __future__ import annotations

from typing import Literal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from ckan.tests.helpers import call_action

from tests.browser.support import axe_violations, english_on_page, too_wide, visit
from tests.fabricas import area_obras, obra

WIDTHS = {"1280": (1280, 900), "375": (375, 812), "320": (320, 640)}


@pytest.fixture
def obras(with_plugins, clean_index, comunidades):
    org = area_obras()
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(org))
    call_action("package_create", context=context, **obra(
        org, name="red-agua-el-aguacate", title="Red de agua potable en El Aguacate",
        clave_obra="HUE-2025-FISM-014", comunidades=["300730002"], notes="Tubería de 4 pulgadas.",
        spatial='{"type": "Point", "coordinates": [-94.9705, 18.1967]}'))
    call_action("package_create", context=context, **obra(
        org, name="alumbrado-municipal", title="Alumbrado público en todo el municipio",
        clave_obra="HUE-2025-FISM-015", comunidades=["30073"]))
    return org


def _script_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _titles(browser) -> list[str]:
    return sorted(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".dataset-heading a"))


@pytest.mark.usefixtures("obras")
@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_search_page_of_obras(browser, live_server, screenshot, width):
    browser.set_window_size(*WIDTHS[width])
    visit(browser, live_server + "/obra/")
    # the map widget: ckanext-spatial's Leaflet map, drawn
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#dataset-map-container.leaflet-container .leaflet-control-zoom"))
    screenshot(f"busqueda-{width}")

    assert browser.find_element(By.CSS_SELECTOR, "#dataset-map").is_displayed()
    # assets/busqueda-mapa.js: the municipal boundary as an overlay, Spanish control names
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#dataset-map-container .leaflet-overlay-pane path"))
    zoom_in = browser.find_element(By.CSS_SELECTOR,
                                   "#dataset-map-container .leaflet-control-zoom-in")
    assert zoom_in.get_attribute("title") == "Acercar"
    draw = browser.find_element(By.CSS_SELECTOR,
                                "#dataset-map-container .leaflet-control-custom-button")
    assert draw.get_attribute("aria-label") == "Dibujar un área en el mapa"
    assert draw.get_attribute("role") == "button"
    # spatial's heading (hueyapan/snippets/busqueda_mapa.html): in Spanish, the icon silent, no
    # link to remove an area while none is set, and our line of help below the map
    heading = browser.find_element(By.CSS_SELECTOR, "#dataset-map h2")
    assert heading.text == "Buscar en el mapa"
    assert heading.find_element(By.CSS_SELECTOR, ".fa-globe").get_attribute("aria-hidden") == "true"
    assert not heading.find_element(By.CSS_SELECTOR, "a.action").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, ".hy-mapa-ayuda").text.startswith(
        "Presione el lápiz del mapa")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "3 obras públicas encontradas"
    assert len(_titles(browser)) == 3
    assert too_wide(browser) == []
    assert english_on_page(browser) == []
    assert axe_violations(browser) == []
    assert _script_errors(browser) == []


@pytest.mark.usefixtures("obras")
def test_search_without_accent_and_without_results(browser, live_server, screenshot):
    visit(browser, live_server + "/obra/?q=pavimentacion")
    assert _titles(browser) == ["Pavimentación de la calle principal de Los Mangos"]
    assert "1 obra pública encontrada" in browser.find_element(By.CSS_SELECTOR, "h1").text

    visit(browser, live_server + "/obra/?q=puente+colgante")
    screenshot("busqueda-sin-resultados")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text.startswith(
        "No se encontraron obras públicas")
    assert english_on_page(browser) == []
    assert axe_violations(browser) == []


@pytest.mark.usefixtures("obras")
def test_search_by_area_on_the_map(browser, live_server, screenshot):
    """The box of a search (ext_bbox, as the widget submits it) is drawn on the map and filters:
    over Los Mangos, its obra and the municipality-wide one; not the point in El Aguacate."""
    visit(browser, live_server + "/obra/?ext_bbox=-95.13,18.23,-95.11,18.26")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, "#dataset-map-container .leaflet-overlay-pane path"))
    screenshot("busqueda-area")
    assert _titles(browser) == ["Alumbrado público en todo el municipio",
                                "Pavimentación de la calle principal de Los Mangos"]
    # the heading's link removes the area
    remove = browser.find_element(By.CSS_SELECTOR, "#dataset-map h2 a.action")
    assert remove.is_displayed() and remove.text == "Quitar el área"
    assert "ext_bbox" not in str(remove.get_attribute("href"))
    assert browser.find_element(By.CSS_SELECTOR, ".hy-mapa-ayuda").text == (
        "Se muestra solo lo que está dentro del área dibujada en el mapa.")

    # the pencil opens ckanext-spatial's drawing dialog, in Spanish
    browser.find_element(By.CSS_SELECTOR,
                         "#dataset-map-container .leaflet-control-custom-button").click()
    def shown_dialog(driver) -> WebElement | Literal[False]:
        return next((m for m in driver.find_elements(By.CSS_SELECTOR, ".modal")
                     if m.is_displayed()), False)

    dialog = WebDriverWait(browser, 10).until(shown_dialog)
    assert dialog.find_element(By.CSS_SELECTOR, ".modal-title").text == (
        "Dibuje un rectángulo sobre el área que quiere buscar:")
    close = dialog.find_element(By.CSS_SELECTOR, ".btn-close")
    assert close.get_attribute("aria-label") == "Cerrar"
    assert [b.text for b in dialog.find_elements(By.CSS_SELECTOR, ".modal-footer button")] == [
        "Cancelar", "Aplicar"]

    visit(browser, live_server + "/obra/?ext_bbox=-94.98,18.19,-94.96,18.20")
    assert _titles(browser) == ["Alumbrado público en todo el municipio",
                                "Red de agua potable en El Aguacate"]
    assert _script_errors(browser) == []
