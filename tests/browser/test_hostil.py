"""Hostile input (cross-site scripting) in headless Chromium: every payload of ``tests/hostil.py``
in every free-text field of every dataset type (read from the scheming schemas), in resource
names, descriptions, formats and addresses, in an área's title and description, in a community's
name, in the proposals citizens type, and in the cells of a harvested spreadsheet. Every page
that shows them is opened, and none may run a payload: ``window.__xss`` stays unset, no
``alert``/``confirm``/``prompt`` is called (hooked before any script of the page), and nothing
injected is left in the DOM (event-handler attributes, ``javascript:``/``data:`` addresses,
executable scripts carrying the marker), and the page reports no violation of its
Content-Security-Policy. A sample of fields must show the payload literally, as text, proving it
was rendered and not dropped. Feeds and exports are fetched over plain HTTP:
they must parse (Atom, CSV, XLSX, JSON, RDF) and hold the payload as text.

A value a validator refuses counts as safe and is recorded; a refusal the test does not expect
fails it (a field silently lost would hide a hole). All findings of a test are gathered and
reported together. (Made-up data; only the INEGI localities are real.)
"""
from __future__ import annotations

import csv
import io
import json
import math
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from ckan.logic import ValidationError
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import hostil
from tests.browser.support import csp_violations, visit, watch_csp
from tests.fabricas import area_obras, convocatoria, dia, obra, programa

LOS_MANGOS = "300730030"
TYPES = ("obra", "programa-social", "convocatoria", "dataset")
FEED_TYPES = ("obra", "programa-social", "convocatoria")
PASSWORD = "Hostil-Hueyapan-2026"
AUTH = "Authorization"
SUFFIX = " · hostil"  # every title ends with it: one search finds them all
EXCEPTION = " · excepción"  # a resource's privacy exception ends with it: staff only read it
ATOM = "{http://www.w3.org/2005/Atom}"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


class Sweep:
    """What a test stored and opened, and what it found: problems and refusals."""

    def __init__(self, browser, live_server: str) -> None:
        self.browser, self.live_server = browser, live_server
        self.started = time.monotonic()
        self.problems: list[str] = []
        self.refused: set[tuple[str, str, str]] = set()   # (payload, where, field)
        self.pages = 0
        self.fetches = 0
        self.fields: set[tuple[str, str]] = set()         # (where, field) given every payload
        browser.set_script_timeout(20)
        # Before any script of every page: dialogs are recorded instead of opened.
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                {"source": hostil.GUARD_SCRIPT})
        watch_csp(browser)  # and every violation of the Content-Security-Policy is kept

    # --- storing --------------------------------------------------------------------------------

    def create(self, action: str, context: dict[str, Any], data: dict[str, Any],
               payload: hostil.Payload, where: str,
               allowed: AbstractSet[str] = frozenset()) -> Any:
        """``action`` with ``data``; a field a validator refuses is recorded and dropped, and the
        action is tried again. A refusal outside ``allowed`` (field names) is a problem."""
        data = dict(data)
        while True:
            try:
                return call_action(action, context=dict(context), **data)
            except ValidationError as error:
                for field, messages in error.error_dict.items():
                    key = "tag_string" if field == "tags" and "tag_string" in data else field
                    if key not in data:
                        raise
                    data.pop(key)
                    self.refused.add((payload.key, where, key))
                    if key not in allowed:
                        self.problems.append(f"{where} refused {payload.key!r} in {key}: "
                                             f"{messages} (the field is no longer attacked)")

    # --- checking ---------------------------------------------------------------------------------

    def page(self, path: str, label: str, shown: tuple[tuple[str, str], ...] = (),
             contains: tuple[str, ...] = (), title: str | None = None) -> dict[str, Any]:
        """Open ``path`` and check it. ``shown``: (CSS selector, text) pairs, an element matching
        the selector must show the text literally; ``contains``: texts the page must show;
        ``title``: a text the document's title must hold."""
        visit(self.browser, self.live_server + path)
        result = self.browser.execute_async_script(
            hostil.PAGE_CHECK, sorted({selector for selector, _ in shown}))
        self.pages += 1
        self.problems += hostil.problems(result, label)
        self.problems += [f"{label}: CSP violation: {v}" for v in csp_violations(self.browser)]
        missing = hostil.visible(contains, result["text"])
        missing += [f"{text!r} in {selector}" for selector, text in shown
                    if hostil.visible([text], result["shown"][selector])]
        if missing:
            self.problems.append(f"{label}: not shown literally: {missing}")
        if title is not None and hostil.fold(title) not in hostil.fold(result["title"]):
            self.problems.append(f"{label}: the document title {result['title']!r} lost {title!r}")
        return result

    def fetch(self, path: str, label: str) -> bytes:
        """A plain HTTP GET; an answer served as HTML is a problem (a browser would render it)."""
        with urllib.request.urlopen(self.live_server + path, timeout=60) as response:
            body, kind = response.read(), response.headers.get("Content-Type", "")
        self.fetches += 1
        if "html" in kind:
            self.problems.append(f"{label}: served as {kind}")
        return body

    def lost(self, label: str, expected: set[str], found: set[Any]) -> None:
        if expected - found:
            self.problems.append(f"{label}: lost {sorted(expected - found)}")

    def report(self, title: str) -> str:
        return (f"{title}: {len(hostil.PAYLOADS)} payloads (in {len(hostil.COMBINED)} values) × "
                f"{len(self.fields)} fields, "
                f"{self.pages} pages opened in Chromium, {self.fetches} fetched over HTTP, "
                f"{time.monotonic() - self.started:.0f} s; refused (safe): "
                f"{sorted(self.refused) or 'none'}")

    def verdict(self, title: str) -> None:
        print(self.report(title))
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def sweep(browser, live_server) -> Sweep:
    return Sweep(browser, live_server)


