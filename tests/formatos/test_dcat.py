"""DCAT output of our types (ckanext-dcat with the hueyapan_dcat profile), parsed with rdflib."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import convocatoria, obra

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
LOCN = "http://www.w3.org/ns/locn#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SITE = "http://test.ckan.net"
LOS_MANGOS = "300730030"


def n(namespace: str, term: str) -> URIRef:
    return URIRef(namespace + term)


pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


@pytest.fixture
def publicado(with_plugins, clean_index, comunidades):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas", image_url="")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    created = call_action("package_create", context=context, **obra(
        org, maintainer="Dirección de Obras Públicas", maintainer_email="obras@example.org",
        resources=[{"url": "http://example.org/avance.csv", "name": "Avance", "format": "CSV",
                    "tipo_recurso": "informe_avance"}]))
    call_action("package_create", context=context, **convocatoria(
        org, license_id="cc-by", comunidades=["30073"]))
    return created


def _graph(app, url: str) -> Graph:
    response = app.get(url)
    assert response.status_code == 200, url
    return Graph().parse(data=response.body, format="turtle")


def test_an_obra_in_dcat(app, publicado):
    g = _graph(app, "/dataset/pavimentacion-los-mangos.ttl")
    dataset = next(g.subjects(RDF.type, n(DCAT, "Dataset")))
    assert (dataset, n(DCT, "title"), None) in g
    assert (dataset, n(DCT, "identifier"), Literal("HUE-2025-FISM-013")) in g

    # the community, by the permanent address of its page and its INEGI key, with its point
    place = URIRef(f"{SITE}/comunidad/{LOS_MANGOS}")
    assert (dataset, n(DCT, "spatial"), place) in g
    assert (place, RDF.type, n(DCT, "Location")) in g
    assert (place, n(DCT, "identifier"), Literal(LOS_MANGOS)) in g
    assert (place, SKOS.prefLabel, Literal("Los Mangos", lang="es")) in g
    assert any("POINT" in str(o) for o in g.objects(place, n(LOCN, "geometry")))

    # the period of the work
    period = g.value(dataset, n(DCT, "temporal"))
    assert g.value(period, n(DCAT, "startDate")) == Literal("2025-03-01", datatype=XSD.date)
    assert g.value(period, n(DCAT, "endDate")) == Literal("2025-09-30", datatype=XSD.date)

    # publisher: the area, part of the municipality
    area = URIRef(f"{SITE}/organization/obras-publicas")
    assert (dataset, n(DCT, "publisher"), area) in g
    assert (area, n(FOAF, "name"), Literal("Obras Públicas", lang="es")) in g
    assert list(g.objects(dataset, n(DCT, "publisher"))) == [area]

    # no licence chosen: Libre Uso MX, on the dataset and its distribution
    libre = URIRef("https://datos.gob.mx/libreusomx")
    assert (dataset, n(DCT, "license"), libre) in g
    distribution = g.value(dataset, n(DCAT, "distribution"))
    assert (distribution, n(DCT, "license"), libre) in g

    contact = g.value(dataset, n(DCAT, "contactPoint"))
    assert (contact, n(VCARD, "hasEmail"), URIRef("mailto:obras@example.org")) in g


def test_a_chosen_licence_and_the_whole_municipality(app, publicado):
    g = _graph(app, "/dataset/proyectos-comunitarios-2026.ttl")
    dataset = next(g.subjects(RDF.type, n(DCAT, "Dataset")))
    assert (dataset, n(DCT, "license"), URIRef("http://www.opendefinition.org/licenses/cc-by")) in g
    municipality = URIRef(f"{SITE}/comunidad/30073")
    assert (dataset, n(DCT, "spatial"), municipality) in g
    assert any("POLYGON" in str(o) for o in g.objects(municipality, n(LOCN, "geometry")))
    period = g.value(dataset, n(DCT, "temporal"))
    assert g.value(period, n(DCAT, "startDate")) == Literal("2026-03-01", datatype=XSD.date)


def test_the_catalog(app, publicado):
    g = _graph(app, "/catalog.ttl")
    catalog = next(g.subjects(RDF.type, n(DCAT, "Catalog")))
    assert len(list(g.objects(catalog, n(DCAT, "dataset")))) == 2
    publisher = g.value(catalog, n(DCT, "publisher"))
    assert (publisher, n(FOAF, "name"), Literal("Municipio de Hueyapan de Ocampo", lang="es")) in g
    assert (catalog, n(DCT, "spatial"), URIRef(f"{SITE}/comunidad/30073")) in g
