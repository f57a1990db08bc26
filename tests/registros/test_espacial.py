"""The spatial extent of every dataset, indexed for ckanext-spatial's bounding-box search
(real Solr, ``solr-bbox`` backend): its own geometry, else its communities."""
from __future__ import annotations

import json

import pytest

from ckan import model
from ckan.lib import search as ckan_search
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan.model import Comunidad
from ckanext.hueyapan.registros import espacial
from tests.fabricas import convocatoria, obra

LOS_MANGOS = "300730030"
CABECERA = "300730001"  # Hueyapan de Ocampo, the municipal seat
LOS_MANGOS_POINT = (-95.1224153, 18.2420114)  # INEGI's point of the locality

#: bounding boxes as ckanext-spatial takes them: minx,miny,maxx,maxy
BBOX_LOS_MANGOS = "-95.13,18.23,-95.11,18.26"
BBOX_CABECERA = "-95.16,18.14,-95.13,18.16"
BBOX_XALAPA = "-96.95,19.50,-96.88,19.56"  # elsewhere in Veracruz
BBOX_VERACRUZ = "-98.7,17.1,-93.6,22.5"  # the whole state


def _around(lon: float, lat: float, half: float = 0.001) -> str:
    return f"{lon - half},{lat - half},{lon + half},{lat + half}"


def _found(bbox: str) -> list[str]:
    result = call_action("package_search", rows=50, extras={"ext_bbox": bbox})
    return sorted(d["name"] for d in result["results"])


@pytest.fixture
def org(with_plugins, clean_index, comunidades):
    return factories.Organization(name="obras-publicas")


@pytest.fixture
def context(with_plugins, clean_index, comunidades):
    return {"user": call_action("get_site_user")["name"], "ignore_auth": True}


def test_an_obra_without_geometry_is_found_by_its_community(org, context):
    call_action("package_create", context=context, **obra(org))

    assert _found(BBOX_LOS_MANGOS) == ["pavimentacion-los-mangos"]
    assert _found(BBOX_VERACRUZ) == ["pavimentacion-los-mangos"]
    assert _found(BBOX_CABECERA) == []
    assert _found(BBOX_XALAPA) == []
    # nothing was written into the dataset
    shown = call_action("package_show", id="pavimentacion-los-mangos")
    assert not shown.get("spatial")


def test_an_obra_with_a_point_is_found_by_bounding_box(org, context):
    """A point has an envelope of zero area, which ckanext-spatial's solr-bbox query never
    finds; the indexed extent is a 100 m square around it."""
    point = {"type": "Point", "coordinates": list(LOS_MANGOS_POINT)}
    call_action("package_create", context=context, **obra(
        org, name="pozo-cabecera", comunidades=[CABECERA], spatial=json.dumps(point)))

    assert _found(BBOX_LOS_MANGOS) == ["pozo-cabecera"]
    assert _found(_around(*LOS_MANGOS_POINT)) == ["pozo-cabecera"]
    assert _found(BBOX_VERACRUZ) == ["pozo-cabecera"]
    # its own geometry wins over its community
    assert _found(BBOX_CABECERA) == []
    assert _found(BBOX_XALAPA) == []
    shown = call_action("package_show", id="pozo-cabecera")
    assert json.loads(shown["spatial"]) == point


def test_the_whole_municipality_is_its_boundary(org, context):
    call_action("package_create", context=context, **convocatoria(org, comunidades=["30073"]))

    assert _found(BBOX_LOS_MANGOS) == ["proyectos-comunitarios-2026"]
    assert _found(BBOX_CABECERA) == ["proyectos-comunitarios-2026"]
    assert _found(BBOX_XALAPA) == []


def test_several_communities_make_one_extent(org, context):
    call_action("package_create", context=context, **obra(
        org, comunidades=[LOS_MANGOS, CABECERA]))

    assert _found(BBOX_LOS_MANGOS) == ["pavimentacion-los-mangos"]
    assert _found(BBOX_CABECERA) == ["pavimentacion-los-mangos"]
    assert _found(BBOX_XALAPA) == []


