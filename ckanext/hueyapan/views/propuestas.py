"""Web pages of the proposals to calls (blueprint ``propuestas``): the form to submit one, a
proposal's page (its status, its files, the review for the área, the reports), the proponent's
list and the área's list for a call. The rules are the actions' (``logic/propuestas.py``)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, send_file

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import current_user
from ckan.types import Context

from ckanext.hueyapan import participacion
from ckanext.hueyapan.comun import PROPUESTA_ESTADO_LABELS
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad, Propuesta

__all__ = ["propuestas"]

propuestas = Blueprint("propuestas", __name__)

_FORM_FIELDS = ("titulo", "comunidad", "problema", "descripcion", "beneficiarios_mujeres",
                "beneficiarios_hombres", "beneficiarios_indigenas", "costo_estimado",
                "contacto_nombre", "contacto_telefono", "contacto_correo")


def _context() -> Context:
    return {"user": current_user.name if current_user.is_authenticated else "",
            "ignore_auth": False}


def _communities() -> list[Comunidad]:
    return (model.Session.query(Comunidad).filter(Comunidad.estado == ESTADO_ACTIVA)
            .order_by(Comunidad.nombre).all())


@propuestas.route("/convocatoria/<name>/propuesta/nueva", methods=["GET", "POST"])
def nueva(name: str) -> Any:
    """The form to submit a proposal to an open call (registered users)."""
    if not current_user.is_authenticated:
        return redirect(tk.url_for("user.login", came_from=request.path))
    try:
        convocatoria = tk.get_action("package_show")({}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("There is no open call \"{key}\"").format(key=name))
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = {field: request.form.get(field, "") for field in _FORM_FIELDS}
        upload = request.files.get("acta")
        try:
            created = tk.get_action("hueyapan_propuesta_create")(_context(), {
                **data, "convocatoria": name,
                "acta": upload if upload and upload.filename else None})
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized as error:
            return tk.abort(403, str(error))
        else:
            tk.h.flash_success(tk._("Your proposal was received. You will get an e-mail when its "
                                    "status changes."))
            return redirect(tk.url_for("propuestas.ver", id=created["id"]))
    return tk.render("hueyapan/propuestas/nueva.html", {
        "convocatoria": convocatoria, "data": data, "errors": errors,
        "comunidades": _communities(),
        "abierta": convocatoria.get("estado") == "abierta",
    })


@propuestas.route("/propuesta/<id>", methods=["GET", "POST"])
def ver(id: str) -> Any:
    """A proposal: what was proposed, its status; the review for the área; the reports."""
    context = _context()
    try:
        propuesta = tk.get_action("hueyapan_propuesta_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Proposal not found: {key}").format(key=id))
    errors: dict[str, Any] = {}
    if request.method == "POST":
        accion = request.form.get("accion")
        try:
            if accion == "estado":
                tk.get_action("hueyapan_propuesta_estado")(context, {
                    "id": id, "estado": request.form.get("estado"),
                    "motivo": request.form.get("motivo"),
                    "informe_preliminar_limite": request.form.get("informe_preliminar_limite"),
                    "informe_final_limite": request.form.get("informe_final_limite")})
            elif accion == "convertir":
                tk.get_action("hueyapan_propuesta_convertir")(context, {
                    "id": id, "tipo": request.form.get("tipo") or "obra"})
            elif accion == "informe":
                tk.get_action("hueyapan_propuesta_informe")(context, {
                    "id": id, "tipo": request.form.get("tipo"),
                    "archivo": request.files.get("archivo")})
            else:
                return tk.abort(400, tk._("Unknown action"))
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized as error:
            return tk.abort(403, str(error))
        else:
            tk.h.flash_success(tk._("Saved."))
            return redirect(tk.url_for("propuestas.ver", id=id))
        propuesta = tk.get_action("hueyapan_propuesta_show")(context, {"id": id})
    record = model.Session.get(Propuesta, id)
    assert record is not None, id  # hueyapan_propuesta_show found it
    convocatoria = tk.get_action("package_show")({"ignore_auth": True},
                                                 {"id": record.convocatoria_id})
    dataset = participacion.public_dataset(record.dataset_id)
    if record.dataset_id and propuesta["rol"] == "area":  # the área also reads its drafts
        package = model.Package.get(record.dataset_id)
        if package is not None:
            dataset = {"name": package.name, "type": package.type, "title": package.title}
    return tk.render("hueyapan/propuestas/ver.html", {
        "propuesta": propuesta, "convocatoria": convocatoria, "errors": errors,
        "transiciones": participacion.TRANSICIONES.get(propuesta["estado"], ()),
        "estados": PROPUESTA_ESTADO_LABELS, "dataset": dataset,
        "comunidad": model.Session.get(Comunidad, propuesta["comunidad"]),
    })


@propuestas.route("/propuesta/<id>/archivo/<any(acta, informe_preliminar, informe_final):tipo>")
def archivo(id: str, tipo: str) -> Any:
    """A proposal's file, for its proponent and the área only."""
    context = _context()
    try:
        propuesta = tk.get_action("hueyapan_propuesta_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Proposal not found: {key}").format(key=id))
    if propuesta.get("rol") not in ("area", "proponente"):
        return tk.abort(404, tk._("Proposal not found: {key}").format(key=id))
    path = participacion.file_path(model.Session.get(Propuesta, id), tipo)
    if path is None:
        return tk.abort(404, tk._("This file has not been uploaded"))
    return send_file(path, as_attachment=True, download_name=f"{tipo}{path.suffix}")


@propuestas.route("/mis-propuestas")
def mias() -> Any:
    """The proposals of the logged-in user."""
    if not current_user.is_authenticated:
        return redirect(tk.url_for("user.login", came_from=request.path))
    items = tk.get_action("hueyapan_propuesta_list")(_context(), {"mias": True})
    return tk.render("hueyapan/propuestas/lista.html", {
        "propuestas": items, "titulo": tk._("My proposals"),
        "estados": PROPUESTA_ESTADO_LABELS})


@propuestas.route("/convocatoria/<name>/propuestas")
def de_convocatoria(name: str) -> Any:
    """Every proposal to a call the reader may see (all of them, for the área)."""
    try:
        items = tk.get_action("hueyapan_propuesta_list")(_context(), {"convocatoria": name})
        convocatoria = tk.get_action("package_show")({}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("There is no open call \"{key}\"").format(key=name))
    return tk.render("hueyapan/propuestas/lista.html", {
        "propuestas": items, "convocatoria": convocatoria,
        "titulo": tk._("Proposals to \"{call}\"").format(call=convocatoria["title"]),
        "estados": PROPUESTA_ESTADO_LABELS})
