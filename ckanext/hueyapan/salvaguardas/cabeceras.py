"""Security headers on every answer of the catalog, and uploaded files served as inert downloads.

**Every answer** carries ``X-Content-Type-Options: nosniff`` (a browser never guesses a type
other than the one sent), ``Referrer-Policy: strict-origin-when-cross-origin`` (another site
never reads our addresses, which may hold a search), ``X-Frame-Options: DENY`` and a
``Content-Security-Policy`` with ``frame-ancestors 'none'`` (no other site may frame a page and
trick a click).

**Pages** carry a policy their scripts, pictures and forms satisfy (:func:`page_policy`): scripts
only from the catalog's own files, never inline or built from text (no ``'unsafe-inline'``, no
``'unsafe-eval'``, no nonce: the pages carry no inline script or event handler, and a nonce would
not survive CKAN's htmx navigation, which swaps a page's body under the first page's policy);
styles from our files and ``style`` attributes (CKAN's templates and Leaflet use them; a style
runs nothing); pictures from the catalog, ``data:`` addresses and the map's tile server (read
from ``ckanext.spatial.common_map.*``); requests, fonts, frames and forms to the catalog only;
no plugins; the ``<base>`` address fixed. An injected ``<script>`` or ``onerror=`` that escaped
the templates' escaping still runs nothing. **API answers** (JSON) run nothing at all:
``default-src 'none'``.

**Uploaded files** (a resource's ``/download``, CKAN's ``/file/...`` views, a proposal's minutes
and reports, the ``/uploads/`` images) are served, whatever passed the checks of ``subidas``
and whenever they were stored, with ``Content-Security-Policy: sandbox`` (no script of the file
runs in our origin, nor with it), and with ``Content-Disposition: attachment`` unless they are
of a type a browser only displays (text, CSV, JSON, raster pictures): an XML, HTML or SVG file
that reached the storage is saved by the browser, never opened as a page of the catalog. A
resource whose address is not a web address (``javascript:``, ``data:`` ...) is never redirected
to: its download answers 400 in Spanish (:func:`refuse_unsafe_download`).

**Cookies**: when ``ckan.site_url`` is an ``https://`` address, the session and remember-me
cookies are ``Secure``.
"""
from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from flask import request
from werkzeug.http import parse_options_header

from ckanext.hueyapan.comun.idioma import N_

__all__ = ["API_POLICY", "FRAME_ANCESTORS", "INLINE_TYPES", "PAGE_DIRECTIVES", "UPLOAD_POLICY",
           "add_headers", "install", "is_uploaded_file", "map_tile_sources", "page_policy",
           "refuse_unsafe_download", "secure_cookies"]

FRAME_ANCESTORS = "frame-ancestors 'none'"
#: The policy of an uploaded file: a sandbox without scripts, forms or same-origin access.
UPLOAD_POLICY = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
                 f"{FRAME_ANCESTORS}")
#: The policy of an API answer (JSON read by scripts and programs): nothing in it runs or loads.
API_POLICY = f"default-src 'none'; {FRAME_ANCESTORS}"
#: The policy of a page, by directive; ``img-src`` gains the map's tile server.
PAGE_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self' 'unsafe-inline'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self' data:"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)
#: Types a browser displays without running anything (with nosniff): served inline.
INLINE_TYPES = frozenset({
    "text/plain", "text/csv", "text/tab-separated-values", "application/json",
    "application/geo+json", "image/png", "image/jpeg", "image/gif", "image/webp",
})
_FILE_ENDPOINTS = frozenset({"propuestas.archivo"})
#: ckanext-spatial's options that hold the base map's tile address, by map type.
_TILE_OPTIONS = ("ckanext.spatial.common_map.custom_url", "ckanext.spatial.common_map.custom.url",
                 "ckanext.spatial.common_map.wms.url")
_UNSAFE_ADDRESS = N_("The address of this document is not a web address (http, https or ftp): "
                     "it cannot be opened or downloaded. Ask the área that published it to "
                     "correct it.")


