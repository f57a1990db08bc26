"""Values worked out once per HTTP request.

A search page or a community page asks for the label of a term or of a community once per
listed dataset; each answer is the same for the whole request, so it is read from the
database once and kept in the request's WSGI environment (a new one for every request, also
in the test client). Actions that change terms or communities call ``forget()``.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import has_request_context, request

__all__ = ["memo", "forget"]

_KEY = "ckanext.hueyapan.por_peticion"
T = TypeVar("T")


def memo(key: Hashable, factory: Callable[[], T]) -> T:
    """``factory()``, computed once per request for ``key`` (every time outside a request)."""
    if not has_request_context():
        return factory()
    cache: dict[Hashable, Any] = request.environ.setdefault(_KEY, {})
    if key not in cache:
        cache[key] = factory()
    return cache[key]


def forget() -> None:
    """Drop what this request has kept (after a change of terms or communities)."""
    if has_request_context():
        request.environ.pop(_KEY, None)
