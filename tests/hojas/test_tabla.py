"""From spreadsheet bytes to dataset dicts: every kind of messy input staff really upload.

Files are built in memory. Tests whose files have community or vocabulary columns need the
register and the vocabularies (``comunidades`` fixture); the others read no database at all.
Keys and names are made up; RFCs are synthetic.
"""
from __future__ import annotations

import csv
import datetime
import io

import pytest

from ckanext.hueyapan.hojas.campos import field_specs
from ckanext.hueyapan.hojas.celdas import TableError
from ckanext.hueyapan.hojas.tabla import ParsedTable, RowError, read_table
from tests.libros import xlsx_bytes

OBRA_HEADER = ["Clave de la obra", "Nombre de la obra", "Monto aprobado (MXN)"]
DB = pytest.mark.usefixtures("with_plugins", "comunidades")


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """A CSV file as Excel writes it (cells with the delimiter, quotes or line breaks quoted)."""
    output = io.StringIO(newline="")
    csv.writer(output, delimiter=delimiter).writerows(rows)
    return output.getvalue().encode(encoding)


def only_row(table: ParsedTable) -> dict:
    assert table.errors == []
    [row] = table.rows
    return row.data


def one_value(header: str, value: str, dataset_type: str = "obra", field: str | None = None):
    """Read a one-row obra CSV with a key, a title and ``header``; return the field's value."""
    table = read_table(
        csv_bytes([["Clave de la obra", "Nombre de la obra", header],
                   ["HUE-1", "Obra", value]]),
        "obras.csv", dataset_type)
    data = only_row(table)
    return data.get(field) if field else data


# ------------------------------------------------------------------------------ encodings, layout

def test_utf8_csv_reads_header_and_values():
    table = read_table(
        csv_bytes([OBRA_HEADER,
                   ["HUE-2025-FISM-001", "Rehabilitación de camino", "$1,250,000.00"]]),
        "obras.csv", "obra")
    assert table.header_row == 1 and table.sheet is None
    [row] = table.rows
    assert row.row == 2
    assert row.key == "HUE-2025-FISM-001"
    assert row.data == {"clave_obra": "HUE-2025-FISM-001", "title": "Rehabilitación de camino",
                        "monto_aprobado": "1250000.00"}
    assert row.columns == {"clave_obra": "Clave de la obra", "title": "Nombre de la obra",
                           "monto_aprobado": "Monto aprobado (MXN)"}
    assert "name" not in row.data


def test_utf8_with_bom_does_not_spoil_the_first_header():
    content = b"\xef\xbb\xbf" + csv_bytes([OBRA_HEADER, ["HUE-1", "Pozo", "10"]])
    assert only_row(read_table(content, "obras.csv", "obra"))["clave_obra"] == "HUE-1"


@DB
def test_windows_1252_accents_in_headers_and_community_names():
    content = csv_bytes(
        [["Clave de la obra", "Nombre de la obra", "Ejercicio fiscal", "Comunidades", "Etapa"],
         ["HUE-1", "Electrificación", "2025", "La Concepción", "Planeación"]],
        encoding="cp1252")
    assert content.decode("cp1252").count("ó") == 3 and b"\xf3" in content
    data = only_row(read_table(content, "obras.csv", "obra"))
    assert data["title"] == "Electrificación"
    assert data["comunidades"] == ["300730009"]
    assert data["etapa"] == "planeacion"


def test_semicolon_csv():
    content = b'Clave de la obra;Nombre de la obra;Monto aprobado (MXN)\r\n' \
              b'HUE-1;"Pozo; profundo";"1,234.50"\r\n'
    data = only_row(read_table(content, "obras.csv", "obra"))
    assert data == {"clave_obra": "HUE-1", "title": "Pozo; profundo", "monto_aprobado": "1234.50"}


def test_xlsx_title_rows_above_the_header_and_the_first_sheet_with_a_header():
    content = xlsx_bytes({
        "Portada": [["H. Ayuntamiento de Hueyapan de Ocampo"], ["Obras 2025"]],
        "Obras": [
            ["H. AYUNTAMIENTO DE HUEYAPAN DE OCAMPO, VER."],
            ["Dirección de Obras Públicas — Programa anual 2025"],
            [],
            OBRA_HEADER,
            ["HUE-1", "Pozo profundo", 1500000],
            ["HUE-2", "Aula", 98765.43],
        ],
    })
    table = read_table(content, "obras.xlsx", "obra")
    assert table.errors == []
    assert (table.sheet, table.header_row) == ("Obras", 4)
    assert [(row.row, row.key, row.data["monto_aprobado"]) for row in table.rows] == [
        (5, "HUE-1", "1500000.00"), (6, "HUE-2", "98765.43")]


