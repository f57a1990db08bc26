"""Web pages of the catalog (blueprint ``hueyapan``): the communities (a page per community at a
permanent address keyed on its INEGI key, with its Atom feed) and the spreadsheet templates for
staff.

``toolkit.blanket.blueprints`` registers every name in ``__all__``, each of which must be a Flask
blueprint.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun import DATASET_TYPES, ENTRADAS_ATOM, tipo_plural
from ckanext.hueyapan.formatos import oc4ids
from ckanext.hueyapan.hojas import exportar, plantillas
from ckanext.hueyapan.model import ESTADO_ACTIVA, ESTADO_FUSIONADA, Comunidad
from ckanext.hueyapan.paginas import fichas, mapas, periodistas
from ckanext.hueyapan.views.propuestas import propuestas

__all__ = ["hueyapan", "propuestas"]


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


# --- For journalists ------------------------------------------------------------------------------

@hueyapan.route("/datos-para-periodistas")
def periodistas_index() -> str:
    """What is here and how to take it: API, spreadsheets, DCAT, feeds, licence, citation."""
    ejemplos = periodistas.render(tk.config["ckan.site_url"])
    for ejemplo in ejemplos:
        titulo = ejemplo["titulo"]  # marked with N_ in periodistas.py
        ejemplo["titulo"] = tk._(titulo)
    return tk.render("hueyapan/periodistas.html", {"ejemplos": ejemplos})


# --- Bulk exports ---------------------------------------------------------------------------------

@hueyapan.route("/exportar/<tipo>.<any(csv, xlsx):formato>")
def exportacion(tipo: str, formato: str) -> Response:
    """A search of one type as CSV or XLSX: ``/exportar/obra.csv?hueyapan_ejercicio=2025``."""
    from flask import request

    if tipo not in DATASET_TYPES:
        return tk.abort(404, tk._("There is no export for \"{type}\"").format(type=tipo))
    try:
        content = exportar.export(tipo, formato, filtros.desde_peticion(request.args))
    except tk.ValidationError:
        return tk.abort(400, tk._("The search filters are not valid"))
    mimetype = exportar.CSV_MIMETYPE if formato == "csv" else exportar.XLSX_MIMETYPE
    response = Response(content, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{tipo}.{formato}"'
    return response


@hueyapan.app_errorhandler(tk.ValidationError)
def filtro_no_valido(error: tk.ValidationError) -> tuple[str, int]:
    """A page asked for a filter value that does not exist (``/obra/?hueyapan_alerta=otra``):
    a 400 that says which in Spanish, never a 500 (the API answers its own 409)."""
    messages = [str(message) for value in (error.error_dict or {}).values()
                for message in (value if isinstance(value, list) else [value])]
    return tk.render("error_document_template.html", {
        "code": 400, "name": "Bad Request",
        "content": " ".join(messages) or tk._("The search filters are not valid")}), 400


def _json(data: Any, filename: str | None = None) -> Response:
    import json

    response = Response(json.dumps(data, ensure_ascii=False, indent=1),
                        content_type="application/json; charset=utf-8")
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@hueyapan.route("/exportar/oc4ids.json")
def oc4ids_paquete() -> Response:
    """Every public obra a search finds, as an OC4IDS project package (search filters as on the
    search page: ``/exportar/oc4ids.json?hueyapan_ejercicio=2025``)."""
    from flask import request

    try:
        obras = list(exportar.datasets("obra", filtros.desde_peticion(request.args)))
    except tk.ValidationError:
        return tk.abort(400, tk._("The search filters are not valid"))
    projects = [oc4ids.project(obra) for obra in obras]
    return _json(oc4ids.package(projects, request.url), "oc4ids.json")


@hueyapan.route("/exportar/oc4ids/<name>.json")
def oc4ids_proyecto(name: str) -> Response:
    """One obra as an OC4IDS project package of one project."""
    from flask import request

    try:
        obra = tk.get_action("package_show")({}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("There is no public work \"{name}\"").format(name=name))
    if obra.get("type") != "obra":
        return tk.abort(404, tk._("There is no public work \"{name}\"").format(name=name))
    return _json(oc4ids.package([oc4ids.project(obra)], request.url), f"{name}.oc4ids.json")


@hueyapan.route("/exportar/<tipo>-diccionario.csv")
def exportacion_diccionario(tipo: str) -> Response:
    """The data dictionary of an export: one row per column."""
    if tipo not in DATASET_TYPES:
        return tk.abort(404, tk._("There is no export for \"{type}\"").format(type=tipo))
    response = Response(exportar.dictionary_csv(tipo), content_type=exportar.CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{tipo}-diccionario.csv"'
    return response


# --- Communities ----------------------------------------------------------------------------------

def _search(**params: Any) -> dict[str, Any]:
    return tk.get_action("package_search")({}, params)


def _counts() -> dict[str, int]:
    """Public datasets per community key (the community facet, every type)."""
    result = _search(rows=0, **{"facet.field": '["hueyapan_comunidad"]', "facet.limit": -1})
    return result["facets"].get("hueyapan_comunidad", {})


def _slug(text: str) -> str:
    from slugify import slugify

    return slugify(text)


def _find(clave: str) -> Comunidad | None:
    return model.Session.get(Comunidad, clave) or (
        model.Session.query(Comunidad).filter(Comunidad.cvegeo == clave).first())


def _url(comunidad: Comunidad, **kw: Any) -> str:
    return tk.url_for("hueyapan.comunidad", clave=comunidad.id, **kw)


@hueyapan.route("/comunidad/")
def comunidades_index() -> str:
    """Every active community with its 2020 population and how many datasets name it."""
    counts = _counts()
    comunidades = (model.Session.query(Comunidad).filter(Comunidad.estado == ESTADO_ACTIVA)
                   .order_by(Comunidad.nombre).all())
    return tk.render("hueyapan/comunidades.html", {
        "comunidades": [{"comunidad": c, "cuenta": counts.get(c.id, 0), "url": _url(c)}
                        for c in comunidades],
        "mapa": mapas.comunidades_mapa(counts),
    })


#: Datasets of each type listed on a community's page (the most recently changed).
POR_TIPO = 20


@hueyapan.route("/comunidad/<clave>")
def comunidad(clave: str) -> Any:
    """A community's page: ``/comunidad/300730030``. Its name as a slug
    (``/comunidad/los-mangos``) and a merged community redirect to the permanent address."""
    found = _find(clave)
    if found is None:
        matches = [c for c in model.Session.query(Comunidad).all() if _slug(c.nombre) == clave]
        if len(matches) == 1:
            return redirect(_url(matches[0]), code=301)
        return tk.abort(404, tk._("There is no community \"{key}\"").format(key=clave))
    if found.estado == ESTADO_FUSIONADA and found.fusionada_en:
        return redirect(tk.url_for("hueyapan.comunidad", clave=found.fusionada_en), code=301)
    if clave != found.id:
        return redirect(_url(found), code=301)
    suya = _de_la_comunidad(found)
    # The latest changes of each type; the rest through the search page of that type (a
    # populous community names hundreds of datasets: a page for a phone with poor signal).
    listas = {
        tipo: _search(**suya.con(tipo=tipo).params(rows=POR_TIPO, sort="metadata_modified desc"))
        for tipo in DATASET_TYPES
    }
    return tk.render("hueyapan/comunidad.html", {
        "comunidad": found,
        "obras": listas["obra"], "programas": listas["programa-social"],
        "convocatorias": listas["convocatoria"],
        "mapa": mapas.comunidad_mapa(found),
        "feed_url": tk.url_for("hueyapan.comunidad_feed", clave=found.id, _external=True),
    })


def _atom(results: list[dict[str, Any]], feed_id: str, title: str, subtitle: str, link: str,
          self_url: str) -> Response:
    """An Atom feed (RFC 4287) of datasets, newest change first; each entry links to the
    dataset's page."""
    import xml.etree.ElementTree as ET

    atom = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", atom)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{atom}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    def stamp(value: str | None) -> str:
        return (value or "1970-01-01T00:00:00")[:19] + "Z"

    feed = ET.Element(f"{{{atom}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "es"})
    add(feed, "id", feed_id)
    add(feed, "title", title)
    add(feed, "subtitle", subtitle)
    add(feed, "link", href=link)
    add(feed, "link", rel="self", href=self_url)
    add(feed, "updated", stamp(results[0]["metadata_modified"] if results else None))
    author = add(feed, "author")
    add(author, "name", tk.config.get("ckan.site_title")
        or tk.config["ckanext.hueyapan.municipio.nombre"])
    for dataset in results:
        entry = add(feed, "entry")
        url = tk.url_for(f"{dataset['type']}.read", id=dataset["name"], _external=True)
        add(entry, "id", url)
        add(entry, "title", dataset.get("title") or dataset["name"])
        add(entry, "link", href=url)
        add(entry, "updated", stamp(dataset.get("metadata_modified")))
        add(entry, "published", stamp(dataset.get("metadata_created")))
        add(entry, "category", term=dataset["type"])
        summary = _summary(dataset.get("notes"))
        if summary:
            add(entry, "summary", summary)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _de_la_comunidad(comunidad: Comunidad, args: Any = ()) -> filtros.Busqueda:
    """The search of the datasets that name a community (narrowed by a query string)."""
    return filtros.desde_peticion(args).con(filtros.clausula("hueyapan_comunidad", [comunidad.id]))


#: Entries of an Atom feed (the latest changes).


def _latest(busqueda: filtros.Busqueda) -> list[dict[str, Any]] | None:
    """The latest changed datasets a feed's search finds (None: the filters are not valid)."""
    try:
        found = _search(**busqueda.params(rows=ENTRADAS_ATOM, sort="metadata_modified desc"))
    except tk.ValidationError:
        return None
    return found["results"]


def _filtrada(url: str) -> str:
    """``url`` with the filters of the request (a filtered feed is a feed of its own)."""
    from flask import request

    query = request.query_string.decode("utf-8", "replace")
    return f"{url}?{query}" if query else url


@hueyapan.route("/comunidad/<clave>/cambios.atom")
def comunidad_feed(clave: str) -> Response:
    """Atom feed of the datasets that name a community (search filters as on the search page:
    ``/comunidad/300730030/cambios.atom?dataset_type=obra``)."""
    from flask import request

    found = _find(clave)
    if found is None:
        return tk.abort(404, tk._("There is no community \"{key}\"").format(key=clave))
    results = _latest(_de_la_comunidad(found, request.args))
    if results is None:
        return tk.abort(400, tk._("The search filters are not valid"))
    return _atom(
        results, _filtrada(f"{tk.config['ckan.site_url']}/comunidad/{found.id}"),
        tk._("Changes in {name}").format(name=found.nombre),
        tk._("Public works, social programmes and calls of {name}, {municipality}").format(
            name=found.nombre, municipality=tk.config["ckanext.hueyapan.municipio.nombre"]),
        _url(found, _external=True),
        _filtrada(tk.url_for("hueyapan.comunidad_feed", clave=found.id, _external=True)))


@hueyapan.route("/cambios/<tipo>.atom")
def tipo_feed(tipo: str) -> Response:
    """Atom feed of the latest changes of one type, with the search page's filters:
    ``/cambios/obra.atom``, ``/cambios/obra.atom?hueyapan_alerta=retraso``."""
    from flask import request

    if tipo not in DATASET_TYPES:
        return tk.abort(404, tk._("There is no feed for \"{type}\"").format(type=tipo))
    results = _latest(filtros.desde_peticion(request.args, tipo))
    if results is None:
        return tk.abort(400, tk._("The search filters are not valid"))
    municipality = tk.config["ckanext.hueyapan.municipio.nombre"]

    name = tipo_plural(tipo)
    return _atom(
        results, _filtrada(f"{tk.config['ckan.site_url']}/cambios/{tipo}"),
        tk._("{kind} of {municipality}: latest changes").format(kind=name,
                                                                  municipality=municipality),
        tk._("Datasets of this type created or changed most recently"),
        _filtrada(tk.url_for(f"{tipo}.search", _external=True)),
        _filtrada(tk.url_for("hueyapan.tipo_feed", tipo=tipo, _external=True)))


def _summary(notes: str | None) -> str:
    return fichas.descripcion_corta(notes, 300)
