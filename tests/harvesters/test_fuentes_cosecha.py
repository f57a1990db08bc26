"""Harvest sources cannot point at loopback, private, link-local or cloud metadata addresses
(server-side request forgery) unless ``ckanext.hueyapan.cosecha.permitir_direcciones_locales``
is true, as it is in test.ini: the tests serve their sources on 127.0.0.1.

For every harvester type of the catalog the address is refused when a source is created or its
address changed (through the action API and the harvest source form), and a source saved while
local addresses were allowed fails in the harvest consumers once they are not, with a Spanish
error and no dataset changed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ckan import model
from ckan.tests import factories

from tests.harvesters.conftest import (
    FileServer,
    create_source,
    report_errors,
    run_harvest,
    running_consumers,
)
from tests.sesion import csrf_token, log_in

AUTH = "Authorization"
NOT_ALLOWED = "red local o privada"
SOURCE_TYPES = ("hueyapan_tabular", "ckan", "dcat_rdf")
LOCAL_ADDRESSES = (
    "http://127.0.0.1:8000/obras.csv",
    "http://localhost:5000/catalogo.ttl",            # a host name that resolves to loopback
    "http://[::1]/obras.csv",
    "http://10.0.0.5/obras.csv",
    "http://192.168.1.1/portal",
    "http://172.16.0.1/portal",
    "http://169.254.169.254/latest/meta-data/",     # the cloud metadata address (link-local)
    "http://[fe80::1]/obras.csv",
    "http://[::ffff:127.0.0.1]/obras.csv",
    "http://0.0.0.0:8983/solr/ckan/select",
)
PUBLIC = "http://8.8.8.8/datos/obras.csv"  # an address literal: nothing is resolved or fetched
STRICT = pytest.mark.ckan_config("ckanext.hueyapan.cosecha.permitir_direcciones_locales", "false")
ALLOWED = pytest.mark.ckan_config("ckanext.hueyapan.cosecha.permitir_direcciones_locales", "true")


@pytest.fixture
def org(with_plugins, clean_index, comunidades):
    return factories.Organization(name="obras-publicas", title="Obras Públicas")


@pytest.fixture
def sysadmin(org):
    return factories.SysadminWithToken()


def source_fields(source_type: str, url: str, name: str = "fuente") -> dict[str, Any]:
    fields = {"name": name, "title": "Fuente de prueba", "url": url, "source_type": source_type,
              "owner_org": "obras-publicas", "frequency": "MANUAL"}
    if source_type == "hueyapan_tabular":
        fields["config"] = json.dumps({"tipo": "obra", "organizacion": "obras-publicas"})
    return fields


def api(app, user, action: str, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers={AUTH: user["token"]})


def harvest_sources() -> list[str]:
    model.Session.remove()
    return [p.url for p in model.Session.query(model.Package).filter(
        model.Package.type == "harvest", model.Package.state == "active")]


# --- Creating and changing a source ---------------------------------------------------------------

@STRICT
@pytest.mark.parametrize("source_type", SOURCE_TYPES)
def test_a_local_address_is_refused_when_a_source_is_created(app, sysadmin, source_type):
    for url in LOCAL_ADDRESSES:
        answer = api(app, sysadmin, "harvest_source_create", **source_fields(source_type, url))
        assert answer.status_code == 409, (url, answer.body)
        error = answer.json["error"]
        assert set(error) == {"url", "__type"}, error
        assert NOT_ALLOWED in error["url"][0], (url, error)
    assert harvest_sources() == []
    created = api(app, sysadmin, "harvest_source_create", **source_fields(source_type, PUBLIC))
    assert created.status_code == 200, created.body
    assert harvest_sources() == [PUBLIC]


@STRICT
@pytest.mark.parametrize("source_type", SOURCE_TYPES)
def test_a_local_address_is_refused_when_a_source_is_changed(app, sysadmin, source_type):
    source = api(app, sysadmin, "harvest_source_create",
                 **source_fields(source_type, PUBLIC)).json["result"]
    for action in ("harvest_source_update", "harvest_source_patch", "package_patch"):
        for url in ("http://127.0.0.1:8983/solr/ckan/select", "http://169.254.169.254/"):
            data = {**source_fields(source_type, url), "id": source["id"]}
            if action != "harvest_source_update":
                data = {"id": source["id"], "url": url}
            answer = api(app, sysadmin, action, **data)
            assert answer.status_code == 409, (action, url, answer.body)
            assert NOT_ALLOWED in answer.json["error"]["url"][0]
    assert harvest_sources() == [PUBLIC]


@STRICT
def test_the_harvest_source_form_shows_the_refusal(app, sysadmin):
    log_in(app, sysadmin["name"])
    token = csrf_token(app.get("/harvest/new"))
    page = app.post("/harvest/new", data={
        **source_fields("ckan", "http://169.254.169.254/latest/meta-data/"),
        "_csrf_token": token, "save": ""})
    assert page.status_code == 200
    assert NOT_ALLOWED in page.get_data(as_text=True)
    assert harvest_sources() == []


@ALLOWED
@pytest.mark.parametrize("source_type", SOURCE_TYPES)
def test_loopback_is_accepted_when_the_configuration_allows_it(app, sysadmin, source_type):
    url = "http://127.0.0.1:8000/obras.csv"
    created = api(app, sysadmin, "harvest_source_create", **source_fields(source_type, url))
    assert created.status_code == 200, created.body
    changed = api(app, sysadmin, "harvest_source_patch", id=created.json["result"]["id"],
                  url="http://localhost:8001/obras.csv")
    assert changed.status_code == 200, changed.body
    assert harvest_sources() == ["http://localhost:8001/obras.csv"]


def test_the_test_configuration_allows_local_addresses():
    """The harvesting tests rely on it (their sources are on 127.0.0.1)."""
    from ckanext.hueyapan.salvaguardas import redes

    assert redes.locals_allowed()


# --- Harvesting a source saved while local addresses were allowed ---------------------------------

def _tabular(server: FileServer, title: str) -> str:
    from tests.harvesters.test_tabular import HEADER, ROWS

    row = ROWS["HUE-2025-FISM-001"].replace("Pavimentación de calle en Los Mangos", title)
    return server.add("/obras.csv", ("Obras 2025 — Datos de ejemplo\n" + HEADER + row).encode(),
                      content_type="text/csv")


def _ckan(server: FileServer, title: str) -> str:
    from tests.harvesters.test_ckan_dcat import REMOTE_ORG, remote_dataset

    base = server.url("/portal")
    dataset = remote_dataset(
        base, "1d7e2f0a-7c1b-4e8e-9a57-2b1e0c3d4f51", "pavimentacion-jdc-2024", title,
        "Datos de ejemplo.", ["obra-publica"], [],
        {"id": "9b2c7d14-0e55-4d0b-8a33-5f0c2b7e4a21", "name": "Avance", "format": "CSV",
         "url": server.url("/archivos/avance.csv")},
        "2024-10-07T18:45:12" if title.endswith("(1)") else "2024-11-20T09:00:00")
    envelope = {"help": base + "/api/3/action/help_show?name=package_search", "success": True}
    server.add_json("/portal/api/3/action/package_search", {**envelope, "result": {
        "count": 1, "facets": {}, "search_facets": {}, "sort": "id asc", "results": [dataset]}})
    server.add_json("/portal/api/3/action/package_search?rows=100&start=100&sort=id+asc",
                    {**envelope, "result": {"count": 1, "facets": {}, "search_facets": {},
                                            "sort": "id asc", "results": []}})
    server.add_json("/portal/api/3/action/organization_show", {**envelope, "result": REMOTE_ORG})
    server.add_json(f"/portal/api/3/action/package_show?id={dataset['name']}",
                    {**envelope, "result": dataset})
    return base


def _dcat(server: FileServer, title: str) -> str:
    catalog = "https://datos.example.org/veracruz/catalogo"
    turtle = f"""\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
