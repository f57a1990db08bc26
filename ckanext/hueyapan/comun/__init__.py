"""The shared vocabulary of the code: dataset types and their key fields, the catalog's time zone
and today's date, the states of a call and of a proposal with their labels, the size of a feed.

The bottom of the package: it imports nothing of the catalog but the message marker, so any
module may import it (see the layer map in the README's "Arquitectura").
"""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun.idioma import N_

__all__ = [
    "DATASET_TYPES", "ENTRADAS_ATOM", "ESTADOS", "ESTADO_LABELS", "KEY_FIELDS",
    "PROPUESTA_ESTADO_LABELS", "RETIRO_KEYS", "TIMEZONE", "tipo_label", "tipo_plural", "today",
]

DATASET_TYPES: tuple[str, ...] = ("obra", "programa-social", "convocatoria")
"""The catalog's own dataset types (ckanext-scheming also serves CKAN's ``dataset``)."""

KEY_FIELDS: dict[str, str] = {
    "obra": "clave_obra",
    "programa-social": "clave_programa",
    "convocatoria": "folio",
}
"""The field that identifies a dataset of each type (a spreadsheet row, a harvested record)."""

RETIRO_KEYS: tuple[str, ...] = ("retiro_motivo", "retiro_fecha", "retiro_usuario")
"""The extras that say why, when (Mexico City date and time) and by whom (user id) a dataset was
withdrawn from the public (``views/publicacion.py``); "Mi área" shows the reason."""

TIMEZONE = ZoneInfo("America/Mexico_City")
"""Dates that depend on the day (a call's estado, the red flags) change at midnight here."""

ESTADOS: tuple[str, ...] = ("proxima", "abierta", "cerrada", "resuelta")
"""A convocatoria's estados, computed from its dates (never stored)."""

ESTADO_LABELS = {
    "proxima": N_("Upcoming"),
    "abierta": N_("Open"),
    "cerrada": N_("Closed"),
    "resuelta": N_("Resolved"),
}

PROPUESTA_ESTADO_LABELS = {
    "recibida": N_("Received"),
    "en_revision": N_("Under review"),
    "aprobada": N_("Approved"),
    "rechazada": N_("Not approved"),
    "convertida": N_("Turned into a work or programme"),
}

ENTRADAS_ATOM = 30
"""Entries of an Atom feed (the newest changed datasets of its filter)."""

_TIPO_LABELS = {
    "obra": N_("Public work"),
    "programa-social": N_("Social programme"),
    "convocatoria": N_("Call"),
    "dataset": N_("Dataset"),
}
_TIPO_PLURALES = {
    "obra": N_("Public works"),
    "programa-social": N_("Social programmes"),
    "convocatoria": N_("Calls"),
    "dataset": N_("Datasets"),
}


def today() -> datetime.date:
    """Today's date in Mexico City."""
    return datetime.datetime.now(TIMEZONE).date()


def _translated(labels: dict[str, str], key: str) -> str:
    label = labels.get(key)
    return tk._(label) if label else key


def tipo_label(dataset_type: str) -> str:
    """The name of a dataset type, in the current language."""
    return _translated(_TIPO_LABELS, dataset_type)


def tipo_plural(dataset_type: str) -> str:
    """The plural name of a dataset type, in the current language ("Obras públicas")."""
    return _translated(_TIPO_PLURALES, dataset_type)
