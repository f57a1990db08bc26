"""gzip compression of the catalog's text responses (pages, stylesheets, scripts, API answers).

Citizens read the catalog on phones with poor signal: CKAN's own pages, styles and scripts shrink
to about a quarter when compressed, and ``ckan run`` (or a bare WSGI server) does not compress. A
reverse proxy that compresses (nginx ``gzip on``) makes this a no-op: a response that already
has a ``Content-Encoding`` passes untouched.

Only complete, bounded responses are compressed: a known ``Content-Length`` between
:data:`MIN_BYTES` and :data:`MAX_BYTES`, a text type, status 200, no ``Content-Range``. Streams
and file downloads without a length pass through as they are, so memory stays bounded.
"""
from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["GzipMiddleware", "MAX_BYTES", "MIN_BYTES"]

MIN_BYTES = 1024
MAX_BYTES = 8 * 1024 * 1024
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml",
                "application/atom+xml", "application/rss+xml", "application/rdf+xml",
                "application/ld+json", "application/geo+json", "image/svg+xml",
                "application/x-javascript", "text/turtle")


def _accepts_gzip(environ: dict[str, Any]) -> bool:
    for part in environ.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class GzipMiddleware:
    """WSGI middleware: gzip-compress eligible responses for clients that accept it."""

    def __init__(self, app: Callable[..., Iterable[bytes]], level: int = 6) -> None:
        self.app = app
        self.level = level

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not _accepts_gzip(environ) or environ.get("REQUEST_METHOD") == "HEAD":
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers, exc_info=exc_info)
            if not self._eligible(status, headers):
                captured["passed"] = True
                return start_response(status, headers, exc_info)
            return lambda data: captured.setdefault("written", []).append(data)

        body = self.app(environ, capture)
        if captured.get("passed") or "status" not in captured:
            return body
        try:
            data = b"".join(captured.get("written", [])) + b"".join(body)
        finally:
            close = getattr(body, "close", None)  # a WSGI body may have close()
            if close is not None:
                close()
        compressed = gzip.compress(data, compresslevel=self.level, mtime=0)
        headers = [(k, v) for k, v in captured["headers"]
                   if k.lower() not in ("content-length", "content-encoding")]
        vary = [v for k, v in headers if k.lower() == "vary"]
        headers = [(k, v) for k, v in headers if k.lower() != "vary"]
        vary_values = {item.strip().lower() for value in vary for item in value.split(",")}
        if "accept-encoding" not in vary_values:
            vary = [*vary, "Accept-Encoding"]
        headers.append(("Vary", ", ".join(vary)))
        headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(compressed)))]
        start_response(captured["status"], headers, captured["exc_info"])
        return [compressed]

    @staticmethod
    def _eligible(status: str, headers: list[tuple[str, str]]) -> bool:
        if not status.startswith("200"):
            return False
        found = {k.lower(): v for k, v in headers}
        if "content-encoding" in found or "content-range" in found:
            return False
        if "no-transform" in found.get("cache-control", "").lower():
            return False
        content_type = found.get("content-type", "").lower()
        if not content_type.startswith(COMPRESSIBLE):
            return False
        try:
            length = int(found.get("content-length", ""))
        except ValueError:
            return False  # a stream of unknown length: left alone
        return MIN_BYTES <= length <= MAX_BYTES