def test_a_workbook_is_recognised_by_content_whatever_its_name():
    content = xlsx_bytes({"Hoja1": [OBRA_HEADER, ["HUE-1", "Pozo", 10]]})
    assert only_row(read_table(content, "descarga", "obra"))["clave_obra"] == "HUE-1"


# ------------------------------------------------------------------------------ values

@pytest.mark.parametrize(("text", "stored"), [
    ("$1,234,567.89", "1234567.89"),
    ("1234567.89", "1234567.89"),
    ("1,234.5", "1234.50"),
    ("$ 1,234 MXN", "1234.00"),
    ("850", "850.00"),
])
def test_money_formats(text, stored):
    assert one_value("Monto aprobado (MXN)", text, field="monto_aprobado") == stored


def test_money_from_excel_numbers():
    content = xlsx_bytes({"Obras": [["Clave de la obra", "Nombre de la obra", "Monto aprobado",
                                     "Monto ejercido"],
                                    ["HUE-1", "Pozo", 1234567.89, 640000]]})
    data = only_row(read_table(content, "obras.xlsx", "obra"))
    assert (data["monto_aprobado"], data["monto_ejercido"]) == ("1234567.89", "640000.00")


@pytest.mark.parametrize(("text", "stored"), [
    ("31/03/2025", "2025-03-31"),
    ("1/4/25", "2025-04-01"),
    ("2025-03-31", "2025-03-31"),
    ("31-03-2025", "2025-03-31"),
    ("45747", "2025-03-31"),  # Excel serial number written as text
    ("15 de marzo de 2025", "2025-03-15"),
    ("2025-03-31 00:00:00", "2025-03-31"),
])
def test_date_formats(text, stored):
    assert one_value("Fecha de inicio", text, field="fecha_inicio") == stored


def test_excel_date_cells_and_serial_numbers():
    content = xlsx_bytes({"Obras": [
        ["Clave de la obra", "Nombre de la obra", "Fecha de inicio", "Fecha de término programada",
         "Fecha del contrato"],
        ["HUE-1", "Pozo", datetime.date(2025, 3, 31), 45800, datetime.datetime(2025, 2, 1, 0, 0)],
    ]})
    data = only_row(read_table(content, "obras.xlsx", "obra"))
    assert data["fecha_inicio"] == "2025-03-31"
    assert data["fecha_termino_programada"] == "2025-05-23"
    assert data["contrato_fecha"] == "2025-02-01"


def test_month_first_date_is_refused_not_guessed():
    table = read_table(csv_bytes([["Clave de la obra", "Nombre de la obra", "Fecha de inicio"],
                                  ["HUE-1", "Pozo", "03/25/2025"]]), "obras.csv", "obra")
    [error] = table.errors
    assert (error.row, error.column, error.value) == (2, "Fecha de inicio", "03/25/2025")
    assert "dd/mm/yyyy" in error.reason
    assert "fecha_inicio" not in table.rows[0].data  # optional: the row stays, without the date


@pytest.mark.parametrize(("text", "stored"), [
    ("45%", "45"), ("45 %", "45"), ("45", "45"), ("38.5", "38.5"), ("0.45", "45"),
    ("0.5%", "0.5"), ("1", "1"), ("1.0", "100"), ("0", "0"), ("100", "100"),
])
def test_percentage_text(text, stored):
    assert one_value("Avance físico (%)", text, field="avance_fisico") == stored


def test_percentages_from_excel_cells():
    content = xlsx_bytes(
        {"Obras": [["Clave de la obra", "Nombre de la obra", "Avance físico", "Avance financiero"],
                   ["HUE-1", "Pozo", 0.45, 0.385],
                   ["HUE-2", "Aula", 45, 1]]},
        formats={"Obras!D3": "0%"})
    first, second = read_table(content, "obras.xlsx", "obra").rows
    assert (first.data["avance_fisico"], first.data["avance_financiero"]) == ("45", "38.5")
    # a whole number is a percentage, unless Excel formats the cell as one (1 shown as 100 %)
    assert (second.data["avance_fisico"], second.data["avance_financiero"]) == ("45", "100")


def test_percentage_over_100_is_an_error():
    table = read_table(csv_bytes([["Clave de la obra", "Nombre de la obra", "Avance físico"],
                                  ["HUE-1", "Pozo", "120%"]]), "obras.csv", "obra")
    assert [(e.column, e.value) for e in table.errors] == [("Avance físico", "120%")]


