"""Keeping an obra and a programa social current in one step: what the pages "Actualizar avance"
and "Actualizar beneficiarios" (``views/avance.py``) do.

:func:`record_avance` records a progress cut of an obra with its evidence:

1. checks the cut: its date (required, not after today in Mexico City), its physical and
   financial percentages (at least one, each from 0 to 100) and its note; then validates the
   obra as it would be saved with the cut, with the obra's own schema, without saving it;
2. checks each photo (at most :data:`MAX_FOTOS`) and the optional document from their content:
   a photo must be a picture, and both must pass the upload rules (``salvaguardas/subidas.py``:
   size, accepted types) before anything is stored;
3. uploads them as resources of the obra through CKAN's ``resource_create``, so that every
   safeguard of uploads applies (``salvaguardas/recursos.py``: picture metadata such as the GPS
   position removed, privacy scan of tables); photos with the type "Evidencia fotográfica";
4. appends the cut to ``historial_avance`` and sets the headline progress to the history's with
   one ``package_patch`` (``reglas/avance.py``, which every write of an obra applies again).

When a step fails nothing is kept: the resources already uploaded are deleted again. A cut dated
like one already recorded changes that one (its note is kept unless a new one is written).

:func:`record_beneficiarios` records the people a programa social reaches in one community
(women, men, total; the total worked out by ``reglas/beneficiarios.py``): the community's row
of ``beneficiarios`` is replaced, or added, with one ``package_patch``.

Errors are ``ValidationError``\\ s keyed by the page's input names (:data:`CAMPOS_CORTE`,
``fotos``, ``documento``, ``tipo_documento``; :data:`CAMPOS_BENEFICIARIOS`), and ``obra`` or
``programa`` for the dataset's own fields, with Spanish messages.
"""
from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.hueyapan import comun
from ckanext.hueyapan.comun.cantidades import fecha, lista
from ckanext.hueyapan.logic.pantallas import (
    delete_resources,
    detected_type,
    file_name,
    fresh_context,
    long_date,
    messages,
    row_errors,
)
from ckanext.hueyapan.logic.validators import hueyapan_entero, hueyapan_porcentaje
from ckanext.hueyapan.reglas import avance, beneficiarios
from ckanext.hueyapan.salvaguardas import subidas

__all__ = ["CAMPOS_BENEFICIARIOS", "CAMPOS_CORTE", "MAX_FOTOS", "MAX_NOTA", "TIPOS_DOCUMENTO",
           "TIPO_FOTO", "read_beneficiarios", "read_corte", "record_avance",
           "record_beneficiarios"]

#: The inputs of a progress cut, besides its files.
CAMPOS_CORTE = ("fecha", "avance_fisico", "avance_financiero", "nota")
#: The inputs of a community's beneficiaries.
CAMPOS_BENEFICIARIOS = ("comunidad", "mujeres", "hombres", "total")
#: The resource type of the photos (vocabulary ``tipo_recurso_obra``).
TIPO_FOTO = "evidencia_fotografica"
#: The types a cut's document may have (vocabulary ``tipo_recurso_obra``), the first by default.
TIPOS_DOCUMENTO = ("informe_avance", "convenio_modificatorio", "acta_entrega", "finiquito",
                   "contrato", "otro")
#: The most photos one cut uploads.
MAX_FOTOS = 10
#: The longest note of a cut, in characters.
MAX_NOTA = 500
#: Resource formats by the media type read from a file's content.
_FORMATOS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP",
             "image/tiff": "TIFF", "application/pdf": "PDF"}


def read_corte(form: Mapping[str, Any]) -> dict[str, str]:
    """The cut's fields from a submitted form, as text without surrounding blanks."""
    return {name: str(form.get(name) or "").strip() for name in CAMPOS_CORTE}


def read_beneficiarios(form: Mapping[str, Any]) -> dict[str, str]:
    """A community's beneficiaries from a submitted form, as text without surrounding blanks."""
    return {name: str(form.get(name) or "").strip() for name in CAMPOS_BENEFICIARIOS}


# --- Obra: a progress cut ------------------------------------------------------------------

