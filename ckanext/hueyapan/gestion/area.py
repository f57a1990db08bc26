""""Mi área": what waits for a municipal área in the catalog, each item with the one page that
fixes it.

For the organizations in which the person may publish (CKAN's ``create_dataset`` permission; a
sysadmin sees every área):

* obras under way (en ejecución or suspendida) without a progress report this quarter (by the
  date of their latest history row, or none) → "Actualizar avance";
* obras with red flags (the same flags as the page, the API and the exports: ``reglas.alertas``
  through ``package_search``), a missing consultation first → "Registrar consulta" or "Editar";
* proposals to their calls still waiting for review → the proposal's review page;
* the latest job of each of their harvest sources when it had errors → the job's report;
* drafts and datasets that are not public (withdrawn, with the reason) → their page (to
  finish and publish them).

Everything is read with the person's own permissions (their context), never ``ignore_auth``.
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ckanext.hueyapan.comun import DATASET_TYPES, RETIRO_KEYS, today
from ckanext.hueyapan.comun.cantidades import fecha
from ckanext.hueyapan.model import Propuesta

__all__ = ["Pendiente", "Trabajo", "quarter_start", "worklist"]

#: Stages in which an obra reports its progress every quarter.
_UNDER_WAY = {"ejecucion", "suspendida"}
_WAITING_REVIEW = ("recibida", "en_revision")
_LIMIT = 1000


@dataclasses.dataclass
class Pendiente:
    """One thing to do: what (``titulo``), why (``detalle``), where it is fixed (``enlace``,
    with the button text ``accion``) and, for red flags, the obra as the search returned it
    (its flags are shown by the same snippet as on result cards)."""

    titulo: str
    detalle: str
    enlace: str
    accion: str
    obra: dict[str, Any] | None = None

    @property
    def alertas(self) -> list[str]:
        return list((self.obra or {}).get("alertas") or [])


@dataclasses.dataclass
class Trabajo:
    """The sections of Mi área, in the order of the page."""

    organizaciones: list[dict[str, Any]]
    sin_avance: list[Pendiente]
    alertas: list[Pendiente]
    propuestas: list[Pendiente]
    cosechas: list[Pendiente]
    borradores: list[Pendiente]

    @property
    def total(self) -> int:
        return (len(self.sin_avance) + len(self.alertas) + len(self.propuestas)
                + len(self.cosechas) + len(self.borradores))


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the calendar quarter of ``day`` (quarterly reports are the rule)."""
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _latest_report(obra: dict[str, Any]) -> datetime.date | None:
    dates = [fecha(row.get("fecha")) for row in obra.get("historial_avance") or []]
    return max((d for d in dates if d), default=None)


def _context(user: str) -> Context:
    return {"user": user, "ignore_auth": False}


def _organizations(user: str) -> list[dict[str, Any]]:
    return tk.get_action("organization_list_for_user")(
        _context(user), {"permission": "create_dataset"})


def _obras(user: str, org_ids: list[str]) -> list[dict[str, Any]]:
    if not org_ids:
        return []
    result = tk.get_action("package_search")(_context(user), {
        "fq": "+dataset_type:obra +owner_org:(" + " OR ".join(org_ids) + ")",
        "include_private": True, "rows": _LIMIT, "sort": "metadata_modified desc"})
    return result["results"]


