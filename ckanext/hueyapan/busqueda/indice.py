"""Search index hooks: facet fields of our dataset types and the convocatoria's estado.

A convocatoria's estado (próxima, abierta, cerrada, resuelta) depends on today's date, so it is
never stored nor indexed: the index holds the dates and the estado is computed when a dataset is
read, filtered or counted. It can never go stale as days pass.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import make_connection

from ckanext.hueyapan import comun
from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun import DATASET_TYPES, ESTADO_LABELS
from ckanext.hueyapan.comun.cantidades import fecha, lista
from ckanext.hueyapan.comun.idioma import N_
from ckanext.hueyapan.formatos import estandar
from ckanext.hueyapan.model import Comunidad
from ckanext.hueyapan.registros import comunidades, espacial, vocabularios
from ckanext.hueyapan.reglas import alertas

__all__ = [
    "CKAN_MESSAGES",
    "ESTADOS",
    "FACETS",
    "add_facets",
    "before_index",
    "before_search",
    "after_search",
    "after_show",
    "estado_convocatoria",
]

#: CKAN's own messages that its search pages show and its Spanish catalog lacks: marked here so
#: that the extraction keeps them in ours.
CKAN_MESSAGES = (
    N_("close"),
)

ESTADO_FIELD, ALERTA_FIELD = filtros.ESTADO_FIELD, filtros.ALERTA_FIELD
ESTADOS = filtros.ESTADOS

# Solr field -> (label msgid, dataset types that show it on their search page)
FACETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hueyapan_comunidad": (N_("Community"), DATASET_TYPES + ("dataset",)),
    ESTADO_FIELD: (N_("Status of the call"), ("convocatoria",)),
    "hueyapan_tipo_convocatoria": (N_("Type of call"), ("convocatoria",)),
    "hueyapan_etapa": (N_("Stage"), ("obra",)),
    "hueyapan_fuente": (N_("Funding source"), ("obra",)),
    "hueyapan_rubro": (N_("FAIS category"), ("obra",)),
    "hueyapan_tipo_programa": (N_("Type of programme"), ("programa-social",)),
    "hueyapan_enfoque": (N_("Focus"), ("programa-social",)),
    "hueyapan_ejercicio": (N_("Fiscal year"), DATASET_TYPES + ("dataset",)),
    "hueyapan_alerta": (N_("Red flags"), ("obra",)),
    "hueyapan_indigena": (N_("Indigenous community"), DATASET_TYPES + ("dataset",)),
}
_VOCABULARY_OF = {
    "hueyapan_etapa": "etapa_obra",
    "hueyapan_fuente": "fuente_financiamiento",
    "hueyapan_rubro": "rubro_fais",
    "hueyapan_tipo_convocatoria": "tipo_convocatoria",
    "hueyapan_tipo_programa": "tipo_programa",
    "hueyapan_enfoque": "enfoque",
}


def _list(value: Any) -> list[str]:
    return [str(v) for v in lista(value) if v not in (None, "")]


def estado_convocatoria(data: dict[str, Any], on: datetime.date | None = None) -> str | None:
    """próxima before apertura; abierta through the day of cierre; resuelta from the day of
    resultados; cerrada in between."""
    on = on or comun.today()
    apertura, cierre = fecha(data.get("fecha_apertura")), fecha(data.get("fecha_cierre"))
    resultados = fecha(data.get("fecha_resultados"))
    if apertura is None or cierre is None:
        return None
    if on < apertura:
        return "proxima"
    if on <= cierre:
        return "abierta"
    if resultados is not None and on >= resultados:
        return "resuelta"
    return "cerrada"


def before_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add the facet fields (multi-valued strings), the convocatoria's dates (our types, and
    the communities of any other dataset, e.g. a harvested one) and the spatial extent of every
    dataset (see ``espacial.py``)."""
    data = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    pkg_dict = espacial.index_extent(pkg_dict, data)
    if pkg_dict.get("type") not in DATASET_TYPES + ("dataset",):
        return pkg_dict
    simple = {
        "hueyapan_comunidad": _list(data.get("comunidades")),
        "hueyapan_ejercicio": _list(data.get("ejercicio_fiscal")),
        "hueyapan_etapa": _list(data.get("etapa")),
        "hueyapan_rubro": _list(data.get("rubro_fais")),
        "hueyapan_tipo_convocatoria": _list(data.get("tipo_convocatoria")),
        "hueyapan_tipo_programa": _list(data.get("tipo_programa")),
        "hueyapan_enfoque": _list(data.get("enfoque")),
        "hueyapan_fuente": sorted({
            f.get("fuente") for f in data.get("fuentes_financiamiento") or []
            if isinstance(f, dict) and f.get("fuente")
        }, key=str),
    }
    if pkg_dict.get("type") == "obra":
        simple["hueyapan_alerta"] = _static_flags(data)
        scheduled = fecha(data.get("fecha_termino_programada"))
        if scheduled:
            pkg_dict["hueyapan_termino_programado_date"] = filtros.solr_instant(
                scheduled, end_of_day=True)
    if _any_indigenous(simple["hueyapan_comunidad"]):
        simple["hueyapan_indigena"] = ["si"]
    pkg_dict.update({key: values for key, values in simple.items() if values})
    for field, end in (("fecha_apertura", False), ("fecha_cierre", True),
                       ("fecha_resultados", False)):
        day = fecha(data.get(field))
        if day:
            pkg_dict[f"hueyapan_{field}_date"] = filtros.solr_instant(day, end_of_day=end)
    return pkg_dict