def test_whole_numbers_and_fiscal_year():
    data = one_value("Personas beneficiadas (total)", "1,250")
    assert data["beneficiarios_total"] == "1250"
    table = read_table(csv_bytes([["Clave de la obra", "Nombre de la obra", "Ejercicio"],
                                  ["HUE-1", "Pozo", "1999"], ["HUE-2", "Aula", "2025.0"]]),
                       "obras.csv", "obra")
    assert [row.key for row in table.rows] == ["HUE-2"]  # the fiscal year is required
    assert table.rows[0].data["ejercicio_fiscal"] == "2025"
    assert [(e.row, e.column, e.value) for e in table.errors] == [(2, "Ejercicio", "1999")]


def test_a_persons_rfc_is_refused_and_a_companys_kept():
    table = read_table(csv_bytes([["Clave de la obra", "Nombre de la obra", "RFC del contratista"],
                                  ["HUE-1", "Pozo", "xax800101ab1"],
                                  ["HUE-2", "Aula", "XAXA800101AB1"]]), "obras.csv", "obra")
    assert table.rows[0].data["contratista_rfc"] == "XAX800101AB1"
    assert "contratista_rfc" not in table.rows[1].data
    [error] = table.errors
    assert error.row == 3 and "personal data" in error.reason


def test_lists_of_text_split_by_lines_or_semicolons():
    table = read_table(csv_bytes([
        ["Folio", "Nombre de la convocatoria", "Requisitos", "Documentos requeridos"],
        ["C-1", "Becas", "- Constancia de estudios\n- Acta de nacimiento", "INE; CURP"],
    ]), "convocatorias.csv", "convocatoria")
    data = table.rows[0].data
    assert data["requisitos"] == ["Constancia de estudios", "Acta de nacimiento"]
    assert data["documentos_requeridos"] == ["INE", "CURP"]


def test_title_is_made_from_the_description_when_missing():
    long = ("Construcción de red de agua potable de 1,200 metros con tubería de PVC de 4 "
            "pulgadas, 85 tomas domiciliarias, un tanque elevado de 50 metros cúbicos y obras "
            "complementarias.")
    table = read_table(csv_bytes([["Clave de la obra", "Descripción", "Nombre de la obra"],
                                  ["HUE-1", "Pozo profundo.", ""],
                                  ["HUE-2", long, ""]]), "obras.csv", "obra")
    first, second = table.rows
    assert first.data["title"] == "Pozo profundo"
    assert first.data["notes"] == "Pozo profundo."
    assert first.columns["title"] == "Descripción"
    assert second.data["notes"] == long
    assert len(second.data["title"]) <= 150 and second.data["title"].endswith("…")
    assert long.startswith(second.data["title"][:-1])


# ------------------------------------------------------------------------------ communities

@DB
@pytest.mark.parametrize(("text", "keys"), [
    ("Nacaxtle", ["300730033"]),
    ("NACAXTLE", ["300730033"]),
    ("Loma de los Ingleses", ["300730025"]),
    ("la concepcion", ["300730009"]),
    ("La Concepción", ["300730009"]),
    ("300730030", ["300730030"]),
    ("Los Mangos y Nacaxtle", ["300730030", "300730033"]),
    ("Los Mangos; 300730033, El Aguacate", ["300730030", "300730033", "300730002"]),
    ("Aguacate", ["300730002"]),
    ("Localidad Nacaxtle", ["300730033"]),
    ("Cuatotolapan Viejo", ["300730101"]),
    ("Colonia Hermosa", ["300730019"]),
    ("Todo el municipio", ["30073"]),
    ("Cabecera y localidades", ["30073"]),
    ("30073", ["30073"]),
    ("Cabecera municipal", ["300730001"]),
])
def test_communities_by_name_or_key(text, keys):
    assert one_value("Comunidades", text, field="comunidades") == keys


@DB
def test_homonym_community_asks_for_the_inegi_key():
    table = read_table(csv_bytes([
        ["Clave de la obra", "Nombre de la obra", "Comunidades"],
        ["HUE-1", "Pozo", "La Nueva Esperanza"],
        ["HUE-2", "Aula", "300730156"],
    ]), "obras.csv", "obra")
    assert [row.key for row in table.rows] == ["HUE-2"]  # communities are required
    assert table.rows[0].data["comunidades"] == ["300730156"]
    [error] = table.errors
    assert (error.row, error.column, error.value) == (2, "Comunidades", "La Nueva Esperanza")
    assert "300730035" in error.reason and "300730156" in error.reason
    assert "INEGI key" in error.reason


@DB
def test_unknown_community_names_the_piece():
    table = read_table(csv_bytes([["Clave de la obra", "Nombre de la obra", "Comunidades"],
                                  ["HUE-1", "Pozo", "Nacaxtle, Atlántida"]]), "obras.csv", "obra")
    assert table.rows == []
    [error] = table.errors
    assert error.value == "Nacaxtle, Atlántida" and "\"Atlántida\"" in error.reason


