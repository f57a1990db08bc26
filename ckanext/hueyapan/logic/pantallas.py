"""The steps that the staff's one-screen actions share (``logic/avance.py``: a progress cut
and a programa's beneficiaries; ``logic/consultas.py``: a consultation with its minutes;
``views/area.py``: a new obra from its essentials):

* :func:`validation_errors`: what ``package_create`` or ``package_update`` would refuse in a
  dataset, with its own schema, without saving anything; :func:`row_errors` sorts them by the
  page's inputs when the page writes one row of a repeating field;
* :func:`fresh_context` (one context per action: actions write into theirs) and
  :func:`messages` (the texts of an error value);
* files sent from a phone: :func:`file_name`, :func:`detected_type` (by content, never by the
  name), and :func:`delete_resources` to take back what was uploaded when a later step fails;
* :func:`long_date`: "30 de junio de 2025", in the page's language, for resource names.
"""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from babel.dates import format_date
from flask import has_request_context
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.types import Context

from ckanext.hueyapan.salvaguardas import subidas

__all__ = ["delete_resources", "detected_type", "file_name", "fresh_context", "long_date",
           "messages", "row_errors", "validation_errors"]

_HEAD_BYTES = 1024 * 1024


def fresh_context(context: Context) -> Context:
    """A fresh context for one action, as ``context``'s user (actions write into theirs)."""
    fresh: Context = {"user": context.get("user", "")}
    if context.get("auth_user_obj") is not None:
        fresh["auth_user_obj"] = context["auth_user_obj"]
    return fresh


def messages(value: Any) -> list[str]:
    """The texts of an error value (a message, a list of them, a nested dict of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in messages(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in messages(item)]
    return [str(value)] if value else []


def validation_errors(context: Context, dataset: dict[str, Any]) -> dict[str, Any]:
    """CKAN's errors for ``dataset`` as it would be saved (created when it has no ``id``,
    updated otherwise) with its type's schema; nothing is saved."""
    plugin = lib_plugins.lookup_package_plugin(dataset["type"])
    validation: Any = {**fresh_context(context), "model": model, "session": model.Session}
    package = model.Package.get(dataset["id"]) if dataset.get("id") else None
    if package is not None:  # the update validators compare with the stored dataset
        validation["package"] = package
        schema, action = plugin.update_package_schema(), "package_update"
    else:
        schema, action = plugin.create_package_schema(), "package_create"
    _data, errors = lib_plugins.plugin_validate(plugin, validation, dataset, schema, action)
    return errors


def row_errors(context: Context, dataset: dict[str, Any], group: str, rows: list[Any],
               index: int, fields: Sequence[str], whole: str) -> dict[str, list[str]]:
    """The errors of ``dataset`` as it would be saved with its repeating field ``group`` set to
    ``rows``: those of row ``index`` by its subfield when it is one of ``fields`` (the page's
    inputs), every other one under ``whole``."""
    errors = validation_errors(context, {**dataset, group: rows})
    found: dict[str, list[str]] = {}
    in_group = errors.pop(group, None)
    if isinstance(in_group, list):
        for number, row in enumerate(in_group):
            for name, texts in (row or {}).items() if isinstance(row, dict) else ():
                target = name if number == index and name in fields else whole
                found.setdefault(target, []).extend(messages(texts))
    elif in_group:
        found.setdefault(whole, []).extend(messages(in_group))
    others = [f"{name}: {' '.join(messages(texts))}" for name, texts in errors.items()
              if messages(texts)]
    if others:
        found.setdefault(whole, []).append(tk._(
            "It has data to correct in its edit form first: {errors}").format(
                errors="; ".join(others)))
    return found


def file_name(upload: FileStorage) -> str:
    """The name of a sent file without the folders some browsers send with it."""
    return PurePosixPath((upload.filename or "").replace("\\", "/")).name


def detected_type(upload: FileStorage) -> str:
    """The media type of a sent file, read from its first bytes (``subidas.content_type``)."""
    upload.stream.seek(0)
    head = upload.stream.read(_HEAD_BYTES)
    upload.stream.seek(0)
    return subidas.content_type(head)


def delete_resources(context: Context, resources: list[dict[str, Any]]) -> None:
    """Take back the resources a failed step had already created."""
    for resource in resources:
        tk.get_action("resource_delete")(fresh_context(context), {"id": resource["id"]})


def long_date(day: datetime.date) -> str:
    """"30 de junio de 2025", in the page's language."""
    return format_date(day, format="long",
                       locale=(tk.h.lang() if has_request_context() else None) or "es")
