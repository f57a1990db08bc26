"""One licence answer: a dataset that names no licence is published under Libre Uso MX, and the
API, the search results, the dataset page, the form, DCAT and OC4IDS all say so; a chosen licence
of the register is said the same way everywhere."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan.registros.licencias import REGISTRO
from tests.fabricas import convocatoria, obra, programa
from tests.sesion import log_in

LIBRE = "https://datos.gob.mx/libreusomx"

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


@pytest.fixture
def publicados(comunidades):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas", image_url="")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    datasets = [
        call_action("package_create", context=dict(context), **obra(org)),
        call_action("package_create", context=dict(context), **programa(org)),
        call_action("package_create", context=dict(context), **convocatoria(org)),
        call_action("package_create", context=dict(context), type="dataset",
                    name="presupuesto-2025", title="Presupuesto 2025", owner_org=org["id"]),
    ]
    return org, datasets


def test_the_register_is_the_packages_file_with_libre_uso_mx():
    licences = {item["id"]: item for item in json.loads(REGISTRO.read_text("utf-8"))}
    libre = licences["libre-uso-mx"]
    assert (libre["title"], libre["url"], libre["od_conformance"]) == (
        "Libre Uso MX", LIBRE, "approved")
    assert {"cc-by", "cc-by-sa", "cc-zero", "odc-by", "odc-odbl", "odc-pddl"} <= set(licences)
    assert all(item["url"] for item in licences.values())   # every licence has its address
    register = model.Package.get_license_register()
    assert register["libre-uso-mx"].isopen() and register["libre-uso-mx"].url == LIBRE
    assert [item["id"] for item in call_action("license_list")] == list(licences)


def test_every_type_without_a_licence_reads_as_libre_uso_mx(app, publicados):
    _, datasets = publicados
    for dataset in datasets:
        shown = call_action("package_show", id=dataset["id"])
        assert (shown["license_id"], shown["license_title"], shown["license_url"],
                shown["isopen"]) == ("libre-uso-mx", "Libre Uso MX", LIBRE, True), shown["type"]
        api = app.get(f"/api/3/action/package_show?id={dataset['name']}").json["result"]
        assert (api["license_title"], api["isopen"]) == ("Libre Uso MX", True)
    found = call_action("package_search", q="*:*", include_private=True,
                        facet="true", **{"facet.field": '["license_id"]'})
    assert {r["license_title"] for r in found["results"]} == {"Libre Uso MX"}
    assert {item["name"]: item["count"] for item in found["search_facets"]["license_id"]["items"]
            } == {"libre-uso-mx": 4}


def test_a_dataset_stored_before_without_a_licence_too(app, publicados):
    """Stored before the register (license_id NULL, or CKAN's "notspecified"): package_show, the
    page and DCAT say Libre Uso MX all the same."""
    _, (stored, _, _, generico) = publicados
    model.Session.query(model.Package).filter_by(id=stored["id"]).update({"license_id": None})
    model.Session.query(model.Package).filter_by(id=generico["id"]).update(
        {"license_id": "notspecified"})
    model.Session.commit()
    for dataset in (stored, generico):
        assert model.Package.get(dataset["id"]).license_id in (None, "notspecified")
        shown = call_action("package_show", id=dataset["id"], use_cache=False)
        assert (shown["license_id"], shown["license_title"], shown["isopen"]) == (
            "libre-uso-mx", "Libre Uso MX", True)
        graph = Graph().parse(data=app.get(f"/dataset/{dataset['name']}.ttl").body,
                              format="turtle")
        dataset_ref = next(graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")))
        assert graph.value(dataset_ref, DCTERMS.license) == URIRef(LIBRE)
        assert str(graph.value(URIRef(LIBRE), RDFS.label)) == "Libre Uso MX"
    page = app.get(f"/obra/{stored['name']}").body
    assert f'href="{LIBRE}"' in page and "Libre Uso MX" in page
    assert 'class="open-data"' in page   # the open-data badge: isopen


def test_a_chosen_licence_is_said_the_same_way(app, publicados):
    org, _ = publicados
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call_action("package_create", context=context, **obra(
        org, name="con-licencia", clave_obra="HUE-2025-FISM-099", license_id="cc-by"))
    shown = call_action("package_show", id="con-licencia")
    assert (shown["license_title"], shown["isopen"]) == ("Creative Commons Attribution", True)
    page = app.get("/obra/con-licencia").body
    assert 'href="http://www.opendefinition.org/licenses/cc-by"' in page
    assert "Creative Commons Attribution" in page


def test_the_form_chooses_libre_uso_mx_and_no_longer_speaks_of_the_odbl(app, publicados):
    org, (stored, *_) = publicados
    factories.Sysadmin(name="licencias-admin", password="correct123")
    log_in(app, "licencias-admin")
    for url in ("/obra/new", "/programa-social/new", "/convocatoria/new", "/dataset/new",
                f"/obra/edit/{stored['name']}"):
        html = app.get(url).body
        soup = BeautifulSoup(html, "html.parser")
        select = soup.find("select", {"name": "license_id"})
        assert select is not None, url
        chosen = select.find("option", selected=True)
        assert chosen is not None and chosen["value"] == "libre-uso-mx", url
        options = {str(option["value"]) for option in select.find_all("option")}
        assert "notspecified" not in options and "libre-uso-mx" in options
        # CKAN's note released the metadata under the ODbL; the catalog's licence now
        note = soup.find("p", class_="action-info")
        assert note is not None and note.find("a")["href"] == LIBRE, url
        assert "Libre Uso MX" in note.get_text() and "Open Database" not in note.get_text()
        assert "opendatacommons.org/licenses/odbl" not in html, url


def test_dcat_and_oc4ids_name_the_register_licence(app, publicados):
    graph = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    catalog = next(graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Catalog")))
    assert graph.value(catalog, DCTERMS.license) == URIRef(LIBRE)
    assert (URIRef(LIBRE), RDF.type, DCTERMS.LicenseDocument) in graph
    assert app.get("/exportar/oc4ids.json").json["license"] == LIBRE


@pytest.mark.ckan_config("ckanext.hueyapan.licencia_predeterminada", "cc-by")
def test_the_option_names_the_default_by_its_id(app, publicados):
    _, (stored, *_) = publicados
    shown = call_action("package_show", id=stored["id"])
    assert (shown["license_id"], shown["license_title"]) == ("cc-by",
                                                             "Creative Commons Attribution")
    assert app.get("/exportar/oc4ids.json").json["license"] == \
        "http://www.opendefinition.org/licenses/cc-by"
