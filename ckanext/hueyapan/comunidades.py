"""Seeding of the communities register from the INEGI localities shipped in ``data/``.

Seeding only inserts localities that are missing: a community staff have renamed, merged or retired
is never touched again, so running it on every start is safe.
"""
from __future__ import annotations

import csv
import functools
import json
from importlib import resources
from typing import Any

from ckan import model

from ckanext.hueyapan import peticion
from ckanext.hueyapan.model import Comunidad

__all__ = ["FUENTE_INEGI", "boundary_geojson", "datasets_with", "in_municipality", "new_id",
           "read_localities", "seed_localities"]

FUENTE_INEGI = (
    "INEGI, Marco Geoestadístico (dic. 2024) y Censo de Población y Vivienda 2020"
)

_DATA = resources.files("ckanext.hueyapan") / "data"


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip() else None


def read_localities() -> list[dict[str, Any]]:
    """The INEGI localities of the municipality, with their polygon, as column dicts."""
    polygons_file = _DATA / "hueyapan_localidades_amanzanadas_poligonos.geojson"
    polygons_text = polygons_file.read_text("utf-8")
    polygons = {
        feature["properties"]["cvegeo"]: feature["geometry"]
        for feature in json.loads(polygons_text)["features"]
    }
    rows = []
    with (_DATA / "hueyapan_localidades.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "id": row["cvegeo"],
                    "cvegeo": row["cvegeo"],
                    "nombre": row["nom_loc"],
                    "ambito": row["ambito"] or None,
                    "latitud": float(row["latitud"]),
                    "longitud": float(row["longitud"]),
                    "altitud_m": _int_or_none(row["altitud_m"]),
                    "geometria": polygons.get(row["cvegeo"]),
                    "pob_total_2020": _int_or_none(row["pob_total_2020"]),
                    "pob_masculina_2020": _int_or_none(row["pob_masculina_2020"]),
                    "pob_femenina_2020": _int_or_none(row["pob_femenina_2020"]),
                    "viviendas_habitadas_2020": _int_or_none(row["viviendas_habitadas_2020"]),
                    "fuente": FUENTE_INEGI,
                }
            )
    return rows


def seed_localities() -> tuple[int, int]:
    """Insert the INEGI localities that are not yet in the register.

    :returns: (inserted, already present)
    """
    session = model.Session
    present = {cvegeo for (cvegeo,) in session.query(Comunidad.cvegeo).filter(
        Comunidad.cvegeo.isnot(None)
    )}
    inserted = 0
    for row in read_localities():
        if row["cvegeo"] in present:
            continue
        session.add(Comunidad(**row))
        inserted += 1
    session.commit()
    peticion.olvidar()
    return inserted, len(present)


def new_id(nombre: str, cvegeo: str | None) -> str:
    """A community's permanent key: its INEGI key, or a readable slug for the others."""
    if cvegeo:
        return cvegeo
    from slugify import slugify

    base = "c-" + slugify(nombre, max_length=60)
    candidate, suffix = base, 2
    while model.Session.get(Comunidad, candidate) is not None:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def datasets_with(comunidad_id: str) -> list[model.Package]:
    """Every non-deleted dataset that names the community."""
    needle = json.dumps(comunidad_id)
    return (
        model.Session.query(model.Package)
        .filter(model.Package.state != "deleted")
        .filter(model.Package.extras["comunidades"].astext.contains(needle))
        .all()
    )


@functools.lru_cache(maxsize=1)
def _municipality() -> Any:
    """The municipal boundary (INEGI), as a shapely geometry with a small margin (~500 m) so that
    a point on the border, or a slightly imprecise one, still counts as inside."""
    from shapely.geometry import shape

    data = json.loads((_DATA / "hueyapan_municipio_30073.geojson").read_text("utf-8"))
    return shape(data["features"][0]["geometry"]).buffer(0.005)


def in_municipality(geometry: Any) -> bool | None:
    """Whether a GeoJSON geometry (dict or text) touches the municipality; None when it cannot be
    read as a geometry."""
    from shapely.geometry import shape

    try:
        if isinstance(geometry, str):
            geometry = json.loads(geometry)
        return bool(shape(geometry).intersects(_municipality()))
    except Exception:  # noqa: BLE001 - anything unreadable is "unknown", never an error here
        return None


@functools.lru_cache(maxsize=1)
def boundary_geojson() -> dict[str, Any]:
    """The municipal boundary (INEGI) as GeoJSON, simplified to about 100 m (small enough for
    RDF and JSON exports)."""
    from shapely.geometry import mapping, shape

    data = json.loads((_DATA / "hueyapan_municipio_30073.geojson").read_text("utf-8"))
    simplified = shape(data["features"][0]["geometry"]).simplify(0.001, preserve_topology=True)
    return json.loads(json.dumps(mapping(simplified)))
