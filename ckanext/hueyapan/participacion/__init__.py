"""Participation in calls: proposals (``propuestas``), their review, and their reports.

Who may do what (:func:`role`):

* **proponent**: the registered user who submitted it; reads it whole (contact data included),
  uploads its reports once approved;
* **área**: whoever may edit the convocatoria (its organization's editors and admins, and
  sysadmins); reads every proposal to it, moves it through the review, converts it into an obra
  or programa social, uploads reports;
* **public**: nobody else reads a proposal before the call's results are published (the call is
  *resuelta*); then the approved and converted ones are public, without the contact data.

Proposals are accepted only while the call is open (from its fecha de apertura through its fecha
de cierre, Mexico City time). Files (the assembly minutes, the reports) are stored outside CKAN's
public uploads, under ``<ckan.storage_path>/hueyapan/propuestas/<id>/``, and served only to the
proponent and the área.
"""
from __future__ import annotations

import datetime
import logging
import re
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.hueyapan import comun
from ckanext.hueyapan.busqueda import indice
from ckanext.hueyapan.comun import PROPUESTA_ESTADO_LABELS
from ckanext.hueyapan.comun.idioma import N_, default_language
from ckanext.hueyapan.model import PROPUESTA_ESTADOS, Propuesta

__all__ = ["ARCHIVOS", "can_read", "file_path", "notify", "overdue", "public_dataset",
           "results_published", "role", "save_file", "TRANSICIONES", "visible"]

log = logging.getLogger(__name__)

#: Review moves the área may make
TRANSICIONES: dict[str, tuple[str, ...]] = {
    "recibida": ("en_revision", "aprobada", "rechazada"),
    "en_revision": ("aprobada", "rechazada"),
    "aprobada": ("en_revision",),
    "rechazada": ("en_revision",),
    "convertida": (),
}
assert set(TRANSICIONES) == set(PROPUESTA_ESTADOS)

