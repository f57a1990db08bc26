"""When Solr or PostgreSQL does not answer: a clear Spanish 503, never a 500 or an empty page.

CKAN answers a Solr outage in four different ways: the home page shows "0 datasets" (200), the
search pages abort with a 500 carrying an English message, the API answers 500 or 409 with an
English message, and our own pages (communities, feeds, exports) fail with a 500. A PostgreSQL
outage (a restart) is a 500 everywhere. Here both become **HTTP 503** with a ``Retry-After``
header:

* web pages: the catalog's Spanish error page (``error_document_template.html``): the catalog is
  not available right now, the search service (or the database) is not answering, and the
  catalog comes back by itself;
* the API: CKAN's JSON error shape (``success: false``) with a Spanish message.

How:

* Solr: :func:`package_search` is chained onto CKAN's action. When Solr is unreachable
  (connection refused or timed out, or Solr answers 5xx/404 while its cores load), a web page
  gets :class:`Unavailable` (a 503 that CKAN's own error handler renders); an API call gets
  CKAN's original error, which its API view turns into JSON, and :func:`after_request` makes
  that a Spanish 503. Every Solr query of the catalog goes through ``package_search`` (our facet
  counts run inside it), so this one place covers them all.
* PostgreSQL: a listener of SQLAlchemy's ``handle_error`` marks the request when a connection
  cannot be opened or is found dead (not when the pool's pre-ping replaces a dead connection by
  itself: that request succeeds); the database error is then answered with the 503 page, or the
  API's JSON 503. A connection that dies after the page was made (in the rollback that ends the
  request) is dropped without failing the page.

A bad query (Solr's 400, a malformed bounding box) or any other database error is not an outage
and keeps CKAN's answer. Nothing changes outside a web request (command line, harvest
consumers). Nothing is remembered between requests, so the first request after the service is
back succeeds; and nothing is cached on failure (figures and exports are stored only after they
were computed).
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any

import pysolr
import requests
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SolrConnectionError
from ckan.logic.action.get import package_search as _core_package_search
from ckan.types import Context, DataDict

__all__ = ["DATABASE", "RETRY_AFTER", "SEARCH", "Unavailable", "after_request", "install",
           "is_search_outage", "package_search"]

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again (a Solr restart takes about as long).
RETRY_AFTER = 30
SEARCH = "busqueda"
DATABASE = "base_de_datos"

_FLAG = "hueyapan_caida"
_SOLR_STATUS = re.compile(r"Solr responded with an error \(HTTP (\d+)\)")


def _page_text(cause: str) -> str:
    if cause == DATABASE:
        return tk._("The database is not answering. The catalog comes back by itself as soon as "
                    "it answers again: please try again in a minute.")
    return tk._("The search service is not answering. The catalog comes back by itself as soon "
                "as it answers again: please try again in a minute.")


def _api_text(cause: str) -> str:
    if cause == DATABASE:
        return tk._("The catalog is not available right now: the database is not answering. "
                    "Please try again in a minute.")
    return tk._("The catalog is not available right now: the search service is not answering. "
                "Please try again in a minute.")


class Unavailable(ServiceUnavailable):
    """HTTP 503 of a web page whose search server or database does not answer."""

    def __init__(self, cause: str = SEARCH) -> None:
        super().__init__(description=_page_text(cause), retry_after=RETRY_AFTER)


def _mark(cause: str) -> None:
    from flask import g

    setattr(g, _FLAG, cause)


def _marked() -> str | None:
    from flask import g, has_request_context

    return getattr(g, _FLAG, None) if has_request_context() else None


def _in_api() -> bool:
    from flask import request

    return request.blueprint == "api"


# --- Solr -----------------------------------------------------------------------------------------

def is_search_outage(error: BaseException | None) -> bool:
    """Whether an error, or one it was raised from, says Solr cannot be reached: refused or timed
    out connections, or Solr answering 5xx (a core still loading) or 404 (no core yet)."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (SolrConnectionError, requests.ConnectionError, requests.Timeout,
                              ConnectionError, TimeoutError)):
            return True
        if isinstance(error, pysolr.SolrError):
            message = str(error)
            if message.startswith(("Failed to connect to server", "Connection to server")):
                return True
            status = _SOLR_STATUS.match(message)
            if status and (int(status.group(1)) >= 500 or int(status.group(1)) == 404):
                return True
        error = error.__cause__ or error.__context__
    return False


