"""The home page in a real browser, at a desktop and a phone width: search first, the key figures
of the catalog, the latest changes; accessible (axe-core, WCAG 2.1 AA), in Spanish, and light."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from ckan.tests.helpers import call_action

from ckanext.hueyapan.paginas import cifras
from tests.browser.support import axe_violations, english_on_page, too_wide, visit
from tests.fabricas import area_obras, convocatoria, dia, obra, programa

#: What a cold visit to the home page may transfer (HTML, CSS, JS, fonts, images).
MAX_COLD_BYTES = 500 * 1024

WIDTHS = {"escritorio": (1280, 900), "telefono": (375, 812), "minimo": (320, 640)}




@pytest.fixture
def catalogo(with_plugins, clean_index, comunidades):
    cifras.invalidate()
    org = area_obras()
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(org))
    call_action("package_create", context=context, **programa(
        org, vigencia_inicio=dia(-10), vigencia_fin=dia(100)))
    call_action("package_create", context=context, **convocatoria(
        org, fecha_apertura=dia(-2), fecha_cierre=dia(12), fecha_resultados=dia(30)))
    return org


@pytest.mark.usefixtures("catalogo")
@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_home_page(browser, live_server, screenshot, width):
    browser.set_window_size(*WIDTHS[width])
    browser.network_log.reset()
    visit(browser, live_server + "/")
    screenshot(f"inicio-{width}")

    # search first: the first form of the main content is the search box
    main = browser.find_element(By.CSS_SELECTOR, "[role=main]")
    first_form = main.find_element(By.TAG_NAME, "form")
    assert first_form.get_attribute("role") == "search"
    assert first_form.find_element(By.NAME, "q").is_displayed()

    figures = browser.find_element(By.CSS_SELECTOR, ".hy-cifras").text
    assert "Obras públicas" in figures and "Planeación" in figures
    assert "$1,234,567.89" in figures
    assert "Programas sociales vigentes\n1" in figures
    assert "quedan 12 días" in figures
    assert "Convocatoria de proyectos comunitarios 2026" in figures
    recientes = browser.find_element(By.CSS_SELECTOR, ".hy-recientes").text
    assert "Pavimentación de la calle principal de Los Mangos" in recientes

    # nothing wider than the screen
    wide = too_wide(browser)
    assert wide == [], "\n".join(wide)

    assert english_on_page(browser) == []
    assert axe_violations(browser) == []

    sizes = browser.network_log.bytes_by_url()
    total = sum(sizes.values())
    biggest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert total <= MAX_COLD_BYTES, f"{total} bytes transferred; largest: {biggest}"


def test_share_metadata_of_a_dataset(browser, live_server, catalogo):
    visit(browser, live_server + "/obra/pavimentacion-los-mangos")
    tags = [(m.get_attribute("property") or m.get_attribute("name"), m.get_attribute("content"))
            for m in browser.find_elements(By.CSS_SELECTOR, "meta[property], meta[name]")]
    names = [name for name, _ in tags]
    assert sorted({n for n in names if names.count(n) > 1}) == []  # each tag once
    meta = dict(tags)
    assert meta["og:title"].startswith("Pavimentación de la calle principal de Los Mangos")
    assert meta["twitter:title"] == "Pavimentación de la calle principal de Los Mangos"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"].endswith("/hueyapan/compartir.png")
    assert meta["og:url"].endswith("/obra/pavimentacion-los-mangos")
    assert meta["og:locale"] == "es_MX"
