"""``hueyapan_resumen``: counts and amounts of the datasets a search finds, by community, fiscal
year, funding source, FAIS category and stage.

The search is CKAN's own ``package_search`` (same ``q``, ``fq`` and permissions as the caller),
narrowed by the same filters the facets offer; the sums come from the matching datasets' stored
values in PostgreSQL, in one query. Amounts are pesos as numbers.

* ``monto`` of a dataset is its approved amount (``monto_aprobado``);
* by funding source, the amount of each source (``fuentes_financiamiento``);
* a dataset in several communities counts in each of them: the per-community figures do not add
  up to the total, which counts every dataset once.
"""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan.cantidades import monto

__all__ = ["FILTERS", "MAX_DATASETS", "summarise"]

#: Parameter -> Solr field of the facet it filters on.
FILTERS: dict[str, str] = {
    "comunidad": "hueyapan_comunidad",
    "etapa": "hueyapan_etapa",
    "fuente": "hueyapan_fuente",
    "rubro": "hueyapan_rubro",
    "ejercicio": "hueyapan_ejercicio",
    "organizacion": "organization",
    "tipo": "dataset_type",
    "alerta": "hueyapan_alerta",
}
#: The most datasets one summary reads (the whole catalog is expected to stay well below).
MAX_DATASETS = 50000
_PAGE = 1000




def _fq(data_dict: dict[str, Any]) -> str:
    parts = [str(data_dict["fq"])] if data_dict.get("fq") else []
    for param, field in FILTERS.items():
        values = data_dict.get(param)
        if values in (None, "", []):
            continue
        values = values if isinstance(values, list) else [values]
        quoted = " OR ".join('"{}"'.format(str(v).replace('"', "")) for v in values)
        parts.append(f"+{field}:({quoted})")
    return " ".join(parts)


def _ids(context: dict[str, Any], data_dict: dict[str, Any]) -> tuple[list[str], int]:
    ids: list[str] = []
    start, count = 0, 0
    while True:
        result = tk.get_action("package_search")(
            {**context, "ignore_auth": False},
            {"q": data_dict.get("q") or "*:*", "fq": _fq(data_dict), "rows": _PAGE, "start": start,
             "fl": "id", "include_private": tk.asbool(data_dict.get("include_private", False))})
        count = result["count"]
        ids += [item["id"] for item in result["results"]]
        start += _PAGE
        if start >= count or start >= MAX_DATASETS or not result["results"]:
            return ids, count


def summarise(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    ids, count = _ids(context, data_dict)
    groups: dict[str, dict[str, dict[str, Any]]] = {
        name: defaultdict(lambda: {"datasets": 0, "monto": Decimal()})
        for name in ("comunidad", "ejercicio", "fuente", "rubro", "etapa", "tipo")}
    total = Decimal()
    rows = model.Session.execute(sa.text(
        "SELECT type, extras->>'comunidades', extras->>'ejercicio_fiscal', "
        "extras->>'fuentes_financiamiento', extras->>'rubro_fais', extras->>'etapa', "
        "extras->>'monto_aprobado' FROM package WHERE id = ANY(:ids)"), {"ids": ids}) if ids else []
    for tipo, comunidades, ejercicio, fuentes, rubro, etapa, approved in rows:
        amount = monto(approved) or Decimal()
        total += amount

        def add(group: str, key: str | None, value: Decimal = amount) -> None:
            if key:
                groups[group][key]["datasets"] += 1
                groups[group][key]["monto"] += value

        try:
            keys = json.loads(comunidades or "[]")
        except ValueError:
            keys = []
        for key in dict.fromkeys(str(k) for k in keys if k) if isinstance(keys, list) else ():
            add("comunidad", key)
        add("ejercicio", ejercicio)
        add("rubro", rubro)
        add("etapa", etapa)
        add("tipo", tipo)
        try:
            sources = json.loads(fuentes or "[]")
        except ValueError:
            sources = []
        for source in sources if isinstance(sources, list) else ():
            if isinstance(source, dict) and source.get("fuente"):
                add("fuente", source["fuente"], monto(source.get("monto")) or Decimal())

    def listed(group: str) -> list[dict[str, Any]]:
        return [{"clave": key, "datasets": value["datasets"], "monto": float(value["monto"])}
                for key, value in sorted(groups[group].items(),
                                         key=lambda kv: (-kv[1]["monto"], -kv[1]["datasets"], kv[0]))]

    return {
        "datasets": count,
        "leidos": len(ids),
        "monto_aprobado": float(total),
        **{f"por_{group}": listed(group) for group in groups},
    }
