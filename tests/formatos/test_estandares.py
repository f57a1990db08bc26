"""The catalog's open-format outputs validated against the standards' own published files.

A catalog with every type and every kind of field filled (an obra with contract, consultations,
progress history, amendments and funding; a finished obra for the whole municipality; one in
planning; a programa social; a convocatoria; a plain dataset; resources of many formats, uploaded
and linked) is made through the action API, and its outputs are read through the app:

* DCAT (``/catalog.ttl``, ``/catalog.rdf``, ``/dataset/<id>.ttl`` and ``.rdf``) against the
  DCAT-AP 2.1.1 SHACL files ``_shapes`` and ``_range`` with pySHACL, as given (no inference: the
  range shapes ask the data to state the classes of its values): no violation. The
  ``_shapes_recommended`` warnings are counted (README);
* OC4IDS (``/exportar/oc4ids.json`` and ``/exportar/oc4ids/<name>.json``) against the 0.9.5
  ``project-package-schema.json`` with ``project-schema.json`` registered by its ``id``
  (Draft 4, formats checked), and every code written in a field with a closed codelist against
  that codelist's CSV.

The files are read from ``../shared/standards/`` beside the repository; where that folder is
absent they are downloaded from their official addresses, and the test fails, saying which file
and why, when neither works.
"""
from __future__ import annotations

import csv
import io
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import convocatoria, dia, obra, programa

REPO = Path(__file__).resolve().parents[2]
STANDARDS = REPO.parent / "shared" / "standards"
OC4IDS = "oc4ids-0.9.5"
DCAT_AP = "dcat-ap-2.1.1"
# Official addresses (../shared/standards/README.md): the OC4IDS site for the schemas, and the
# standards' repositories at the commits the shared copies were taken from.
OFFICIAL = {
    f"{OC4IDS}/project-package-schema.json":
        "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-package-schema.json",
    f"{OC4IDS}/project-schema.json":
        "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json",
    f"{OC4IDS}/codelists/": "https://raw.githubusercontent.com/open-contracting/infrastructure/"
                            "74789408afc8c44a72922d2aa5b091cddcb21604/schema/project-level/codelists/",
    f"{DCAT_AP}/": "https://raw.githubusercontent.com/SEMICeu/DCAT-AP/"
                   "7c531da7f154794da620fd0e57a3e8afe0286c0f/releases/2.1.1/",
}
SHAPES = "dcat-ap_2.1.1_shacl_shapes.ttl"
RANGE = "dcat-ap_2.1.1_shacl_range.ttl"
RECOMMENDED = "dcat-ap_2.1.1_shacl_shapes_recommended.ttl"
# _shapes_recommended warnings of this test's catalog, as measured and written in the README.
RECOMMENDED_WARNINGS = 54

AUTH = "Authorization"
CSV = "localidad,cvegeo,mujeres,hombres\nLos Mangos,300730030,64,60\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
       b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


# --- The standards' files -----------------------------------------------------------------------

def official_address(relative: str) -> str:
    if relative in OFFICIAL:
        return OFFICIAL[relative]
    folder, _, name = relative.rpartition("/")
    return OFFICIAL[f"{folder}/"] + name


def find_standard(relative: str, downloads: Path, folder: Path = STANDARDS,
                  address: str | None = None) -> Path:
    """The official file ``relative`` from ``folder``, else downloaded into ``downloads`` from
    its official address; the test fails saying which file and why when neither works."""
    local = folder / relative
    if local.is_file():
        return local
    copy = downloads / relative
    if copy.is_file():
        return copy
    url = address or official_address(relative)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            content = response.read()
    except OSError as error:
        pytest.fail(f"The official file {relative} is neither at {local} nor downloadable "
                    f"from {url} ({error}): copy shared/standards/ beside the repository.")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(content)
    return copy


@pytest.fixture(scope="session")
def standard(tmp_path_factory) -> Any:
    """``standard("oc4ids-0.9.5/project-schema.json")``: the path of that official file."""
    downloads = tmp_path_factory.mktemp("standards")
    return lambda relative: find_standard(relative, downloads)


