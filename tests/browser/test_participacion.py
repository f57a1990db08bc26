"""The whole cycle of a call in a real browser: a person registers, submits a proposal with its
assembly minutes to an open call, the área approves it and turns it into an obra, the proponent
uploads the informe preliminar, and an anonymous visitor sees the result on the call's page with
the link to the obra. Screenshots of every step. (Made-up data; only the localities are real.)"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import axe_violations, click_and_wait, english_on_page, visit
from tests.fabricas import area_obras, convocatoria, dia

PASSWORD = "Propuesta-Hueyapan-2026"
PDF = b"%PDF-1.4\n% datos de ejemplo\n%%EOF\n"




@pytest.fixture
def llamado(with_plugins, clean_index, comunidades):
    area = factories.User(name="area-obras", password=PASSWORD, email="area@example.org",
                          image_url="")
    org = area_obras(users=[{"name": area["name"], "capacity": "editor"}])
    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call = call_action("package_create", context=dict(site), **convocatoria(
        org, fecha_apertura=dia(-5), fecha_cierre=dia(10), fecha_resultados=dia(20)))
    return {"area": area, "call": call, "site": site}


def _fill(browser, field_id: str, text: str) -> None:
    element = browser.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(text)


def _submit(browser, form_selector: str = "form[enctype] button[type=submit]") -> None:
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, form_selector))


def test_the_whole_cycle_of_a_call(browser, live_server, screenshot, login, llamado, tmp_path):
    call = llamado["call"]
    acta = tmp_path / "acta-asamblea.pdf"
    acta.write_bytes(PDF)
    informe = tmp_path / "informe-preliminar.pdf"
    informe.write_bytes(PDF)

    # 1. a person registers through the form
    visit(browser, live_server + "/user/register")
    _fill(browser, "field-username", "comite-los-mangos")
    _fill(browser, "field-fullname", "Comité de agua de Los Mangos (ejemplo)")
    _fill(browser, "field-email", "comite@example.org")
    _fill(browser, "field-password", PASSWORD)
    _fill(browser, "field-confirm-password", PASSWORD)
    screenshot("1-registro")
    click_and_wait(browser, browser.find_element(
        By.CSS_SELECTOR, "form.form-horizontal button[type=submit], "
                         "form#user-register-form button[type=submit]"))

    # 2. … and submits a proposal with its minutes to the open call
    visit(browser, f"{live_server}/convocatoria/{call['name']}")
    click_and_wait(browser, browser.find_element(By.ID, "hy-proponer"))
    if "/user/login" in browser.current_url:
        login("comite-los-mangos", PASSWORD)
        visit(browser, f"{live_server}/convocatoria/{call['name']}/propuesta/nueva")
    _fill(browser, "hy-titulo", "Rehabilitar el pozo de agua")
    Select(browser.find_element(By.ID, "hy-comunidad")).select_by_visible_text("Los Mangos")
    _fill(browser, "hy-problema", "El pozo se seca en abril.")
    _fill(browser, "hy-descripcion", "Desazolve y bomba nueva.")
    _fill(browser, "hy-beneficiarios_mujeres", "120")
    _fill(browser, "hy-beneficiarios_hombres", "110")
    _fill(browser, "hy-costo_estimado", "250,000")
    browser.find_element(By.ID, "hy-acta").send_keys(str(acta))
    _fill(browser, "hy-contacto_telefono", "555-000-0000")
    screenshot("2-propuesta")
    assert english_on_page(browser) == []
    assert axe_violations(browser) == []
    _submit(browser, ".hy-propuesta-form button[type=submit]")
    assert "/propuesta/" in browser.current_url
    propuesta_url = browser.current_url
    assert browser.find_element(By.ID, "hy-estado-propuesta").text == "Recibida"
    screenshot("3-recibida")

    # 3. the área approves it and turns it into an obra
    browser.delete_all_cookies()
    login("area-obras", PASSWORD)
    visit(browser, propuesta_url)
    assert "555-000-0000" in browser.find_element(By.TAG_NAME, "body").text  # the área sees it
    Select(browser.find_element(By.ID, "hy-nuevo-estado")).select_by_value("aprobada")
    _fill(browser, "hy-motivo", "Cumple los requisitos.")
    click_and_wait(browser, browser.find_element(By.ID, "hy-cambiar-estado"))
    assert browser.find_element(By.ID, "hy-estado-propuesta").text == "Aprobada"
    click_and_wait(browser, browser.find_element(By.ID, "hy-convertir"))
    link = browser.find_element(By.ID, "hy-propuesta-dataset")
    obra_name = link.get_attribute("href").rstrip("/").rsplit("/", 1)[1]
    screenshot("4-convertida")

    # 4. the proponent uploads the informe preliminar
    browser.delete_all_cookies()
    login("comite-los-mangos", PASSWORD)
    visit(browser, propuesta_url)
    Select(browser.find_element(By.ID, "hy-informe-tipo")).select_by_value("informe_preliminar")
    browser.find_element(By.ID, "hy-informe-archivo").send_keys(str(informe))
    click_and_wait(browser, browser.find_element(
        By.XPATH, "//input[@name='accion' and @value='informe']"
                  "/ancestor::form//button[@type='submit']"))
    assert browser.find_elements(By.CSS_SELECTOR, "a[href$='/archivo/informe_preliminar']")
    screenshot("5-informe")

    # the área publishes the obra, and the call's results date arrives
    call_action("package_patch", context=dict(llamado["site"]), id=obra_name, private=False)
    call_action("package_patch", context=dict(llamado["site"]), id=call["id"],
                fecha_apertura=dia(-40), fecha_cierre=dia(-20), fecha_resultados=dia(-1))

    # 5. an anonymous visitor sees the result and follows the link to the obra
    browser.delete_all_cookies()
    visit(browser, f"{live_server}/convocatoria/{call['name']}")
    screenshot("6-resultados")
    approved = browser.find_element(By.ID, "hy-aprobadas")
    assert "Rehabilitar el pozo de agua" in approved.text
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "555-000-0000" not in body and "comite@example.org" not in body
    click_and_wait(browser, approved.find_element(By.TAG_NAME, "a"))
    assert browser.current_url.rstrip("/").endswith(f"/obra/{obra_name}")
    screenshot("7-obra")
    assert english_on_page(browser) == []
