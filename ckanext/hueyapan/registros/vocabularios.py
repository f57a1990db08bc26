"""Controlled vocabularies: reading terms and seeding them from ``data/vocabularios.yaml``."""
from __future__ import annotations

import datetime
from importlib import resources
from typing import Any

import yaml
from flask import has_request_context

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan.comun import peticion
from ckanext.hueyapan.model import Termino

__all__ = ["labels_by_vocabulary", "read_seed", "seed_terms", "term", "termino_labels", "terms"]


def terms(vocabulary: str) -> list[Termino]:
    """The terms of a vocabulary, in their display order."""
    return (
        model.Session.query(Termino)
        .filter(Termino.vocabulario == vocabulary)
        .order_by(Termino.orden, Termino.etiqueta)
        .all()
    )


def labels_by_vocabulary() -> dict[str, list[tuple[str, str, str | None]]]:
    """(key, Spanish label, English label) of every term, by vocabulary, in display order: one
    query per request for the pages that label many terms (see peticion.py)."""
    def read() -> dict[str, list[tuple[str, str, str | None]]]:
        found: dict[str, list[tuple[str, str, str | None]]] = {}
        query = (model.Session.query(Termino.vocabulario, Termino.clave, Termino.etiqueta,
                                     Termino.etiqueta_en)
                 .order_by(Termino.vocabulario, Termino.orden, Termino.etiqueta))
        for vocabulario, clave, etiqueta, etiqueta_en in query:
            found.setdefault(vocabulario, []).append((clave, etiqueta, etiqueta_en))
        return found

    return peticion.memo("terminos", read)


def term(vocabulary: str, key: str) -> Termino | None:
    return (
        model.Session.query(Termino)
        .filter(Termino.vocabulario == vocabulary, Termino.clave == key)
        .first()
    )


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def read_seed() -> dict[str, list[dict[str, Any]]]:
    """The vocabularies shipped with the package, as term dicts ready for :class:`Termino`."""
    text = (resources.files("ckanext.hueyapan") / "data" / "vocabularios.yaml").read_text("utf-8")
    seed = {}
    for vocabulary, entries in yaml.safe_load(text).items():
        seed[vocabulary] = [
            {
                "vocabulario": vocabulary,
                "clave": entry["clave"],
                "etiqueta": entry["es"],
                "etiqueta_en": entry.get("en"),
                "desde": _date(entry.get("desde")),
                "hasta": _date(entry.get("hasta")),
                "orden": position,
            }
            for position, entry in enumerate(entries)
        ]
    return seed


def seed_terms() -> tuple[int, int]:
    """Insert the shipped terms that are missing; never touch existing ones.

    :returns: (inserted, already present)
    """
    present = {(t.vocabulario, t.clave) for t in model.Session.query(Termino)}
    inserted = 0
    for entries in read_seed().values():
        for entry in entries:
            if (entry["vocabulario"], entry["clave"]) not in present:
                model.Session.add(Termino(**entry))
                inserted += 1
    model.Session.commit()
    peticion.forget()
    return inserted, len(present)


def termino_labels(vocabulary: str) -> dict[str, str]:
    """Display labels of every term of a vocabulary in the current language (one query per
    request; Spanish outside a request, e.g. a search from the command line)."""
    english = has_request_context() and tk.h.lang() == "en"
    return {
        clave: (etiqueta_en if english and etiqueta_en else etiqueta)
        for clave, etiqueta, etiqueta_en in labels_by_vocabulary().get(vocabulary, [])
    }