def test_the_official_files_are_found_or_the_test_says_why(tmp_path):
    """In CI the shared copies are beside the repository; without them and without the official
    address, the test fails (never skips) naming the file."""
    assert find_standard(f"{DCAT_AP}/{RANGE}", tmp_path).is_file()
    assert official_address(f"{OC4IDS}/codelists/projectStatus.csv").endswith(
        "/schema/project-level/codelists/projectStatus.csv")
    with pytest.raises(pytest.fail.Exception, match="project-schema.json is neither at"):
        find_standard(f"{OC4IDS}/project-schema.json", tmp_path, folder=tmp_path / "nada",
                      address="http://127.0.0.1:9/project-schema.json")


# --- A catalog with every type and every kind of field ------------------------------------------

def upload(app, token: str, content: bytes, filename: str, **fields) -> dict[str, Any]:
    response = app.post("/api/3/action/resource_create",
                        data={"upload": (io.BytesIO(content), filename), **fields},
                        headers={AUTH: token}, content_type="multipart/form-data")
    assert response.status_code == 200, response.body
    return response.json["result"]


def linked(user: str, package: dict[str, Any], name: str, url: str, format: str,
           **fields) -> dict[str, Any]:
    return call_action("resource_create", {"user": user, "ignore_auth": False},
                       package_id=package["id"], name=name, url=url, format=format, **fields)


