"""Pages of blueprint ``hueyapan`` that keep a dataset current in one screen, from a phone on
site or a desk:

* "Actualizar avance" (``/obra/<id>/avance``): a progress cut of an obra (date, physical and
  financial percentages, note, photos and a document), saved together by
  ``logic/avance.py``: the cut joins the history and the headline figures follow it;
* "Actualizar beneficiarios" (``/programa-social/<id>/beneficiarios``): how many women and men
  a programa social reaches in one community.

Only those who may update the dataset use them; anyone else is sent to log in (no account) or
refused (403). Input names are stable (``logic.avance.CAMPOS_CORTE``, ``fotos``, ``documento``,
``tipo_documento``; ``logic.avance.CAMPOS_BENEFICIARIOS``), for the browser tests.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import current_user
from ckan.types import Context

from ckanext.hueyapan import comun
from ckanext.hueyapan.comun.cantidades import lista
from ckanext.hueyapan.logic import avance as registro
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad
from ckanext.hueyapan.paginas.fichas import fecha_larga
from ckanext.hueyapan.registros import vocabularios
from ckanext.hueyapan.registros.comunidades import comunidad_labels
from ckanext.hueyapan.reglas import avance, beneficiarios

__all__ = ["actualizar_avance", "actualizar_beneficiarios", "register"]

def register(blueprint: Blueprint) -> None:
    """Adds the routes of the pages to ``blueprint``."""
    blueprint.add_url_rule("/obra/<id>/avance", view_func=actualizar_avance,
                           methods=["GET", "POST"])
    blueprint.add_url_rule("/programa-social/<id>/beneficiarios",
                           view_func=actualizar_beneficiarios, methods=["GET", "POST"])


def _context() -> Context:
    return {"user": current_user.name}


def _editable(id: str, tipo: str) -> Any:
    """The dataset ``id`` of type ``tipo`` when the user may update it; else the answer to give
    (the login form, 404, 403)."""
    if not current_user.is_authenticated:
        return redirect(tk.url_for("user.login", came_from=request.full_path.rstrip("?")))
    missing = (tk._("There is no obra \"{key}\"") if tipo == "obra"
               else tk._("There is no social programme \"{key}\"")).format(key=id)
    try:
        dataset = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, missing)
    if dataset.get("type") != tipo:
        return tk.abort(404, missing)
    if not tk.h.check_access("package_update", {"id": dataset["id"]}):
        return _refused()
    return dataset


def _refused() -> Any:
    return tk.abort(403, tk._("Only the staff of the área that publishes it may update it."))


def _porcentaje(value: Any) -> str:
    return "" if value is None or value == "" else f"{value} %"


# --- Obra ---------------------------------------------------------------------------------

def _flash_avance(hecho: dict[str, Any]) -> None:
    corte, anterior, obra = hecho["corte"], hecho["anterior"], hecho["obra"]
    figures = [tk._("physical {value}").format(value=_porcentaje(corte["avance_fisico"]))
               if corte.get("avance_fisico") not in (None, "") else "",
               tk._("financial {value}").format(value=_porcentaje(corte["avance_financiero"]))
               if corte.get("avance_financiero") not in (None, "") else ""]
    text = tk._("Progress report of {date} saved: {figures}.").format(
        date=fecha_larga(corte["fecha"]), figures=", ".join(f for f in figures if f))
    if hecho["recursos"]:
        text += " " + tk._("Files added: {count}.").format(count=len(hecho["recursos"]))
    tk.h.flash_success(text)
    latest = avance.latest_cut(obra.get(avance.HISTORY))
    if latest is not None and latest.get("fecha") != corte["fecha"]:
        tk.h.flash_notice(tk._(
            "This report is dated before the latest one ({date}): the obra keeps showing the "
            "progress of the latest report.").format(date=fecha_larga(latest.get("fecha"))))
        return
    before, after = anterior.get("avance_fisico"), corte.get("avance_fisico")
    if (before not in (None, "") and after not in (None, "")
            and not avance.same_value(before, after)
            and float(str(after)) < float(str(before))):
        tk.h.flash_notice(tk._(
            "Physical progress went down from {before} to {after}: check that it is right. "
            "A wrong report can be corrected in the obra's edit form, under \"Progress "
            "history\".").format(before=_porcentaje(before), after=_porcentaje(after)))


def actualizar_avance(id: str) -> Any:
    """Record a progress cut of the obra ``id`` with its photos and document (editors only)."""
    obra = _editable(id, "obra")
    if not isinstance(obra, dict):
        return obra
    history = lista(obra.get(avance.HISTORY))
    current = avance.headline(history)
    data: dict[str, Any] = {"fecha": comun.today().isoformat(), "nota": "",
                            "tipo_documento": registro.TIPOS_DOCUMENTO[0], **current}
    errors: dict[str, Any] = {}
    archivos_perdidos = False
    if request.method == "POST":
        data = {**registro.read_corte(request.form),
                "tipo_documento": request.form.get("tipo_documento") or ""}
        fotos = request.files.getlist("fotos")
        documento = request.files.get("documento")
        try:
            hecho = registro.record_avance(_context(), obra, data, fotos, documento,
                                           data["tipo_documento"])
        except tk.ValidationError as error:
            errors = error.error_dict
            archivos_perdidos = any(f.filename for f in [*fotos, documento] if f is not None)
        except tk.NotAuthorized:
            return _refused()
        else:
            _flash_avance(hecho)
            return redirect(tk.url_for("obra.read", id=obra["name"]) + "#hy-avance")
    etiquetas = vocabularios.termino_labels("tipo_recurso_obra")
    return tk.render("hueyapan/personal/avance.html", {
        "obra": obra, "data": data, "errors": errors, "archivos_perdidos": archivos_perdidos,
        "ultimo": avance.latest_cut(history), "actual": current,
        "hoy": comun.today().isoformat(),
        "tipos_documento": [(key, etiquetas.get(key, key)) for key in registro.TIPOS_DOCUMENTO],
        "max_fotos": registro.MAX_FOTOS, "max_nota": registro.MAX_NOTA,
        "max_mb": tk.asint(tk.config["ckan.max_resource_size"]),
    })


# --- Programa social ------------------------------------------------------------------------

def _communities(own: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The active communities as (key, name): the programme's own first, then the others."""
    everyone = [(c.id, c.nombre) for c in model.Session.query(Comunidad)
                .filter(Comunidad.estado == ESTADO_ACTIVA).order_by(Comunidad.nombre)]
    mine = [pair for pair in everyone if pair[0] in own]
    return mine, [pair for pair in everyone if pair[0] not in own]


