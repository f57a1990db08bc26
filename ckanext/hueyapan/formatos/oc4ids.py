"""Obras as OC4IDS projects (Open Contracting for Infrastructure Data Standard, project level).

:func:`project` maps one obra (as package_show returns it) to an OC4IDS project; :func:`package`
wraps projects in a project package. Addresses (``views/``): ``/obra/<name>/oc4ids.json`` and
``/exportar/oc4ids.json`` (every public obra; the same filters as the search page).

Mapping (field → OC4IDS):

* ``clave_obra`` → ``id`` (``<prefix>-<clave>``; the prefix is
  ``ckanext.hueyapan.oc4ids.prefijo`` and must be registered with the Open Contracting
  Partnership before the data are published as OC4IDS) and ``identifiers``;
* ``title``, ``notes`` → ``title``, ``description``; ``sector`` (already an OC4IDS sector code)
  → ``sector``; ``etapa`` → ``status`` (planeación → identification, contratación →
  preparation, en ejecución and suspendida → implementation, concluida and finiquitada →
  completion, cancelada → cancelled);
* ``comunidades`` → ``locations`` with an INEGI gazetteer entry (scheme ``INEGI-CVEGEO``, the
  9-digit locality key; the municipality's 5-digit key for the whole municipality), the point of
  the community (or the obra's own geometry) and the address;
* ``monto_aprobado`` and ``fuentes_financiamiento`` → ``budget`` with its breakdown by source;
  ``fecha_inicio``/``fecha_termino_programada`` → ``period``;
* the área (organization) → ``publicAuthority`` and a party; the contractor (companies only) →
  a ``supplier`` party; each funding source → a ``funder`` party;
* ``avance_fisico``, ``avance_financiero`` and ``historial_avance`` → ``metrics``
  (physicalProgress, financialProgress, percent);
* ``consultas`` → ``social.consultationMeetings``; each one's minutes (``reglas/actas.py``) →
  a document of type ``minutes.consultationMeeting``: the obra's resource that holds them, or a
  document of their own when they are a web address outside the obra's resources;
* ``modalidad_fais`` → ``type`` (construcción → construction, ampliación → expansion,
  rehabilitación → rehabilitation; mantenimiento and equipamiento have no code and no type);
* the contract → ``contractingProcesses[0].summary``, its ``convenios_modificatorios`` →
  ``modifications`` (type value when the amendment has an amount, else duration when it has a
  term, else scope); ``fecha_termino_real``, ``monto_final`` → ``completion``; resources →
  ``documents``;
* the package's ``license``: the URL of the catalog's default licence in the licence register
  (``registros/licencias.py``).

``tests/formatos/test_estandares.py`` validates the output against the official OC4IDS 0.9.5
schema and its closed codelists.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.comun.cantidades import fecha, numero
from ckanext.hueyapan.model import Comunidad, Termino
from ckanext.hueyapan.registros.comunidades import boundary_geojson
from ckanext.hueyapan.registros.licencias import predeterminada
from ckanext.hueyapan.reglas import actas

__all__ = ["package", "project", "PUBLISHED_VERSION"]

PUBLISHED_VERSION = "0.9"
_STATUS = {
    "planeacion": "identification",
    "contratacion": "preparation",
    "ejecucion": "implementation",
    "suspendida": "implementation",
    "concluida": "completion",
    "finiquitada": "completion",
    "cancelada": "cancelled",
}
_METHOD = {
    "licitacion_publica": "open",
    "invitacion_tres": "selective",
    "adjudicacion_directa": "direct",
    "administracion_directa": "direct",
}
_TYPE = {"construccion": "construction", "ampliacion": "expansion",
         "rehabilitacion": "rehabilitation"}
#: The documentType (open codelist, OC4IDS's own code) of a consultation's minutes.
MINUTES = "minutes.consultationMeeting"
_DOCUMENT_TYPE = {
    "evidencia_fotografica": "illustration",
    "contrato": "contractSigned",
    "acta_consulta": MINUTES,
    "informe_avance": "physicalProgressReport",
    "convenio_modificatorio": "contractAmendment",
    "acta_entrega": "completionCertificate",
    "finiquito": "completionCertificate",
    "proyecto_ejecutivo": "technicalSpecifications",
}


def _site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")




def _money(value: Any) -> dict[str, Any] | None:
    amount = numero(value)
    return {"amount": amount, "currency": "MXN"} if amount is not None else None


def _date(value: Any) -> str | None:
    """An ISO 8601 date-time (OC4IDS dates are date-times) from a stored date."""
    day = fecha(value)
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _timestamp(value: Any) -> str | None:
    return f"{str(value)[:19]}Z" if value else None


def _prune(value: Any) -> Any:
    """Drop empty members (None, "", [], {}) recursively: OC4IDS omits what is unknown."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_prune(v) for v in value) if v not in (None, "", [], {})]
    return value


def _labels() -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    from ckan import model

    communities = {c.id: c for c in model.Session.query(Comunidad)}
    terms = {(t.vocabulario, t.clave): t.etiqueta for t in model.Session.query(Termino)}
    return communities, terms


