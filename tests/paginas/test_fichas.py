"""The dataset pages ("fichas") of an obra, a programa social and a convocatoria, served by the
real app: key facts, amounts, progress bars, consultations, timeline, photos, beneficiaries,
a call's estado and days left, maps, and nothing private shown to the public."""
from __future__ import annotations

import datetime
import io
import re

import pytest
from PIL import Image

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan.paginas import fichas, mapas
from tests.fabricas import convocatoria, dia, obra, programa

AUTH = "Authorization"
LOS_MANGOS = "300730030"
CABECERA = "300730001"
CONTRATISTA = "Constructora Ejemplo del Sotavento, S.A. de C.V."
CAMINO = {"type": "LineString", "coordinates": [[-95.15, 18.15], [-95.14, 18.16], [-95.13, 18.16]]}

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_index")




def _jpeg(color: str = "orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _upload(app, user, dataset, content: bytes, filename: str, **fields):
    data = {"package_id": dataset["id"], "name": fields.pop("name", filename),
            "upload": (io.BytesIO(content), filename), **fields}
    response = app.post("/api/3/action/resource_create", data=data,
                        headers={AUTH: user["token"]}, content_type="multipart/form-data")
    assert response.status_code == 200, response.body
    return response.json["result"]


def _text(html: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, section_id: str) -> str:
    """The HTML of the <section id="..."> of the page (sections are not nested)."""
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def sysadmin(with_plugins, clean_index, comunidades):
    return factories.SysadminWithToken()


@pytest.fixture
def org(sysadmin):
    return factories.Organization(name="obras-publicas", title="Obras Públicas", image_url="")


@pytest.fixture
def obra_completa(app, sysadmin, org):
    """An obra in execution with everything its page shows, a photo, a report photographed but
    filed as a progress report, and a contract PDF carrying a privacy exception."""
    dataset = call_action("package_create", {"user": sysadmin["name"]}, **obra(
        org, etapa="ejecucion", comunidades=[LOS_MANGOS, CABECERA],
        notes="Pavimentación con concreto hidráulico (datos de ejemplo).",
        fuentes_financiamiento=[{"fuente": "fism", "monto": "1,000,000"},
                                {"fuente": "recursos_propios", "monto": "234,567.89"}],
        monto_modificado="1,300,000.50", monto_ejercido="640000",
        modalidad_contratacion="licitacion_publica", contratista_razon_social=CONTRATISTA,
        contratista_rfc="CES120315AB7", contrato_numero="HUE-OP-FISM-013/2025",
        avance_fisico="45", avance_financiero="30.5", spatial=CAMINO,
        consultas=[
            {"fecha": "2025-02-20", "lugar": "Escuela primaria de Los Mangos",
             "asistentes_mujeres": "20", "asistentes_hombres": "15",
             "acta": "https://example.org/acta-2.pdf"},
            {"fecha": "2025-01-10", "lugar": "Salón ejidal de Los Mangos",
             "asistentes_mujeres": "31", "asistentes_hombres": "24", "acta": ""},
        ],
        historial_avance=[
            {"fecha": "2025-06-30", "avance_fisico": "45", "avance_financiero": "30.5",
             "nota": "Segundo corte"},
            {"fecha": "2025-04-30", "avance_fisico": "10", "avance_financiero": "5",
             "nota": "Primer corte"},
            {"fecha": "2025-05-31", "avance_fisico": "25", "avance_financiero": "20",
             "nota": "Corte intermedio"},
        ],
        retirado_de_origen="si",
    ))
    _upload(app, sysadmin, dataset, _jpeg(), "frente-norte.jpg", name="Frente norte, junio",
            tipo_recurso="evidencia_fotografica", format="JPEG")
    _upload(app, sysadmin, dataset, _jpeg("gray"), "informe.jpg", name="Informe escaneado",
            tipo_recurso="informe_avance", format="JPEG")
    _upload(app, sysadmin, dataset, b"%PDF-1.4\n%%EOF\n", "contrato.pdf",
            name="Contrato versión pública", tipo_recurso="contrato", format="PDF",
            excepcion_privacidad="Versión pública aprobada por el Comité (datos de ejemplo)")
    return call_action("package_show", id=dataset["id"])


# --- obra -----------------------------------------------------------------------------------------

def test_obra_key_facts_with_formatted_amounts(app, obra_completa):
    html = app.get("/obra/pavimentacion-los-mangos").body
    facts = _text(_section(html, "hy-datos-clave"))
    for amount in ("$1,234,567.89", "$1,300,000.50", "$640,000.00", "$1,000,000.00", "$234,567.89"):
        assert amount in facts
    assert "FISM-DF (FAIS municipal, Ramo 33)" in facts and "Recursos propios" in facts
    assert "Licitación pública" in facts
    assert CONTRATISTA in facts and "CES120315AB7" in facts
    assert "1 de marzo de 2025" in facts and "30 de septiembre de 2025" in facts
    assert "Monto aprobado (MXN)" in facts  # labels from the schema, in Spanish


def test_obra_progress_bars_are_labelled(app, obra_completa):
    html = _section(app.get("/obra/pavimentacion-los-mangos").body, "hy-avance")
    bars = re.findall(r'<div class="hy-barra-pista" role="progressbar"[^>]*>', html)
    assert len(bars) == 2
    assert 'aria-labelledby="hy-avance-fisico"' in bars[0] and 'aria-valuenow="45.0"' in bars[0]
    assert 'aria-valuemin="0"' in bars[0] and 'aria-valuemax="100"' in bars[0]
    assert 'aria-valuetext="45 %"' in bars[0]
    assert 'aria-labelledby="hy-avance-financiero"' in bars[1] and 'aria-valuenow="30.5"' in bars[1]
    assert '<span class="hy-barra-etiqueta" id="hy-avance-fisico">Avance físico</span>' in html


def test_obra_consultations_in_date_order_with_totals(app, obra_completa):
    html = _section(app.get("/obra/pavimentacion-los-mangos").body, "hy-consultas")
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    body = [_text(r) for r in rows[1:-1]]
    assert "10 de enero de 2025" in body[0] and "Salón ejidal" in body[0] and " 31 " in body[0]
    assert "20 de febrero de 2025" in body[1] and 'href="https://example.org/acta-2.pdf"' in rows[2]
    assert re.search(r"51\s.*39", _text(rows[-1]))  # 31 + 20 women, 24 + 15 men


def test_obra_timeline_oldest_first(app, obra_completa):
    html = _section(app.get("/obra/pavimentacion-los-mangos").body, "hy-historial")
    dates = re.findall(r'<time datetime="([0-9-]+)"', html)
    assert dates == ["2025-04-30", "2025-05-31", "2025-06-30"]
    assert _text(html).index("Primer corte") < _text(html).index("Segundo corte")


def test_obra_gallery_shows_only_evidence_photos(app, obra_completa):
    html = app.get("/obra/pavimentacion-los-mangos").body
    gallery = _section(html, "hy-galeria")
    images = re.findall(r"<img [^>]*>", gallery)
    assert len(images) == 1
    assert 'loading="lazy"' in images[0]
    assert 'width="320"' in images[0] and 'height="240"' in images[0]
    assert 'alt="Frente norte, junio"' in images[0] and "frente-norte.jpg" in images[0]
    documents = _section(html, "hy-documentos")
    assert "Informe escaneado" in documents and "Contrato versión pública" in documents
    assert "PDF" in documents and "Contrato (versión pública)" in documents
    assert re.search(r'href="[^"]+/download/contrato\.pdf"', documents)


def test_obra_without_photos_has_no_gallery(app, sysadmin, org):
    call_action("package_create", {"user": sysadmin["name"]}, **obra(org))
    html = app.get("/obra/pavimentacion-los-mangos").body
    assert 'id="hy-galeria"' not in html
    assert 'id="hy-consultas"' in html and 'id="hy-historial"' not in html


def test_obra_map_draws_its_own_geometry(app, obra_completa):
    html = _section(app.get("/obra/pavimentacion-los-mangos").body, "hy-ubicacion")
    assert '<svg class="hy-mapa"' in html and 'class="hy-mapa-lugar-linea"' in html
    assert f'href="/comunidad/{LOS_MANGOS}"' in html and "Los Mangos" in html


def test_obra_map_highlights_its_communities_without_geometry(app, sysadmin, org):
    call_action("package_create", {"user": sysadmin["name"]}, **obra(org))
    html = _section(app.get("/obra/pavimentacion-los-mangos").body, "hy-ubicacion")
    assert "hy-mapa-zona" in html and "hy-mapa-punto-resaltado" in html
    assert "hy-mapa-lugar" not in html


def test_a_natural_person_contractor_is_not_named(app, sysadmin, org):
    call_action("package_create", {"user": sysadmin["name"]}, **obra(
        org, modalidad_contratacion="adjudicacion_directa",
        contratista_razon_social="Persona Ficticia Ejemplo"))
    html = app.get("/obra/pavimentacion-los-mangos").body
    assert "Persona Ficticia Ejemplo" not in html
    assert 'class="hy-contratista"' in html


def test_private_fields_hidden_from_the_public(app, sysadmin, obra_completa):
    public = app.get("/obra/pavimentacion-los-mangos").body
    assert "Retirado de la hoja de origen" not in public
    staff = app.get("/obra/pavimentacion-los-mangos", headers={AUTH: sysadmin["token"]}).body
    assert "Retirado de la hoja de origen" in staff
    # the generic table keeps the fields shown nowhere else, and not the others
    more = _section(public, "hy-mas-datos")
    assert "HUE-OP-FISM-013/2025" in more and "Rubro FAIS" not in more
    assert "Ubicación (GeoJSON)" not in more

    contrato = next(r for r in obra_completa["resources"] if r["tipo_recurso"] == "contrato")
    path = f"/obra/pavimentacion-los-mangos/resource/{contrato['id']}"
    public = app.get(path).body
    assert "Versión pública aprobada por el Comité" not in public
    assert "Excepción de privacidad" not in public
    staff = app.get(path, headers={AUTH: sysadmin["token"]}).body
    assert "Versión pública aprobada por el Comité" in staff


def test_editors_keep_the_resource_list(app, sysadmin, obra_completa):
    staff = app.get("/obra/pavimentacion-los-mangos", headers={AUTH: sysadmin["token"]}).body
    assert 'class="hy-ficha-gestion"' in staff and 'id="dataset-resources"' in staff
    assert "/resource/" in staff and "/edit" in staff
    public = app.get("/obra/pavimentacion-los-mangos").body
    assert 'class="hy-ficha-gestion"' not in public


# --- programa social ----------------------------------------------------------------------------

@pytest.fixture
def programa_completo(sysadmin, org):
    return call_action("package_create", {"user": sysadmin["name"]}, **programa(
        org, comunidades=[LOS_MANGOS, CABECERA],
        poblacion_objetivo="Personas productoras de maíz del municipio (datos de ejemplo)",
        criterios_elegibilidad="Se atiende primero a quien tenga menos de 2 hectáreas.",
        requisitos=["Identificación oficial", "Constancia de productor"],
        procedimiento_acceso="1. Acuda a la oficina de Desarrollo Agropecuario.",
        apoyo_por_beneficiario=[{"descripcion": "Paquete de semilla y fertilizante",
                                 "monto": "1,850.50", "tipo": "en especie"}],
        beneficiarios=[
            {"comunidad": CABECERA, "mujeres": "10", "hombres": "12", "total": "22"},
            {"comunidad": LOS_MANGOS, "mujeres": "64", "hombres": "60", "total": ""},
        ],
        retirado_de_origen="no",
    ))


def test_programa_page(app, programa_completo):
    html = app.get("/programa-social/apoyo-productores-2025").body
    assert "Personas productoras de maíz del municipio" in _section(html, "hy-quien")
    assert "menos de 2 hectáreas" in _section(html, "hy-quien")
    assert "Identificación oficial" in _section(html, "hy-requisitos")
    assert "Desarrollo Agropecuario" in _section(html, "hy-como")
    assert "$1,850.50" in _section(html, "hy-apoyo")
    facts = _text(_section(html, "hy-datos-clave"))
    assert "$420,000.00" in facts and "1 de febrero de 2025" in facts and "146" in facts
    assert "Retirado de la hoja de origen" not in html


def test_programa_beneficiaries_table_sums(app, programa_completo):
    html = _section(app.get("/programa-social/apoyo-productores-2025").body, "hy-beneficiarios")
    table = html[html.index("<table"):html.index("</table>")]
    rows = [_text(r).split() for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    # most first; a missing total is women plus men; the footer adds them up
    assert rows[1] == ["Los", "Mangos", "64", "60", "124"]
    assert rows[2][-3:] == ["10", "12", "22"]
    assert rows[-1][-3:] == ["74", "72", "146"]
    # the chart: one bar per community, with its numbers written out
    chart = html[html.index("<figure"):html.index("</figure>")]
    assert chart.count('class="hy-grafica-pista" aria-hidden="true"') == 2
    assert "64 mujeres, 60 hombres" in chart


def test_beneficiarios_widths_are_relative_to_the_largest():
    data = fichas.beneficiarios({"beneficiarios": []})
    assert data["filas"] == [] and data["totales"]["total"] == 0


# --- convocatoria -------------------------------------------------------------------------------

def _convocatoria_page(app, sysadmin, org, **fields) -> str:
    call_action("package_create", {"user": sysadmin["name"]}, **convocatoria(org, **fields))
    return app.get("/convocatoria/proyectos-comunitarios-2026").body


def test_open_call_shows_days_left(app, sysadmin, org):
    html = _convocatoria_page(
        app, sysadmin, org, fecha_apertura=dia(-3), fecha_cierre=dia(5),
        fecha_resultados=dia(20), requisitos=["Acta de asamblea", "Croquis del lugar"])
    start = html.index('class="hy-plazo')
    badge = _text(html[start:html.index("</p>", start)])
    assert "Abierta" in badge and "quedan 5 días" in badge
    assert 'class="hy-estado hy-estado-abierta"' in html
    checklist = _section(html, "hy-requisitos")
    assert checklist.count("<li>") == 2 and "Croquis del lugar" in checklist
    dates = re.findall(r'<time datetime="([0-9-]+)"', _section(html, "hy-fechas"))
    assert dates == [dia(-3), dia(5), dia(20)]


def test_call_closing_today(app, sysadmin, org):
    html = _convocatoria_page(app, sysadmin, org, fecha_apertura=dia(-10), fecha_cierre=dia(0),
                              fecha_resultados=dia(10))
    assert "cierra hoy" in html and 'hy-estado-abierta' in html


@pytest.mark.parametrize("apertura, cierre, resultados, estado", [
    (2, 10, 20, "proxima"), (-20, -5, 10, "cerrada"), (-30, -20, -10, "resuelta")])
def test_call_estado_badge(app, sysadmin, org, apertura, cierre, resultados, estado):
    html = _convocatoria_page(app, sysadmin, org, fecha_apertura=dia(apertura),
                              fecha_cierre=dia(cierre), fecha_resultados=dia(resultados),
                              resultados_recibidas="12", resultados_aprobadas="4")
    assert f'class="hy-estado hy-estado-{estado}"' in html
    assert "quedan" not in _text(html[html.index('class="hy-plazo'):])[:200]
    results = _text(_section(html, "hy-resultados"))
    assert "Solicitudes o propuestas recibidas" in results and "12" in results


def test_plazo_before_the_call_opens():
    today = datetime.date(2026, 3, 1)
    data = {"type": "convocatoria", "fecha_apertura": "2026-03-04", "fecha_cierre": "2026-03-10"}
    assert fichas.plazo(data, on=today)["estado"] == "proxima"


# --- maps -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("geometry, css", [
    ({"type": "Point", "coordinates": [-95.14, 18.15]}, "hy-mapa-lugar-punto"),
    (CAMINO, "hy-mapa-lugar-linea"),
    ({"type": "Polygon", "coordinates": [[[-95.15, 18.15], [-95.14, 18.15], [-95.14, 18.16],
                                          [-95.15, 18.15]]]}, "hy-mapa-lugar-zona"),
    ({"type": "MultiPoint", "coordinates": [[-95.14, 18.15], [-95.13, 18.16]]},
     "hy-mapa-lugar-punto"),
])
def test_svg_geometria_draws_each_kind(geometry, css):
    svg = str(mapas.svg_geometria(geometry, "Mapa de prueba", "Descripción"))
    assert svg.startswith('<svg class="hy-mapa"') and 'role="img"' in svg
    assert f'class="{css}"' in svg and "hy-mapa-municipio" in svg
    assert '<title id="hy-mapa-titulo">Mapa de prueba</title>' in svg


