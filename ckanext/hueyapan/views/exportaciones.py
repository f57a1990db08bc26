"""The bulk exports of blueprint ``hueyapan``: a search of one type as CSV or XLSX
(``/exportar/obra.csv``) with its data dictionary (``/exportar/obra-diccionario.csv``), the obras
as OC4IDS (``/exportar/oc4ids.json``, ``/exportar/oc4ids/<name>.json``), and the page that answers
a search filter that is not valid, on every page of the site."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun import DATASET_TYPES
from ckanext.hueyapan.formatos import oc4ids
from ckanext.hueyapan.hojas import exportar

__all__ = ["register"]


def register(blueprint: Blueprint) -> None:
    """Adds the routes of the exports, and the handler of filters that are not valid, to
    ``blueprint``."""
    blueprint.add_url_rule("/exportar/<tipo>.<any(csv, xlsx):formato>", view_func=exportacion)
    blueprint.app_errorhandler(tk.ValidationError)(filtro_no_valido)
    blueprint.add_url_rule("/exportar/oc4ids.json", view_func=oc4ids_paquete)
    blueprint.add_url_rule("/exportar/oc4ids/<name>.json", view_func=oc4ids_proyecto)
    blueprint.add_url_rule("/exportar/<tipo>-diccionario.csv", view_func=exportacion_diccionario)


def exportacion(tipo: str, formato: str) -> Response:
    """A search of one type as CSV or XLSX: ``/exportar/obra.csv?hueyapan_ejercicio=2025``."""
    if tipo not in DATASET_TYPES:
        return tk.abort(404, tk._("There is no export for \"{type}\"").format(type=tipo))
    try:
        content = exportar.export(tipo, formato, filtros.parse_busqueda(request.args))
    except tk.ValidationError:
        return tk.abort(400, tk._("The search filters are not valid"))
    mimetype = exportar.CSV_MIMETYPE if formato == "csv" else exportar.XLSX_MIMETYPE
    response = Response(content, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{tipo}.{formato}"'
    return response


def filtro_no_valido(error: tk.ValidationError) -> tuple[str, int]:
    """A page asked for a filter value that does not exist (``/obra/?hueyapan_alerta=otra``):
    a 400 that says which in Spanish, never a 500 (the API answers its own 409)."""
    messages = [str(message) for value in (error.error_dict or {}).values()
                for message in (value if isinstance(value, list) else [value])]
    return tk.render("error_document_template.html", {
        "code": 400, "name": "Bad Request",
        "content": " ".join(messages) or tk._("The search filters are not valid")}), 400


def _json(data: Any, filename: str | None = None) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, indent=1),
                        content_type="application/json; charset=utf-8")
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def oc4ids_paquete() -> Response:
    """Every public obra a search finds, as an OC4IDS project package (search filters as on the
    search page: ``/exportar/oc4ids.json?hueyapan_ejercicio=2025``)."""
    try:
        obras = list(exportar.datasets("obra", filtros.parse_busqueda(request.args)))
    except tk.ValidationError:
        return tk.abort(400, tk._("The search filters are not valid"))
    projects = [oc4ids.project(obra) for obra in obras]
    return _json(oc4ids.package(projects, request.url), "oc4ids.json")


def oc4ids_proyecto(name: str) -> Response:
    """One obra as an OC4IDS project package of one project."""
    try:
        obra = tk.get_action("package_show")({}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("There is no public work \"{name}\"").format(name=name))
    if obra.get("type") != "obra":
        return tk.abort(404, tk._("There is no public work \"{name}\"").format(name=name))
    return _json(oc4ids.package([oc4ids.project(obra)], request.url), f"{name}.oc4ids.json")


def exportacion_diccionario(tipo: str) -> Response:
    """The data dictionary of an export: one row per column."""
    if tipo not in DATASET_TYPES:
        return tk.abort(404, tk._("There is no export for \"{type}\"").format(type=tipo))
    response = Response(exportar.dictionary_csv(tipo), content_type=exportar.CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{tipo}-diccionario.csv"'
    return response
