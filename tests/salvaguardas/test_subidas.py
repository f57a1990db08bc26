"""Uploaded files through the real upload path (multipart POSTs to the action API, as browsers and
API clients send them): size limits, and what a file really is, read from its content.

Every file here is tiny and synthetic. A refused upload must leave nothing behind: no resource,
no organization, no changed user, and no new file in CKAN's storage.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra as obra_data

AUTH = "Authorization"
MB = 1024 * 1024

CSV = b"localidad,cvegeo,mujeres,hombres\nLos Mangos,300730030,64,60\nEl Aguacate,300730001,10,12\n"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html>\n<html><body><script>window.__xss=1</script></body></html>\n"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b"<script>window.__xss=1</script><circle r=\"5\"/></svg>")
KML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
       b"<Placemark><name>Los Mangos</name><Point><coordinates>-95.06,18.15</coordinates>"
       b"</Point></Placemark></kml>\n")
KML_CON_XHTML = KML.replace(
    b"<name>Los Mangos</name>",
    b'<name>Los Mangos</name><h:script xmlns:h="http://www.w3.org/1999/xhtml">'
    b"window.__xss=1</h:script>")
KML_CON_ESTILO = KML.replace(
    b"?>\n", b'?>\n<?xml-stylesheet type="text/xsl" href="data:text/xsl,x"?>\n', 1)
GEOJSON = json.dumps({"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"localidad": "Los Mangos"},
    "geometry": {"type": "Point", "coordinates": [-95.06, 18.15]}}]}).encode()
EXE = b"MZ\x90\x00\x03" + b"\x00" * 59 + b"PE\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 120


def _image(fmt: str, size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, fmt)
    return buffer.getvalue()


def _zip(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["localidad", "mujeres", "hombres"])
    workbook.active.append(["Los Mangos", 64, 60])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored_files() -> set[str]:
    """Every file in CKAN's storage of the test configuration (resources and images)."""
    root = Path(tk.config["ckan.storage_path"])
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def obra(with_plugins, clean_index, comunidades):
    """A sysadmin with an API token, an área and one obra without resources."""
    user = factories.SysadminWithToken()
    org = factories.Organization(name="obras-publicas")
    dataset = call_action("package_create", {"user": user["name"]}, **obra_data(org))
    return user, dataset


def upload(app, user, dataset, content: bytes, filename: str, content_type: str | None = None,
           **fields):
    """``resource_create`` with a file, as a multipart form (the part's type from its name,
    unless ``content_type`` is given)."""
    part = ((io.BytesIO(content), filename, content_type) if content_type
            else (io.BytesIO(content), filename))
    data = {"package_id": dataset["id"], "name": filename, "upload": part, **fields}
    return app.post("/api/3/action/resource_create", data=data,
                    headers={AUTH: user["token"]}, content_type="multipart/form-data")


def resources_of(dataset) -> list[dict]:
    return call_action("package_show", id=dataset["id"])["resources"]


# --- Accepted -------------------------------------------------------------------------------------

ACCEPTED = [
    ("beneficiarios.csv", CSV),
    ("acta-de-consulta.pdf", PDF),
    ("avance.xlsx", _xlsx()),
    ("ubicacion.kml", KML),
    ("ubicacion.geojson", GEOJSON),
    ("trazo-shp.zip", _zip(("trazo.shp", b"\x00\x00\x27\x0a"), ("trazo.dbf", b"\x03"))),
    ("avance-fotografico.png", _image("PNG")),
    ("avance-fotografico.webp", _image("WEBP")),
    ("notas.txt", "Acta de la sesión de cabildo.\n".encode()),
]


@pytest.mark.parametrize("filename, content", ACCEPTED, ids=[name for name, _ in ACCEPTED])
def test_data_documents_and_pictures_are_accepted_and_stored(app, obra, filename, content):
    user, dataset = obra
    before = stored_files()
    response = upload(app, user, dataset, content, filename)
    assert response.status_code == 200, response.body
    resource = response.json["result"]
    assert resource["url_type"] == "upload"
    assert len(stored_files() - before) == 1
    assert [r["id"] for r in resources_of(dataset)] == [resource["id"]]


