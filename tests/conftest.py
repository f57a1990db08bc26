"""Shared fixtures. CKAN's own pytest plugin (ckan.tests.pytest_ckan) provides the rest."""
from __future__ import annotations

import functools
import sys

import pytest

# Plugins whose tables come from their own migrations, which CKAN's `clean_db` does not run.
MIGRATED_PLUGINS = ("activity", "harvest", "hueyapan")


@functools.cache
def _migration_heads(plugin: str) -> frozenset[str]:
    """The newest revisions of a plugin's migrations (read from its scripts once a session)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ckan.cli.db import _resolve_alembic_config

    return frozenset(ScriptDirectory.from_config(Config(_resolve_alembic_config(plugin)))
                     .get_heads())


def _behind(plugins: tuple[str, ...]) -> list[str]:
    """The plugins whose tables are not at their newest migration: their version table (which
    CKAN's ``clean_db`` leaves alone when it deletes rows, and drops with every table when it
    rebuilds the database) is missing or does not hold the head revisions."""
    import sqlalchemy as sa

    from ckan import model

    behind = []
    with model.meta.engine.connect() as conn:
        for plugin in plugins:
            table = f"{plugin}_alembic_version"
            if conn.execute(sa.text("SELECT to_regclass(:t)"),
                            {"t": f"public.{table}"}).scalar() is None:
                behind.append(plugin)
                continue
            found = frozenset(conn.execute(sa.text(f'SELECT version_num FROM "{table}"')).scalars())
            if found != _migration_heads(plugin):
                behind.append(plugin)
    return behind


def migrate_plugins(migrate_db_for) -> None:
    """CKAN's ``migrate_db_for`` for every plugin of :data:`MIGRATED_PLUGINS` whose tables are
    not at its newest migration. Running the migrations of a plugin that is at head changes
    nothing and costs about 0.1 s each (alembic loads its scripts and environment); ``clean_db``
    deletes rows and keeps the tables, so after the first test of a session the check (one
    connection, a few ms) is all that runs."""
    try:
        behind = _behind(MIGRATED_PLUGINS)
    except Exception:  # noqa: BLE001 - not known: migrate_db_for says what is wrong
        behind = list(MIGRATED_PLUGINS)
    for plugin in MIGRATED_PLUGINS:
        if plugin in behind:
            migrate_db_for(plugin)


def catalogo_vacio(reset_db, migrate_db_for, reset_index) -> None:
    """An empty catalog: a clean database with every plugin's tables, an empty index, the
    communities register and the vocabularies. For data a module builds once, from CKAN's
    session-scoped callables (its ``clean_db`` and ``clean_index`` are function fixtures)."""
    from ckanext.hueyapan.registros.comunidades import seed_localities
    from ckanext.hueyapan.registros.vocabularios import seed_terms

    reset_db()
    migrate_plugins(migrate_db_for)
    reset_index()
    seed_localities()
    seed_terms()


@pytest.fixture
def clean_db_all(clean_db, migrate_db_for):
    """A clean database with the tables of every plugin of the catalog."""
    migrate_plugins(migrate_db_for)


@pytest.fixture
def comunidades(clean_db_all):
    """The communities register seeded with the 50 INEGI localities, and the vocabularies."""
    from ckanext.hueyapan.registros.comunidades import seed_localities
    from ckanext.hueyapan.registros.vocabularios import seed_terms

    seed_localities()
    seed_terms()


@pytest.fixture
def area(comunidades):
    """The área Obras Públicas (an organization) with an editor (password and API token), on the
    seeded communities."""
    from ckan.tests import factories

    editor = factories.UserWithToken(name="area-obras")
    org = factories.Organization(name="obras-publicas", title="Obras Públicas",
                                 users=[{"name": editor["name"], "capacity": "editor"}])
    return {"editor": editor, "org": org}


def pytest_sessionfinish(session, exitstatus) -> None:
    """Stop the harvest consumers that tests/harvesters/conftest.py keeps between tests."""
    harvesting = sys.modules.get("tests.harvesters.conftest")
    if harvesting is not None:
        harvesting.CONSUMERS.stop_all()
