"""Our templates at the paths of CKAN's and its extensions' templates (issue 17, item 5).

A template of ours at an upstream path either extends it (``{% ckan_extends %}`` and blocks) or
replaces it. Every replacement, and every upstream block we replace with an edited copy, is listed
below with the digest of the upstream text it follows: when an upgrade changes that text the test
fails, naming our file to compare with the new upstream (carry the change over, then write the new
digest). A new replacement fails until it is listed, so whole copies do not come back unnoticed.
The last tests render the pages and check what each of these templates is there for.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra

TEMPLATES = Path(__file__).resolve().parents[1] / "ckanext" / "hueyapan" / "templates"
#: CKAN and the extensions test.ini loads that ship templates.
UPSTREAM = ("ckan", "ckanext.activity", "ckanext.scheming", "ckanext.spatial",
            "ckanext.harvest", "ckanext.dcat")

#: Our templates that replace an upstream one (no block to extend where our change is):
#: path -> (package whose templates/ holds the upstream file, digest of that file, why).
REPLACED = {
    "user/snippets/api_token_create_form.html": (
        "ckan", "be0613f918bf7bda", "inline code on the form tag, outside any block (CSP)"),
    "user/snippets/api_token_list.html": (
        "ckan", "f2c17fd0aa3554fd", "inline code on the form tag, outside any block (CSP)"),
    "scheming/form_snippets/multiple_text.html": (
        "ckanext.scheming", "d6d1b73c4226d565", "javascript: links outside blocks (CSP)"),
    "scheming/form_snippets/license.html": (
        "ckanext.scheming", "6002fd93819674f6", "no block; the catalog's licence register"),
    "scheming/display_snippets/link.html": (
        "ckanext.scheming", "dd9d303daf7ea7e1", "one line upstream; only http(s)/ftp as links"),
    "home/index.html": (
        "ckan", "2fc1b7cf8c4e5b8a", "our own home page on page.html, not a copy"),
    # the staff pages in Spanish (tests/browser/test_paginas_personal.py)
    "source/new_source_form.html": (
        "ckanext.harvest", "86cb5b61a0a6c46e", "English label and button outside any block"),
    "snippets/job_details.html": (
        "ckanext.harvest", "761052bfa885ccf3", "no block; counts as English words"),
    "admin/snippets/data_type.html": (
        "ckan", "140fcbd7b150fd22", "no block; a <p> inside the <ul> (axe list)"),
}

_UPLOAD = "package/snippets/resource_upload_field.html"
#: Upstream blocks we replace with an edited copy, without super(): (our path, block) ->
#: (package, digest of the upstream block's text).
COPIED_BLOCKS = {
    ("snippets/facet_list.html", "facet_list_items"): ("ckan", "d1a4acb358d32a37"),
    ("scheming/package/resource_read.html", "resource_more_items"):
        ("ckanext.scheming", "aff7031bc1381067"),
    (_UPLOAD, "url_type_select"): ("ckan", "2b1c196898f7b35a"),
    (_UPLOAD, "upload_controls"): ("ckan", "c3ea9c95c64d26f7"),
    (_UPLOAD, "link_controls"): ("ckan", "7173dc43ca47693b"),
    ("header.html", "header_account_profile"): ("ckan", "e55126ead8765f2c"),
    ("header.html", "header_dashboard"): ("ckan", "b2b9398ccf5b8a81"),
    # withdrawing and deleting said in Spanish and confirmed (views/publicacion.py)
    ("package/snippets/package_form.html", "delete_button"): ("ckan", "df4e0d1067e20b79"),
    ("package/snippets/package_form.html", "publish_button"): ("ckan", "92954e651971df44"),
    # the staff pages in Spanish (tests/browser/test_paginas_personal.py)
    ("source/job/list.html", "primary_content_inner"): ("ckanext.harvest", "d2a84c9f009c1b99"),
    ("source/admin_base.html", "content_action"): ("ckanext.harvest", "46e87313cc34ffe3"),
    ("source/search.html", "secondary_content"): ("ckanext.harvest", "29ebfc4964db39cb"),
    ("package/snippets/resource_item.html", "resource_item_title"): ("ckan", "2514826eb123c1bb"),
    ("organization/bulk_process.html", "form"): ("ckan", "bae06e72add05d40"),
    ("admin/index.html", "primary_content_inner"): ("ckan", "8d3857ac969ed967"),
}

_TAG = re.compile(r"{%-?\s*(block|endblock)\b\s*(\w*)[^%]*%}")


def _templates_of(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    assert spec and spec.submodule_search_locations, package
    return Path(next(iter(spec.submodule_search_locations))) / "templates"


def _blocks(text: str) -> dict[str, str]:
    """Each block's source, from its block tag to its endblock tag (Jinja comments removed)."""
    text = re.sub(r"{#.*?#}", "", text, flags=re.S)
    found, open_blocks = {}, []
    for tag in _TAG.finditer(text):
        if tag.group(1) == "block":
            open_blocks.append((tag.group(2), tag.start()))
        else:
            name, start = open_blocks.pop()
            found.setdefault(name, text[start:tag.end()])
    return found


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _extends(path: Path) -> bool:
    return "{% ckan_extends %}" in path.read_text(encoding="utf-8")


