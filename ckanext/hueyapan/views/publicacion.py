"""Publishing and withdrawing datasets, and the staff actions of a call (blueprint ``hueyapan``):
one confirmed page each.

* ``/dataset/<id>/retirar`` (:func:`retirar`): withdraw a public dataset, with a reason;
* ``/dataset/<id>/publicar`` and ``/convocatoria/<id>/publicar`` (:func:`publicar`): publish a
  withdrawn or never published one (a call also gets today as its publication date, if it had
  none);
* ``/convocatoria/<id>/cerrar`` (:func:`cerrar_convocatoria`): close an open call before its
  scheduled date, with a reason;
* ``/convocatoria/<id>/resultados`` (:func:`resolver_convocatoria`): record a closed call's
  results.

**What "not public" is.** A dataset is public when CKAN's ``state`` is ``active`` and
``private`` is false. Withdrawing sets ``private``: CKAN's own "only its área reads it", so
``package_search`` leaves it out for everyone else, and with it every output of the one filter
engine (``busqueda/filtros.py``: search pages, API, exports, OC4IDS, Atom, community pages,
``hueyapan_resumen``), DCAT and the home figures (``paginas/cifras.py`` counts ``active`` and not
``private``); ``package_show`` and the dataset's page answer 404 to anyone outside its área. Its
área keeps reading it: the page (with the banner of ``hueyapan/personal/aviso_no_publica.html``)
and, marked "Privado", its search page. CKAN's own "Unpublish" set ``state = draft`` instead,
which CKAN means for a dataset still being created: its edit page then turns into the creation
form, whose resource step publishes it again with one click. Why, when and who is kept in three
extras, :data:`RETIRO_KEYS`, that the edit form carries along (``package/snippets/
package_form.html``); publishing again removes them (the activity stream keeps every version).

**A call's estado** is computed from its dates (``busqueda/indice.py``, ``filtros.py``), never
stored, so these pages change dates and nothing else: closing early makes yesterday its
``fecha_cierre`` (it stops being "abierta" at once, everywhere) and keeps the scheduled date in
``fecha_cierre_programada`` and the reason in ``motivo_cierre``, both shown on its page;
recording results sets ``fecha_resultados`` (today by default, never later), which makes it
"resuelta".

Everything is done with ``package_patch`` as the logged-in person (CKAN's own authorization,
validation, activity, search index and cache invalidation). Who may not read the dataset gets
CKAN's 404, as on its page: nobody learns that a withdrawn dataset exists (ckanext-dcat's RDF
of it answered 403: :func:`hide_unreadable_in_dcat` makes it 404 too).
"""
from __future__ import annotations

import datetime
from typing import Any, NoReturn

from flask import Blueprint, redirect, request

import ckan.plugins.toolkit as tk
from ckan.common import current_user
from ckan.types import Context

from ckanext.hueyapan import comun
from ckanext.hueyapan.comun.cantidades import fecha
from ckanext.hueyapan.comun.idioma import N_

__all__ = ["RETIRO_KEYS", "hide_unreadable_in_dcat", "is_public", "register"]

RETIRO_KEYS = comun.RETIRO_KEYS

_TYPES = comun.DATASET_TYPES + ("dataset",)
_DCAT_ENDPOINTS = ("dcat.read_dataset", "dcat.read_dataset_series")
_MAX_MOTIVO = 1000
_RESULT_FIELDS = ("resultados_recibidas", "resultados_aprobadas", "resultados_rechazadas",
                  "resultados_mujeres", "resultados_hombres", "fecha_resultados",
                  "obras_resultantes", "programas_resultantes")

#: What each type is called as the subject of a sentence ("La obra dejará de verse…").
_SUBJECTS = {
    "obra": N_("The public work"),
    "programa-social": N_("The social programme"),
    "convocatoria": N_("The call"),
    "dataset": N_("The dataset"),
}

