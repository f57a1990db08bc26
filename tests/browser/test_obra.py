"""Acceptance test of the `obra` dataset type, in a real browser.

A staff member, editor of the department "Obras Públicas", registers a public work through the
web forms: a badly written amount is refused with a Spanish message on the form, the corrected
amount is accepted, a photo and a PDF are uploaded as resources, and the work is then found in the
catalog under the facet of its community, "Los Mangos" (INEGI 300730030).
"""
from __future__ import annotations

import io
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import click_and_wait, visit

PASSWORD = "Obras-Hueyapan-2025"
TITULO = "Rehabilitación del camino de acceso a Los Mangos"
CLAVE = "HUE-2025-FISM-007"
MONTO_MAL_ESCRITO = "12,34,5.x"
MONTO = "$1,234,567.89"
# The Spanish message of the hueyapan_monto validator (ckanext/hueyapan/logic/validators.py,
# translated in ckanext/hueyapan/i18n/es/LC_MESSAGES/ckanext-hueyapan.po).
ERROR_MONTO = (
    "Monto no válido «12,34,5.x»: escriba una cantidad en pesos, "
    "por ejemplo 1,234,567.89 o $1,234,567.89"
)
LOS_MANGOS = "300730030"
CABECERA = "300730001"  # Hueyapan de Ocampo, the municipal seat: another obra's community


@pytest.fixture
def foto(tmp_path) -> Path:
    """A small real JPEG as a phone takes it: with the GPS position and the device in EXIF."""
    from PIL import ExifTags, Image, ImageDraw

    image = Image.new("RGB", (320, 240), (146, 188, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 240), fill=(120, 96, 64))  # the dirt road
    draw.polygon([(130, 240), (190, 240), (165, 150), (155, 150)], fill=(90, 90, 90))
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "Motorola"
    exif[ExifTags.Base.Model] = "moto g"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (18.0, 14.0, 31.2)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (95.0, 7.0, 20.7)
    path = tmp_path / "camino-los-mangos.jpg"
    image.save(path, "JPEG", quality=85, exif=exif)
    assert _gps_of(path.read_bytes()), "the test photo should carry a GPS position"
    return path


