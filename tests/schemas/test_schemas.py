"""The dataset schemas are well-formed data: bilingual labels and help, known presets, vocabularies
and snippets.

These tests read the YAML files only; they need neither CKAN's database nor its plugins.

Rule for help texts: every field, subfield and resource field has a ``label`` and a
``help_text``, each a dict with non-empty ``es`` and ``en``. The only fields where ``help_text``
may be left out are the core fields whose widget already explains itself: the dataset's
``title``, ``name``, ``owner_org`` and ``license_id``, and the resource's ``url``. If they do
carry one, it follows the same bilingual rule. A ``form_placeholder`` written as a dict also needs
both languages; a plain string is an example that reads the same in both (a code, a number).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

SCHEMAS = Path(__file__).resolve().parents[2] / "ckanext" / "hueyapan" / "schemas"
VOCABULARIES = SCHEMAS.parent / "data" / "vocabularios.yaml"
OUR_SNIPPETS = SCHEMAS.parent / "templates" / "scheming"
ALL_YAML = sorted(SCHEMAS.glob("*.yaml"))
DATASET_SCHEMAS = sorted(
    path for path in ALL_YAML if "dataset_type" in yaml.safe_load(path.read_text("utf-8"))
)
EXPECTED_TYPES = {"obra", "programa-social", "convocatoria", "dataset"}
# Our own types classify their documents; `dataset` (harvested or other data) does not.
TYPED_RESOURCES = {"obra", "programa-social", "convocatoria"}
HELP_OPTIONAL = {
    "dataset_fields": {"title", "name", "owner_org", "license_id"},
    "resource_fields": {"url"},
}
LANGUAGES = ("es", "en")
VOCABULARY_PRESETS = {"hueyapan_vocabulario", "hueyapan_vocabulario_multiple"}
DATE_PRESET = "hueyapan_fecha"
# Obsolete legal references (replaced in 2025): the legal basis lives in a vocabulary instead.
OBSOLETE = re.compile(r"ley\s*(n[uú]m(ero|\.)?\s*)?875|\bivai\b", re.IGNORECASE)


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text("utf-8"))


def _scheming_presets() -> dict[str, dict[str, Any]]:
    text = (resources.files("ckanext.scheming") / "presets.json").read_text("utf-8")
    return {preset["preset_name"]: preset["values"] for preset in json.loads(text)["presets"]}


def _our_presets() -> dict[str, dict[str, Any]]:
    return {
        preset["preset_name"]: preset["values"]
        for preset in _load(SCHEMAS / "presets.yaml")["presets"]
    }


def _fields(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(list name, dotted path, field) for every field, subfield and resource field."""
    for group in ("dataset_fields", "resource_fields"):
        for field in schema.get(group) or []:
            yield group, field["field_name"], field
            for subfield in field.get("repeating_subfields") or []:
                yield group, f"{field['field_name']}.{subfield['field_name']}", subfield


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _assert_bilingual(value: Any, where: str) -> None:
    assert isinstance(value, dict), f"{where} must be a dict with 'es' and 'en'"
    for language in LANGUAGES:
        text = value.get(language)
        assert isinstance(text, str) and text.strip(), f"{where} has no '{language}' text"


@pytest.fixture(scope="module")
def presets() -> dict[str, dict[str, Any]]:
    return {**_scheming_presets(), **_our_presets()}


@pytest.fixture(scope="module")
def vocabularies() -> dict[str, Any]:
    return _load(VOCABULARIES)


def test_the_folder_holds_our_three_types_and_the_generic_dataset():
    types = {_load(path)["dataset_type"] for path in DATASET_SCHEMAS}
    assert types == EXPECTED_TYPES


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: p.name)
def test_every_yaml_parses(path):
    assert isinstance(_load(path), dict)


