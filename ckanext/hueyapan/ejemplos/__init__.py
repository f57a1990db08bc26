"""Generated example data ("Datos de ejemplo"): never official, always marked, switchable off.

:func:`load` puts a small catalog in that tells true stories, with every date relative to the
day it runs (Mexico City time, ``comun.today()``): obras in every stage of ``etapa_obra`` (with
their consultations, progress history, contracts, an amendment and a finiquito, drawn photos and
minutes), programas sociales in force and one ended, and convocatorias próxima, abierta (two),
cerrada and resuelta with proposals from fictitious proponents, their review and one proposal
turned into an obra. Each obra's story declares the red flags it must show (:data:`Historia`),
and only the late and the over-budget ones carry ``retraso`` / ``sobrecosto``.

Every dataset says "Datos de ejemplo" in its title and description and carries the tag
:data:`ETIQUETA`; proponents are users named ``ejemplo-…`` without an e-mail (no review
e-mail is sent), their proposals' contact addresses end in ``.invalid``; companies are fictitious
(company RFC only); photos and documents are drawn with Pillow and stamped. :func:`remove`
removes all of it (also the harvest source of earlier versions). Loading is idempotent: a second
run the same day changes nothing; on a later day it moves the dates so the stories stay true.
``make run`` calls it through ``ckan hueyapan cosecha-ejemplo`` when
``ckanext.hueyapan.datos_ejemplo`` is true.

The package: ``relatos.py`` (the stories, pure data), ``fotos.py`` (drawing their photos and
documents), ``carga.py`` (loading, finding and removing). Callers use the names below, from here.
"""
from __future__ import annotations

from ckanext.hueyapan.ejemplos.carga import (
    ETIQUETA,
    FUENTE,
    Resultado,
    is_loaded,
    list_datasets,
    load,
    remove,
)
from ckanext.hueyapan.ejemplos.relatos import MARCA, Archivo, Historia, historias

__all__ = ["ETIQUETA", "FUENTE", "MARCA", "Archivo", "Historia", "Resultado", "load",
           "list_datasets", "is_loaded", "historias", "remove"]
