"""End to end, as a journalist: with ckanapi against a running catalog, find the 2025 obras paid
with FISM-DF in indigenous communities, download them as CSV, fetch their OC4IDS package, check
it, and follow the changes in the Atom feed. (Made-up data; only the localities are real.)"""
from __future__ import annotations

import csv
import io
import json
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from ckanapi import RemoteCKAN

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import area_obras, obra

EL_AGUACATE, LOS_MANGOS = "300730002", "300730030"


@pytest.fixture
def catalogo(with_plugins, clean_index, comunidades):
    sysadmin = factories.Sysadmin()
    call_action("hueyapan_comunidad_update", {"user": sysadmin["name"]}, id=EL_AGUACATE,
                indigena="true", pueblos_indigenas="Popoluca")
    org = area_obras()
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(          # the one we want
        org, name="agua-el-aguacate", clave_obra="HUE-2025-FISM-040",
        title="Red de agua potable en El Aguacate", comunidades=[EL_AGUACATE]))
    call_action("package_create", context=context, **obra(org))     # not indigenous
    call_action("package_create", context=context, **obra(          # 2024
        org, name="aguacate-2024", clave_obra="HUE-2024-FISM-041", ejercicio_fiscal="2024",
        title="Aula en El Aguacate 2024", comunidades=[EL_AGUACATE]))
    call_action("package_create", context=context, **obra(          # another source
        org, name="aguacate-estatal", clave_obra="HUE-2025-EST-042", title="Camino estatal",
        comunidades=[EL_AGUACATE],
        fuentes_financiamiento=[{"fuente": "estatal", "monto": "$1,234,567.89"}]))
    return {"user": sysadmin["name"]}  # a person: the site user leaves no activity


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, url
        return response.read()


def test_a_journalist_finds_downloads_and_follows_the_works(live_server, catalogo):
    filters = "hueyapan_ejercicio=2025&hueyapan_fuente=fism&hueyapan_indigena=si"
    ckan = RemoteCKAN(live_server, user_agent="periodista-de-prueba")

    found = ckan.action.package_search(
        fq="dataset_type:obra hueyapan_ejercicio:2025 hueyapan_fuente:fism hueyapan_indigena:si",
        rows=100)
    assert [d["clave_obra"] for d in found["results"]] == ["HUE-2025-FISM-040"]
    summary = ckan.action.hueyapan_resumen(tipo="obra", ejercicio="2025", fuente="fism")
    assert summary["datasets"] == 2

    rows = list(csv.DictReader(io.StringIO(
        _get(f"{live_server}/exportar/obra.csv?{filters}").decode("utf-8-sig"))))
    assert [row["Clave de la obra"] for row in rows] == ["HUE-2025-FISM-040"]
    assert rows[0]["Comunidades"] == "El Aguacate"
    assert rows[0]["Monto aprobado (MXN)"] == "1234567.89"

    package = json.loads(_get(f"{live_server}/exportar/oc4ids.json?{filters}"))
    [project] = package["projects"]
    assert project["id"] == "oc4ids-hy30073-HUE-2025-FISM-040"
    assert project["locations"][0]["gazetteer"] == {"scheme": "INEGI-CVEGEO",
                                                    "identifiers": [EL_AGUACATE]}
    assert project["budget"]["amount"] == {"amount": 1234567.89, "currency": "MXN"}
    for key in ("id", "title", "status", "locations", "budget", "parties", "updated"):
        assert key in project, key

    # when it changes, the feed says so
    call_action("package_patch", context=catalogo, id="agua-el-aguacate", avance_fisico="50")
    feed = ET.fromstring(_get(f"{live_server}/cambios/obra.atom"))
    first = feed.find("{http://www.w3.org/2005/Atom}entry")
    assert (first.find("{http://www.w3.org/2005/Atom}title").text
            == "Red de agua potable en El Aguacate")
    activity = ckan.action.package_activity_list(id="agua-el-aguacate")
    assert activity[0]["activity_type"] == "changed package"
