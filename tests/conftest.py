"""Shared fixtures. CKAN's own pytest plugin (ckan.tests.pytest_ckan) provides the rest."""
from __future__ import annotations

import sys

import pytest

# Plugins whose tables come from their own migrations, which CKAN's `clean_db` does not run.
MIGRATED_PLUGINS = ("activity", "harvest", "hueyapan")


def catalogo_vacio(reset_db, migrate_db_for, reset_index) -> None:
    """An empty catalog: a clean database with every plugin's tables, an empty index, the
    communities register and the vocabularies. For data a module builds once, from CKAN's
    session-scoped callables (its ``clean_db`` and ``clean_index`` are function fixtures)."""
    from ckanext.hueyapan.comunidades import seed_localities
    from ckanext.hueyapan.vocabularios import seed_terms

    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    reset_index()
    seed_localities()
    seed_terms()


@pytest.fixture
def clean_db_all(clean_db, migrate_db_for):
    """A clean database with the tables of every plugin of the catalog."""
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)


@pytest.fixture
def comunidades(clean_db_all):
    """The communities register seeded with the 50 INEGI localities, and the vocabularies."""
    from ckanext.hueyapan.comunidades import seed_localities
    from ckanext.hueyapan.vocabularios import seed_terms

    seed_localities()
    seed_terms()


def pytest_sessionfinish(session, exitstatus) -> None:
    """Stop the harvest consumers that tests/harvesters/conftest.py keeps between tests."""
    harvesting = sys.modules.get("tests.harvesters.conftest")
    if harvesting is not None:
        harvesting.CONSUMERS.stop_all()
