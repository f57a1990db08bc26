"""A quarterly transparency spreadsheet as the municipality publishes it, harvested as obras.

The SIPOT layout of LGTAIP art. 70 fr. XXVIII as the PNT exports it (format number, the
"TÍTULO / NOMBRE CORTO / DESCRIPCIÓN" banner, field types and ids, "Tabla Campos", then the
headers), in Windows-1252 CSV and in XLSX, with no stage and no consultation columns, an amount
written in words, an impossible date, percentages over 100, "N/D" cells and a total row. Served
over loopback and harvested by the real gather and fetch consumers: every row with a key is
published in a plausible stage marked "etapa estimada", rows with unreadable cells carry
"Datos con observaciones" on their page and ``observaciones`` in the API, and none is refused
for lacking a stage or a consultation. All data are synthetic ("Datos de ejemplo").
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan import comun
from tests.libros import xlsx_bytes

HEADER = [
    "Ejercicio", "Fecha de inicio del periodo que se informa",
    "Fecha de término del periodo que se informa", "Tipo de procedimiento (catálogo)",
    "Número de expediente, folio o nomenclatura", "Breve descripción de la obra pública",
    "Lugar donde se realizará la obra pública", "Razón social del contratista o proveedor",
    "RFC de la persona física o moral contratista o proveedor",
    "Número que identifique al contrato", "Fecha del contrato",
    "Fecha de inicio del plazo de entrega o ejecución de los servicios u obra",
    "Fecha de término del plazo de entrega o ejecución de los servicios u obra",
    "Monto total del contrato con impuestos incluidos (MXN)",
    "Origen de los recursos públicos (catálogo)", "Fuente de financiamiento",
    "Porcentaje de avance físico", "Porcentaje de avance financiero",
    "Hipervínculo al finiquito", "Área(s) responsable(s) que genera(n), posee(n), publica(n) y "
    "actualizan la información", "Fecha de validación", "Fecha de actualización", "Nota",
]
BANNER = [
    ["59712"],
    ["TÍTULO", "NOMBRE CORTO", "DESCRIPCIÓN"],
    ["Formato 28a LGT_Art_70_Fr_XXVIII - Resultados de procedimientos de licitación pública e "
     "invitación a cuando menos tres personas (Datos de ejemplo)", "LTAIPVIL15XXVIIIa",
     "Hoja sintética para pruebas del catálogo"],
    ["1", "4", "4", "9", "1", "2", "2", "1", "1", "1", "4", "4", "4", "6", "9", "1", "2", "2",
     "7", "2", "4", "4", "2"],
    [str(570100 + number) for number in range(len(HEADER))],
    ["Tabla Campos"],
]
AREA = "Dirección de Obras Públicas"


def _day(offset: int) -> str:
    return (comun.today() + datetime.timedelta(days=offset)).strftime("%d/%m/%Y")


def rows() -> list[list[str]]:
    """The data rows (keys and RFCs synthetic), a row without key and a total row."""
    future, later = _day(45), _day(200)
    common = ["2025", "01/07/2025", "30/09/2025"]
    tail = [AREA, "10/10/2025", "10/10/2025", "Datos de ejemplo"]
    return [
        # 100 % built: concluida
        common + ["Licitación pública", "EJEMPLO-OP-001", "Pavimentación hidráulica de calle "
                  "principal en Los Mangos", "Los Mangos", "Constructora Ejemplo del Sotavento, "
                  "S.A. de C.V.", "CES120315AB7", "EJEMPLO-CONT-001", "01/03/2025", "03/03/2025",
                  "30/06/2025", "$1,250,000.00", "Federales", "FISM-DF", "100", "100", "", *tail],
        # amount in words, financial progress of 120 %: published without both, 45 % built
        common + ["Adjudicación directa", "EJEMPLO-OP-002", "Ampliación de red de agua potable "
                  "en El Aguacate", "El Aguacate", "Obras Ejemplo del Golfo, S.A. de C.V.",
                  "OEG130101XY9", "EJEMPLO-CONT-002", "20/03/2025", "01/04/2025", "31/08/2025",
                  "dos millones de pesos", "Municipales", "Recursos propios", "45%", "120", "",
                  *tail],
        # contract dated 31/02/2025, physical progress 150 %: started, so in execution
        common + ["Invitación a cuando menos tres personas", "EJEMPLO-OP-003",
                  "Construcción de aula en Juan Díaz Covarrubias", "Juan Díaz Covarrubias",
                  "Edificaciones Ejemplo, S.A. de C.V.", "EED140202AB1", "EJEMPLO-CONT-003",
                  "31/02/2025", "15/05/2025", "15/11/2025", "$980,000.00", "Federales",
                  "FISM-DF", "150%", "60", "", *tail],
        # nothing signed yet, "N/D" everywhere: planeación
        common + ["N/D", "EJEMPLO-OP-004", "Rehabilitación de camino saca cosechas en Los Mangos",
                  "Los Mangos", "N/D", "no disponible", "-", "N/D", future, later, "—",
                  "Municipales", "Recursos propios", "N/D", "s/d", "", *tail],
        # contract signed, works start next month, 0 % built: contratación
        common + ["Licitación pública", "EJEMPLO-OP-005", "Construcción de tanque elevado en "
                  "El Aguacate", "El Aguacate", "Hidráulica Ejemplo, S.A. de C.V.", "HEJ150303CD2",
                  "EJEMPLO-CONT-005", _day(-10), future, later, "$2,100,000.00", "Federales",
                  "FISM-DF", "0", "0", "", *tail],
        # no key: reported, never published
        common + ["Adjudicación directa", "N/D", "Obra sin número de expediente", "Los Mangos",
                  "", "", "", "", "", "", "$10,000.00", "", "", "", "", "", *tail],
        ["Total", "", "", "", "", "", "", "", "", "", "", "", "", "$4,330,000.00"],
    ]


EXPECTED_STAGES = {"EJEMPLO-OP-001": "concluida", "EJEMPLO-OP-002": "ejecucion",
                   "EJEMPLO-OP-003": "ejecucion", "EJEMPLO-OP-004": "planeacion",
                   "EJEMPLO-OP-005": "contratacion"}
DATA_START = len(BANNER) + 2  # the sheet row of the first obra


def sipot_csv(data: list[list[str]]) -> bytes:
    """CSV as the PNT's export saved from Excel: Windows-1252, quoted, CRLF."""
    output = io.StringIO(newline="")
    csv.writer(output, lineterminator="\r\n").writerows(BANNER + [HEADER] + data)
    return output.getvalue().encode("cp1252")


