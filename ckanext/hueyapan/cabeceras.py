"""Security headers on every answer of the catalog, and uploaded files served as inert downloads.

**Every answer** carries ``X-Content-Type-Options: nosniff`` (a browser never guesses a type
other than the one sent), ``Referrer-Policy: strict-origin-when-cross-origin`` (another site
never reads our addresses, which may hold a search), ``X-Frame-Options: DENY`` and a
``Content-Security-Policy`` with ``frame-ancestors 'none'`` (no other site may frame a page and
trick a click).

**Uploaded files** (a resource's ``/download``, CKAN's ``/file/...`` views, a proposal's minutes
and reports, the ``/uploads/`` images) are served, whatever passed the checks of ``subidas``
and whenever they were stored, with ``Content-Security-Policy: sandbox`` (no script of the file
runs in our origin, nor with it), and with ``Content-Disposition: attachment`` unless they are
of a type a browser only displays (text, CSV, JSON, raster pictures): an XML, HTML or SVG file
that reached the storage is saved by the browser, never opened as a page of the catalog.

**Cookies**: when ``ckan.site_url`` is an ``https://`` address, the session and remember-me
cookies are ``Secure``.
"""
from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.http import parse_options_header

__all__ = ["FRAME_ANCESTORS", "INLINE_TYPES", "UPLOAD_POLICY", "add_headers", "install",
           "is_uploaded_file", "secure_cookies"]

FRAME_ANCESTORS = "frame-ancestors 'none'"
#: The policy of an uploaded file: a sandbox without scripts, forms or same-origin access.
UPLOAD_POLICY = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
                 f"{FRAME_ANCESTORS}")
#: Types a browser displays without running anything (with nosniff): served inline.
INLINE_TYPES = frozenset({
    "text/plain", "text/csv", "text/tab-separated-values", "application/json",
    "application/geo+json", "image/png", "image/jpeg", "image/gif", "image/webp",
})
_FILE_ENDPOINTS = frozenset({"propuestas.archivo"})


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
        headers["Content-Security-Policy"] = FRAME_ANCESTORS
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy}; {FRAME_ANCESTORS}"
    return response


def secure_cookies(app: Any) -> None:
    """A catalog served over HTTPS (``ckan.site_url``) marks its session and remember-me cookies
    ``Secure``: a browser never sends them over plain HTTP."""
    import ckan.plugins.toolkit as tk

    if (tk.config.get("ckan.site_url") or "").lower().startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def install(app: Any) -> None:
    """Add the headers to every answer of the Flask ``app``; Secure cookies on HTTPS."""
    app.after_request(add_headers)
    secure_cookies(app)
