"""Sessions on the server (issue 16): a session lives in Redis and the browser keeps only its id,
so a copy of the cookies saved before logout, or before a new password (set by the user on
another device or the API, by the reset form or by a sysadmin), no longer logs anyone in.
Flask-Login's remember-me cookie is neither issued nor accepted. Through the real app, with
the test Redis; every "device" is a test client with its own cookies."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from flask_login.utils import encode_cookie

from ckan import model
from ckan.lib import mailer
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from tests.sesion import PASSWORD, csrf_token, log_in, logged_in

NEW_PASSWORD = "otra-clave-segura-123"
REMEMBER = "remember_token"


@pytest.fixture
def redis(with_plugins, clean_db_all):
    """The test Redis, without sessions, password stamps or login counters of other tests."""
    from ckan.lib.redis import connect_to_redis

    connection = connect_to_redis()

    def clear() -> None:
        for pattern in ("hueyapan:limite:*", "hueyapan:sesiones:*",
                        f"{tk.config['SESSION_KEY_PREFIX']}*"):
            for key in connection.scan_iter(pattern):
                connection.delete(key)

    clear()
    yield connection
    clear()


def _domain() -> str:
    """The host the test client sends requests to (``ckan.site_url``), its cookies' domain."""
    return urlparse(tk.config["ckan.site_url"]).hostname or "localhost"


def _session_cookie(client: Any) -> str:
    cookie = client.get_cookie(tk.config["SESSION_COOKIE_NAME"], domain=_domain())
    assert cookie is not None, "the client has no session cookie"
    return cookie.value


def _device(app: Any, cookies: dict[str, str]) -> Any:
    """Another browser holding a copy of ``cookies``."""
    client = app.test_client()
    for key, value in cookies.items():
        client.set_cookie(key, value, domain=_domain())
    return client


def _logged_in_device(app: Any, name: str) -> Any:
    client = app.test_client()
    log_in(client, name)
    assert logged_in(client)
    return client


def _log_out(client: Any) -> None:
    token = csrf_token(client.get("/dashboard/datasets"))
    assert client.post("/user/_logout", data={"_csrf_token": token},
                       follow_redirects=False).status_code == 302


def test_a_login_persists_and_its_session_is_in_redis(app, redis):
    user = factories.User(password=PASSWORD)
    log_in(app, user["name"])
    assert logged_in(app) and logged_in(app)
    key = tk.config["SESSION_KEY_PREFIX"] + _session_cookie(app.client)
    stored = redis.get(key)
    assert stored is not None and user["id"].encode() in stored
    assert 0 < redis.ttl(key) <= tk.asint(tk.config["PERMANENT_SESSION_LIFETIME"])


def test_a_saved_session_cookie_is_refused_after_logout(app, redis):
    user = factories.User(password=PASSWORD)
    log_in(app, user["name"])
    sid = _session_cookie(app.client)
    saved = {tk.config["SESSION_COOKIE_NAME"]: sid}
    assert logged_in(_device(app, saved))  # the copy works while the session lives
    _log_out(app.client)
    assert not logged_in(app)
    assert redis.get(tk.config["SESSION_KEY_PREFIX"] + sid) is None
    assert not logged_in(_device(app, saved))
    log_in(app, user["name"])  # and logging in again works
    assert logged_in(app)


def test_remember_me_issues_no_cookie_and_a_saved_one_is_refused(app, redis):
    """Stock CKAN ticks "Remember me" (value 63072000) and Flask-Login then sets a remember_token
    that logs in by itself after logout; it carries no time, so it cannot be ended."""
    user = factories.User(password=PASSWORD)
    answer = app.post("/user/login", data={
        "login": user["name"], "password": PASSWORD, "remember": "63072000",
        "_csrf_token": csrf_token(app.get("/user/login"))}, follow_redirects=False)
    assert answer.status_code == 302 and "/user/login" not in answer.headers["Location"]
    assert REMEMBER not in " ".join(answer.headers.getlist("Set-Cookie"))
    assert app.client.get_cookie(REMEMBER, domain=_domain()) is None
    assert logged_in(app)
    saved = {tk.config["SESSION_COOKIE_NAME"]: _session_cookie(app.client)}
    _log_out(app.client)

    # a remember_token as Flask-Login signs it (from stock CKAN, before this change)
    with app.flask_app.test_request_context():
        remembered = encode_cookie(user["id"])
    app.client.set_cookie(REMEMBER, remembered, domain=_domain())
    answer = app.get("/dashboard/datasets", follow_redirects=False)
    assert answer.status_code != 200
    assert f"{REMEMBER}=;" in " ".join(answer.headers.getlist("Set-Cookie"))  # deleted
    assert not logged_in(_device(app, {REMEMBER: remembered}))
    assert not logged_in(_device(app, {**saved, REMEMBER: remembered}))


