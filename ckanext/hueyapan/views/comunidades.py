"""The community pages of blueprint ``hueyapan``: every active community (``/comunidad/``) and a
page per community at a permanent address keyed on its INEGI key (``/comunidad/300730030``; its
name as a slug and a merged community redirect there). Also what the community feeds
(``cambios.py``) share with these pages: finding a community, its address, the search of its
datasets."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect
from slugify import slugify

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan.busqueda import filtros
from ckanext.hueyapan.comun import DATASET_TYPES
from ckanext.hueyapan.model import ESTADO_ACTIVA, ESTADO_FUSIONADA, Comunidad
from ckanext.hueyapan.paginas import mapas

__all__ = ["POR_TIPO", "direccion", "find_comunidad", "narrow_to_comunidad", "register",
           "search_datasets"]

#: Datasets of each type listed on a community's page (the most recently changed).
POR_TIPO = 20


def register(blueprint: Blueprint) -> None:
    """Adds the routes of the community pages to ``blueprint``."""
    blueprint.add_url_rule("/comunidad/", view_func=comunidades_index)
    blueprint.add_url_rule("/comunidad/<clave>", view_func=comunidad)


def search_datasets(**params: Any) -> dict[str, Any]:
    """``package_search`` with ``params``, as the visitor may see it."""
    return tk.get_action("package_search")({}, params)


def find_comunidad(clave: str) -> Comunidad | None:
    """The community of an INEGI key: our key (``300730030``) or its CVEGEO."""
    return model.Session.get(Comunidad, clave) or (
        model.Session.query(Comunidad).filter(Comunidad.cvegeo == clave).first())


def direccion(comunidad: Comunidad, **kw: Any) -> str:
    """The permanent address of a community's page (``_external=True``: with the site's)."""
    return tk.url_for("hueyapan.comunidad", clave=comunidad.id, **kw)


def narrow_to_comunidad(comunidad: Comunidad, args: Any = ()) -> filtros.Busqueda:
    """The search of the datasets that name a community (narrowed by a query string)."""
    clausula = filtros.clausula("hueyapan_comunidad", [comunidad.id])
    return filtros.parse_busqueda(args).narrow(clausula)


def _counts() -> dict[str, int]:
    """Public datasets per community key (the community facet, every type)."""
    result = search_datasets(rows=0, **{"facet.field": '["hueyapan_comunidad"]', "facet.limit": -1})
    return result["facets"].get("hueyapan_comunidad", {})


def comunidades_index() -> str:
    """Every active community with its 2020 population and how many datasets name it."""
    counts = _counts()
    comunidades = (model.Session.query(Comunidad).filter(Comunidad.estado == ESTADO_ACTIVA)
                   .order_by(Comunidad.nombre).all())
    return tk.render("hueyapan/comunidades.html", {
        "comunidades": [{"comunidad": c, "cuenta": counts.get(c.id, 0), "url": direccion(c)}
                        for c in comunidades],
        "mapa": mapas.comunidades_mapa(counts),
    })


def comunidad(clave: str) -> Any:
    """A community's page: ``/comunidad/300730030``. Its name as a slug
    (``/comunidad/los-mangos``) and a merged community redirect to the permanent address."""
    found = find_comunidad(clave)
    if found is None:
        matches = [c for c in model.Session.query(Comunidad).all() if slugify(c.nombre) == clave]
        if len(matches) == 1:
            return redirect(direccion(matches[0]), code=301)
        return tk.abort(404, tk._("There is no community \"{key}\"").format(key=clave))
    if found.estado == ESTADO_FUSIONADA and found.fusionada_en:
        return redirect(tk.url_for("hueyapan.comunidad", clave=found.fusionada_en), code=301)
    if clave != found.id:
        return redirect(direccion(found), code=301)
    suya = narrow_to_comunidad(found)
    # The latest changes of each type; the rest through the search page of that type (a
    # populous community names hundreds of datasets: a page for a phone with poor signal).
    listas = {
        tipo: search_datasets(**suya.narrow(tipo=tipo).params(rows=POR_TIPO,
                                                              sort="metadata_modified desc"))
        for tipo in DATASET_TYPES
    }
    return tk.render("hueyapan/comunidad.html", {
        "comunidad": found,
        "obras": listas["obra"], "programas": listas["programa-social"],
        "convocatorias": listas["convocatoria"],
        "mapa": mapas.comunidad_mapa(found),
        "feed_url": tk.url_for("hueyapan.comunidad_feed", clave=found.id, _external=True),
    })