def _row_values(row: dict[str, Any]) -> dict[str, str]:
    """A stored row as the form shows it: the total only when it says more than women plus
    men (else it is worked out again)."""
    values = {name: str(row.get(name) if row.get(name) is not None else "")
              for name in registro.CAMPOS_BENEFICIARIOS}
    if beneficiarios.count(values["total"]) == beneficiarios.total_of(
            values["mujeres"], values["hombres"], None):
        values["total"] = ""
    return values


def actualizar_beneficiarios(id: str) -> Any:
    """Record how many women and men the programa social ``id`` reaches in one community."""
    programa = _editable(id, "programa-social")
    if not isinstance(programa, dict):
        return programa
    rows = [row for row in lista(programa.get("beneficiarios")) if isinstance(row, dict)]
    elegida = request.args.get("comunidad") or ""
    found = next((row for row in rows if str(row.get("comunidad")) == elegida), None)
    data: dict[str, Any] = (_row_values(found) if found is not None
                            else {"comunidad": elegida})
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = registro.read_beneficiarios(request.form)
        try:
            hecho = registro.record_beneficiarios(_context(), programa, data)
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized:
            return _refused()
        else:
            fila = hecho["fila"]
            name = comunidad_labels([fila["comunidad"]]).get(fila["comunidad"], "")
            tk.h.flash_success(tk._(
                "Beneficiaries of {community} saved: {women} women, {men} men, {total} in "
                "all.").format(community=name, women=fila["mujeres"] or "0",
                               men=fila["hombres"] or "0", total=fila["total"] or "0"))
            return redirect(tk.url_for("programa-social.read", id=programa["name"])
                            + "#hy-beneficiarios")
    own = [str(key) for key in lista(programa.get("comunidades"))]
    labels = comunidad_labels([str(row.get("comunidad")) for row in rows])
    mine, others = _communities(own + [str(row.get("comunidad")) for row in rows])
    return tk.render("hueyapan/personal/beneficiarios.html", {
        "programa": programa, "data": data, "errors": errors,
        "filas": [{**_row_values(row), "nombre": labels.get(str(row.get("comunidad")), ""),
                   "total_calculado": beneficiarios.total_of(
                       row.get("mujeres"), row.get("hombres"), row.get("total"))}
                  for row in rows],
        "comunidades_propias": mine, "otras_comunidades": others,
    })