def _locations(obra: dict[str, Any], communities: dict[str, Any]) -> list[dict[str, Any]]:
    municipality = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
    name = tk.config["ckanext.hueyapan.municipio.nombre"]
    own = obra.get("spatial")
    if isinstance(own, str):
        try:
            own = json.loads(own)
        except ValueError:
            own = None
    locations = []
    for number, key in enumerate(obra.get("comunidades") or [], start=1):
        key = str(key)
        comunidad = communities.get(key)
        locality = (comunidad.nombre if comunidad is not None
                    else (name if key == municipality else key))
        geometry = own if own and len(obra.get("comunidades") or []) == 1 else None
        if geometry is None and comunidad is not None and comunidad.longitud is not None:
            geometry = {"type": "Point", "coordinates": [comunidad.longitud, comunidad.latitud]}
        if geometry is None and key == municipality:
            geometry = boundary_geojson()
        locations.append({
            "id": str(number),
            "description": locality,
            "geometry": geometry,
            "gazetteer": {"scheme": "INEGI-CVEGEO", "identifiers": [key]},
            "uri": f"{_site()}/comunidad/{key}",
            "address": {"streetAddress": obra.get("direccion_referencia"),
                        "locality": locality if key != municipality else None,
                        "region": "Veracruz de Ignacio de la Llave",
                        "countryName": "México"},
        })
    return locations


def _metrics(obra: dict[str, Any]) -> list[dict[str, Any]]:
    metrics = []
    for metric_id, field, title in (
            ("physicalProgress", "avance_fisico", "Avance físico"),
            ("financialProgress", "avance_financiero", "Avance financiero")):
        observations = []
        for number, entry in enumerate(sorted(obra.get("historial_avance") or [],
                                              key=lambda e: str(e.get("fecha") or "")), start=1):
            value = numero(entry.get(field))
            if value is not None:
                observations.append({"id": f"{number}", "measure": value,
                                     "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"},
                                     "period": {"startDate": _date(entry.get("fecha")),
                                                "endDate": _date(entry.get("fecha"))}})
        current = numero(obra.get(field))
        if current is not None and not observations:  # else the latest cut already says it
            observations.append({"id": "actual", "measure": current,
                                 "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"}})
        if observations:
            metrics.append({"id": metric_id, "title": title, "observations": observations})
    return metrics


def _modifications(obra: dict[str, Any]) -> list[dict[str, Any]]:
    """The contract's amendments (convenios modificatorios) as OC4IDS modifications."""
    modifications = []
    for number, convenio in enumerate(obra.get("convenios_modificatorios") or [], start=1):
        amount, term = numero(convenio.get("monto")), convenio.get("plazo")
        description = " · ".join(str(part) for part in (
            convenio.get("objeto"), f"$ {amount:,.2f} MXN" if amount is not None else None,
            term) if part)
        modifications.append({
            "id": str(convenio.get("numero") or number),
            "date": _date(convenio.get("fecha")),
            "description": description,
            "type": "value" if amount is not None else ("duration" if term else "scope"),
        })
    return modifications


def _minutes(obra: dict[str, Any]) -> dict[str, Any]:
    """The consultations' minutes: ``resources``, the ids of the obra's resources that hold
    some; ``documents``, a document for each consultation whose minutes are a web address
    outside the obra's resources."""
    resources: set[str] = set()
    documents: list[dict[str, Any]] = []
    for number, consulta in enumerate(obra.get("consultas") or [], start=1):
        if not isinstance(consulta, dict):
            continue
        acta = actas.locate(obra, consulta.get("acta"))
        if acta.recurso is not None:
            resources.add(str(acta.recurso.get("id")))
        elif acta.url:
            day = fecha(consulta.get("fecha"))
            documents.append({
                "id": f"acta-consulta-{number}",
                "documentType": MINUTES,
                "title": (f"Acta de la consulta ciudadana del {day.isoformat()}" if day
                          else "Acta de la consulta ciudadana"),
                "description": consulta.get("lugar"),
                "url": acta.url,
            })
    return {"resources": resources, "documents": documents}


