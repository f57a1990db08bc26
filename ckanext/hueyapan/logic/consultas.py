"""A citizen consultation of an obra recorded with its minutes (acta) in one step: what the page
"Registrar consulta" (``views/consultas.py``) does.

:func:`record_consulta`

1. validates the consultation (date, place, attendance) with the obra's own schema, as the obra
   would be saved with it: when a field is wrong nothing is stored;
2. when a file is given, checks from its content that it is a PDF or a picture (JPEG, PNG), then
   uploads it as a resource of the obra of type "Acta de consulta ciudadana"
   (:data:`TIPO_ACTA`) through CKAN's ``resource_create``, so that every safeguard of uploads
   applies (``salvaguardas/recursos.py``: size, real type, picture metadata, privacy scan): a
   refused file stores nothing, and the message says why;
3. appends the consultation (or completes consultation number ``numero``) with its ``acta``
   set to the resource's address (``reglas.actas.address``) through ``package_patch``. Should
   that fail, the resource just created is deleted again, so the obra never keeps minutes
   without their consultation.

A consultation without its file is a true record: it is stored, and the obra's page shows its
minutes as pending ("Acta pendiente").

Errors are ``ValidationError``\\ s keyed by the page's field names (:data:`FIELDS`, ``acta``;
``obra`` for a field of the obra outside the consultation), with Spanish messages.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.hueyapan.comun.cantidades import fecha, lista
from ckanext.hueyapan.logic.pantallas import (
    detected_type,
    file_name,
    fresh_context,
    long_date,
    messages,
    row_errors,
)
from ckanext.hueyapan.reglas import actas

__all__ = ["ACTA", "FIELDS", "FORMATOS_ACTA", "TIPO_ACTA", "read_consulta", "record_consulta"]

#: The fields of a consultation the page asks for, besides its minutes (:data:`ACTA`).
FIELDS = ("fecha", "lugar", "asistentes_mujeres", "asistentes_hombres")
ACTA = "acta"
#: The resource type of the minutes (vocabulary ``tipo_recurso_obra``).
TIPO_ACTA = "acta_consulta"
#: What the minutes may be, told by their content: media type -> resource format.
FORMATOS_ACTA = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def read_consulta(form: Mapping[str, Any]) -> dict[str, str]:
    """The consultation's fields from a submitted form, as text without surrounding blanks."""
    return {name: str(form.get(name) or "").strip() for name in FIELDS}


def _with(consultas: list[dict[str, Any]], consulta: dict[str, Any],
          numero: int | None) -> list[dict[str, Any]]:
    if numero is None:
        return [*consultas, consulta]
    return [consulta if i == numero - 1 else c for i, c in enumerate(consultas)]


def _validate(context: Context, obra: dict[str, Any], consultas: list[dict[str, Any]],
              index: int) -> None:
    """Validate the obra as it would be saved with ``consultas`` (without saving it): the
    errors of consultation ``index`` by field, and those of the obra's other fields."""
    found: dict[str, Any] = dict(
        row_errors(context, obra, "consultas", consultas, index, FIELDS, "obra"))
    if found:
        raise tk.ValidationError(found)


def _check_acta(archivo: FileStorage) -> str:
    """The resource format of the minutes file, a PDF or a picture by its content; refuses
    anything else before something is stored."""
    detected = detected_type(archivo)
    if detected not in FORMATOS_ACTA:
        name = file_name(archivo)
        raise tk.ValidationError({ACTA: [tk._(
            "The minutes must be a PDF file or a picture (JPEG or PNG), and \"{name}\" is not: "
            "nothing was saved, neither the file nor the consultation.").format(name=name)]})
    return FORMATOS_ACTA[detected]


def _fecha_larga(value: Any) -> str:
    day = fecha(value)
    return long_date(day) if day is not None else str(value or "")


