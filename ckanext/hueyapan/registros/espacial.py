"""The spatial extent of every dataset, computed when it is indexed.

A dataset's extent is its own geometry (the ``spatial`` field, GeoJSON) when it has a readable
one; otherwise the union of its communities: each community's polygon (INEGI's built-up area),
or its point when the register has no polygon for it, and the municipal boundary for the whole
municipality (key ``ckanext.hueyapan.municipio.cvegeo``).

The extent is only indexed, never written into the dataset. It is handed to ckanext-spatial's
own search backend (``ckanext.spatial.search_backend``), which turns it into the Solr fields its
bounding-box search reads (``minx``, ``miny``, ``maxx``, ``maxy`` for ``solr-bbox``).

Why not leave the ``spatial`` field to ckanext-spatial's own index hook:

* The ``solr-bbox`` search keeps the datasets whose overlap with the searched box, divided by
  the sum of both areas, lies strictly between 0 and 1. A point (or a straight north-south or
  east-west line) has an envelope of zero area, so its overlap is 0 and it is never found. Here
  every side of an extent shorter than ``MIN_SIDE_M`` is widened to that length around its
  centre: a point becomes a 100 m square.
* ckanext-spatial's hook crashes the indexing of a dataset whose ``spatial`` is not JSON
  (``shape(None)``); here an unreadable geometry only falls back to the communities.

Our ``before_dataset_index`` runs before ckanext-spatial's (``hueyapan`` comes first in
``ckan.plugins``) and removes ``spatial``/``extras_spatial`` from the document, as ckanext-spatial
does, so its hook has nothing left to redo.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.model import Comunidad

__all__ = ["MIN_SIDE_M", "comunidades_bounds", "extent", "index_extent", "municipal_boundary",
           "own_geometry", "parse_ubicacion"]

log = logging.getLogger(__name__)

# "18.1519, -95.1427": latitude first, as phones and web maps copy them.
_PAIR = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[, ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def parse_ubicacion(text: str) -> dict[str, Any] | None:
    """A GeoJSON geometry from what a location input holds: a GeoJSON text (the form's map
    writes one), one "latitude, longitude" pair (a point, as phones and web maps copy it) or
    several separated by ";" (a line: a road, a network).

    Raises ``ValueError`` for text that is none of those; the caller says so in Spanish."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("{"):
        geometry = json.loads(text)
        if not isinstance(geometry, dict):
            raise ValueError(text)
        return geometry
    positions = []
    for part in text.split(";"):
        if not part.strip():
            continue
        match = _PAIR.match(part)
        if not match:
            raise ValueError(part)
        lat, lon = float(match.group(1)), float(match.group(2))
        positions.append([round(lon, 6), round(lat, 6)])
    if not positions:
        raise ValueError(text)
    if len(positions) == 1:
        return {"type": "Point", "coordinates": positions[0]}
    return {"type": "LineString", "coordinates": positions}

#: Shortest side, in metres, of an indexed extent (a point becomes a square of this side).
MIN_SIDE_M = 100.0
_METRES_PER_DEGREE = 111_320.0
_DATA = resources.files("ckanext.hueyapan") / "data"


@functools.lru_cache(maxsize=4)
def municipal_boundary(tolerance: float = 0.0) -> Any:
    """INEGI's municipal boundary as a shapely geometry, simplified to ``tolerance`` degrees
    (0: as published)."""
    from shapely.geometry import shape

    data = json.loads((_DATA / "hueyapan_municipio_30073.geojson").read_text("utf-8"))
    boundary = shape(data["features"][0]["geometry"])
    if tolerance:
        boundary = boundary.simplify(tolerance, preserve_topology=True)
    return boundary


def _shape(value: Any) -> Any | None:
    """A non-empty shapely geometry in longitude/latitude degrees, or None when ``value`` (GeoJSON
    text or dict) cannot be read as one."""
    from shapely.geometry import shape

    try:
        geometry = json.loads(value) if isinstance(value, (str, bytes)) else value
        if not isinstance(geometry, dict):
            return None
        result = shape(geometry)
        if result.is_empty:
            return None
        minx, miny, maxx, maxy = result.bounds
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
            return None
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            return None
        return result
    except Exception:  # noqa: BLE001 - any unreadable geometry only means "no own geometry"
        return None


def _keys(value: Any) -> list[str]:
    """Community keys stored as a list or as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value else []
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return []


def own_geometry(pkg_dict: dict[str, Any], data: dict[str, Any]) -> Any | None:
    """The dataset's own geometry (``spatial``), if it has a readable one."""
    for value in (pkg_dict.get("extras_spatial"), pkg_dict.get("spatial"), data.get("spatial")):
        if value in (None, ""):
            continue
        geometry = _shape(value)
        if geometry is not None:
            return geometry
        log.warning("Dataset %s: unreadable spatial geometry, using its communities",
                    pkg_dict.get("name") or pkg_dict.get("id"))
    return None


#: Bounds of each community's polygon (or point), by (key, last change): computed once per
#: process and version of the community, so indexing never parses polygons again.
_BOUNDS: dict[tuple[str, Any], tuple[float, float, float, float] | None] = {}


def _community_bounds(keys: list[str]) -> list[tuple[float, float, float, float]]:
    from ckan import model

    found = []
    rows = model.Session.query(Comunidad.id, Comunidad.modificado).filter(Comunidad.id.in_(keys))
    for key, changed in rows:
        if (key, changed) not in _BOUNDS:
            geometria, longitud, latitud = model.Session.query(
                Comunidad.geometria, Comunidad.longitud, Comunidad.latitud
            ).filter(Comunidad.id == key).one()
            polygon = _shape(geometria) if geometria else None
            if polygon is not None:
                _BOUNDS[(key, changed)] = tuple(polygon.bounds)
            elif longitud is not None and latitud is not None:
                _BOUNDS[(key, changed)] = (longitud, latitud, longitud, latitud)
            else:
                _BOUNDS[(key, changed)] = None
        if _BOUNDS[(key, changed)] is not None:
            found.append(_BOUNDS[(key, changed)])
    return found


def comunidades_bounds(keys: Iterable[str]) -> tuple[float, float, float, float] | None:
    """The bounding box of the communities' polygons (or points, for those without a polygon);
    of the municipal boundary for the whole municipality. None when none is known."""
    keys = [str(key) for key in keys if key not in (None, "")]
    municipio = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
    parts = [tuple(municipal_boundary().bounds)] if municipio in keys else []
    wanted = [key for key in keys if key != municipio]
    if wanted:
        parts += _community_bounds(wanted)
    if not parts:
        return None
    return (min(p[0] for p in parts), min(p[1] for p in parts),
            max(p[2] for p in parts), max(p[3] for p in parts))


def extent(pkg_dict: dict[str, Any],
           data: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """The bounding box (minx, miny, maxx, maxy) to index for a dataset, every side at least
    ``MIN_SIDE_M`` long; None when the dataset has neither a geometry nor known communities."""
    geometry = own_geometry(pkg_dict, data)
    bounds = geometry.bounds if geometry is not None else \
        comunidades_bounds(_keys(data.get("comunidades")))
    if bounds is None:
        return None
    minx, miny, maxx, maxy = bounds
    half_lat = MIN_SIDE_M / 2 / _METRES_PER_DEGREE
    centre_lat = (miny + maxy) / 2
    half_lon = half_lat / max(math.cos(math.radians(centre_lat)), 0.01)
    if maxy - miny < 2 * half_lat:
        miny, maxy = max(centre_lat - half_lat, -90.0), min(centre_lat + half_lat, 90.0)
    if maxx - minx < 2 * half_lon:
        centre_lon = (minx + maxx) / 2
        minx, maxx = max(centre_lon - half_lon, -180.0), min(centre_lon + half_lon, 180.0)
    return minx, miny, maxx, maxy


def index_extent(pkg_dict: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Put the dataset's extent in the Solr document through ckanext-spatial's search backend,
    and take the raw ``spatial`` GeoJSON out of the document."""
    from ckanext.spatial.search import search_backends

    box = extent(pkg_dict, data)
    pkg_dict.pop("spatial", None)
    pkg_dict.pop("extras_spatial", None)
    if box is None:
        return pkg_dict
    minx, miny, maxx, maxy = box
    polygon = {
        "type": "Polygon",
        "coordinates": [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]],
    }
    backend_name = tk.config.get("ckanext.spatial.search_backend") or "solr-bbox"
    backend = search_backends.get(backend_name, search_backends["solr-bbox"])()
    indexed = backend.index_dataset({"spatial": json.dumps(polygon)})
    indexed.pop("spatial", None)
    pkg_dict.update(indexed)
    return pkg_dict