def _review_obras(obras: list[dict[str, Any]], day: datetime.date
                  ) -> tuple[list[Pendiente], list[Pendiente]]:
    start = quarter_start(day)
    sin_avance, flagged = [], []
    for obra in obras:
        latest = _latest_report(obra)
        if obra.get("etapa") in _UNDER_WAY and (latest is None or latest < start):
            detalle = (tk._("Latest progress report: {date}").format(
                date=tk.h.render_datetime(latest.isoformat())) if latest
                else tk._("No progress report yet"))
            sin_avance.append(Pendiente(obra["title"], detalle, tk.url_for(
                "hueyapan.actualizar_avance", id=obra["name"]), tk._("Update progress")))
        names = list(obra.get("alertas") or [])
        if names:
            if "sin_consulta" in names:
                enlace = tk.url_for("hueyapan.registrar_consulta", id=obra["name"])
                accion = tk._("Record a consultation")
            else:
                enlace, accion = tk.url_for("obra.edit", id=obra["name"]), tk._("Edit")
            flagged.append(Pendiente(obra["title"], "", enlace, accion, obra=obra))
    flagged.sort(key=lambda p: ("sin_consulta" not in p.alertas, p.titulo))
    return sin_avance, flagged


def _proposals(org_ids: list[str]) -> list[Pendiente]:
    if not org_ids:
        return []
    rows = (model.Session.query(Propuesta, model.Package)
            .join(model.Package, Propuesta.convocatoria_id == model.Package.id)
            .filter(model.Package.owner_org.in_(org_ids),
                    Propuesta.estado.in_(_WAITING_REVIEW))
            .order_by(Propuesta.creado).limit(_LIMIT).all())
    return [Pendiente(propuesta.titulo, tk._("Call: {title}").format(title=convocatoria.title),
                      tk.url_for("propuestas.ver", id=propuesta.id),
                      tk._("Review the proposal"))
            for propuesta, convocatoria in rows]


def _harvests(user: str, org_ids: list[str]) -> list[Pendiente]:
    if not org_ids:
        return []
    sources = tk.get_action("package_search")(_context(user), {
        "fq": "+dataset_type:harvest +owner_org:(" + " OR ".join(org_ids) + ")",
        "include_private": True, "rows": 100})["results"]
    found = []
    for source in sources:
        try:
            status = tk.get_action("harvest_source_show_status")(
                _context(user), {"id": source["id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        job = status.get("last_job") or {}
        errors = (job.get("stats") or {}).get("errored", 0)
        if errors:
            found.append(Pendiente(
                source["title"],
                tk.ungettext("{n} row or file with errors in the latest harvest",
                             "{n} rows or files with errors in the latest harvest",
                             errors).format(n=errors),
                tk.url_for("harvester.job_show", source=source["name"], id=job["id"]),
                tk._("See the report")))
    return found


def _not_public(org_ids: list[str]) -> list[Pendiente]:
    """Drafts, and active datasets that only their área reads (``private``: withdrawn, or
    never published, as an obra made from a proposal)."""
    if not org_ids:
        return []
    rows = (model.Session.query(model.Package)
            .filter(model.Package.owner_org.in_(org_ids),
                    model.Package.type.in_(DATASET_TYPES),
                    sa.or_(model.Package.state == "draft",
                           sa.and_(model.Package.state == "active",
                                   model.Package.private.is_(True))))
            .order_by(model.Package.metadata_modified.desc()).limit(_LIMIT).all())
    found = []
    for package in rows:
        motivo = (package.extras or {}).get(RETIRO_KEYS[0])
        if package.state == "draft":
            detalle = tk._("Draft")
        elif motivo:
            detalle = tk._("Withdrawn: {reason}").format(reason=motivo)
        else:
            detalle = tk._("Not public")
        found.append(Pendiente(package.title or package.name, detalle,
                               tk.url_for(f"{package.type}.read", id=package.name),
                               tk._("Open its page")))
    return found


def worklist(user: str, day: datetime.date | None = None) -> Trabajo:
    """What waits for ``user``'s áreas on ``day`` (today in Mexico City by default)."""
    organizaciones = _organizations(user)
    org_ids = [org["id"] for org in organizaciones]
    sin_avance, flagged = _review_obras(_obras(user, org_ids), day or today())
    return Trabajo(organizaciones, sin_avance, flagged, _proposals(org_ids),
                   _harvests(user, org_ids), _not_public(org_ids))