@pytest.fixture
def catalogo(app, with_plugins, clean_index, comunidades) -> dict[str, dict[str, Any]]:
    admin = factories.SysadminWithToken(name="estandares-admin")
    ctx = lambda: {"user": admin["name"], "ignore_auth": False}  # noqa: E731
    obras = factories.Organization(name="obras-publicas", title="Obras Públicas", image_url="")
    social = factories.Organization(name="desarrollo-social", title="Desarrollo Social",
                                    image_url="")
    conv = call_action("package_create", ctx(), **convocatoria(
        obras, notes="Convocatoria (datos de ejemplo).", publico_objetivo="Agentes municipales",
        requisitos=["Acta de asamblea", "Croquis"], documentos_requeridos=["Identificación"],
        fecha_publicacion=dia(-20), fecha_apertura=dia(-10), fecha_cierre=dia(10),
        fecha_visita_sitio=dia(-5), fecha_junta_aclaraciones=dia(-3),
        fecha_apertura_propuestas=dia(11), fecha_resultados=dia(20),
        lugar_entrega="Palacio municipal", contacto="participacion@example.org",
        resultados_recibidas="12", resultados_aprobadas="4", resultados_rechazadas="8",
        resultados_mujeres="7", resultados_hombres="5",
        fundamento_legal=["ley_698_veracruz"], license_id="cc-by"))
    en_obra = call_action("package_create", ctx(), **obra(
        obras, etapa="ejecucion", notes="Pavimentación con concreto hidráulico (datos de ejemplo).",
        direccion_referencia="Calle principal, entre la escuela y la agencia municipal",
        spatial=json.dumps({"type": "Point", "coordinates": [-95.1441, 18.0723]}),
        modalidad_fais="construccion", sector="transport.urban", beneficiarios_total="420",
        beneficiarios_mujeres="220", beneficiarios_hombres="200", beneficiarios_indigenas="35",
        consultas=[{"fecha": "2025-02-10", "lugar": "Agencia municipal de Los Mangos",
                    "asistentes_mujeres": "41", "asistentes_hombres": "37",
                    "acta": "https://example.org/acta-consulta.pdf"}],
        fuentes_financiamiento=[{"fuente": "fism", "monto": "$1,000,000"},
                                {"fuente": "aportacion_comunitaria", "monto": "$234,567.89"}],
        monto_modificado="$1,300,000", monto_ejercido="$600,000",
        modalidad_contratacion="licitacion_publica",
        contratista_razon_social="Constructora Ejemplo SA de CV", contratista_rfc="CEJ010101AB1",
        contrato_numero="HUE-OP-2025-013", contrato_fecha="2025-02-20",
        monto_contratado="1,200,000", avance_fisico="45", avance_financiero="30",
        historial_avance=[{"fecha": "2025-04-30", "avance_fisico": "5", "avance_financiero": "5",
                           "nota": "Trazo y nivelación"},
                          {"fecha": "2025-05-31", "avance_fisico": "20",
                           "avance_financiero": "10"}],
        convenios_modificatorios=[{"numero": "CM-01", "fecha": "2025-06-15",
                                   "objeto": "Ampliación de metas", "monto": "$100,000",
                                   "plazo": "30 días"}],
        comite_contraloria_social="Comité de Los Mangos",
        mecanismos_vigilancia=["contraloria_social", "supervision_obra"],
        fundamento_legal=["lcf_fais"], convocatoria_origen=[conv["name"]],
        maintainer="Dirección de Obras Públicas", maintainer_email="obras@example.org"))
    concluida = call_action("package_create", ctx(), **obra(
        obras, name="camino-2024", clave_obra="HUE-2024-FISM-001", ejercicio_fiscal="2024",
        title="Camino saca cosechas 2024", comunidades=["30073"], etapa="finiquitada",
        sector="transport.road", rubro_fais="urbanizacion",
        consultas=[{"fecha": "2024-01-15", "lugar": "Palacio municipal",
                    "asistentes_mujeres": "30", "asistentes_hombres": "25"}],
        modalidad_contratacion="adjudicacion_directa", contrato_numero="HUE-OP-2024-001",
        contratista_razon_social="Caminos del Sur SA de CV", monto_contratado="900,000",
        fecha_inicio="2024-02-01", fecha_termino_programada="2024-06-30",
        fecha_termino_real="2024-07-15", monto_final="$950,000", avance_fisico="100",
        avance_financiero="100"))
    planeada = call_action("package_create", ctx(), **obra(
        obras, name="pozo-el-aguacate", clave_obra="HUE-2026-FISM-002", ejercicio_fiscal="2026",
        title="Pozo profundo de El Aguacate", comunidades=["300730029", "300730030"],
        rubro_fais="agua_potable", sector="waterAndWaste", fecha_inicio="2026-06-01",
        fecha_termino_programada="2026-12-15"))
    prog = call_action("package_create", ctx(), **programa(
        social, notes="Entrega de semilla mejorada (datos de ejemplo).",
        objetivo_general="Aumentar el rendimiento del maíz.", objetivos_especificos="* Semilla",
        poblacion_objetivo="Productores de maíz", enfoque=["indigena", "genero"],
        requisitos=["Credencial de productor"], criterios_elegibilidad="Hasta 5 hectáreas",
        procedimiento_acceso="Solicitud en ventanilla",
        apoyo_por_beneficiario=[{"descripcion": "Paquete de semilla", "monto": "$1,500",
                                 "tipo": "especie"}],
        monto_modificado="450,000", monto_ejercido="300,000",
        metas=[{"descripcion": "Productores apoyados", "cantidad": "280", "unidad": "personas"}],
        beneficiarios=[{"comunidad": "300730029", "mujeres": "64", "hombres": "60",
                        "total": "124"}],
        mecanismos_queja="Buzón en el palacio municipal", mecanismos_exigibilidad="Escrito libre",
        evaluaciones=[{"instancia": "Contraloría", "fecha": "2025-12-01",
                       "resultado": "Satisfactorio", "documento": "https://example.org/ev.pdf"}],
        reglas_operacion="https://example.org/reglas.pdf", fundamento_legal=["lcf_fais"],
        license_id="cc-by-sa"))
    generico = call_action("package_create", ctx(), type="dataset", name="presupuesto-2025",
                           title="Presupuesto de egresos 2025", owner_org=obras["id"],
                           notes="Presupuesto aprobado por el cabildo (datos de ejemplo).",
                           comunidades=["30073"], tag_string="presupuesto,egresos",
                           url="https://example.org/presupuesto", version="1.0",
                           author="Tesorería", author_email="tesoreria@example.org",
                           maintainer="Tesorería municipal",
                           maintainer_email="tesoreria@example.org")

    upload(app, admin["token"], CSV.encode(), "avance.csv", package_id=en_obra["id"],
           name="Avance físico", tipo_recurso="informe_avance")
    upload(app, admin["token"], PNG, "fachada.png", package_id=en_obra["id"],
           name="Fotografía de la obra", tipo_recurso="evidencia_fotografica")
    linked(admin["name"], en_obra, "Contrato (versión pública)", "https://example.org/contrato.pdf",
           "PDF", tipo_recurso="contrato")
    linked(admin["name"], en_obra, "Trazo", "https://example.org/trazo.geojson", "GeoJSON",
           tipo_recurso="datos")
    linked(admin["name"], en_obra, "Trazo en KML", "https://example.org/trazo.kml", "KML",
           tipo_recurso="otro")
    linked(admin["name"], concluida, "Finiquito", "https://example.org/finiquito.pdf", "PDF",
           tipo_recurso="finiquito")
    linked(admin["name"], concluida, "Estimaciones", "https://example.org/estimaciones.xlsx",
           "XLSX", tipo_recurso="datos")
    upload(app, admin["token"], CSV.encode(), "beneficiarios.csv", package_id=prog["id"],
           name="Beneficiarios por comunidad", tipo_recurso="beneficiarios_agregados")
    linked(admin["name"], prog, "Reglas de operación", "https://example.org/reglas.pdf", "PDF",
           tipo_recurso="reglas_operacion")
    linked(admin["name"], conv, "Bases", "https://example.org/bases.docx", "DOCX",
           tipo_recurso="bases")
    linked(admin["name"], generico, "Egresos", "https://example.org/egresos.json", "JSON")
    linked(admin["name"], generico, "Egresos (ZIP)", "https://example.org/egresos.zip", "ZIP")
    linked(admin["name"], generico, "Portal estatal", "https://www.veracruz.gob.mx/finanzas/",
           "HTML")
    linked(admin["name"], generico, "Capas", "https://example.org/capas.shp", "SHP")
    linked(admin["name"], generico, "Sin formato", "https://example.org/descarga", "")
    return {"obra": en_obra, "concluida": concluida, "planeada": planeada, "programa": prog,
            "convocatoria": conv, "dataset": generico}