def _sessions_of(app: Any, name: str) -> tuple[Any, dict[str, str]]:
    """A device logged in as ``name`` and the copy of its session cookie a thief saved."""
    device = _logged_in_device(app, name)
    return device, {tk.config["SESSION_COOKIE_NAME"]: _session_cookie(device)}


def test_a_new_password_through_the_api_ends_every_session(app, redis):
    user = factories.UserWithToken(password=PASSWORD)
    laptop, saved = _sessions_of(app, user["name"])
    phone = _logged_in_device(app, user["name"])
    answer = app.post("/api/3/action/user_patch", json={"id": user["id"], "password": NEW_PASSWORD},
                      headers={"Authorization": user["token"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert not logged_in(laptop) and not logged_in(phone)
    assert not logged_in(_device(app, saved))
    log_in(app, user["name"], NEW_PASSWORD)  # a login after the change is a good one
    assert logged_in(app) and logged_in(app)


def test_an_update_without_a_new_password_ends_nothing(app, redis):
    user = factories.UserWithToken(password=PASSWORD)
    laptop = _logged_in_device(app, user["name"])
    answer = app.post("/api/3/action/user_patch", json={"id": user["id"], "about": "Hola"},
                      headers={"Authorization": user["token"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert logged_in(laptop)


def _edit_form(client: Any, name: str, old_password: str) -> Any:
    page = client.get(f"/user/edit/{name}")
    assert page.status_code == 200
    shown = model.User.get(name)
    return client.post(f"/user/edit/{name}", data={
        "_csrf_token": csrf_token(page), "name": shown.name, "fullname": shown.fullname or "",
        "email": shown.email, "about": "", "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD, "old_password": old_password, "save": ""},
        follow_redirects=False)


def test_the_user_changing_it_on_another_device_ends_the_others_and_stays(app, redis):
    user = factories.User(password=PASSWORD)
    laptop, saved = _sessions_of(app, user["name"])
    phone = _logged_in_device(app, user["name"])
    answer = _edit_form(phone, user["name"], PASSWORD)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    assert model.User.get(user["id"]).validate_password(NEW_PASSWORD)
    assert not logged_in(laptop)
    assert not logged_in(_device(app, saved))
    assert logged_in(phone)  # the device that changed it stays logged in


def test_a_sysadmin_changing_it_ends_the_users_sessions_not_their_own(app, redis):
    user = factories.User(password=PASSWORD)
    admin = factories.Sysadmin(password=PASSWORD)
    laptop, saved = _sessions_of(app, user["name"])
    console = _logged_in_device(app, admin["name"])
    answer = _edit_form(console, user["name"], PASSWORD)  # the sysadmin's own password
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    assert model.User.get(user["id"]).validate_password(NEW_PASSWORD)
    assert not logged_in(laptop)
    assert not logged_in(_device(app, saved))
    assert logged_in(console)


def test_the_reset_form_ends_every_session(app, redis):
    user = factories.User(password=PASSWORD)
    laptop, saved = _sessions_of(app, user["name"])
    stored = model.User.get(user["id"])
    assert stored is not None
    mailer.create_reset_key(stored)
    url = f"/user/reset/{user['id']}?key={stored.reset_key}"
    browser = app.test_client()
    answer = browser.post(url, data={
        "_csrf_token": csrf_token(browser.get(url)), "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD}, follow_redirects=False)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    assert model.User.get(user["id"]).validate_password(NEW_PASSWORD)
    assert not logged_in(laptop)
    assert not logged_in(_device(app, saved))
    assert not logged_in(browser)
    log_in(browser, user["name"], NEW_PASSWORD)
    assert logged_in(browser)
