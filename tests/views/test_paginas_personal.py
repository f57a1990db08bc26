"""Staff pages in Mexican Spanish: the new-dataset form, the resource step and the edit page show
none of the English buttons, typos and foreign forms CKAN's Spanish catalog leaves there
("Publish", "Unpublish", "Actrulizar", "Podés", "ficheros"); our catalog corrects them
(``comun.idioma.CORRECTED_MESSAGES``)."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from ckan.tests.helpers import call_action

from tests.fabricas import obra
from tests.sesion import log_in

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")

#: What CKAN 2.12.0's Spanish catalog shows on these pages and must not reach staff.
NOT_ON_STAFF_PAGES = ("Publish", "Unpublish", "Actrulizar", "Podés", "ficheros", "Navigate to")


def _text(response) -> str:
    """What a person reads or hears: visible text plus the accessible names."""
    page = BeautifulSoup(response.body, "html.parser")
    for hidden in page(["script", "style"]):
        hidden.decompose()
    names = [el.get(attr) for attr in ("aria-label", "title", "placeholder", "alt")
             for el in page.select(f"[{attr}]")]
    return " ".join([page.get_text(" ", strip=True), *map(str, names)])


def _found(text: str) -> list[str]:
    return [word for word in NOT_ON_STAFF_PAGES
            if re.search(r"(?<![\wÁÉÍÓÚáéíóúÑñ])" + re.escape(word) + r"(?![\wÁÉÍÓÚáéíóúÑñ])",
                         text)]


def test_the_new_obra_form_speaks_mexican_spanish(app, area):
    log_in(app, area["editor"]["name"])
    response = app.get("/obra/new")
    assert response.status_code == 200
    text = _text(response)
    assert _found(text) == []
    assert "Puede usar" in text  # the Markdown help: usted, as every staff text; not "Podés usar"
    assert "colección de recursos (como archivos)" in text  # the sidebar, not "ficheros"


def test_the_resource_step_publishes_in_spanish(app, area):
    log_in(app, area["editor"]["name"])
    context = {"user": area["editor"]["name"]}
    draft = call_action("package_create", context, **obra(area["org"], state="draft"))
    response = app.get(f"/obra/{draft['name']}/resource/new")
    assert response.status_code == 200
    page = BeautifulSoup(response.body, "html.parser")
    buttons = [b.get_text(" ", strip=True) for b in page.select("button[name=save]")]
    assert "Publicar" in buttons, buttons
    assert _found(_text(response)) == []


def test_the_edit_page_updates_and_withdraws_in_spanish(app, area):
    log_in(app, area["editor"]["name"])
    context = {"user": area["editor"]["name"]}
    dataset = call_action("package_create", context, **obra(area["org"]))
    call_action("resource_create", context, package_id=dataset["id"], name="Acta de entrega",
                url="https://example.invalid/acta.pdf", format="PDF")
    for url in (f"/obra/edit/{dataset['name']}", f"/obra/resources/{dataset['name']}"):
        response = app.get(url)
        assert response.status_code == 200, url
        assert _found(_text(response)) == [], url
    page = BeautifulSoup(app.get(f"/obra/edit/{dataset['name']}").body, "html.parser")
    buttons = [b.get_text(" ", strip=True) for b in page.select("button[name=save]")]
    assert any(b.startswith("Actualizar ") for b in buttons), buttons
    # withdrawing is a link to its confirmation page (views/publicacion.py), not a button
    assert page.select_one("a#hy-retirar").get_text(strip=True) == "Retirar de la publicación"