def _tile_source(address: str) -> str | None:
    """The CSP source of a tile address: its scheme and host (Leaflet's ``{s}`` subdomain as
    ``*``); ``data:`` tiles are already allowed."""
    parts = urlsplit(address.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


@functools.lru_cache(maxsize=8)
def _sources(addresses: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for s in map(_tile_source, addresses) if s))


def map_tile_sources() -> tuple[str, ...]:
    """The hosts the search map loads its tiles from, read from ``ckanext.spatial.common_map.*``
    (a custom XYZ or WMS address; the map of the tests uses a ``data:`` tile)."""
    import ckan.plugins.toolkit as tk

    return _sources(tuple(str(tk.config.get(key) or "") for key in _TILE_OPTIONS))


def page_policy() -> str:
    """The ``Content-Security-Policy`` of a page (see the module's description)."""
    tiles = " ".join(map_tile_sources())
    return "; ".join(f"{name} {value} {tiles}" if name == "img-src" and tiles
                     else f"{name} {value}" for name, value in PAGE_DIRECTIVES)


def _is_api() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def is_uploaded_file() -> bool:
    """The request asks for a stored file (a resource's upload, a proposal's file, an image)."""
    endpoint = request.endpoint or ""
    return (endpoint.endswith("resource.download") or endpoint.startswith("file.")
            or endpoint in _FILE_ENDPOINTS
            or (endpoint == "static" and request.path.startswith("/uploads/")))


def _as_attachment(response: Any) -> None:
    disposition, options = parse_options_header(response.headers.get("Content-Disposition", ""))
    if disposition == "attachment":
        return
    filename = options.get("filename") or (request.view_args or {}).get("filename")
    if filename:
        response.headers.set("Content-Disposition", "attachment", filename=filename)
    else:
        response.headers["Content-Disposition"] = "attachment"


def _uploaded_file(response: Any) -> None:
    response.headers["Content-Security-Policy"] = UPLOAD_POLICY
    if response.status_code < 300 and response.mimetype not in INLINE_TYPES:
        _as_attachment(response)


def add_headers(response: Any) -> Any:
    """``after_request`` hook: the headers of the module's description."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers["X-Frame-Options"] = "DENY"
    if is_uploaded_file():
        _uploaded_file(response)
        return response
    policy = headers.get("Content-Security-Policy")
    if not policy:
        headers["Content-Security-Policy"] = API_POLICY if _is_api() else page_policy()
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy}; {FRAME_ANCESTORS}"
    return response


def refuse_unsafe_download() -> None:
    """``before_request`` hook: the download of a linked resource whose address is not a web
    address (``javascript:alert(1)``, ``data:...``) answers 400 with a Spanish message, instead
    of CKAN's redirect to it (which failed with a 500). Not found, not allowed and uploaded
    resources are left to CKAN's own view."""
    if not (request.endpoint or "").endswith("resource.download"):
        return
    import ckan.plugins.toolkit as tk
    from ckan.lib.helpers import is_url

    resource_id = (request.view_args or {}).get("resource_id")
    try:
        resource = tk.get_action("resource_show")(
            {"user": tk.current_user.name, "auth_user_obj": tk.current_user}, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return
    url = (resource.get("url") or "").strip()
    if resource.get("url_type") != "upload" and urlsplit(url).scheme and not is_url(url):
        tk.abort(400, tk._(_UNSAFE_ADDRESS))


def secure_cookies(app: Any) -> None:
    """A catalog served over HTTPS (``ckan.site_url``) marks its session and remember-me cookies
    ``Secure``: a browser never sends them over plain HTTP."""
    import ckan.plugins.toolkit as tk

    if (tk.config.get("ckan.site_url") or "").lower().startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def install(app: Any) -> None:
    """Add the headers to every answer of the Flask ``app``; Secure cookies on HTTPS; no
    redirect to a resource address that is not a web address."""
    app.before_request(refuse_unsafe_download)
    app.after_request(add_headers)
    secure_cookies(app)