def _check_fecha(text: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if not text:
        errors["fecha"] = [tk._("Write the date of the report")]
        return None
    day = fecha(text)
    if day is None or len(text) < 10:
        errors["fecha"] = [tk._("Invalid date \"{value}\": write it as day, month and year").format(
            value=text)]
        return None
    today = comun.today()
    if day > today:
        errors["fecha"] = [tk._("The date of the report ({date}) is after today ({today}): "
                                "record progress already made").format(
            date=day.isoformat(), today=today.isoformat())]
        return None
    return day


def _check_values(corte: Mapping[str, str], errors: dict[str, list[str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for measure in avance.MEASURES:
        text = corte.get(measure) or ""
        if not text:
            continue
        try:
            values[measure] = hueyapan_porcentaje(text)
        except tk.Invalid as error:
            errors[measure] = [str(error.error)]
    if not values and not any(measure in errors for measure in avance.MEASURES):
        errors["avance_fisico"] = [tk._(
            "Write the physical progress, the financial progress or both (a number from 0 to "
            "100)")]
    return values


def _check_file(upload: FileStorage, picture: bool) -> list[str]:
    """Why ``upload`` cannot be stored (nothing when it can): not a picture (when ``picture``),
    or refused by the upload rules."""
    if picture and not detected_type(upload).startswith("image/"):
        return [tk._("\"{name}\" is not a photo: choose a picture (JPEG, PNG or WebP)").format(
            name=file_name(upload))]
    try:
        subidas.check_resource({"upload": upload, "url": file_name(upload)})
    except tk.ValidationError as error:
        return messages(error.error_dict)
    return []


def _files(uploads: Sequence[Any]) -> list[FileStorage]:
    return [u for u in uploads if isinstance(u, FileStorage) and u.filename]


def _cut_index(rows: list[dict[str, Any]], day: datetime.date) -> int:
    return max(number for number, row in enumerate(rows) if fecha(row.get("fecha")) == day)


def _create(context: Context, obra: dict[str, Any], upload: FileStorage, name: str,
            description: str, tipo: str) -> dict[str, Any]:
    data: dict[str, Any] = {"package_id": obra["id"], "upload": upload, "url": "",
                            "name": name, "description": description, "tipo_recurso": tipo}
    formato = _FORMATOS.get(detected_type(upload))
    if formato:
        data["format"] = formato
    return tk.get_action("resource_create")(fresh_context(context), data)


def _upload_all(context: Context, obra: dict[str, Any], day: datetime.date,
                fotos: list[FileStorage], documento: FileStorage | None,
                tipo_documento: str) -> list[dict[str, Any]]:
    """The photos and the document as resources of the obra; on a refusal, those already
    created are deleted and the refusal is said on ``fotos`` or ``documento``."""
    when = long_date(day)
    created: list[dict[str, Any]] = []
    field = "fotos"
    try:
        for number, foto in enumerate(fotos, start=1):
            name = (tk._("Progress photo, {date}").format(date=when) if len(fotos) == 1 else
                    tk._("Progress photo {number} of {count}, {date}").format(
                        number=number, count=len(fotos), date=when))
            created.append(_create(context, obra, foto, name, tk._(
                "Photographic evidence of the progress report of {date}.").format(date=when),
                TIPO_FOTO))
        if documento is not None:
            field = "documento"
            created.append(_create(context, obra, documento, file_name(documento), tk._(
                "Document of the progress report of {date}.").format(date=when), tipo_documento))
    except tk.ValidationError as error:
        delete_resources(context, created)
        raise tk.ValidationError({field: [tk._(
            "The file was refused and nothing was saved: {reason}").format(
                reason=" ".join(messages(error.error_dict)) or tk._("the file was refused"))]},
        ) from error
    except Exception:
        delete_resources(context, created)
        raise
    return created


def record_avance(context: Context, obra: dict[str, Any], corte: Mapping[str, str],
                  fotos: Sequence[Any] = (), documento: Any = None,
                  tipo_documento: str = TIPOS_DOCUMENTO[0]) -> dict[str, Any]:
    """Record a progress cut of ``obra`` (as package_show returns it to ``context``'s user) with
    its photos and document, in one step (module docstring).

    ``corte`` holds :data:`CAMPOS_CORTE` as typed. Returns ``{"obra": ..., "corte": ...,
    "anterior": ..., "recursos": [...]}``: the obra saved, the cut as stored, the headline
    before it (keys of ``reglas.avance.MEASURES``) and the resources uploaded. Raises
    ``NotAuthorized`` when the user may not update the obra and ``ValidationError`` (keyed by
    the page's inputs, or ``obra``) when something is wrong; then nothing is stored."""
    tk.check_access("package_update", fresh_context(context), {"id": obra["id"]})
    errors: dict[str, list[str]] = {}
    day = _check_fecha(corte.get("fecha") or "", errors)
    values = _check_values(corte, errors)
    nota = corte.get("nota") or ""
    if len(nota) > MAX_NOTA:
        errors["nota"] = [tk._("The note has {length} characters: write at most {most}").format(
            length=len(nota), most=MAX_NOTA)]
    photos = _files(fotos)
    if len(photos) > MAX_FOTOS:
        errors["fotos"] = [tk._("{count} photos were chosen: upload at most {most} at a "
                                "time").format(count=len(photos), most=MAX_FOTOS)]
    else:
        for photo in photos:
            errors.setdefault("fotos", []).extend(_check_file(photo, picture=True))
    document = next(iter(_files([documento])), None)
    tipo_documento = tipo_documento or TIPOS_DOCUMENTO[0]
    if document is not None and tipo_documento not in TIPOS_DOCUMENTO:
        errors["tipo_documento"] = [tk._("Choose the kind of document from the list")]
    elif document is not None:
        errors.setdefault("documento", []).extend(_check_file(document, picture=False))
    history = [dict(row) for row in lista(obra.get(avance.HISTORY)) if isinstance(row, dict)]
    rows: list[dict[str, Any]] = []
    if day is not None and values:
        rows = avance.add_cut(history, day, values, nota)
        for name, texts in row_errors(context, obra, avance.HISTORY, rows, _cut_index(rows, day),
                                     CAMPOS_CORTE, "obra").items():
            errors.setdefault(name, []).extend(texts)
    if any(errors.values()):
        raise tk.ValidationError({name: texts for name, texts in errors.items() if texts})
    assert day is not None  # no error on fecha
    created = _upload_all(context, obra, day, photos, document, tipo_documento)
    try:
        updated = tk.get_action("package_patch")(fresh_context(context), {
            "id": obra["id"], avance.HISTORY: rows, **avance.headline(rows)})
    except Exception as error:
        delete_resources(context, created)  # the obra never keeps evidence without its cut
        if isinstance(error, tk.ValidationError):
            raise tk.ValidationError({"obra": [tk._(
                "The report could not be saved, and its files were not kept: {reason}").format(
                    reason=" ".join(messages(error.error_dict)))]}) from error
        raise
    return {"obra": updated, "corte": rows[_cut_index(rows, day)],
            "anterior": avance.headline(history), "recursos": created}


# --- Programa social: beneficiaries of one community ---------------------------------------

def _same_comunidad(row: dict[str, Any], comunidad: str) -> bool:
    return str(row.get("comunidad") or "").strip() == comunidad


def record_beneficiarios(context: Context, programa: dict[str, Any],
                         fila: Mapping[str, str]) -> dict[str, Any]:
    """Record how many women and men a programa social (as package_show returns it) reaches in
    one community: that community's row of ``beneficiarios`` is replaced, or added at the end.

    ``fila`` holds :data:`CAMPOS_BENEFICIARIOS` as typed; an empty total is women plus men.
    Returns ``{"programa": ..., "fila": ..., "nueva": bool}``. Raises ``NotAuthorized`` and
    ``ValidationError`` (keyed by the inputs, or ``programa``); then nothing is stored."""
    tk.check_access("package_update", fresh_context(context), {"id": programa["id"]})
    errors: dict[str, list[str]] = {}
    comunidad = fila.get("comunidad") or ""
    if not comunidad:
        errors["comunidad"] = [tk._("Choose the community")]
    counts: dict[str, str] = {}
    for name in ("mujeres", "hombres", "total"):
        text = fila.get(name) or ""
        if not text:
            continue
        try:
            counts[name] = hueyapan_entero(text)
        except tk.Invalid as error:
            errors[name] = [str(error.error)]
    if not counts and not errors.keys() & {"mujeres", "hombres", "total"}:
        errors["mujeres"] = [tk._("Write how many women and how many men benefit (or the total)")]
    least = beneficiarios.smallest_total(counts.get("mujeres"), counts.get("hombres"))
    if "total" in counts and int(counts["total"]) < least:
        errors["total"] = [tk._(
            "The total ({total}) is smaller than the women plus the men ({least}): write "
            "{least} or more, or leave it empty and it is worked out").format(
                total=counts["total"], least=least)]
    total = beneficiarios.total_of(counts.get("mujeres"), counts.get("hombres"),
                                   counts.get("total"))
    nueva_fila = {"comunidad": comunidad, "mujeres": counts.get("mujeres", ""),
                  "hombres": counts.get("hombres", ""),
                  "total": "" if total is None else str(total)}
    stored = [dict(row) for row in lista(programa.get("beneficiarios")) if isinstance(row, dict)]
    index = next((n for n, row in enumerate(stored) if _same_comunidad(row, comunidad)), None)
    rows = [*stored, nueva_fila] if index is None else [
        nueva_fila if n == index else row for n, row in enumerate(stored)]
    if comunidad and not errors:
        found = row_errors(context, programa, "beneficiarios", rows,
                          len(stored) if index is None else index, CAMPOS_BENEFICIARIOS,
                          "programa")
        for name, texts in found.items():
            errors.setdefault(name, []).extend(texts)
    if errors:
        raise tk.ValidationError(dict(errors))
    updated = tk.get_action("package_patch")(fresh_context(context), {
        "id": programa["id"], "beneficiarios": rows})
    return {"programa": updated, "fila": nueva_fila, "nueva": index is None}