@pytest.mark.parametrize("path", DATASET_SCHEMAS, ids=lambda p: p.name)
class TestDatasetSchema:
    def test_has_the_scheming_header(self, path):
        schema = _load(path)
        assert schema["scheming_version"] == 2
        for key in ("about", "about_url", "dataset_fields", "resource_fields"):
            assert schema.get(key), f"{path.name} lacks {key}"

    def test_every_field_has_bilingual_label_and_help(self, path):
        for group, name, field in _fields(_load(path)):
            where = f"{path.name}: {group} {name}"
            _assert_bilingual(field.get("label"), f"{where} label")
            if "help_text" in field or name not in HELP_OPTIONAL[group]:
                _assert_bilingual(field.get("help_text"), f"{where} help_text")
            placeholder = field.get("form_placeholder")
            if placeholder is not None:
                _assert_bilingual(placeholder, f"{where} form_placeholder")

    def test_no_placeholder_can_be_mistaken_for_a_value(self, path):
        """A grey "420" or "1,250,000.00" in an empty box reads as a value already filled in:
        every example says it is one ("p. ej., 420")."""
        for group, name, field in _fields(_load(path)):
            placeholder = field.get("form_placeholder")
            if placeholder is not None:
                assert placeholder["es"].startswith("p. ej., "), (path.name, group, name)
                assert placeholder["en"].startswith("e.g. "), (path.name, group, name)

    def test_every_preset_exists(self, path, presets):
        for _group, name, field in _fields(_load(path)):
            if "preset" in field:
                assert field["preset"] in presets, f"{path.name}: {name} uses unknown preset"

    def test_every_vocabulary_exists(self, path, presets, vocabularies):
        for _group, name, field in _fields(_load(path)):
            values = {**presets.get(field.get("preset"), {}), **field}
            vocabulary = values.get("vocabulario")
            if field.get("preset") in VOCABULARY_PRESETS:
                assert vocabulary, f"{path.name}: {name} needs `vocabulario:`"
            if vocabulary is not None:
                assert vocabulary in vocabularies, f"{path.name}: {name} names {vocabulary!r}"

    def test_every_snippet_exists(self, path, presets):
        scheming = resources.files("ckanext.scheming") / "templates" / "scheming"
        for _group, name, field in _fields(_load(path)):
            values = {**presets.get(field.get("preset"), {}), **field}
            for kind in ("form", "display"):
                snippet = values.get(f"{kind}_snippet")
                if snippet is None:
                    continue
                folder = f"{kind}_snippets"
                assert (scheming / folder / snippet).is_file() or (
                    OUR_SNIPPETS / folder / snippet
                ).is_file(), f"{path.name}: {name} uses unknown {kind} snippet {snippet}"

    def test_date_order_points_to_a_date_field(self, path):
        schema = _load(path)
        dates = {
            field["field_name"]
            for field in schema["dataset_fields"]
            if field.get("preset") == DATE_PRESET
        }
        for _group, name, field in _fields(schema):
            if "no_antes_de" in field:
                assert field.get("preset") == DATE_PRESET, f"{path.name}: {name} is not a date"
                assert field["no_antes_de"] in dates - {name}, f"{path.name}: {name} order"

    def test_field_names_are_unique(self, path):
        schema = _load(path)
        for group in ("dataset_fields", "resource_fields"):
            fields = schema[group]
            names = [field["field_name"] for field in fields]
            assert len(names) == len(set(names)), f"{path.name}: repeated name in {group}"
            for field in fields:
                subnames = [sub["field_name"] for sub in field.get("repeating_subfields") or []]
                assert len(subnames) == len(set(subnames)), f"{path.name}: {field['field_name']}"

    def test_core_fields_are_present(self, path):
        schema = _load(path)
        dataset = {field["field_name"] for field in schema["dataset_fields"]}
        resource = {field["field_name"] for field in schema["resource_fields"]}
        assert {"title", "name", "notes", "owner_org", "comunidades", "license_id"} <= dataset
        assert {"url", "name", "format", "excepcion_privacidad"} <= resource
        if schema["dataset_type"] in TYPED_RESOURCES:
            assert "tipo_recurso" in resource


@pytest.mark.parametrize("path", ALL_YAML, ids=lambda p: p.name)
def test_no_obsolete_legal_reference(path):
    text = path.read_text("utf-8")
    assert not OBSOLETE.search(text), f"{path.name} cites an obsolete law or body"
    for string in _strings(_load(path)):
        assert not OBSOLETE.search(string)


def test_the_check_for_obsolete_references_works():
    for text in ("Ley 875", "LEY NÚM. 875", "ante el IVAI", "ivai"):
        assert OBSOLETE.search(text)
    assert not OBSOLETE.search("Ley 698 de Participación Ciudadana")


def test_convocatoria_stores_no_estado():
    schema = _load(SCHEMAS / "convocatoria.yaml")
    assert "estado" not in {field["field_name"] for field in schema["dataset_fields"]}
