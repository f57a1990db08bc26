"""Limits on the forms that guess or flood accounts: login, password reset and registration.

Stock CKAN 2.12 answers any number of wrong passwords (ten in 0.6 s). Here, within one minute
(:data:`WINDOW`), each form takes at most ``ckanext.hueyapan.limites.por_cuenta`` attempts for
one account (the name or e-mail typed) and ``ckanext.hueyapan.limites.por_direccion`` from one
client address; the next one is answered ``429 Too Many Requests`` with a Spanish page saying
how long to wait, before CKAN reads the form. For the login only wrong passwords count (a
successful login is a redirect away from the login page); every reset request and every
registration counts, also through the action API (``user_create`` without an API token).
The counters live in CKAN's Redis, so they hold for every web process, without a proxy
(``deploy/docker/nginx.conf`` adds ``limit_req`` in front as well).

Behind a reverse proxy, ``ckanext.hueyapan.limites.proxies`` says how many proxies of our own
add themselves to ``X-Forwarded-For``: the client address is the one the outermost of them saw.
"""
from __future__ import annotations

import hashlib
from typing import Any

from flask import g, request

import ckan.plugins.toolkit as tk

__all__ = ["WINDOW", "after_request", "before_request", "client_address", "install"]

#: Seconds of one counting window.
WINDOW = 60
#: Endpoint -> (counter name, form field naming the account).
_FORMS = {"user.login": ("login", "login"), "user.request_reset": ("reset", "user"),
          "user.register": ("registro", "name")}
_API_FORMS = {"user_create": ("registro", "name")}


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


def client_address() -> str:
    """The client's address: ``remote_addr``, or the one the outermost of our proxies saw."""
    proxies = tk.asint(tk.config.get("ckanext.hueyapan.limites.proxies"))
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")
                 if a.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.remote_addr or "-"


def _limited_form() -> tuple[str, str] | None:
    if request.method != "POST":
        return None
    if request.endpoint == "api.action":
        from ckan.common import current_user

        if current_user.is_authenticated:
            return None  # staff creating accounts with their token: not a registration
        return _API_FORMS.get((request.view_args or {}).get("logic_function", ""))
    return _FORMS.get(request.endpoint or "")


def _account() -> str:
    form = _limited_form()
    if form is None:
        return ""
    value = request.form.get(form[1])
    if value is None and request.is_json:
        value = (request.get_json(silent=True) or {}).get(form[1])
    return str(value or "").strip().lower()


def _keys(kind: str) -> list[tuple[str, int]]:
    """The Redis counters of this request, each with its limit."""
    keys = [(f"hueyapan:limite:{kind}:direccion:{client_address()}",
             tk.asint(tk.config.get("ckanext.hueyapan.limites.por_direccion")))]
    account = _account()
    if account:
        digest = hashlib.sha256(account.encode("utf-8")).hexdigest()[:32]
        keys.append((f"hueyapan:limite:{kind}:cuenta:{digest}",
                     tk.asint(tk.config.get("ckanext.hueyapan.limites.por_cuenta"))))
    return keys


def _count(keys: list[tuple[str, int]]) -> None:
    pipe = _redis().pipeline()
    for key, _limit in keys:
        pipe.incr(key)
        pipe.expire(key, WINDOW, nx=True)
    pipe.execute()


def _refuse(wait: int) -> Any:
    message = tk._("Too many attempts in a short time. For your security, wait {seconds} "
                   "seconds and try again.").format(seconds=wait)
    if request.endpoint == "api.action":
        from flask import jsonify

        response = jsonify({"success": False, "error": {
            "__type": "Too Many Requests", "message": message}})
    else:
        response = tk.render("error_document_template.html", {
            "code": 429, "name": tk._("Too many attempts"), "content": message})
        from flask import make_response

        response = make_response(response)
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def before_request() -> Any:
    """Refuse the attempt over a limit; count reset requests and registrations."""
    form = _limited_form()
    if form is None:
        return None
    kind = form[0]
    keys = _keys(kind)
    connection = _redis()
    for key, limit in keys:
        if int(connection.get(key) or 0) >= limit:
            return _refuse(max(int(connection.ttl(key)), 1))
    if kind == "login":
        g.hueyapan_login_keys = keys  # counted once the answer says the password was wrong
    else:
        _count(keys)
    return None


def after_request(response: Any) -> Any:
    """Count a wrong password: the login page answered again instead of a redirect."""
    keys = g.pop("hueyapan_login_keys", None)
    if keys and not (response.status_code in (301, 302, 303)
                     and "/user/login" not in response.headers.get("Location", "")):
        _count(keys)
    return response


def install(app: Any) -> None:
    app.before_request(before_request)
    app.after_request(after_request)