# --------------------------------------------------------------------------------------------------
# Every field of every type, resources, áreas and communities


def _base(tipo: str, org: dict[str, Any], number: int) -> dict[str, Any]:
    name = f"hostil-{tipo}-{number:02d}"
    if tipo == "obra":
        return obra(org, name=name)
    if tipo == "programa-social":
        return programa(org, name=name)
    if tipo == "convocatoria":  # open, so that the home page lists it among the open calls
        return convocatoria(org, name=name, fecha_apertura=dia(-5), fecha_cierre=dia(60),
                            fecha_resultados=dia(90))
    return {"type": "dataset", "owner_org": org["id"], "name": name}


def _expected_refusals(tipo: str, payload: hostil.Payload) -> set[str]:
    """Fields whose validators may refuse a payload: tags (letters, digits, spaces, -_. only)
    and a version longer than CKAN's 100 characters."""
    allowed = {f.name for f in hostil.text_fields(tipo) if f.kind == "tags"}
    if len(payload.text) > 100:
        allowed.add("version")
    return allowed


@pytest.fixture
def catalogo_hostil(with_plugins, clean_index, comunidades, sweep, app):
    """Per payload: an área and a community named with it, one dataset of each type with it in
    every free-text field (and the community), a document with it in every resource field and,
    for the obra, an uploaded photo named with it."""
    sysadmin = factories.SysadminWithToken(password=PASSWORD, image_url="")
    context = {"user": sysadmin["name"]}
    mangos = call_action("hueyapan_comunidad_show", id=LOS_MANGOS)
    made: dict[str, Any] = {"sysadmin": sysadmin, "datasets": {}, "comunidades": {}, "orgs": {}}
    for number, payload in enumerate(hostil.COMBINED, start=1):
        made["orgs"][payload.key] = area_obras(
            name=f"hostil-{number:02d}", title=payload.text + " · área", description=payload.text)
        angle = 2 * math.pi * number / len(hostil.COMBINED)
        comunidad = call_action(
            "hueyapan_comunidad_create", dict(context), nombre=payload.text,
            latitud=round(mangos["latitud"] + 0.01 * math.sin(angle), 5),
            longitud=round(mangos["longitud"] + 0.01 * math.cos(angle), 5),
            indigena=True, pueblos_indigenas=payload.text)
        made["comunidades"][payload.key] = comunidad
        for tipo in TYPES:
            data = hostil.with_payload(_base(tipo, made["orgs"][payload.key], number),
                                       payload.text, LOS_MANGOS)
            data["title"] = payload.text + SUFFIX
            data["comunidades"] = [LOS_MANGOS, comunidad["id"]]
            dataset = sweep.create("package_create", context, data, payload, tipo,
                                   _expected_refusals(tipo, payload))
            resource = sweep.create(
                "resource_create", context, hostil.resource_with_payload(
                    tipo, payload.text, package_id=dataset["id"],
                    excepcion_privacidad=payload.text + EXCEPTION),
                payload, f"{tipo} resource")
            made["datasets"][(payload.key, tipo)] = {**dataset, "recurso": resource}
        # an uploaded photo of the obra: its gallery shows the name as alt text and caption
        response = app.post("/api/3/action/resource_create", data={
            "package_id": made["datasets"][(payload.key, "obra")]["id"],
            "upload": (io.BytesIO(PNG), "foto.png"), "name": payload.text,
            "tipo_recurso": "evidencia_fotografica", "format": "PNG"},
            headers={AUTH: sysadmin["token"]}, content_type="multipart/form-data")
        assert response.status_code == 200, response.body
    sweep.fields |= {("área", "title"), ("área", "description"), ("comunidad", "nombre"),
                     ("comunidad", "pueblos_indigenas"), ("obra photo", "name")}
    for tipo in TYPES:
        sweep.fields |= {(tipo, f.path) for f in hostil.text_fields(tipo)}
        sweep.fields |= {(f"{tipo} resource", f.path)
                         for f in hostil.text_fields(tipo, "resource_fields")}
    return made


