"""Security headers on every answer of the catalog (issue 16): pages, the API, errors and
static files carry nosniff, a Referrer-Policy, and may not be framed by another site."""
from __future__ import annotations

import pytest

PATHS = ["/", "/dataset/", "/obra/", "/user/login", "/api/3/action/status_show",
         "/no-existe-esta-pagina", "/base/images/ckan-logo.png"]


@pytest.mark.usefixtures("with_plugins", "clean_db_all")
@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_security_headers(app, path):
    answer = app.get(path)
    assert answer.status_code in (200, 404), (path, answer.status_code)
    headers = answer.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = _directives(headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert "sandbox" not in policy  # only uploaded files
    if path.startswith("/api/"):  # JSON: nothing in it runs or loads
        assert policy == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    else:  # scripts only from the catalog's files: no inline code, no eval, no nonce
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
        assert policy["img-src"][:2] == ["'self'", "data:"]


def _directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    parsed = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice in {policy!r}"
        parsed[name] = sources
    return parsed


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("option, address, source", [
    ("custom_url", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
     "https://*.tile.openstreetmap.org"),
    ("wms.url", "https://gaia.inegi.org.mx/NLB/tunnel/wms/wms61?", "https://gaia.inegi.org.mx"),
    ("custom_url", "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP", None),
])
def test_pages_may_load_the_tiles_of_the_configured_map(ckan_config, monkeypatch, make_app,
                                                         option, address, source):
    for key in ("custom_url", "custom.url", "wms.url"):
        monkeypatch.delitem(ckan_config, f"ckanext.spatial.common_map.{key}", raising=False)
    monkeypatch.setitem(ckan_config, f"ckanext.spatial.common_map.{option}", address)
    policy = _directives(make_app().get("/user/login").headers["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:"] + ([source] if source else [])


@pytest.mark.usefixtures("with_plugins", "clean_db_all")
@pytest.mark.parametrize("site_url, secure", [("https://datos.hueyapan.gob.mx", True),
                                              ("http://127.0.0.1:5000", False)])
def test_the_session_cookie_is_secure_when_the_site_is_https(
        ckan_config, monkeypatch, make_app, site_url, secure):
    from ckan.tests import factories

    from tests.sesion import PASSWORD, csrf_token

    monkeypatch.setitem(ckan_config, "ckan.site_url", site_url)
    app = make_app()
    user = factories.User(password=PASSWORD)
    # over HTTPS as the browser would be (a Secure cookie never comes back over plain HTTP)
    base = "https://localhost" if secure else "http://localhost"
    token = csrf_token(app.get("/user/login", base_url=base))
    answer = app.post("/user/login", data={"login": user["name"], "password": PASSWORD,
                                           "_csrf_token": token}, follow_redirects=False,
                      base_url=base, headers={"Referer": f"{base}/user/login"})
    assert answer.status_code == 302
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("ckan=")]
    assert cookies, answer.headers
    assert all(("; Secure" in c) is secure for c in cookies), cookies


@pytest.mark.usefixtures("with_plugins", "comunidades")
@pytest.mark.parametrize("address", ["javascript:alert(1)", " JaVaScRiPt:alert(1)",
                                     "data:text/html,<script>alert(1)</script>"])
def test_a_resource_whose_address_is_not_a_web_address_is_never_redirected_to(app, address):
    """CKAN redirected the download to the stored address and failed with a 500; a clear Spanish
    400 now, and web addresses are still redirected to."""
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    from tests.fabricas import area_obras, obra

    user = factories.Sysadmin()
    dataset = call_action("package_create", {"user": user["name"]}, **obra(area_obras()))
    hostile = call_action("resource_create", {"user": user["name"]}, package_id=dataset["id"],
                          name="enlace", url=address)
    web = call_action("resource_create", {"user": user["name"]}, package_id=dataset["id"],
                      name="expediente", url="https://example.org/expediente.pdf")

    answer = app.get(f"/obra/{dataset['name']}/resource/{hostile['id']}/download",
                     follow_redirects=False)
    assert answer.status_code == 400, answer.status_code
    assert "Location" not in answer.headers
    assert "no es una dirección web" in answer.get_data(as_text=True)
    answer = app.get(f"/dataset/{dataset['id']}/resource/{hostile['id']}/download/x.html",
                     follow_redirects=False)
    assert answer.status_code == 400
    answer = app.get(f"/obra/{dataset['name']}/resource/{web['id']}/download",
                     follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "https://example.org/expediente.pdf"
