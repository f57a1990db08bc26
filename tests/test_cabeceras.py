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
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "sandbox" not in headers["Content-Security-Policy"]  # only uploaded files


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