def sipot_xlsx(data: list[list[str]]) -> bytes:
    """The same sheet as an XLSX workbook, with real numbers and dates where Excel keeps them,
    and the SIPOT catalogues in a hidden sheet."""
    typed = []
    for row in data:
        cells: list[object] = list(row)
        for index, value in enumerate(cells):
            text = str(value)
            if re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
                day, month, year = (int(part) for part in text.split("/"))
                try:
                    cells[index] = datetime.datetime(year, month, day)
                except ValueError:
                    pass  # 31/02/2025 stays text, as Excel leaves it
            elif re.fullmatch(r"\$[\d,]+\.\d{2}", text):
                cells[index] = float(text[1:].replace(",", ""))
        typed.append(cells)
    return xlsx_bytes({"Reporte de Formatos": BANNER + [HEADER] + typed,
                       "Hidden_1": [["Licitación pública"], ["Invitación a cuando menos tres "
                                                             "personas"]]},
                      hidden=("Hidden_1",))


def obras() -> dict[str, dict]:
    found = call_action("package_search", fq="dataset_type:obra", rows=100, include_private=True)
    return {d["clave_obra"]: d for d in found["results"]}


@pytest.fixture
def sipot_source(comunidades, file_server, harvest):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")

    def make(path: str, content: bytes) -> dict:
        file_server.add(path, content, content_type="application/octet-stream")
        return harvest.create_source(
            name="sipot-" + path.strip("/").replace(".", "-").lower(), title="SIPOT fr. XXVIII",
            url=file_server.url(path), source_type="hueyapan_tabular", owner_org=org["id"],
            config={"tipo": "obra", "organizacion": "obras-publicas"})

    return make


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_sipot_sheet_publishes_every_row_with_a_key_in_an_estimated_stage(
        kind, sipot_source, consumers, harvest, file_server, app):
    content = sipot_csv(rows()) if kind == "csv" else sipot_xlsx(rows())
    path = f"/LTAIPVIL15XXVIIIa.{kind}"
    source = sipot_source(path, content)
    job = harvest.run(source["id"], consumers=consumers, timeout=120)
    errors = harvest.errors(job)

    found = obras()
    assert set(found) == set(EXPECTED_STAGES), errors
    for key, stage in EXPECTED_STAGES.items():
        shown = call_action("package_show", id=found[key]["id"])
        assert (shown["etapa"], shown["etapa_estimada"]) == (stage, True), key
    # refused: only the row without key, and never for a missing stage or consultation
    keyless = DATA_START + 5
    refused = [e for e in errors if e.startswith(f"Fila {keyless},")]
    assert len(refused) == 1 and "no tiene clave" in refused[0], errors
    assert not any("consulta" in e.lower() or "«etapa»" in e.lower() for e in errors), errors

    # observations: on the record (API), in the report, on the page
    dos = call_action("package_show", id="ejemplo-op-002")
    tres = call_action("package_show", id="ejemplo-op-003")
    assert "monto_contratado" not in dos and "avance_financiero" not in dos
    assert dos["avance_fisico"] == "45"
    assert "avance_fisico" not in tres and "contrato_fecha" not in tres
    assert tres["fecha_inicio"] == "2025-05-15"
    row_two = DATA_START + 1
    assert [line.split(",")[0] for line in dos["observaciones"]] == [f"Fila {row_two}"] * 2
    assert any("«Monto total del contrato con impuestos incluidos (MXN)»" in line
               and "«dos millones de pesos»" in line for line in dos["observaciones"])
    assert any("«Porcentaje de avance financiero»" in line and "«120»" in line
               for line in dos["observaciones"])
    assert any("«Fecha del contrato»" in line and "«31/02/2025»" in line
               for line in tres["observaciones"])
    assert any("«Porcentaje de avance físico»" in line and "«150%»" in line
               for line in tres["observaciones"]), tres["observaciones"]
    for clean in ("ejemplo-op-001", "ejemplo-op-004", "ejemplo-op-005"):
        assert call_action("package_show", id=clean)["observaciones"] == [], clean
    reported = set(errors)
    assert set(dos["observaciones"]) <= reported and set(tres["observaciones"]) <= reported

    page = app.get("/obra/ejemplo-op-002").body
    assert "Datos con observaciones" in page and "dos millones de pesos" in page
    assert "etapa estimada" in page
    assert "Datos con observaciones" not in app.get("/obra/ejemplo-op-001").body

    if kind == "xlsx":
        return
    # the export carries both fields, from the schema
    exported = {row["Clave de la obra"]: row for row in csv.DictReader(io.StringIO(
        app.get("/exportar/obra.csv").body.lstrip("\ufeff")))}
    assert set(exported) == set(EXPECTED_STAGES)
    assert {row["Etapa estimada"] for row in exported.values()} == {"Sí"}
    assert "dos millones de pesos" in exported["EJEMPLO-OP-002"]["Observaciones sobre los datos"]
    assert exported["EJEMPLO-OP-001"]["Observaciones sobre los datos"] == ""

    # the área corrects the amount: the next harvest publishes it and drops its observation
    fixed = [list(row) for row in rows()]
    fixed[1][fixed[1].index("dos millones de pesos")] = "$2,000,000.00"
    file_server.add(path, sipot_csv(fixed), content_type="application/octet-stream")
    harvest.run(source["id"], consumers=consumers, timeout=120)
    dos = call_action("package_show", id="ejemplo-op-002")
    assert dos["monto_contratado"] == "2000000.00"
    assert len(dos["observaciones"]) == 1 and "«120»" in dos["observaciones"][0]
    assert "dos millones" not in app.get("/obra/ejemplo-op-002").body


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_sources_default_stage_is_recorded_not_estimated(comunidades, file_server, harvest,
                                                               consumers):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    config = {"tipo": "obra", "organizacion": "obras-publicas",
              "valores": {"etapa": "En ejecución"}}
    with pytest.raises(Exception, match="valores"):  # an unreadable default is refused at once
        harvest.create_source(name="sipot-malo", title="SIPOT", url=file_server.url("/x.csv"),
                              source_type="hueyapan_tabular", owner_org=org["id"],
                              config={**config, "valores": {"etapa": "En veremos"}})
    source = harvest.create_source(
        name="sipot-valores", title="SIPOT", url=file_server.add("/s.csv", sipot_csv(rows())),
        source_type="hueyapan_tabular", owner_org=org["id"], config=config)
    harvest.run(source["id"], consumers=consumers, timeout=120)
    for key in EXPECTED_STAGES:
        shown = call_action("package_show", id=key.lower())
        assert (shown["etapa"], shown["etapa_estimada"]) == ("ejecucion", False), key
    # staff record the stage by hand: a later harvest keeps it, never estimated again
    call_action("package_patch", {"user": factories.Sysadmin()["name"]}, id="ejemplo-op-001",
                etapa="finiquitada", etapa_estimada=False,
                consultas=[{"fecha": "2025-02-01", "lugar": "Salón ejidal (datos de ejemplo)"}])
    site = {"ignore_auth": True, "user": call_action("get_site_user")["name"]}
    source = call_action("harvest_source_update", site, id=source["id"], name=source["name"],
                         title=source["title"], url=source["url"], owner_org=org["id"],
                         source_type="hueyapan_tabular", frequency="MANUAL",
                         config=json.dumps({**config, "valores": {}}))
    harvest.run(source["id"], consumers=consumers, timeout=120)
    uno = call_action("package_show", id="ejemplo-op-001")
    assert (uno["etapa"], uno["etapa_estimada"]) == ("finiquitada", False)
    assert call_action("package_show", id="ejemplo-op-004")["etapa_estimada"] is True


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_source_form_explains_the_configuration(app, comunidades):
    user = factories.SysadminWithToken()
    page = app.get("/harvest/new", headers={"Authorization": user["token"]}).body
    section = page[page.index('id="hy-ayuda-config"'):]
    for key in ("tipo", "organizacion", "columna_clave", "mapeo", "valores", "retirados"):
        assert f"<code>{key}</code>" in section
    assert "etapa estimada" in section
