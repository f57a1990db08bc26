"""Maps drawn on the server as inline SVG: the municipal boundary and the communities.

No tiles, no JavaScript, a few kilobytes: the map works on a phone with poor signal and without
any request leaving the catalog. Coordinates are projected with a plain equirectangular
projection around the municipality's latitude (at this scale the error is invisible).
Geometries: INEGI's municipal boundary and locality polygons (``data/``) and each community's
point (latitude and longitude of the register).
"""
from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from importlib import resources
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad

__all__ = ["Punto", "comunidad_mapa", "comunidades_mapa", "svg_geometria", "svg_mapa",
           "svg_selector"]

WIDTH = 640
_DATA = resources.files("ckanext.hueyapan") / "data"


class Punto:
    """A community on the map: its key, name, position, optional polygon, count and link."""

    def __init__(self, clave: str, nombre: str, lon: float | None, lat: float | None,
                 geometria: dict[str, Any] | None = None, cuenta: int = 0,
                 enlace: str | None = None, resaltada: bool = False) -> None:
        self.clave, self.nombre, self.lon, self.lat = clave, nombre, lon, lat
        self.geometria, self.cuenta = geometria, cuenta
        self.enlace, self.resaltada = enlace, resaltada


@functools.lru_cache(maxsize=1)
def _boundary() -> Any:
    from shapely.geometry import shape

    data = json.loads((_DATA / "hueyapan_municipio_30073.geojson").read_text("utf-8"))
    return shape(data["features"][0]["geometry"]).simplify(0.0015, preserve_topology=True)


class _Projection:
    def __init__(self, bounds: tuple[float, float, float, float], margin: float = 12) -> None:
        minx, miny, maxx, maxy = bounds
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        # a degenerate extent (one point) would divide by zero: give it a few metres
        span_x, span_y = max((maxx - minx) * self.kx, 1e-4), max(maxy - miny, 1e-4)
        self.scale = (WIDTH - 2 * margin) / span_x
        self.height = round(span_y * self.scale + 2 * margin)
        self.minx, self.maxy, self.margin = minx, maxy, margin

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - self.minx) * self.kx * self.scale + self.margin, 1),
                round((self.maxy - lat) * self.scale + self.margin, 1))

    def path(self, geometry: Any) -> str:
        polygons = getattr(geometry, "geoms", [geometry])
        parts = []
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                points = [self.xy(x, y) for x, y in ring.coords]
                parts.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
        return "".join(parts)

    def line(self, geometry: Any) -> str:
        """The SVG path of a line or of every line of a multi-line (open paths)."""
        parts = []
        for line in getattr(geometry, "geoms", [geometry]):
            points = [self.xy(x, y) for x, y in line.coords]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in points))
        return "".join(parts)


def svg_mapa(puntos: Iterable[Punto], titulo: str, descripcion: str = "") -> Markup:
    """An accessible SVG map (``role="img"``, title and description) of the municipality with
    the given communities: highlighted ones drawn with their polygon, the others as circles
    whose area grows with their count; each links to its page when it has a link."""
    from shapely.geometry import shape

    boundary = _boundary()
    projection = _Projection(boundary.bounds)
    body = [f'<path class="hy-mapa-municipio" d="{projection.path(boundary)}"/>']
    puntos = list(puntos)
    largest = max([p.cuenta for p in puntos] + [1])
    for punto in sorted(puntos, key=lambda p: (p.resaltada, p.cuenta)):
        shapes = []
        if punto.resaltada and punto.geometria:
            try:
                path = projection.path(shape(punto.geometria))
                shapes.append(f'<path class="hy-mapa-zona" d="{path}"/>')
            except Exception:  # noqa: BLE001 - an unreadable polygon: the point is enough
                pass
        if punto.lon is not None and punto.lat is not None:
            x, y = projection.xy(punto.lon, punto.lat)
            radius = 7 if punto.resaltada else round(3 + 9 * math.sqrt(punto.cuenta / largest), 1)
            kind = "hy-mapa-punto-resaltado" if punto.resaltada else (
                "hy-mapa-punto" if punto.cuenta else "hy-mapa-punto-vacio")
            shapes.append(f'<circle class="{kind}" cx="{x}" cy="{y}" r="{radius}"/>')
        if not shapes:
            continue
        label = escape(f"{punto.nombre}: {punto.cuenta}" if punto.cuenta else punto.nombre)
        group = f"<title>{label}</title>" + "".join(shapes)
        if punto.enlace:
            body.append(f'<a href="{escape(punto.enlace)}" aria-label="{label}">{group}</a>')
        else:
            body.append(f"<g>{group}</g>")
    description = f'<desc id="hy-mapa-desc">{escape(descripcion)}</desc>' if descripcion else ""
    # With links inside, the map is a group of links; without, one image.
    role = "group" if any(p.enlace for p in puntos) else "img"
    return Markup(
        f'<svg class="hy-mapa" viewBox="0 0 {WIDTH} {projection.height}" role="{role}" '
        f'aria-labelledby="hy-mapa-titulo{" hy-mapa-desc" if descripcion else ""}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="hy-mapa-titulo">{escape(titulo)}</title>'
        f'{description}{"".join(body)}</svg>'
    )


