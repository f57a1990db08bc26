"""Personal-data guard: table scan, message and image metadata stripping.

Every value below is made up (CURP ``XEXX010101HNEXXXA4`` style, phones ``55 0000 0000``, e-mail
addresses at example.org): no real person's data is in these tests. Files are built in memory.
"""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from PIL import ExifTags, Image, ImageCms, JpegImagePlugin, PngImagePlugin

from ckanext.hueyapan.salvaguardas.imagenes import strip_image_metadata
from ckanext.hueyapan.salvaguardas.privacidad import (
    KINDS,
    Finding,
    PrivacyScanError,
    describe,
    is_table,
    scan_table,
)
from tests.libros import xlsx_bytes

CURP = "XEXX010101HNEXXXA4"
CURP_2 = "XAXX800101MVZXXXB7"
RFC_PERSONA_FISICA = "XAXA800101AB1"
RFC_PERSONA_MORAL = "XAX800101AB1"
PHONE = "55 0000 0000"
EMAIL = "persona.ficticia@example.org"
CLAVE_ELECTOR = "XEXXXX80010130H100"
CLABE = "002180000000000009"  # synthetic, with a valid control digit


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    return text.encode(encoding)


def kinds_of(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(finding.column, finding.kind) for finding in findings]


# ------------------------------------------------------------------------------ by column name

@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("CURP", "curp"),
        ("curp_beneficiario", "curp"),
        ("Teléfono", "telefono"),
        ("TELEFONO", "telefono"),
        ("Tel.", "telefono"),
        ("Celular", "telefono"),
        ("Móvil", "telefono"),
        ("WhatsApp", "telefono"),
        ("Correo electrónico", "correo"),
        ("E-mail", "correo"),
        ("email", "correo"),
        ("Mail", "correo"),
        ("Domicilio", "domicilio"),
        ("Dirección", "domicilio"),
        ("direccion_particular", "domicilio"),
        ("Calle", "domicilio"),
        ("Colonia", "domicilio"),
        ("Núm. exterior", "domicilio"),
        ("No. Ext.", "domicilio"),
        ("Clave de elector", "clave_elector"),
        ("INE", "clave_elector"),
        ("NSS", "nss"),
        ("Número de afiliación IMSS", "nss"),
        ("Número de Seguridad Social", "nss"),
        ("CLABE", "cuenta_bancaria"),
        ("Cuenta bancaria", "cuenta_bancaria"),
        ("Número de cuenta", "cuenta_bancaria"),
    ],
)
def test_a_column_is_flagged_by_its_name(header, kind):
    data = csv_bytes([["Localidad", header], ["Hueyapan de Ocampo", "dato ficticio"]])
    assert scan_table(data, "padron.csv") == [
        Finding(column=header, column_letter="B", kind=kind, rows=(), sheet=None)
    ]


@pytest.mark.parametrize(
    "header",
    ["Localidad", "Sección electoral", "Dirección responsable", "Dirección ejecutora",
     "Unidad móvil", "Hotel", "RFC", "Monto", "Observaciones", "Interés"],
)
def test_harmless_column_names_are_not_flagged(header):
    data = csv_bytes([["Nombre", header], ["Persona Ficticia", "texto"]])
    assert kinds_of(scan_table(data, "datos.csv")) == []


def test_header_names_several_kinds():
    data = csv_bytes([["Teléfono / correo", "Nombre"], ["sin dato", "Persona Ficticia"]])
    assert kinds_of(scan_table(data, "x.csv")) == [
        ("Teléfono / correo", "telefono"), ("Teléfono / correo", "correo"),
    ]


def test_every_kind_is_reported_by_the_name_or_the_value():
    assert set(KINDS) == {
        "curp", "rfc_persona_fisica", "telefono", "correo", "domicilio", "clave_elector", "nss",
        "cuenta_bancaria",
    }


# ------------------------------------------------------------------------------ by value

@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (CURP, "curp"),
        (CURP.lower(), "curp"),
        (f"  {CURP} ", "curp"),
        (f"CURP: {CURP}", "curp"),
        (RFC_PERSONA_FISICA, "rfc_persona_fisica"),
        ("XAXA-800101-AB1", "rfc_persona_fisica"),
        (PHONE, "telefono"),
        ("5500000000", "telefono"),
        ("+52 55 0000 0000", "telefono"),
        ("+52 1 55 0000 0000", "telefono"),
        ("(228) 000-00-00", "telefono"),
        ("228-000-0000", "telefono"),
        (EMAIL, "correo"),
        (f"Contacto: {EMAIL}", "correo"),
        (CLAVE_ELECTOR, "clave_elector"),
        (CLABE, "cuenta_bancaria"),
    ],
)
def test_a_column_is_flagged_by_its_values(value, kind):
    data = csv_bytes(
        [["Nombre", "Dato"], ["Persona Uno", "sin dato"], ["Persona Dos", f'"{value}"']]
    )
    assert scan_table(data, "padron.csv") == [
        Finding(column="Dato", column_letter="B", kind=kind, rows=(3,), sheet=None)
    ]


