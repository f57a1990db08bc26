"""Harvester of the spreadsheets staff already keep (CSV or XLSX at a URL): one row, one dataset.

Source configuration (JSON)::

    {"tipo": "obra", "organizacion": "obras-publicas",
     "columna_clave": "Número de expediente",          # optional
     "mapeo": {"Nombre de la obra": "title"},           # optional: header -> field
     "valores": {"etapa": "ejecucion"},                 # optional: field -> default value
     "retirados": "marcar"}                             # conservar | marcar | borrar

``valores`` gives any field a value for the rows whose cell is empty or unreadable (or whose
column the file lacks), written as in a cell ("En ejecución" or "ejecucion", "Los Mangos").
**The stage of an obra** comes from the sheet; else from ``valores``; else it is estimated from
the row (:mod:`ckanext.hueyapan.reglas.etapas`) and stored with ``etapa_estimada = True``.
**Bad cells**:
a row whose key or a required cell is unreadable is not imported (the job report says why, with
row and column); a row with unreadable optional cells is imported without those values, and the
same report lines go to the dataset's ``observaciones`` (an empty list once the sheet is
corrected).

Identity is the row's key (clave de obra, clave de programa, folio, or ``columna_clave``): the
harvest object's ``guid``. A re-harvest:

* **gather** reads the whole file first. A file that cannot be downloaded or read ends the job
  with an error and changes nothing. Row errors (row, column, value, reason) go to the job report
  and the good rows go on. Rows whose values are unchanged since the last harvest are skipped.
  Keys that disappeared from the file are withdrawn per ``retirados``: ``conservar`` leaves the
  dataset alone, ``marcar`` sets its field ``retirado_de_origen`` to ``si``, ``borrar`` deletes it.
* **import** creates the dataset, or updates it in place. **Fields edited by hand are never
  overwritten**: a field whose current value differs from what the previous harvest wrote was
  changed by staff, so it keeps the staff's value and the job report says so. Fields staff did not
  touch take the spreadsheet's new value.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Any
from urllib.parse import urlparse

import requests
import sqlalchemy.exc

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import SearchIndexError
from ckan.types import Context
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject

from ckanext.hueyapan import comun
from ckanext.hueyapan.comun.idioma import default_language as _default_language
from ckanext.hueyapan.hojas import celdas, tabla
from ckanext.hueyapan.reglas import etapas
from ckanext.hueyapan.salvaguardas import redes

__all__ = ["TabularHarvester"]

log = logging.getLogger(__name__)

RETIRADOS = ("conservar", "marcar", "borrar")
WITHDRAWN_FIELD = "retirado_de_origen"
ACTION_WITHDRAW = "retirar"
ESTIMATED_FIELD = "etapa_estimada"
OBSERVATIONS_FIELD = "observaciones"


def _complete(row: tabla.ParsedRow, defaults: dict[str, Any], tipo: str) -> dict[str, Any]:
    """A row's fields with the source's defaults where the row has none, the stage of an obra
    (estimated when neither gave one) and the row's observations, in the current language."""
    data = {**defaults, **row.data}
    if tipo == "obra":
        data[ESTIMATED_FIELD] = "etapa" not in data
        if data[ESTIMATED_FIELD]:
            data["etapa"] = etapas.estimate(data, comun.today())
    data[OBSERVATIONS_FIELD] = [observation.message() for observation in row.observations]
    return data


