"""The pages of an obra, a programa social and a convocatoria in a real browser, at a desktop
and a phone width: nothing wider than the screen, accessible (axe-core, WCAG 2.1 AA), in Spanish,
no request leaving 127.0.0.1 (checked by conftest for every browser test)."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import axe_violations, english_on_page, too_wide, visit
from tests.fabricas import area_obras, convocatoria, dia, obra, programa

WIDTHS = {1280: (1280, 900), 375: (375, 812), 320: (320, 640)}
LOS_MANGOS = "300730030"
CABECERA = "300730001"
AUTH = "Authorization"




def _photo(sky: tuple[int, int, int]) -> bytes:
    """A small real JPEG: sky, ground and a road."""
    image = Image.new("RGB", (320, 240), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 240), fill=(120, 96, 64))
    draw.polygon([(130, 240), (190, 240), (165, 150), (155, 150)], fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _upload(app, user, dataset, content: bytes, filename: str, **fields) -> None:
    data = {"package_id": dataset["id"], "upload": (io.BytesIO(content), filename), **fields}
    response = app.post("/api/3/action/resource_create", data=data,
                        headers={AUTH: user["token"]}, content_type="multipart/form-data")
    assert response.status_code == 200, response.body


@pytest.fixture
def catalogo(live_server, comunidades, app):
    """One obra with photos and documents, one programme and one open call (datos de ejemplo)."""
    sysadmin = factories.SysadminWithToken()
    org = area_obras()
    context = {"user": sysadmin["name"]}
    dataset = call_action("package_create", context, **obra(
        org, title="Pavimentación de la calle principal de Los Mangos (datos de ejemplo)",
        etapa="ejecucion", comunidades=[LOS_MANGOS],
        notes="Pavimentación con concreto hidráulico de 420 metros de calle.",
        fuentes_financiamiento=[{"fuente": "fism", "monto": "1,000,000"},
                                {"fuente": "recursos_propios", "monto": "234,567.89"}],
        monto_ejercido="640,000", modalidad_contratacion="licitacion_publica",
        contratista_razon_social="Constructora Ejemplo del Sotavento, S.A. de C.V.",
        contratista_rfc="CES120315AB7", avance_fisico="45", avance_financiero="30.5",
        spatial={"type": "LineString", "coordinates": [[-95.15, 18.15], [-95.14, 18.16]]},
        consultas=[{"fecha": "2025-01-10", "lugar": "Salón ejidal de Los Mangos",
                    "asistentes_mujeres": "31", "asistentes_hombres": "24"}],
        historial_avance=[
            {"fecha": "2025-04-30", "avance_fisico": "10", "avance_financiero": "5",
             "nota": "Trazo y nivelación"},
            {"fecha": "2025-06-30", "avance_fisico": "45", "avance_financiero": "30.5"}],
    ))
    for number, sky in enumerate([(146, 188, 222), (170, 200, 230), (120, 160, 210)], start=1):
        _upload(app, sysadmin, dataset, _photo(sky), f"avance-{number}.jpg",
                name=f"Avance de la obra, foto {number}", tipo_recurso="evidencia_fotografica")
    _upload(app, sysadmin, dataset, b"%PDF-1.4\n%%EOF\n", "contrato.pdf",
            name="Contrato, versión pública", tipo_recurso="contrato", format="PDF")

    call_action("package_create", context, **programa(
        org, title="Apoyo a productores de maíz 2025 (datos de ejemplo)",
        comunidades=[LOS_MANGOS, CABECERA], vigencia_inicio=dia(-30), vigencia_fin=dia(200),
        notes="Entrega de semilla y fertilizante.",
        poblacion_objetivo="Personas productoras de maíz del municipio",
        criterios_elegibilidad="Primero quienes siembran menos de 2 hectáreas.",
        requisitos=["Identificación oficial", "Constancia de productor"],
        procedimiento_acceso="1. Acuda a la oficina.\n2. Llene la solicitud.",
        apoyo_por_beneficiario=[{"descripcion": "Paquete de semilla", "monto": "1,850.50",
                                 "tipo": "en especie"}],
        beneficiarios=[{"comunidad": LOS_MANGOS, "mujeres": "64", "hombres": "60", "total": "124"},
                       {"comunidad": CABECERA, "mujeres": "10", "hombres": "12", "total": "22"}],
    ))
    call_action("package_create", context, **convocatoria(
        org, title="Convocatoria de proyectos comunitarios 2026 (datos de ejemplo)",
        fecha_publicacion=dia(-5), fecha_apertura=dia(-2), fecha_cierre=dia(12),
        fecha_resultados=dia(30), comunidades=[LOS_MANGOS, CABECERA],
        publico_objetivo="Comités de las comunidades del municipio",
        requisitos=["Acta de asamblea", "Croquis del lugar"],
        documentos_requeridos=["Solicitud firmada por el comité"],
        lugar_entrega="Palacio Municipal, planta baja, de 9:00 a 15:00 h.",
        contacto="Ventanilla de Obras Públicas, Palacio Municipal",
    ))
    return org


PAGES = {
    "obra": "/obra/pavimentacion-los-mangos",
    "programa": "/programa-social/apoyo-productores-2025",
    "convocatoria": "/convocatoria/proyectos-comunitarios-2026",
}

#: What each page must show (present in Spanish already, from existing translations or data).
EXPECTED = {
    "obra": ["$1,234,567.89", "$234,567.89", "Avance físico", "45 %",
             "Constructora Ejemplo del Sotavento, S.A. de C.V.", "Salón ejidal de Los Mangos",
             "Trazo y nivelación"],
    "programa": ["Personas productoras de maíz del municipio", "Constancia de productor",
                 "$1,850.50", "64 mujeres, 60 hombres", "Los Mangos"],
    "convocatoria": ["Abierta", "quedan 12 días", "Croquis del lugar",
                     "Comités de las comunidades"],
}


@pytest.mark.usefixtures("catalogo")
@pytest.mark.parametrize("width", WIDTHS, ids=[str(w) for w in WIDTHS])
@pytest.mark.parametrize("tipo", PAGES)
def test_dataset_page(browser, live_server, screenshot, tipo, width):
    browser.set_window_size(*WIDTHS[width])
    visit(browser, live_server + PAGES[tipo])
    # lazy images load once near the viewport: scroll through the page before the picture
    for image in browser.find_elements(By.CSS_SELECTOR, ".hy-galeria img"):
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", image)
    WebDriverWait(browser, 15).until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('.hy-galeria img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"))
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(f"ficha-{tipo}-{width}")

    main = browser.find_element(By.CSS_SELECTOR, "[role=main]").text
    for text in EXPECTED[tipo]:
        assert text in main, f"{text!r} is not on the {tipo} page"
    assert browser.find_elements(By.CSS_SELECTOR, "svg.hy-mapa")

    if tipo == "obra":
        photos = browser.find_elements(By.CSS_SELECTOR, ".hy-galeria img")
        assert len(photos) == 3
        assert all(p.get_attribute("loading") == "lazy" and p.get_attribute("alt") for p in photos)
        # the photos are real images the browser could decode
        WebDriverWait(browser, 15).until(lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", photos[0]) == 320)
        bars = browser.find_elements(By.CSS_SELECTOR, "[role=progressbar]")
        assert [b.get_attribute("aria-valuenow") for b in bars] == ["45.0", "30.5"]

    # nothing wider than the screen
    wide = too_wide(browser)
    assert wide == [], "\n".join(wide)

    assert axe_violations(browser) == []
    assert english_on_page(browser) == []
