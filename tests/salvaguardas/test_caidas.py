"""A Solr or PostgreSQL outage answers a clear Spanish 503 with ``Retry-After`` (pages and API),
never a 500 or an empty page, and everything answers again as soon as the service does.

The shared services are never stopped here. Solr's outage is this test's own ``solr_url``
pointing at a port where nothing listens (connection refused, as when Solr is stopped), or at a
server that answers 503 (as Solr does while it loads its cores). PostgreSQL's is the test
database refusing new connections (``CONNECTION LIMIT 0``) after its open ones were cut, as in
a restart. ``make loadtest`` stops and restarts the real services under load
(loadtest/carga.py).
"""
from __future__ import annotations

import contextlib
import http.server
import socket
import threading

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra

LOS_MANGOS = "300730030"
MESSAGE = "El catálogo no está disponible en este momento"
SEARCH_DOWN = "El servicio de búsqueda no responde"
DATABASE_DOWN = "La base de datos no responde"

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")


@pytest.fixture
def catalogo(with_plugins, clean_index, comunidades):
    """One public obra in Los Mangos, indexed while Solr answers."""
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    return call_action("package_create", context=context,
                       **obra(org, title="Red de agua potable de Los Mangos"))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def solr_caido(ckan_config, monkeypatch):
    """Solr stopped: nothing listens at ``solr_url``."""
    monkeypatch.setitem(ckan_config, "solr_url", f"http://127.0.0.1:{_closed_port()}/solr/ckan")


class _Loading(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        body = b"<html><body><h2>HTTP ERROR 503 SolrCore is loading</h2></body></html>"
        self.send_response(503)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def solr_cargando(ckan_config, monkeypatch):
    """Solr starting: it answers, but 503, until its cores are loaded."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Loading)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(ckan_config, "solr_url",
                        f"http://127.0.0.1:{server.server_address[1]}/solr/ckan")
    yield
    server.shutdown()
    server.server_close()


def _error_page(response) -> str:
    page = BeautifulSoup(response.body, "html.parser")
    return " ".join(page.find(id="error-content").get_text(" ").split())


SEARCH_PAGES = [
    "/",
    "/dataset/?q=agua",
    f"/obra/?hueyapan_comunidad={LOS_MANGOS}",
    "/obra/?q=agua&hueyapan_etapa=planeacion&sort=metadata_modified+desc",
    "/programa-social/",
    "/convocatoria/?hueyapan_estado=abierta",
    "/comunidad/",
    f"/comunidad/{LOS_MANGOS}",
    f"/comunidad/{LOS_MANGOS}/cambios.atom",
    "/cambios/obra.atom",
    "/exportar/obra.csv",
    "/organization/obras-publicas",
]


def _spanish_503_page(response, why: str = SEARCH_DOWN) -> str | None:
    """What is wrong with an answer that should be the Spanish 503 page (None: nothing)."""
    if response.status_code != 503:
        return f"status {response.status_code}"
    if response.headers.get("Retry-After") != "30":
        return f"Retry-After {response.headers.get('Retry-After')!r}"
    text = _error_page(response)
    for wanted in (MESSAGE, "(error 503)", why):
        if wanted not in text:
            return f"no {wanted!r} in {text!r}"
    if "Service Unavailable" in text or "Internal server error" in text:
        return f"English text in {text!r}"
    return None


def _spanish_503_json(response, action: str | None, why: str = "el servicio de búsqueda no responde"
                      ) -> str | None:
    """What is wrong with an answer that should be the API's Spanish 503 (None: nothing)."""
    if response.status_code != 503:
        return f"status {response.status_code}"
    if response.headers.get("Retry-After") != "30":
        return f"Retry-After {response.headers.get('Retry-After')!r}"
    if not response.headers["Content-Type"].startswith("application/json"):
        return response.headers["Content-Type"]
    body = response.json
    help_url = action and f"http://test.ckan.net/api/3/action/help_show?name={action}"
    expected = {"help": help_url, "success": False, "error": {
        "__type": "Service Unavailable",
        "message": f"{MESSAGE}: {why}. Intente de nuevo en un minuto."}}
    return None if body == expected else repr(body)


@pytest.mark.usefixtures("catalogo", "solr_caido")
def test_every_page_that_needs_search_answers_a_spanish_503(app):
    wrong = {path: _spanish_503_page(app.get(path)) for path in SEARCH_PAGES}
    assert {path: why for path, why in wrong.items() if why} == {}


@pytest.mark.usefixtures("catalogo", "solr_caido")
def test_the_api_answers_a_spanish_json_503(app):
    calls = {
        "/api/3/action/package_search?q=agua"
        "&facet.field=[\"hueyapan_comunidad\",\"hueyapan_etapa\"]": "package_search",
        f"/api/3/action/package_search?fq=hueyapan_comunidad:{LOS_MANGOS}&rows=5": "package_search",
        "/api/action/package_search": "package_search",
        "/api/3/action/hueyapan_resumen?tipo=obra": "hueyapan_resumen",
    }
    wrong = {path: _spanish_503_json(app.get(path), action) for path, action in calls.items()}
    assert {path: why for path, why in wrong.items() if why} == {}


def test_package_show_does_not_need_search(catalogo, solr_caido, app):
    """package_show reads PostgreSQL when Solr does not answer; a dataset's page too, or, if
    something on it asks Solr, it is the Spanish 503: never a 500."""
    response = app.get(f"/api/3/action/package_show?id={catalogo['name']}")
    assert response.status_code == 200 and response.json["result"]["name"] == catalogo["name"]
    page = app.get(f"/obra/{catalogo['name']}")
    assert page.status_code == 200 or _spanish_503_page(page) is None


@pytest.mark.usefixtures("catalogo", "solr_cargando")
def test_solr_loading_its_cores_is_an_outage_too(app):
    wrong = {path: _spanish_503_page(app.get(path))
             for path in ("/", "/dataset/?q=agua", f"/comunidad/{LOS_MANGOS}")}
    wrong["API"] = _spanish_503_json(app.get("/api/3/action/package_search?q=agua"),
                                     "package_search")
    assert {path: why for path, why in wrong.items() if why} == {}


@pytest.mark.usefixtures("catalogo")
def test_a_bad_query_is_not_an_outage(app):
    """Solr answers 400 to a query it cannot parse: CKAN's own answer stays (409, not 503)."""
    response = app.get("/api/3/action/package_search?fq=title:(agua")
    assert response.status_code == 409
    assert "Retry-After" not in response.headers
    assert app.get("/api/3/action/package_search?sort=no+vale").status_code == 400


def test_everything_answers_again_once_solr_does(app, catalogo, ckan_config, monkeypatch):
    """No state is kept between requests, and nothing computed during the outage is cached:
    the export made after it lists the obra."""
    working = ckan_config["solr_url"]
    monkeypatch.setitem(ckan_config, "solr_url", f"http://127.0.0.1:{_closed_port()}/solr/ckan")
    for path in ("/", "/exportar/obra.csv", f"/comunidad/{LOS_MANGOS}"):
        assert app.get(path).status_code == 503
    monkeypatch.setitem(ckan_config, "solr_url", working)
    home = app.get("/")
    assert home.status_code == 200 and "Retry-After" not in home.headers
    assert "Red de agua potable de Los Mangos" in app.get(f"/comunidad/{LOS_MANGOS}").body
    assert "Red de agua potable de Los Mangos" in app.get("/exportar/obra.csv").body
    result = app.get("/api/3/action/package_search?q=agua").json["result"]
    assert [d["name"] for d in result["results"]] == [catalogo["name"]]


def test_the_api_help_of_package_search_is_still_ckans(app):
    help_text = app.get("/api/3/action/help_show?name=package_search").json["result"]
    assert "Searches for packages satisfying a given search criteria" in help_text


# --- PostgreSQL -----------------------------------------------------------------------------------

def _cut_connections(admin) -> None:
    """PostgreSQL ends every other connection to the test database (as a restart does)."""
    admin.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))