def _static_flags(data: dict[str, Any]) -> list[str]:
    """The red flags that do not depend on today's date (see alertas.py); the two that do
    (an open work past its end date, no close-out) are computed by Solr at query time."""
    far_past = datetime.date(1900, 1, 1)  # "today" so early that nothing is late yet
    flags = alertas.flags(data, far_past)["alertas"]
    ended = fecha(data.get("fecha_termino_real"))
    scheduled = fecha(data.get("fecha_termino_programada"))
    if ended and scheduled and ended > scheduled and data.get("etapa") != "cancelada":
        flags.append("retraso")  # ended late: a fact that no longer changes
    return sorted(set(flags) - {"sin_finiquito"})


def _any_indigenous(keys: list[str]) -> bool:
    if not keys:
        return False
    from ckan import model

    return model.Session.query(Comunidad.id).filter(
        Comunidad.id.in_(keys), Comunidad.indigena.is_(True)).first() is not None


def before_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """Turn the virtual red-flag and estado filters into Solr queries
    (``filtros.translate_query``, in ``q``, ``fq`` and ``fq_list``); count red flags and
    estados separately."""
    for key in ("q", "fq"):
        if isinstance(search_params.get(key), str):
            search_params[key] = filtros.translate_query(search_params[key])
    if isinstance(search_params.get("fq_list"), list):
        search_params["fq_list"] = [filtros.translate_query(str(fq))
                                    for fq in search_params["fq_list"]]
    facet_fields = search_params.get("facet.field")
    for field, flag in ((ESTADO_FIELD, "_hueyapan_estado_facet"),
                        (ALERTA_FIELD, "_hueyapan_alerta_facet")):
        if isinstance(facet_fields, list) and field in facet_fields:
            facet_fields = [f for f in facet_fields if f != field]
            search_params["facet.field"] = facet_fields
            search_params.setdefault("extras", {})[flag] = True
    return search_params


def _query_counts(search_params: dict[str, Any], queries: dict[Any, str]) -> dict[Any, int]:
    """How many matching datasets each query finds: one Solr request with facet queries.

    Called after CKAN ran the search, so ``search_params`` already holds the final ``q`` and the
    ``fq`` list with site, state and permission filters: nobody counts what they cannot see.
    """
    params: dict[str, Any] = {
        key: search_params[key]
        for key in ("q", "fq", "defType", "qf", "mm", "tie", "q.op")
        if search_params.get(key) not in (None, "")
    }
    params.update({
        "rows": 0,
        "facet": "true",
        "facet.query": list(queries.values()),
        "df": "text",
        "wt": "json",
    })
    response = make_connection().search(**params)
    counts = response.raw_response.get("facet_counts", {}).get("facet_queries", {})
    return {name: int(counts.get(query, 0)) for name, query in queries.items()}


def after_search(search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """Spanish display names on our facets, the estado facet, and each result's estado."""
    facets = search_results.get("search_facets", {})
    for field, facet in facets.items():
        items = facet.get("items", [])
        if not items:
            continue
        if field == "hueyapan_comunidad":
            labels = comunidades.comunidad_labels([item["name"] for item in items])
        elif field in _VOCABULARY_OF:
            labels = vocabularios.termino_labels(_VOCABULARY_OF[field])
        else:
            continue
        for item in items:
            item["display_name"] = labels.get(item["name"], item["name"])
    # The red-flag and call-status facets are counted with facet queries, both in one extra
    # Solr request (the search pages of every type show both).

    extras = search_params.get("extras") or {}
    queries: dict[tuple[str, str], str] = {}
    if extras.pop("_hueyapan_alerta_facet", False):
        queries.update({(ALERTA_FIELD, a): filtros.alerta_query(a) for a in alertas.ALERTAS})
    if extras.pop("_hueyapan_estado_facet", False):
        queries.update({(ESTADO_FIELD, e): filtros.estado_query(e) for e in ESTADOS})
    counts = _query_counts(search_params, queries) if queries else {}
    for field, names, labels in ((ALERTA_FIELD, alertas.ALERTAS, alertas.ALERTAS),
                                 (ESTADO_FIELD, ESTADOS, ESTADO_LABELS)):
        if not any(key[0] == field for key in queries):
            continue
        found = {name: counts[(field, name)] for name in names if counts[(field, name)]}
        facets[field] = {
            "title": field,
            "items": [{"name": name, "display_name": tk._(labels[name]), "count": count}
                      for name, count in found.items()],
        }
        search_results.setdefault("facets", {})[field] = found
    if "hueyapan_indigena" in facets:
        for item in facets["hueyapan_indigena"].get("items", []):
            item["display_name"] = tk._("Yes") if item["name"] == "si" else item["name"]
    for result in search_results.get("results", []):
        after_show(result)
    return search_results


def after_show(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's standard keys (see estandar.py), and a convocatoria's estado, computed from its
    dates and today's date."""
    estandar.complete(pkg_dict)
    if pkg_dict.get("type") == "convocatoria":
        pkg_dict["estado"] = estado_convocatoria(pkg_dict)
    elif pkg_dict.get("type") == "obra":

        pkg_dict.update(alertas.flags(pkg_dict, comun.today()))
    return pkg_dict


def add_facets(facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
    """Our facets on the search pages, the ones of the page's dataset type first. The general
    search (type ``dataset``) shows those every type shares (community, fiscal year, indigenous
    community); each type's own facets (stage, red flags, status of a call…) are on its page."""
    ours = {
        field: tk._(label) for field, (label, types) in FACETS.items() if package_type in types
    }
    others = {k: v for k, v in facets_dict.items() if k not in ("tags", "license_id")}
    if "organization" in others:
        others["organization"] = tk._("Municipal area")
    return {**ours, **others}