@pytest.mark.parametrize(
    "value",
    ["300730030", "$1,234.50", "1234.50", "1,234", "2024-000123", "2024-01-15", "0000000000",
     "1234567890", "12 345", "002180000000000001", "XAXX010101000", "Hueyapan de Ocampo",
     "ABCD991399XYZ", "sin@dominio"],
)
def test_values_that_are_not_personal_data(value):
    data = csv_bytes([["Nombre", "Dato"], ["Persona Uno", f'"{value}"']])
    assert scan_table(data, "datos.csv") == []


def test_company_rfc_is_allowed_and_persona_fisica_rfc_is_flagged():
    companies = csv_bytes([["Contratista", "RFC"], ["Constructora Ficticia SA", RFC_PERSONA_MORAL],
                           ["Público en general", "XAXX010101000"]])
    assert scan_table(companies, "contratos.csv") == []
    people = csv_bytes([["Contratista", "RFC"], ["Constructora Ficticia SA", RFC_PERSONA_MORAL],
                        ["Persona Ficticia", RFC_PERSONA_FISICA]])
    assert scan_table(people, "contratos.csv") == [
        Finding("RFC", "B", "rfc_persona_fisica", (3,), None)
    ]


def test_rows_are_the_first_three_matches_and_a_header_match_keeps_them():
    rows = [["Nombre", "Teléfono"]] + [[f"Persona {n}", PHONE] for n in range(1, 7)]
    assert scan_table(csv_bytes(rows), "x.csv") == [
        Finding("Teléfono", "B", "telefono", (2, 3, 4), None)
    ]


def test_one_column_can_leak_two_kinds():
    data = csv_bytes([["Nombre", "Contacto"], ["Persona Uno", PHONE], ["Persona Dos", EMAIL]])
    assert scan_table(data, "x.csv") == [
        Finding("Contacto", "B", "telefono", (2,), None),
        Finding("Contacto", "B", "correo", (3,), None),
    ]


def test_empty_header_cell_is_named_by_its_letter():
    data = csv_bytes([["Nombre", "Localidad", ""], ["Persona Uno", "Hueyapan de Ocampo", CURP]])
    assert scan_table(data, "x.csv") == [Finding("C", "C", "curp", (2,), None)]


def test_values_beyond_the_header_width_are_scanned():
    data = csv_bytes([["Nombre", "Localidad"], ["Persona Uno", "Hueyapan de Ocampo", "", EMAIL]])
    assert scan_table(data, "x.csv") == [Finding("D", "D", "correo", (2,), None)]


# ------------------------------------------------------------------------------ CSV dialects

def test_utf8_with_bom():
    data = b"\xef\xbb\xbf" + csv_bytes([["Teléfono", "Localidad"], ["sin dato", "Hueyapan"]])
    assert scan_table(data, "x.csv") == [Finding("Teléfono", "A", "telefono", (), None)]


def test_windows_1252_with_accents_in_headers():
    data = csv_bytes(
        [["Localidad", "Dirección", "Número exterior", "Teléfono"],
         ["Hueyapan de Ocampo", "Calle Ficticia", "12", PHONE]],
        delimiter=";", encoding="cp1252",
    )
    assert kinds_of(scan_table(data, "x.csv")) == [
        ("Dirección", "domicilio"), ("Número exterior", "domicilio"), ("Teléfono", "telefono"),
    ]


def test_semicolon_csv_with_decimal_commas():
    data = csv_bytes(
        [["Localidad", "Monto", "CURP"],
         ["Hueyapan de Ocampo", "1234,50", CURP],
         ["Juan Díaz Covarrubias", "800,00", CURP_2]],
        delimiter=";",
    )
    assert scan_table(data, "x.csv") == [Finding("CURP", "C", "curp", (2, 3), None)]


@pytest.mark.parametrize("delimiter", ["\t", "|"])
def test_tab_and_pipe_delimiters(delimiter):
    data = csv_bytes([["Nombre", "Correo"], ["Persona Uno", EMAIL]], delimiter=delimiter)
    assert scan_table(data, "x.csv") == [Finding("Correo", "B", "correo", (2,), None)]


