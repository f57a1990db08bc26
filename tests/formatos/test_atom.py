"""Change feeds: Atom per type and the activity stream through the API."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import convocatoria, obra

ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


@pytest.fixture
def publicado(with_plugins, clean_index, comunidades):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    user = factories.Sysadmin()
    context = {"user": user["name"]}
    call_action("package_create", context=dict(context), **obra(org))
    call_action("package_create", context=dict(context), **convocatoria(org))
    call_action("package_patch", context=dict(context), id="pavimentacion-los-mangos",
                avance_fisico="60")
    return user


@pytest.mark.usefixtures("publicado")
def test_atom_feed_per_type(app):
    response = app.get("/cambios/obra.atom")
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.data)
    assert (feed.find(f"{ATOM}title").text
            == "Obras públicas de Hueyapan de Ocampo: cambios recientes")
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Pavimentación de la calle principal de Los Mangos"]
    assert entries[0].find(f"{ATOM}category").get("term") == "obra"
    app.get("/cambios/otra-cosa.atom", status=404)


@pytest.mark.usefixtures("publicado")
def test_the_activity_stream_through_the_api(app):
    result = app.get(
        "/api/3/action/package_activity_list?id=pavimentacion-los-mangos").json["result"]
    assert [a["activity_type"] for a in result] == ["changed package", "new package"]
