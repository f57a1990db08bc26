"""Web pages of the catalog (blueprint ``hueyapan``): the spreadsheet templates for staff.

``toolkit.blanket.blueprints`` registers every name in ``__all__``, each of which must be a Flask
blueprint.
"""
from __future__ import annotations

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.hueyapan import plantillas
from ckanext.hueyapan.harvesters.tabla import DATASET_TYPES

__all__ = ["hueyapan"]

hueyapan = Blueprint("hueyapan", __name__)


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


@hueyapan.route("/plantillas")
def plantillas_index() -> str:
    """The page that lists the templates."""
    return tk.render("hueyapan/plantillas.html", {"tipos": _types()})


@hueyapan.route("/plantillas/<tipo>.<any(csv, xlsx):formato>")
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
