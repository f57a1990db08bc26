"""The header of a sheet: the fields each header names (the schema's labels and field names, the
aliases of ``encabezados.yaml``, a source's mapping), the row that holds it, and where each field
and the row's key are in it.

How a sheet is read is told in :mod:`ckanext.hueyapan.hojas.tabla`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun import KEY_FIELDS
from ckanext.hueyapan.comun.lectura import name_forms, normalise_header
from ckanext.hueyapan.hojas.campos import FieldSpec
from ckanext.hueyapan.hojas.celdas import Cell, TableError

__all__ = ["HEADER_SEARCH_ROWS", "Headers", "Layout", "build_headers", "find_header",
           "find_layout"]

HEADER_SEARCH_ROWS = 15
"""The header is looked for among this many rows at the top of a sheet."""


@dataclass
class Headers:
    """Which fields each header of a file feeds, with priorities (lower wins)."""

    exact: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    prefixes: list[tuple[str, str, int]] = field(default_factory=list)
    mapped: dict[str, str | None] = field(default_factory=dict)

    def add(self, header: str, name: str, priority: int) -> None:
        if header.rstrip().endswith("*"):
            prefix = normalise_header(header.rstrip()[:-1])
            if prefix:
                self.prefixes.append((prefix, name, priority))
            return
        for form in name_forms(header):
            targets = self.exact.setdefault(form, [])
            if name not in [target for target, _ in targets]:
                targets.append((name, priority))

    def match(self, header: str) -> list[tuple[str, int]]:
        forms = name_forms(header)
        for form in forms:
            if form in self.mapped:
                name = self.mapped[form]
                return [(name, -1)] if name else []
        for form in forms:
            if form in self.exact:
                return self.exact[form]
        return [(name, priority) for prefix, name, priority in self.prefixes
                if forms and (forms[0] == prefix or forms[0].startswith(prefix + " "))]


def build_headers(specs: Sequence[FieldSpec], mapping: dict[str, str] | None,
                  dataset_type: str) -> Headers:
    """The headers that name the fields of ``specs`` (label, field name, aliases), with a
    source's ``mapping`` first; a mapping to a field that is not one raises TableError."""
    headers = Headers()
    for spec in specs:
        headers.add(spec.label, spec.name, 0)
        headers.add(spec.name, spec.name, 1)
    for spec in specs:
        for position, alias in enumerate(spec.aliases):
            headers.add(alias, spec.name, 10 + position)
    known = {spec.name for spec in specs}
    for header, name in (mapping or {}).items():
        target = (name or "").strip() or None
        if target is not None and target not in known:
            raise TableError(
                tk._("The column mapping sends \"{column}\" to \"{field}\", which is not a field "
                     "of {dataset_type}").format(column=header, field=target,
                                                 dataset_type=dataset_type))
        for form in name_forms(str(header)):
            headers.mapped[form] = target
    return headers


@dataclass
class Layout:
    """Where each field and the key are in one sheet."""

    header_row: int
    headers: list[str]
    fields: dict[str, list[int]]
    """Field name → column indexes in order of priority."""
    key_columns: list[int]
    """The columns the row's key is taken from (the first with a value)."""


def find_header(top: Sequence[list[Cell]], headers: Headers) -> int | None:
    """The index of the header among the ``top`` rows: the first where at least two cells name
    known columns."""
    for index, cells in enumerate(top):
        if sum(1 for cell in cells if cell.text and headers.match(cell.text)) >= 2:
            return index
    return None


def find_layout(header_index: int, cells: Sequence[Cell], headers: Headers,
                specs: Sequence[FieldSpec], key_column: str | None,
                dataset_type: str) -> Layout | None:
    """Where each field and the key are, from the header row's ``cells``; None when no column
    holds the key."""
    texts = [" ".join(cell.text.split()) for cell in cells]
    ranked: dict[str, list[tuple[int, int]]] = {}
    for index, text in enumerate(texts):
        if not text:
            continue
        for name, priority in headers.match(text):
            ranked.setdefault(name, []).append((priority, index))
    fields = {name: [index for _, index in sorted(found)] for name, found in ranked.items()}

    if key_column:
        wanted = set(name_forms(key_column))
        key_columns = [index for index, text in enumerate(texts)
                       if text and set(name_forms(text)) & wanted]
        if not key_columns:  # a field name or label: the columns that feed that field
            by_name = next((spec.name for spec in specs
                            if key_column.strip() in (spec.name, spec.label)), None)
            key_columns = fields.get(by_name or "", [])
    else:
        key_columns = fields.get(KEY_FIELDS[dataset_type], [])
    if not key_columns:
        return None
    return Layout(header_index + 1, texts, fields, key_columns)