# ------------------------------------------------------------------------------ vocabularies

@DB
@pytest.mark.parametrize(("text", "key"), [
    ("En ejecución", "ejecucion"), ("EN EJECUCION", "ejecucion"), ("ejecucion", "ejecucion"),
    ("En proceso", "ejecucion"), ("Concluida", "concluida"), ("Pendiente", "planeacion"),
    ("In progress", "ejecucion"),
])
def test_vocabulary_by_key_label_or_alias(text, key):
    assert one_value("Etapa", text, field="etapa") == key


@DB
def test_unknown_term_in_a_required_field_drops_the_row_and_lists_the_options():
    table = read_table(csv_bytes([["Clave de la obra", "Nombre de la obra", "Etapa",
                                   "Rubro FAIS"],
                                  ["HUE-1", "Pozo", "Casi lista", "Agua potable"],
                                  ["HUE-2", "Aula", "Concluida", "Agua bendita"]]),
                       "obras.csv", "obra")
    assert [row.key for row in table.rows] == ["HUE-2"]
    assert "rubro_fais" not in table.rows[0].data  # optional: dropped, reported
    first, second = table.errors
    assert (first.row, first.column, first.value) == (2, "Etapa", "Casi lista")
    assert "Planeación; Contratación; En ejecución" in first.reason
    assert (second.row, second.column, second.value) == (3, "Rubro FAIS", "Agua bendita")


@DB
def test_several_terms_keep_labels_with_commas_whole():
    table = read_table(csv_bytes([
        ["Clave del programa", "Nombre del programa", "Enfoque", "Fundamento legal"],
        ["P-1", "Útiles", "Género y pueblos indígenas",
         "Ley de Coordinación Fiscal (FAIS, Ramo 33), Ley 698 de Participación Ciudadana y "
         "Gobierno Abierto del Estado de Veracruz"],
    ]), "programas.csv", "programa-social")
    data = only_row(table)
    assert data["enfoque"] == ["genero", "indigena"]
    assert data["fundamento_legal"] == ["lcf_fais", "ley_698_veracruz"]


@DB
def test_funding_sources_up_to_three_with_amounts():
    table = read_table(csv_bytes([
        ["Clave de la obra", "Nombre de la obra", "Fuente de financiamiento", "Monto fuente (MXN)",
         "Fuente de financiamiento 2", "Monto fuente 2 (MXN)", "Fuente de financiamiento 3",
         "Monto fuente 3 (MXN)"],
        ["HUE-1", "Pozo", "FISM", "$1,000,000.00", "Recursos propios", "250000", "", ""],
        ["HUE-2", "Aula", "", "", "", "", "", "5000"],
    ]), "obras.csv", "obra")
    first, second = table.rows
    assert first.data["fuentes_financiamiento"] == [
        {"fuente": "fism", "monto": "1000000.00"},
        {"fuente": "recursos_propios", "monto": "250000.00"},
    ]
    assert first.columns["fuentes_financiamiento"] == "Fuente de financiamiento"
    assert "fuentes_financiamiento" not in second.data
    [error] = table.errors
    assert (error.row, error.column) == (3, "Monto fuente 3 (MXN)")


# ------------------------------------------------------------------------------ rows

def test_empty_and_total_rows_are_skipped_silently():
    table = read_table(csv_bytes([
        OBRA_HEADER,
        ["HUE-1", "Pozo", "100"],
        ["", "", ""],
        [" ", "", "  "],
        ["HUE-2", "Aula", "200"],
        ["TOTAL", "", "300"],
        ["Total general", "", "$300.00"],
        ["", "Suma", "300"],
        ["", "", "300.00"],
    ]), "obras.csv", "obra")
    assert table.errors == []
    assert [(row.row, row.key) for row in table.rows] == [(2, "HUE-1"), (5, "HUE-2")]


def test_a_bad_money_cell_is_one_error_and_the_row_stays_without_it():
    table = read_table(csv_bytes([
        OBRA_HEADER + ["Monto contratado (MXN)"],
        ["HUE-1", "Pozo", "un millón", "$900,000.00"],
    ]), "obras.csv", "obra")
    [error] = table.errors
    assert error == RowError(row=2, column="Monto aprobado (MXN)", value="un millón",
                             reason=error.reason)
    assert "1,234,567.89" in error.reason
    assert table.rows[0].data == {"clave_obra": "HUE-1", "title": "Pozo",
                                  "monto_contratado": "900000.00"}
    assert error.message().startswith(
        'Row 2, column "Monto aprobado (MXN)", value "un millón": Invalid amount')