def _geometry_shapes(geometry: Any, projection: _Projection) -> list[str]:
    """SVG elements drawing a shapely geometry: points as circles, lines as strokes, polygons
    filled; collections and multi-geometries part by part."""
    kind = geometry.geom_type
    if kind == "Point":
        x, y = projection.xy(geometry.x, geometry.y)
        return [f'<circle class="hy-mapa-lugar-punto" cx="{x}" cy="{y}" r="8"/>']
    if kind in ("LineString", "MultiLineString"):
        return [f'<path class="hy-mapa-lugar-linea" d="{projection.line(geometry)}"/>']
    if kind in ("Polygon", "MultiPolygon"):
        return [f'<path class="hy-mapa-lugar-zona" d="{projection.path(geometry)}"/>']
    shapes: list[str] = []
    for part in getattr(geometry, "geoms", []):  # MultiPoint, GeometryCollection
        shapes.extend(_geometry_shapes(part, projection))
    return shapes


def svg_geometria(geometria: dict[str, Any], titulo: str, descripcion: str = "",
                  puntos: Iterable[Punto] = ()) -> Markup:
    """An accessible SVG map (``role="img"``, title and description) of the municipality with an
    arbitrary GeoJSON geometry drawn on it (a point, a road, a network, an area), and the given
    communities as small context circles. The map grows to include the geometry when it lies
    partly outside the municipality. Raises ``ValueError`` when the geometry cannot be read."""
    from shapely.geometry import shape

    try:
        geometry = shape(geometria)
    except Exception as error:  # noqa: BLE001 - shapely raises many kinds for bad GeoJSON
        raise ValueError(f"unreadable geometry: {error}") from error
    if geometry.is_empty:
        raise ValueError("empty geometry")
    boundary = _boundary()
    bminx, bminy, bmaxx, bmaxy = boundary.bounds
    gminx, gminy, gmaxx, gmaxy = geometry.bounds
    projection = _Projection((min(bminx, gminx), min(bminy, gminy),
                              max(bmaxx, gmaxx), max(bmaxy, gmaxy)))
    body = [f'<path class="hy-mapa-municipio" d="{projection.path(boundary)}"/>']
    for punto in puntos:
        if punto.lon is None or punto.lat is None:
            continue
        x, y = projection.xy(punto.lon, punto.lat)
        body.append(f'<g><title>{escape(punto.nombre)}</title>'
                    f'<circle class="hy-mapa-punto-vacio" cx="{x}" cy="{y}" r="3"/></g>')
    body.extend(_geometry_shapes(geometry, projection))
    # a geometry a few pixels across (a short road, a building) gets a ring so it can be found
    (left, top), (right, bottom) = projection.xy(gminx, gmaxy), projection.xy(gmaxx, gminy)
    if max(right - left, bottom - top) < 24:
        x, y = projection.xy(geometry.centroid.x, geometry.centroid.y)
        body.append(f'<circle class="hy-mapa-lugar-aro" cx="{x}" cy="{y}" r="18"/>')
    description = f'<desc id="hy-mapa-desc">{escape(descripcion)}</desc>' if descripcion else ""
    return Markup(
        f'<svg class="hy-mapa" viewBox="0 0 {WIDTH} {projection.height}" role="img" '
        f'aria-labelledby="hy-mapa-titulo{" hy-mapa-desc" if descripcion else ""}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="hy-mapa-titulo">{escape(titulo)}</title>'
        f'{description}{"".join(body)}</svg>'
    )