@pytest.fixture
def administracion():
    """A connection of its own to the test database, outside CKAN's pool."""
    engine = sa.create_engine(model.meta.engine.url, poolclass=sa.pool.NullPool,
                              isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@contextlib.contextmanager
def _database_down(admin):
    """PostgreSQL down: the open connections cut and new ones refused, until the block ends."""
    database = admin.execute(sa.text("SELECT current_database()")).scalar()
    admin.execute(sa.text(f'ALTER DATABASE "{database}" CONNECTION LIMIT 0'))
    try:
        _cut_connections(admin)
        yield
    finally:
        admin.execute(sa.text(f'ALTER DATABASE "{database}" CONNECTION LIMIT -1'))


def test_connections_postgresql_closed_are_replaced_by_themselves(app, catalogo, administracion):
    """After a restart the pool holds dead connections: CKAN's ``pool_pre_ping`` (on by default)
    replaces them, so the first requests already succeed."""
    for _ in range(3):
        assert app.get("/api/3/action/package_show?id=" + catalogo["name"]).status_code == 200
    _cut_connections(administracion)
    for path in ("/api/3/action/package_show?id=" + catalogo["name"], "/",
                 f"/obra/{catalogo['name']}"):
        response = app.get(path)
        assert response.status_code == 200 and "Retry-After" not in response.headers, path


def test_postgresql_down_answers_a_spanish_503(app, catalogo, administracion):
    """While PostgreSQL refuses connections, pages and the API answer the Spanish 503; once it
    accepts them again, 200."""
    paths = {"/": None, f"/obra/{catalogo['name']}": None, f"/comunidad/{LOS_MANGOS}": None}
    api = {f"/api/3/action/package_show?id={catalogo['name']}": "package_show",
           "/api/3/action/hueyapan_comunidad_list": "hueyapan_comunidad_list"}
    with _database_down(administracion):
        wrong = {path: _spanish_503_page(app.get(path), DATABASE_DOWN) for path in paths}
        wrong.update({path: _spanish_503_json(app.get(path), action, "la base de datos no responde")
                      for path, action in api.items()})
    assert {path: why for path, why in wrong.items() if why} == {}
    for path in [*paths, *api]:
        assert app.get(path).status_code == 200, path
