"""The web pages answer, in Spanish by default."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


@pytest.mark.usefixtures("with_plugins", "clean_db_all", "clean_index")
@pytest.mark.parametrize("url, spanish_text", [
    ("/", "¿Qué se construye en tu comunidad?"),
    ("/dataset/", "Conjuntos de datos"),
])
def test_page_answers_in_spanish(app, url, spanish_text):
    response = app.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.body, "html.parser")
    assert page.html["lang"] == "es"
    assert spanish_text in page.get_text()
    assert "Fuente: INEGI" in page.find("footer").get_text()


@pytest.mark.usefixtures("with_plugins", "clean_db_all", "clean_index")
def test_english_is_available(app):
    response = app.get("/en/dataset/")
    assert response.status_code == 200
    assert BeautifulSoup(response.body, "html.parser").html["lang"] == "en"


@pytest.mark.usefixtures("with_plugins", "comunidades", "clean_index")
def test_obra_search_page_has_spanish_facets(app):
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    call_action("package_create", {"user": factories.Sysadmin()["name"]}, type="obra",
                name="drenaje-los-mangos", title="Drenaje", owner_org=org["id"],
                clave_obra="HUE-2025-FISM-030", ejercicio_fiscal="2025",
                comunidades=["300730030"], etapa="planeacion", rubro_fais="drenaje_letrinas")
    page = BeautifulSoup(app.get("/obra/").body, "html.parser")
    titles = [h.get_text(" ", strip=True) for h in page.select("section.module-narrow h2")]
    for title in ("Comunidad", "Etapa", "Rubro FAIS", "Ejercicio fiscal", "Área municipal"):
        assert any(title in t for t in titles), (title, titles)
    facet_links = {a.get_text(" ", strip=True): a["href"] for a in page.select("nav ul a")}
    mangos = next(text for text in facet_links if text.startswith("Los Mangos"))
    assert "hueyapan_comunidad=300730030" in facet_links[mangos]
    filtered = app.get(facet_links[mangos])
    assert "drenaje-los-mangos" in filtered.body
