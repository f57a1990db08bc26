"""A pytest plugin that runs CKAN's own tests with the catalog's plugins loaded into every test.

CKAN's pytest plugin (``ckan.tests.pytest_ckan``) unloads every plugin before the first test
and loads ``ckan.plugins`` only for tests that use the ``with_plugins`` fixture. Loaded with
``-p catalogo_cargado`` (``contrato/`` on ``sys.path``), this plugin loads the plugins of the ini
(``ckan.plugins`` of ``--ckan-ini``) before every test that does not have them, and adds them to
those a test asks for, so that a test marked ``ckan_config("ckan.plugins", "image_view")`` runs with
``image_view`` *and* the catalog's plugins, as it would on the catalog.

A catalog always has the tables of its plugins' migrations. CKAN's ``clean_db`` drops every table
the first time and then only empties them, so the migrations of those plugins are run again
whenever ``clean_db`` has just recreated the tables (as soon as the plugins are loaded, since CKAN
finds a plugin's migrations through the loaded plugin). Nothing else is changed: the tests, their
fixtures and their assertions are CKAN's.
"""
from __future__ import annotations

from typing import Any

import pytest

__all__ = ["MIGRATED_PLUGINS", "pytest_configure", "pytest_runtest_setup", "pytest_sessionstart"]

#: Plugins of the catalog whose tables come from their own migrations (as tests/conftest.py).
MIGRATED_PLUGINS = ("activity", "harvest", "hueyapan")

_PLUGINS: list[str] = []
#: Plugins whose migrations wait for the plugin to be loaded (after ``clean_db`` dropped them)
_PENDING: list[str] = []


def _migrate_if_pending() -> None:
    """Run the plugins' migrations if ``clean_db`` recreated the tables and they are loaded
    (CKAN finds a plugin's migrations through the loaded plugin)."""
    import ckan.plugins
    from ckan import model
    from ckan.cli.db import _run_migrations

    pending = [name for name in _PENDING if ckan.plugins.plugin_loaded(name)]
    for name in pending:
        _run_migrations(name)
        _PENDING.remove(name)
    if pending:
        model.Session.remove()


def _load_all_with_catalog(load_all: Any) -> Any:
    def load_all_catalog(*args: Any, **kwargs: Any) -> None:
        from ckan.common import config

        asked = config.get("ckan.plugins") or []
        asked = asked.split() if isinstance(asked, str) else list(asked)
        config["ckan.plugins"] = asked + [name for name in _PLUGINS if name not in asked]
        load_all(*args, **kwargs)
        _migrate_if_pending()

    return load_all_catalog


def _rebuild_db_with_migrations(rebuild_db: Any) -> Any:
    def rebuild_db_catalog() -> None:
        from ckan import model

        recreated = not model.repo.tables_created_and_initialised
        rebuild_db()
        if recreated:
            _PENDING[:] = [name for name in MIGRATED_PLUGINS if name in _PLUGINS]
            _migrate_if_pending()

    return rebuild_db_catalog


def pytest_configure(config: pytest.Config) -> None:
    import ckan.plugins
    from ckan import model

    ckan.plugins.load_all = _load_all_with_catalog(ckan.plugins.load_all)
    model.repo.rebuild_db = _rebuild_db_with_migrations(model.repo.rebuild_db)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Remember the ini's plugins once CKAN's own plugin has read ``--ckan-ini``."""
    from ckan.common import config

    names = config.get("ckan.plugins") or []
    _PLUGINS[:] = names.split() if isinstance(names, str) else list(names)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Load the catalog's plugins before the test's fixtures if they are not loaded.

    They stay loaded from one test to the next, as in a running catalog: loading a dozen plugins
    takes seconds, every test paying it would take an hour. A test that uses ``with_plugins``
    loads them again with its own (see ``_load_all_with_catalog``) and unloads them all at its
    end; the next test loads them again here.
    """
    import ckan.plugins

    if not all(ckan.plugins.plugin_loaded(name) for name in _PLUGINS):
        ckan.plugins.load_all()