def test_an_accepted_file_is_served_back_unchanged(app, obra):
    user, dataset = obra
    resource = upload(app, user, dataset, PDF, "acta-de-consulta.pdf").json["result"]
    served = app.get(f"/obra/{dataset['name']}/resource/{resource['id']}/download/"
                     "acta-de-consulta.pdf")
    assert served.status_code == 200
    assert served.data == PDF
    assert served.headers["Content-Type"].startswith("application/pdf")


# --- Refused by what the file is ------------------------------------------------------------------

WEB_OR_PROGRAM = "no acepta páginas web, imágenes SVG, scripts ni programas"
REFUSED = [
    # (id, file name, content, declared part type, text the message must hold)
    ("html-renombrado-csv", "beneficiarios.csv", HTML, None, "es una página web (HTML)"),
    ("svg-con-script", "croquis.svg", SVG, None, "es una imagen SVG"),
    ("svg-renombrado-png", "croquis.png", SVG, None, "es una imagen SVG"),
    ("xhtml-en-kml", "ubicacion.kml", KML_CON_XHTML, None, WEB_OR_PROGRAM),
    ("hoja-de-estilo-en-kml", "ubicacion.kml", KML_CON_ESTILO, None, WEB_OR_PROGRAM),
    ("exe-renombrado-pdf", "acta.pdf", EXE, None, "es un programa o un script"),
    ("csv-llamado-html", "beneficiarios.html", CSV, None, "es una página web (HTML)"),
    ("csv-llamado-js", "beneficiarios.js", CSV, None, WEB_OR_PROGRAM),
    ("csv-declarado-html", "beneficiarios.csv", CSV, "text/html", "es una página web (HTML)"),
    ("binario-desconocido", "trazo.zip", ELF, None, "un tipo que el catálogo no acepta"),
    ("xml-mal-formado", "ubicacion.kml", KML[:-20], None, "no es un XML bien formado"),
]


