"""What keeps the pages fast at 10,000 datasets (bench/rendimiento.py) without changing what they
say: labels read once per request, short descriptions without the Markdown parser, a community's
page listing the latest datasets of each type with a link to the rest, the general search showing
the facets every type shares, the área's box from the dataset itself."""
from __future__ import annotations

import random

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra

LOS_MANGOS = "300730030"


def _site():
    return {"user": call_action("get_site_user")["name"], "ignore_auth": True}


def test_short_descriptions_say_what_markdown_extract_says():
    """Plain texts take the fast path; the text is CKAN's up to whitespace (which HTML
    collapses), and anything Markdown goes through CKAN's own function."""
    from ckan.lib.helpers import markdown_extract

    from ckanext.hueyapan import helpers
    from ckanext.hueyapan.paginas import fichas

    rng = random.Random(30073)
    plain = ["maíz", "apoyo", "(datos)", "¿qué?", "¡sí!", "50%", "$1,000.00", "de", "\n", "\n\n",
             "  ", "calle 5.", "x-y", '"c"', "'s'", ":", ";", "/", "ñandú", "\n "]
    marked = plain + ["- guion", "\t", "1)", "*énfasis*", "[enlace](http://a.example)",
                      "<b>x</b>", "&amp;", "# t"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 120)))
             for words in (plain, marked) for _ in range(400)]
    fast = 0
    for text in texts:
        fast += not fichas._MARKDOWN.search(text)
        for length in (200, 40, 0):
            ours = helpers.hueyapan_descripcion_corta(text, length)
            ckan = str(markdown_extract(text, extract_length=length))
            assert ours.split() == ckan.split(), (text, length)
    assert 100 < fast < len(texts)  # both paths were exercised


@pytest.fixture
def muchas_obras(with_plugins, clean_index, comunidades):
    from ckanext.hueyapan.views.comunidades import POR_TIPO

    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    for number in range(POR_TIPO + 3):
        call_action("package_create", context=_site(), **obra(
            org, name=f"obra-{number:02d}", title=f"Obra número {number:02d}",
            clave_obra=f"HUE-2025-FISM-{number:03d}", comunidades=[LOS_MANGOS]))
    return POR_TIPO + 3


def test_a_community_page_lists_the_latest_and_links_to_all(app, muchas_obras):
    from ckanext.hueyapan.views.comunidades import POR_TIPO

    page = BeautifulSoup(app.get(f"/comunidad/{LOS_MANGOS}").body, "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "hy-obras"})
    titles = [a.get_text(strip=True) for a in section.select("li h3 a")]
    assert len(titles) == POR_TIPO
    # the most recently changed first: the last ones created
    assert titles[0] == f"Obra número {muchas_obras - 1:02d}"
    link = section.select_one("p.hy-ver-todas a")
    assert link.get_text(strip=True) == f"Ver las {muchas_obras} obras públicas de Los Mangos"
    href = str(link["href"])
    assert href.startswith("/obra/") and f"hueyapan_comunidad={LOS_MANGOS}" in href
    listed = BeautifulSoup(app.get(href).body, "html.parser")
    assert str(muchas_obras) in listed.select_one(".search-form h1, .search-form h2").get_text()


@pytest.mark.usefixtures("with_plugins", "clean_index", "comunidades")
def test_a_changed_term_label_shows_in_the_same_request(app):
    """Labels are kept for a request only, and a change of terms drops them."""
    from ckanext.hueyapan import helpers

    sysadmin = factories.Sysadmin()
    with app.flask_app.test_request_context("/"):
        assert helpers.hueyapan_termino_label("etapa_obra", "planeacion") == "Planeación"
        call_action("hueyapan_termino_update", {"user": sysadmin["name"]},
                    vocabulario="etapa_obra", clave="planeacion", etiqueta="Planeación y proyecto")
        assert helpers.hueyapan_termino_label("etapa_obra", "planeacion") == "Planeación y proyecto"
    with app.flask_app.test_request_context("/"):
        assert helpers.hueyapan_termino_label("etapa_obra", "planeacion") == "Planeación y proyecto"


@pytest.mark.usefixtures("with_plugins", "clean_index", "comunidades")
def test_the_general_search_shows_the_shared_facets_and_each_type_its_own(app):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    call_action("package_create", context=_site(), **obra(org))

    def titles(url):
        page = BeautifulSoup(app.get(url).body, "html.parser")
        return " | ".join(h.get_text(" ", strip=True)
                          for h in page.select("section.module-narrow h2"))

    general = titles("/dataset/")
    for shared in ("Comunidad", "Ejercicio fiscal", "Área municipal"):
        assert shared in general, general
    for own in ("Etapa", "Rubro FAIS", "Banderas rojas", "Estado de la convocatoria"):
        assert own not in general, general
    obras = titles("/obra/")
    for own in ("Comunidad", "Etapa", "Rubro FAIS", "Ejercicio fiscal"):
        assert own in obras, obras


@pytest.mark.usefixtures("with_plugins", "clean_index", "comunidades")
def test_the_dataset_page_shows_its_area_without_asking_for_it_again(app, monkeypatch):
    import ckan.lib.helpers as core_helpers

    org = factories.Organization(name="obras-publicas", title="Obras Públicas",
                                 description="Dirección de Obras Públicas del municipio.")
    call_action("package_create", context=_site(), **obra(org))

    def refused(*args, **kwargs):
        raise AssertionError("the dataset page asked organization_show for its área")

    monkeypatch.setitem(core_helpers.helper_functions, "get_organization", refused)
    page = BeautifulSoup(app.get("/obra/pavimentacion-los-mangos").body, "html.parser")
    box = page.select_one("#organization-info")
    assert box.select_one("h2.heading").get_text(strip=True) == "Obras Públicas"
    assert "Dirección de Obras Públicas del municipio." in box.get_text()
    assert box.select_one("a")["href"] == "/organization/obras-publicas"