#: CKAN's messages of deleting a dataset (the edit page's confirmation, its page without
#: JavaScript): marked here so that the extraction keeps them, and our Spanish wins over CKAN's
#: ("¿Estás seguro de que quieres eliminar este Obra?", "Confirmar Borrado").
CKAN_MESSAGES = (
    N_("Are you sure you want to delete dataset - {name}?"),
    N_("Confirm Delete"),
)


def register(blueprint: Blueprint) -> None:
    """Adds the routes of publishing, withdrawing, closing and resolving to ``blueprint``."""
    methods = ["GET", "POST"]
    blueprint.add_url_rule("/dataset/<id>/retirar", view_func=retirar, methods=methods)
    blueprint.add_url_rule("/dataset/<id>/publicar", view_func=publicar, methods=methods)
    blueprint.add_url_rule("/convocatoria/<id>/publicar", endpoint="publicar",
                           view_func=publicar, methods=methods)
    blueprint.add_url_rule("/convocatoria/<id>/cerrar", view_func=cerrar_convocatoria,
                           methods=methods)
    blueprint.add_url_rule("/convocatoria/<id>/resultados", view_func=resolver_convocatoria,
                           methods=methods)
    blueprint.before_app_request(hide_unreadable_in_dcat)


def hide_unreadable_in_dcat() -> None:
    """ckanext-dcat answers 403 for the RDF of a dataset one may not read
    (``/dataset/<id>.ttl``), which tells that it exists; CKAN's page of the same dataset, and
    this module's pages, answer 404."""
    if request.endpoint not in _DCAT_ENDPOINTS:
        return
    try:
        tk.get_action("package_show")(_context(), {"id": (request.view_args or {}).get("_id")})
    except tk.NotAuthorized:
        _not_found()
    except tk.ObjectNotFound:
        return  # ckanext-dcat's own 404


def is_public(dataset: dict[str, Any]) -> bool:
    """Whether everyone reads ``dataset`` (a ``package_show`` dict)."""
    return dataset.get("state") == "active" and not dataset.get("private")


# --- Shared ----------------------------------------------------------------------------------


def _context() -> Context:
    return {"user": current_user.name if current_user.is_authenticated else ""}


def _not_found() -> NoReturn:
    # CKAN's own answer on a dataset's page, word for word: a withdrawn dataset is never told
    # apart from one that does not exist.
    tk.abort(404, tk._("Dataset not found or you have no permission to view it"))


def _editable(id: str, *types: str) -> dict[str, Any]:
    """The dataset ``id`` if the logged-in person may change it; else the answer CKAN gives on
    its page (404 when they may not read it) or 403 (a login first, for anonymous visitors)."""
    try:
        dataset = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        _not_found()
    if dataset.get("type") not in (types or _TYPES) or dataset.get("state") == "deleted":
        _not_found()
    try:
        tk.check_access("package_update", _context(), {"id": dataset["id"]})
    except tk.NotAuthorized:
        if not current_user.is_authenticated:
            tk.abort(403, tk._("Log in to change this dataset"))
        tk.abort(403, tk._("Only the staff of its area may change this dataset"))
    return dataset


def _subject(dataset: dict[str, Any]) -> str:
    return tk._(_SUBJECTS.get(dataset.get("type") or "dataset", _SUBJECTS["dataset"]))


def _read_url(dataset: dict[str, Any]) -> str:
    return tk.url_for(f"{dataset['type']}.read", id=dataset["name"])


def _free_extras(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's own extras, without a withdrawal's record."""
    return [extra for extra in dataset.get("extras") or []
            if extra.get("key") not in RETIRO_KEYS]


def _retiro(dataset: dict[str, Any]) -> dict[str, str]:
    """The record of a dataset's withdrawal (``RETIRO_KEYS`` without their prefix: ``motivo``,
    ``fecha``, ``usuario``); empty when it has none."""
    return {extra["key"].removeprefix("retiro_"): extra.get("value") or ""
            for extra in dataset.get("extras") or [] if extra.get("key") in RETIRO_KEYS}


def _patch(dataset: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    context: Context = {**_context(), "allow_state_change": True}
    return tk.get_action("package_patch")(context, {"id": dataset["id"], **changes})


def _messages(error: tk.ValidationError) -> dict[str, list[str]]:
    """A ``ValidationError``'s messages by field, as the forms show them."""
    found: dict[str, list[str]] = {}
    for field, value in (error.error_dict or {}).items():
        items = value if isinstance(value, list) else [value]
        found[field] = [str(item) for item in items if isinstance(item, str)] or [
            tk._("This value is not valid")]
    return found


