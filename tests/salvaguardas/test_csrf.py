"""Cross-site request forgery, through the real Flask app with CKAN's Flask-WTF protection on (as
in test.ini and ckan.ini): people log in with the login form (session cookie), and every form of
the catalog refuses a POST without the token of the rendered form (400, nothing stored) and
accepts the same POST with it.

CKAN 2.12.0 exempts a view from the check for the rest of the process once an anonymous or an
API-token request has reached it (advisory GHSA-mcvf-jxcw-vj73);
``ckanext/hueyapan/salvaguardas/csrf.py`` checks those requests again. So every refusal here comes
after an attacker "primed" the route:
an anonymous visit and a visit with the attacker's own API token.
"""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import fabricas
from tests.sesion import csrf_token, log_in, logged_in

LOS_MANGOS = "300730030"
PDF = b"%PDF-1.4\n% acta de asamblea (datos de ejemplo)\n%%EOF\n"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

#: The routes of our own blueprints (views/) that change something, each
#: with the test below that submits it with its token and sees the change: a new route fails
#: ``test_every_route_of_our_blueprints_is_accepted_somewhere`` until it has one.
ACCEPTED_BY = {
    "propuestas.nueva": "test_a_proposal_needs_the_token_of_its_form",
    "propuestas.ver": "test_the_review_of_a_proposal_needs_the_token_of_its_form",
    "hueyapan.obra_nueva": "test_a_staff_page_is_saved_with_the_token_of_its_form",
    "hueyapan.actualizar_avance": "test_a_staff_page_is_saved_with_the_token_of_its_form",
    "hueyapan.actualizar_beneficiarios": "test_a_staff_page_is_saved_with_the_token_of_its_form",
    "hueyapan.registrar_consulta": "test_a_staff_page_is_saved_with_the_token_of_its_form",
    "hueyapan.retirar": "test_a_staff_page_is_saved_with_the_token_of_its_form",
    "hueyapan.publicar": "test_a_staff_page_is_saved_with_the_token_of_its_form",
    "hueyapan.cerrar_convocatoria": "test_a_staff_page_is_saved_with_the_token_of_its_form",
    "hueyapan.resolver_convocatoria": "test_a_staff_page_is_saved_with_the_token_of_its_form",
}


def our_blueprints() -> set[str]:
    """Our blueprints (``views.__all__``) and those CKAN makes for our dataset types."""
    from ckanext.hueyapan import views
    from ckanext.hueyapan.comun import DATASET_TYPES

    names = {getattr(views, name).name for name in views.__all__}
    for tipo in DATASET_TYPES:
        names |= {tipo, f"{tipo}_resource"}
    return names


def unsafe_routes(app) -> list[Any]:
    """Every URL rule of those blueprints that accepts a POST, PUT, PATCH or DELETE."""
    ours = our_blueprints()
    return sorted((rule for rule in app.flask_app.url_map.iter_rules()
                   if rule.methods & UNSAFE and rule.endpoint.rsplit(".", 1)[0] in ours),
                  key=lambda rule: rule.rule)