def _gps_of(jpeg: bytes) -> dict:
    from PIL import ExifTags, Image

    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG"
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF 1.4 with one line of text (cross-reference offsets computed)."""
    content = b"BT /F1 18 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        pdf += b"%010d 00000 n \n" % offset
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, xref
    )
    return bytes(pdf)


@pytest.fixture
def expediente(tmp_path) -> Path:
    path = tmp_path / "expediente-tecnico.pdf"
    path.write_bytes(minimal_pdf("Expediente tecnico HUE-2025-FISM-007"))
    return path


def _field_errors(browser, name: str) -> str:
    """The error text shown next to the form field ``name``."""
    field = browser.find_element(By.ID, f"field-{name}")
    group = field.find_element(By.XPATH, "./ancestor::div[contains(@class, 'form-group')][1]")
    return " ".join(e.text for e in group.find_elements(By.CSS_SELECTOR, ".error-block"))


def _upload_resource(browser, path: Path, name: str) -> None:
    """The resource form as a person uses it: "Subir", choose the file, give it a name."""
    browser.find_element(By.ID, "resource-upload-button").click()
    browser.find_element(By.ID, "field-resource-upload").send_keys(str(path))
    name_input = browser.find_element(By.ID, "field-name")
    name_input.clear()
    name_input.send_keys(name)


@pytest.mark.usefixtures("comunidades")
def test_editor_registers_an_obra_with_photo_and_pdf_found_by_community(
    browser, live_server, screenshot, login, foto, expediente
):
    editora = factories.User(
        name="ana-ruiz", fullname="Ana Ruiz Pérez", password=PASSWORD, image_url=""
    )
    org = factories.Organization(
        name="obras-publicas",
        title="Obras Públicas",
        description="Dirección de Obras Públicas del Ayuntamiento de Hueyapan de Ocampo.",
        image_url="",
        users=[{"name": editora["name"], "capacity": "editor"}],
    )
    # Another obra, in another community, so that the facet has something to leave out.
    otra = call_action(
        "package_create",
        {"user": editora["name"]},
        type="obra",
        name="pavimentacion-calle-hidalgo",
        title="Pavimentación de la calle Hidalgo",
        owner_org=org["id"],
        clave_obra="HUE-2025-FISM-002",
        ejercicio_fiscal="2025",
        etapa="planeacion",
        comunidades=[CABECERA],
    )

    # 1. Log in through the form and open the new-obra form.
    login(editora["name"], PASSWORD)
    visit(browser, live_server + "/obra/new")
    screenshot("formulario-nueva-obra")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    page = browser.find_element(By.TAG_NAME, "body").text
    for label in ("Nombre de la obra", "Clave de la obra", "Ejercicio fiscal", "Comunidades",
                  "Monto aprobado (MXN)"):
        assert label in page, f"the form has no field labelled {label!r}"

    # 2. Fill it in, with a badly written amount.
    browser.find_element(By.ID, "field-title").send_keys(TITULO)
    browser.find_element(By.ID, "field-clave_obra").send_keys(CLAVE)
    browser.find_element(By.ID, "field-ejercicio_fiscal").send_keys("2025")
    Select(browser.find_element(By.ID, "field-etapa")).select_by_visible_text("Planeación")
    chosen_org = Select(browser.find_element(By.ID, "field-organizations"))
    chosen_org.select_by_visible_text("Obras Públicas")
    Select(browser.find_element(By.ID, "field-private")).select_by_visible_text("Público")
    # the community picker: a box that filters the names, a checkbox per community
    browser.find_element(By.CSS_SELECTOR, ".hy-filtro-comunidades").send_keys("los mangos")
    browser.find_element(By.ID, f"field-comunidades-{LOS_MANGOS}-casilla").click()
    comunidad = browser.find_element(By.ID, f"field-comunidades-{LOS_MANGOS}").get_attribute(
        "textContent").strip()
    assert comunidad.startswith("Los Mangos"), comunidad
    browser.find_element(By.ID, "field-monto_aprobado").send_keys(MONTO_MAL_ESCRITO)
    screenshot("datos-con-monto-mal-escrito")
    form = browser.find_element(By.ID, "field-title").find_element(By.XPATH, "./ancestor::form")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit][name=save]"))

    # 3. The form comes back with a Spanish message on the amount, and keeps what was typed.
    screenshot("error-en-monto")
    assert urlsplit(browser.current_url).path.startswith("/obra/new")
    assert ERROR_MONTO in _field_errors(browser, "monto_aprobado")
    summary = browser.find_element(By.CSS_SELECTOR, ".error-explanation").text
    assert "Monto aprobado (MXN)" in summary and ERROR_MONTO in summary
    assert browser.find_element(By.ID, "field-title").get_attribute("value") == TITULO
    assert browser.find_element(By.ID, "field-clave_obra").get_attribute("value") == CLAVE
    selected = [o.get_attribute("textContent").strip() for o in
                browser.find_elements(By.CSS_SELECTOR, "#field-comunidades option:checked")]
    assert browser.find_element(By.ID, f"field-comunidades-{LOS_MANGOS}-casilla").is_selected()
    assert selected == [comunidad], "the form came back with other communities than the one chosen"

    # 4. Correct the amount and go on to the resources.
    amount = browser.find_element(By.ID, "field-monto_aprobado")
    amount.clear()
    amount.send_keys(MONTO)
    screenshot("monto-corregido")
    form = browser.find_element(By.ID, "field-title").find_element(By.XPATH, "./ancestor::form")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit][name=save]"))
    screenshot("formulario-de-recurso")
    path = urlsplit(browser.current_url).path
    refused = browser.find_elements(By.CSS_SELECTOR, ".error-explanation")
    assert path.startswith("/obra/") and path.endswith("/resource/new"), (
        f"the corrected form was not accepted ({browser.current_url}): "
        + (refused[0].text if refused else "no error shown")
    )
    name = path.split("/")[2]

    # 5. A photo, then ("Guardar y agregar otro") a PDF, then finish.
    _upload_resource(browser, foto, "Fotografía del camino antes de la obra")
    screenshot("foto-elegida")
    click_and_wait(browser, browser.find_element(
        By.CSS_SELECTOR, "button[type=submit][name=save][value=again]"))
    screenshot("segundo-recurso")
    assert urlsplit(browser.current_url).path == f"/obra/{name}/resource/new"
    _upload_resource(browser, expediente, "Expediente técnico")
    screenshot("pdf-elegido")
    click_and_wait(browser, browser.find_element(
        By.CSS_SELECTOR, "button[type=submit][name=save][value=go-metadata]"))
    screenshot("obra-publicada")
    assert urlsplit(browser.current_url).path == f"/obra/{name}"
    page = browser.find_element(By.TAG_NAME, "body").text
    assert TITULO in page
    assert "Fotografía del camino antes de la obra" in page and "Expediente técnico" in page

    # What was stored: the amount normalised, the community, both files uploaded here (the
    # photo without its GPS position: the catalog strips it before storing the image).
    obra = call_action("package_show", id=name)
    assert obra["type"] == "obra" and obra["owner_org"] == org["id"] and not obra["private"]
    assert obra["clave_obra"] == CLAVE
    assert obra["monto_aprobado"] == "1234567.89"
    assert [r["format"] for r in obra["resources"]] == ["JPEG", "PDF"]
    assert obra["comunidades"] == [LOS_MANGOS]
    # Nothing was typed in the repeating groups: no funding source, amendment or consultation
    # may appear out of the blank rows the form offers.
    for group in ("fuentes_financiamiento", "convenios_modificatorios", "consultas",
                  "historial_avance"):
        assert not obra.get(group), f"{group} stored from an untouched blank row: {obra[group]}"
    served = {}
    for resource in obra["resources"]:
        assert resource["url_type"] == "upload"
        assert urlsplit(resource["url"]).netloc == urlsplit(live_server).netloc
        with urllib.request.urlopen(resource["url"], timeout=30) as answer:
            served[resource["format"]] = answer.read()
    assert served["PDF"] == expediente.read_bytes()
    assert not _gps_of(served["JPEG"]), "the published photo still tells where it was taken"

    # 6. The catalog of obras: the facet of "Los Mangos" lists this obra and not the other one.
    visit(browser, live_server + "/obra/")
    screenshot("catalogo-de-obras")
    facet_links = [a for a in browser.find_elements(By.CSS_SELECTOR, "ul.nav-facet li a")
                   if a.find_element(By.CSS_SELECTOR, ".item-label").text.startswith("Los Mangos")]
    assert facet_links, "no facet link for Los Mangos on /obra/"
    click_and_wait(browser, facet_links[0])
    screenshot("faceta-los-mangos")
    query = parse_qs(urlsplit(browser.current_url).query)
    assert any("comunidad" in key for key in query), browser.current_url
    listed = [a.text.strip() for a in browser.find_elements(By.CSS_SELECTOR, ".dataset-heading a")]
    assert TITULO in listed
    assert otra["title"] not in listed

    # Citizens, not logged in, find it the same way.
    browser.delete_all_cookies()
    browser.refresh()
    screenshot("faceta-los-mangos-sin-sesion")
    listed = [a.text.strip() for a in browser.find_elements(By.CSS_SELECTOR, ".dataset-heading a")]
    assert TITULO in listed and otra["title"] not in listed
