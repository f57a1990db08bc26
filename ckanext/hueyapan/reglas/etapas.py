"""The stage of an obra nobody recorded: worked out from the record, and marked as such.

The quarterly SIPOT formats and most municipal lists have no stage column, yet every obra must
have one. A harvest takes the stage from the sheet; else from the source's defaults
(``{"valores": {"etapa": "ejecucion"}}``); else from :func:`estimate`, and then stores
``etapa_estimada = True`` so that the page, the API and the exports say "etapa estimada".

The rule (first match wins; ``today`` is the day of the harvest):

1. ``finiquitada``: the record carries the close-out's final amount (``monto_final``).
2. ``concluida``: a real end date on or before today, or physical progress of 100 %.
3. ``ejecucion``: physical progress above 0 %; or, when no progress is reported, a start date on
   or before today.
4. ``contratacion``: a contract (its number, date or amount, or the contractor) and none of the
   above.
5. ``planeacion``: anything else.

Reported physical progress outranks dates: 0 % after the planned start is an obra that has not
started, and the red flags (``retraso``) say it is late. Suspension and cancellation are never
inferred: only a person can tell them.
"""
from __future__ import annotations

import datetime
from typing import Any

from ckanext.hueyapan.comun.cantidades import fecha, monto, numero

__all__ = ["CONTRACT_FIELDS", "estimate"]

#: Fields whose value shows that a contract was signed.
CONTRACT_FIELDS = ("contrato_numero", "contrato_fecha", "monto_contratado",
                   "contratista_razon_social", "contratista_rfc")


def _on_or_before(value: Any, today: datetime.date) -> bool:
    day = fecha(value)
    return day is not None and day <= today


def estimate(obra: dict[str, Any], today: datetime.date) -> str:
    """The stage (a key of the ``etapa_obra`` vocabulary) an obra's own data point to."""
    final = monto(obra.get("monto_final"))
    if final is not None and final > 0:
        return "finiquitada"
    progress = numero(obra.get("avance_fisico"))
    if _on_or_before(obra.get("fecha_termino_real"), today) or (
            progress is not None and progress >= 100):
        return "concluida"
    if progress is not None and progress > 0:
        return "ejecucion"
    if progress is None and _on_or_before(obra.get("fecha_inicio"), today):
        return "ejecucion"
    if any(obra.get(name) not in (None, "", []) for name in CONTRACT_FIELDS):
        return "contratacion"
    return "planeacion"
