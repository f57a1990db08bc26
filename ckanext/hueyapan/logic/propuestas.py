"""Actions of the proposals to calls (``/api/3/action/hueyapan_propuesta_*``).

Authorization lives in the actions themselves, from the proposal's own rules
(``participacion.role``): the auth functions only require a logged-in user where one is needed.
"""
from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict, ErrorDict

from ckanext.hueyapan import comun, participacion
from ckanext.hueyapan.busqueda import indice
from ckanext.hueyapan.comun.cantidades import monto
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad, Propuesta

__all__ = [
    "hueyapan_propuesta_create",
    "hueyapan_propuesta_show",
    "hueyapan_propuesta_list",
    "hueyapan_propuesta_estado",
    "hueyapan_propuesta_convertir",
    "hueyapan_propuesta_informe",
    "hueyapan_convocatoria_resultados",
]

_TEXTS = ("titulo", "problema", "descripcion")
_COUNTS = ("beneficiarios_mujeres", "beneficiarios_hombres", "beneficiarios_indigenas")
_CONTACT = ("contacto_nombre", "contacto_telefono", "contacto_correo")


def _convocatoria(key: str | None) -> dict[str, Any]:
    try:
        convocatoria = tk.get_action("package_show")({"ignore_auth": True}, {"id": key})
    except tk.ObjectNotFound:
        convocatoria = None
    if convocatoria is None or convocatoria.get("type") != "convocatoria" \
            or convocatoria.get("state") != "active" or convocatoria.get("private"):
        raise tk.ObjectNotFound(tk._("There is no open call \"{key}\"").format(key=key))
    return convocatoria


def _propuesta(key: str | None) -> Propuesta:
    propuesta = model.Session.get(Propuesta, str(key or ""))
    if propuesta is None:
        raise tk.ObjectNotFound(tk._("Proposal not found: {key}").format(key=key))
    return propuesta


def _require_user(context: Context) -> model.User:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to take part in a call"))
    return user


def _count(data: DataDict, field: str, errors: ErrorDict) -> int | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        number = int(str(value).replace(",", "").strip())
        if number < 0:
            raise ValueError
        return number
    except ValueError:
        errors[field] = [tk._("Write a whole number of people, such as 120")]
        return None