def test_every_template_that_replaces_an_upstream_one_is_listed():
    ours = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")}
    replacing = {rel for rel in ours if not _extends(TEMPLATES / rel)
                 and any((_templates_of(package) / rel).is_file() for package in UPSTREAM)}
    assert replacing == set(REPLACED), (
        "extend the upstream template with {% ckan_extends %} and blocks; when it has no block "
        "where the change is, list the replacement in REPLACED with its reason")


@pytest.mark.parametrize("rel", sorted(REPLACED))
def test_a_replaced_template_follows_the_installed_upstream(rel):
    package, digest, _reason = REPLACED[rel]
    upstream = _templates_of(package) / rel
    assert _digest(upstream.read_text(encoding="utf-8")) == digest, (
        f"{upstream} changed: compare templates/{rel} with it, carry the change over, then write "
        f"its new digest in REPLACED")


@pytest.mark.parametrize("rel, block", sorted(COPIED_BLOCKS))
def test_a_copied_block_follows_the_installed_upstream(rel, block):
    package, digest = COPIED_BLOCKS[rel, block]
    ours = _blocks((TEMPLATES / rel).read_text(encoding="utf-8"))
    assert block in ours and "super()" not in ours[block], (rel, block)
    upstream = _templates_of(package) / rel
    assert _digest(_blocks(upstream.read_text(encoding="utf-8"))[block]) == digest, (
        f"block {block} of {upstream} changed: compare it with ours in templates/{rel}, carry "
        f"the change over, then write its new digest in COPIED_BLOCKS")


# --- What the templates are for, on the pages ----------------------------------------------------

@pytest.fixture
def catalog(app, with_plugins, clean_index, comunidades):
    """An obra in Los Mangos with a contract published under a privacy exception, and a
    sysadmin's token."""
    admin = factories.SysadminWithToken()
    org = factories.Organization(name="obras-publicas", title="Obras Públicas", image_url="")
    dataset = call_action("package_create", {"user": admin["name"]}, **obra(org))
    resource = app.post("/api/3/action/resource_create", headers={"Authorization": admin["token"]},
                        content_type="multipart/form-data", data={
                            "package_id": dataset["id"], "name": "Contrato", "format": "PDF",
                            "upload": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "contrato.pdf"),
                            "tipo_recurso": "contrato",
                            "excepcion_privacidad": "Versión pública aprobada por el Comité",
                        }).json["result"]
    return {"staff": {"Authorization": admin["token"]},
            "resource": f"/obra/{dataset['name']}/resource/{resource['id']}"}