def _upload(context: Context, obra: dict[str, Any], consulta: dict[str, Any],
            archivo: FileStorage, formato: str) -> dict[str, Any]:
    """The minutes as a new resource of the obra, through ``resource_create`` and its
    safeguards; a refusal is said on the page's ``acta`` field."""
    when, where = _fecha_larga(consulta.get("fecha")), consulta.get("lugar") or ""
    try:
        return tk.get_action("resource_create")(fresh_context(context), {
            "package_id": obra["id"], "upload": archivo, "url": "",
            "name": tk._("Citizen consultation minutes: {place}, {date}").format(
                place=where, date=when),
            "description": tk._("Minutes of the citizen consultation held on {date} at "
                                "{place}.").format(date=when, place=where),
            "tipo_recurso": TIPO_ACTA, "format": formato,
        })
    except tk.ValidationError as error:
        reason = " ".join(messages(error.error_dict)) or tk._("the file was refused")
        raise tk.ValidationError({ACTA: [tk._(
            "The minutes file was refused and nothing was saved, neither the file nor the "
            "consultation: {reason}").format(reason=reason)]}) from error


def record_consulta(context: Context, obra: dict[str, Any], consulta: Mapping[str, Any],
                    archivo: FileStorage | None = None,
                    numero: int | None = None) -> dict[str, Any]:
    """Record a consultation of ``obra`` (as package_show returns it to ``context``'s user) with
    its minutes ``archivo`` (a PDF or a picture; None: pending), in one step (module docstring).

    ``consulta`` holds :data:`FIELDS`; ``numero`` (from 1, in stored order) completes that
    consultation instead of appending one: its fields are replaced by the given ones and, with a
    file, its minutes. Returns ``{"obra": ..., "consulta": ..., "recurso": ... or None}``.
    Raises ``NotAuthorized`` when the user may not update the obra, ``ValidationError`` (keyed
    by :data:`FIELDS`, ``acta``, ``obra`` or ``consulta``) when something is wrong; then
    nothing is stored."""
    tk.check_access("package_update", fresh_context(context), {"id": obra["id"]})
    stored = [dict(c) for c in lista(obra.get("consultas")) if isinstance(c, dict)]
    if numero is not None and not 1 <= numero <= len(stored):
        raise tk.ValidationError({"consulta": [tk._(
            "This obra has no consultation number {number}: it may have been removed. Record "
            "it again.").format(number=numero)]})
    base = stored[numero - 1] if numero is not None else {}
    nueva = {**base, **{name: consulta.get(name) or "" for name in FIELDS}}
    nueva.setdefault(ACTA, "")
    has_file = isinstance(archivo, FileStorage) and bool(archivo.filename)
    index = len(stored) if numero is None else numero - 1
    errors: dict[str, Any] = {}
    formato = ""
    try:
        _validate(context, obra, _with(stored, nueva, numero), index)
    except tk.ValidationError as error:
        errors.update(error.error_dict)
    if has_file:
        assert archivo is not None  # has_file
        try:
            formato = _check_acta(archivo)
        except tk.ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise tk.ValidationError(errors)
    if not has_file:
        if numero is not None and nueva == base:
            return {"obra": obra, "consulta": nueva, "recurso": None}
        updated = tk.get_action("package_patch")(fresh_context(context), {
            "id": obra["id"], "consultas": _with(stored, nueva, numero)})
        return {"obra": updated, "consulta": nueva, "recurso": None}
    assert archivo is not None  # has_file
    recurso = _upload(context, obra, nueva, archivo, formato)
    try:
        current = tk.get_action("package_show")(fresh_context(context), {"id": obra["id"]})
        consultas = [dict(c) for c in lista(current.get("consultas")) if isinstance(c, dict)]
        if numero is not None and numero > len(consultas):
            raise tk.ValidationError({"consulta": [tk._(
                "This obra has no consultation number {number}: it may have been removed. "
                "Record it again.").format(number=numero)]})
        nueva[ACTA] = actas.address(obra["type"], obra["id"], recurso["id"])
        updated = tk.get_action("package_patch")(fresh_context(context), {
            "id": obra["id"], "consultas": _with(consultas, nueva, numero)})
    except Exception as error:
        # the consultation could not be added: the obra does not keep its minutes alone
        tk.get_action("resource_delete")(fresh_context(context), {"id": recurso["id"]})
        if isinstance(error, tk.ValidationError) and "consulta" not in error.error_dict:
            raise tk.ValidationError({"obra": [tk._(
                "The consultation could not be added to the obra, and its minutes were not "
                "kept: {reason}").format(reason=" ".join(messages(error.error_dict)))]}) from error
        raise
    return {"obra": updated, "consulta": nueva, "recurso": recurso}