# --- DCAT-AP 2.1.1 -------------------------------------------------------------------------------

def shacl(data: Graph, shapes: Path) -> tuple[int, int, str]:
    """Violations and warnings of ``data`` against the shapes file, and a summary of the
    results: how many of each (severity, property, message, value)."""
    from collections import Counter

    from pyshacl import validate
    from rdflib.namespace import SH

    shapes_graph = Graph().parse(shapes, format="turtle")
    _, report, _ = validate(data, shacl_graph=shapes_graph, inference="none",
                            abort_on_first=False, allow_warnings=True, meta_shacl=False)
    assert isinstance(report, Graph)  # pyshacl's report is a graph unless asked for text
    results = Counter()
    for result in report.subjects(SH.resultSeverity, None):
        results[(str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1],
                 str(report.value(result, SH.resultPath)),
                 str(report.value(result, SH.resultMessage)),
                 str(report.value(result, SH.value))[:80])] += 1
    violations = sum(n for key, n in results.items() if key[0] == "Violation")
    warnings = sum(n for key, n in results.items() if key[0] == "Warning")
    summary = "\n".join(f"{n} × {' | '.join(key)}" for key, n in results.most_common())
    return violations, warnings, summary


def rdf(app, url: str) -> Graph:
    response = app.get(url)
    assert response.status_code == 200, url
    fmt = "turtle" if url.endswith(".ttl") else "xml"
    return Graph().parse(data=response.body, format=fmt)


def dcat_urls(catalogo: dict[str, dict[str, Any]]) -> Iterator[str]:
    for extension in ("ttl", "rdf"):
        yield f"/catalog.{extension}"
        for dataset in catalogo.values():
            yield f"/dataset/{dataset['name']}.{extension}"