@pytest.mark.usefixtures("with_plugins", "with_request_context")
def test_row_errors_speak_spanish_inside_a_request():
    table = read_table(csv_bytes([OBRA_HEADER, ["HUE-1", "Pozo", "un millón"]]),
                       "obras.csv", "obra")
    [error] = table.errors
    assert error.message() == (
        "Fila 2, columna «Monto aprobado (MXN)», valor «un millón»: Monto no válido: escriba "
        "una cantidad en pesos, por ejemplo 1,234,567.89 o $1,234,567.89")


def test_row_error_messages():
    assert RowError(4, None, None, "Bad").message() == "Row 4: Bad"
    assert RowError(4, "Etapa", None, "Bad").message() == 'Row 4, column "Etapa": Bad'
    long = RowError(4, "Descripción", "x" * 200, "Bad").message()
    assert long.endswith('…": Bad') and len(long) < 140


def test_duplicate_keys_keep_the_first_row_and_report_every_repeat():
    table = read_table(csv_bytes([
        OBRA_HEADER,
        ["HUE-1", "Pozo", "100"],
        ["HUE-2", "Aula", "200"],
        ["hue-1 ", "Pozo (otra vez)", "300"],
        ["HUE-1", "Pozo (tercera)", "400"],
    ]), "obras.csv", "obra")
    assert [(row.row, row.data["title"]) for row in table.rows] == [(2, "Pozo"), (3, "Aula")]
    assert [(e.row, e.column, e.value) for e in table.errors] == [
        (4, "Clave de la obra", "hue-1"), (5, "Clave de la obra", "HUE-1")]
    assert "rows 2 and 4" in table.errors[0].reason
    assert "rows 2 and 5" in table.errors[1].reason
    assert table.keys_seen == ["HUE-1", "HUE-2", "hue-1"]


def test_missing_key_is_reported():
    table = read_table(csv_bytes([OBRA_HEADER, ["", "Pozo", "100"], ["HUE-2", "Aula", "5"]]),
                       "obras.csv", "obra")
    assert [row.key for row in table.rows] == ["HUE-2"]
    [error] = table.errors
    assert (error.row, error.column, error.value) == (2, "Clave de la obra", None)


@DB
def test_required_value_missing_drops_the_row():
    table = read_table(csv_bytes([["Clave de la obra", "Nombre de la obra", "Comunidades"],
                                  ["HUE-1", "Pozo", ""], ["HUE-2", "", "Nacaxtle"]]),
                       "obras.csv", "obra")
    assert table.rows == []
    assert [(e.row, e.column, e.value) for e in table.errors] == [
        (2, "Comunidades", None), (3, "Nombre de la obra", None)]


def test_rows_beyond_the_limit_are_reported():
    rows = [OBRA_HEADER] + [[f"HUE-{n}", "Pozo", "1"] for n in range(10)]
    table = read_table(csv_bytes(rows), "obras.csv", "obra", max_rows=6)
    assert len(table.rows) == 5
    [error] = table.errors
    assert error.row == 7 and error.column is None and "6" in error.reason


# ------------------------------------------------------------------------------ SIPOT, mapping

SIPOT_HEADER = [
    "Ejercicio", "Fecha de inicio del periodo que se informa",
    "Fecha de término del periodo que se informa", "Tipo de procedimiento (catálogo)",
    "Materia o tipo de contratación (catálogo)", "Número de expediente, folio o nomenclatura",
    "Nombre(s) del adjudicado", "Primer apellido del adjudicado", "Denominación o razón social",
    "RFC de la persona física o moral contratista o proveedora",
    "Número que identifique al contrato", "Fecha del contrato",
    "Monto total con impuestos incluidos", "Origen de los recursos públicos (catálogo)",
    "Fuente de financiamiento", "Tipo de fondo de participación o aportación respectiva",
    "Lugar donde se realizará la obra pública", "Breve descripción de la obra pública",
    "Etapa de la obra pública y/o servicio (catálogo)", "Mecanismos de vigilancia y supervisión",
    "Fecha de inicio del plazo de entrega o ejecución de los servicios u obra contratados",
    "Fecha de término del plazo de entrega o ejecución de los servicios u obra contratados",
    "Nota",
]