@tk.chained_action
@tk.side_effect_free
def package_search(up_func: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_search``; a Solr outage inside a web request becomes an HTTP 503."""
    from flask import has_request_context

    try:
        return up_func(context, data_dict)
    except Exception as error:
        if not has_request_context() or not is_search_outage(error):
            raise
        _mark(SEARCH)
        log.warning("Search server unavailable: %s: %.200s", type(error).__name__, error)
        if _in_api():
            raise  # CKAN's API view answers it; after_request makes that answer a Spanish 503
        raise Unavailable(SEARCH) from error


# CKAN copies a chained action's attributes onto the chain and serves the chain's docstring as
# the API's help (help_show): keep core's, which journalists read.
package_search.__dict__["__doc__"] = _core_package_search.__doc__


# --- PostgreSQL -----------------------------------------------------------------------------------

def _database_error_seen(context: Any) -> None:
    """SQLAlchemy's ``handle_error``: a connection that cannot be opened (``connection`` is None)
    or is dead (``is_disconnect``) marks the request; the pool's own pre-ping does not."""
    from flask import has_request_context

    if context.is_pre_ping or not has_request_context():
        return
    if context.is_disconnect or context.connection is None:
        _mark(DATABASE)
        log.warning("Database unavailable: %.200s", context.original_exception)


def _database_error(error: Exception) -> Any:
    """Flask's handler of SQLAlchemy errors: the 503 page when the database is down; any other
    database error goes on to CKAN's handling (a 500)."""
    if _marked() != DATABASE:
        raise error
    if _in_api():
        return _api_response(DATABASE, None)
    unavailable = Unavailable(DATABASE)
    return tk.render("error_document_template.html", {
        "code": unavailable.code, "name": unavailable.name,
        "content": unavailable.description}), unavailable.code


# --- Responses ------------------------------------------------------------------------------------

def _api_response(cause: str, response: Any) -> Any:
    """CKAN's JSON error answer, as a 503 with the Spanish message (and the ``help`` link CKAN
    gives, also when the request failed before reaching the API view)."""
    from flask import Response, request

    try:
        help_url = json.loads(response.get_data(as_text=True)).get("help") if response else None
    except (ValueError, AttributeError):
        help_url = None
    name = (request.view_args or {}).get("logic_function")
    if help_url is None and name:
        help_url = tk.url_for("api.action", logic_function="help_show", name=name,
                              ver=(request.view_args or {}).get("ver", 3), _external=True)
    body = {"help": help_url, "success": False,
            "error": {"__type": "Service Unavailable", "message": _api_text(cause)}}
    return Response(json.dumps(body, ensure_ascii=False), status=503,
                    content_type="application/json;charset=utf-8")


def _end_session() -> None:
    """End the request's database session, as CKAN's own ``after_request`` does next
    (``Session.remove()``, which rolls back): when PostgreSQL closed the connection meanwhile (a
    restart), that rollback fails; here the dead connection is dropped and the page already
    made is still sent, instead of a 500. Any other error is CKAN's, as before."""
    from ckan import model

    try:
        model.Session.remove()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        model.Session.registry.clear()
        log.warning("Database connection lost at the end of a request: %.200s", error.orig)


def after_request(response: Any) -> Any:
    """A response to a request that met an outage: 503 with ``Retry-After``, and the Spanish
    JSON error for the API (web pages already are the Spanish error page)."""
    _end_session()
    cause = _marked()
    if cause is None or (cause == DATABASE and response.status_code < 500):
        return response  # nothing met, or the request got over it
    if _in_api():
        response = _api_response(cause, response)
    if response.status_code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER)
        response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Any) -> None:
    """Wire this module into CKAN's Flask app (the plugin's ``make_middleware``)."""
    from ckan import model

    app.after_request(after_request)
    app.register_error_handler(SQLAlchemyError, _database_error)
    if not event.contains(model.meta.engine, "handle_error", _database_error_seen):
        event.listen(model.meta.engine, "handle_error", _database_error_seen)
