"""Every user-facing string of the extension is extracted and translated to Spanish."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
I18N = REPO / "ckanext" / "hueyapan" / "i18n"
SPANISH_PO = I18N / "es" / "LC_MESSAGES" / "ckanext-hueyapan.po"


def _ids(catalog) -> set[str]:
    return {message.id for message in catalog if message.id}


def test_the_template_holds_every_string_of_the_sources(tmp_path):
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-o", str(fresh), "--no-location", "-w", "100", "."],
        cwd=REPO, check=True, capture_output=True,
    )
    with fresh.open("rb") as new, (I18N / "ckanext-hueyapan.pot").open("rb") as committed:
        assert _ids(read_po(new)) == _ids(read_po(committed)), "run the extraction (README)"


def test_every_string_is_translated_to_spanish():
    with (I18N / "ckanext-hueyapan.pot").open("rb") as pot, SPANISH_PO.open("rb") as po:
        template, spanish = read_po(pot), read_po(po)
    untranslated = [m.id for m in spanish if m.id and not m.string]
    assert _ids(template) <= _ids(spanish)
    assert untranslated == []


def test_the_compiled_catalog_matches_the_po_file():
    with SPANISH_PO.open("rb") as po, SPANISH_PO.with_suffix(".mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    def table(catalog):  # plural messages: their forms as tuples (read_mo gives lists)
        def key(value):
            return tuple(value) if isinstance(value, (list, tuple)) else value
        return {key(m.id): key(m.string) for m in catalog if m.id}

    assert table(source) == table(compiled)


def test_translations_keep_the_placeholders_and_none_is_fuzzy():
    import re

    with SPANISH_PO.open("rb") as po:
        catalog = read_po(po)
    for message in catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        # a plural message: every Spanish form keeps the placeholders of the English ones
        ids = tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = (tuple(message.string) if isinstance(message.string, (tuple, list))
                   else (message.string or "",))
        wanted = set().union(*(re.findall(r"\{\w+\}", text) for text in ids))
        for text in strings:
            assert set(re.findall(r"\{\w+\}", text)) == wanted, message.id
