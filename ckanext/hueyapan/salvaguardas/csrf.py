"""Protection against cross-site request forgery that stays on for every browser request.

CKAN 2.12.0 lets requests authenticated by an API token skip Flask-WTF's token check, and, to
do so, it marks the *view* as exempt with ``csrf.exempt`` for the rest of the process. It does
the same for every anonymous request, even a GET. So after one anonymous visit to ``/obra/new``
(or to the login page) that form accepted, in that server process, a POST without a token from a
logged-in member of staff's browser: a page on another site could create or change datasets in
their name (CKAN advisory GHSA-mcvf-jxcw-vj73, fixed upstream in 2.10.10 and 2.11.5).

:func:`enforce` runs after Flask-WTF's own check. When that check was skipped for a state-changing
request, it validates the token itself, unless the exemption is right for *this* request:

* authenticated by an API token in the ``Authorization`` header (a browser never adds one on
  its own, so another site cannot forge it), or
* an anonymous call to the action API (``/api/3/action/package_search`` by POST, as scripts do).

Everything else (forms of anonymous visitors, such as the login form, and anything sent with the
session cookie, the API included) needs the token of the form or the ``X-CSRFToken`` header, as
CKAN documents. A view that an extension exempts on purpose would need adding here.

**Logout** is a change too: ``/user/_logout`` answers 405 to a GET (an image or a link on
another site would log the visitor out); the account bar's button posts it with its token.
"""
from __future__ import annotations

from flask import current_app, g, request

from ckan.common import current_user

__all__ = ["enforce"]


def _exempt_for_this_request() -> bool:
    if not g.get("login_via_auth_header"):
        return False  # the session cookie identified the visitor
    return bool(current_user.is_authenticated) or request.blueprint == "api"


def enforce() -> None:
    """``before_request`` hook: check the CSRF token Flask-WTF skipped, unless the request
    itself deserves the exemption (see the module's description). Aborts with 400."""
    if request.endpoint == "user.logout" and request.method not in ("POST", "OPTIONS"):
        import ckan.plugins.toolkit as tk

        tk.abort(405, tk._("Log out with the button of the account bar"))
    config = current_app.config
    if not (config.get("WTF_CSRF_ENABLED") and config.get("WTF_CSRF_CHECK_DEFAULT", True)):
        return
    if request.method not in config["WTF_CSRF_METHODS"] or not request.endpoint:
        return
    if g.get("csrf_valid"):
        return  # Flask-WTF checked the token of this request
    if _exempt_for_this_request():
        return
    current_app.extensions["csrf"].protect()
