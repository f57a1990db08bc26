"""Actions of the communities register and the vocabularies (/api/3/action/hueyapan_*)."""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.hueyapan.comun import peticion
from ckanext.hueyapan.logic import chained, propuestas, schema
from ckanext.hueyapan.logic.chained import (  # noqa: F401 - actions registered by name
    # chained: images, harvest sources, e-mail hashes
    group_create,
    group_show,
    group_update,
    organization_create,
    organization_show,
    organization_update,
    package_create,
    package_update,
    user_create,
    user_list,
    user_show,
    user_update,
)
from ckanext.hueyapan.logic.propuestas import (  # noqa: F401 - actions registered by name
    hueyapan_convocatoria_resultados,
    hueyapan_propuesta_convertir,
    hueyapan_propuesta_create,
    hueyapan_propuesta_estado,
    hueyapan_propuesta_informe,
    hueyapan_propuesta_list,
    hueyapan_propuesta_show,
)
from ckanext.hueyapan.model import (
    ESTADO_ACTIVA,
    ESTADO_FUSIONADA,
    ESTADO_RETIRADA,
    Comunidad,
    Termino,
)
from ckanext.hueyapan.paginas import resumen
from ckanext.hueyapan.registros import comunidades, vocabularios
from ckanext.hueyapan.salvaguardas.caidas import package_search  # noqa: F401 - chained: Solr down is a 503

__all__ = [  # pyright: ignore[reportUnsupportedDunderAll] - spreads the lists below
    "hueyapan_comunidad_list",
    "hueyapan_comunidad_show",
    "hueyapan_comunidad_create",
    "hueyapan_comunidad_update",
    "hueyapan_comunidad_merge",
    "hueyapan_comunidad_retire",
    "hueyapan_termino_list",
    "hueyapan_termino_create",
    "hueyapan_termino_update",
    "hueyapan_resumen",
    *propuestas.__all__,
    *chained.__all__,
    "package_search",
]

log = logging.getLogger(__name__)


