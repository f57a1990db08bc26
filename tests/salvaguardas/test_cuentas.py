"""Accounts against guessing and enumeration (issue 16): the login, reset and registration forms
are limited per account and per address and answer in Spanish; the reset form answers the same
whatever the account, also when the mail server is down; e-mail hashes only for their owner and
sysadmins. Through the real app; the counters are in the test Redis."""
from __future__ import annotations

import socket

import pytest

from ckan.tests import factories

from tests.sesion import PASSWORD, csrf_token

AUTH = "Authorization"
TOO_MANY = "Demasiados intentos"


@pytest.fixture
def counters(with_plugins, clean_db_all):
    """No counter left by another test (they would count against this one's address)."""
    from ckan.lib.redis import connect_to_redis

    def clear() -> None:
        redis = connect_to_redis()
        for key in redis.scan_iter("hueyapan:limite:*"):
            redis.delete(key)

    clear()
    yield
    clear()


def _login(app, login: str, password: str):
    token = csrf_token(app.get("/user/login"))
    return app.post("/user/login", data={"login": login, "password": password,
                                         "_csrf_token": token}, follow_redirects=False)


def test_the_11th_wrong_password_in_a_minute_is_refused_in_spanish(app, counters):
    user = factories.User(name="tesorera", password=PASSWORD)
    for attempt in range(10):
        answer = _login(app, user["name"], f"incorrecta-{attempt}")
        assert answer.status_code == 200, (attempt, answer.status_code)  # the form again
    refused = _login(app, user["name"], "incorrecta-10")
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) <= 60
    # the right password waits too: the account is what is limited
    assert _login(app, user["name"], PASSWORD).status_code == 429
    # another account from another address still logs in
    other = factories.User(name="cajero", password=PASSWORD)
    answer = app.post("/user/login", data={"login": other["name"], "password": PASSWORD,
                                           "_csrf_token": csrf_token(app.get("/user/login"))},
                      environ_overrides={"REMOTE_ADDR": "10.1.2.3"}, follow_redirects=False)
    assert answer.status_code == 302 and "/user/login" not in answer.headers["Location"]


@pytest.mark.ckan_config("ckanext.hueyapan.limites.por_direccion", "5")
def test_one_address_is_limited_whatever_the_account(app, counters):
    for attempt in range(5):
        assert _login(app, f"nadie-{attempt}", "x").status_code == 200
    assert _login(app, "nadie-5", "x").status_code == 429
    assert _login(app, "nadie-6", "x").status_code == 429


@pytest.mark.ckan_config("ckanext.hueyapan.limites.por_direccion", "3")
def test_registration_and_reset_are_limited_too(app, counters):
    for attempt in range(3):
        answer = app.post("/api/3/action/user_create", json={
            "name": f"vecina-{attempt}", "email": f"vecina{attempt}@example.org",
            "password": "Vecina-Hueyapan-2026"})
        assert answer.status_code != 429, answer.body
    refused = app.post("/api/3/action/user_create", json={
        "name": "vecina-3", "email": "vecina3@example.org", "password": "Vecina-Hueyapan-2026"})
    assert refused.status_code == 429 and TOO_MANY in refused.json["error"]["message"]
    for attempt in range(3):
        token = csrf_token(app.get("/user/reset"))
        assert app.post("/user/reset", data={"user": f"alguien{attempt}@example.org",
                                             "_csrf_token": token}).status_code != 429
    token = csrf_token(app.get("/user/reset"))
    refused = app.post("/user/reset", data={"user": "otra@example.org", "_csrf_token": token})
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)


@pytest.fixture
def mail_down(ckan_config, monkeypatch):
    """A mail server address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "catalogo@example.org")


@pytest.mark.usefixtures("mail_down")
def test_the_reset_answers_the_same_whatever_the_account_and_never_500(app, counters):
    factories.User(name="tesorera", email="tesoreria@example.org")
    answers = []
    for typed in ("tesorera", "tesoreria@example.org", "no-existe", "nadie@example.org"):
        token = csrf_token(app.get("/user/reset"))
        answer = app.post("/user/reset", data={"user": typed, "_csrf_token": token},
                          follow_redirects=False)
        assert answer.status_code == 302, (typed, answer.status_code)
        followed = app.get(answer.headers["Location"])
        assert followed.status_code == 200
        page = followed.get_data(as_text=True)
        flashes = [line.strip() for line in page.splitlines() if "alert" in line]
        answers.append((answer.headers["Location"], page.count("alert-danger"), flashes))
    assert len(set(map(str, answers))) == 1, answers


def test_email_hashes_only_for_their_owner_and_sysadmins(app, counters):
    reader = factories.UserWithToken(name="lectora")
    other = factories.User(name="tesorera", email="tesoreria@example.org")
    admin = factories.SysadminWithToken()

    def show(token, user_id):
        return app.get(f"/api/3/action/user_show?id={user_id}",
                       headers={AUTH: token}).json["result"]

    assert "email_hash" not in show(reader["token"], other["id"])
    assert "email_hash" in show(reader["token"], reader["id"])
    assert "email_hash" in show(admin["token"], other["id"])
    listed = app.get("/api/3/action/user_list", headers={AUTH: reader["token"]}).json["result"]
    assert [u["name"] for u in listed if "email_hash" in u] == ["lectora"]
    org = factories.Organization(users=[{"name": other["name"], "capacity": "editor"}])
    shown = app.get(f"/api/3/action/organization_show?id={org['id']}&include_users=true",
                    headers={AUTH: reader["token"]}).json["result"]
    assert shown["users"] and not [u for u in shown["users"] if "email_hash" in u]
    assert "email_hash" not in app.get(f"/api/3/action/user_show?id={other['id']}").json.get(
        "result", {})


def test_logout_is_a_post_with_its_token(app, counters):
    """Issue 16: a GET of /user/_logout (an image on another site) logged the visitor out."""
    from tests.sesion import log_in, logged_in

    user = factories.User(password=PASSWORD)
    log_in(app, user["name"])
    refused = app.get("/user/_logout", follow_redirects=False)
    assert refused.status_code == 405
    assert logged_in(app)
    assert app.post("/user/_logout", follow_redirects=False).status_code == 400  # no token
    assert logged_in(app)
    token = csrf_token(app.get("/dashboard/datasets"))
    out = app.post("/user/_logout", data={"_csrf_token": token}, follow_redirects=False)
    assert out.status_code == 302
    assert not logged_in(app)