@tk.side_effect_free
def hueyapan_convocatoria_resultados(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The public results of a call once it is resuelta: counts by status and community, and the
    approved proposals (never their contact data). Before that, only counts of received ones.

    :param id: the convocatoria's name or id
    """
    tk.check_access("hueyapan_convocatoria_resultados", context, data_dict)
    convocatoria = _convocatoria(data_dict.get("id"))
    propuestas = model.Session.query(Propuesta).filter(
        Propuesta.convocatoria_id == convocatoria["id"]).order_by(Propuesta.creado).all()
    published = participacion.results_published(convocatoria)
    result: dict[str, Any] = {"convocatoria": convocatoria["name"], "publicados": published,
                              "total": len(propuestas)}
    if published:
        result["por_estado"] = dict(Counter(p.estado for p in propuestas))
        result["por_comunidad"] = dict(Counter(p.comunidad for p in propuestas))
        result["aprobadas"] = [participacion.visible({}, p, convocatoria) for p in propuestas
                               if p.estado in ("aprobada", "convertida")]
    result["informes_vencidos"] = sum(1 for p in propuestas if participacion.overdue(p))
    return result


def hueyapan_propuesta_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a proposal to an open call (a logged-in user).

    :param convocatoria: name or id of the call (open: between its apertura and cierre)
    :param titulo, problema, descripcion: what is proposed and why (required)
    :param comunidad: INEGI key of the community (required)
    :param beneficiarios_mujeres, beneficiarios_hombres, beneficiarios_indigenas: estimates
    :param costo_estimado: in pesos
    :param acta: the assembly minutes that back it (PDF, JPEG or PNG upload)
    :param contacto_nombre, contacto_telefono, contacto_correo: private contact data
    """
    tk.check_access("hueyapan_propuesta_create", context, data_dict)
    user = _require_user(context)
    convocatoria = _convocatoria(data_dict.get("convocatoria"))
    estado = indice.estado_convocatoria(convocatoria)
    if estado != "abierta":
        raise tk.ValidationError({"convocatoria": [
            tk._("The call is not open: it receives proposals from {start} through {end}").format(
                start=convocatoria.get("fecha_apertura"), end=convocatoria.get("fecha_cierre"))]})
    errors: ErrorDict = {}
    for field in _TEXTS:
        if not str(data_dict.get(field) or "").strip():
            errors[field] = [tk._("Missing value")]
    comunidad = model.Session.get(Comunidad, str(data_dict.get("comunidad") or ""))
    if comunidad is None or comunidad.estado != ESTADO_ACTIVA:
        errors["comunidad"] = [tk._("Choose a community of the list")]
    counts = {field: _count(data_dict, field, errors) for field in _COUNTS}
    cost = None
    if data_dict.get("costo_estimado") not in (None, ""):
        cost = monto(data_dict["costo_estimado"])
        if cost is None:
            errors["costo_estimado"] = [tk._("Write an amount in pesos, such as 250,000")]
        else:
            cost = cost.quantize(Decimal("0.01"))
    if errors:
        raise tk.ValidationError(errors)
    assert comunidad is not None  # else errors["comunidad"] was raised above
    propuesta = Propuesta(
        convocatoria_id=convocatoria["id"], usuario_id=user.id, comunidad=comunidad.id,
        costo_estimado=cost, estado="recibida",
        **{field: str(data_dict[field]).strip() for field in _TEXTS},
        **counts,
        **{field: (str(data_dict.get(field) or "").strip() or None) for field in _CONTACT},
    )
    model.Session.add(propuesta)
    model.Session.flush()
    if data_dict.get("acta") is not None and hasattr(data_dict["acta"], "filename"):
        propuesta.acta = participacion.save_file(propuesta.id, "acta", data_dict["acta"])
    model.Session.commit()
    participacion.notify(propuesta, convocatoria)
    return participacion.visible(context, propuesta, convocatoria) or {}


@tk.side_effect_free
def hueyapan_propuesta_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One proposal, as its reader may see it (contact data only for the proponent and the área).

    :param id: the proposal's id
    """
    tk.check_access("hueyapan_propuesta_show", context, data_dict)
    propuesta = _propuesta(data_dict.get("id"))
    convocatoria = _convocatoria(propuesta.convocatoria_id)
    shown = participacion.visible(context, propuesta, convocatoria)
    if shown is None:
        raise tk.ObjectNotFound(tk._("Proposal not found: {key}").format(key=data_dict.get("id")))
    return shown


@tk.side_effect_free
def hueyapan_propuesta_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The proposals the caller may read: to one call (``convocatoria``), or the caller's own
    (``mias=true``), or, for an área, every proposal to its calls when no filter is given."""
    tk.check_access("hueyapan_propuesta_list", context, data_dict)
    query = model.Session.query(Propuesta).order_by(Propuesta.creado.desc())
    if data_dict.get("convocatoria"):
        query = query.filter(
            Propuesta.convocatoria_id == _convocatoria(data_dict["convocatoria"])["id"])
    if tk.asbool(data_dict.get("mias", False)):
        user = _require_user(context)
        query = query.filter(Propuesta.usuario_id == user.id)
    shown = []
    calls: dict[str, dict[str, Any]] = {}
    for propuesta in query.limit(1000):
        if propuesta.convocatoria_id not in calls:
            try:
                calls[propuesta.convocatoria_id] = _convocatoria(propuesta.convocatoria_id)
            except tk.ObjectNotFound:
                continue
        item = participacion.visible(context, propuesta, calls[propuesta.convocatoria_id])
        if item is not None:
            shown.append(item)
    return shown


def hueyapan_propuesta_estado(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Move a proposal through the review (the convocante área): ``en_revision``, ``aprobada``
    or ``rechazada`` (with ``motivo``, shown to the proponent). Approving may set the due dates
    of the reports (``informe_preliminar_limite``, ``informe_final_limite``, yyyy-mm-dd). The
    proponent gets an e-mail.

    :param id: the proposal's id
    :param estado: the new status
    :param motivo: why it was not approved (required for ``rechazada``)
    """
    tk.check_access("hueyapan_propuesta_estado", context, data_dict)
    propuesta = _propuesta(data_dict.get("id"))
    convocatoria = _convocatoria(propuesta.convocatoria_id)
    if participacion.role(context, propuesta, convocatoria["id"]) != "area":
        raise tk.NotAuthorized(tk._("Only the area that published the call reviews its proposals"))
    nuevo = data_dict.get("estado")
    if nuevo not in participacion.TRANSICIONES[propuesta.estado]:
        raise tk.ValidationError({"estado": [
            tk._("A proposal \"{current}\" cannot become \"{new}\"").format(
                current=propuesta.estado, new=nuevo)]})
    motivo = str(data_dict.get("motivo") or "").strip()
    if nuevo == "rechazada" and not motivo:
        raise tk.ValidationError({"motivo": [tk._("Say why the proposal is not approved")]})
    for field in ("informe_preliminar_limite", "informe_final_limite"):
        if data_dict.get(field):
            try:
                setattr(propuesta, field, datetime.date.fromisoformat(str(data_dict[field])[:10]))
            except ValueError:
                raise tk.ValidationError({field: [tk._("Write the date as yyyy-mm-dd")]}) from None
    propuesta.estado = nuevo
    propuesta.motivo = motivo or None
    model.Session.commit()
    participacion.notify(propuesta, convocatoria)
    return participacion.visible(context, propuesta, convocatoria) or {}


def hueyapan_propuesta_convertir(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Turn an approved proposal into an obra or a programa social (a private draft of the
    call's área, pre-filled, linked both ways); the proponent gets an e-mail.

    :param id: the proposal's id
    :param tipo: ``obra`` (default) or ``programa-social``
    """
    tk.check_access("hueyapan_propuesta_convertir", context, data_dict)
    propuesta = _propuesta(data_dict.get("id"))
    convocatoria = _convocatoria(propuesta.convocatoria_id)
    if participacion.role(context, propuesta, convocatoria["id"]) != "area":
        raise tk.NotAuthorized(tk._("Only the area that published the call reviews its proposals"))
    if propuesta.estado != "aprobada":
        raise tk.ValidationError({"estado": [tk._("Only an approved proposal can be converted")]})
    tipo = data_dict.get("tipo") or "obra"
    if tipo not in ("obra", "programa-social"):
        raise tk.ValidationError({"tipo": [tk._("Choose obra or programa-social")]})
    year = comun.today().year
    short = propuesta.id.split("-")[0].upper()
    notes = f"{propuesta.descripcion}\n\n**{tk._('Problem')}:** {propuesta.problema}"
    data: dict[str, Any] = {
        "type": tipo, "owner_org": convocatoria["owner_org"], "private": True,
        "name": f"propuesta-{propuesta.id.split('-')[0]}", "title": propuesta.titulo,
        "notes": notes, "comunidades": [propuesta.comunidad], "ejercicio_fiscal": str(year),
    }
    if tipo == "obra":
        data.update({"clave_obra": f"PROP-{year}-{short}", "etapa": "planeacion",
                     "convocatoria_origen": convocatoria["name"]})
        if propuesta.costo_estimado is not None:
            data["monto_aprobado"] = str(propuesta.costo_estimado)
        if propuesta.beneficiarios_mujeres is not None:
            data["beneficiarios_mujeres"] = propuesta.beneficiarios_mujeres
        if propuesta.beneficiarios_hombres is not None:
            data["beneficiarios_hombres"] = propuesta.beneficiarios_hombres
        if propuesta.beneficiarios_indigenas is not None:
            data["beneficiarios_indigenas"] = propuesta.beneficiarios_indigenas
    else:
        data["clave_programa"] = f"PROP-{year}-{short}"
    user = _require_user(context)
    created = tk.get_action("package_create")({"user": user.name}, data)
    propuesta.dataset_id = created["id"]
    propuesta.estado = "convertida"
    model.Session.commit()
    url = tk.url_for(f"{tipo}.read", id=created["name"], _external=True)
    participacion.notify(propuesta, convocatoria, url=url,
                         kind=tk._("public work") if tipo == "obra" else tk._("social programme"))
    shown = participacion.visible(context, propuesta, convocatoria) or {}
    shown["dataset"] = {"id": created["id"], "name": created["name"], "type": tipo, "url": url}
    return shown


def hueyapan_propuesta_informe(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Upload the informe preliminar or final of an approved proposal (its proponent or the
    área): a PDF, JPEG or PNG.

    :param id: the proposal's id
    :param tipo: ``informe_preliminar`` or ``informe_final``
    :param archivo: the file (upload)
    """
    tk.check_access("hueyapan_propuesta_informe", context, data_dict)
    propuesta = _propuesta(data_dict.get("id"))
    convocatoria = _convocatoria(propuesta.convocatoria_id)
    if participacion.role(context, propuesta, convocatoria["id"]) not in ("area", "proponente"):
        raise tk.NotAuthorized(tk._("Only the proponent or the area may upload its reports"))
    if propuesta.estado not in ("aprobada", "convertida"):
        raise tk.ValidationError({"estado": [tk._("Reports are for approved proposals")]})
    kind = data_dict.get("tipo")
    if kind not in ("informe_preliminar", "informe_final"):
        raise tk.ValidationError({"tipo": [tk._("Choose informe_preliminar or informe_final")]})
    upload = data_dict.get("archivo")
    if upload is None or not hasattr(upload, "filename"):
        raise tk.ValidationError({"archivo": [tk._("Upload a PDF, JPEG or PNG file")]})
    setattr(propuesta, kind, participacion.save_file(propuesta.id, kind, upload))
    setattr(propuesta, f"{kind}_entregado", datetime.datetime.now(datetime.timezone.utc))
    model.Session.commit()
    return participacion.visible(context, propuesta, convocatoria) or {}
