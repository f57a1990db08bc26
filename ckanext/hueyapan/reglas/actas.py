"""Where the minutes (acta) of each citizen consultation of an obra are.

A consultation's ``acta`` is text. The page "Registrar consulta" (``views/consultas.py``) and
the staff form's choice among the obra's resources record the address of the resource's page,
``<site>/obra/<obra id>/resource/<resource id>`` (:func:`address`): both ids stay the same when
the resource or the obra is renamed or its file replaced, and the address opens the file's page
from a spreadsheet. Values recorded before (harvested sheets, records typed by hand) are a web
address, the name or file name of one of the obra's resources, or any text, and keep working.

:func:`locate` says, for the obra's page and the exports, which resource or address holds one
consultation's minutes, or that they are still pending.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["Acta", "address", "find_resource", "locate"]

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
#: A resource of the catalog named in an address: ``/resource/<id>`` (its page or download).
_RESOURCE_ADDRESS = re.compile(rf"/resource/({_UUID})(?:[/?#]|$)", re.IGNORECASE)
_RESOURCE_ID = re.compile(rf"^{_UUID}$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Acta:
    """One consultation's minutes.

    ``recurso``: the obra's resource that holds them (None when none does); ``url``: where to
    read them (the resource's file, or the web address recorded; None when there is none);
    ``texto``: what was recorded, shown as it is when it is neither; ``pendiente``: nothing
    readable is recorded (no value, or the address of a resource the obra no longer has)."""

    recurso: dict[str, Any] | None
    url: str | None
    texto: str
    pendiente: bool


def address(dataset_type: str, package_id: str, resource_id: str) -> str:
    """The value a consultation records for minutes held by a resource of its obra: the
    resource's page, with the site's address."""
    return tk.url_for(f"{dataset_type}_resource.read", id=package_id, resource_id=resource_id,
                      _external=True)


def _web(url: Any) -> str | None:
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def _names_resource(value: str) -> str | None:
    """The resource id that ``value`` names: a bare id, or an address with ``/resource/<id>``."""
    if _RESOURCE_ID.match(value):
        return value.lower()
    found = _RESOURCE_ADDRESS.search(value)
    return found.group(1).lower() if found else None


def find_resource(pkg: dict[str, Any], value: Any) -> dict[str, Any] | None:
    """The resource of ``pkg`` (as package_show returns it) that a consultation's ``acta`` names:
    by its id (alone or in an address of the catalog), else by its name or file name."""
    text = str(value or "").strip()
    if not text:
        return None
    resources = [r for r in pkg.get("resources") or [] if isinstance(r, dict)]
    named = _names_resource(text)
    if named:
        return next((r for r in resources if str(r.get("id") or "").lower() == named), None)
    wanted = text.casefold()
    for resource in resources:
        filename = str(resource.get("url") or "").split("?", 1)[0].rsplit("/", 1)[-1]
        if wanted in {str(resource.get("name") or "").strip().casefold(), filename.casefold()}:
            return resource
    return None


def locate(pkg: dict[str, Any], value: Any) -> Acta:
    """Where one consultation's minutes (its ``acta``) are, for the obra ``pkg``."""
    text = str(value or "").strip()
    resource = find_resource(pkg, text)
    if resource is not None:
        return Acta(resource, _web(resource.get("url")), text, pendiente=False)
    if text and _names_resource(text) and _web(text) and _site_address(text):
        # the address of one of this catalog's resources that the obra no longer has
        return Acta(None, None, text, pendiente=True)
    return Acta(None, _web(text), text, pendiente=not text)


def _site_address(url: str) -> bool:
    site = str(tk.config["ckan.site_url"] or "").rstrip("/")
    return bool(site) and url.startswith(site + "/")
