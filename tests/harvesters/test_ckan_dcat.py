"""Harvesting foreign catalogs beside our scheming schemas: a DCAT RDF catalog (ckanext-dcat's
`dcat_rdf` harvester) and a remote CKAN (ckanext-harvest's `ckan` harvester), both served over
loopback by `file_server`, with the gather and fetch consumers running as separate processes.

All data below is made up for the tests ("datos de ejemplo"); only the locality names and INEGI
keys of Hueyapan de Ocampo are real.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

NACAXTLE = "300730033"            # INEGI key of the locality Nacaxtle (not "Nacaxtlito")
JUAN_DIAZ_COVARRUBIAS = "300730022"

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


@pytest.fixture
def org(comunidades):
    """The organization that owns the harvest sources (and so the harvested datasets); the
    communities register and vocabularies are seeded."""
    return factories.Organization(name="obras-publicas", title="Obras Públicas")


def facet(name: str, **search) -> dict[str, int]:
    result = call_action("package_search", **{"facet.field": json.dumps([name]), **search})
    return result["facets"].get(name, {})


# --- DCAT RDF ------------------------------------------------------------------------------------

CATALOG = "https://datos.example.org/veracruz/catalogo"

DCAT_TURTLE = """\
@prefix dcat:  <http://www.w3.org/ns/dcat#> .
@prefix dct:   <http://purl.org/dc/terms/> .
@prefix foaf:  <http://xmlns.com/foaf/0.1/> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
@prefix locn:  <http://www.w3.org/ns/locn#> .
@prefix gsp:   <http://www.opengis.net/ont/geosparql#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .

<{catalog}> a dcat:Catalog ;
    dct:title "Obras públicas municipales de Veracruz (datos de ejemplo)"@es ;
    dct:description
      "Catálogo de ejemplo con obras del FISM-DF de municipios del sur de Veracruz."@es ;
    dct:language <http://publications.europa.eu/resource/authority/language/SPA> ;
    dcat:dataset <{catalog}/dataset/agua-potable-nacaxtle-2024> ,
                 <{catalog}/dataset/caminos-saca-cosechas-sur-2023> .

<{catalog}/dataset/agua-potable-nacaxtle-2024> a dcat:Dataset ;
    dct:identifier "VER-OP-2024-0187" ;
    dct:title "Rehabilitación del sistema de agua potable en Nacaxtle, 2024 (datos de ejemplo)"@es ;
    dct:description "{agua_description}"@es ;
    dcat:keyword "agua potable"@es , "FISM-DF"@es , "obra pública"@es ;
    dct:issued "2024-03-15"^^xsd:date ;
    dct:modified "2024-11-02T10:30:00"^^xsd:dateTime ;
    dct:publisher [ a foaf:Organization ; foaf:name "Dirección de Obras Públicas (ejemplo)" ] ;
    dcat:contactPoint [ a vcard:Organization ;
        vcard:fn "Unidad de Transparencia (ejemplo)" ;
        vcard:hasEmail <mailto:transparencia@example.org> ] ;
    dct:spatial [ a dct:Location ;
        skos:prefLabel "Nacaxtle"@es ;
        locn:geometry "POINT (-95.0583911 18.1550583)"^^gsp:wktLiteral ] ;
    dcat:distribution <{catalog}/dataset/agua-potable-nacaxtle-2024/avance.csv> .

<{catalog}/dataset/agua-potable-nacaxtle-2024/avance.csv> a dcat:Distribution ;
    dct:title "Avance físico-financiero por mes (CSV)"@es ;
    dcat:accessURL <{files}/avance-nacaxtle-2024.csv> ;
    dcat:downloadURL <{files}/avance-nacaxtle-2024.csv> ;
    dct:format "CSV" ;
    dcat:mediaType "text/csv" ;
    dct:license <http://www.opendefinition.org/licenses/cc-by> .

