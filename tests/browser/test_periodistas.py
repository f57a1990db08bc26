"""The page "Datos para periodistas": every example it shows is run, as shown, against a running
catalog (curl commands with curl, the Python example with ckanapi, the addresses with HTTP)."""
from __future__ import annotations

import contextlib
import io
import json
import shlex
import subprocess
import urllib.request

import pytest
from bs4 import BeautifulSoup
from selenium.webdriver.common.by import By

from ckan.tests.helpers import call_action

from tests.browser.support import axe_violations, english_on_page, visit
from tests.fabricas import area_obras, obra


@pytest.fixture
def obras(with_plugins, clean_index, comunidades):
    org = area_obras()
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(org))  # 2025, FISM
    call_action("package_create", context=context, **obra(
        org, name="camino-2024", clave_obra="HUE-2024-FISM-001", ejercicio_fiscal="2024",
        title="Camino saca cosechas 2024"))
    return org


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.mark.usefixtures("obras")
def test_every_example_on_the_page_works(live_server):
    _, _, body = _get(live_server + "/datos-para-periodistas")
    page = BeautifulSoup(body, "html.parser")
    examples = {e["data-ejemplo"]: (e["data-tipo"], e.get_text())
                for e in page.select("[data-ejemplo]")}
    assert len(examples) >= 8
    for name, (kind, text) in examples.items():
        assert live_server in text, name  # the catalog's own address
        if kind == "curl":
            done = subprocess.run(shlex.split(text) + ["--silent", "--show-error", "--fail"],
                                  capture_output=True, timeout=60, check=True)
            answer = json.loads(done.stdout)
            assert answer["success"] is True, name
            if name == "buscar-obras":
                claves = [d["clave_obra"] for d in answer["result"]["results"]]
                assert claves == ["HUE-2025-FISM-013"]
            if name == "resumen":
                assert answer["result"]["datasets"] == 1
        elif kind == "python":
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                exec(compile(text, f"<ejemplo {name}>", "exec"), {})
            assert output.getvalue().splitlines() == [
                "HUE-2025-FISM-013 Pavimentación de la calle principal de Los Mangos 1234567.89"]
        else:
            status, content_type, content = _get(text)
            assert status == 200 and content, name
            if name == "oc4ids":
                projects = json.loads(content)["projects"]
                assert [p["id"] for p in projects] == ["oc4ids-hy30073-HUE-2025-FISM-013"]
            if name == "csv":
                assert content_type.startswith("text/csv")
                assert b"HUE-2025-FISM-013" in content and b"HUE-2024-FISM-001" not in content


@pytest.mark.usefixtures("obras")
def test_the_page_is_spanish_and_accessible(browser, live_server, screenshot):
    visit(browser, live_server + "/datos-para-periodistas")
    screenshot("periodistas")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Datos para periodistas"
    assert english_on_page(browser) == []
    assert axe_violations(browser) == []
