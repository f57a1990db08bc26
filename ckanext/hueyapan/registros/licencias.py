"""The catalog's licences: one register, one default.

CKAN's licence register is read from ``data/licencias.json`` (shipped with the extension; the
plugin points ``licenses_group_url`` at it unless a deployment names another register). It holds
Libre Uso MX (the licence of Mexico's open-data policy) and the international open licences staff
may choose. ``ckanext.hueyapan.licencia_predeterminada`` names, by its id in the register, the
licence of a dataset that names none; :func:`complete` gives such a dataset that licence when it
is read (``package_show``, search results), so ``license_id``, ``license_title``, ``license_url``
and ``isopen`` say the same as the dataset page, the form, DCAT and OC4IDS.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["LIBRE_USO_MX", "REGISTRO", "complete", "configure", "prepare_index", "predeterminada"]

log = logging.getLogger(__name__)

REGISTRO = Path(__file__).resolve().parent.parent / "data" / "licencias.json"
LIBRE_USO_MX = "libre-uso-mx"
# What CKAN's own forms store when nobody chose: it means "none named", not a licence.
_SIN_LICENCIA = ("", "notspecified")


def configure(config: Any) -> None:
    """Point CKAN's licence register at ours unless the configuration names another."""
    if not config.get("licenses_group_url"):
        config["licenses_group_url"] = f"file://{REGISTRO}"


def _registro() -> Any:
    from ckan import model

    return model.Package.get_license_register()


def predeterminada() -> dict[str, Any]:
    """The default licence as a dict of the register (id, title, url, od_conformance …) plus
    ``isopen``. The option may name the licence by its id or, as it did before, by its URL."""
    wanted = tk.config["ckanext.hueyapan.licencia_predeterminada"]
    register = _registro()
    licence = register.get(wanted)
    if licence is None:
        licence = next((item for item in register.values() if item.url == wanted), None)
    if licence is None:
        log.error("ckanext.hueyapan.licencia_predeterminada = %s is not in the licence register "
                  "(%s)", wanted, tk.config.get("licenses_group_url"))
        licence = register.get(LIBRE_USO_MX)
    if licence is None:
        return {"id": LIBRE_USO_MX, "title": "Libre Uso MX",
                "url": "https://datos.gob.mx/libreusomx", "isopen": True}
    return {**licence.license_dictize(), "isopen": licence.isopen()}


def complete(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """A dataset that names no licence reads as published under the default one."""
    if (pkg_dict.get("license_id") or "") not in _SIN_LICENCIA:
        return pkg_dict
    licence = predeterminada()
    pkg_dict["license_id"] = licence["id"]
    pkg_dict["license_title"] = licence["title"]
    pkg_dict["license_url"] = licence.get("url") or ""
    pkg_dict["isopen"] = bool(licence["isopen"])
    return pkg_dict


def prepare_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The same in the search index: the ``license_id`` facet and filter count such a dataset
    under the default licence (CKAN indexes the dict before ``after_dataset_show``)."""
    if (pkg_dict.get("license_id") or "") in _SIN_LICENCIA:
        licence = predeterminada()
        pkg_dict["license_id"] = licence["id"]
        pkg_dict["license"] = licence["title"]
    return pkg_dict
