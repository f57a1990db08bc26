"""A consultation and its minutes saved together (logic/consultas.py), without the page: the
minutes uploaded through ``resource_create`` and recorded by the address of the resource's page;
completing a consultation; and the undo when the consultation cannot be added after the file
was stored (a page left open while someone else removed that consultation)."""
from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.tests.helpers import call_action
from ckan.types import Context

from ckanext.hueyapan.logic.consultas import read_consulta, record_consulta
from tests.fabricas import obra

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]

PDF = b"%PDF-1.4\n% acta (datos de ejemplo)\n%%EOF\n"
FORM = {"fecha": " 2025-02-10 ", "lugar": "Salón ejidal", "asistentes_mujeres": "41",
        "asistentes_hombres": "", "otro": "ignorado"}


def _pdf(name: str = "acta.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename=name, content_type="application/pdf")


def _as(user: str) -> Context:
    return {"user": user}


@pytest.fixture
def escena(app, area):
    """The área's editor and an obra of the área, inside a request (addresses are built)."""
    editor = area["editor"]["name"]
    dataset = call_action("package_create", _as(editor), **obra(area["org"]))
    with app.flask_app.test_request_context():
        yield editor, dataset


def test_the_form_is_read_as_trimmed_text_of_the_known_fields():
    assert read_consulta(FORM) == {"fecha": "2025-02-10", "lugar": "Salón ejidal",
                                   "asistentes_mujeres": "41", "asistentes_hombres": ""}


def test_the_minutes_become_a_resource_named_by_the_address_of_its_page(escena):
    editor, dataset = escena
    hecho = record_consulta(_as(editor), dataset, read_consulta(FORM), _pdf())
    recurso = hecho["recurso"]
    assert recurso["tipo_recurso"] == "acta_consulta" and recurso["format"] == "PDF"
    stored = call_action("package_show", id=dataset["id"])
    [consulta] = stored["consultas"]
    site = tk.config["ckan.site_url"].rstrip("/")
    assert consulta["acta"] == f"{site}/obra/{dataset['id']}/resource/{recurso['id']}"
    assert consulta["asistentes_mujeres"] == "41" and not consulta.get("asistentes_hombres")


def test_completing_a_consultation_keeps_the_others(escena):
    editor, dataset = escena
    record_consulta(_as(editor), dataset, {**read_consulta(FORM), "lugar": "Escuela"})
    dataset = call_action("package_show", id=dataset["id"])
    record_consulta(_as(editor), dataset, {**read_consulta(FORM), "fecha": "2025-03-01"})
    dataset = call_action("package_show", id=dataset["id"])
    assert [c["acta"] for c in dataset["consultas"]] == ["", ""]

    record_consulta(_as(editor), dataset, read_consulta(dataset["consultas"][1]), _pdf(), 2)
    stored = call_action("package_show", id=dataset["id"])
    first, second = stored["consultas"]
    assert first["lugar"] == "Escuela" and first["acta"] == ""
    assert second["fecha"] == "2025-03-01" and stored["resources"][0]["id"] in second["acta"]


def test_a_consultation_removed_meanwhile_leaves_no_minutes_behind(escena):
    editor, dataset = escena
    record_consulta(_as(editor), dataset, read_consulta(FORM))
    abierta = call_action("package_show", id=dataset["id"])  # the page someone left open
    call_action("package_patch", _as(editor), id=dataset["id"], consultas=[])

    with pytest.raises(tk.ValidationError) as refused:
        record_consulta(_as(editor), abierta, read_consulta(FORM), _pdf(), 1)
    assert "consulta" in refused.value.error_dict
    stored = call_action("package_show", id=dataset["id"])
    assert stored["resources"] == [] and not stored.get("consultas")


def test_someone_who_may_not_update_the_obra_stores_nothing(escena):
    _editor, dataset = escena
    with pytest.raises(tk.NotAuthorized):
        record_consulta(_as(""), dataset, read_consulta(FORM), _pdf())
    stored = call_action("package_show", id=dataset["id"])
    assert stored["resources"] == [] and not stored.get("consultas")
