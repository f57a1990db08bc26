"""``hueyapan_resumen``: counts and amounts of the datasets a search finds, by community, fiscal
year, funding source, FAIS category and stage.

The search is CKAN's own ``package_search`` (same ``q``, ``fq`` and permissions as the caller),
narrowed by the same filters the facets offer (built by ``filtros``, as every output's); the
sums come from the matching datasets' stored values in PostgreSQL, in one query. Amounts are
pesos as numbers.

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
from ckan.types import Context

from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun.cantidades import monto

__all__ = ["FILTERS", "MAX_DATASETS", "busqueda", "summarise"]

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
    "estado": "hueyapan_estado",
}
#: The most datasets one summary reads (the whole catalog is expected to stay well below).
MAX_DATASETS = 50000
_PAGE = 1000




def busqueda(data_dict: dict[str, Any]) -> filtros.Busqueda:
    """The search a summary's parameters mean: ``q``, ``fq``, ``ext_bbox`` and the facet
    parameters of :data:`FILTERS` (a list: any of its values)."""
    clauses = [str(data_dict["fq"])] if data_dict.get("fq") else []
    for param, field in FILTERS.items():
        values = data_dict.get(param)
        values = values if isinstance(values, list) else [values]
        if any(value not in (None, "") for value in values):
            clauses.append(filtros.clausula(field, values))
    extras = {key: str(value) for key, value in data_dict.items()
              if key.startswith("ext_") and value not in (None, "")}
    if isinstance(data_dict.get("extras"), dict):
        extras.update(data_dict["extras"])
    return filtros.Busqueda(q=str(data_dict.get("q") or ""), clausulas=tuple(clauses),
                            extras=tuple(sorted(extras.items())))


def _ids(context: Context, data_dict: dict[str, Any]) -> tuple[list[str], int]:
    search = busqueda(data_dict)
    ids: list[str] = []
    start, count = 0, 0
    while True:
        result = tk.get_action("package_search")(
            {**context, "ignore_auth": False},
            search.params(rows=_PAGE, start=start, fl="id",
                          include_private=tk.asbool(data_dict.get("include_private", False))))
        count = result["count"]
        ids += [item["id"] for item in result["results"]]
        start += _PAGE
        if start >= count or start >= MAX_DATASETS or not result["results"]:
            return ids, count


def summarise(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
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
                for key, value in sorted(
                    groups[group].items(),
                    key=lambda kv: (-kv[1]["monto"], -kv[1]["datasets"], kv[0]))]

    return {
        "datasets": count,
        "leidos": len(ids),
        "monto_aprobado": float(total),
        **{f"por_{group}": listed(group) for group in groups},
    }