#: Where each type's page shows plain-text fields (a sample: the payload must be there as typed);
#: the map's tooltips name the dataset and its communities (one of them named with the payload).
SHOWN = {
    "obra": (".hy-datos-clave dd", ".hy-tabla-consultas td", ".hy-nota", "figcaption",
             ".hy-mas-datos td", ".hy-galeria figcaption", "svg.hy-mapa title"),
    "programa-social": ("#hy-quien .hy-destacado", "#hy-requisitos li", ".hy-apoyo-que",
                        ".hy-mas-datos td", "svg.hy-mapa title"),
    "convocatoria": (".hy-datos-clave dd", "#hy-quien .hy-destacado", "#hy-requisitos li",
                     "#hy-como dd", "svg.hy-mapa title"),
    "dataset": (".additional-info td",),
}


def _dataset_pages(sweep: Sweep, made: dict[str, Any], staff: bool) -> None:
    """The page of every dataset, and of its document: the public, every type's; staff, who also
    read the document's privacy exception there, the obra's."""
    who = "staff" if staff else "public"
    for payload in hostil.COMBINED:
        for tipo in TYPES:
            dataset = made["datasets"][(payload.key, tipo)]
            shown = [("h1", dataset["title"]), (".hy-documentos, .resource-list", payload.text)]
            if not staff:  # text fields never render markup: every payload shows as typed
                shown += [(selector, payload.text) for selector in SHOWN[tipo]]
            sweep.page(f"/{tipo}/{dataset['name']}", f"{who} {tipo} page [{payload.key}]",
                       shown=tuple(shown), title=dataset["title"])
            if not staff or tipo == "obra":
                resource = dataset["recurso"]
                shown = [("table td", payload.text + EXCEPTION)] if staff else []
                sweep.page(f"/{tipo}/{dataset['name']}/resource/{resource['id']}",
                           f"{who} {tipo} resource page [{payload.key}]", shown=tuple(shown))