def test_title_rows_above_the_header_count_in_row_numbers():
    data = csv_bytes([
        ["Padrón de beneficiarios 2024", "", ""],
        ["H. Ayuntamiento de Hueyapan de Ocampo", "", ""],
        ["", "", ""],
        ["Nombre", "Localidad", "Identificador"],
        ["Persona Uno", "Hueyapan de Ocampo", "sin dato"],
        ["Persona Dos", "Hueyapan de Ocampo", CURP],
        ["Persona Tres", "Hueyapan de Ocampo", "sin dato"],
        ["Persona Cuatro", "Hueyapan de Ocampo", CURP_2],
    ])
    assert scan_table(data, "x.csv") == [Finding("Identificador", "C", "curp", (6, 8), None)]


def test_quoted_multiline_cell_is_one_spreadsheet_row():
    data = b'Nombre,Notas,Correo\r\nPersona Uno,"linea 1\nlinea 2",sin dato\r\nPersona Dos,x,' + \
        EMAIL.encode() + b"\r\n"
    assert scan_table(data, "x.csv") == [Finding("Correo", "C", "correo", (3,), None)]


def test_single_column_file_is_scanned():
    data = csv_bytes([["identificador"], [CURP]])
    assert scan_table(data, "x.csv") == [Finding("identificador", "A", "curp", (2,), None)]


# ------------------------------------------------------------------------------ XLSX

def test_xlsx_with_two_sheets_names_the_sheet():
    data = xlsx_bytes({
        "Resumen": [["Localidad", "Beneficiarios"], ["Hueyapan de Ocampo", 12]],
        "Padrón": [
            ["Padrón del programa (datos ficticios)"],
            ["Nombre", "Localidad", "Celular"],
            ["Persona Uno", "Hueyapan de Ocampo", 5500000000],
            ["Persona Dos", "Hueyapan de Ocampo", None],
            ["Persona Tres", "Hueyapan de Ocampo", PHONE],
        ],
    })
    assert scan_table(data, "padron.xlsx") == [
        Finding("Celular", "C", "telefono", (3, 5), "Padrón")
    ]


def test_xlsx_title_rows_and_value_match_in_an_unnamed_column():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Hoja1"
    sheet["A1"] = "Padrón de beneficiarios (datos ficticios)"
    sheet.merge_cells("A1:C1")
    sheet["A3"], sheet["B3"] = "Nombre", "Localidad"
    sheet["A4"], sheet["B4"], sheet["C4"] = "Persona Uno", "Hueyapan de Ocampo", EMAIL
    output = io.BytesIO()
    workbook.save(output)
    assert scan_table(output.getvalue(), "padron.xlsx") == [
        Finding("C", "C", "correo", (4,), "Hoja1")
    ]


def test_workbook_renamed_csv_is_still_read_as_a_workbook():
    data = xlsx_bytes({"Hoja1": [["Nombre", "CURP"], ["Persona Uno", CURP]]})
    assert scan_table(data, "padron.csv") == [Finding("CURP", "B", "curp", (2,), "Hoja1")]


def test_clean_beneficiaries_by_community_file_passes():
    rows = [
        ["Beneficiarios por comunidad (datos ficticios)", "", "", "", ""],
        ["localidad", "cvegeo", "mujeres", "hombres", "monto"],
        ["Hueyapan de Ocampo", "300730001", "120", "98", "$1,234.50"],
        ["Localidad Ficticia", "300730030", "15", "11", "$12,500.00"],
        ["Otra Localidad", "300730125", "7", "9", "$800.00"],
    ]
    assert scan_table(csv_bytes(rows), "beneficiarios.csv") == []
    assert scan_table(csv_bytes(rows, delimiter=";", encoding="cp1252"), "b.csv") == []
    typed = [rows[0][:1], rows[1]] + [
        [name, int(key), int(women), int(men), float(amount.strip("$").replace(",", ""))]
        for name, key, women, men, amount in rows[2:]
    ] + [["Texto", "300730030", 1, 2, "$1,234.50"]]
    assert scan_table(xlsx_bytes({"Hoja1": typed}), "beneficiarios.xlsx") == []


# ------------------------------------------------------------------------------ unreadable data

@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\r\n\r\n"])
def test_empty_files_have_no_findings(data):
    assert scan_table(data, "vacio.csv") == []


