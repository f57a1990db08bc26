"""Red flags of an obra, computed from its own data (never stored: always current).

Each flag is a fact anyone can check on the obra's page, not a judgement:

``sobrecosto``
    the final (or else modified, or else exercised) amount exceeds the contracted (or else
    approved) amount; ``sobrecosto_pct`` is by how much, in percent.
``retraso``
    the work ended after its scheduled end date, or it has not ended and the date has passed;
    ``retraso_dias`` counts the days (until today while it is still open).
``adjudicacion_directa``
    the contract was awarded directly (modalidad de contratación "adjudicación directa").
``sin_consulta``
    the obra is past planeación and records no citizen consultation.
``sin_finiquito``
    the scheduled end date is more than :data:`DIAS_FINIQUITO` days past and the obra is neither
    finiquitada nor cancelada.

:func:`flags` returns the flags of an obra dict (as package_show returns it) and the two figures;
``search.py`` indexes the flag names as the facet ``hueyapan_alerta`` and adds ``alertas``,
``sobrecosto_pct`` and ``retraso_dias`` to every obra the API shows.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ckanext.hueyapan.comun.cantidades import fecha, monto
from ckanext.hueyapan.comun.idioma import N_

__all__ = ["ALERTAS", "DIAS_FINIQUITO", "flags"]

#: Days after the scheduled end after which an obra without finiquito is flagged.
DIAS_FINIQUITO = 90

#: Flag name -> English label (translated where it is shown).
ALERTAS: dict[str, str] = {
    "sobrecosto": N_("Cost overrun"),
    "retraso": N_("Behind schedule"),
    "adjudicacion_directa": N_("Direct award"),
    "sin_consulta": N_("No recorded consultation"),
    "sin_finiquito": N_("No close-out after the end date"),
}

_ENDED = {"concluida", "finiquitada"}
_CLOSED = {"finiquitada", "cancelada"}






def _first(data: dict[str, Any], *fields: str) -> Decimal | None:
    for field in fields:
        amount = monto(data.get(field))
        if amount is not None and amount > 0:
            return amount
    return None


def flags(obra: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """``{"alertas": [names...], "sobrecosto_pct": float|None, "retraso_dias": int|None}``."""
    result: dict[str, Any] = {"alertas": [], "sobrecosto_pct": None, "retraso_dias": None}
    etapa = obra.get("etapa") or ""

    base = _first(obra, "monto_contratado", "monto_aprobado")
    final = _first(obra, "monto_final", "monto_modificado", "monto_ejercido")
    if base and final and final > base:
        result["sobrecosto_pct"] = round(float((final - base) / base * 100), 1)
        result["alertas"].append("sobrecosto")

    scheduled = fecha(obra.get("fecha_termino_programada"))
    ended = fecha(obra.get("fecha_termino_real"))
    if scheduled and etapa != "cancelada":
        until = ended or (None if etapa in _ENDED else today)
        if until and until > scheduled:
            result["retraso_dias"] = (until - scheduled).days
            result["alertas"].append("retraso")

    if obra.get("modalidad_contratacion") == "adjudicacion_directa":
        result["alertas"].append("adjudicacion_directa")

    if etapa and etapa not in ("planeacion", "cancelada") and not obra.get("consultas"):
        result["alertas"].append("sin_consulta")

    if scheduled and etapa not in _CLOSED and (today - scheduled).days > DIAS_FINIQUITO:
        result["alertas"].append("sin_finiquito")
    return result