<{catalog}> a dcat:Catalog ; dct:title "Catálogo de ejemplo"@es ;
    dcat:dataset <{catalog}/dataset/agua-nacaxtle> .
<{catalog}/dataset/agua-nacaxtle> a dcat:Dataset ; dct:identifier "VER-OP-2024-0187" ;
    dct:title "{title}"@es ; dct:description "Datos de ejemplo."@es .
"""
    return server.add("/catalogo.ttl", turtle, content_type="text/turtle; charset=utf-8")


SERVE = {"hueyapan_tabular": _tabular, "ckan": _ckan, "dcat_rdf": _dcat}


def harvested(source_id: str) -> dict[str, tuple[str, str, str]]:
    """The datasets of the source's current harvest objects: id -> (title, state,
    metadata_modified), from the database."""
    from ckanext.harvest.model import HarvestObject

    model.Session.remove()
    objects = model.Session.query(HarvestObject).filter_by(harvest_source_id=source_id,
                                                           current=True)
    # ckanext-harvest declares plain Columns: pyright reads package_id as Column[str]
    ids: set[Any] = {o.package_id for o in objects}
    packages = (model.Package.get(package_id) for package_id in ids)
    return {p.id: (p.title, p.state, str(p.metadata_modified)) for p in packages}


@pytest.mark.parametrize("source_type", SOURCE_TYPES)
def test_a_source_saved_while_allowed_fails_in_the_consumers_once_not_allowed(
        request, tmp_path, org, file_server, source_type):
    url = SERVE[source_type](file_server, "Obra de ejemplo (1)")
    source = create_source(**source_fields(source_type, url))
    ini = str(Path(request.config.getoption("--ckan-ini")).resolve())
    with running_consumers(ini) as allowed:
        first = run_harvest(source["id"], consumers=allowed)
    assert report_errors(first) == [] and first["stats"]["added"] == 1, first["report"]
    before = harvested(source["id"])
    assert [title for title, _, _ in before.values()] == ["Obra de ejemplo (1)"]

    # the remote data changes; local addresses are no longer allowed
    SERVE[source_type](file_server, "Obra de ejemplo (2)")
    strict_ini = tmp_path / "sin-locales.ini"
    strict_ini.write_text(f"[app:main]\nuse = config:{ini}\n"
                          "ckanext.hueyapan.cosecha.permitir_direcciones_locales = false\n")
    served = len(file_server.requests)
    with running_consumers(str(strict_ini)) as strict:
        job = run_harvest(source["id"], consumers=strict)
    errors = report_errors(job)
    assert any(NOT_ALLOWED in message for message in errors), errors
    assert job["stats"].get("added", 0) == job["stats"].get("updated", 0) == 0, job["stats"]
    assert harvested(source["id"]) == before
    assert file_server.requests[served:] == []  # refused before connecting


# --- The holes of issue 16: no Solr exemption, redirects checked per hop, no type bypass ----------

@pytest.fixture
def editor(org):
    """An editor of the área, as in the issue (any área editor may change its sources)."""
    from ckan.tests.helpers import call_action

    user = factories.UserWithToken()

    call_action("organization_member_create", id="obras-publicas", username=user["name"],
                role="editor")
    return user


@STRICT
@pytest.mark.parametrize("action", ["package_patch", "package_update"])
def test_a_type_dataset_in_the_request_does_not_skip_the_address_check(
        app, sysadmin, editor, file_server, action):
    """``package_patch`` of a harvest source with ``"type": "dataset"`` skipped the check."""
    source = api(app, sysadmin, "harvest_source_create",
                 **source_fields("dcat_rdf", PUBLIC)).json["result"]
    local = file_server.add("/catalogo.ttl", "", content_type="text/turtle")
    data = {"id": source["id"], "type": "dataset", "url": local}
    if action == "package_update":
        data = {**source_fields("dcat_rdf", local), "id": source["id"], "type": "dataset"}
    answer = api(app, editor, action, **data)
    assert answer.status_code == 409, answer.body
    assert NOT_ALLOWED in answer.json["error"]["url"][0]
    assert harvest_sources() == [PUBLIC]
    from ckanext.harvest.model import HarvestSource

    # ckanext-harvest's get is untyped, and its plain Columns read as Column[str]
    harvest_source: Any = HarvestSource.get(source["id"])
    assert harvest_source.url == PUBLIC
    assert file_server.requests == []


@STRICT
def test_the_workers_guard_exempts_not_even_solr(ckan_config, monkeypatch, file_server):
    """In a consumer process, the address of Solr (here a listener of the test) is refused like
    any local address, directly and as the target of a redirect from the catalog's own address,
    while CKAN's search client still reaches the real Solr."""
    import pysolr
    import requests
    from requests.adapters import HTTPAdapter

    from ckan.tests.helpers import call_action

    from ckanext.hueyapan.harvesters.workers import limit_http_waits

    solr = FileServer()  # where the test's configuration says Solr is
    try:
        solr.add_json("/solr/ckan/select", {"response": {"numFound": 0, "docs": []}})
        real_solr = ckan_config["solr_url"]
        monkeypatch.setitem(ckan_config, "solr_url", solr.url("/solr/ckan"))
        monkeypatch.setitem(ckan_config, "ckan.site_url", file_server.url("").rstrip("/"))
        download = file_server.add("/dataset/d/resource/r/download", "", status=302,
                                   headers={"Location": solr.url("/solr/ckan/select?q=*:*")})
        monkeypatch.setattr(HTTPAdapter, "send", HTTPAdapter.send)  # restored afterwards
        monkeypatch.setattr(pysolr.Solr, "get_session", pysolr.Solr.get_session)
        limit_http_waits(5)
        for url in (solr.url("/solr/ckan/select?q=*:*"), download):
            with pytest.raises(requests.ConnectionError, match="127.0.0.1"):
                requests.get(url)  # refused (in English outside a request: no job report)
        assert solr.requests == []
        assert file_server.requests == [("GET", "/dataset/d/resource/r/download")]
        monkeypatch.setitem(ckan_config, "solr_url", real_solr)
        assert call_action("package_search", q="*:*")["count"] >= 0
    finally:
        solr.close()


