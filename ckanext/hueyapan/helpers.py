"""Template helpers (``h.hueyapan_*``)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__ = ["hueyapan_municipio"]


def hueyapan_municipio() -> dict[str, str]:
    """The municipality this catalog serves: its name and INEGI key."""
    return {
        "nombre": tk.config["ckanext.hueyapan.municipio.nombre"],
        "cvegeo": tk.config["ckanext.hueyapan.municipio.cvegeo"],
    }
