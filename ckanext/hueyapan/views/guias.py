"""The guides of blueprint ``hueyapan``: the spreadsheet templates for staff (``/plantillas``,
``/plantillas/obra.xlsx``) and what is here for journalists and how to take it
(``/datos-para-periodistas``)."""
from __future__ import annotations

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun import DATASET_TYPES
from ckanext.hueyapan.hojas import plantillas
from ckanext.hueyapan.paginas import periodistas

__all__ = ["register"]


def register(blueprint: Blueprint) -> None:
    """Adds the routes of the guides to ``blueprint``."""
    blueprint.add_url_rule("/plantillas", view_func=plantillas_index)
    blueprint.add_url_rule("/plantillas/<tipo>.<any(csv, xlsx):formato>", view_func=plantilla)
    blueprint.add_url_rule("/datos-para-periodistas", view_func=periodistas_index)


def _types() -> list[dict[str, str]]:
    """The dataset types with a template, labelled in the language of the request."""
    names = {
        "obra": (tk._("Public works"),
                 tk._("One row per work: code, fiscal year, communities, stage, funding, "
                      "contract and progress.")),
        "programa-social": (tk._("Social programmes"),
                            tk._("One row per programme: code, fiscal year, communities, type, "
                                 "validity, objectives and budget.")),
        "convocatoria": (tk._("Calls"),
                         tk._("One row per call: folio, type, purpose, communities and dates.")),
    }
    return [{"tipo": tipo, "titulo": names[tipo][0], "descripcion": names[tipo][1]}
            for tipo in DATASET_TYPES]


def plantillas_index() -> str:
    """The page that lists the templates."""
    return tk.render("hueyapan/plantillas.html", {"tipos": _types()})


def plantilla(tipo: str, formato: str) -> Response:
    """One blank template as a download: ``/plantillas/obra.xlsx``."""
    if tipo not in DATASET_TYPES:
        return tk.abort(404, tk._("There is no template for \"{type}\"").format(type=tipo))
    if formato == "csv":
        content, content_type = plantillas.template_csv(tipo), plantillas.CSV_MIMETYPE
    else:
        content, content_type = plantillas.template_xlsx(tipo), plantillas.XLSX_MIMETYPE
    response = Response(content, content_type=content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{plantillas.filename(tipo, formato)}"')
    return response


def periodistas_index() -> str:
    """What is here and how to take it: API, spreadsheets, DCAT, feeds, licence, citation."""
    ejemplos = periodistas.render(tk.config["ckan.site_url"])
    for ejemplo in ejemplos:
        titulo = ejemplo["titulo"]  # marked with N_ in periodistas.py
        ejemplo["titulo"] = tk._(titulo)
    return tk.render("hueyapan/periodistas.html", {"ejemplos": ejemplos})