@DB
def test_sipot_format_xxviii_export():
    content = xlsx_bytes({
        "Reporte de Formatos": [
            ["46372"],
            ["TÍTULO", "NOMBRE CORTO", "DESCRIPCIÓN"],
            ["Procedimientos de licitación pública e invitación a cuando menos tres personas",
             "LTAIPVIL15XXVIIIa", "Resultados de procedimientos de licitación pública"],
            ["1", "4", "4", "9", "9", "1"],
            ["390950", "390951", "390952", "390953", "390954", "390955"],
            ["Tabla Campos"],
            SIPOT_HEADER,
            ["2025", "01/04/2025", "30/06/2025", "Licitación pública", "Obra pública",
             "HUE-LP-OP-003/2025", "", "", "Constructora Ejemplo del Sotavento, S.A. de C.V.",
             "CSO120315AB7", "HUE-OP-FISM-013/2025", "15/04/2025", "1198500", "Federales",
             "FISMDF", "Ramo 33 Fondo III", "Los Mangos",
             "Rehabilitación del camino Nacaxtle–Los Mangos con revestimiento de grava",
             "En proceso", "Contraloría social; Supervisión de obra", "21/04/2025", "31/08/2025",
             "Sin nota"],
            ["2025", "01/04/2025", "30/06/2025", "Adjudicación directa", "Obra pública",
             "HUE-AD-OP-007/2025", "Persona", "Ficticia", "", "XAXA800101AB1", "HUE-OP-7/2025",
             "02/05/2025", "$350,000.00", "Municipales", "", "", "Nacaxtle",
             "Techado de cancha", "Concluida", "Órgano Interno de Control", "", "", ""],
        ],
        "Hidden_1": [["Licitación pública"], ["Invitación a cuando menos tres personas"]],
    }, hidden=("Hidden_1",))
    table = read_table(content, "LTAIPVIL15XXVIIIa.xlsx", "obra")
    assert (table.sheet, table.header_row) == ("Reporte de Formatos", 7)
    first, second = table.rows
    assert first.key == "HUE-LP-OP-003/2025"
    assert first.data == {
        "clave_obra": "HUE-LP-OP-003/2025",
        "ejercicio_fiscal": "2025",
        "etapa": "ejecucion",
        "title": "Rehabilitación del camino Nacaxtle–Los Mangos con revestimiento de grava",
        "notes": "Rehabilitación del camino Nacaxtle–Los Mangos con revestimiento de grava",
        "comunidades": ["300730030"],
        "fuentes_financiamiento": [{"fuente": "fism"}],
        "modalidad_contratacion": "licitacion_publica",
        "contratista_razon_social": "Constructora Ejemplo del Sotavento, S.A. de C.V.",
        "contratista_rfc": "CSO120315AB7",
        "contrato_numero": "HUE-OP-FISM-013/2025",
        "contrato_fecha": "2025-04-15",
        "monto_contratado": "1198500.00",
        "fecha_inicio": "2025-04-21",
        "fecha_termino_programada": "2025-08-31",
        "mecanismos_vigilancia": ["contraloria_social", "supervision_obra"],
    }
    assert first.columns["clave_obra"] == "Número de expediente, folio o nomenclatura"
    assert first.columns["fuentes_financiamiento"] == "Fuente de financiamiento"
    # the origin is used only when no other funding column has a value; names are ignored
    assert second.data["fuentes_financiamiento"] == [{"fuente": "recursos_propios"}]
    assert second.data["etapa"] == "concluida"
    assert "contratista_rfc" not in second.data
    assert not any("Ficticia" in str(value) for value in second.data.values())
    [error] = table.errors
    assert (error.row, error.value) == (9, "XAXA800101AB1")


def test_custom_mapping_and_key_column():
    content = csv_bytes([
        ["Folio interno", "Proyecto municipal", "Costo", "Clave de la obra", "Notas internas"],
        ["7", "Pozo", "1,000", "HUE-1", "no publicar"],
        ["8", "Aula", "2,000", "", "no publicar"],
    ])
    table = read_table(content, "obras.csv", "obra",
                       mapping={"Proyecto municipal": "title", "costo": "monto_aprobado",
                                "Clave de la obra": ""},
                       key_column="Folio interno")
    assert table.errors == []
    assert [(row.key, row.data) for row in table.rows] == [
        ("7", {"title": "Pozo", "monto_aprobado": "1000.00"}),
        ("8", {"title": "Aula", "monto_aprobado": "2000.00"}),
    ]
    assert table.rows[0].columns == {"title": "Proyecto municipal", "monto_aprobado": "Costo"}


def test_key_column_may_name_a_field():
    table = read_table(csv_bytes([["Nombre del programa", "Ejercicio fiscal"],
                                  ["Útiles escolares", "2025"]]),
                       "programas.csv", "programa-social", key_column="title")
    assert [row.key for row in table.rows] == ["Útiles escolares"]


def test_mapping_to_an_unknown_field_is_a_table_error():
    with pytest.raises(TableError, match="not a field"):
        read_table(csv_bytes([OBRA_HEADER]), "obras.csv", "obra", mapping={"X": "color"})


# ------------------------------------------------------------------------------ whole-file errors