def _validate(data_dict: DataDict, schema_: dict[str, Any], context: Context) -> DataDict:
    data, errors = tk.navl_validate(data_dict, schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _get_comunidad(key: str) -> Comunidad:
    comunidad = model.Session.get(Comunidad, key) or (
        model.Session.query(Comunidad).filter(Comunidad.cvegeo == key).first()
    )
    if comunidad is None:
        raise tk.ObjectNotFound(tk._("Community not found: {key}").format(key=key))
    return comunidad


@tk.side_effect_free
def hueyapan_comunidad_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """List the communities of the municipality, ordered by name.

    :param incluir_retiradas: also list retired and merged communities (default: false)
    :type incluir_retiradas: bool
    :param con_geometria: include each community's GeoJSON geometry (default: false)
    :type con_geometria: bool
    :returns: communities with their key (``id``: the INEGI key ``cvegeo`` when INEGI maps the
        locality), name, ámbito, reference point, 2020 census figures and state
    :rtype: list of dictionaries
    """
    tk.check_access("hueyapan_comunidad_list", context, data_dict)
    data = _validate(data_dict, schema.comunidad_list_schema(), context)
    query = model.Session.query(Comunidad)
    if not data.get("incluir_retiradas"):
        query = query.filter(Comunidad.estado == ESTADO_ACTIVA)
    with_geometry = bool(data.get("con_geometria"))
    return [c.as_dict(with_geometry) for c in query.order_by(Comunidad.nombre, Comunidad.id)]


@tk.side_effect_free
def hueyapan_comunidad_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show one community, retired and merged ones included.

    :param id: the community's key or its 9-digit INEGI key (``cvegeo``)
    :type id: string
    :param con_geometria: include the GeoJSON geometry (default: true)
    :type con_geometria: bool
    :rtype: dictionary
    """
    tk.check_access("hueyapan_comunidad_show", context, data_dict)
    data = _validate(data_dict, schema.comunidad_show_schema(), context)
    return _get_comunidad(data["id"]).as_dict(data.get("con_geometria", True))


def _check_unique_cvegeo(cvegeo: str | None, own_id: str | None = None) -> None:
    if not cvegeo:
        return
    other = model.Session.query(Comunidad).filter(Comunidad.cvegeo == cvegeo).first()
    if other is not None and other.id != own_id:
        raise tk.ValidationError({"cvegeo": [
            tk._("The INEGI key {key} already belongs to \"{name}\"").format(
                key=cvegeo, name=other.nombre)
        ]})


def hueyapan_comunidad_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a community to the register (sysadmins only).

    :param nombre: name of the community
    :type nombre: string
    :param cvegeo: 9-digit INEGI locality key, when INEGI maps it (optional); it becomes the
        community's permanent key, otherwise a key is made from the name
    :type cvegeo: string
    :param ambito: ``U`` or ``R`` (optional)
    :param latitud: reference latitude (optional)
    :param longitud: reference longitude (optional)
    :param geometria: GeoJSON geometry (optional)
    :param pob_total_2020: census population (optional; also ``pob_masculina_2020``,
        ``pob_femenina_2020``, ``viviendas_habitadas_2020``, ``altitud_m``)
    :param fuente: where the figures come from (optional)
    :rtype: dictionary
    """
    tk.check_access("hueyapan_comunidad_create", context, data_dict)
    data = _validate(data_dict, schema.comunidad_create_schema(), context)
    _check_unique_cvegeo(data.get("cvegeo"))
    data["id"] = comunidades.new_id(data["nombre"], data.get("cvegeo"))
    comunidad = Comunidad(**data)
    model.Session.add(comunidad)
    model.Session.commit()
    peticion.forget()
    log.info("Community %s (%s) created by %s", comunidad.id, comunidad.nombre, context.get("user"))
    return comunidad.as_dict(True)


def hueyapan_comunidad_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a community's data, e.g. rename it (sysadmins only). Its key never changes.

    :param id: the community's key or INEGI key
    :type id: string
    :param nombre: the new name (optional); the other fields as in ``hueyapan_comunidad_create``
    :rtype: dictionary
    """
    tk.check_access("hueyapan_comunidad_update", context, data_dict)
    data = _validate(data_dict, schema.comunidad_update_schema(), context)
    comunidad = _get_comunidad(data.pop("id"))
    if "cvegeo" in data:
        _check_unique_cvegeo(data["cvegeo"], comunidad.id)
    for field, value in data.items():
        setattr(comunidad, field, value)
    model.Session.commit()
    peticion.forget()
    _reindex(comunidades.datasets_with(comunidad.id))
    return comunidad.as_dict(True)


def _reindex(packages: list[model.Package]) -> None:
    from ckan.lib.search import rebuild

    for package in packages:
        rebuild(package.id)


def _replace_in_datasets(context: Context, source: str, target: str | None) -> int:
    """Point every dataset that names ``source`` at ``target`` (or drop it); one activity each."""
    changed = 0
    for package in comunidades.datasets_with(source):
        keys = json.loads(package.extras.get("comunidades") or "[]")
        new_keys: list[str] = []
        for key in keys:
            replacement = target if key == source else key
            if replacement and replacement not in new_keys:
                new_keys.append(replacement)
        patch_context: Context = {"user": context["user"], "ignore_auth": True}
        tk.get_action("package_patch")(patch_context, {"id": package.id, "comunidades": new_keys})
        changed += 1
    return changed


def hueyapan_comunidad_merge(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Merge a community into another one (sysadmins only).

    The merged community keeps its row, history and URL, with state ``fusionada`` and a pointer to
    the community it was merged into; every dataset that named it now names the other one (each
    change is recorded in the dataset's activity stream).

    :param id: the community that disappears
    :type id: string
    :param destino: the community that remains
    :type destino: string
    :returns: the merged community and ``datasets_actualizados``
    :rtype: dictionary
    """
    tk.check_access("hueyapan_comunidad_merge", context, data_dict)
    data = _validate(data_dict, schema.comunidad_merge_schema(), context)
    source, target = _get_comunidad(data["id"]), _get_comunidad(data["destino"])
    if source.id == target.id:
        raise tk.ValidationError({"destino": [tk._("A community cannot be merged into itself")]})
    if target.estado != ESTADO_ACTIVA:
        raise tk.ValidationError({"destino": [
            tk._("\"{name}\" is not active: merge into an active community").format(
                name=target.nombre)
        ]})
    changed = _replace_in_datasets(context, source.id, target.id)
    source.estado = ESTADO_FUSIONADA
    source.fusionada_en = target.id
    model.Session.commit()
    peticion.forget()
    log.info("Community %s merged into %s by %s (%d datasets)", source.id, target.id,
             context.get("user"), changed)
    return dict(source.as_dict(), datasets_actualizados=changed)


def hueyapan_comunidad_retire(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Retire a community (sysadmins only): it can no longer be chosen for new datasets, but
    it keeps its history and URL, and the datasets that name it keep naming it.

    :param id: the community's key or INEGI key
    :type id: string
    :rtype: dictionary
    """
    tk.check_access("hueyapan_comunidad_retire", context, data_dict)
    data = _validate(data_dict, schema.comunidad_retire_schema(), context)
    comunidad = _get_comunidad(data["id"])
    comunidad.estado = ESTADO_RETIRADA
    model.Session.commit()
    peticion.forget()
    return comunidad.as_dict()


@tk.side_effect_free
def hueyapan_termino_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """List the terms of a controlled vocabulary.

    :param vocabulario: e.g. ``rubro_fais``, ``fuente_financiamiento``, ``etapa_obra``,
        ``tipo_convocatoria``, ``fundamento_legal``
    :type vocabulario: string
    :param ejercicio: only the terms valid in that fiscal year (optional)
    :type ejercicio: int
    :rtype: list of dictionaries
    """
    tk.check_access("hueyapan_termino_list", context, data_dict)
    data = _validate(data_dict, schema.termino_list_schema(), context)
    found = vocabularios.terms(data["vocabulario"])
    if data.get("ejercicio"):
        found = [t for t in found if t.vigente_en(int(data["ejercicio"]))]
    return [t.as_dict() for t in found]


def _check_period(data: DataDict) -> None:
    desde, hasta = data.get("desde"), data.get("hasta")
    if isinstance(desde, datetime.datetime):
        data["desde"] = desde = desde.date()
    if isinstance(hasta, datetime.datetime):
        data["hasta"] = hasta = hasta.date()
    if desde and hasta and hasta < desde:
        raise tk.ValidationError({"hasta": [tk._("The end date is earlier than the start date")]})


def hueyapan_termino_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a term to a vocabulary (sysadmins only), e.g. a new fund from a fiscal year on.

    :param vocabulario: vocabulary name
    :param clave: stable key of the term (what datasets store)
    :param etiqueta: Spanish label
    :param etiqueta_en: English label (optional)
    :param desde: first date the term may be used, YYYY-MM-DD (optional)
    :param hasta: last date the term may be used, YYYY-MM-DD (optional)
    :param orden: display position (optional)
    :rtype: dictionary
    """
    tk.check_access("hueyapan_termino_create", context, data_dict)
    data = _validate(data_dict, schema.termino_create_schema(), context)
    _check_period(data)
    if vocabularios.term(data["vocabulario"], data["clave"]) is not None:
        raise tk.ValidationError({"clave": [
            tk._("The list already has the key \"{key}\"").format(key=data["clave"])
        ]})
    termino = Termino(**data)
    if termino.orden is None:
        termino.orden = len(vocabularios.terms(data["vocabulario"]))
    model.Session.add(termino)
    model.Session.commit()
    peticion.forget()
    return termino.as_dict()


def hueyapan_termino_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a term's labels, validity dates or order (sysadmins only). Its key never changes.

    :param vocabulario: vocabulary name
    :param clave: key of the term
    :rtype: dictionary
    """
    tk.check_access("hueyapan_termino_update", context, data_dict)
    data = _validate(data_dict, schema.termino_update_schema(), context)
    termino = vocabularios.term(data.pop("vocabulario"), data.pop("clave"))
    if termino is None:
        raise tk.ObjectNotFound(tk._("Term not found"))
    _check_period({"desde": data.get("desde", termino.desde),
                   "hasta": data.get("hasta", termino.hasta)})
    for field, value in data.items():
        setattr(termino, field, value.date() if isinstance(value, datetime.datetime) else value)
    model.Session.commit()
    peticion.forget()
    return termino.as_dict()


@tk.side_effect_free
def hueyapan_resumen(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Counts and approved amounts of the datasets a search finds, by community, fiscal year,
    funding source, FAIS category, stage and type.

    :param q: free text, as in ``package_search``
    :param fq: a Solr filter, as in ``package_search``
    :param comunidad: INEGI key(s) of communities (the municipality's key: works for all of it)
    :param etapa, fuente, rubro, ejercicio, organizacion, tipo, alerta, estado: facet values
        (each may be a list: any of them); the same filters as the search facets
    :param ext_bbox: a bounding box ``minx,miny,maxx,maxy``, as on the search page
    :param include_private: also private datasets the caller may see (default false)

    Returns ``datasets`` (how many match), ``monto_aprobado`` (their sum) and ``por_comunidad``,
    ``por_ejercicio``, ``por_fuente``, ``por_rubro``, ``por_etapa``, ``por_tipo``: lists of
    ``{"clave", "datasets", "monto"}``, largest amount first. A dataset in several communities
    counts in each; by source, each source's own amount.
    """
    tk.check_access("hueyapan_resumen", context, data_dict)
    return resumen.summarise(context, dict(data_dict))