def project(obra: dict[str, Any]) -> dict[str, Any]:
    """One obra as an OC4IDS project."""
    communities, terms = _labels()
    prefix = tk.config["ckanext.hueyapan.oc4ids.prefijo"]
    clave = obra.get("clave_obra") or obra["name"]
    organization = obra.get("organization") or {}
    area_id = f"area-{organization.get('name')}" if organization else None
    parties: list[dict[str, Any]] = []
    if organization:
        parties.append({"id": area_id,
                        "name": organization.get("title") or organization.get("name"),
                        "roles": ["publicAuthority", "procuringEntity"],
                        "address": {"locality": tk.config["ckanext.hueyapan.municipio.nombre"],
                                    "region": "Veracruz de Ignacio de la Llave",
                                    "countryName": "México"}})
    supplier = None
    if obra.get("contratista_razon_social"):
        supplier = {"id": f"proveedor-{obra.get('contratista_rfc') or 1}",
                    "name": obra["contratista_razon_social"]}
        party = {**supplier, "roles": ["supplier"]}
        if obra.get("contratista_rfc"):
            party["identifier"] = {"scheme": "MX-RFC", "id": obra["contratista_rfc"]}
        parties.append(party)
    breakdown = []
    for number, source in enumerate(obra.get("fuentes_financiamiento") or [], start=1):
        label = terms.get(("fuente_financiamiento", str(source.get("fuente"))),
                          source.get("fuente"))
        funder = {"id": f"fuente-{source.get('fuente')}", "name": label}
        if funder["id"] not in {p["id"] for p in parties}:
            parties.append({**funder, "roles": ["funder"]})
        breakdown.append({"id": str(number), "description": label,
                          "amount": _money(source.get("monto")), "sourceParty": funder})
    period = {"startDate": _date(obra.get("fecha_inicio")),
              "endDate": _date(obra.get("fecha_termino_programada"))}
    contract = {
        "id": "1",
        "summary": {
            "title": obra.get("contrato_numero") or obra.get("title"),
            "externalReference": obra.get("contrato_numero"),
            "nature": ["construction"],
            "status": "closed" if obra.get("etapa") in ("concluida", "finiquitada", "cancelada")
            else ("active" if obra.get("contrato_numero") else "pre-award"),
            "tender": {"procurementMethod": _METHOD.get(obra.get("modalidad_contratacion") or ""),
                       "procurementMethodDetails": terms.get(
                           ("modalidad_contratacion", str(obra.get("modalidad_contratacion"))))},
            "suppliers": [supplier] if supplier else [],
            "contractValue": _money(obra.get("monto_contratado")),
            "contractPeriod": {
                "startDate": _date(obra.get("contrato_fecha") or obra.get("fecha_inicio")),
                "endDate": _date(obra.get("fecha_termino_programada"))},
            "finalValue": _money(obra.get("monto_final")),
            "modifications": _modifications(obra),
        },
    } if (obra.get("contrato_numero") or supplier or obra.get("modalidad_contratacion")) else None
    meetings = []
    for number, consulta in enumerate(obra.get("consultas") or [], start=1):
        women = numero(consulta.get("asistentes_mujeres")) or 0
        men = numero(consulta.get("asistentes_hombres")) or 0
        meetings.append({"id": str(number), "date": _date(consulta.get("fecha")),
                         "address": {"streetAddress": consulta.get("lugar")},
                         "numberOfParticipants": int(women + men) if women or men else None,
                         "publicOffice": {"organization": {"id": area_id,
                                                           "name": organization.get("title")}}
                         if organization else None})
    minutes = _minutes(obra)
    documents = [{
        "id": resource.get("id"),
        "documentType": (MINUTES if resource.get("id") in minutes["resources"]
                         else _DOCUMENT_TYPE.get(resource.get("tipo_recurso") or "")),
        "title": resource.get("name"),
        "description": resource.get("description"),
        "url": resource.get("url"),
        "format": resource.get("mimetype"),
        "dateModified": _timestamp(resource.get("metadata_modified")
                                   or resource.get("last_modified")),
    } for resource in obra.get("resources") or []] + minutes["documents"]
    completion = {"endDate": _date(obra.get("fecha_termino_real")),
                  "finalValue": _money(obra.get("monto_final"))}
    return _prune({
        "id": f"{prefix}-{clave}",
        "identifiers": [{"id": clave, "scheme": "clave de obra"}],
        "updated": _timestamp(obra.get("metadata_modified")),
        "language": "es",
        "title": obra.get("title"),
        "description": obra.get("notes"),
        "status": _STATUS.get(obra.get("etapa") or ""),
        "type": _TYPE.get(obra.get("modalidad_fais") or ""),
        "sector": [obra["sector"]] if obra.get("sector") else [],
        "purpose": obra.get("notes"),
        "locations": _locations(obra, communities),
        "budget": {"amount": _money(obra.get("monto_modificado") or obra.get("monto_aprobado")),
                   "budgetBreakdown": breakdown},
        "period": period,
        "publicAuthority": ({"id": area_id, "name": organization.get("title")}
                            if organization else None),
        "parties": parties,
        "metrics": _metrics(obra),
        "social": {"consultationMeetings": meetings},
        "contractingProcesses": [contract] if contract else [],
        "completion": completion,
        "documents": documents,
    })


def package(projects: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    """A project package of ``projects``, published by the municipality."""
    return {
        "uri": uri,
        "version": PUBLISHED_VERSION,
        "publishedDate": datetime.datetime.now(datetime.timezone.utc)
                         .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "publisher": {"name": f"Municipio de {tk.config['ckanext.hueyapan.municipio.nombre']}"},
        "license": predeterminada().get("url"),
        "publicationPolicy": f"{_site()}/datos-para-periodistas",
        "projects": projects,
    }