@pytest.mark.parametrize(
    "data",
    [b"this is not a workbook", b"PK\x03\x04 truncated zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
)
def test_unreadable_xlsx_raises_privacy_scan_error(data):
    with pytest.raises(PrivacyScanError) as raised:
        scan_table(data, "padron.xlsx")
    assert "padron.xlsx" in raised.value.message
    assert str(raised.value) == raised.value.message


def test_zip_that_is_not_a_workbook_raises():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("leeme.txt", "nada")
    with pytest.raises(PrivacyScanError):
        scan_table(output.getvalue(), "padron.xlsx")


def test_binary_data_named_csv_raises_and_unnamed_binary_is_ignored():
    binary = b"\x00\x01\x02\x03" * 100
    with pytest.raises(PrivacyScanError):
        scan_table(binary, "padron.csv")
    assert scan_table(binary, "archivo.bin") == []


# ------------------------------------------------------------------------------ is_table

@pytest.mark.parametrize(
    ("filename", "mimetype", "expected"),
    [
        ("padron.csv", None, True),
        ("PADRON.CSV", "application/octet-stream", True),
        ("padron.xlsx", None, True),
        ("datos", "text/csv; charset=utf-8", True),
        ("datos", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True),
        ("foto.jpg", "image/jpeg", False),
        ("informe.pdf", "application/pdf", False),
        ("", None, False),
    ],
)
def test_is_table(filename, mimetype, expected):
    assert is_table(filename, mimetype) is expected


# ------------------------------------------------------------------------------ describe

FINDINGS = [
    Finding("CURP", "C", "curp", (6, 8), None),
    Finding("Domicilio", "D", "domicilio", (), None),
    Finding("Celular", "C", "telefono", (3, 5, 9), "Padrón"),
    Finding("Correo", "E", "correo", (), "Padrón"),
]


def test_describe_names_columns_letters_kinds_sheets_and_rows():
    message = describe(FINDINGS)
    assert message.startswith("Publication was stopped to protect personal data;")
    assert "sysadmin" in message
    assert 'Column "CURP" (C) holds CURP keys (rows 6, 8)' in message
    assert 'Column "Domicilio" (D) holds home addresses;' in message
    assert 'Sheet "Padrón", column "Celular" (C) holds phone numbers (rows 3, 5, 9)' in message
    assert message.endswith('Sheet "Padrón", column "Correo" (E) holds e-mail addresses.')
    assert "<" not in message


def test_describe_of_nothing_is_empty():
    assert describe([]) == ""


def test_describe_names_every_kind():
    message = describe([Finding("x", "A", kind) for kind in KINDS])
    assert message.count("holds") == len(KINDS)
    assert "{" not in message


@pytest.mark.usefixtures("with_request_context")
def test_describe_inside_a_request_speaks_spanish():
    message = describe(FINDINGS[:2])
    assert message.startswith("Se detuvo la publicación para proteger datos personales")
    assert "«CURP» (C) contiene claves CURP (filas 6, 8)" in message
    assert "«Domicilio» (D) contiene domicilios particulares" in message


# ------------------------------------------------------------------------------ images

def _exif_with_gps_and_device(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "FabricanteFicticio"
    exif[ExifTags.Base.Model] = "ModeloFicticio"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (18.0, 0.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (95.0, 0.0, 0.0),
    }
    return exif


def _marked_image(mode: str = "RGB") -> Image.Image:
    """40×20, white with a red 10×10 block in the top-left corner."""
    image = Image.new(mode, (40, 20), "white")
    image.paste("red", (0, 0, 10, 10))
    return image


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
       b'dc:creator="AutorFicticio"/></rdf:RDF></x:xmpmeta>')


def _assert_clean(output: bytes) -> None:
    for marker in (b"FabricanteFicticio", b"ModeloFicticio", b"AutorFicticio",
                   b"ComentarioFicticio", b"Exif\x00\x00", b"ns.adobe.com/xap"):
        assert marker not in output
    with Image.open(io.BytesIO(output)) as reopened:
        exif = reopened.getexif()
        assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert "xmp" not in reopened.info and "comment" not in reopened.info


def test_jpeg_loses_gps_and_device_and_gets_rotated_pixels():
    source = io.BytesIO()
    _marked_image().save(
        source, "JPEG", quality=85, exif=_exif_with_gps_and_device(orientation=6), xmp=XMP,
        comment=b"ComentarioFicticio", icc_profile=SRGB,
    )
    data = source.getvalue()
    assert b"ComentarioFicticio" in data and b"AutorFicticio" in data
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture carries GPS
        assert isinstance(original, JpegImagePlugin.JpegImageFile)
        tables = original.quantization

    output = strip_image_metadata(data, "foto.jpg")

    assert output is not None
    _assert_clean(output)
    with Image.open(io.BytesIO(output)) as stripped:
        assert stripped.format == "JPEG"
        assert isinstance(stripped, JpegImagePlugin.JpegImageFile)
        stripped.load()
        assert stripped.size == (20, 40)  # orientation 6 applied: rotated 90° clockwise
        assert ExifTags.Base.Orientation not in stripped.getexif()
        assert stripped.info.get("icc_profile") == SRGB
        assert stripped.quantization == tables  # the quality is kept
        top_right, top_left = stripped.getpixel((17, 2)), stripped.getpixel((2, 2))
        assert isinstance(top_right, tuple) and isinstance(top_left, tuple)  # RGB pixels
        red, green, blue = top_right  # the red block is now top-right
        assert red > 200 and green < 60 and blue < 60
        assert top_left[1] > 200  # and the top-left is white


def test_png_loses_text_chunks_and_exif_losslessly():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "ComentarioFicticio")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    source = io.BytesIO()
    image = _marked_image("RGBA")
    image.save(source, "PNG", pnginfo=info, exif=_exif_with_gps_and_device(orientation=1),
               icc_profile=SRGB)
    for chunk in (b"tEXt", b"iTXt", b"eXIf", b"ModeloFicticio"):
        assert chunk in source.getvalue()  # the fixture carries them

    output = strip_image_metadata(source.getvalue(), "imagen.png")

    assert output is not None
    _assert_clean(output)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf"):
        assert chunk not in output
    with Image.open(io.BytesIO(output)) as stripped:
        assert stripped.format == "PNG"
        assert stripped.info.get("icc_profile") == SRGB
        assert stripped.get_flattened_data() == image.get_flattened_data()


