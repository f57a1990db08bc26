"""A page per community at a permanent address, its redirects and its Atom feed."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra

LOS_MANGOS = "300730030"
ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


@pytest.fixture
def registro(with_plugins, comunidades):
    """The communities register, seeded after the plugins are loaded."""


@pytest.fixture
def con_obra(with_plugins, clean_index, comunidades):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context,
                **obra(org, avance_fisico="45", avance_financiero="30"))
    return org


@pytest.mark.usefixtures("con_obra")
def test_community_page_lists_its_works_with_progress(app):
    response = app.get(f"/comunidad/{LOS_MANGOS}")
    assert response.status_code == 200
    body = response.body
    assert "<h1>Los Mangos</h1>" in body
    assert "Pavimentación de la calle principal de Los Mangos" in body
    assert 'max="100" value="45.0"' in body and 'value="30.0"' in body
    assert "Población 2020" in body and "Fuente: INEGI" in body
    assert '<svg class="hy-mapa"' in body and "hy-mapa-zona" in body
    assert f'href="http://test.ckan.net/comunidad/{LOS_MANGOS}/cambios.atom"' in body


@pytest.mark.usefixtures("registro")
@pytest.mark.parametrize("path", ["/comunidad/los-mangos", "/comunidad/LOS-MANGOS".lower()])
def test_a_name_redirects_to_the_permanent_address(app, path):
    response = app.get(path, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/comunidad/{LOS_MANGOS}")


@pytest.mark.usefixtures("registro")
def test_an_unknown_community_is_a_spanish_404(app):
    response = app.get("/comunidad/no-existe", status=404)
    assert "No existe la comunidad «no-existe»" in response.body


@pytest.mark.usefixtures("registro")
def test_a_merged_community_redirects_to_the_one_that_absorbed_it(app):
    sysadmin = {"user": factories.Sysadmin()["name"]}
    call_action("hueyapan_comunidad_merge", context=sysadmin, id="300730002", destino=LOS_MANGOS)
    response = app.get("/comunidad/300730002", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/comunidad/{LOS_MANGOS}")


@pytest.mark.usefixtures("con_obra")
def test_atom_feed_of_a_community(app):
    response = app.get(f"/comunidad/{LOS_MANGOS}/cambios.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body.encode("utf-8") if isinstance(response.body, str)
                         else response.body)
    assert feed.find(f"{ATOM}title").text == "Cambios en Los Mangos"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Pavimentación de la calle principal de Los Mangos"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/obra/pavimentacion-los-mangos")


@pytest.mark.usefixtures("con_obra")
def test_communities_index_with_counts(app):
    body = app.get("/comunidad/").body
    assert "Comunidades de Hueyapan de Ocampo" in body
    assert f'<a href="/comunidad/{LOS_MANGOS}">Los Mangos</a>' in body
    assert 'aria-label="Los Mangos: 1"' in body
