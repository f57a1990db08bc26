"""The Atom feeds of blueprint ``hueyapan``: the latest changes of one type
(``/cambios/obra.atom``) and of the datasets that name a community
(``/comunidad/300730030/cambios.atom``), each with the search page's filters (a filtered feed is a
feed of its own). The document itself is ``formatos/atom.py``'s."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun import DATASET_TYPES, ENTRADAS_ATOM, tipo_plural
from ckanext.hueyapan.formatos import atom
from ckanext.hueyapan.paginas import fichas
from ckanext.hueyapan.views.comunidades import (
    direccion,
    find_comunidad,
    narrow_to_comunidad,
    search_datasets,
)

__all__ = ["register"]

#: Characters of a dataset's description in its entry's summary.
RESUMEN = 300


def register(blueprint: Blueprint) -> None:
    """Adds the routes of the feeds to ``blueprint``."""
    blueprint.add_url_rule("/comunidad/<clave>/cambios.atom", view_func=comunidad_feed)
    blueprint.add_url_rule("/cambios/<tipo>.atom", view_func=tipo_feed)


def _latest(busqueda: filtros.Busqueda) -> list[dict[str, Any]] | None:
    """The latest changed datasets a feed's search finds (None: the filters are not valid)."""
    try:
        found = search_datasets(**busqueda.params(rows=ENTRADAS_ATOM,
                                                  sort="metadata_modified desc"))
    except tk.ValidationError:
        return None
    return found["results"]


def _filtrada(url: str) -> str:
    """``url`` with the filters of the request (a filtered feed is a feed of its own)."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{url}?{query}" if query else url


def _enlace(dataset: dict[str, Any]) -> str:
    """A dataset's page, the id and link of its entry."""
    return tk.url_for(f"{dataset['type']}.read", id=dataset["name"], _external=True)


def _resumen(notes: str | None) -> str:
    return fichas.descripcion_corta(notes, RESUMEN)


def _atom(results: list[dict[str, Any]], feed_id: str, title: str, subtitle: str, link: str,
          self_url: str) -> Response:
    """An Atom feed of ``results`` as a response, signed by the site."""
    body = atom.feed(results, feed_id=feed_id, title=title, subtitle=subtitle, link=link,
                     self_url=self_url, author=tk.config.get("ckan.site_title")
                     or tk.config["ckanext.hueyapan.municipio.nombre"],
                     url_of=_enlace, summary_of=_resumen)
    return Response(body, content_type=atom.MIMETYPE)


def comunidad_feed(clave: str) -> Response:
    """Atom feed of the datasets that name a community (search filters as on the search page:
    ``/comunidad/300730030/cambios.atom?dataset_type=obra``)."""
    found = find_comunidad(clave)
    if found is None:
        return tk.abort(404, tk._("There is no community \"{key}\"").format(key=clave))
    results = _latest(narrow_to_comunidad(found, request.args))
    if results is None:
        return tk.abort(400, tk._("The search filters are not valid"))
    return _atom(
        results, _filtrada(f"{tk.config['ckan.site_url']}/comunidad/{found.id}"),
        tk._("Changes in {name}").format(name=found.nombre),
        tk._("Public works, social programmes and calls of {name}, {municipality}").format(
            name=found.nombre, municipality=tk.config["ckanext.hueyapan.municipio.nombre"]),
        direccion(found, _external=True),
        _filtrada(tk.url_for("hueyapan.comunidad_feed", clave=found.id, _external=True)))


def tipo_feed(tipo: str) -> Response:
    """Atom feed of the latest changes of one type, with the search page's filters:
    ``/cambios/obra.atom``, ``/cambios/obra.atom?hueyapan_alerta=retraso``."""
    if tipo not in DATASET_TYPES:
        return tk.abort(404, tk._("There is no feed for \"{type}\"").format(type=tipo))
    results = _latest(filtros.parse_busqueda(request.args, tipo))
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