def _row_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@tk.blanket.config_declarations
class TabularHarvester(HarvesterBase):
    """ckanext-harvest plugin ``hueyapan_tabular``."""

    def info(self) -> dict[str, str]:
        return {
            "name": "hueyapan_tabular",
            "title": "Hoja de cálculo (CSV o XLSX)",
            "description": (
                "Una fila por obra, programa social o convocatoria, desde un archivo CSV o XLSX "
                "publicado en una dirección web."
            ),
            "form_config_interface": "Text",
        }

    # configuration

    def validate_config(self, config: str | None) -> str:
        with _default_language():
            if not config:
                raise ValueError(tk._("The configuration is required: {example}").format(
                    example='{"tipo": "obra", "organizacion": "obras-publicas"}'))
            try:
                data = json.loads(config)
            except ValueError as error:
                raise ValueError(tk._("The configuration is not valid JSON: {error}").format(
                    error=error)) from error
            if data.get("tipo") not in comun.DATASET_TYPES:
                raise ValueError(tk._("\"tipo\" must be one of {tipos}").format(
                    tipos=", ".join(comun.DATASET_TYPES)))
            organization = model.Group.get(data.get("organizacion") or "")
            if organization is None or not organization.is_organization:
                raise ValueError(tk._("\"organizacion\" must name an existing organization"))
            if data.get("retirados", "marcar") not in RETIRADOS:
                raise ValueError(tk._("\"retirados\" must be one of {opciones}").format(
                    opciones=", ".join(RETIRADOS)))
            if not isinstance(data.get("mapeo", {}), dict):
                raise ValueError(tk._("\"mapeo\" must map column headers to field names"))
            if not isinstance(data.get("valores", {}), dict):
                raise ValueError(tk._("\"valores\" must map field names to default values, "
                                      "for example {example}").format(
                    example='{"valores": {"etapa": "ejecucion"}}'))
            _, problems = tabla.read_defaults(data["tipo"], data.get("valores") or {})
            if problems:
                raise ValueError("; ".join(problems))
        return json.dumps(data, ensure_ascii=False)

    def _config(self, source_config: str | None) -> dict[str, Any]:
        data = json.loads(source_config or "{}")
        data.setdefault("retirados", "marcar")
        return data

    # gather

    def _download(self, url: str) -> bytes:
        limit = tk.config["ckanext.hueyapan.cosecha.max_bytes"]
        timeout = tk.config["ckanext.hueyapan.cosecha.timeout"]
        if urlparse(url).scheme not in ("http", "https"):
            raise celdas.TableError(tk._("The address must start with http:// or https://"))
        try:
            with redes.session().get(url, stream=True, timeout=timeout) as response:
                if response.status_code >= 400:
                    raise celdas.TableError(
                        tk._("The server answered HTTP {status} for {url}").format(
                            status=response.status_code, url=url))
                chunks, size = [], 0
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise celdas.TableError(
                            tk._("The file is larger than {megabytes} MB, the limit").format(
                                megabytes=limit // (1024 * 1024)))
                    chunks.append(chunk)
                return b"".join(chunks)
        except requests.Timeout as error:
            raise celdas.TableError(tk._("The server did not answer within {seconds} seconds")
                                    .format(seconds=timeout)) from error
        except requests.RequestException as error:
            raise celdas.TableError(tk._("The file could not be downloaded: {error}").format(
                error=error)) from error

    # ckanext-harvest declares HarvestObject's columns without types (an attribute reads as
    # Column[str]), so its rows are handled as Any here, like the harvest_object it hands over.
    def _current_objects(self, source_id: str) -> dict[str, Any]:
        objects: list[Any] = model.Session.query(HarvestObject).filter(
            HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True)).all()
        return {obj.guid: obj for obj in objects}

    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        source = harvest_job.source
        config = self._config(source.config)
        with _default_language():
            defaults, problems = tabla.read_defaults(config["tipo"], config.get("valores") or {})
            for problem in problems:
                self._save_gather_error(problem, harvest_job)
            fillable = set(defaults) | ({"etapa"} if config["tipo"] == "obra" else set())
            try:
                content = self._download(source.url)
                table = tabla.read_table(
                    content, urlparse(source.url).path, config["tipo"],
                    mapping=config.get("mapeo"), key_column=config.get("columna_clave"),
                    fillable=fillable)
            except celdas.TableError as error:
                self._save_gather_error(
                    tk._("Nothing was changed: {reason}").format(reason=error), harvest_job)
                return None
            for row_error in table.errors:
                self._save_gather_error(row_error.message(), harvest_job)
            rows = [(row, _complete(row, defaults, config["tipo"])) for row in table.rows]

        current = self._current_objects(source.id)
        ids = []
        for row, data in rows:
            payload = {"row": row.row, "key": row.key, "data": data, "columns": row.columns,
                       "hash": _row_hash(data)}
            previous = current.get(row.key)
            if previous is not None and previous.package_id and \
                    json.loads(previous.content or "{}").get("hash") == payload["hash"]:
                continue  # unchanged since the last harvest
            ids.append(self._new_object(harvest_job, row.key, payload))

        ids.extend(self._withdrawals(harvest_job, table, current, config))
        model.Session.commit()  # every object of the job in one transaction
        return ids

    def _withdrawals(self, harvest_job: Any, table: Any, current: dict[str, Any],
                     config: dict[str, Any]) -> list[str]:
        """Objects that withdraw the datasets whose keys are no longer in the file.

        A key counts as present when any row of the file carries it, good or bad, so a row
        with an error is never withdrawn; a file with no rows at all withdraws nothing.
        """
        if config["retirados"] == "conservar":
            return []
        seen = set(getattr(table, "keys_seen", ()) or ()) | {row.key for row in table.rows}
        if not seen:
            with _default_language():
                self._save_gather_error(
                    tk._("The file has no rows: nothing was withdrawn"), harvest_job)
            return []
        return [
            self._new_object(harvest_job, key, {"accion": ACTION_WITHDRAW, "key": key})
            for key, previous in current.items()
            if key not in seen and previous.package_id
        ]

    def _new_object(self, harvest_job: Any, guid: str, payload: dict[str, Any]) -> str:
        """A harvest object, added to the session: gather_stage commits them all at once."""
        obj: Any = HarvestObject(id=str(uuid.uuid4()), guid=guid, job=harvest_job,
                                 content=json.dumps(payload, ensure_ascii=False))
        model.Session.add(obj)
        return obj.id

    # fetch: the content is already in the object

    def fetch_stage(self, harvest_object: Any) -> bool:
        return True

    # import

    def _context(self, return_id_only: bool = False) -> Context:
        context: Context = {"user": self._get_user_name(), "ignore_auth": True}
        if return_id_only:
            context["return_id_only"] = True
        return context

    def _previous(self, harvest_object: Any) -> Any:
        return (
            model.Session.query(HarvestObject)
            .filter(HarvestObject.guid == harvest_object.guid,
                    HarvestObject.harvest_source_id == harvest_object.source.id,
                    HarvestObject.current.is_(True),
                    HarvestObject.id != harvest_object.id)
            .first()
        )

    def _make_current(self, harvest_object: Any, previous: Any,
                      package_id: str | None) -> None:
        if previous is not None and previous.id != harvest_object.id:
            previous.current = False
            previous.add()
        harvest_object.package_id = package_id
        harvest_object.current = package_id is not None
        harvest_object.add()
        model.Session.commit()

    def import_stage(self, harvest_object: Any) -> bool | str:
        with _default_language():
            try:
                return self._import(harvest_object)
            except sqlalchemy.exc.IntegrityError:
                # Two fetch consumers created datasets with the same name at the same moment
                # (two keys that give the same name): the second one takes another name.
                model.Session.rollback()
                log.info("Name taken while importing %s: trying again", harvest_object.guid)
                return self._import(harvest_object)

    def _import(self, harvest_object: Any) -> bool | str:
        payload = json.loads(harvest_object.content)
        config = self._config(harvest_object.source.config)
        previous = self._previous(harvest_object)
        if harvest_object.package_id and harvest_object.current:
            # The same object imported a second time (ckanext-harvest's resubmit_objects can
            # queue an object twice): it updates the dataset it created, never a new one.
            previous = harvest_object
        package = (model.Package.get(previous.package_id)
                   if previous and previous.package_id else None)
        if package is not None and package.state == "deleted":
            package = None

        if payload.get("accion") == ACTION_WITHDRAW:
            return self._withdraw(harvest_object, previous, package, config)

        try:
            if package is None:
                package_id = self._create(payload, config)
            else:
                package_id = self._update(harvest_object, payload, previous, package)
        except tk.ValidationError as error:
            self._report_validation(harvest_object, payload, error)
            return False
        except SearchIndexError as error:
            log.error("Search index unavailable while harvesting %s: %s", harvest_object.guid,
                      error)
            self._save_object_error(
                tk._("Row {row}: the dataset was saved but not indexed (search is unavailable); "
                     "run \"ckan search-index rebuild --only-missing\" when it is back").format(
                    row=payload["row"]), harvest_object, "Import")
            saved = self._find_saved(payload, config)
            self._make_current(harvest_object, previous, saved)
            return True
        self._make_current(harvest_object, previous, package_id)
        return True

    def _find_saved(self, payload: dict[str, Any], config: dict[str, Any]) -> str | None:
        package = model.Package.get(self._name_for(payload["key"], config["tipo"]))
        return package.id if package is not None else None

    @staticmethod
    def _name_for(key: str, tipo: str) -> str:
        from slugify import slugify

        return slugify(f"{key}", max_length=90) or slugify(tipo)

    def _create(self, payload: dict[str, Any], config: dict[str, Any]) -> str:
        data = dict(payload["data"])
        name = self._name_for(payload["key"], config["tipo"])
        if model.Package.get(name) is not None:
            name = self._gen_new_name(name)
        data.update({"type": config["tipo"], "owner_org": config["organizacion"], "name": name})
        # the id is all the harvest object needs: no package_show of the new dataset
        return tk.get_action("package_create")(self._context(return_id_only=True), data)

    def _update(self, harvest_object: Any, payload: dict[str, Any],
                previous: Any, package: model.Package) -> str:
        current = tk.get_action("package_show")(self._context(), {"id": package.id})
        before = json.loads(previous.content or "{}").get("data", {}) if previous else {}
        updated = dict(current)
        kept = []
        for field, value in payload["data"].items():
            if field in before and current.get(field) != before[field]:
                if current.get(field) != value:
                    kept.append(field)
                continue  # edited by hand since the last harvest: the staff's value stays
            updated[field] = value
        if "etapa" in before and current.get("etapa") != before["etapa"]:
            updated[ESTIMATED_FIELD] = False  # staff set the stage: it is no longer estimated
        updated.pop(WITHDRAWN_FIELD, None)
        for field in kept:
            column = payload["columns"].get(field, field)
            self._save_object_error(
                tk._("Notice, row {row}: \"{column}\" was edited in the catalog; the catalog's "
                     "value is kept and the spreadsheet's is not applied").format(
                    row=payload["row"], column=column),
                harvest_object, "Import")
        tk.get_action("package_update")(self._context(), updated)
        return package.id

    def _withdraw(self, harvest_object: Any, previous: Any,
                  package: model.Package | None, config: dict[str, Any]) -> bool | str:
        if package is None:
            self._make_current(harvest_object, previous, None)
            return True
        if config["retirados"] == "borrar":
            tk.get_action("package_delete")(self._context(), {"id": package.id})
            self._make_current(harvest_object, previous, None)
            return True
        tk.get_action("package_patch")(self._context(), {"id": package.id, WITHDRAWN_FIELD: "si"})
        harvest_object.content = previous.content if previous else harvest_object.content
        self._make_current(harvest_object, previous, package.id)
        return True

    def _report_validation(self, harvest_object: Any, payload: dict[str, Any],
                           error: tk.ValidationError) -> None:
        for field, messages in (error.error_dict or {}).items():
            column = payload["columns"].get(field, field)
            value = payload["data"].get(field)
            for message in messages if isinstance(messages, list) else [messages]:
                text = (message if isinstance(message, str)
                        else json.dumps(message, ensure_ascii=False))
                self._save_object_error(
                    tabla.RowError(row=payload["row"], column=column,
                                   value=None if value is None else str(value),
                                   reason=text).message(),
                    harvest_object, "Import")
