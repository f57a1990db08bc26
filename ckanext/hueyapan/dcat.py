"""DCAT profile ``hueyapan_dcat`` (ckanext-dcat): our fields in the catalog's RDF.

It runs after ``euro_dcat_ap_2`` (``ckanext.dcat.rdf.profiles = euro_dcat_ap_2 hueyapan_dcat``),
which writes the standard dataset, distribution and catalog triples, and adds or replaces:

* ``dct:spatial``: one ``dct:Location`` per community, identified by the permanent address of
  its page (``/comunidad/<INEGI key>``), with ``dct:identifier`` = the INEGI key, its name and
  its point (or, for the whole municipality, the municipal boundary) as ``locn:geometry``;
* ``dct:temporal``: the obra's start and scheduled end (else its fiscal year), the programme's
  validity, the call's opening and closing dates;
* ``dct:publisher``: the municipal area (organization) as ``foaf:Organization``, part of the
  municipality;
* ``dct:license`` on the dataset and on each distribution without one: the dataset's licence, or
  else Libre Uso MX (``ckanext.hueyapan.licencia_predeterminada``);
* ``dcat:contactPoint``: the maintainer's e-mail when there is one, else the area, with the
  area's page;
* the catalog's publisher (the municipality), spatial coverage and language.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import (
    DCAT, DCT, FOAF, LOCN, VCARD, RDFProfile,
)

from ckanext.hueyapan.cantidades import fecha

__all__ = ["HueyapanDCATProfile", "LIBRE_USO_MX"]

LIBRE_USO_MX = "https://datos.gob.mx/libreusomx"
_ORG = "http://www.w3.org/ns/org#"


def _site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


def _community_uri(key: str) -> URIRef:
    return URIRef(f"{_site()}/comunidad/{key}")


class HueyapanDCATProfile(RDFProfile):
    """Adds the municipality's fields to ckanext-dcat's DCAT-AP output."""

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        return dataset_dict  # reading foreign catalogs is euro_dcat_ap's job

    # --- dataset -----------------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        self._spatial(dataset_dict, dataset_ref)
        self._temporal(dataset_dict, dataset_ref)
        organization = dataset_dict.get("organization") or {}
        if organization:
            for publisher in list(g.objects(dataset_ref, DCT.publisher)):
                g.remove((dataset_ref, DCT.publisher, publisher))
            g.add((dataset_ref, DCT.publisher, self._area(organization)))
        licence = URIRef(self._licence(dataset_dict))
        g.set((dataset_ref, DCT.license, licence))
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            if (distribution, DCT.license, None) not in g:
                g.add((distribution, DCT.license, licence))
        self._contact(dataset_dict, dataset_ref, organization)
        for key in ("clave_obra", "clave_programa", "folio"):
            if dataset_dict.get(key):
                g.add((dataset_ref, DCT.identifier, Literal(dataset_dict[key])))

    def _licence(self, dataset_dict: dict[str, Any]) -> str:
        url = dataset_dict.get("license_url")
        if dataset_dict.get("license_id") and url:
            return url
        return tk.config.get("ckanext.hueyapan.licencia_predeterminada") or LIBRE_USO_MX

    def _spatial(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        from ckan import model

        from ckanext.hueyapan.model import Comunidad

        keys = dataset_dict.get("comunidades") or []
        if isinstance(keys, str):
            try:
                keys = json.loads(keys)
            except ValueError:
                keys = [keys]
        municipality = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
        for key in keys:
            location = _community_uri(key)
            self.g.add((dataset_ref, DCT.spatial, location))
            self.g.add((location, RDF.type, DCT.Location))
            self.g.add((location, DCT.identifier, Literal(str(key))))
            if str(key) == municipality:
                self.g.add((location, SKOS.prefLabel, Literal(
                    tk.config["ckanext.hueyapan.municipio.nombre"], lang="es")))
                self._add_spatial_value_to_graph(location, LOCN.geometry, _municipal_boundary())
                continue
            comunidad = model.Session.get(Comunidad, str(key))
            if comunidad is None:
                continue
            self.g.add((location, SKOS.prefLabel, Literal(comunidad.nombre, lang="es")))
            if comunidad.longitud is not None and comunidad.latitud is not None:
                self._add_spatial_value_to_graph(location, LOCN.geometry, {
                    "type": "Point", "coordinates": [comunidad.longitud, comunidad.latitud]})

    def _temporal(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        pairs = {
            "obra": ("fecha_inicio", "fecha_termino_programada"),
            "programa-social": ("vigencia_inicio", "vigencia_fin"),
            "convocatoria": ("fecha_apertura", "fecha_cierre"),
        }.get(dataset_dict.get("type") or "")
        if pairs is None:
            return
        start, end = (fecha(dataset_dict.get(field)) for field in pairs)
        year = str(dataset_dict.get("ejercicio_fiscal") or "")
        if start is None and end is None and year.isdigit():
            start, end = datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
        if start is None and end is None:
            return
        for existing in list(self.g.objects(dataset_ref, DCT.temporal)):
            self.g.remove((dataset_ref, DCT.temporal, existing))
        period = BNode()
        self.g.add((dataset_ref, DCT.temporal, period))
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        if start:
            self.g.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
        if end:
            self.g.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))

    def _area(self, organization: dict[str, Any]) -> URIRef:
        area = URIRef(f"{_site()}/organization/{organization.get('name')}")
        self.g.add((area, RDF.type, FOAF.Organization))
        self.g.add((area, FOAF.name, Literal(organization.get("title") or organization.get("name"),
                                               lang="es")))
        self.g.add((area, URIRef(_ORG + "subOrganizationOf"), self._municipality()))
        return area

    def _municipality(self) -> URIRef:
        municipality = URIRef(f"{_site()}/comunidad/{tk.config['ckanext.hueyapan.municipio.cvegeo']}")
        node = URIRef(f"{_site()}/#municipio")
        self.g.add((node, RDF.type, FOAF.Organization))
        self.g.add((node, FOAF.name, Literal(
            f"Municipio de {tk.config['ckanext.hueyapan.municipio.nombre']}", lang="es")))
        self.g.add((node, DCT.spatial, municipality))
        return node

    def _contact(self, dataset_dict: dict[str, Any], dataset_ref: Any,
                 organization: dict[str, Any]) -> None:
        if (dataset_ref, DCAT.contactPoint, None) in self.g:
            return
        email = dataset_dict.get("maintainer_email") or dataset_dict.get("author_email")
        name = dataset_dict.get("maintainer") or organization.get("title")
        if not (email or name):
            return
        contact = BNode()
        self.g.add((dataset_ref, DCAT.contactPoint, contact))
        self.g.add((contact, RDF.type, VCARD.Organization))
        if name:
            self.g.add((contact, VCARD.fn, Literal(name)))
        if email:
            self.g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        if organization.get("name"):
            self.g.add((contact, VCARD.hasURL,
                        URIRef(f"{_site()}/organization/{organization['name']}")))

    # --- catalog -----------------------------------------------------------------------------

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: Any) -> None:
        g = self.g
        for publisher in list(g.objects(catalog_ref, DCT.publisher)):
            g.remove((catalog_ref, DCT.publisher, publisher))
        g.add((catalog_ref, DCT.publisher, self._municipality()))
        key = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
        location = _community_uri(key)
        g.add((catalog_ref, DCT.spatial, location))
        g.add((location, RDF.type, DCT.Location))
        g.add((location, DCT.identifier, Literal(key)))
        g.add((location, SKOS.prefLabel, Literal(tk.config["ckanext.hueyapan.municipio.nombre"],
                                                 lang="es")))
        g.add((catalog_ref, DCT.language,
               URIRef("http://publications.europa.eu/resource/authority/language/SPA")))
        g.set((catalog_ref, DCT.license, URIRef(
            tk.config.get("ckanext.hueyapan.licencia_predeterminada") or LIBRE_USO_MX)))


def _municipal_boundary() -> dict[str, Any]:
    from ckanext.hueyapan.comunidades import boundary_geojson

    return boundary_geojson()
