"""Recording a citizen consultation with its minutes in a real browser (issue 18, item 4), as an
editor logged in through the login form: from the obra's page, "Registrar consulta", one short
form, a PDF chosen from disk, "Guardar consulta", back on the obra's page with attendance by sex
and "Ver acta"; at 1280×800 and at 375 px (a second consultation from a phone, without its file:
"Acta pendiente"). On each screen: no English, no serious or critical axe finding, nothing wider
than the screen at 375 px, every input and button at least 44 px tall. Screenshots kept.
(Made-up data; only the localities are real.)"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import click_and_wait, fill_field, page_problems, small_targets, visit
from tests.fabricas import area_obras, obra

PASSWORD = "Consultas-Hueyapan-2026"
PDF = b"%PDF-1.4\n% acta de la consulta (datos de ejemplo)\n%%EOF\n"
NAME = "pavimentacion-los-mangos"

SUBMIT = ".hy-consulta button[type=submit]"
#: Every control of the form a thumb has to hit.
CONTROLS = tuple(f".hy-consulta {control}" for control in (
    "input[name=fecha]", "input[name=lugar]", "input[name=asistentes_mujeres]",
    "input[name=asistentes_hombres]", "input[name=acta]", "button[type=submit]", "a.btn"))


@pytest.fixture
def escena(with_plugins, clean_index, comunidades, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.hueyapan.obra.consulta_obligatoria", "false")
    editor = factories.User(name="area-obras", password=PASSWORD, email="area@example.org",
                            image_url="")
    org = area_obras(users=[{"name": editor["name"], "capacity": "editor"}])
    call_action("package_create", {"user": editor["name"]}, **obra(
        org, etapa="ejecucion", hueyapan_publicar_sin_consulta="1"))
    return editor


def _small_targets(browser, *selectors: str) -> list[str]:
    return small_targets(browser, selectors or CONTROLS)


def test_an_editor_records_consultations_with_and_without_minutes(
        browser, live_server, screenshot, login, escena, tmp_path):
    acta = tmp_path / "acta-consulta-los-mangos.pdf"
    acta.write_bytes(PDF)
    browser.set_window_size(1280, 800)
    login("area-obras", PASSWORD)

    # 1. from the obra's page to the form, at 1280×800
    visit(browser, f"{live_server}/obra/{NAME}")
    click_and_wait(browser, browser.find_element(By.ID, "hy-registrar-consulta"))
    assert browser.current_url.endswith(f"/obra/{NAME}/consulta")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Registrar consulta"
    assert page_problems(browser, narrow=False, csp=False) == {}
    assert _small_targets(browser) == []
    submit = browser.find_element(By.CSS_SELECTOR, SUBMIT)
    assert submit.text == "Guardar consulta"
    # the whole form fits in one screen at 1280×800
    assert browser.execute_script(
        "return arguments[0].getBoundingClientRect().bottom", submit) <= 800

    # 2. the consultation with its minutes
    fill_field(browser, "fecha", "2025-02-10")
    fill_field(browser, "lugar", "Salón ejidal de Los Mangos")
    fill_field(browser, "asistentes_mujeres", "41")
    fill_field(browser, "asistentes_hombres", "37")
    browser.find_element(By.NAME, "acta").send_keys(str(acta))
    screenshot("1-registrar-consulta-1280")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, SUBMIT))
    assert browser.current_url.split("#")[0].endswith(f"/obra/{NAME}")
    section = browser.find_element(By.ID, "hy-consultas")
    row = section.find_element(By.CSS_SELECTOR, "tbody tr").text
    assert "10 de febrero de 2025" in row and "41" in row and "37" in row and "78" in row
    link = section.find_element(By.CSS_SELECTOR, "a.hy-ver-acta")
    # what it says on screen ("Ver acta"; its name for screen readers also gives the date)
    assert browser.execute_script("return arguments[0].firstChild.textContent", link) == "Ver acta"
    assert _small_targets(browser, "#hy-registrar-consulta") == []
    assert "/download/acta-consulta-los-mangos.pdf" in link.get_attribute("href")
    screenshot("2-obra-con-acta-1280")
    assert page_problems(browser, narrow=False, csp=False) == {}

    # 3. from a phone: a second consultation, its minutes not at hand yet
    browser.set_window_size(375, 800)
    visit(browser, f"{live_server}/obra/{NAME}/consulta")
    assert page_problems(browser, narrow=True, csp=False) == {}
    assert _small_targets(browser) == []
    fill_field(browser, "fecha", "2025-03-15")
    fill_field(browser, "lugar", "Agencia municipal de Los Mangos")
    fill_field(browser, "asistentes_mujeres", "20")
    fill_field(browser, "asistentes_hombres", "15")
    screenshot("3-registrar-consulta-375")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, SUBMIT))
    section = browser.find_element(By.ID, "hy-consultas")
    assert "Acta pendiente" in section.text
    assert "Subir el acta" in section.text
    screenshot("4-obra-acta-pendiente-375")
    assert page_problems(browser, narrow=True, csp=False) == {}

    stored = call_action("package_show", id=NAME)
    assert [c["lugar"] for c in stored["consultas"]] == [
        "Salón ejidal de Los Mangos", "Agencia municipal de Los Mangos"]
    assert [r["tipo_recurso"] for r in stored["resources"]] == ["acta_consulta"]

    # 4. the public sees the same table, without the editors' links
    browser.delete_all_cookies()
    visit(browser, f"{live_server}/obra/{NAME}")
    section = browser.find_element(By.ID, "hy-consultas")
    assert "Acta pendiente" in section.text and "Subir el acta" not in section.text
    assert not browser.find_elements(By.ID, "hy-registrar-consulta")
    screenshot("5-obra-publica-375")
    assert page_problems(browser, narrow=True, csp=False) == {}
