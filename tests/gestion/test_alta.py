"""The short new-obra path's data: the key suggested for a year and fund, and the obra built from
the essentials, created with the schema's own validators."""
from __future__ import annotations

import json

import pytest

from ckan.tests.helpers import call_action

from ckanext.hueyapan.gestion import alta
from tests.fabricas import obra

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


def test_the_suggested_key_follows_the_highest_of_its_year_and_fund(area):
    context = {"user": area["editor"]["name"]}
    assert alta.suggest_clave("2026", "fism") == "HUE-2026-FISM-001"
    call_action("package_create", context, **obra(
        area["org"], name="una", clave_obra="HUE-2026-FISM-007"))
    call_action("package_create", context, **obra(
        area["org"], name="otra", clave_obra="hue-2026-fism-003"))
    call_action("package_create", context, **obra(
        area["org"], name="de-otro-fondo", clave_obra="HUE-2026-FORTAMUN-040"))
    assert alta.suggest_clave("2026", "fism") == "HUE-2026-FISM-008"
    assert alta.suggest_clave("2026", "fortamun") == "HUE-2026-FORTAMUN-041"
    assert alta.suggest_clave("2025", "fism") == "HUE-2025-FISM-001"


def test_the_essentials_make_a_valid_published_obra(area):
    form = {"title": "Rehabilitación del camino a Nacaxtle", "comunidades": ["300730030"],
            "etapa": "planeacion", "ejercicio_fiscal": "2026", "monto_aprobado": "1,250,000",
            "fuente": "fism", "clave_obra": "", "spatial": "18.15, -95.14; 18.16, -95.13"}
    data = alta.obra_from_form(form, area["org"]["id"])
    assert data["clave_obra"] == "HUE-2026-FISM-001"
    assert data["name"] == "hue-2026-fism-001"
    created = call_action("package_create", {"user": area["editor"]["name"]}, **data)
    assert created["state"] == "active"
    assert created["fuentes_financiamiento"] == [{"fuente": "fism", "monto": "1250000.00"}]
    assert created["monto_aprobado"] == "1250000.00"
    assert json.loads(created["spatial"]) == {
        "type": "LineString", "coordinates": [[-95.14, 18.15], [-95.13, 18.16]]}
