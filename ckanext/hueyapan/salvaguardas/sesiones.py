"""Sessions that end when they should (issue 16).

Sessions live on the server, in the Redis of ``ckan.redis.url`` (``SESSION_TYPE = redis`` in the
ini files: CKAN's own Flask-Session interface); the browser keeps only a random session id. On top
of that, this module makes an ended session stay ended:

* Logout deletes the session from Redis and gives the browser a new id, so a copy of the old
  cookie finds nothing (:func:`_on_logout`).
* Every login stamps its session with the time (``hueyapan_desde``); a new password stamps the
  user with the time in Redis (``hueyapan:sesiones:desde:<user id>``, :func:`password_changed`).
  A session older than its user's stamp is ended on its next request, on every device
  (:func:`_on_user_load`). The user who changed their own password from a logged-in session keeps
  that one session: it is stamped again.
* Flask-Login's "remember me" cookie says only which user it is (no time, the same on every
  device), so it cannot be ended: it is never issued, and one presented is refused and deleted.
  The session itself is permanent (it survives closing the browser) and lasts
  ``PERMANENT_SESSION_LIFETIME`` seconds after the last request, which is what "Remember me"
  gives.

API tokens are not sessions: they are revoked on the user's "API tokens" page, as before.
"""
from __future__ import annotations

import time
from typing import Any

from flask import current_app, has_request_context, request, session
from flask_login import signals

import ckan.plugins.toolkit as tk
from ckan.types import Action, ChainedAction, Context, DataDict

__all__ = ["SESSION_FIELD", "ending_sessions_on_new_password", "install", "password_changed",
           "valid_since"]

#: The key of a session that holds when its login happened (seconds since the epoch).
SESSION_FIELD = "hueyapan_desde"
_STAMP_KEY = "hueyapan:sesiones:desde:{user_id}"


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


def valid_since(user_id: str) -> float:
    """Time of the user's last password change (0 when never changed since sessions are
    stamped): sessions from logins before it are ended."""
    stamp = _redis().get(_STAMP_KEY.format(user_id=user_id))
    return float(stamp) if stamp else 0.0


def password_changed(user_id: str) -> None:
    """End every session of the user, except the current request's own when it is theirs."""
    now = time.time()
    _redis().set(_STAMP_KEY.format(user_id=user_id), repr(now))
    if has_request_context() and session.get("_user_id") == user_id:
        session[SESSION_FIELD] = now  # this device changed it: it stays logged in


def ending_sessions_on_new_password(action: ChainedAction) -> ChainedAction:
    """The chained ``user_update`` ``action`` (also run by ``user_patch``, the password reset form
    and the user edit form), which also ends the user's sessions when the password changed."""
    def user_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
        from ckan import model

        key = data_dict.get("id")
        user = model.User.get(key) if isinstance(key, str) and key else None
        before = user.password if user is not None else None
        result = action(up_func, context, data_dict)
        if user is not None and user.password != before:
            password_changed(user.id)
        return result

    return tk.chained_action(user_update)


def _end_session() -> None:
    """Delete the request's session from Redis, give it a new id and empty it (keeping
    Flask-Login's order to delete a remember-me cookie)."""
    remember = session.get("_remember")
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)
    session.clear()
    if remember:
        session["_remember"] = remember


def _on_user_load(sender: Any, **_extra: Any) -> None:
    """Before Flask-Login loads the request's user: end a session from before the user's last
    password change, and refuse a remember-me cookie."""
    user_id = session.get("_user_id")
    if user_id is not None:
        since = session.get(SESSION_FIELD, 0.0)  # none: a session put in place without login
        if isinstance(since, (int, float)) and since >= valid_since(user_id):
            return
        _end_session()
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if cookie in request.cookies:
        session["_remember"] = "clear"  # not used to log in; Flask-Login deletes it


def _on_login(sender: Any, user: Any = None, **_extra: Any) -> None:
    session[SESSION_FIELD] = time.time()
    session.pop("_remember", None)  # no remember-me cookie: it could not be ended
    session.pop("_remember_seconds", None)


def _on_logout(sender: Any, user: Any = None, **_extra: Any) -> None:
    _end_session()  # after Flask-Login took the user out of it


def install(app: Any) -> None:
    """Connect the checks to Flask-Login's signals of this app."""
    # CKAN's Redis session interface leaves its connection in the configuration; the interface
    # keeps its own, and a configuration holding a connection cannot be copied (CKAN's
    # ``ckan_config`` test fixture deep-copies it).
    app.config.pop("SESSION_REDIS", None)
    tk.config.pop("SESSION_REDIS", None)
    signals.user_accessed.connect(_on_user_load, app)
    signals.user_logged_in.connect(_on_login, app)
    signals.user_logged_out.connect(_on_logout, app)