def test_no_header_is_a_table_error_naming_what_was_expected():
    content = csv_bytes([["Nombre", "Domicilio"], ["Ficticia", "Conocido"]])
    with pytest.raises(TableError) as raised:
        read_table(content, "lista.csv", "obra")
    assert "«Clave de la obra»" in str(raised.value)
    assert "lista.csv" in str(raised.value)


def test_no_key_column_is_a_table_error():
    content = csv_bytes([["Nombre del programa", "Ejercicio fiscal"], ["Útiles", "2025"]])
    with pytest.raises(TableError) as raised:
        read_table(content, "programas.csv", "programa-social")
    assert "«Clave del programa»" in str(raised.value)


@pytest.mark.parametrize(("content", "name"), [
    (b"PK\x03\x04 not really a workbook", "obras.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "obras.xls"),
    (b"\x00\x01\x02\x03" * 100, "obras.csv"),
    (b"   \r\n", "obras.csv"),
])
def test_unreadable_files_are_table_errors(content, name):
    with pytest.raises(TableError) as raised:
        read_table(content, name, "obra")
    assert name in str(raised.value)


def test_field_specs_follow_the_schema_with_numbered_funding_columns():
    names = [spec.name for spec in field_specs("obra")]
    assert names[:3] == ["title", "clave_obra", "ejercicio_fiscal"]
    assert "name" not in names and "owner_org" not in names and "license_id" not in names
    assert "consultas" not in names
    funding = [name for name in names if name.startswith("fuentes_financiamiento")]
    assert funding == [f"fuentes_financiamiento.{n}.{sub}" for n in (1, 2, 3)
                       for sub in ("fuente", "monto")]
    with pytest.raises(ValueError):
        field_specs("dataset")


@DB
def test_rows_are_ready_for_package_create():
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    table = read_table(csv_bytes([
        ["Clave de la obra", "Nombre de la obra", "Ejercicio fiscal", "Etapa", "Comunidades",
         "Fuente de financiamiento", "Monto fuente (MXN)", "Monto aprobado (MXN)",
         "Fecha de inicio", "Avance físico (%)", "Mecanismos de vigilancia", "RFC del contratista"],
        ["HUE-2025-FISM-013", "Red de agua potable", "2025", "Planeación",
         "Loma de los Ingleses y Nacaxtle", "FISM", "$1,250,000.00", "1,250,000", "03/02/2025",
         "0.45", "Contraloría social", "CSO120315AB7"],
    ]), "obras.csv", "obra")
    [row] = table.rows
    organization = factories.Organization(name="obras-publicas")
    created = call_action(
        "package_create", {"user": factories.Sysadmin()["name"]},
        type="obra", name="hue-2025-fism-013", owner_org=organization["id"], **row.data)
    shown = call_action("package_show", id=created["id"])
    assert shown["clave_obra"] == "HUE-2025-FISM-013"
    assert shown["comunidades"] == ["300730025", "300730033"]
    assert shown["fuentes_financiamiento"] == [{"fuente": "fism", "monto": "1250000.00"}]
    assert (shown["monto_aprobado"], shown["fecha_inicio"], shown["avance_fisico"]) == (
        "1250000.00", "2025-02-03", "45")
    assert shown["mecanismos_vigilancia"] == ["contraloria_social"]


# ------------------------------------------------------------------------------ the alias file

def _alias_file() -> dict:
    from importlib import resources

    import yaml

    path = resources.files("ckanext.hueyapan.hojas") / "encabezados.yaml"
    return yaml.safe_load(path.read_text("utf-8"))


@pytest.mark.parametrize("dataset_type", ["obra", "programa-social", "convocatoria"])
def test_every_alias_names_a_field_and_no_header_means_two_fields(dataset_type):
    from ckanext.hueyapan.comun.lectura import normalise_header as _normalise_header

    specs = field_specs(dataset_type)
    names = {spec.name for spec in specs}
    aliases = _alias_file()["encabezados"][dataset_type]
    assert set(aliases) <= names, set(aliases) - names
    owners: dict[str, set[str]] = {}
    for spec in specs:
        for header in (spec.label, *spec.aliases):
            owners.setdefault(_normalise_header(header.rstrip("*")), set()).add(spec.name)
    shared = {header: fields for header, fields in owners.items() if len(fields) > 1}
    assert shared == {}


def test_every_value_alias_names_a_term_of_the_shipped_vocabularies():
    from ckanext.hueyapan.registros.vocabularios import read_seed

    seed = {vocabulary: {term["clave"] for term in terms}
            for vocabulary, terms in read_seed().items()}
    for vocabulary, values in _alias_file()["valores"].items():
        assert vocabulary in seed, vocabulary
        unknown = set(values.values()) - seed[vocabulary]
        assert unknown == set(), vocabulary


# ------------------------------------------------------------------------------ the bad-cells rule

@pytest.mark.parametrize("marker", ["N/D", "ND", "n/a", "NA", "-", "—", "s/d", "S/D",
                                    "No disponible", "sin datos", "...", "--"])
def test_no_value_markers_are_empty_cells_not_errors(marker):
    table = read_table(csv_bytes([OBRA_HEADER, ["HUE-1", "Pozo", marker]]), "obras.csv", "obra")
    assert table.errors == []
    assert table.rows[0].data == {"clave_obra": "HUE-1", "title": "Pozo"}


def test_a_no_value_marker_in_the_key_column_is_a_row_without_key():
    table = read_table(csv_bytes([OBRA_HEADER, ["N/D", "Pozo", "100"], ["HUE-2", "Aula", "5"]]),
                       "obras.csv", "obra")
    assert [row.key for row in table.rows] == ["HUE-2"]
    assert [(error.row, error.column) for error in table.errors] == [(2, "Clave de la obra")]


def test_unreadable_optional_cells_are_the_rows_observations():
    table = read_table(csv_bytes([
        ["Clave de la obra", "Nombre de la obra", "Monto aprobado (MXN)", "Fecha de inicio",
         "Avance físico (%)"],
        ["HUE-1", "Pozo", "dos millones", "31/02/2025", "150"],
        ["HUE-2", "Aula", "$5.00", "01/02/2025", "10"],
    ]), "obras.csv", "obra")
    first, second = table.rows
    assert first.data == {"clave_obra": "HUE-1", "title": "Pozo"}
    assert [(o.row, o.column, o.value) for o in first.observations] == [
        (2, "Monto aprobado (MXN)", "dos millones"), (2, "Fecha de inicio", "31/02/2025"),
        (2, "Avance físico (%)", "150")]
    assert first.observations == table.errors
    assert second.observations == []


@DB
def test_a_fillable_required_field_does_not_drop_the_row():
    header = ["Clave de la obra", "Nombre de la obra", "Etapa"]
    content = csv_bytes([header, ["HUE-1", "Pozo", ""], ["HUE-2", "Aula", "En veremos"]])
    strict = read_table(content, "obras.csv", "obra")
    assert strict.rows == [] and len(strict.errors) == 2
    lenient = read_table(content, "obras.csv", "obra", fillable={"etapa"})
    assert [row.key for row in lenient.rows] == ["HUE-1", "HUE-2"]
    assert "etapa" not in lenient.rows[1].data
    assert [(o.column, o.value) for o in lenient.rows[1].observations] == [("Etapa", "En veremos")]


@DB
def test_consultation_columns_become_the_consultas_list():
    table = read_table(csv_bytes([
        ["Clave de la obra", "Nombre de la obra", "Fecha de la consulta", "Lugar de la consulta",
         "Número de mujeres asistentes", "Número de hombres asistentes",
         "Hipervínculo al acta de la consulta ciudadana", "Fecha de la consulta 2",
         "Asistentes mujeres 2"],
        ["HUE-1", "Pozo", "12/03/2025", "Salón ejidal de Los Mangos", "23", "19",
         "https://example.org/acta-ejemplo.pdf", "", ""],
        ["HUE-2", "Aula", "N/D", "Escuela", "", "", "", "01/04/2025", "5"],
    ]), "obras.csv", "obra")
    first, second = table.rows
    assert first.data["consultas"] == [{
        "fecha": "2025-03-12", "lugar": "Salón ejidal de Los Mangos", "asistentes_mujeres": "23",
        "asistentes_hombres": "19", "acta": "https://example.org/acta-ejemplo.pdf"}]
    assert first.observations == []
    # a consultation without date, or without place, is not recorded and is said so
    assert "consultas" not in second.data
    assert [(o.row, o.column) for o in second.observations] == [
        (3, "Lugar de la consulta"), (3, "Fecha de la consulta 2")]


@DB
def test_source_defaults_are_read_like_cells():
    from ckanext.hueyapan.hojas.tabla import read_defaults

    found, problems = read_defaults("obra", {"etapa": "En ejecución", "ejercicio_fiscal": 2025,
                                             "comunidades": ["Los Mangos", "El Aguacate"]})
    assert problems == []
    assert found == {"etapa": "ejecucion", "ejercicio_fiscal": "2025",
                     "comunidades": ["300730030", "300730002"]}
    _, problems = read_defaults("obra", {"etapa": "En veremos", "color": "rojo",
                                         "clave_obra": "X", "observaciones": ["x"]})
    assert len(problems) == 4
    assert problems[0].startswith('"valores": "etapa" = "En veremos"')
