"""Atom feeds (RFC 4287) of datasets.

:func:`feed` turns the datasets a search found (as ``package_search`` returns them, newest change
first) into an Atom document: one entry per dataset, linking to its page. It only builds XML: the
addresses, the author and each entry's link and summary come from the caller (the feeds of
``views/cambios.py``: ``/cambios/obra.atom``, ``/comunidad/<clave>/cambios.atom``).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

__all__ = ["MIMETYPE", "feed"]

#: The content type of an Atom document.
MIMETYPE = "application/atom+xml; charset=utf-8"

_ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _stamp(value: str | None) -> str:
    """A CKAN timestamp (``2025-03-01T10:20:30.123456``, UTC) as an RFC 3339 date."""
    return (value or "1970-01-01T00:00:00")[:19] + "Z"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def feed(results: list[dict[str, Any]], *, feed_id: str, title: str, subtitle: str, link: str,
         self_url: str, author: str, url_of: Callable[[dict[str, Any]], str],
         summary_of: Callable[[str | None], str]) -> bytes:
    """The Atom document (UTF-8, with its XML declaration) of ``results``, newest change first.

    ``link`` is the page the feed follows and ``self_url`` the feed's own address; ``url_of``
    gives a dataset's page (the entry's id and link) and ``summary_of`` the summary of its
    ``notes`` (an empty summary leaves the entry without one)."""
    ET.register_namespace("", _ATOM)
    root = ET.Element(f"{{{_ATOM}}}feed", {_XML_LANG: "es"})
    _add(root, "id", feed_id)
    _add(root, "title", title)
    _add(root, "subtitle", subtitle)
    _add(root, "link", href=link)
    _add(root, "link", rel="self", href=self_url)
    _add(root, "updated", _stamp(results[0]["metadata_modified"] if results else None))
    _add(_add(root, "author"), "name", author)
    for dataset in results:
        entry = _add(root, "entry")
        url = url_of(dataset)
        _add(entry, "id", url)
        _add(entry, "title", dataset.get("title") or dataset["name"])
        _add(entry, "link", href=url)
        _add(entry, "updated", _stamp(dataset.get("metadata_modified")))
        _add(entry, "published", _stamp(dataset.get("metadata_created")))
        _add(entry, "category", term=dataset["type"])
        summary = summary_of(dataset.get("notes"))
        if summary:
            _add(entry, "summary", summary)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