def fill(rule, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


TABLES = ("package", "resource", "resource_view", "member", "group",
          "user_following_dataset", "activity", "hueyapan_propuesta")


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the tables a form of the catalog could change."""
    rows = {}
    with model.meta.engine.connect() as connection:
        for table in TABLES:
            result = connection.execute(sa.text(f'SELECT * FROM "{table}"'))
            rows[table] = sorted(tuple(str(value) for value in row) for row in result)
    return rows


def browser(app):
    """A client of its own (its own cookies), as a second browser."""
    return app.test_client()


@pytest.fixture
def escena(with_plugins, clean_index, comunidades):
    """An área with an editor, one dataset of each type (the obra with a resource), an open call
    with a proposal from a registered proponent, and an attacker with an account and a token."""
    area = factories.User(name="area-obras", password="correct123")
    proponente = factories.User(name="agente-los-mangos", password="correct123",
                                email="agente@example.org")
    atacante = factories.UserWithToken(name="atacante")
    org = factories.Organization(name="obras-publicas", users=[{"name": area["name"],
                                                                "capacity": "editor"}])
    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}

    def resources(name: str) -> list[dict[str, str]]:
        return [{"url": f"https://example.org/{name}.csv", "name": name.capitalize(),
                 "format": "CSV"}]

    obra = call_action("package_create", context=dict(site), **fabricas.obra(
        org, resources=resources("avance")))
    programa = call_action("package_create", context=dict(site), **fabricas.programa(
        org, resources=resources("padron")))
    convocatoria = call_action("package_create", context=dict(site), **fabricas.convocatoria(
        org, fecha_apertura=fabricas.dia(-5), fecha_cierre=fabricas.dia(10),
        fecha_resultados=fabricas.dia(20), resources=resources("bases")))

    class _Acta:
        filename, stream = "acta.pdf", io.BytesIO(PDF)

    propuesta = call_action("hueyapan_propuesta_create", context={
        "user": proponente["name"], "ignore_auth": False}, **{
        "convocatoria": convocatoria["name"], "titulo": "Rehabilitar el pozo de agua",
        "comunidad": LOS_MANGOS, "problema": "El pozo se seca en abril.",
        "descripcion": "Desazolve y bomba nueva.", "beneficiarios_mujeres": "120",
        "beneficiarios_hombres": "110", "costo_estimado": "$250,000",
        "contacto_nombre": "Persona de contacto (ejemplo)", "contacto_telefono": "555-000-0000",
        "contacto_correo": "contacto@example.org", "acta": _Acta()})
    return {"area": area, "proponente": proponente, "atacante": atacante, "org": org,
            "obra": obra, "programa": programa, "convocatoria": convocatoria,
            "propuesta": propuesta}


def route_values(escena: dict[str, Any], rule) -> dict[str, str]:
    """Real ids for the placeholders of a route."""
    blueprint = rule.endpoint.rsplit(".", 1)[0]
    dataset = {"programa-social": escena["programa"],
               "convocatoria": escena["convocatoria"]}.get(blueprint.replace("_resource", ""),
                                                             escena["obra"])
    if blueprint == "propuestas":
        return {"name": escena["convocatoria"]["name"], "id": escena["propuesta"]["id"]}
    return {"id": dataset["name"], "resource_id": dataset["resources"][0]["id"],
            "view_id": "ninguna", "package_type": dataset["type"]}


def prime(app, url: str, methods: set[str], token: str) -> None:
    """What makes CKAN 2.12.0 exempt a view from the CSRF check for the whole process: one
    anonymous request and one with an API token (here the attacker's own)."""
    method = "GET" if "GET" in methods else "POST"
    browser(app).open(url, method=method, follow_redirects=False)
    browser(app).open(url, method=method, headers={"Authorization": token},
                      follow_redirects=False)


# --- Every route of our blueprints ----------------------------------------------------------------

@pytest.mark.usefixtures("with_plugins")
def test_every_route_of_our_blueprints_is_accepted_somewhere(app):
    ours = {rule.endpoint for rule in unsafe_routes(app)
            if rule.endpoint.split(".")[0] in ("hueyapan", "propuestas")}
    assert ours == set(ACCEPTED_BY), "add the route to ACCEPTED_BY with a test that submits it"
    assert all(name in globals() for name in ACCEPTED_BY.values())


def test_every_route_that_changes_something_refuses_a_post_without_token(app, escena):
    routes = unsafe_routes(app)
    endpoints = {rule.endpoint for rule in routes}
    for tipo in ("obra", "programa-social", "convocatoria"):  # the listing found them all
        assert {f"{tipo}.new", f"{tipo}.edit", f"{tipo}.delete", f"{tipo}_resource.new",
                f"{tipo}_resource.edit", f"{tipo}_resource.delete"} <= endpoints
    assert {"propuestas.nueva", "propuestas.ver"} <= endpoints

    urls = [(fill(rule, route_values(escena, rule)), rule) for rule in routes]
    for url, rule in urls:
        prime(app, url, rule.methods, escena["atacante"]["token"])
    log_in(app, "area-obras")
    before = snapshot()
    form = {"title": "Cambiado por otro sitio", "name": "cambiado", "accion": "estado",
            "estado": "rechazada", "motivo": "x", "titulo": "Propuesta falsa",
            "comunidad": LOS_MANGOS, "url": "https://example.org/falso.csv", "save": "again",
            "id": "", "group_added": "x"}
    for url, rule in urls:
        for method in sorted(rule.methods & UNSAFE):
            for forged in ({}, {"_csrf_token": "no-es-un-token"}):
                answer = app.client.open(url, method=method, data={**form, **forged},
                                         follow_redirects=False)
                assert answer.status_code == 400, (method, url, answer.status_code)
    assert snapshot() == before
    assert logged_in(app)  # refused for the missing token, not for the session


# --- The login form -------------------------------------------------------------------------------

def test_the_login_form_needs_its_token(app, with_plugins, clean_db_all):
    factories.User(name="area-obras", password="correct123")
    visitor = browser(app)
    form = visitor.get("/user/login")  # an anonymous visit, as every visitor's first one
    for forged in ({}, {"_csrf_token": "no-es-un-token"}):
        answer = visitor.post("/user/login", data={
            "login": "area-obras", "password": "correct123", **forged}, follow_redirects=False)
        assert answer.status_code == 400
        assert not logged_in(visitor)
    answer = visitor.post("/user/login", data={
        "login": "area-obras", "password": "correct123", "_csrf_token": csrf_token(form)},
        follow_redirects=False)
    assert answer.status_code == 302 and "/mi-area" in answer.headers["Location"]
    assert logged_in(visitor)


# --- Dataset and resource forms -------------------------------------------------------------------

def form_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A dataset of the builders as the scheming form posts it (no repeating subfields)."""
    fields = {key: value for key, value in data.items()
              if isinstance(value, str) or (isinstance(value, list)
                                            and all(isinstance(v, str) for v in value))}
    return {**fields, "save": "continue"}


@pytest.mark.parametrize("tipo, builder", [
    ("obra", fabricas.obra), ("programa-social", fabricas.programa),
    ("convocatoria", fabricas.convocatoria)])
def test_a_dataset_form_needs_its_token(app, escena, tipo, builder):
    prime(app, f"/{tipo}/new", {"GET", "POST"}, escena["atacante"]["token"])
    log_in(app, "area-obras")
    data = form_fields(builder(escena["org"], name=f"nuevo-{tipo}", title=f"Nuevo {tipo}"))
    refused = app.post(f"/{tipo}/new", data=data, follow_redirects=False)
    assert refused.status_code == 400
    assert model.Package.get(f"nuevo-{tipo}") is None

    token = csrf_token(app.get(f"/{tipo}/new"))
    accepted = app.post(f"/{tipo}/new", data={**data, "_csrf_token": token},
                        follow_redirects=False)
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[-3000:]
    assert f"/{tipo}/nuevo-{tipo}" in accepted.headers["Location"]
    created = call_action("package_show", id=f"nuevo-{tipo}")
    assert (created["type"], created["title"]) == (tipo, f"Nuevo {tipo}")


def test_the_resource_form_needs_its_token(app, escena):
    url = f"/obra/{escena['obra']['name']}/resource/new"
    prime(app, url, {"GET", "POST"}, escena["atacante"]["token"])
    log_in(app, "area-obras")
    data = {"id": "", "name": "Padrón de beneficiarios", "url": "https://example.org/padron.csv",
            "format": "CSV", "save": "again"}
    assert app.post(url, data=data, follow_redirects=False).status_code == 400
    assert len(call_action("package_show", id=escena["obra"]["id"])["resources"]) == 1

    token = csrf_token(app.get(url))
    accepted = app.post(url, data={**data, "_csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 302
    names = [r["name"] for r in call_action("package_show", id=escena["obra"]["id"])["resources"]]
    assert names == ["Avance", "Padrón de beneficiarios"]


# --- Proposals (blueprint propuestas) -------------------------------------------------------------

def proposals() -> list[tuple[str, str]]:
    return snapshot()["hueyapan_propuesta"]


def test_a_proposal_needs_the_token_of_its_form(app, escena):
    url = f"/convocatoria/{escena['convocatoria']['name']}/propuesta/nueva"
    prime(app, url, {"GET", "POST"}, escena["atacante"]["token"])
    log_in(app, "agente-los-mangos")
    before = proposals()

    def data(**extra):
        return {"titulo": "Camino a la escuela", "comunidad": LOS_MANGOS,
                "problema": "El camino se inunda.", "descripcion": "Revestimiento y cunetas.",
                "beneficiarios_mujeres": "80", "beneficiarios_hombres": "75",
                "costo_estimado": "$180,000", "contacto_nombre": "Persona de contacto (ejemplo)",
                "contacto_telefono": "555-000-0001", "contacto_correo": "camino@example.org",
                "acta": (io.BytesIO(PDF), "acta.pdf"), **extra}

    refused = app.post(url, data=data(), content_type="multipart/form-data",
                       follow_redirects=False)
    assert refused.status_code == 400
    assert proposals() == before

    token = csrf_token(app.get(url))
    accepted = app.post(url, data=data(_csrf_token=token), content_type="multipart/form-data",
                        follow_redirects=False)
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[-3000:]
    assert "/propuesta/" in accepted.headers["Location"]
    assert len(proposals()) == len(before) + 1


def test_the_review_of_a_proposal_needs_the_token_of_its_form(app, escena):
    propuesta = escena["propuesta"]
    url = f"/propuesta/{propuesta['id']}"
    prime(app, url, {"GET", "POST"}, escena["atacante"]["token"])
    log_in(app, "area-obras")
    review = {"accion": "estado", "estado": "en_revision", "motivo": ""}

    def estado() -> str:
        return call_action("hueyapan_propuesta_show", context={"user": "area-obras"},
                           id=propuesta["id"])["estado"]

    assert app.post(url, data=review, follow_redirects=False).status_code == 400
    assert estado() == "recibida"
    token = csrf_token(app.get(url))
    accepted = app.post(url, data={**review, "_csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 302
    assert estado() == "en_revision"


# --- The action API -------------------------------------------------------------------------------

def test_a_staff_page_is_saved_with_the_token_of_its_form(app, escena):
    """Each one-screen staff page (issue 18) saves when its form's token comes with it (the
    test above shows that each refuses a POST without it)."""
    obra, programa = escena["obra"]["name"], escena["programa"]["name"]
    convocatoria = escena["convocatoria"]["name"]
    log_in(app, "area-obras")
    hoy = fabricas.dia(0)
    steps = [  # (page, form, what is true after it)
        ("/obra/nueva", {"title": "Alumbrado de la calle Hidalgo", "comunidades": LOS_MANGOS,
                         "etapa": "planeacion", "ejercicio_fiscal": "2026",
                         "monto_aprobado": "480,000", "fuente": "fism"},
         lambda: call_action("package_show", id="hue-2026-fism-001")["title"]
         == "Alumbrado de la calle Hidalgo"),
        (f"/obra/{obra}/avance", {"fecha": hoy, "avance_fisico": "12", "avance_financiero": ""},
         lambda: call_action("package_show", id=obra)["avance_fisico"] == "12"),
        (f"/obra/{obra}/consulta", {"fecha": fabricas.dia(-2), "lugar": "Salón ejidal"},
         lambda: len(call_action("package_show", id=obra)["consultas"]) == 1),
        (f"/programa-social/{programa}/beneficiarios",
         {"comunidad": "300730029", "mujeres": "30", "hombres": "25"},
         lambda: call_action("package_show", id=programa)["beneficiarios"][0]["total"] == "55"),
        (f"/dataset/{obra}/retirar", {"motivo": "Se revisan los montos."},
         lambda: call_action("package_show", id=obra)["private"] is True),
        (f"/dataset/{obra}/publicar", {},
         lambda: call_action("package_show", id=obra)["private"] is False),
        (f"/convocatoria/{convocatoria}/cerrar", {"motivo": "Se canceló el recurso."},
         lambda: call_action("package_show", id=convocatoria)["estado"] == "cerrada"),
        (f"/convocatoria/{convocatoria}/resultados",
         {"resultados_recibidas": "1", "resultados_aprobadas": "1", "fecha_resultados": hoy},
         lambda: call_action("package_show", id=convocatoria)["estado"] == "resuelta"),
    ]
    for url, data, done in steps:
        token = csrf_token(app.get(url))
        answer = app.post(url, data={**data, "_csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 302, (url, answer.get_data(as_text=True)[-2000:])
        assert done(), url


def test_the_api_with_the_session_cookie_needs_the_token_header(app, escena):
    """A page's scripts call the API with the session cookie and the X-CSRFToken header (CKAN's
    JavaScript client does); a form on another site cannot add the header. API clients with a
    token, and anonymous calls, need none."""
    obra = escena["obra"]
    url = "/api/3/action/package_patch"
    prime(app, url, {"POST"}, escena["atacante"]["token"])
    assert browser(app).post("/api/3/action/package_search", json={"q": "pozo"}).status_code == 200
    log_in(app, "area-obras")
    refused = app.post(url, json={"id": obra["id"], "title": "Cambiado por otro sitio"},
                       follow_redirects=False)
    assert refused.status_code == 400
    assert call_action("package_show", id=obra["id"])["title"] == obra["title"]

    token = csrf_token(app.get(f"/obra/edit/{obra['name']}"))
    accepted = app.post(url, json={"id": obra["id"], "title": "Título corregido"},
                        headers={"X-CSRFToken": token})
    assert accepted.status_code == 200, accepted.get_data(as_text=True)[-2000:]

    api_client = factories.SysadminWithToken()
    by_token = browser(app).post(url, json={"id": obra["id"], "title": "Título por API"},
                                 headers={"Authorization": api_client["token"]})
    assert by_token.status_code == 200
    assert call_action("package_show", id=obra["id"])["title"] == "Título por API"
