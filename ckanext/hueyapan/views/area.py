"""Staff pages: "Mi área" (where staff land after logging in: ``ckan.auth.route_after_login``)
and the short path to publish a new obra from its essentials, then what is left to complete.

What waits for an área is ``gestion/area.py``; the obra built from the short form is
``gestion/alta.py``; both go through CKAN's actions with the person's own permissions.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request

import ckan.plugins.toolkit as tk
from ckan.common import current_user
from ckan.types import Context

from ckanext.hueyapan.comun import today
from ckanext.hueyapan.gestion import alta, area
from ckanext.hueyapan.logic import pantallas
from ckanext.hueyapan.logic.validators import AVISO_SIN_CONSULTA

__all__ = ["completar_obra", "mi_area", "obra_nueva", "register"]


def _user() -> str:
    return current_user.name if current_user.is_authenticated else ""


def _context() -> Context:
    return {"user": _user(), "ignore_auth": False}


def _to_login() -> Any:
    return redirect(tk.url_for("user.login", came_from=request.full_path.rstrip("?")))


def mi_area() -> Any:
    """What waits for the person's áreas, each item with the page that fixes it."""
    if not current_user.is_authenticated:
        return _to_login()
    trabajo = area.worklist(_user())
    return tk.render("hueyapan/personal/mi_area.html", {
        "trabajo": trabajo, "inicio_trimestre": area.quarter_start(today())})


def _schema_fields() -> dict[str, dict[str, Any]]:
    schema = tk.h.scheming_get_dataset_schema("obra")
    fields = {field["field_name"]: field for field in schema["dataset_fields"]}
    fuentes = fields["fuentes_financiamiento"]["repeating_subfields"]
    fields["fuente"] = next(dict(f) for f in fuentes if f["field_name"] == "fuente")
    # no choice made for the person: an empty first option, not a value that looks chosen
    for name in ("fuente", "etapa"):
        fields[name] = {**fields[name], "form_include_blank_choice": True}
    return fields


def _errors_by_input(errors: dict[str, Any]) -> dict[str, list[str]]:
    """CKAN's errors keyed by the short form's inputs: the funding source's are the list of
    dicts of ``fuentes_financiamiento``; an address already taken is the key's."""
    found: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key == "fuentes_financiamiento":
            for row in messages if isinstance(messages, list) else []:
                for subfield, texts in (row or {}).items():
                    target = "fuente" if subfield == "fuente" else "monto_aprobado"
                    found.setdefault(target, []).extend(texts)
        elif key == "name":
            found.setdefault("clave_obra", []).extend(messages)
        else:
            found.setdefault(key, []).extend(
                messages if isinstance(messages, list) else [str(messages)])
    return found


def obra_nueva() -> Any:
    """The essentials of a new obra on one screen; it is published at once (with the red flags
    of what is missing), and the next page says what can be completed later."""
    if not current_user.is_authenticated:
        return _to_login()
    context = _context()
    organizaciones = tk.get_action("organization_list_for_user")(
        context, {"permission": "create_dataset"})
    if not organizaciones:
        return tk.abort(403, tk._("You cannot publish obras: ask the catalog's administrators "
                                  "to add you to your área as an editor."))
    data: dict[str, Any] = {"ejercicio_fiscal": str(today().year)}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in alta.ESENCIALES}
        form["comunidades"] = request.form.getlist("comunidades")  # type: ignore[assignment]
        owner_org = request.form.get("owner_org") or organizaciones[0]["id"]
        aviso = request.form.get(AVISO_SIN_CONSULTA, "")
        data = {**form, "owner_org": owner_org, AVISO_SIN_CONSULTA: aviso}
        package = alta.obra_from_form(form, owner_org)
        if aviso:
            package[AVISO_SIN_CONSULTA] = "true"
        if not package["title"]:
            # CKAN would name it after its address: here the name is essential, so every
            # mistake is listed at once, the missing name with the others
            errors = _errors_by_input(pantallas.validation_errors(context, package))
            errors["title"] = [tk._("Write the name of the obra")]
        else:
            try:
                created = tk.get_action("package_create")(context, package)
            except tk.ValidationError as error:
                errors = _errors_by_input(error.error_dict)
            except tk.NotAuthorized:
                return tk.abort(403, tk._("You cannot publish obras in this área."))
            else:
                tk.h.flash_success(tk._("The obra \"{title}\" is published.").format(
                    title=created["title"]))
                return redirect(tk.url_for("hueyapan.completar_obra", id=created["name"]))
    return tk.render("hueyapan/personal/obra_nueva.html", {
        "data": data, "errors": errors, "campos": _schema_fields(),
        "organizaciones": organizaciones})


def completar_obra(id: str) -> Any:
    """What an obra published from its essentials can get later, each part in its own screen."""
    if not current_user.is_authenticated:
        return _to_login()
    context = _context()
    try:
        obra = tk.get_action("package_show")(context, {"id": id})
        tk.check_access("package_update", context, {"id": obra["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    if obra.get("type") != "obra":
        return tk.abort(404, tk._("Dataset not found"))
    return tk.render("hueyapan/personal/completar.html", {"obra": obra})


def register(blueprint: Blueprint) -> None:
    """Add the staff pages' routes to the ``hueyapan`` blueprint."""
    blueprint.add_url_rule("/mi-area", view_func=mi_area)
    blueprint.add_url_rule("/obra/nueva", view_func=obra_nueva, methods=["GET", "POST"])
    blueprint.add_url_rule("/obra/<id>/completar", view_func=completar_obra)