def _page(app, url: str, headers: dict | None = None) -> BeautifulSoup:
    return BeautifulSoup(app.get(url, headers=headers or {}).body, "html.parser")


def test_facet_links_are_named_by_their_text(app, catalog):
    page = _page(app, "/obra/")
    assert page.select_one('nav[aria-label="Filtrar por Comunidad"] ul.nav-facet')
    links = page.select("ul.nav-facet a")
    assert links and not [a for a in links if a.has_attr("aria-label")]
    assert not [e for e in page.select("[aria-label]") if "hueyapan_" in e["aria-label"]]

    page = _page(app, "/obra/?hueyapan_comunidad=300730030&_hueyapan_comunidad_limit=0")
    active = page.select_one("ul.nav-facet li.active a")
    assert active.select_one(".facet-close i")["aria-hidden"] == "true"
    assert active.select_one(".facet-close .visually-hidden").get_text() == "(quitar este filtro)"
    assert "Ver solo las opciones más comunes de Comunidad" in page.get_text()


def test_the_map_search_is_framed_on_the_municipality_in_spanish(app, catalog):
    """ckanext-spatial's snippet, included unchanged in hueyapan/snippets/busqueda_mapa.html."""
    page = _page(app, "/obra/")
    ours = page.select_one("div.hy-mapa-busqueda")
    widget = ours.select_one('#dataset-map .dataset-map[data-module="spatial-query"]')
    (south, west), (north, east) = json.loads(str(widget["data-default_extent"]))
    assert 17.5 < south < north < 18.6 and -95.5 < west < east < -94.5
    assert json.loads(str(ours["data-hy-textos"]))["Apply"] == "Aplicar"
    assert json.loads(str(ours["data-hy-limite"]))["type"] in ("Polygon", "MultiPolygon")
    assert ours.select_one("#dataset-map h2").get_text(" ", strip=True) == (
        "Buscar en el mapa Quitar el área")
    # spatial's link that removes the area is there, hidden by busqueda.css while none is set
    assert "hy-mapa-con-area" not in ours["class"]
    assert "Presione el lápiz" in ours.select_one("#dataset-map + p.hy-mapa-ayuda").get_text()

    page = _page(app, "/obra/?ext_bbox=-95.13,18.23,-95.11,18.26")
    ours = page.select_one("div.hy-mapa-busqueda.hy-mapa-con-area")
    assert ours.select_one("#dataset-map h2 a.action").get_text(strip=True) == "Quitar el área"
    assert "Se muestra solo" in ours.select_one("p.hy-mapa-ayuda").get_text()


@pytest.mark.parametrize("url, label", [
    ("/obra/", "Agregar obra pública"),
    ("/programa-social/", "Agregar programa social"),
    ("/convocatoria/", "Agregar convocatoria"),
    ("/dataset/", "Añadir conjunto de datos"),
])
def test_the_add_button_is_named_after_the_type(app, catalog, url, label):
    button = _page(app, url, catalog["staff"]).select_one(".page_primary_action a.btn")
    assert button.get_text(strip=True) == label


def test_a_resource_page_shows_the_privacy_exception_to_editors_only_and_once(app, catalog):
    public = _page(app, catalog["resource"]).get_text()
    assert "Excepción de privacidad" not in public and "Versión pública aprobada" not in public
    staff = _page(app, catalog["resource"], catalog["staff"])
    rows = [th.get_text(strip=True) for th in staff.select("table th[scope=row]")]
    assert [row for row in rows if row.startswith("Excepción de privacidad")] == [
        "Excepción de privacidad (solo administración del sitio)"]
    # the schema's fields are not repeated as raw keys in the "show more" rows
    more = [th.get_text(strip=True) for th in staff.select("tr.toggle-more th")]
    assert more and not {"Tipo recurso", "Excepcion privacidad", "Format"} & set(more)