def test_a_redirect_to_a_local_address_is_refused_in_the_consumers(
        request, tmp_path, org, file_server):
    """A ``dcat_rdf`` source on the catalog's own address (allowed) that redirects, as a
    resource's ``/download`` does, to a local service: the hop is refused, never reached."""
    target = FileServer()
    try:
        target.add("/solr/ckan/select", "{}", content_type="application/json")
        own = file_server.add("/dataset/d/resource/r/download", "", status=302,
                              headers={"Location": target.url("/solr/ckan/select?q=*:*")})
        source = create_source(**source_fields("dcat_rdf", own))
        ini = str(Path(request.config.getoption("--ckan-ini")).resolve())
        strict_ini = tmp_path / "sin-locales.ini"
        strict_ini.write_text(
            f"[app:main]\nuse = config:{ini}\n"
            "ckanext.hueyapan.cosecha.permitir_direcciones_locales = false\n"
            f"ckan.site_url = {file_server.url('').rstrip('/')}\n")
        with running_consumers(str(strict_ini)) as strict:
            job = run_harvest(source["id"], consumers=strict)
        errors = report_errors(job)
        assert any(NOT_ALLOWED in message for message in errors), errors
        assert file_server.requests and {path for _, path in file_server.requests} == {
            "/dataset/d/resource/r/download"}  # the DCAT harvester asks HEAD, then GET
        assert target.requests == []
    finally:
        target.close()
