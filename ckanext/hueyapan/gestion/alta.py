"""A new obra from its essentials, on one screen: name, communities, stage, fiscal year, approved
amount and its funding source, and optionally the key and the place on the map.

The rest (contract, consultation, progress, beneficiaries, documents) is filled later, each in its
own screen or in the full form. What the short path writes is what the full form would: one
``package_create`` with the obra schema's validators, so a rule holds whichever way staff took.
"""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from ckan import model

from ckanext.hueyapan.comun import today

__all__ = ["ESENCIALES", "obra_from_form", "suggest_clave"]

#: The inputs of the short path, in the order of the screen.
ESENCIALES = ("title", "comunidades", "etapa", "ejercicio_fiscal", "monto_aprobado", "fuente",
              "clave_obra", "spatial")

def suggest_clave(ejercicio: Any, fuente: str) -> str:
    """The next free key of the municipality's pattern for a fiscal year and funding source:
    ``HUE-2026-FISM-004`` when 003 is the highest of that year and fund."""
    year = str(ejercicio or today().year).strip()
    fund = re.sub(r"[^A-Z0-9]", "", (fuente or "obra").upper())[:10] or "OBRA"
    prefix = f"HUE-{year}-{fund}-"
    clave = model.Package.extras["clave_obra"].astext
    used = model.Session.query(clave).filter(
        sa.func.upper(clave).like(prefix.replace("_", r"\_") + "%")).all()
    numbers = [int(m.group(1)) for (value,) in used
               if (m := re.search(r"-(\d+)$", value or ""))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def obra_from_form(form: dict[str, str], owner_org: str) -> dict[str, Any]:
    """The ``package_create`` data of an obra from the short form's values. The funding source
    becomes the first row of ``fuentes_financiamiento``, with the approved amount; an empty key
    gets the suggested one. The location goes as typed: the schema's validator reads GeoJSON or
    "latitude, longitude" pairs and names the field in its Spanish message."""
    comunidades = form.get("comunidades")
    data: dict[str, Any] = {
        "type": "obra",
        "owner_org": owner_org,
        "title": (form.get("title") or "").strip(),
        "comunidades": comunidades if isinstance(comunidades, list) else
        [c for c in (comunidades or "").split(",") if c],
        "etapa": form.get("etapa") or "",
        "ejercicio_fiscal": (form.get("ejercicio_fiscal") or "").strip(),
        "monto_aprobado": (form.get("monto_aprobado") or "").strip(),
    }
    fuente = form.get("fuente") or ""
    if fuente:
        data["fuentes_financiamiento"] = [
            {"fuente": fuente, "monto": data["monto_aprobado"]}]
    data["clave_obra"] = ((form.get("clave_obra") or "").strip()
                          or suggest_clave(data["ejercicio_fiscal"], fuente))
    # The web address follows the key (hue-2026-fism-004), as the schema's example shows.
    data["name"] = re.sub(r"[^a-z0-9_-]+", "-", data["clave_obra"].lower()).strip("-")[:100]
    if (form.get("spatial") or "").strip():
        data["spatial"] = form["spatial"].strip()
    return data
