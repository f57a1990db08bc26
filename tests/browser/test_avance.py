"""Keeping an obra and a programa social current in a real browser (issue 18, items 3 and 6), as
an editor logged in through the login form: from the obra's page, "Actualizar avance", one short
form, a photo chosen from disk, "Guardar avance", back on the obra's page with the same figure in
the headline and in the history; at 1280×800 and again from a phone (375 px). Then "Actualizar
beneficiarios" of a programme at 375 px. On each screen: no English, no serious or critical axe
finding, no Content-Security-Policy violation, nothing wider than the screen at 375 px, every
input and button at least 44 px tall. Screenshots kept. (Made-up data; only the localities are
real.)"""
from __future__ import annotations

import io

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import (
    click_and_wait,
    fill_field,
    page_problems,
    small_targets,
    visit,
    watch_csp,
)
from tests.fabricas import area_obras, dia, obra, programa

PASSWORD = "Avance-Hueyapan-2026"
NAME = "pavimentacion-los-mangos"
PROGRAMA = "apoyo-productores-2025"

#: Every control of the progress form a thumb has to hit.
CONTROLS = tuple(f"#hy-formulario-avance {control}" for control in (
    "#hy-fecha", "#hy-avance_fisico", "#hy-avance_financiero", "#hy-fotos", "#hy-documento",
    "#hy-tipo_documento", "#hy-guardar-avance", "a.btn"))
CONTROLS_BENEFICIARIOS = tuple(f"#hy-formulario-beneficiarios {control}" for control in (
    "#hy-comunidad", "#hy-mujeres", "#hy-hombres", "#hy-total", "#hy-guardar-beneficiarios",
    "a.btn"))


@pytest.fixture
def escena(with_plugins, clean_index, comunidades, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.hueyapan.obra.consulta_obligatoria", "false")
    editor = factories.User(name="area-obras", password=PASSWORD, email="area@example.org",
                            image_url="")
    org = area_obras(users=[{"name": editor["name"], "capacity": "editor"}])
    context = {"user": editor["name"]}
    call_action("package_create", context, **obra(
        org, etapa="ejecucion", fecha_inicio=dia(-120), fecha_termino_programada=dia(90),
        consultas=[{"fecha": dia(-150), "lugar": "Salón ejidal de Los Mangos"}],
        historial_avance=[{"fecha": dia(-30), "avance_fisico": "45", "avance_financiero": "30"}]))
    call_action("package_create", context, **programa(
        org, comunidades=["300730030", "300730033"],
        beneficiarios=[{"comunidad": "300730030", "mujeres": "64", "hombres": "60"}]))
    return editor


def _headline_and_latest(browser) -> tuple[str, str]:
    headline = browser.find_element(By.CSS_SELECTOR, "#hy-avance .hy-barra-valor").text
    latest = browser.find_elements(By.CSS_SELECTOR, "#hy-historial li")[-1].text
    return headline, latest


def test_an_editor_updates_progress_and_beneficiaries_in_one_screen(
        browser, live_server, screenshot, login, escena, tmp_path):
    photo = tmp_path / "IMG_0001.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (146, 188, 222)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    browser.set_window_size(1280, 800)
    watch_csp(browser)
    login("area-obras", PASSWORD)

    # 1. from the obra's page to the form, at 1280×800
    visit(browser, f"{live_server}/obra/{NAME}")
    click_and_wait(browser, browser.find_element(By.ID, "hy-actualizar-avance"))
    assert browser.current_url.endswith(f"/obra/{NAME}/avance")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Actualizar avance"
    assert page_problems(browser, narrow=False) == {}
    assert small_targets(browser, CONTROLS) == []
    submit = browser.find_element(By.ID, "hy-guardar-avance")
    assert submit.text == "Guardar avance"

    # 2. a report with a photo
    fill_field(browser, "avance_fisico", "58")
    fill_field(browser, "avance_financiero", "50")
    fill_field(browser, "nota", "Colado de la losa")
    browser.find_element(By.NAME, "fotos").send_keys(str(photo))
    screenshot("1-actualizar-avance-1280")
    click_and_wait(browser, submit)
    assert browser.current_url.split("#")[0].endswith(f"/obra/{NAME}")
    headline, latest = _headline_and_latest(browser)
    assert headline == "58 %" and "58 %" in latest and "Colado de la losa" in latest
    assert "Se guardó el corte de avance" in browser.find_element(
        By.CSS_SELECTOR, ".flash-messages").text
    screenshot("2-obra-actualizada-1280")
    assert page_problems(browser, narrow=False) == {}

    # 3. from a phone: the next report
    browser.set_window_size(375, 800)
    visit(browser, f"{live_server}/obra/{NAME}")
    assert small_targets(browser, ("#hy-actualizar-avance",)) == []
    click_and_wait(browser, browser.find_element(By.ID, "hy-actualizar-avance"))
    assert page_problems(browser, narrow=True) == {}
    assert small_targets(browser, CONTROLS) == []
    fill_field(browser, "avance_fisico", "140")  # a slip of the thumb
    click_and_wait(browser, browser.find_element(By.ID, "hy-guardar-avance"))
    error = browser.find_element(By.ID, "hy-avance_fisico-error").text
    assert "Porcentaje no válido «140»" in error
    screenshot("3-error-375")
    assert page_problems(browser, narrow=True) == {}
    fill_field(browser, "avance_fisico", "60")
    click_and_wait(browser, browser.find_element(By.ID, "hy-guardar-avance"))
    headline, latest = _headline_and_latest(browser)
    assert headline == "60 %" and "60 %" in latest
    screenshot("4-obra-actualizada-375")
    assert page_problems(browser, narrow=True) == {}

    stored = call_action("package_show", id=NAME)
    assert stored["avance_fisico"] == "60"
    assert [r["tipo_recurso"] for r in stored["resources"]] == ["evidencia_fotografica"]

    # 4. a programme's beneficiaries, from the phone
    visit(browser, f"{live_server}/programa-social/{PROGRAMA}")
    click_and_wait(browser, browser.find_element(By.ID, "hy-actualizar-beneficiarios"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Actualizar beneficiarios"
    assert page_problems(browser, narrow=True) == {}
    assert small_targets(browser, CONTROLS_BENEFICIARIOS) == []
    Select(browser.find_element(By.NAME, "comunidad")).select_by_visible_text("Nacaxtle")
    fill_field(browser, "mujeres", "30")
    fill_field(browser, "hombres", "25")
    screenshot("5-actualizar-beneficiarios-375")
    click_and_wait(browser, browser.find_element(By.ID, "hy-guardar-beneficiarios"))
    assert browser.current_url.split("#")[0].endswith(f"/programa-social/{PROGRAMA}")
    assert "Nacaxtle" in browser.find_element(By.ID, "hy-beneficiarios").text
    screenshot("6-programa-375")
    assert page_problems(browser, narrow=True) == {}
    rows = call_action("package_show", id=PROGRAMA)["beneficiarios"]
    assert rows[-1] == {"comunidad": "300730033", "mujeres": "30", "hombres": "25",
                        "total": "55"}
