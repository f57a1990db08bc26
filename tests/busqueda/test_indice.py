"""The Solr round trip: what goes in through the action API comes back from package_search."""
from __future__ import annotations

import json

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action

AUTH = "Authorization"


@pytest.mark.usefixtures("with_plugins", "clean_db_all", "clean_index")
def test_dataset_created_through_the_api_is_found(app):
    user = factories.SysadminWithToken()
    org = factories.Organization(user=user)
    response = app.post(
        "/api/3/action/package_create",
        headers={AUTH: user["token"]},
        json={
            "name": "pavimentacion-calle-hidalgo",
            "title": "Pavimentación de la calle Hidalgo",
            "notes": "Obra de pavimentación con concreto hidráulico en Los Mangos.",
            "owner_org": org["id"],
        },
    )
    assert response.status_code == 200, response.body
    result = app.get(
        "/api/3/action/package_search", query_string={"q": "pavimentación Hidalgo"}
    ).json["result"]
    assert result["count"] == 1
    assert result["results"][0]["name"] == "pavimentacion-calle-hidalgo"


@pytest.mark.usefixtures("with_plugins", "clean_db_all", "clean_index")
def test_search_index_rebuild_restores_a_cleared_index(cli):
    org = factories.Organization()
    names = {factories.Dataset(owner_org=org["id"])["name"] for _ in range(3)}
    assert call_action("package_search")["count"] == 3

    search.clear_all()
    assert call_action("package_search")["count"] == 0

    result = cli.invoke(ckan_command, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    found = call_action("package_search", rows=10)
    assert {d["name"] for d in found["results"]} == names


LOS_MANGOS = {  # a small square around the locality of Los Mangos
    "type": "Polygon",
    "coordinates": [[[-95.10, 18.20], [-95.08, 18.20], [-95.08, 18.22], [-95.10, 18.22],
                     [-95.10, 18.20]]],
}


@pytest.mark.ckan_config("ckan.plugins", "spatial_metadata spatial_query")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_spatial_bbox_search_uses_the_solr_spatial_fields():
    """ckanext-spatial indexes the extent in the bbox fields our Solr schema declares."""
    org = factories.Organization()
    factories.Dataset(
        owner_org=org["id"], name="obra-en-los-mangos",
        extras=[{"key": "spatial", "value": json.dumps(LOS_MANGOS)}],
    )
    factories.Dataset(owner_org=org["id"], name="sin-ubicacion")

    inside = call_action("package_search", extras={"ext_bbox": "-95.2,18.1,-95.0,18.3"})
    assert [d["name"] for d in inside["results"]] == ["obra-en-los-mangos"]
    outside = call_action("package_search", extras={"ext_bbox": "-96.5,19.0,-96.0,19.5"})
    assert outside["count"] == 0