def svg_selector(ident: str, titulo: str, descripcion: str) -> Markup:
    """The map of a staff form (``selector-mapa.js``): the municipality and every active
    community as a circle carrying its key (``data-clave``). The projection travels in the
    ``data-*`` attributes of the SVG, so that the script turns a click into longitude and
    latitude, and draws the form's geometry, with the same arithmetic as the server. Without
    the script the map is only a picture, and the form's inputs still work."""
    boundary = _boundary()
    projection = _Projection(boundary.bounds)
    body = [f'<path class="hy-mapa-municipio" d="{projection.path(boundary)}"/>']
    communities = (model.Session.query(Comunidad).filter(Comunidad.estado == ESTADO_ACTIVA)
                   .order_by(Comunidad.nombre))
    for comunidad in communities:
        if comunidad.longitud is None or comunidad.latitud is None:
            continue
        x, y = projection.xy(comunidad.longitud, comunidad.latitud)
        body.append(f'<g class="hy-selector-comunidad" data-clave="{escape(comunidad.id)}">'
                    f'<title>{escape(comunidad.nombre)}</title>'
                    f'<circle cx="{x}" cy="{y}" r="6"/></g>')
    return Markup(
        f'<svg id="{escape(ident)}" class="hy-mapa hy-selector-mapa" '
        f'viewBox="0 0 {WIDTH} {projection.height}" role="img" '
        f'aria-labelledby="{escape(ident)}-titulo {escape(ident)}-desc" '
        f'data-minx="{projection.minx}" data-maxy="{projection.maxy}" '
        f'data-kx="{projection.kx}" data-escala="{projection.scale}" '
        f'data-margen="{projection.margin}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(ident)}-titulo">{escape(titulo)}</title>'
        f'<desc id="{escape(ident)}-desc">{escape(descripcion)}</desc>{"".join(body)}</svg>'
    )


# --- The communities of the register on the map (home, communities and community pages) -------

#: SVG maps of a community's page by (community, language, version of the register): they
#: change only when a community does (~15 ms to draw).
_MAPAS: dict[tuple[Any, ...], Any] = {}


def comunidad_mapa(resaltada: Comunidad) -> Any:
    """The map of a community's page, drawn once per process until the register changes."""
    version = model.Session.query(sa.func.count(Comunidad.id),
                                  sa.func.max(Comunidad.modificado)).one()
    key = (resaltada.id, tk.h.lang(), tuple(version))
    if key not in _MAPAS:
        if len(_MAPAS) > 500:
            _MAPAS.clear()
        _MAPAS[key] = comunidades_mapa({}, resaltada=resaltada)
    return _MAPAS[key]


def comunidades_mapa(counts: dict[str, int], resaltada: Comunidad | None = None) -> Any:
    """The SVG map of the municipality: every active community as a point sized by its count
    and linked to its page, or, on a community's page, that community highlighted."""
    puntos = []
    for comunidad in model.Session.query(Comunidad).filter(Comunidad.estado == ESTADO_ACTIVA):
        es_ella = resaltada is not None and comunidad.id == resaltada.id
        puntos.append(Punto(
            comunidad.id, comunidad.nombre, comunidad.longitud, comunidad.latitud,
            geometria=comunidad.geometria if es_ella else None,
            cuenta=0 if resaltada is not None else counts.get(comunidad.id, 0),
            enlace=None if resaltada is not None else tk.url_for(
                "hueyapan.comunidad", clave=comunidad.id), resaltada=es_ella))
    if resaltada is not None:
        return svg_mapa(
            puntos, tk._("Map: {name} in the municipality of {municipality}").format(
                name=resaltada.nombre,
                municipality=tk.config["ckanext.hueyapan.municipio.nombre"]))
    return svg_mapa(
        puntos, tk._("Map of the communities of {municipality}").format(
            municipality=tk.config["ckanext.hueyapan.municipio.nombre"]),
        tk._("Each circle is a community; the larger it is, the more public works, programmes "
             "and calls name it."))
