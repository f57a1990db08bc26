"""The catalog's language: CKAN's JavaScript messages are served in Spanish, with our catalog's
corrections, by any app (CKAN writes them only in ``ckan run``; gunicorn and the tests' server
used to answer ``{}``, and every button a script writes showed in English)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ckan.lib.i18n import get_js_translations_dir

pytestmark = pytest.mark.usefixtures("with_plugins")


def _messages(app) -> dict:
    return app.get("/api/i18n/es").json


def test_the_javascript_messages_are_spanish_with_our_corrections(app):
    messages = _messages(app)
    assert messages["Edit"][1] == "Editar"  # the web address preview of every form
    assert messages["Please Confirm"][1] == "Confirme"  # not in CKAN's Spanish
    # CKAN's Spanish says "Por favor seleccione de nuevo el fichero para cargar"
    assert "fichero" not in messages["Please select the file to upload again"][1]


def test_a_file_older_than_the_catalogs_is_written_again(make_app):
    written = Path(get_js_translations_dir()) / "es.js"
    make_app()
    written.write_text('{"": {"domain": "ckan"}, "Edit": [null, "Edit"]}', encoding="utf-8")
    os.utime(written, (0, 0))  # older than every catalog
    app = make_app()
    assert _messages(app)["Edit"][1] == "Editar"