#: Files a proposal carries, and the formats accepted for them
ARCHIVOS = ("acta", "informe_preliminar", "informe_final")
FORMATOS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".png": "image/png"}
_MAGIC = {".pdf": b"%PDF", ".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".png": b"\x89PNG"}


def _user(context: Context) -> model.User | None:
    name = context.get("user")
    return model.User.get(name) if name else None


def role(context: Context, propuesta: Propuesta | None, convocatoria_id: str) -> str:
    """``area``, ``proponente`` or ``publico`` for the user of ``context``."""
    user = _user(context)
    if user is None:
        return "publico"
    try:
        tk.check_access("package_update", {"user": user.name}, {"id": convocatoria_id})
        return "area"
    except (tk.NotAuthorized, tk.ObjectNotFound):
        pass
    if propuesta is not None and propuesta.usuario_id == user.id:
        return "proponente"
    return "publico"


def results_published(convocatoria: dict[str, Any]) -> bool:
    return indice.estado_convocatoria(convocatoria) == "resuelta"


def can_read(rol: str, propuesta: Propuesta, convocatoria: dict[str, Any]) -> bool:
    if rol in ("area", "proponente"):
        return True
    return results_published(convocatoria) and propuesta.estado in ("aprobada", "convertida")


def visible(context: Context, propuesta: Propuesta,
            convocatoria: dict[str, Any]) -> dict[str, Any] | None:
    """The proposal as ``context``'s user may read it, or None."""
    rol = role(context, propuesta, convocatoria["id"])
    if not can_read(rol, propuesta, convocatoria):
        return None
    data = propuesta.as_dict(with_private=rol in ("area", "proponente"))
    if rol == "publico":
        for field in ARCHIVOS:  # the files are served to the proponent and the área only
            data.pop(field, None)
        # the proponent's account (its name is public through user_show) and a draft's id stay
        # out; the dataset it became is named only once it is public
        data.pop("usuario_id", None)
        data["dataset_publico"] = public_dataset(data.pop("dataset_id", None))
    data["rol"] = rol
    data["informes_vencidos"] = overdue(propuesta)
    return data


def public_dataset(dataset_id: str | None) -> dict[str, str] | None:
    """Name, type and title of a public, active dataset, or None (a draft stays hidden)."""
    package = model.Package.get(dataset_id) if dataset_id else None
    if package is None or package.private or package.state != "active":
        return None
    return {"name": package.name, "type": package.type, "title": package.title}


def overdue(propuesta: Propuesta, today: datetime.date | None = None) -> list[str]:
    """The reports past their due date and not delivered."""
    today = today or comun.today()
    late = []
    for kind in ("informe_preliminar", "informe_final"):
        due = getattr(propuesta, f"{kind}_limite")
        if due and today > due and not getattr(propuesta, f"{kind}_entregado") \
                and propuesta.estado in ("aprobada", "convertida"):
            late.append(kind)
    return late


def _folder(propuesta_id: str) -> Path:
    root = Path(tk.config.get("ckan.storage_path") or "/tmp")
    return root / "hueyapan" / "propuestas" / re.sub(r"[^a-f0-9-]", "", propuesta_id)


def save_file(propuesta_id: str, kind: str, upload: Any) -> str:
    """Store an uploaded PDF, JPEG or PNG as ``kind`` of a proposal; returns its file name.
    Raises ValidationError (Spanish) for a wrong format or a file over the size limit."""
    if kind not in ARCHIVOS:
        raise ValueError(kind)
    name = Path(getattr(upload, "filename", "") or "").name
    suffix = Path(name).suffix.lower()
    limit = tk.asint(tk.config.get("ckan.max_resource_size") or 10) * 1024 * 1024
    stream = getattr(upload, "stream", None) or getattr(upload, "file", None)
    if stream is None or suffix not in FORMATOS:
        raise tk.ValidationError({kind: [tk._("Upload a PDF, JPEG or PNG file")]})
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise tk.ValidationError({kind: [tk._("The file is larger than {megabytes} MB, the limit")
                                         .format(megabytes=limit // (1024 * 1024))]})
    if not data.startswith(_MAGIC[suffix]):
        raise tk.ValidationError({kind: [tk._("The file is not a real {format} file").format(
            format=suffix.lstrip(".").upper())]})
    folder = _folder(propuesta_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{kind}{suffix}"
    (folder / stored).write_bytes(data)
    return stored


def file_path(propuesta: Propuesta, kind: str) -> Path | None:
    stored = getattr(propuesta, kind, None) if kind in ARCHIVOS else None
    path = _folder(propuesta.id) / stored if stored else None
    return path if path is not None and path.is_file() else None


_MESSAGES = {
    "recibida": N_("Your proposal \"{title}\" to the call \"{call}\" was received."),
    "en_revision": N_("Your proposal \"{title}\" to the call \"{call}\" is being reviewed."),
    "aprobada": N_("Your proposal \"{title}\" to the call \"{call}\" was approved."),
    "rechazada": N_("Your proposal \"{title}\" to the call \"{call}\" was not approved. "
                    "Reason: {reason}"),
    "convertida": N_("Your proposal \"{title}\" to the call \"{call}\" is now a {kind}: {url}"),
}


def notify(propuesta: Propuesta, convocatoria: dict[str, Any], url: str = "",
           kind: str = "") -> bool:
    """E-mail the proponent about the proposal's status (CKAN's mailer). A failure is logged,
    never raised: the review goes on."""
    from ckan.lib import mailer

    user = model.Session.get(model.User, propuesta.usuario_id)
    if user is None or not user.email:
        return False
    with default_language():
        body = tk._(_MESSAGES[propuesta.estado]).format(
            title=propuesta.titulo, call=convocatoria.get("title"),
            reason=propuesta.motivo or "", kind=kind, url=url)
        subject = tk._("Your proposal: {status}").format(
            status=tk._(PROPUESTA_ESTADO_LABELS[propuesta.estado]))
    try:
        mailer.mail_recipient(user.fullname or user.name, user.email, subject, body)
    except Exception as error:  # noqa: BLE001 - a mail server down must not stop the review
        log.warning("Could not e-mail the proponent of %s: %s", propuesta.id, error)
        return False
    return True