def test_payloads_in_every_field_render_escaped(catalogo_hostil, sweep, screenshot, login):
    made = catalogo_hostil
    titles = {tipo: {made["datasets"][(p.key, tipo)]["title"] for p in hostil.COMBINED}
              for tipo in TYPES}
    _dataset_pages(sweep, made, staff=False)
    screenshot("obra-con-payload")

    for payload in hostil.COMBINED:
        comunidad = made["comunidades"][payload.key]
        sweep.page(f"/comunidad/{comunidad['id']}", f"community page [{payload.key}]",
                   shown=(("h1", payload.text),))
        org = made["orgs"][payload.key]  # title and description, Markdown rendered
        sweep.page(f"/organization/about/{org['name']}", f"área page [{payload.key}]",
                   shown=(("h1", org["title"]),))
        # the search page echoes the query (in its box and in the line of results)
        sweep.page(f"/obra/?q={quote(payload.text)}", f"search for [{payload.key}]")
        boxes = sweep.browser.find_elements(By.CSS_SELECTOR, "input[name=q]")
        typed = hostil.fold(payload.text.replace("\n", ""))  # a search box drops line breaks
        if typed not in [hostil.fold(box.get_attribute("value")) for box in boxes]:
            sweep.problems.append(f"search for [{payload.key}]: the box lost the query")
        # addresses that echo what was asked for in their "not found" page
        sweep.page(f"/comunidad/{quote(payload.text, safe='')}",
                   f"unknown community [{payload.key}]")
        sweep.page(f"/exportar/{quote(payload.text, safe='')}.csv",
                   f"unknown export [{payload.key}]")

    for tipo in TYPES:  # /dataset/ lists every type: the dataset_type filter keeps its own
        query = "q=hostil" + ("&dataset_type=dataset" if tipo == "dataset" else "")
        sweep.page(f"/{tipo}/?{query}", f"search results of {tipo}",
                   shown=tuple((".dataset-heading", t[:20]) for t in titles[tipo]))
    sweep.page(f"/comunidad/{LOS_MANGOS}", "page of Los Mangos",
               shown=tuple((".hy-lista-item h3", t)
                           for t in titles["obra"] | titles["programa-social"]
                           | titles["convocatoria"]))
    sweep.page("/comunidad/", "list of communities", contains=tuple(
        c["nombre"] for c in made["comunidades"].values()))

    # Home page: the latest changes and the open calls, five calls at a time (each group is
    # moved to close first, and so becomes the latest change too; the home page lists five).
    calls = [made["datasets"][(p.key, "convocatoria")] for p in hostil.COMBINED]
    site = {"user": made["sysadmin"]["name"]}
    for group in range(math.ceil(len(calls) / 5)):
        chunk = calls[group * 5:(group + 1) * 5]
        for call in chunk:
            call_action("package_patch", dict(site), id=call["id"], fecha_cierre=dia(30 - group))
        sweep.page("/", f"home page (calls {group * 5 + 1}-{group * 5 + len(chunk)})",
                   shown=tuple((".hy-recientes a", c["title"]) for c in chunk)
                   + tuple((".hy-cifra a", c["title"]) for c in chunk)
                   + tuple(("svg.hy-mapa title", c["nombre"])  # the communities' map
                           for c in made["comunidades"].values()))
    screenshot("inicio")

    # Feeds and exports: well-formed, the payloads as text.
    from openpyxl import load_workbook

    for tipo in FEED_TYPES:
        feed = ET.fromstring(sweep.fetch(f"/cambios/{tipo}.atom", f"Atom feed of {tipo}"))
        sweep.lost(f"Atom feed of {tipo}", titles[tipo],
                   {e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")})
        body = sweep.fetch(f"/exportar/{tipo}.csv", f"CSV export of {tipo}")
        sweep.lost(f"CSV export of {tipo}", titles[tipo],
                   {c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row})
        body = sweep.fetch(f"/exportar/{tipo}.xlsx", f"XLSX export of {tipo}")
        sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        sweep.lost(f"XLSX export of {tipo}", titles[tipo],
                   {c for row in sheet.iter_rows(values_only=True) for c in row
                    if isinstance(c, str)})
    feed = ET.fromstring(sweep.fetch(f"/comunidad/{LOS_MANGOS}/cambios.atom", "Atom of Los Mangos"))
    entries = {e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")}
    if not entries or entries - set().union(*titles.values()):
        sweep.problems.append("Atom feed of Los Mangos: unexpected titles "
                              f"{sorted(entries, key=str)}")
    package = json.loads(sweep.fetch("/exportar/oc4ids.json", "OC4IDS package"))
    sweep.lost("OC4IDS package", titles["obra"], {p["title"] for p in package["projects"]})
    import rdflib
    from rdflib.namespace import DCTERMS

    catalog = rdflib.Graph().parse(data=sweep.fetch("/catalog.ttl", "DCAT catalog"),
                                   format="turtle")
    sweep.lost("DCAT catalog", set().union(*titles.values()),
               {str(o) for o in catalog.objects(None, DCTERMS.title)})
    for payload in hostil.COMBINED:
        dataset = made["datasets"][(payload.key, "obra")]
        graph = rdflib.Graph().parse(
            data=sweep.fetch(f"/dataset/{dataset['name']}.rdf", "DCAT RDF/XML"), format="xml")
        sweep.lost(f"DCAT RDF/XML of {dataset['name']}", {dataset["title"]},
                   {str(o) for o in graph.objects(None, DCTERMS.title)})

    # Staff see more: CKAN's resource list to manage, the privacy exception of a resource.
    login(made["sysadmin"]["name"], PASSWORD)
    _dataset_pages(sweep, made, staff=True)
    sweep.verdict("every field")


# --------------------------------------------------------------------------------------------------
# Proposals: what citizens type, what the área answers


@pytest.fixture
def propuestas_hostiles(with_plugins, clean_index, comunidades, sweep):
    """An open call of Obras Públicas and, per payload, a proposal by a registered citizen with
    it in every text field, approved by the área with it as the reason and turned into an obra
    (published)."""
    area = factories.User(name="area-obras", password=PASSWORD, email="area@example.org",
                          image_url="")
    vecina = factories.User(name="comite-hostil", password=PASSWORD, email="comite@example.org",
                            image_url="")
    org = area_obras(users=[{"name": area["name"], "capacity": "editor"}])
    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    call = call_action("package_create", context=dict(site), **convocatoria(
        org, fecha_apertura=dia(-5), fecha_cierre=dia(10), fecha_resultados=dia(20)))
    texts = ("titulo", "problema", "descripcion", "contacto_nombre", "contacto_telefono",
             "contacto_correo")
    made = []
    for payload in hostil.COMBINED:
        propuesta = sweep.create("hueyapan_propuesta_create", {"user": vecina["name"]}, {
            "convocatoria": call["name"], "comunidad": LOS_MANGOS, "beneficiarios_mujeres": "10",
            **{field: payload.text for field in texts}}, payload, "proposal")
        call_action("hueyapan_propuesta_estado", {"user": area["name"]}, id=propuesta["id"],
                    estado="aprobada", motivo=payload.text)
        converted = call_action("hueyapan_propuesta_convertir", {"user": area["name"]},
                                id=propuesta["id"], tipo="obra")
        call_action("package_patch", dict(site), id=converted["dataset"]["id"], private=False)
        made.append((payload, propuesta, converted["dataset"]))
    sweep.fields |= {("proposal", field) for field in texts} | {("proposal review", "motivo")}
    return {"area": area, "vecina": vecina, "call": call, "site": site, "propuestas": made}


def test_proposals_render_escaped(propuestas_hostiles, sweep, login, screenshot):
    made = propuestas_hostiles
    call = made["call"]

    login(made["area"]["name"], PASSWORD)  # the área reads everything, contact data included
    for payload, propuesta, dataset in made["propuestas"]:
        sweep.page(f"/propuesta/{propuesta['id']}", f"proposal for the área [{payload.key}]",
                   shown=(("h1", payload.text), (".hy-hechos dd", payload.text),
                          (".hy-ficha-seccion dd", payload.text)),
                   title=payload.text)
        # the obra it became: the citizen's description and problem as Markdown
        sweep.page(f"/obra/{dataset['name']}", f"obra from a proposal [{payload.key}]",
                   shown=(("h1", payload.text),))
    screenshot("propuesta-para-el-area")
    sweep.page(f"/convocatoria/{call['name']}/propuestas", "the área's list of proposals",
               shown=tuple(("h2", p.text) for p, _, _ in made["propuestas"]))

    browser = sweep.browser
    browser.delete_all_cookies()
    login(made["vecina"]["name"], PASSWORD)
    sweep.page("/mis-propuestas", "the citizen's list of proposals",
               shown=tuple(("h2", p.text) for p, _, _ in made["propuestas"]))

    # the call is resolved: anyone reads the approved proposals and follows them to the obras
    call_action("package_patch", dict(made["site"]), id=call["id"], fecha_apertura=dia(-40),
                fecha_cierre=dia(-20), fecha_resultados=dia(-1))
    browser.delete_all_cookies()
    sweep.page(f"/convocatoria/{call['name']}", "results of the call",
               shown=tuple(("#hy-aprobadas", p.text) for p, _, _ in made["propuestas"]))
    screenshot("resultados-de-la-convocatoria")
    sweep.verdict("proposals")


# --------------------------------------------------------------------------------------------------
# A harvested spreadsheet


def _sheet_row(specs, payload: hostil.Payload, key: str, bad_cells: bool) -> list[str]:
    """A row of the obra template with the payload in every text column (``key`` in the key
    column); with ``bad_cells``, in the amount and date columns too, which the harvester refuses
    and reports with the value."""
    from ckanext.hueyapan.comun import KEY_FIELDS

    valid = {"ejercicio_fiscal": "2025", "etapa": "Planeación", "comunidades": "Los Mangos"}
    row = []
    for spec in specs:
        if spec.name == KEY_FIELDS["obra"]:
            row.append(key)
        elif spec.kind in ("text", "longtext", "lines"):
            row.append(payload.text)
        elif bad_cells and spec.kind in ("money", "date"):
            row.append(payload.text)
        elif spec.name.startswith("consultas.") and spec.kind == "date":
            row.append("2025-03-01")  # a consultation is kept only with its date and place
        else:
            row.append(valid.get(spec.name, ""))
    return row


def _stored(dataset: dict, name: str):
    """The stored value of a sheet column: ``consultas.2.lugar`` is ``consultas[1]["lugar"]``."""
    group, _, rest = name.partition(".")
    if not rest:
        return dataset.get(name)
    number, _, subfield = rest.partition(".")
    entries = dataset.get(group) or []
    index = int(number) - 1
    return entries[index].get(subfield) if index < len(entries) else None


@pytest.fixture
def cosecha_hostil(with_plugins, clean_index, comunidades, live_server, request, sweep):
    """A CSV of obras served over loopback, one row per payload with it in every text cell and
    one more per payload with it in cells that must hold amounts and dates; harvested by the
    tabular harvester with real gather and fetch consumers."""
    from ckanext.hueyapan.hojas.campos import field_specs
    from tests.harvesters.conftest import FileServer, create_source, run_harvest, running_consumers

    specs = field_specs("obra")
    output = io.StringIO(newline="")
    writer = csv.writer(output)
    writer.writerow([spec.label for spec in specs])
    for number, payload in enumerate(hostil.COMBINED, start=1):
        writer.writerow(_sheet_row(specs, payload, f"HX-{number:02d} {payload.text}", False))
        writer.writerow(_sheet_row(specs, payload, f"HX-E{number:02d} {payload.text}", True))
    server = FileServer()
    try:
        url = server.add("/obras-hostiles.csv", output.getvalue().encode("utf-8"),
                         content_type="text/csv; charset=utf-8")
        org = area_obras()
        sysadmin = factories.Sysadmin(password=PASSWORD, image_url="")
        source = create_source(name="obras-hostiles", title="Obras hostiles (datos de ejemplo)",
                               url=url, source_type="hueyapan_tabular", owner_org=org["id"],
                               config={"tipo": "obra", "organizacion": org["name"]})
        ini = str(Path(request.config.getoption("--ckan-ini")).resolve())
        with running_consumers(ini) as consumers:
            job = run_harvest(source["id"], timeout=180, consumers=consumers)
    finally:
        server.close()
    fields = sorted(s.name for s in specs if s.kind in ("text", "longtext", "lines"))
    sweep.fields |= {("harvested obra", name) for name in fields}
    return {"job": job, "source": source, "sysadmin": sysadmin, "fields": fields}


def test_harvested_rows_render_escaped(cosecha_hostil, sweep, login, screenshot):
    job, source = cosecha_hostil["job"], cosecha_hostil["source"]
    found = call_action("package_search", fq="dataset_type:obra", rows=100)
    by_key = {hostil.fold(d["clave_obra"]): d for d in found["results"]}
    for number, payload in enumerate(hostil.COMBINED, start=1):
        dataset = by_key.get(hostil.fold(f"HX-{number:02d} {payload.text}"))
        if dataset is None:
            sweep.problems.append(f"harvest: the row of {payload.key!r} was not imported "
                                  f"(job report: {job['report']})")
            continue
        for field in cosecha_hostil["fields"]:  # every text cell stored as written
            stored = _stored(dataset, field)
            parts = stored if isinstance(stored, list) else [stored or ""]
            if field != "clave_obra" and not (
                    parts and all(hostil.fold(part) in hostil.fold(payload.text) for part in parts)
                    and hostil.fold("".join(parts)) != ""):
                sweep.problems.append(f"harvest [{payload.key}]: {field} stored as {stored!r}")
        sweep.page(f"/obra/{dataset['name']}", f"harvested obra [{payload.key}]",
                   shown=(("h1", dataset["title"]), (".hy-datos-clave dd", dataset["clave_obra"]),
                          ("figcaption", payload.text)),
                   title=dataset["title"])
    screenshot("obra-cosechada")
    sweep.page("/obra/", "search page of the harvested obras", shown=tuple(
        (".dataset-heading", hostil.fold(p.text)[:20]) for p in hostil.COMBINED))
    # the job report quotes the refused cells: read by staff on the harvest pages
    login(cosecha_hostil["sysadmin"]["name"], PASSWORD)
    sweep.page(f"/harvest/{source['name']}", "harvest source page")
    result = sweep.page(f"/harvest/{source['name']}/job/{job['id']}", "harvest job report")
    report = hostil.fold(result["text"])
    quoted = [p.key for p in hostil.COMBINED if hostil.fold(p.text)[:30] in report]
    if not quoted:
        sweep.problems.append("harvest job report: no refused cell is quoted, nothing was checked")
    screenshot("informe-de-cosecha")
    sweep.verdict("harvested spreadsheet")