def test_svg_geometria_refuses_an_unreadable_geometry():
    with pytest.raises(ValueError):
        mapas.svg_geometria({"type": "Point"}, "Mapa")


def test_a_company_is_told_from_a_person():
    assert fichas.is_persona_moral(CONTRATISTA)
    assert fichas.is_persona_moral("Materiales del Golfo SA de CV")
    assert fichas.is_persona_moral("Cualquier nombre", rfc="CES120315AB7")
    assert not fichas.is_persona_moral("Persona Ficticia Ejemplo")
    assert fichas.contratista({"modalidad_contratacion": "administracion_directa",
                               "contratista_razon_social": CONTRATISTA})["caso"] == "directa"


def test_pages_in_english_too(app, obra_completa, programa_completo):
    html = app.get("/en/obra/pavimentacion-los-mangos").body
    assert "Key facts" in html and "March 1, 2025" in html and "$1,234,567.89" in html
    assert app.get("/en/programa-social/apoyo-productores-2025").status_code == 200


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_a_dataset_without_licence_shows_the_catalogs(app, comunidades):
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    from tests.fabricas import obra

    org = factories.Organization(name="obras-publicas", image_url="")
    call_action("package_create", context={"user": call_action("get_site_user")["name"],
                                           "ignore_auth": True}, **obra(org))
    body = app.get("/obra/pavimentacion-los-mangos").body
    assert 'href="https://datos.gob.mx/libreusomx"' in body and "Libre Uso MX" in body
    assert "No se ha provisto de una licencia" not in body
