"""DCAT profile ``hueyapan_dcat`` (ckanext-dcat): our fields in the catalog's RDF.

It runs after ``euro_dcat_ap_2`` (``ckanext.dcat.rdf.profiles = euro_dcat_ap_2 hueyapan_dcat``),
which writes the standard dataset, distribution and catalog triples, and adds or replaces:

* ``dct:spatial``: one ``dct:Location`` per community, identified by the permanent address of
  its page (``/comunidad/<INEGI key>``), with ``dct:identifier`` = the INEGI key, its name and
  its point (or, for the whole municipality, the municipal boundary) as ``locn:geometry``;
* ``dct:temporal``: the obra's start and scheduled end (else its fiscal year), the programme's
  validity, the call's opening and closing dates;
* ``dct:publisher``: the municipal area (organization) as ``foaf:Organization``, part of the
  municipality, both of ADMS publisher type LocalAuthority;
* ``dct:license`` on the dataset and on each distribution without one: the dataset's licence
  (package_show gives a dataset that names none the catalog's, ``licencias.py``), a
  ``dct:LicenseDocument`` labelled with its title in the licence register and typed with its
  ADMS licence types (``tipos_adms`` in ``data/licencias.json``);
* ``dcat:contactPoint``: the maintainer's e-mail when there is one, else the area, with the
  area's page;
* ``dct:format`` as an IRI of the EU file-type authority table and ``dcat:mediaType`` as an IANA
  media-type IRI, each with the label staff wrote (a format outside the table stays a labelled
  ``dct:MediaTypeOrExtent``; a media type outside IANA's register is left out);
* the catalog's publisher (the municipality), spatial coverage, language (EU language authority
  IRIs), licence and description.

DCAT-AP 2.1.1's range shapes check the class of every value in the graph itself (no inference),
so the values say what they are: publishers ``foaf:Agent``, licences ``dct:LicenseDocument``,
contact points ``vcard:Kind``, pages ``foaf:Document``, languages ``dct:LinguisticSystem``.
``tests/formatos/test_estandares.py`` validates the output against the standard's own files.
"""
from __future__ import annotations

import datetime
import json
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import DCAT, DCT, FOAF, LOCN, VCARD, RDFProfile

from ckanext.hueyapan.comun.cantidades import fecha
from ckanext.hueyapan.model import Comunidad
from ckanext.hueyapan.registros.comunidades import boundary_geojson
from ckanext.hueyapan.registros.licencias import predeterminada

__all__ = ["HueyapanDCATProfile", "file_type", "media_type"]

_ORG = "http://www.w3.org/ns/org#"
_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
_IANA = "https://www.iana.org/assignments/media-types/"
# ADMS licence types (data/licencias.json "tipos_adms") and publisher types.
_ADMS_LICENCE = "http://purl.org/adms/licencetype/"
_LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
# Their preferred labels in the ADMS vocabularies (a skos:Concept must have one).
_ADMS_LABELS = {"Attribution": "Attribution", "ShareAlike": "Share-alike",
                "PublicDomain": "Public domain", "LocalAuthority": "Local Authority"}
# CKAN's format names (upper case) → code of the EU file-type authority table.
_FILE_TYPES = {
    "CSV": "CSV", "TSV": "TSV", "TXT": "TXT", "JSON": "JSON", "GEOJSON": "GEOJSON",
    "XML": "XML", "KML": "KML", "KMZ": "KMZ", "GML": "GML", "SHP": "SHP", "GPKG": "GPKG",
    "PDF": "PDF", "ZIP": "ZIP", "XLSX": "XLSX", "XLS": "XLS", "ODS": "ODS", "DOCX": "DOCX",
    "DOC": "DOC", "ODT": "ODT", "PPTX": "PPTX", "ODP": "ODP", "HTML": "HTML", "PNG": "PNG",
    "JPEG": "JPEG", "JPG": "JPEG", "GIF": "GIF", "TIFF": "TIFF", "TIF": "TIFF",
    "RDF": "RDF_XML", "RDF/XML": "RDF_XML", "TTL": "RDF_TURTLE", "TURTLE": "RDF_TURTLE",
    "JSON-LD": "JSON_LD", "RTF": "RTF", "SVG": "SVG",
}
# Language codes CKAN uses (ckan.locale_default, dataset "language") → EU language table.
_LANGUAGES = {"es": "SPA", "es_mx": "SPA", "spa": "SPA", "en": "ENG", "eng": "ENG"}
# Top-level types of IANA's media-type register.
_IANA_TOP = ("application", "audio", "font", "image", "message", "model", "multipart", "text",
             "video")


