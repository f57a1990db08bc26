"""Key figures of the catalog for the home page, computed from the catalog itself and cached.

What the figures count: public, active datasets only (never private drafts).

* obras by etapa (the vocabulary's order) and the convocatorias abiertas (with the days left)
  are searches of the filter engine (``filtros``): the datasets the search page lists with the
  same filter (``/obra/?hueyapan_etapa=ejecucion``, ``/convocatoria/?hueyapan_estado=abierta``);
* inversión (approved amounts of the funding sources) by ejercicio fiscal and by fuente,
  programas sociales vigentes today, the communities reached (named by at least one dataset)
  and the datasets per community (the home page's map): a few aggregate queries on PostgreSQL
  (the datasets' extras), not by loading datasets, so their cost grows slowly with the size of
  the catalog;
* cached in Redis under a *generation* that every dataset change increments
  (:func:`invalidate`, called from the plugin's ``after_dataset_create/update/delete``), and per
  day (what is "vigente" or "abierta" changes at midnight, Mexico City time). A change costs one
  Redis ``INCR``; the next visit to the home page recomputes.
"""
from __future__ import annotations

import datetime
import json
import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.redis import connect_to_redis

from ckanext.hueyapan import comun
from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun.cantidades import monto
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad
from ckanext.hueyapan.registros import vocabularios

__all__ = ["compute", "figures", "generation", "invalidate"]

log = logging.getLogger(__name__)

_TTL = 24 * 3600
_PUBLIC = "state = 'active' AND private = false"


def _key(*parts: Any) -> str:
    site = tk.config.get("ckan.site_id") or "default"
    return ":".join(["hueyapan", site, "cifras", *map(str, parts)])


def invalidate() -> None:
    """A dataset changed: the next request recomputes the figures."""
    try:
        connect_to_redis().incr(_key("generacion"))
    except Exception as error:  # noqa: BLE001 - Redis down must never fail a dataset change
        log.warning("Could not invalidate the cached figures: %s", error)


def generation() -> int:
    """How many dataset changes the catalog has counted (0 when Redis cannot tell)."""
    try:
        return int(connect_to_redis().get(_key("generacion")) or 0)
    except Exception:  # noqa: BLE001
        return 0




def _search(busqueda: filtros.Busqueda, **more: Any) -> dict[str, Any]:
    """A search of the public datasets (whoever looks at the home page)."""
    return tk.get_action("package_search")({"ignore_auth": True}, busqueda.params(**more))


def _rows(sql: str, **params: Any) -> list[Any]:
    return list(model.Session.execute(sa.text(sql), params))


def compute(today: datetime.date | None = None) -> dict[str, Any]:
    """The figures, from the database (no cache). Amounts are floats of pesos (JSON-friendly)."""
    today = today or comun.today()
    obras = _search(filtros.Busqueda(tipo="obra"), rows=0, **{
        "facet.field": json.dumps(["hueyapan_etapa"]), "facet.limit": -1})
    etapas = obras["facets"].get("hueyapan_etapa", {})
    order = [term.clave for term in vocabularios.terms("etapa_obra")]
    obras_por_etapa = [{"clave": clave, "obras": etapas[clave]} for clave in order
                       if etapas.get(clave)]
    obras_por_etapa += [{"clave": clave, "obras": n} for clave, n in etapas.items()
                        if clave and clave not in order]

    by_year: dict[str, Decimal] = defaultdict(Decimal)
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    for year, sources in _rows(
            f"SELECT extras->>'ejercicio_fiscal', extras->>'fuentes_financiamiento' FROM package "
            f"WHERE type = 'obra' AND {_PUBLIC} AND extras ? 'fuentes_financiamiento'"):
        try:
            items = json.loads(sources or "[]")
        except ValueError:
            continue
        for item in items if isinstance(items, list) else []:
            amount = monto(item.get("monto")) if isinstance(item, dict) else None
            if amount is None:
                continue
            by_year[year or ""] += amount
            by_source[item.get("fuente") or ""] += amount

    day = today.isoformat()
    programas = _rows(
        f"SELECT count(*) FROM package WHERE type = 'programa-social' AND {_PUBLIC} "
        "AND coalesce(nullif(extras->>'vigencia_inicio', ''), '0000') <= :day "
        "AND coalesce(nullif(extras->>'vigencia_fin', ''), '9999') >= :day", day=day)[0][0]

    abiertas = []
    for convocatoria in filtros.iterate_datasets(
            filtros.parse_busqueda({filtros.ESTADO_FIELD: "abierta"}, "convocatoria"),
            {"ignore_auth": True}, limite=1000):
        cierre_day = datetime.date.fromisoformat(str(convocatoria["fecha_cierre"])[:10])
        abiertas.append({"name": convocatoria["name"], "title": convocatoria["title"],
                         "cierre": cierre_day.isoformat(), "dias": (cierre_day - today).days})
    abiertas.sort(key=lambda item: (item["dias"], item["title"]))

    per_community: dict[str, int] = defaultdict(int)
    for (value,) in _rows(f"SELECT extras->>'comunidades' FROM package WHERE {_PUBLIC} "
                          "AND type <> 'harvest' AND extras ? 'comunidades'"):
        try:
            keys = json.loads(value or "[]")
        except ValueError:
            continue
        if isinstance(keys, list):
            for key in {str(key) for key in keys if key}:
                per_community[key] += 1
    reached = set(per_community)
    municipio = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
    total = model.Session.query(Comunidad).filter(Comunidad.estado == ESTADO_ACTIVA).count()

    return {
        "fecha": day,
        "obras": int(obras["count"]),
        "obras_por_etapa": obras_por_etapa,
        "inversion_total": float(sum(by_year.values(), Decimal())),
        "inversion_por_ejercicio": [{"ejercicio": year, "monto": float(amount)}
                                    for year, amount in sorted(by_year.items(), reverse=True)],
        "inversion_por_fuente": [{"clave": source, "monto": float(amount)} for source, amount in
                                 sorted(by_source.items(), key=lambda kv: -kv[1])],
        "programas_vigentes": int(programas),
        "convocatorias_abiertas": abiertas,
        "comunidades_alcanzadas": len(reached - {municipio}),
        "todo_el_municipio": municipio in reached,
        "comunidades_total": int(total),
        "por_comunidad": dict(per_community),
    }


def figures() -> dict[str, Any]:
    """The cached figures (computed at most once per change and per day)."""
    today = comun.today()
    try:
        redis = connect_to_redis()
        generation = int(redis.get(_key("generacion")) or 0)
        key = _key(generation, today.isoformat())
        cached = redis.get(key)
        if cached:
            return json.loads(cached)
    except Exception as error:  # noqa: BLE001 - without Redis the page still shows the figures
        log.warning("Figures cache unavailable: %s", error)
        return compute(today)
    result = compute(today)
    try:
        redis.set(key, json.dumps(result), ex=_TTL)
    except Exception as error:  # noqa: BLE001
        log.warning("Could not cache the figures: %s", error)
    return result