<{catalog}/dataset/caminos-saca-cosechas-sur-2023> a dcat:Dataset ;
    dct:identifier "VER-OP-2023-0412" ;
    dct:title
      "Rehabilitación de caminos saca cosechas en municipios del sur, 2023 (datos de ejemplo)"@es ;
    dct:description
      "Kilómetros de camino rastreado y revestido por municipio. Datos de ejemplo."@es ;
    dcat:keyword "caminos"@es , "obra pública"@es ;
    dct:issued "2023-06-30"^^xsd:date ;
    dct:publisher [ a foaf:Organization ; foaf:name "Secretaría de Infraestructura (ejemplo)" ] ;
    dcat:distribution <{catalog}/dataset/caminos-saca-cosechas-sur-2023/km.json> .

<{catalog}/dataset/caminos-saca-cosechas-sur-2023/km.json> a dcat:Distribution ;
    dct:title "Kilómetros por municipio (JSON)"@es ;
    dcat:downloadURL <{files}/caminos-2023.json> ;
    dct:format "JSON" ;
    dcat:mediaType "application/json" .
"""
# too long for one line of DCAT_TURTLE
AGUA_DESCRIPTION = ("Avance físico y financiero de la rehabilitación de la línea de conducción y "
                    "del tanque de regularización de 50 m³. Datos de ejemplo.")


@pytest.fixture
def dcat_source(file_server, org, harvest):
    url = file_server.add(
        "/catalogo.ttl",
        DCAT_TURTLE.format(catalog=CATALOG, files=file_server.url("/archivos"),
                           agua_description=AGUA_DESCRIPTION),
        content_type="text/turtle; charset=utf-8",
    )
    return harvest.create_source(
        name="catalogo-veracruz-dcat", title="Catálogo de obras de Veracruz (DCAT, ejemplo)",
        url=url, source_type="dcat_rdf", owner_org=org["id"],
    )


def harvested(source_id: str) -> list[dict]:
    """The datasets of a source, as package_show returns them."""
    model.Session.remove()
    results = call_action("package_search", fq=f'harvest_source_id:"{source_id}"', rows=100,
                          include_private=True)["results"]
    return [call_action("package_show", id=r["id"]) for r in results]


def extra(dataset: dict, key: str) -> Any:
    for item in dataset.get("extras", []):
        if item["key"] == key:
            return item["value"]
    return dataset.get(key)


def test_dcat_catalog_is_harvested_as_datasets(dcat_source, consumers, harvest, file_server):
    job = harvest.run(dcat_source["id"], consumers=consumers)

    assert harvest.errors(job) == []
    assert job["stats"]["added"] == 2, job["stats"]
    assert ("GET", "/catalogo.ttl") in file_server.requests

    datasets = {d["title"]: d for d in harvested(dcat_source["id"])}
    assert sorted(datasets) == [
        "Rehabilitación de caminos saca cosechas en municipios del sur, 2023 (datos de ejemplo)",
        "Rehabilitación del sistema de agua potable en Nacaxtle, 2024 (datos de ejemplo)",
    ]
    agua = datasets[
        "Rehabilitación del sistema de agua potable en Nacaxtle, 2024 (datos de ejemplo)"]
    # The dcat_rdf harvester sets no type: package_create gives the default, `dataset`, which
    # is our schemas/dataset.yaml (CKAN's standard fields plus the communities).
    assert agua["type"] == "dataset"
    assert agua["owner_org"] == dcat_source["owner_org"]
    assert agua["state"] == "active" and agua["private"] is False
    assert extra(agua, "identifier") == "VER-OP-2024-0187"
    assert extra(agua, "spatial_text") == "Nacaxtle"
    assert {t["name"] for t in agua["tags"]} == {"agua potable", "FISM-DF", "obra pública"}
    assert [r["url"] for r in agua["resources"]] == [
        file_server.url("/archivos/avance-nacaxtle-2024.csv")]
    assert agua["resources"][0]["format"] == "CSV"
    assert agua["license_id"] == "cc-by"     # found by its URI in CKAN's license register
    # the point of dct:spatial (locn:geometry, WKT) is kept as GeoJSON for ckanext-spatial
    assert json.loads(extra(agua, "spatial")) == {
        "type": "Point", "coordinates": [-95.0583911, 18.1550583]}


def test_dcat_datasets_get_the_communities_their_place_names(dcat_source, consumers, harvest):
    """dct:spatial's label "Nacaxtle" is a community of the register: the dataset is about it,
    and is found by the community facet; "municipios del sur" names none."""
    job = harvest.run(dcat_source["id"], consumers=consumers)
    assert harvest.errors(job) == []
    datasets = {extra(d, "identifier"): d for d in harvested(dcat_source["id"])}
    assert datasets["VER-OP-2024-0187"]["comunidades"] == [NACAXTLE]
    assert datasets["VER-OP-2023-0412"]["comunidades"] == []
    assert facet("hueyapan_comunidad") == {NACAXTLE: 1}


def test_dcat_datasets_validate_against_our_dataset_schema(dcat_source, consumers, harvest):
    """The harvester validates with the default schema it is given; staff then edit the dataset
    through ours (schemas/dataset.yaml): the harvested dict must pass it unchanged."""
    job = harvest.run(dcat_source["id"], consumers=consumers)
    assert harvest.errors(job) == []
    for dataset in harvested(dcat_source["id"]):
        context = {"ignore_auth": True, "user": call_action("get_site_user")["name"]}
        updated = call_action("package_update", context=context, **dataset)
        assert updated["type"] == "dataset"
        assert updated["title"] == dataset["title"]


def test_dcat_harvest_again_updates_without_duplicates(dcat_source, consumers, harvest):
    first = harvest.run(dcat_source["id"], consumers=consumers)
    assert first["stats"]["added"] == 2
    second = harvest.run(dcat_source["id"], consumers=consumers)
    assert harvest.errors(second) == []
    assert second["stats"]["added"] == 0
    assert second["stats"]["updated"] + second["stats"]["not modified"] == 2, second["stats"]
    assert len(harvested(dcat_source["id"])) == 2


def test_dcat_source_answering_500_ends_the_job_with_a_gather_error(
        file_server, org, consumers, harvest):
    url = file_server.add_error("/caido.ttl", status=500)
    source = harvest.create_source(name="catalogo-caido", title="Catálogo caído (ejemplo)",
                                   url=url, source_type="dcat_rdf", owner_org=org["id"])
    job = harvest.run(source["id"], consumers=consumers)
    assert any("500" in message for message in harvest.errors(job)), job["report"]
    assert job["stats"]["added"] == 0


def test_dcat_source_that_never_answers_ends_the_job_and_frees_the_consumer(
        file_server, org, consumers, harvest):
    """ckanext-dcat sets no timeout; the consumers give its requests
    ckanext.hueyapan.cosecha.timeout (5 s in test.ini): the job ends with a gather error, and the
    next job is served."""
    url = file_server.add_slow("/lento.ttl", seconds=30)
    source = harvest.create_source(name="catalogo-lento", title="Catálogo lento (ejemplo)",
                                   url=url, source_type="dcat_rdf", owner_org=org["id"])
    job = harvest.run(source["id"], consumers=consumers, timeout=60)
    assert any("timed out" in message for message in harvest.errors(job)), job["report"]
    assert job["elapsed"] < 25
    consumers.check()


# --- A remote CKAN --------------------------------------------------------------------------------

REMOTE_ORG = {
    "id": "6f1f3a52-5c1e-4c55-9b0e-1d1f2f6a9a10",
    "name": "secretaria-de-infraestructura",
    "title": "Secretaría de Infraestructura (ejemplo)",
    "type": "organization",
    "description": "Organización de ejemplo de un portal estatal.",
    "image_url": "",
    "created": "2021-02-03T17:20:11.384920",
    "is_organization": True,
    "approval_status": "approved",
    "state": "active",
}


def remote_dataset(base: str, id_: str, name: str, title: str, notes: str, tags: list[str],
                   extras: list[dict], resource: dict, modified: str) -> dict:
    """A dataset as CKAN 2.10+ returns it from package_search/package_show."""
    res_id = resource["id"]
    return {
        "author": "Dirección de Planeación (ejemplo)",
        "author_email": "planeacion@example.org",
        "creator_user_id": "0c8d2d4e-8f3a-4a55-a0a6-3f5a7b3f0e11",
        "id": id_,
        "isopen": True,
        "license_id": "cc-by",
        "license_title": "Creative Commons Attribution",
        "license_url": "http://www.opendefinition.org/licenses/cc-by",
        "maintainer": "Unidad de Transparencia (ejemplo)",
        "maintainer_email": "transparencia@example.org",
        "metadata_created": "2024-01-15T16:02:44.118236",
        "metadata_modified": modified,
        "name": name,
        "notes": notes,
        "num_resources": 1,
        "num_tags": len(tags),
        "organization": REMOTE_ORG,
        "owner_org": REMOTE_ORG["id"],
        "private": False,
        "state": "active",
        "title": title,
        "type": "dataset",
        "url": "",
        "version": "1.0",
        "extras": extras,
        "groups": [{
            "description": "Obras y servicios públicos.", "display_name": "Infraestructura",
            "id": "a3b9c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "image_display_url": "",
            "name": "infraestructura", "title": "Infraestructura",
        }],
        "resources": [{
            "cache_last_updated": None, "cache_url": None, "created": "2024-01-15T16:03:10.552231",
            "datastore_active": False, "description": resource.get("description", ""),
            "format": resource["format"], "hash": "", "id": res_id,
            "last_modified": None, "metadata_modified": modified,
            "mimetype": resource.get("mimetype"), "mimetype_inner": None,
            "name": resource["name"], "package_id": id_, "position": 0,
            "resource_type": None, "size": None, "state": "active", "url": resource["url"],
            "url_type": "",
        }],
        "tags": [{"display_name": t, "id": f"00000000-0000-4000-8000-{i:012d}", "name": t,
                  "state": "active", "vocabulary_id": None} for i, t in enumerate(tags)],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


@pytest.fixture
def remote_ckan(file_server):
    base = file_server.url("/portal")
    modified = datetime.datetime(2024, 10, 7, 18, 45, 12).isoformat()
    datasets = [
        remote_dataset(
            base, "1d7e2f0a-7c1b-4e8e-9a57-2b1e0c3d4f51",
            "pavimentacion-juan-diaz-covarrubias-2024",
            "Pavimentación con concreto hidráulico en Juan Díaz Covarrubias, "
            "2024 (datos de ejemplo)",
            "Obra de pavimentación de 1.2 km de calles en la cabecera de Juan Díaz Covarrubias. "
            "Datos de ejemplo.",
            ["pavimentacion", "obra-publica"],
            [{"key": "spatial_text", "value": "Juan Díaz Covarrubias"},
             {"key": "clave_estatal", "value": "VER-OP-2024-0233"}],
            {"id": "9b2c7d14-0e55-4d0b-8a33-5f0c2b7e4a21", "name": "Avance físico-financiero",
             "format": "CSV", "mimetype": "text/csv",
             "url": file_server.url("/archivos/pavimentacion-jdc-2024.csv")},
            modified,
        ),
        remote_dataset(
            base, "e4a1c9b3-2f6d-4b7a-8c0e-5d3f1a2b9c87", "padron-obras-fism-sur-veracruz-2023",
            "Obras del FISM-DF en municipios del sur de Veracruz, 2023 (datos de ejemplo)",
            "Listado de obras financiadas con el FISM-DF en 2023. Datos de ejemplo.",
            ["fism-df", "obra-publica"],
            [{"key": "periodicidad", "value": "anual"}],
            {"id": "3c5e7a90-1b2d-4f6e-9a8c-0d1e2f3a4b5c", "name": "Obras FISM-DF 2023",
             "format": "XLSX", "url": file_server.url("/archivos/obras-fism-2023.xlsx")},
            modified,
        ),
    ]
    envelope = {"help": base + "/api/3/action/help_show?name=package_search", "success": True}
    # The ckan harvester asks /api/3/action/package_search?rows=100&start=0&sort=id+asc and pages
    # on (start=100 ...) until a page comes back empty.
    file_server.add_json("/portal/api/3/action/package_search", {**envelope, "result": {
        "count": 2, "facets": {}, "search_facets": {}, "sort": "id asc", "results": datasets}})
    file_server.add_json("/portal/api/3/action/package_search?rows=100&start=100&sort=id+asc",
                         {**envelope, "result": {"count": 2, "facets": {}, "search_facets": {},
                                                 "sort": "id asc", "results": []}})
    file_server.add_json("/portal/api/3/action/organization_show",
                         {**envelope, "result": REMOTE_ORG})
    for dataset in datasets:
        file_server.add_json(f"/portal/api/3/action/package_show?id={dataset['name']}",
                             {**envelope, "result": dataset})
    return base, datasets


@pytest.fixture
def ckan_source(remote_ckan, org, harvest):
    base, _ = remote_ckan
    return harvest.create_source(
        name="portal-estatal-ckan", title="Portal estatal de datos (CKAN, ejemplo)",
        url=base, source_type="ckan", owner_org=org["id"],
    )


def test_remote_ckan_is_harvested_as_datasets(
        ckan_source, remote_ckan, consumers, harvest, file_server):
    _, remote = remote_ckan
    job = harvest.run(ckan_source["id"], consumers=consumers)

    assert harvest.errors(job) == []
    assert job["stats"]["added"] == 2, job["stats"]
    assert ("GET", "/portal/api/3/action/package_search?rows=100&start=0&sort=id+asc") \
        in file_server.requests
    assert ("GET", "/portal/api/3/action/package_search?rows=100&start=100&sort=id+asc") \
        in file_server.requests

    datasets = {d["id"]: d for d in harvested(ckan_source["id"])}
    # the ckan harvester keeps the remote ids and the remote type, here `dataset`
    assert set(datasets) == {d["id"] for d in remote}
    for original in remote:
        local = datasets[original["id"]]
        assert local["type"] == "dataset"
        assert local["name"] == original["name"]
        assert local["title"] == original["title"]
        # without `remote_orgs` in the source config, the datasets belong to the source's org
        assert local["owner_org"] == ckan_source["owner_org"]
        assert local["groups"] == []
        assert [r["url"] for r in local["resources"]] == [r["url"] for r in original["resources"]]
        assert {t["name"] for t in local["tags"]} == {t["name"] for t in original["tags"]}
    pav = datasets["1d7e2f0a-7c1b-4e8e-9a57-2b1e0c3d4f51"]
    assert extra(pav, "clave_estatal") == "VER-OP-2024-0233"
    # its "spatial_text" extra names a community of the register (with its accents)
    assert pav["comunidades"] == [JUAN_DIAZ_COVARRUBIAS]
    assert datasets["e4a1c9b3-2f6d-4b7a-8c0e-5d3f1a2b9c87"]["comunidades"] == []


def test_remote_ckan_datasets_validate_against_our_dataset_schema(ckan_source, consumers, harvest):
    job = harvest.run(ckan_source["id"], consumers=consumers)
    assert harvest.errors(job) == []
    for dataset in harvested(ckan_source["id"]):
        context = {"ignore_auth": True, "user": call_action("get_site_user")["name"]}
        updated = call_action("package_update", context=context, **dataset)
        assert updated["type"] == "dataset"


def test_remote_ckan_answering_500_ends_the_job_with_a_gather_error(
        file_server, org, consumers, harvest):
    file_server.add_error("/caido/api/3/action/package_search", status=500)
    source = harvest.create_source(name="portal-caido", title="Portal caído (ejemplo)",
                                   url=file_server.url("/caido"), source_type="ckan",
                                   owner_org=org["id"])
    job = harvest.run(source["id"], consumers=consumers)
    assert any("Unable to search remote CKAN" in m for m in harvest.errors(job)), job["report"]
    assert job["stats"]["added"] == 0


def test_remote_ckan_that_never_answers_ends_the_job_and_frees_the_consumer(
        file_server, org, consumers, harvest):
    """ckanext-harvest's ckan harvester calls requests without a timeout: the consumers give it
    one."""
    file_server.add_slow("/lento/api/3/action/package_search", seconds=30)
    source = harvest.create_source(name="portal-lento", title="Portal lento (ejemplo)",
                                   url=file_server.url("/lento"), source_type="ckan",
                                   owner_org=org["id"])
    job = harvest.run(source["id"], consumers=consumers, timeout=60)
    assert any("Unable to search remote CKAN" in m for m in harvest.errors(job)), job["report"]
    assert job["elapsed"] < 25
    consumers.check()


# --- Communities from the place a foreign dataset names -------------------------------------------


def _create(**fields) -> dict:
    context = {"ignore_auth": True, "user": call_action("get_site_user")["name"]}
    return call_action("package_create", context=context, type="dataset", **fields)


@pytest.mark.parametrize("extras, expected", [
    ([{"key": "spatial_text", "value": "juan diaz covarrubias"}], [JUAN_DIAZ_COVARRUBIAS]),
    ([{"key": "localidad", "value": "Nacaxtle; Juan Díaz Covarrubias"}],
     [NACAXTLE, JUAN_DIAZ_COVARRUBIAS]),
    ([{"key": "spatial_text", "value": NACAXTLE}], [NACAXTLE]),
    # the municipality beside a locality only says where the locality is
    ([{"key": "spatial_text", "value": "Nacaxtle, Hueyapan de Ocampo, Veracruz"}], [NACAXTLE]),
    ([{"key": "spatial_text", "value": "Hueyapan de Ocampo"}], ["30073"]),
    ([{"key": "spatial_text", "value": "Xalapa-Enríquez"}], []),
    # a namesake elsewhere: the geometry (Xalapa) is outside the municipality, nothing is guessed
    ([{"key": "spatial_text", "value": "Nacaxtle"},
      {"key": "spatial", "value": '{"type": "Point", "coordinates": [-96.9102, 19.5438]}'}], []),
    # the geometry inside the municipality confirms it
    ([{"key": "spatial_text", "value": "Nacaxtle"},
      {"key": "spatial", "value": '{"type": "Point", "coordinates": [-95.0583911, 18.1550583]}'}],
     [NACAXTLE]),
])
def test_communities_from_the_place_of_a_foreign_dataset(org, extras, expected):
    dataset = _create(name="datos-de-otro-catalogo", title="Datos de otro catálogo (ejemplo)",
                      owner_org=org["id"], extras=extras)
    assert dataset["comunidades"] == expected
    assert {e["key"] for e in dataset["extras"]} == {e["key"] for e in extras}


def test_communities_chosen_by_staff_win_over_the_place(org):
    dataset = _create(name="elegidas", title="Comunidades elegidas (ejemplo)", owner_org=org["id"],
                      comunidades=[JUAN_DIAZ_COVARRUBIAS],
                      extras=[{"key": "spatial_text", "value": "Nacaxtle"}])
    assert dataset["comunidades"] == [JUAN_DIAZ_COVARRUBIAS]


# --- The job timeout (ckan.harvest.timeout) -------------------------------------------------------


def test_a_stuck_job_is_finished_with_an_error_after_the_timeout(file_server, org, harvest):
    """No consumers run here, so the job stays Running; once its last action (here its creation)
    is older than ckan.harvest.timeout minutes, `harvester run` finishes it with an error."""
    from ckan.plugins.toolkit import config
    from ckanext.harvest.model import HarvestJob

    harvest.purge_queues()
    source = harvest.create_source(name="fuente-atorada", title="Fuente atorada (ejemplo)",
                                   url=file_server.url("/atorada.ttl"), source_type="dcat_rdf",
                                   owner_org=org["id"])
    site = {"ignore_auth": True, "user": call_action("get_site_user")["name"]}
    job = call_action("harvest_job_create", context=site, source_id=source["id"])
    assert job["status"] == "Running"
    minutes = int(config.get("ckan.harvest.timeout"))

    call_action("harvest_jobs_run", context=site, source_id=source["id"])
    model.Session.remove()
    assert call_action("harvest_job_show", id=job["id"])["status"] == "Running"

    long_ago = datetime.datetime.utcnow() - datetime.timedelta(minutes=minutes + 1)
    model.Session.query(HarvestJob).filter_by(id=job["id"]).update({HarvestJob.created: long_ago})
    model.Session.commit()
    call_action("harvest_jobs_run", context=site, source_id=source["id"])
    model.Session.remove()
    finished = call_action("harvest_job_show", id=job["id"])
    assert finished["status"] == "Finished"
    report = call_action("harvest_job_report", id=job["id"])
    assert [e["message"].splitlines()[0] for e in report["gather_errors"]] == [
        f"Job {job['id']} timeout ({minutes} minutes)"]
    harvest.purge_queues()


# --- The consumers themselves -------------------------------------------------------------------