@pytest.mark.parametrize("filename, content, declared, expected",
                         [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_a_file_that_is_not_data_is_refused_and_nothing_is_stored(
        app, obra, filename, content, declared, expected):
    user, dataset = obra
    before = stored_files()
    response = upload(app, user, dataset, content, filename, content_type=declared)
    assert response.status_code == 409, response.body
    message = " ".join(response.json["error"]["url"])
    assert f"«{filename}»" in message and expected in message, message
    assert resources_of(dataset) == []
    assert stored_files() == before


def test_the_message_lists_the_accepted_formats(app, obra):
    user, dataset = obra
    response = upload(app, user, dataset, ELF, "trazo.zip")
    message = response.json["error"]["url"][0]
    for name in ("CSV", "XLSX", "ODS", "JSON", "XML (KML, GML)", "PDF", "DOCX", "ZIP (SHP, KMZ)",
                 "PNG", "WebP"):
        assert name in message, message


@pytest.mark.ckan_config("ckanext.hueyapan.subidas.tipos_recurso", "application/pdf text/html")
def test_web_pages_stay_refused_even_when_the_option_lists_them(app, obra):
    user, dataset = obra
    assert upload(app, user, dataset, PDF, "acta.pdf").status_code == 200
    refused = upload(app, user, dataset, HTML, "pagina.html")
    assert refused.status_code == 409
    assert "página web" in refused.json["error"]["url"][0]
    only_pdf = upload(app, user, dataset, CSV, "beneficiarios.csv")
    assert only_pdf.status_code == 409
    assert "Formatos aceptados: PDF" in only_pdf.json["error"]["url"][0]


def test_a_mimetype_that_browsers_would_run_is_refused(app, obra):
    """The resource's ``mimetype`` is the Content-Type the catalog serves the file with."""
    user, dataset = obra
    before = stored_files()
    response = upload(app, user, dataset, CSV, "beneficiarios.csv", mimetype="text/html")
    assert response.status_code == 409, response.body
    assert "«text/html»" in response.json["error"]["mimetype"][0]
    assert resources_of(dataset) == [] and stored_files() == before


def test_an_uploaded_resource_cannot_be_renamed_or_retyped_into_a_web_page(app, obra):
    user, dataset = obra
    resource = upload(app, user, dataset, CSV, "beneficiarios.csv").json["result"]
    for change in ({"mimetype": "image/svg+xml"}, {"url": "beneficiarios.html"}):
        response = app.post("/api/3/action/resource_patch", json={"id": resource["id"], **change},
                            headers={AUTH: user["token"]})
        assert response.status_code == 409, response.body
    kept = call_action("resource_show", id=resource["id"])
    assert (kept["url"].rsplit("/", 1)[-1], kept["mimetype"]) == ("beneficiarios.csv", "text/csv")


def test_replacing_a_file_with_a_web_page_keeps_the_original(app, obra):
    user, dataset = obra
    resource = upload(app, user, dataset, CSV, "beneficiarios.csv").json["result"]
    before = stored_files()
    response = app.post("/api/3/action/resource_update", data={
        "id": resource["id"], "package_id": dataset["id"], "name": "beneficiarios.csv",
        "upload": (io.BytesIO(HTML), "beneficiarios.csv")},
        headers={AUTH: user["token"]}, content_type="multipart/form-data")
    assert response.status_code == 409, response.body
    assert stored_files() == before
    served = app.get(f"/obra/{dataset['name']}/resource/{resource['id']}/download/"
                     "beneficiarios.csv")
    assert served.data == CSV


# --- Size -----------------------------------------------------------------------------------------

@pytest.mark.ckan_config("ckan.max_resource_size", 1)
def test_a_file_one_byte_over_the_limit_is_refused_with_the_limit(app, obra):
    user, dataset = obra
    before = stored_files()
    too_big = CSV + b"x" * (MB + 1 - len(CSV))
    response = upload(app, user, dataset, too_big, "padron-completo.csv")
    assert response.status_code == 409, response.body
    assert response.json["error"]["url"] == [
        "El archivo «padron-completo.csv» pesa más de 1 MB, el máximo para el archivo de un "
        "recurso"]
    assert resources_of(dataset) == [] and stored_files() == before


@pytest.mark.ckan_config("ckan.max_resource_size", 1)
def test_a_file_of_exactly_the_limit_is_accepted(app, obra):
    user, dataset = obra
    response = upload(app, user, dataset, PDF + b"\n" * (MB - len(PDF)), "informe.pdf")
    assert response.status_code == 200, response.body
    assert response.json["result"]["size"] == MB


# --- The resource form ----------------------------------------------------------------------------

def test_the_resource_form_shows_the_refusal_on_the_file_field(app, obra):
    """Through the web form as staff use it (session cookie and the form's CSRF token)."""
    from tests.sesion import csrf_token, log_in

    user, dataset = obra
    log_in(app, user["name"])
    form_url = f"/obra/{dataset['name']}/resource/new"
    token = csrf_token(app.get(form_url))
    page = app.post(form_url, data={
        "_csrf_token": token, "id": "", "name": "Padrón", "save": "again",
        "upload": (io.BytesIO(HTML), "padron.csv")}, content_type="multipart/form-data")
    assert page.status_code == 200
    assert "es una página web (HTML)" in page.get_data(as_text=True)
    assert resources_of(dataset) == []


# --- Organization and user images -----------------------------------------------------------------

def image_files(kind: str) -> set[str]:
    return {name for name in stored_files() if name.startswith(f"storage/uploads/{kind}/")}


@pytest.fixture
def sysadmin(with_plugins, clean_db_all):
    return factories.SysadminWithToken()


def create_org(app, user, content: bytes, filename: str):
    return app.post("/api/3/action/organization_create", data={
        "name": "obras-publicas", "title": "Obras Públicas",
        "image_upload": (io.BytesIO(content), filename)},
        headers={AUTH: user["token"]}, content_type="multipart/form-data")


@pytest.mark.parametrize("filename, content", [
    ("escudo.png", _image("PNG")), ("escudo.jpg", _image("JPEG")), ("escudo.gif", _image("GIF")),
    ("escudo.webp", _image("WEBP")),
])
def test_an_organization_image_may_be_a_raster_picture(app, sysadmin, filename, content):
    before = image_files("group")
    response = create_org(app, sysadmin, content, filename)
    assert response.status_code == 200, response.body
    assert len(image_files("group") - before) == 1
    logo = app.get(response.json["result"]["image_display_url"].replace(
        tk.config["ckan.site_url"], ""))
    assert logo.status_code == 200 and logo.data == content


@pytest.mark.parametrize("filename, content", [
    ("escudo.svg", SVG), ("escudo.png", SVG), ("escudo.png", HTML), ("escudo.png", PDF),
    ("escudo.png", _image("PNG")[:40]), ("escudo.bmp", _image("BMP")),
    ("escudo.html", _image("PNG")),
], ids=["svg", "svg-renombrado", "html-renombrado", "pdf-renombrado", "png-truncado", "bmp",
        "png-llamado-html"])
def test_an_organization_image_that_is_not_a_picture_is_refused(app, sysadmin, filename, content):
    before = image_files("group")
    response = create_org(app, sysadmin, content, filename)
    assert response.status_code == 409, response.body
    assert response.json["error"]["image_url"] == [
        f"El archivo «{filename}» no es una imagen en uno de estos formatos: PNG, JPEG, GIF, "
        "WebP"]
    assert call_action("organization_list") == []
    assert image_files("group") == before


@pytest.mark.ckan_config("ckan.max_image_size", 1)
def test_an_organization_image_over_the_limit_is_refused(app, sysadmin):
    before = image_files("group")
    response = create_org(app, sysadmin, _image("PNG") + b"\x00" * MB, "escudo.png")
    assert response.status_code == 409, response.body
    assert response.json["error"]["image_url"] == [
        "La imagen «escudo.png» pesa más de 1 MB, el máximo para una imagen"]
    assert call_action("organization_list") == []
    assert image_files("group") == before


def test_an_organization_image_cannot_be_replaced_by_an_svg(app, sysadmin):
    created = create_org(app, sysadmin, _image("PNG"), "escudo.png").json["result"]
    before = image_files("group")
    response = app.post("/api/3/action/organization_patch", data={
        "id": created["id"], "image_upload": (io.BytesIO(SVG), "escudo.svg")},
        headers={AUTH: sysadmin["token"]}, content_type="multipart/form-data")
    assert response.status_code == 409, response.body
    assert call_action("organization_show", id=created["id"])["image_url"] == created["image_url"]
    assert image_files("group") == before


@pytest.mark.ckan_config("ckan.max_image_size", 1)
def test_a_user_image_is_checked_like_an_organization_image(app, with_plugins, clean_db_all):
    user = factories.UserWithToken(name="agente-los-mangos", image_url="")
    before = image_files("user")

    def update(content: bytes, filename: str):
        return app.post("/api/3/action/user_patch", data={
            "id": user["id"], "image_upload": (io.BytesIO(content), filename)},
            headers={AUTH: user["token"]}, content_type="multipart/form-data")

    for content, filename in ((SVG, "yo.svg"), (HTML, "yo.png"),
                              (_image("PNG") + b"\x00" * MB, "yo.png")):
        refused = update(content, filename)
        assert refused.status_code == 409, refused.body
        assert f"«{filename}»" in refused.json["error"]["image_url"][0]
    assert call_action("user_show", id=user["id"])["image_url"] in ("", None)
    assert image_files("user") == before

    accepted = update(_image("JPEG"), "yo.jpg")
    assert accepted.status_code == 200, accepted.body
    assert len(image_files("user") - before) == 1


def test_the_default_types_exclude_web_pages_scripts_and_programs():
    """The option's default, as declared (``config_declaration.yaml``)."""
    from ckan.config.declaration import Declaration, Key

    declaration = Declaration()
    declaration.load_plugin("hueyapan")
    default = declaration[Key.from_string("ckanext.hueyapan.subidas.tipos_recurso")].default
    assert default is not None
    assert {"text/csv", "application/pdf", "application/zip", "image/png"} <= set(default)
    assert not {"text/html", "image/svg+xml", "application/javascript", "text/javascript",
                "application/xhtml+xml", "application/x-dosexec"} & set(default)


# --- XML a browser would run, whatever libmagic reads (issue 16) ---------------------------------

#: An XHTML script in a file without ``<?xml``: libmagic reads it as plain text.
XML_CON_SCRIPT = (b'<datos xmlns="urn:hueyapan:avance"><x:script '
                  b'xmlns:x="http://www.w3.org/1999/xhtml">fetch("/xss-ran")</x:script></datos>\n')


def _store_legacy(resource: dict, content: bytes, mimetype: str) -> None:
    """Put ``content`` and ``mimetype`` on an uploaded resource behind the checks, as a file
    stored before they existed would be."""
    from ckan import model
    from ckan.lib import search, uploader

    Path(uploader.get_resource_uploader(resource).get_path(resource["id"])).write_bytes(content)
    model.Resource.get(resource["id"]).mimetype = mimetype
    model.repo.commit()
    search.rebuild(resource["package_id"])  # package_show answers from the index


@pytest.mark.parametrize("filename, declared, fields", [
    ("avance.xml", None, {}),
    ("avance.txt", "application/xml", {}),
    ("avance.txt", None, {"mimetype": "application/xml"}),
    ("avance.txt", None, {"mimetype": "application/atom+xml"}),
    ("avance.txt", None, {}),
], ids=["nombre-xml", "tipo-declarado-xml", "mimetype-xml", "mimetype-mas-xml", "solo-contenido"])
def test_xml_with_an_xhtml_script_is_refused_without_an_xml_declaration(
        app, obra, filename, declared, fields):
    user, dataset = obra
    before = stored_files()
    response = upload(app, user, dataset, XML_CON_SCRIPT, filename, content_type=declared,
                      **fields)
    assert response.status_code == 409, response.body
    assert WEB_OR_PROGRAM in " ".join(response.json["error"]["url"])
    assert resources_of(dataset) == [] and stored_files() == before


def test_a_text_file_cannot_be_retyped_as_xml_to_run_its_script(app, obra):
    """The variant: upload a ``.txt``, then ``resource_patch`` its ``mimetype`` alone."""
    user, dataset = obra
    notas = b"Notas de campo\n" + XML_CON_SCRIPT
    resource = upload(app, user, dataset, notas, "notas.txt").json["result"]

    def retype(mimetype: str):
        return app.post("/api/3/action/resource_patch",
                        json={"id": resource["id"], "mimetype": mimetype},
                        headers={AUTH: user["token"]})

    for mimetype in ("application/xml", "text/xml", "application/rss+xml"):
        response = retype(mimetype)
        assert response.status_code == 409, response.body
        assert "no es un XML bien formado" in response.json["error"]["mimetype"][0]
    # a file stored before the checks existed, with the script alone: the stored file is read
    _store_legacy(resource, XML_CON_SCRIPT, "text/plain")
    response = retype("application/xml")
    assert response.status_code == 409, response.body
    assert WEB_OR_PROGRAM in response.json["error"]["mimetype"][0]
    assert call_action("resource_show", id=resource["id"])["mimetype"] == "text/plain"
    # an XML file without active content may be typed as XML
    kml = upload(app, user, dataset, KML.split(b"\n", 1)[1], "ubicacion.txt").json["result"]
    response = app.post("/api/3/action/resource_patch",
                        json={"id": kml["id"], "mimetype": "application/vnd.google-earth.kml+xml"},
                        headers={AUTH: user["token"]})
    assert response.status_code == 200, response.body


def test_uploaded_files_are_served_as_inert_downloads(app, obra):
    """Whatever reached the storage: nosniff, a sandbox policy, and XML as an attachment."""
    user, dataset = obra
    resource = upload(app, user, dataset, b"Notas\n", "avance.txt").json["result"]
    _store_legacy(resource, XML_CON_SCRIPT, "application/xml")
    served = app.get(f"/obra/{dataset['name']}/resource/{resource['id']}/download/avance.txt")
    assert served.status_code == 200 and served.data == XML_CON_SCRIPT
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"].startswith("sandbox;")
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "avance.txt" in served.headers["Content-Disposition"]

    csv_resource = upload(app, user, dataset, CSV, "beneficiarios.csv").json["result"]
    served = app.get(f"/obra/{dataset['name']}/resource/{csv_resource['id']}/download")
    assert served.data == CSV
    assert served.headers["Content-Security-Policy"].startswith("sandbox;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert not served.headers.get("Content-Disposition", "").startswith("attachment")
