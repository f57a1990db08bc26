"""A community's page and the list of communities in a real browser, at a desktop and a phone
width: accessible (axe-core, WCAG 2.1 AA), in Spanish, nothing wider than the screen."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from ckan.tests.helpers import call_action

from tests.browser.support import axe_violations, english_on_page, too_wide, visit
from tests.fabricas import area_obras, obra, programa

WIDTHS = {"escritorio": (1280, 900), "telefono": (375, 812), "minimo": (320, 640)}
LOS_MANGOS = "300730030"


@pytest.fixture
def con_datos(with_plugins, clean_index, comunidades):
    org = area_obras()
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(org, avance_fisico="45",
                                                           avance_financiero="30"))
    call_action("package_create", context=context, **programa(org, comunidades=[LOS_MANGOS]))
    return org


@pytest.mark.usefixtures("con_datos")
@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_community_page(browser, live_server, screenshot, width):
    browser.set_window_size(*WIDTHS[width])
    visit(browser, live_server + "/comunidad/los-mangos")  # a name redirects to the key
    assert browser.current_url.endswith(f"/comunidad/{LOS_MANGOS}")
    screenshot(f"comunidad-{width}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Los Mangos"
    progress = browser.find_elements(By.CSS_SELECTOR, "progress")
    assert [p.get_attribute("value") for p in progress] == ["45", "30"]
    assert browser.find_element(By.CSS_SELECTOR, "svg.hy-mapa .hy-mapa-zona")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Apoyo a productores de maíz 2025" in body and "Población 2020" in body
    assert too_wide(browser) == []
    assert english_on_page(browser) == []
    assert axe_violations(browser) == []


@pytest.mark.usefixtures("con_datos")
@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
def test_communities_list(browser, live_server, screenshot, width):
    browser.set_window_size(*WIDTHS[width])
    visit(browser, live_server + "/comunidad/")
    screenshot(f"comunidades-{width}")
    rows = browser.find_elements(By.CSS_SELECTOR, ".hy-tabla-comunidades tbody tr")
    assert len(rows) == 50
    assert too_wide(browser) == []
    assert english_on_page(browser) == []
    assert axe_violations(browser) == []
