"""The columns a spreadsheet of each dataset type may have (:func:`field_specs`), read from the
dataset schemas and the header aliases of ``encabezados.yaml``; the fields a sheet never fills and
the repeating groups written as numbered columns.

How a sheet is read is told in :mod:`ckanext.hueyapan.hojas.tabla`.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import yaml

from ckanext.hueyapan.comun import DATASET_TYPES
from ckanext.hueyapan.comun.lectura import aliases_file

__all__ = [
    "COMPUTED",
    "FieldSpec",
    "GROUP_REQUIRED",
    "Kind",
    "NOT_FROM_SHEETS",
    "SHEET_GROUPS",
    "field_specs",
]


NOT_FROM_SHEETS = frozenset({"name", "owner_org", "license_id", "retirado_de_origen"})
"""Schema fields that never come from a spreadsheet (set by the harvester or by staff)."""

COMPUTED = frozenset({"etapa_estimada", "observaciones"})
"""Schema fields the harvest computes for each row: never read from a sheet nor in a template,
but exported (``field_specs(..., computed=True)``)."""

SHEET_GROUPS: dict[str, int] = {"fuentes_financiamiento": 3, "consultas": 2}
"""Repeating groups written as numbered columns in a sheet, and how many of them."""

GROUP_REQUIRED: dict[str, tuple[str, ...]] = {
    "fuentes_financiamiento": ("fuente",),
    "consultas": ("fecha", "lugar"),
}
"""The subfields without which an entry of a group is not kept."""

_SCHEMA_FILES = ("obra.yaml", "programa_social.yaml", "convocatoria.yaml")

Kind = Literal[
    "text", "longtext", "lines", "links", "money", "percent", "integer", "year", "date",
    "communities", "term", "terms", "choice", "rfc", "geojson",
]

_PRESET_KINDS: dict[str, Kind] = {
    "hueyapan_monto": "money",
    "hueyapan_porcentaje": "percent",
    "hueyapan_entero": "integer",
    "hueyapan_ejercicio": "year",
    "hueyapan_fecha": "date",
    "hueyapan_comunidades": "communities",
    "hueyapan_vocabulario": "term",
    "hueyapan_etapa_obra": "term",
    "hueyapan_vocabulario_multiple": "terms",
    "hueyapan_rfc_moral": "rfc",
    "hueyapan_geometria": "geojson",
    "hueyapan_enlaces": "links",
    "multiple_text": "lines",
    "markdown": "longtext",
    "select": "choice",
}
_LONG_SNIPPETS = ("markdown.html", "textarea.html")


@dataclass(frozen=True)
class FieldSpec:
    """A column a spreadsheet of one dataset type may have."""

    name: str
    """Schema field name, or ``<group>.<n>.<subfield>`` for the numbered columns of a group."""
    label: str
    """Spanish header of our templates."""
    help: str
    """Spanish help text."""
    kind: Kind
    required: bool
    vocabulary: str | None = None
    choices: tuple[tuple[str, str, str], ...] = ()
    """(value, Spanish label, English label) of a select field."""
    aliases: tuple[str, ...] = ()
    """Other headers that mean this field (``encabezados.yaml``)."""

    @property
    def group(self) -> str | None:
        """The repeating group of a numbered column, else None."""
        return self.name.split(".", 1)[0] if "." in self.name else None


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    folder = resources.files("ckanext.hueyapan.schemas")
    presets = {
        preset["preset_name"]: preset["values"]
        for preset in yaml.safe_load((folder / "presets.yaml").read_text("utf-8"))["presets"]
    }
    schemas = {}
    for name in _SCHEMA_FILES:
        schema = yaml.safe_load((folder / name).read_text("utf-8"))
        schema["_presets"] = presets
        schemas[schema["dataset_type"]] = schema
    return schemas


def _spanish(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("es") or value.get("en") or "")
    return str(value or "")


def _english(value: Any) -> str:
    return str(value.get("en") or "") if isinstance(value, dict) else ""


def _kind(definition: dict[str, Any]) -> Kind:
    preset = definition.get("preset")
    if preset in _PRESET_KINDS:
        return _PRESET_KINDS[preset]
    if definition.get("form_snippet") in _LONG_SNIPPETS:
        return "longtext"
    return "text"


def _spec(definition: dict[str, Any], presets: dict[str, Any], name: str, label: str,
          aliases: Iterable[str], required: bool | None = None) -> FieldSpec:
    merged = {**presets.get(definition.get("preset", ""), {}), **definition}
    choices = tuple(
        (str(choice["value"]), _spanish(choice.get("label")), _english(choice.get("label")))
        for choice in merged.get("choices") or ()
    )
    return FieldSpec(
        name=name,
        label=label,
        help=_spanish(definition.get("help_text")),
        kind=_kind(definition),
        required=bool(definition.get("required")) if required is None else required,
        vocabulary=merged.get("vocabulario"),
        choices=choices,
        aliases=tuple(str(alias) for alias in aliases or ()),
    )


@functools.cache
def field_specs(dataset_type: str, *, computed: bool = False) -> tuple[FieldSpec, ...]:
    """The columns a spreadsheet of ``dataset_type`` may have, in the schema's order.

    Every dataset field but those in :data:`NOT_FROM_SHEETS` and the repeating groups, whose
    numbered columns (``fuentes_financiamiento.1.fuente`` ...) stand where the group stands.
    With ``computed``, also the fields of :data:`COMPUTED` (for exports, never for sheets).
    """
    if dataset_type not in DATASET_TYPES:
        raise ValueError(f"unknown dataset type {dataset_type!r}")
    schema = _schemas()[dataset_type]
    presets = schema["_presets"]
    aliases = (aliases_file().get("encabezados") or {}).get(dataset_type) or {}
    specs: list[FieldSpec] = []
    for definition in schema["dataset_fields"]:
        name = definition["field_name"]
        if name in NOT_FROM_SHEETS or (name in COMPUTED and not computed):
            continue
        subfields = definition.get("repeating_subfields")
        if subfields is None:
            specs.append(_spec(definition, presets, name, _spanish(definition.get("label")),
                               aliases.get(name) or ()))
            continue
        for number in range(1, SHEET_GROUPS.get(name, 0) + 1):
            for subfield in subfields:
                pseudo = f"{name}.{number}.{subfield['field_name']}"
                own = list(aliases.get(pseudo) or ())
                label = own.pop(0) if own else f"{_spanish(subfield.get('label'))} {number}"
                specs.append(_spec(subfield, presets, pseudo, label, own, required=False))
    return tuple(specs)