def test_a_community_without_polygon_falls_back_to_its_point(org, context):
    comunidad = model.Session.get(Comunidad, LOS_MANGOS)
    comunidad.geometria = None
    model.Session.commit()
    call_action("package_create", context=context, **obra(org))

    assert _found(_around(*LOS_MANGOS_POINT)) == ["pavimentacion-los-mangos"]
    # the south end of the built-up area of Los Mangos, away from its point
    assert _found("-95.128,18.232,-95.124,18.236") == []
    assert _found(BBOX_XALAPA) == []


def test_a_line_along_a_parallel_is_found(org, context):
    """A road drawn west to east has an envelope of zero height: it is widened too."""
    road = {"type": "LineString", "coordinates": [[-95.125, 18.24], [-95.118, 18.24]]}
    call_action("package_create", context=context, **obra(org, spatial=json.dumps(road)))

    assert _found("-95.121,18.239,-95.120,18.241") == ["pavimentacion-los-mangos"]


def test_an_unreadable_geometry_does_not_break_indexing(org, context):
    """A geometry stored before validation existed (or harvested as it came) that is not
    GeoJSON: the dataset is indexed all the same, with the extent of its communities."""
    created = call_action("package_create", context=context, **obra(org))
    package = model.Package.get(created["id"])
    for broken in ('{"type": "Point", "coordinates": [', '{"type": "Nada"}', "[]",
                   '{"type": "Point", "coordinates": [500, 95]}'):
        package.extras = {**package.extras, "spatial": broken}
        model.Session.commit()
        ckan_search.rebuild(created["id"])

        assert _found(BBOX_LOS_MANGOS) == ["pavimentacion-los-mangos"], broken
        assert _found(BBOX_XALAPA) == [], broken


def test_a_dataset_without_place_has_no_extent(org, context):
    factories.Dataset(owner_org=org["id"], name="sin-lugar")

    assert call_action("package_search", q="name:sin-lugar")["count"] == 1
    assert _found(BBOX_VERACRUZ) == []


def test_the_extent_of_a_point_is_a_100_m_square():
    lon, lat = LOS_MANGOS_POINT
    point = json.dumps({"type": "Point", "coordinates": [lon, lat]})
    box = espacial.extent({"spatial": point}, {})
    assert box is not None
    minx, miny, maxx, maxy = box
    height_m = (maxy - miny) * 111_320
    width_m = (maxx - minx) * 111_320 * 0.9498  # cos(18.24°)
    assert height_m == pytest.approx(100, rel=0.01)
    assert width_m == pytest.approx(100, rel=0.01)
    assert (minx + maxx) / 2 == pytest.approx(lon) and (miny + maxy) / 2 == pytest.approx(lat)


# --- What a location input holds -------------------------------------------------------------

@pytest.mark.parametrize(("text", "geometry"), [
    ("", None),
    ("18.1519, -95.1427", {"type": "Point", "coordinates": [-95.1427, 18.1519]}),
    ("18.1519 -95.1427", {"type": "Point", "coordinates": [-95.1427, 18.1519]}),
    ("18.15,-95.14; 18.16,-95.13;", {"type": "LineString",
                                      "coordinates": [[-95.14, 18.15], [-95.13, 18.16]]}),
    ('{"type": "Point", "coordinates": [-95.14, 18.15]}',
     {"type": "Point", "coordinates": [-95.14, 18.15]}),
])
def test_a_location_is_read_from_pairs_or_geojson(text, geometry):
    assert espacial.parse_ubicacion(text) == geometry


@pytest.mark.parametrize("text", ["Los Mangos", "18.15", "[1, 2]", "18.15, -95.14; calle"])
def test_a_location_that_is_neither_is_refused(text):
    with pytest.raises(ValueError):
        espacial.parse_ubicacion(text)
