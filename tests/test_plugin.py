"""The catalog's plugin stack loads and migrates on CKAN 2.12 with the pinned extensions."""
from __future__ import annotations

from importlib.metadata import version

import pytest
import sqlalchemy as sa

import ckan.plugins as p
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

CATALOG_PLUGINS = [
    "hueyapan", "activity", "scheming_datasets", "spatial_metadata", "spatial_query",
    "harvest", "ckan_harvester", "dcat", "dcat_rdf_harvester", "dcat_json_interface",
]

PINNED = {
    "ckan": "2.12.0",
    "ckanext-scheming": "3.1.0",
    "ckanext-spatial": "2.3.2",
    "ckanext-harvest": "1.6.3",
    "ckanext-dcat": "2.4.4",
}


def test_pinned_versions_are_installed():
    assert {name: version(name) for name in PINNED} == PINNED


@pytest.mark.usefixtures("with_plugins")
def test_every_catalog_plugin_loads():
    for name in CATALOG_PLUGINS:
        assert p.plugin_loaded(name), name


@pytest.mark.usefixtures("with_plugins")
def test_status_show_reports_ckan_2_12_with_the_plugins(app):
    result = app.get("/api/3/action/status_show").json["result"]
    assert result["ckan_version"] == "2.12.0"
    assert set(CATALOG_PLUGINS) <= set(result["extensions"])
    assert result["locale_default"] == "es"


@pytest.mark.usefixtures("with_plugins", "clean_db_all")
def test_plugin_migrations_create_their_tables():
    inspector = sa.inspect(model.Session.get_bind())
    for table in ("hueyapan_comunidad", "harvest_source", "harvest_object", "activity"):
        assert inspector.has_table(table), table


@pytest.mark.usefixtures("with_plugins", "clean_db_all")
def test_harvest_source_can_be_created():
    """ckanext-harvest works on CKAN 2.12: a source is a dataset of type harvest."""
    org = factories.Organization()
    source = call_action(
        "harvest_source_create",
        context={"ignore_auth": True, "user": call_action("get_site_user")["name"]},
        name="fuente-prueba",
        title="Fuente de prueba",
        url="http://127.0.0.1:9/catalogo",
        source_type="ckan",
        owner_org=org["id"],
    )
    assert source["type"] == "harvest"
    assert call_action("harvest_source_show", id=source["id"])["url"] == "http://127.0.0.1:9/catalogo"