def test_dcat_conforms_to_the_dcat_ap_shapes_and_ranges(app, catalogo, standard):
    failures = []
    for url in dcat_urls(catalogo):
        graph = rdf(app, url)
        assert len(graph) > 20, url
        for shapes in (SHAPES, RANGE):
            violations, _, text = shacl(graph, standard(f"{DCAT_AP}/{shapes}"))
            if violations:
                failures.append(f"{url} against {shapes}: {violations} violations\n{text[:3000]}")
    assert not failures, "\n\n".join(failures)


def test_dcat_recommended_properties(app, catalogo, standard):
    """DCAT-AP's recommended properties this catalog lacks (``_shapes_recommended`` warnings on
    /catalog.ttl: resources without a description, places without centroid or bounding box, no
    theme taxonomy …) are counted; the README gives the figure, and it may only go down."""
    from collections import Counter

    violations, warnings, text = shacl(rdf(app, "/catalog.ttl"),
                                       standard(f"{DCAT_AP}/{RECOMMENDED}"))
    by_property = Counter()
    for line in text.splitlines():
        count, _, rest = line.partition(" × ")
        by_property[rest.split(" | ")[1].rsplit("/", 1)[-1]] += int(count)
    print(f"\n_shapes_recommended on /catalog.ttl: {warnings} warnings, {violations} violations,"
          f" by property: {dict(by_property.most_common())}")
    assert violations == 0, text
    assert warnings <= RECOMMENDED_WARNINGS, text


def test_formats_media_types_languages_and_licences_are_iris_with_labels(app, catalogo):
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

    graph = rdf(app, "/catalog.ttl")
    formats = set(graph.objects(None, DCTERMS.format))
    assert URIRef("http://publications.europa.eu/resource/authority/file-type/CSV") in formats
    assert URIRef("http://publications.europa.eu/resource/authority/file-type/PDF") in formats
    for node in formats:
        assert (node, RDF.type, DCTERMS.MediaTypeOrExtent) in graph
        assert graph.value(node, RDFS.label) is not None, node
    media = set(graph.objects(None, DCAT.mediaType))
    assert URIRef("https://www.iana.org/assignments/media-types/text/csv") in media
    assert all(isinstance(node, URIRef) for node in media)
    for node in set(graph.objects(None, DCTERMS.language)):
        assert isinstance(node, URIRef) and (node, RDF.type, DCTERMS.LinguisticSystem) in graph
    libre = URIRef("https://datos.gob.mx/libreusomx")
    assert (libre, RDF.type, DCTERMS.LicenseDocument) in graph
    assert (libre, RDFS.label, Literal("Libre Uso MX")) in graph
    attribution = URIRef("http://purl.org/adms/licencetype/Attribution")
    assert (libre, DCTERMS.type, attribution) in graph
    share_alike = URIRef("http://purl.org/adms/licencetype/ShareAlike")
    assert (URIRef("http://www.opendefinition.org/licenses/cc-by-sa"), DCTERMS.type,
            share_alike) in graph
    area = URIRef("http://test.ckan.net/organization/obras-publicas")
    assert (area, DCTERMS.type, URIRef("http://purl.org/adms/publishertype/LocalAuthority")) \
        in graph


# --- OC4IDS 0.9.5 --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def oc4ids_validator(standard) -> Any:
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package = json.loads(standard(f"{OC4IDS}/project-package-schema.json").read_text("utf-8"))
    project = json.loads(standard(f"{OC4IDS}/project-schema.json").read_text("utf-8"))
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in (package, project))
    return Draft4Validator(package, registry=registry,
                           format_checker=Draft4Validator.FORMAT_CHECKER), project