def _now() -> str:
    return datetime.datetime.now(comun.TIMEZONE).isoformat(timespec="seconds")


# --- Withdraw and publish --------------------------------------------------------------------


def retirar(id: str) -> Any:
    """Withdraw a public dataset from publication, with the reason its área will read."""
    dataset = _editable(id)
    errors: dict[str, list[str]] = {}
    motivo = ""
    if request.method == "POST" and is_public(dataset):
        motivo = " ".join(request.form.get("motivo", "").split())
        if not motivo:
            errors["motivo"] = [tk._("Write why it is withdrawn: its area will read it on its "
                                     "page until it is published again")]
        elif len(motivo) > _MAX_MOTIVO:
            errors["motivo"] = [tk._("The reason is {length} characters long: write at most "
                                     "{maximum}").format(length=len(motivo), maximum=_MAX_MOTIVO)]
        else:
            record = {"retiro_motivo": motivo, "retiro_fecha": _now(),
                      "retiro_usuario": current_user.id}
            try:
                _patch(dataset, {"private": True, "extras": _free_extras(dataset) + [
                    {"key": key, "value": value} for key, value in record.items()]})
            except tk.ValidationError as error:
                errors = _messages(error)
            else:
                tk.h.flash_success(tk._("\"{title}\" was withdrawn from publication.").format(
                    title=dataset["title"]))
                return redirect(_read_url(dataset))
    return tk.render("hueyapan/personal/retirar.html", {
        "pkg": dataset, "publica": is_public(dataset), "motivo": motivo, "errors": errors,
        "sujeto": _subject(dataset), "area": (dataset.get("organization") or {}).get("title"),
    })


def publicar(id: str) -> Any:
    """Publish a withdrawn or never published dataset (a call also gets today as its
    publication date when it has none)."""
    dataset = _editable(id)
    errors: dict[str, list[str]] = {}
    sin_fecha = dataset["type"] == "convocatoria" and not dataset.get("fecha_publicacion")
    if request.method == "POST" and not is_public(dataset):
        changes: dict[str, Any] = {"private": False, "state": "active",
                                   "extras": _free_extras(dataset)}
        if sin_fecha:
            changes["fecha_publicacion"] = comun.today().isoformat()
        try:
            _patch(dataset, changes)
        except tk.ValidationError as error:
            errors = _messages(error)
        else:
            tk.h.flash_success(tk._("\"{title}\" is public again.").format(
                title=dataset["title"]))
            return redirect(_read_url(dataset))
    return tk.render("hueyapan/personal/publicar.html", {
        "pkg": dataset, "publica": is_public(dataset), "retiro": _retiro(dataset),
        "errors": errors, "sujeto": _subject(dataset), "sin_fecha": sin_fecha,
        "hoy": comun.today().isoformat(),
    })


# --- A call: close early, record results ------------------------------------------------------


def _estado(dataset: dict[str, Any]) -> str | None:
    # package_show computed it (busqueda/indice.py) from the dates and today's date
    return dataset.get("estado")