def test_webp_loses_exif():
    source = io.BytesIO()
    _marked_image().save(source, "WEBP", exif=_exif_with_gps_and_device(orientation=1), xmp=XMP,
                         lossless=True)
    assert b"ModeloFicticio" in source.getvalue() and b"AutorFicticio" in source.getvalue()
    output = strip_image_metadata(source.getvalue(), "foto.webp")
    assert output is not None
    _assert_clean(output)
    with Image.open(io.BytesIO(output)) as stripped:
        assert stripped.format == "WEBP"
        assert stripped.convert("RGB").getpixel((2, 2)) == (255, 0, 0)  # lossless stays lossless


def test_tiff_loses_exif_and_is_rotated():
    exif = Image.Exif()
    exif.load(_exif_with_gps_and_device(orientation=6).tobytes())  # TIFF writes a loaded GPS IFD
    source = io.BytesIO()
    _marked_image().save(source, "TIFF", exif=exif)
    with Image.open(io.BytesIO(source.getvalue())) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture carries GPS
    output = strip_image_metadata(source.getvalue(), "escaneo.tif")
    assert output is not None
    _assert_clean(output)
    with Image.open(io.BytesIO(output)) as stripped:
        assert stripped.format == "TIFF"
        assert stripped.size == (20, 40)


def test_image_is_recognised_by_content_not_by_name():
    source = io.BytesIO()
    _marked_image().save(source, "PNG", exif=_exif_with_gps_and_device(orientation=1))
    output = strip_image_metadata(source.getvalue(), "foto.jpg")
    assert output is not None and output.startswith(b"\x89PNG")
    _assert_clean(output)


@pytest.mark.parametrize(
    "data", [b"", b"Nombre,CURP\r\n", b"%PDF-1.7 not an image", b"GIF89a\x01\x00\x01\x00"]
)
def test_non_images_give_none(data):
    assert strip_image_metadata(data, "archivo.jpg") is None


def test_truncated_jpeg_raises_privacy_scan_error():
    source = io.BytesIO()
    _marked_image().resize((400, 200)).save(source, "JPEG", exif=_exif_with_gps_and_device(6))
    with pytest.raises(PrivacyScanError) as raised:
        strip_image_metadata(source.getvalue()[: len(source.getvalue()) // 2], "foto.jpg")
    assert "foto.jpg" in raised.value.message


def test_jpeg_sampling_is_kept():
    source = io.BytesIO()
    _marked_image().save(source, "JPEG", subsampling=0, quality=95)
    output = strip_image_metadata(source.getvalue(), "foto.jpg")
    assert output is not None
    with Image.open(io.BytesIO(output)) as stripped:
        assert JpegImagePlugin.get_sampling(stripped) == 0


def test_the_public_location_of_an_obra_is_not_a_home_address():
    content = ("Clave de la obra,Dirección o referencia\n"
               "HUE-2025-FISM-001,\"Calle Hidalgo esquina Juárez, Los Mangos\"\n").encode()
    assert scan_table(content, "obras.csv") == []
