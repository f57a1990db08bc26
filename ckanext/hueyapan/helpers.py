"""Template helpers (``h.hueyapan_*``)."""
from __future__ import annotations

from typing import Any

import json
from decimal import Decimal, InvalidOperation

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan import vocabularios
from ckanext.hueyapan.model import (
    ESTADO_ACTIVA, ESTADO_FUSIONADA, ESTADO_RETIRADA, Comunidad,
)

__all__ = [
    "hueyapan_municipio",
    "hueyapan_comunidad_choices",
    "hueyapan_vocabulario_choices",
    "hueyapan_comunidad_label",
    "hueyapan_termino_label",
    "hueyapan_formato_monto",
    "hueyapan_lista",
]


def hueyapan_municipio() -> dict[str, str]:
    """The municipality this catalog serves: its name and INEGI key."""
    return {
        "nombre": tk.config["ckanext.hueyapan.municipio.nombre"],
        "cvegeo": tk.config["ckanext.hueyapan.municipio.cvegeo"],
    }


def _community_label(comunidad: Comunidad) -> str:
    label = comunidad.nombre
    if comunidad.cvegeo:
        label = f"{label} ({comunidad.cvegeo})"
    if comunidad.estado == ESTADO_RETIRADA:
        label = f"{label} · {tk._('retired')}"
    elif comunidad.estado == ESTADO_FUSIONADA:
        label = f"{label} · {tk._('merged')}"
    return label


def hueyapan_comunidad_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a community field: the whole municipality first, then active communities by
    name, then retired or merged ones (so old datasets still show their names)."""
    everyone = {
        "value": tk.config["ckanext.hueyapan.municipio.cvegeo"],
        "label": tk._("All the municipality"),
    }
    query = model.Session.query(Comunidad).order_by(
        (Comunidad.estado != ESTADO_ACTIVA), Comunidad.nombre, Comunidad.id
    )
    return [everyone] + [{"value": c.id, "label": _community_label(c)} for c in query]


def hueyapan_vocabulario_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a vocabulary field, labelled in Spanish and English."""
    return [
        {"value": t.clave, "label": {"es": t.etiqueta, "en": t.etiqueta_en or t.etiqueta}}
        for t in vocabularios.terms(field["vocabulario"])
    ]


def comunidad_labels(keys: list[str]) -> dict[str, str]:
    """Display names of community keys (and of the whole municipality), in one query."""
    municipio = tk.config["ckanext.hueyapan.municipio.cvegeo"]
    labels = {key: key for key in keys}
    if municipio in labels:
        labels[municipio] = tk._("All the municipality")
    wanted = [key for key in keys if key != municipio]
    if wanted:
        labels.update(model.Session.query(Comunidad.id, Comunidad.nombre)
                      .filter(Comunidad.id.in_(wanted)))
    return labels


def hueyapan_comunidad_label(key: str) -> str:
    """Display name of a community key (or of the whole municipality)."""
    return comunidad_labels([key])[key]


def termino_labels(vocabulary: str) -> dict[str, str]:
    """Display labels of every term of a vocabulary in the current language, in one query."""
    english = tk.h.lang() == "en"
    return {
        t.clave: (t.etiqueta_en if english and t.etiqueta_en else t.etiqueta)
        for t in vocabularios.terms(vocabulary)
    }


def hueyapan_termino_label(vocabulary: str, key: str) -> str:
    """Display label of a vocabulary term in the current language."""
    return termino_labels(vocabulary).get(key, key)


def hueyapan_formato_monto(value: Any) -> str:
    """An amount as Mexicans write it: $1,234,567.89."""
    try:
        return "${:,.2f}".format(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value or "")


def hueyapan_lista(value: Any) -> list[str]:
    """A list stored as JSON text (or already a list)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    return [str(v) for v in loaded] if isinstance(loaded, list) else [str(loaded)]