def file_type(name: str) -> URIRef | None:
    """The EU file-type IRI of a CKAN format name ("csv", "GeoJSON" …), or None."""
    code = _FILE_TYPES.get(name.strip().upper())
    return URIRef(_FILE_TYPE + code) if code else None


def media_type(value: str) -> URIRef | None:
    """The IANA IRI of a media type ("text/csv"), or None for one outside IANA's register
    (``x-`` types, names without a top-level type)."""
    value = value.strip().lower().split(";")[0]
    if value.startswith(_IANA):
        return URIRef(value)
    top, _, sub = value.partition("/")
    if top not in _IANA_TOP or not sub or sub.startswith("x-") or " " in value:
        return None
    return URIRef(_IANA + value)


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
            self._replace_publisher(dataset_ref, self._area(organization))
        licence = self._licence(dataset_dict)
        for old in list(g.objects(dataset_ref, DCT.license)):
            g.remove((dataset_ref, DCT.license, old))
        g.add((dataset_ref, DCT.license, licence))
        for distribution in list(g.objects(dataset_ref, DCAT.distribution)):
            if (distribution, DCT.license, None) not in g:
                g.add((distribution, DCT.license, licence))
            self._formats(distribution)
            self._languages(distribution)
        self._contact(dataset_dict, dataset_ref, organization)
        self._languages(dataset_ref)
        for key in ("clave_obra", "clave_programa", "folio"):
            if dataset_dict.get(key):
                g.add((dataset_ref, DCT.identifier, Literal(dataset_dict[key])))
        if (dataset_ref, DCT.description, None) not in g:
            g.add((dataset_ref, DCT.description, Literal(_description(dataset_dict), lang="es")))
        self._classes()

    def _licence(self, dataset_dict: dict[str, Any]) -> Any:
        """The dataset's licence node: its register URL, else (a licence with no address) a
        labelled blank node; a dataset naming none has the catalog's (package_show)."""
        url = dataset_dict.get("license_url")
        if not dataset_dict.get("license_id"):
            url = predeterminada().get("url")
        if url:
            return URIRef(url)
        node = BNode()
        self.g.add((node, RDF.type, DCT.LicenseDocument))
        self.g.add((node, RDFS.label, Literal(dataset_dict.get("license_title")
                                              or dataset_dict["license_id"])))
        return node

    def _replace_publisher(self, subject: Any, publisher: URIRef) -> None:
        """``publisher`` as the only publisher of ``subject``; the one ckanext-dcat wrote goes,
        with its description when nothing else refers to it."""
        g = self.g
        for old in list(g.objects(subject, DCT.publisher)):
            g.remove((subject, DCT.publisher, old))
            if old != publisher and (None, None, old) not in g:
                g.remove((old, None, None))
        g.add((subject, DCT.publisher, publisher))

    def _formats(self, distribution: Any) -> None:
        """dct:format and dcat:mediaType as the IRIs DCAT-AP asks for, labelled."""
        g = self.g
        for value in list(g.objects(distribution, DCT["format"])):
            if isinstance(value, Literal):
                g.remove((distribution, DCT["format"], value))
                node = file_type(str(value)) or BNode()
                g.add((distribution, DCT["format"], node))
                g.add((node, RDF.type, DCT.MediaTypeOrExtent))
                g.add((node, RDFS.label, Literal(str(value))))
        for value in list(g.objects(distribution, DCAT.mediaType)):
            if isinstance(value, Literal):
                g.remove((distribution, DCAT.mediaType, value))
                node = media_type(str(value))
                if node is not None:
                    g.add((distribution, DCAT.mediaType, node))
                    g.add((node, RDF.type, DCT.MediaType))
                    g.add((node, RDFS.label, Literal(str(value))))

    def _languages(self, subject: Any) -> None:
        """Language codes written as literals become EU language authority IRIs."""
        g = self.g
        for value in list(g.objects(subject, DCT.language)):
            if isinstance(value, Literal):
                g.remove((subject, DCT.language, value))
                code = _LANGUAGES.get(str(value).strip().lower().replace("-", "_"))
                if code:
                    g.add((subject, DCT.language, URIRef(_LANGUAGE + code)))
        for value in g.objects(subject, DCT.language):
            g.add((value, RDF.type, DCT.LinguisticSystem))

    def _classes(self) -> None:
        """State the class of every value whose class DCAT-AP's range shapes check and which
        is known from the property (publishers, licences, contact points, pages)."""
        g = self.g
        register = {item.url: item for item in _license_register().values() if item.url}
        for prop, cls in ((DCT.publisher, FOAF.Agent), (DCT.license, DCT.LicenseDocument),
                          (DCAT.contactPoint, VCARD.Kind), (FOAF.homepage, FOAF.Document),
                          (DCAT.landingPage, FOAF.Document), (FOAF.page, FOAF.Document)):
            for value in set(g.objects(None, prop)):
                g.add((value, RDF.type, cls))
                if prop == DCT.license and str(value) in register:
                    licence = register[str(value)]
                    g.set((value, RDFS.label, Literal(licence.title)))
                    for kind in getattr(licence, "tipos_adms", None) or []:
                        g.add((value, DCT.type, URIRef(_ADMS_LICENCE + kind)))
        for cls in (DCT.LicenseDocument, FOAF.Agent):
            for subject in set(g.subjects(RDF.type, cls)):
                for kind in g.objects(subject, DCT.type):
                    g.add((kind, RDF.type, SKOS.Concept))
                    name = str(kind).rsplit("/", 1)[-1]
                    if (kind, SKOS.prefLabel, None) not in g:
                        g.add((kind, SKOS.prefLabel,
                               Literal(_ADMS_LABELS.get(name, name), lang="en")))

    def _spatial(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        from ckan import model

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
        self.g.add((area, DCT.type, _LOCAL_AUTHORITY))
        self.g.add((area, FOAF.name, Literal(organization.get("title") or organization.get("name"),
                                               lang="es")))
        self.g.add((area, URIRef(_ORG + "subOrganizationOf"), self._municipality()))
        return area

    def _municipality(self) -> URIRef:
        cvegeo = tk.config["ckanext.hueyapan.municipio.cvegeo"]
        municipality = URIRef(f"{_site()}/comunidad/{cvegeo}")
        node = URIRef(f"{_site()}/#municipio")
        self.g.add((node, RDF.type, FOAF.Organization))
        self.g.add((node, DCT.type, _LOCAL_AUTHORITY))
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
        self._replace_publisher(catalog_ref, self._municipality())
        key = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
        location = _community_uri(key)
        g.add((catalog_ref, DCT.spatial, location))
        g.add((location, RDF.type, DCT.Location))
        g.add((location, DCT.identifier, Literal(key)))
        g.add((location, SKOS.prefLabel, Literal(tk.config["ckanext.hueyapan.municipio.nombre"],
                                                 lang="es")))
        g.add((catalog_ref, DCT.language, URIRef(_LANGUAGE + "SPA")))
        self._languages(catalog_ref)
        licence = predeterminada()
        g.set((catalog_ref, DCT.license, URIRef(licence["url"])))
        if (catalog_ref, DCT.description, None) not in g:
            g.add((catalog_ref, DCT.description, Literal(
                "Datos abiertos del municipio de "
                f"{tk.config['ckanext.hueyapan.municipio.nombre']}, Veracruz: obras públicas, "
                "programas sociales y convocatorias.", lang="es")))
        self._classes()


_TYPE_NAMES = {"obra": "Obra pública", "programa-social": "Programa social",
               "convocatoria": "Convocatoria"}


def _description(dataset_dict: dict[str, Any]) -> str:
    """DCAT-AP requires a description: the kind of record and its title when staff wrote none."""
    kind = _TYPE_NAMES.get(dataset_dict.get("type") or "", "Datos")
    return (f"{kind}: {dataset_dict.get('title') or dataset_dict.get('name')} "
            f"(municipio de {tk.config['ckanext.hueyapan.municipio.nombre']}, Veracruz).")


def _license_register() -> Any:
    from ckan import model

    return model.Package.get_license_register()


def _municipal_boundary() -> dict[str, Any]:

    return boundary_geojson()
