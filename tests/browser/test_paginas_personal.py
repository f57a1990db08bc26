"""Every staff page in Mexican Spanish and accessible, at 1280×800 and at 375 px (issue 18, item 5).

Logged in through the login form, as an editor of Obras Públicas and as a sysadmin, one browser
session per role opens every page staff work on: the dashboard and the user's pages, the forms of
each dataset type (new, the resource step of a new draft, edit, resources, new and edited
resource), the área's pages, the harvest pages (a source, its jobs and a job's report), the review
of proposals to a call and, for the sysadmin, the site's settings. On each page, at both widths:
no CKAN English (``support.CKAN_ENGLISH``), none of the typos and foreign forms CKAN's Spanish
catalog has (:data:`TYPOS`), no raw ``[]``, ``{}`` or ``None`` shown as a value, no error page, no
serious or critical axe finding (WCAG 2.1 A/AA), and, at 375 px, nothing wider than the screen.
Every finding of a role is listed in one failure message, page by page; a screenshot of each page
at 375 px is kept in ``.state/screenshots/``. (Made-up data; only the localities are real.)

A page is one line of :data:`PAGES` (every role), :data:`SYSADMIN_PAGES` or :data:`LATER_PAGES`
(pages whose route may not exist yet: left out while ``url_for`` cannot build them).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BuildError

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.browser.support import (
    axe_violations,
    english_on_page,
    raw_values_on_page,
    too_wide,
    visit,
    words_on_page,
)
from tests.fabricas import area_obras, convocatoria, dia, obra, programa

PASSWORD = "Personal-Hueyapan-2026"
PDF = b"%PDF-1.4\n% acta de ejemplo\n%%EOF\n"
LOS_MANGOS = "300730030"
WIDTHS = {"1280": (1280, 800), "375": (375, 800)}

#: Misspellings and forms of Spanish other than Mexico's that CKAN 2.12.0's Spanish catalog shows
#: on staff pages (Argentine "vos", Spain's "fichero", CKAN's "Actrulizar").
TYPOS = ("Actrulizar", "Podés", "podés", "querés", "Querés", "tenés", "Tenés", "hacé", "Hacé",
         "Definí", "ficheros", "fichero", "Fichero", "Ficheros", "Subir un fichero a su PC")

Made = dict[str, Any]
Builder = Callable[[Made], str]


def url(endpoint: str, **values: Any) -> str:
    """The path of a page (``url_for`` in the app's request context: see :func:`built`)."""
    return tk.url_for(endpoint, **values)


def _type_pages(tipo: str) -> list[tuple[str, Builder]]:
    """The forms of one dataset type: new, the resource step of a new draft, edit, the resource
    list, a new resource and an edited one."""
    return [
        (f"{tipo}: nuevo", lambda m: url(f"{tipo}.new")),
        (f"{tipo}: recursos de un borrador",
         lambda m: url(f"{tipo}_resource.new", id=m[f"borrador-{tipo}"]["name"])),
        (f"{tipo}: editar", lambda m: url(f"{tipo}.edit", id=m[tipo]["name"])),
        (f"{tipo}: recursos", lambda m: url(f"{tipo}.resources", id=m[tipo]["name"])),
        (f"{tipo}: nuevo recurso", lambda m: url(f"{tipo}_resource.new", id=m[tipo]["name"])),
        (f"{tipo}: editar recurso", lambda m: url(f"{tipo}_resource.edit", id=m[tipo]["name"],
                                                  resource_id=m[tipo]["resources"][0]["id"])),
    ]


#: The staff pages every role sees: (name, path builder).
PAGES: list[tuple[str, Builder]] = [
    ("tablero", lambda m: url("activity.dashboard")),
    ("tablero: conjuntos de datos", lambda m: url("dashboard.datasets")),
    ("tablero: organizaciones", lambda m: url("dashboard.organizations")),
    ("tablero: grupos", lambda m: url("dashboard.groups")),
    ("usuario", lambda m: url("user.read", id=m["yo"])),
    ("usuario: editar", lambda m: url("user.edit", id=m["yo"])),
    ("usuario: tokens de API", lambda m: url("user.api_tokens", id=m["yo"])),
    *_type_pages("obra"),
    *_type_pages("programa-social"),
    *_type_pages("convocatoria"),
    ("obra: editar un archivo subido", lambda m: url(
        "obra_resource.edit", id=m["obra"]["name"], resource_id=m["archivo"]["id"])),
    ("área", lambda m: url("organization.read", id=m["org"]["name"])),
    ("cosecha: fuentes", lambda m: url("harvest.search")),
    ("cosecha: nueva fuente", lambda m: url("harvest.new")),
    ("cosecha: fuente", lambda m: url("harvest.read", id=m["fuente"]["name"])),
    ("cosecha: editar fuente", lambda m: url("harvest.edit", id=m["fuente"]["name"])),
    ("cosecha: administrar fuente", lambda m: url("harvester.admin", id=m["fuente"]["name"])),
    ("cosecha: trabajos", lambda m: url("harvester.job_list", source=m["fuente"]["name"])),
    ("cosecha: informe de un trabajo", lambda m: url(
        "harvester.job_show", source=m["fuente"]["name"], id=m["trabajo"])),
    ("cosecha: fuente con un trabajo en espera",
     lambda m: url("harvester.admin", id=m["fuente-en-espera"]["name"])),
    ("cosecha: trabajos de una fuente en espera",
     lambda m: url("harvester.job_list", source=m["fuente-en-espera"]["name"])),
    ("cosecha: informe de un trabajo en espera", lambda m: url(
        "harvester.job_show", source=m["fuente-en-espera"]["name"],
        id=m["trabajo-en-espera"])),
    ("propuestas de una convocatoria",
     lambda m: url("propuestas.de_convocatoria", name=m["convocatoria"]["name"])),
    ("propuesta: revisión", lambda m: url("propuestas.ver", id=m["propuesta"]["id"])),
]

#: Pages only a sysadmin opens (an editor manages the área's datasets, not the área).
SYSADMIN_PAGES: list[tuple[str, Builder]] = [
    ("área: editar", lambda m: url("organization.edit", id=m["org"]["name"])),
    ("área: edición masiva", lambda m: url("organization.bulk_process", id=m["org"]["name"])),
    ("área: miembros", lambda m: url("organization.members", id=m["org"]["name"])),
    ("área: nuevo miembro", lambda m: url("organization.member_new", id=m["org"]["name"])),
    ("área: nueva", lambda m: url("organization.new")),
    ("administración", lambda m: url("admin.index")),
    ("administración: configuración", lambda m: url("admin.config")),
    ("administración: papelera", lambda m: url("admin.trash")),
]

#: Staff pages being built for issue 18 (views/area.py, avance.py, consultas.py, publicacion.py):
#: each is checked once ``url_for`` can build its route.
LATER_PAGES: list[tuple[str, Builder]] = [
    ("mi área", lambda m: url("hueyapan.mi_area")),
    ("obra: alta en una pantalla", lambda m: url("hueyapan.obra_nueva")),
    ("obra: completar", lambda m: url("hueyapan.completar_obra", id=m["obra"]["name"])),
    ("obra: actualizar avance", lambda m: url("hueyapan.actualizar_avance", id=m["obra"]["name"])),
    ("obra: registrar consulta",
     lambda m: url("hueyapan.registrar_consulta", id=m["obra"]["name"])),
    ("obra: retirar", lambda m: url("hueyapan.retirar", id=m["obra"]["name"])),
    ("programa-social: actualizar beneficiarios", lambda m: url(
        "hueyapan.actualizar_beneficiarios", id=m["programa-social"]["name"])),
    ("convocatoria: cerrar",
     lambda m: url("hueyapan.cerrar_convocatoria", id=m["convocatoria"]["name"])),
]


# --- The catalog the pages show ------------------------------------------------------------------


def _harvest_job(app, fuente: dict, server) -> str:
    """One finished job of the tabular harvester on the source, run in this process the way the
    consumers run it (in the catalog's language): a good row imported, one with an unknown
    community reported. Returns the job's id."""
    from ckan.plugins import get_plugin
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.tests.lib import run_harvest_job

    from ckanext.hueyapan.comun.idioma import default_language

    server.add("/obras.csv", (
        "Obras 2025 — Datos de ejemplo\n"
        "Clave de la obra,Nombre de la obra,Ejercicio fiscal,Comunidades,Etapa,"
        "Monto aprobado (MXN),Fecha de inicio\n"
        "HUE-2025-FISM-021,Drenaje en Los Mangos,2025,Los Mangos,Planeación,\"$600,000\","
        "01/03/2025\n"
        "HUE-2025-FISM-022,Obra en comunidad inexistente,2025,Villa Inventada,Planeación,100,"
        "01/03/2025\n").encode(), content_type="text/csv")
    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    job = call_action("harvest_job_create", dict(site), source_id=fuente["id"], run=False)
    with app.flask_app.test_request_context(), default_language():
        run_harvest_job(HarvestJob.get(job["id"]), get_plugin("hueyapan_tabular"))
    return job["id"]


@pytest.fixture
def catalogo(comunidades, live_server, app):
    """An editor and a sysadmin; the área Obras Públicas with a published dataset of each type
    (each with a linked document, the obra also with an uploaded one) and a draft of each, made by
    the editor; a harvest source with a finished job and one whose first job waits for the
    consumers; a proposal to the open call."""
    from tests.harvesters.conftest import FileServer, create_source

    about = "Cuenta de ejemplo."  # the factory's own is random English
    editor = factories.User(name="area-obras", fullname="Responsable de Obras Públicas",
                            password=PASSWORD, email="obras@example.org", image_url="",
                            about=about)
    admin = factories.Sysadmin(name="admin-personal", fullname="Administración del catálogo",
                               password=PASSWORD, email="admin@example.org", image_url="",
                               about=about)
    proponente = factories.User(name="comite-los-mangos", password=PASSWORD,
                                email="comite@example.org", image_url="", about=about)
    org = area_obras(users=[{"name": editor["name"], "capacity": "editor"}])
    context = {"user": editor["name"]}

    def document(name: str) -> list[dict[str, str]]:
        return [{"name": name, "format": "PDF", "url": "https://example.org/documento.pdf"}]

    made: Made = {"editor": editor, "admin": admin, "org": org}
    # a link field left empty (stored as an empty list) and one that names a dataset
    made["obra"] = call_action("package_create", dict(context), **obra(
        org, resources=document("Expediente técnico"), convocatoria_origen=""))
    made["programa-social"] = call_action("package_create", dict(context), **programa(
        org, resources=document("Reglas de operación")))
    made["convocatoria"] = call_action("package_create", dict(context), **convocatoria(
        org, fecha_apertura=dia(-5), fecha_cierre=dia(30), fecha_resultados=dia(45),
        resources=document("Bases de la convocatoria"), obras_resultantes=made["obra"]["name"]))
    made["archivo"] = call_action(
        "resource_create", dict(context), package_id=made["obra"]["id"], name="Acta de entrega",
        format="PDF", upload=FileStorage(io.BytesIO(PDF), filename="acta-de-entrega.pdf"))
    made["borrador-obra"] = call_action("package_create", dict(context), **obra(
        org, name="borrador-de-obra", clave_obra="HUE-2025-FISM-099", state="draft"))
    made["borrador-programa-social"] = call_action("package_create", dict(context), **programa(
        org, name="borrador-de-programa", clave_programa="DA-2025-99", state="draft"))
    made["borrador-convocatoria"] = call_action("package_create", dict(context), **convocatoria(
        org, name="borrador-de-convocatoria", folio="PC-2026-99", state="draft"))

    class Acta:
        filename, stream = "acta.pdf", io.BytesIO(PDF)

    made["propuesta"] = call_action("hueyapan_propuesta_create", {
        "user": proponente["name"], "ignore_auth": False},
        convocatoria=made["convocatoria"]["name"], titulo="Rehabilitar el pozo de agua",
        comunidad=LOS_MANGOS, problema="El pozo se seca en abril.",
        descripcion="Desazolve y bomba nueva.", beneficiarios_mujeres="120",
        beneficiarios_hombres="110", costo_estimado="$250,000",
        contacto_nombre="Persona de contacto (ejemplo)", contacto_telefono="555-000-0000",
        contacto_correo="contacto@example.org", acta=Acta())

    server = FileServer()
    try:
        made["fuente"] = create_source(
            name="obras-tesoreria", title="Obras de Tesorería (datos de ejemplo)",
            url=server.url("/obras.csv"), source_type="hueyapan_tabular", owner_org=org["id"],
            config={"tipo": "obra", "organizacion": org["name"]})
        made["trabajo"] = _harvest_job(app, made["fuente"], server)
        made["fuente-en-espera"] = create_source(
            name="obras-de-caminos", title="Obras de caminos (datos de ejemplo)",
            url=server.url("/caminos.csv"), source_type="hueyapan_tabular", owner_org=org["id"],
            config={"tipo": "obra", "organizacion": org["name"]})
        made["trabajo-en-espera"] = call_action(
            "harvest_job_create", {"user": editor["name"]},
            source_id=made["fuente-en-espera"]["id"], run=False)["id"]
        call_action("api_token_create", {"user": editor["name"]}, user=editor["name"],
                    name="hoja de avances")
        call_action("api_token_create", {"user": admin["name"]}, user=admin["name"],
                    name="respaldo")
        yield made
    finally:
        server.close()


# --- The check ------------------------------------------------------------------------------------


def built(app, made: Made, rows: list[tuple[str, Builder]],
          optional: bool = False) -> tuple[list[tuple[str, str]], list[str]]:
    """The (name, path) of each row; a row that cannot be built is a finding, unless ``optional``
    (then it is only left out)."""
    pages, problems = [], []
    with app.flask_app.test_request_context():
        for name, builder in rows:
            try:
                pages.append((name, builder(made)))
            except BuildError as error:
                if not optional:
                    problems.append(f"{name}: no route ({error})")
    return pages, problems


def findings_on(browser, width: str) -> list[str]:
    """What is wrong with the page open in the browser."""
    found = []
    error = browser.find_elements(By.ID, "error-content")
    if error:
        found.append("error page: " + error[0].find_element(By.TAG_NAME, "h1").text)
    found += [f"English: {phrase!r}" for phrase in english_on_page(browser)]
    found += [f"typo: {word!r}" for word in words_on_page(browser, TYPOS)]
    found += [f"raw value: {value}" for value in raw_values_on_page(browser)]
    found += [f"axe {v['impact']} {v['id']}: {v['help']} {v['nodes']}"
              for v in axe_violations(browser)]
    if width == "375":
        found += [f"too wide: {what}" for what in too_wide(browser)]
    return found


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_every_staff_page_speaks_mexican_spanish_and_passes_axe(
        browser, live_server, app, catalogo, login, screenshot, role):
    user = catalogo[role]
    made = {**catalogo, "yo": user["name"]}
    pages, problems = built(app, made, PAGES + (SYSADMIN_PAGES if role == "admin" else []))
    later, _ = built(app, made, LATER_PAGES, optional=True)
    pages += later
    login(user["name"], PASSWORD)

    findings: dict[str, list[str]] = {}
    for width, size in WIDTHS.items():
        browser.set_window_size(*size)
        for name, path in pages:
            visit(browser, live_server + path)
            for finding in findings_on(browser, width):
                key = f"{name} ({path})"
                if finding not in findings.setdefault(key, []):
                    findings[key].append(finding if width == "1280" else f"{finding} [375 px]")
            if width == "375":
                screenshot(name)

    problems += [f"{page}:\n    " + "\n    ".join(found)
                 for page, found in findings.items() if found]
    print(f"{role}: {len(pages)} staff pages × {len(WIDTHS)} widths checked, "
          f"{sum(len(found) for found in findings.values())} findings")
    assert not problems, "\n".join(problems)