def cerrar_convocatoria(id: str) -> Any:
    """Close an open call before its scheduled closing date, with a reason shown on its page."""
    dataset = _editable(id, "convocatoria")
    errors: dict[str, list[str]] = {}
    motivo = ""
    ayer = comun.today() - datetime.timedelta(days=1)
    apertura = fecha(dataset.get("fecha_apertura"))
    abrio_hoy = apertura is not None and ayer < apertura
    if request.method == "POST" and _estado(dataset) == "abierta" and not abrio_hoy:
        motivo = " ".join(request.form.get("motivo", "").split())
        if not motivo:
            errors["motivo"] = [tk._("Write why the call closes early: it is shown on its page")]
        elif len(motivo) > _MAX_MOTIVO:
            errors["motivo"] = [tk._("The reason is {length} characters long: write at most "
                                     "{maximum}").format(length=len(motivo), maximum=_MAX_MOTIVO)]
        else:
            try:
                _patch(dataset, {
                    "fecha_cierre": ayer.isoformat(), "motivo_cierre": motivo,
                    "fecha_cierre_programada": (dataset.get("fecha_cierre_programada")
                                                or dataset.get("fecha_cierre")),
                })
            except tk.ValidationError as error:
                errors = _messages(error)
            else:
                tk.h.flash_success(tk._("The call \"{title}\" is closed: it no longer receives "
                                        "applications.").format(title=dataset["title"]))
                return redirect(_read_url(dataset))
    return tk.render("hueyapan/personal/cerrar.html", {
        "pkg": dataset, "estado": _estado(dataset), "abrio_hoy": abrio_hoy,
        "ayer": ayer.isoformat(), "motivo": motivo, "errors": errors,
    })


def _counts_problems(values: dict[str, str]) -> dict[str, list[str]]:
    """Counts that cannot all be true: more approved and rejected, or more women and men, than
    received."""
    def number(field: str) -> int | None:
        text = (values.get(field) or "").replace(",", "").strip()
        return int(text) if text.isdigit() else None

    problems: dict[str, list[str]] = {}
    received = number("resultados_recibidas")
    if received is None:
        return problems
    for first, second, message in (
        ("resultados_aprobadas", "resultados_rechazadas",
         N_("Approved plus rejected ({sum}) are more than received ({received})")),
        ("resultados_mujeres", "resultados_hombres",
         N_("Women plus men ({sum}) are more than received ({received})")),
    ):
        total = (number(first) or 0) + (number(second) or 0)
        if total > received:
            problems[first] = [tk._(message).format(sum=total, received=received)]
    return problems


def _result_values(dataset: dict[str, Any]) -> dict[str, str]:
    """The results as the form shows them: numbers as text, links as names separated by
    commas, the results date today when there is none yet."""
    values = {}
    for field in _RESULT_FIELDS:
        value = dataset.get(field)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        values[field] = "" if value in (None, "") else str(value)
    values["fecha_resultados"] = values["fecha_resultados"][:10] or comun.today().isoformat()
    return values


def resolver_convocatoria(id: str) -> Any:
    """Record a closed call's results: the counts, the results date and what it produced."""
    dataset = _editable(id, "convocatoria")
    errors: dict[str, list[str]] = {}
    values = _result_values(dataset)
    cerrada = _estado(dataset) in ("cerrada", "resuelta")
    if request.method == "POST" and cerrada:
        values = {field: " ".join(request.form.get(field, "").split())
                  for field in _RESULT_FIELDS}
        day = fecha(values["fecha_resultados"])
        if not values["fecha_resultados"]:
            errors["fecha_resultados"] = [tk._("Write the date the results were published")]
        elif day is not None and day > comun.today():
            errors["fecha_resultados"] = [tk._(
                "The results date ({date}) is after today: record the results once they are "
                "published").format(date=day.isoformat())]
        errors.update(_counts_problems(values))
        if not errors:
            try:
                _patch(dataset, values)
            except tk.ValidationError as error:
                errors = _messages(error)
            else:
                tk.h.flash_success(tk._("The results of \"{title}\" were recorded.").format(
                    title=dataset["title"]))
                return redirect(_read_url(dataset))
    return tk.render("hueyapan/personal/resultados.html", {
        "pkg": dataset, "estado": _estado(dataset), "cerrada": cerrada, "data": values,
        "errors": errors, "hoy": comun.today().isoformat(),
    })
