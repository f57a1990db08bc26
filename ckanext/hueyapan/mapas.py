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
from importlib import resources
from typing import Any, Iterable

from markupsafe import Markup, escape

__all__ = ["Punto", "svg_mapa"]

WIDTH = 640
_DATA = resources.files("ckanext.hueyapan") / "data"


class Punto:
    """A community on the map: its key, name, position, optional polygon, count and link."""

    def __init__(self, clave: str, nombre: str, lon: float | None, lat: float | None,
                 geometria: dict[str, Any] | None = None, cuenta: int = 0,
                 enlace: str | None = None, resaltada: bool = False) -> None:
        self.clave, self.nombre, self.lon, self.lat = clave, nombre, lon, lat
        self.geometria, self.cuenta, self.enlace, self.resaltada = geometria, cuenta, enlace, resaltada


@functools.lru_cache(maxsize=1)
def _boundary() -> Any:
    from shapely.geometry import shape

    data = json.loads((_DATA / "hueyapan_municipio_30073.geojson").read_text("utf-8"))
    return shape(data["features"][0]["geometry"]).simplify(0.0015, preserve_topology=True)


class _Projection:
    def __init__(self, bounds: tuple[float, float, float, float], margin: float = 12) -> None:
        minx, miny, maxx, maxy = bounds
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        span_x, span_y = (maxx - minx) * self.kx, maxy - miny
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
                shapes.append(f'<path class="hy-mapa-zona" d="{projection.path(shape(punto.geometria))}"/>')
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
