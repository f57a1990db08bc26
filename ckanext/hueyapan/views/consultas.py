"""The page "Registrar consulta" of blueprint ``hueyapan`` (``/obra/<id>/consulta``): a citizen
consultation of an obra with its evidence in one screen: date, place, women and men attending and
the minutes file (a PDF or a photo), saved together by ``logic/consultas.py``. ``?consulta=N``
completes the N-th consultation already recorded (typically: its minutes were pending).

Only those who may update the obra use it; anyone else is sent to log in (no account) or
refused (403).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request

import ckan.plugins.toolkit as tk
from ckan.common import current_user
from ckan.types import Context

from ckanext.hueyapan.comun.cantidades import lista
from ckanext.hueyapan.logic import consultas
from ckanext.hueyapan.paginas.fichas import fecha_larga
from ckanext.hueyapan.registros.comunidades import comunidad_labels
from ckanext.hueyapan.reglas import actas

__all__ = ["register", "registrar_consulta"]


def register(blueprint: Blueprint) -> None:
    """Adds the route of the page to ``blueprint``."""
    blueprint.add_url_rule("/obra/<id>/consulta", view_func=registrar_consulta,
                           methods=["GET", "POST"])


def _numero(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _flash(obra: dict[str, Any], consulta: dict[str, Any], recurso: Any,
           numero: int | None) -> None:
    when = fecha_larga(consulta.get("fecha"))
    if recurso is not None and numero is not None:
        text = tk._("The minutes of the consultation of {date} were uploaded.")
    elif recurso is not None:
        text = tk._("The consultation of {date} was recorded with its minutes.")
    elif actas.locate(obra, consulta.get("acta")).pendiente:
        text = tk._("The consultation of {date} was recorded. Its minutes are pending: the "
                    "obra's page says so until you upload them.")
    else:
        text = tk._("The consultation of {date} was saved.")
    tk.h.flash_success(text.format(date=when))


def registrar_consulta(id: str) -> Any:
    """Record a citizen consultation of the obra ``id`` with its minutes (editors only)."""
    if not current_user.is_authenticated:
        return redirect(tk.url_for("user.login", came_from=request.full_path.rstrip("?")))
    context: Context = {"user": current_user.name}
    try:
        obra = tk.get_action("package_show")({"user": current_user.name}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("There is no obra \"{key}\"").format(key=id))
    if obra.get("type") != "obra":
        return tk.abort(404, tk._("There is no obra \"{key}\"").format(key=id))
    if not tk.h.check_access("package_update", {"id": obra["id"]}):
        return tk.abort(403, tk._("Only the staff of the área that publishes this obra may "
                                  "record its consultations."))
    numero = _numero(request.values.get("consulta"))
    registradas = [c for c in lista(obra.get("consultas")) if isinstance(c, dict)]
    if numero is not None and numero > len(registradas):
        numero = None
    anterior = registradas[numero - 1] if numero is not None else None
    data: dict[str, Any] = ({name: str(anterior.get(name) or "") for name in consultas.FIELDS}
                            if anterior else {})
    errors: dict[str, Any] = {}
    if request.method == "POST":
        data = consultas.read_consulta(request.form)
        try:
            hecho = consultas.record_consulta(context, obra, data, request.files.get("acta"),
                                              numero)
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only the staff of the área that publishes this obra may "
                                      "record its consultations."))
        else:
            _flash(hecho["obra"], hecho["consulta"], hecho["recurso"], numero)
            return redirect(tk.url_for("obra.read", id=obra["name"]) + "#hy-consultas")
    lugares = comunidad_labels([str(k) for k in lista(obra.get("comunidades"))])
    return tk.render("hueyapan/personal/consulta.html", {
        "obra": obra, "data": data, "errors": errors, "numero": numero,
        "acta_anterior": actas.locate(obra, anterior.get("acta")) if anterior else None,
        "lugares": sorted(set(lugares.values())),
        "max_mb": tk.asint(tk.config["ckan.max_resource_size"]),
        "formatos": ", ".join(dict.fromkeys(consultas.FORMATOS_ACTA.values())),
    })