def closed_codes(schema: dict[str, Any], node: dict[str, Any], data: Any,
                 where: str) -> Iterator[tuple[str, str, str]]:
    """(codelist, code, path) of every value ``data`` has in a field with a closed codelist."""
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].rsplit("/", 1)[1]]
    if node.get("codelist") and node.get("openCodelist") is False and data is not None:
        for code in data if isinstance(data, list) else [data]:
            yield node["codelist"], code, where
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if key in node.get("properties", {}):
                yield from closed_codes(schema, node["properties"][key], value, f"{where}.{key}")
    elif isinstance(data, list) and isinstance(node.get("items"), dict):
        for number, item in enumerate(data):
            yield from closed_codes(schema, node["items"], item, f"{where}[{number}]")


def oc4ids_problems(package: dict[str, Any], validator: Any, project_schema: dict[str, Any],
                    standard: Any) -> list[str]:
    problems = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                for error in validator.iter_errors(package)]
    codelists: dict[str, set[str]] = {}
    for number, project in enumerate(package.get("projects") or []):
        for codelist, code, where in closed_codes(project_schema, project_schema, project,
                                                  f"projects[{number}]"):
            if codelist not in codelists:
                with standard(f"{OC4IDS}/codelists/{codelist}").open(encoding="utf-8") as f:
                    codelists[codelist] = {row["Code"] for row in csv.DictReader(f)}
            if code not in codelists[codelist]:
                problems.append(f"{where}: {code!r} is not in the closed codelist {codelist}")
    return problems


def test_the_oc4ids_project_package_is_valid(app, catalogo, oc4ids_validator, standard):
    validator, project_schema = oc4ids_validator
    package = app.get("/exportar/oc4ids.json").json
    assert len(package["projects"]) == 3
    problems = oc4ids_problems(package, validator, project_schema, standard)
    assert problems == [], "\n".join(problems)
    codes = {(codelist, code) for project in package["projects"]
             for codelist, code, _ in closed_codes(project_schema, project_schema, project, "")}
    # the closed codelists are really exercised: statuses, contracts, methods, geometries, money
    assert {("projectStatus.csv", "implementation"), ("projectStatus.csv", "completion"),
            ("projectStatus.csv", "identification"), ("currency.csv", "MXN"),
            ("contractNature.csv", "construction"), ("method.csv", "open"),
            ("method.csv", "direct"), ("geometryType.csv", "Point"),
            ("projectType.csv", "construction")} <= codes
    en_obra = next(p for p in package["projects"] if p["id"].endswith("HUE-2025-FISM-013"))
    [amendment] = en_obra["contractingProcesses"][0]["summary"]["modifications"]
    assert amendment == {"id": "CM-01", "date": "2025-06-15T00:00:00Z", "type": "value",
                         "description": "Ampliación de metas · $ 100,000.00 MXN · 30 días"}
    assert package["license"] == "https://datos.gob.mx/libreusomx"


@pytest.mark.parametrize("obra_key", ["obra", "concluida", "planeada"])
def test_each_oc4ids_project_is_valid(app, catalogo, oc4ids_validator, standard, obra_key):
    validator, project_schema = oc4ids_validator
    package = app.get(f"/exportar/oc4ids/{catalogo[obra_key]['name']}.json").json
    assert len(package["projects"]) == 1
    problems = oc4ids_problems(package, validator, project_schema, standard)
    assert problems == [], "\n".join(problems)


def test_the_validation_catches_what_the_standards_refuse(app, catalogo, oc4ids_validator,
                                                          standard):
    """The checks can fail: a status outside the codelist and a project without id are caught."""
    validator, project_schema = oc4ids_validator
    package = app.get("/exportar/oc4ids.json").json
    package["projects"][0]["status"] = "planeacion"
    del package["projects"][1]["id"]
    problems = oc4ids_problems(package, validator, project_schema, standard)
    assert any("'planeacion' is not in the closed codelist projectStatus.csv" in p
               for p in problems), problems
    assert any("'id' is a required property" in p for p in problems), problems
    graph = rdf(app, "/catalog.ttl")
    from rdflib.namespace import FOAF, RDF

    for agent in list(graph.subjects(RDF.type, FOAF.Agent)):
        graph.remove((agent, RDF.type, FOAF.Agent))
    violations, _, _ = shacl(graph, standard(f"{DCAT_AP}/{RANGE}"))
    assert violations > 0
