"""Seeding of the communities register from the INEGI localities shipped in ``data/``.

Seeding only inserts localities that are missing: a community staff have renamed, merged or retired
is never touched again, so running it on every start is safe.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan.comun import peticion
from ckanext.hueyapan.comun.lectura import (
    INNER,
    PARENTHESES,
    aliases_file,
    name_forms,
    normalise_header,
)
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad

__all__ = ["FUENTE_INEGI", "Communities", "Found", "boundary_geojson", "communities_register",
           "comunidad_labels", "datasets_with", "in_municipality", "new_id", "read_localities",
           "seed_localities"]

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
    text = (_DATA / "hueyapan_localidades.csv").read_text("utf-8")
    with io.StringIO(text, newline="") as handle:
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
    peticion.forget()
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


# --- Names of communities: labels for pages, and the resolver of names as people write them ------

def _all_community_names() -> dict[str, str]:
    """Every community's name by key, read once per request (see peticion.py)."""
    return peticion.memo("comunidades", lambda: {
        key: nombre for key, nombre in model.Session.query(Comunidad.id, Comunidad.nombre)})


def comunidad_labels(keys: list[str]) -> dict[str, str]:
    """Display names of community keys (and of the whole municipality); unknown keys as they
    are."""
    names = _all_community_names()
    labels = {key: names.get(key, key) for key in keys}
    municipio = tk.config["ckanext.hueyapan.municipio.cvegeo"]
    if municipio in labels:
        labels[municipio] = tk._("All the municipality")
    return labels


@dataclass(frozen=True)

class Found:
    """Result of looking up one name: a value, or a problem with something that was recognised."""

    value: str | None = None
    problem: str | None = None


_PLACE_WORDS = re.compile(r"^(?:localidad|comunidad|loc|ejido|congregacion|rancheria|ranch)\s+")


_ARTICLE = re.compile(r"^(?:el|la|los|las)\s+")


def _name_variants(text: str) -> list[str]:
    """Looser forms of a community name: without parentheses, its parentheses alone, without a
    leading article."""
    variants = []
    bare = normalise_header(PARENTHESES.sub(" ", text))
    inner = [normalise_header(part) for part in INNER.findall(text)]
    for form in [bare, *inner]:
        if form:
            variants.extend([form, _ARTICLE.sub("", form)])
    return [variant for variant in dict.fromkeys(variants) if variant]


class Communities:
    """The communities register, looked up by key, INEGI key or name."""

    def __init__(self) -> None:
        self.municipio = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
        section = aliases_file().get("comunidades") or {}
        self.whole = {form for phrase in section.get("municipio") or () for form in
                      name_forms(str(phrase))}
        self.seat = {form for phrase in section.get("cabecera") or () for form in
                     name_forms(str(phrase))}
        self.by_key: dict[str, Comunidad] = {}
        self.names: dict[str, list[Comunidad]] = {}
        self.loose: dict[str, list[Comunidad]] = {}
        self.retired: dict[str, Comunidad] = {}
        for comunidad in model.Session.query(Comunidad).order_by(Comunidad.id):
            self.by_key[comunidad.id] = comunidad
            if comunidad.cvegeo:
                self.by_key[comunidad.cvegeo] = comunidad
            name = normalise_header(comunidad.nombre)
            if comunidad.estado != ESTADO_ACTIVA:
                self.retired.setdefault(name, comunidad)
                continue
            self.names.setdefault(name, []).append(comunidad)
            for variant in _name_variants(comunidad.nombre):
                if variant != name and comunidad not in self.loose.setdefault(variant, []):
                    self.loose[variant].append(comunidad)
        self._cache: dict[str, Found | None] = {}

    def _key(self, comunidad: Comunidad) -> Found:
        if comunidad.estado == ESTADO_ACTIVA:
            return Found(comunidad.id)
        return Found(problem=tk._(
            "The community \"{name}\" is no longer active (merged or retired): write the community "
            "that replaces it").format(name=comunidad.nombre))

    def _one(self, found: list[Comunidad], text: str) -> Found:
        if len(found) == 1:
            return Found(found[0].id)
        options = ", ".join(f"{c.nombre} ({c.cvegeo or c.id})" for c in found)
        return Found(problem=tk._(
            "Several communities are called \"{name}\" ({options}): write the INEGI key of the one "
            "you mean").format(name=text, options=options))

    def resolve(self, text: str) -> Found | None:
        if text not in self._cache:
            self._cache[text] = self._resolve(text)
        return self._cache[text]

    def _resolve(self, text: str) -> Found | None:
        name = normalise_header(text)
        if not name:
            return None
        if name in self.whole or text.strip() == self.municipio:
            return Found(self.municipio)
        if name in self.seat:
            seat = self.by_key.get(self.municipio + "0001")
            return self._key(seat) if seat is not None else None
        if text.strip() in self.by_key:
            return self._key(self.by_key[text.strip()])
        for inner in INNER.findall(text):  # "La Nueva Esperanza (300730156)": the key decides
            if inner.strip() in self.by_key:
                return self._key(self.by_key[inner.strip()])
        if name in self.names:
            return self._one(self.names[name], text.strip())
        without_place = _PLACE_WORDS.sub("", name)
        candidates = [without_place, *_name_variants(text), *_name_variants(without_place)]
        for candidate in dict.fromkeys(candidates):
            for index in (self.names, self.loose):
                if candidate in index:
                    return self._one(index[candidate], text.strip())
        if name in self.retired:
            return self._key(self.retired[name])
        return None

    @staticmethod
    def unknown(piece: str) -> str:
        return tk._("Unknown community \"{name}\": write its name as in the communities "
                    "register or its 9-digit INEGI key").format(name=piece)


def communities_register() -> Communities:
    """The communities register, to look communities up by name or key (``resolve(text)``)."""
    return Communities()
