"""Where each consultation's minutes are (reglas/actas.py): the obra's resource named by the
address of its page (what the catalog records now), by its id, by its name or file name (older
records), a web address outside the catalog, any other text, or nothing (pending)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.reglas.actas import find_resource, locate

OBRA = "0b1a0000-0000-4000-8000-000000000001"
ACTA = "ac7a0000-0000-4000-8000-000000000002"
FOTO = "f0700000-0000-4000-8000-000000000003"


def _site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


def _pkg() -> dict:
    download = f"{_site()}/obra/{OBRA}/resource/{ACTA}/download/acta-nacaxtle.pdf"
    return {"id": OBRA, "type": "obra", "resources": [
        {"id": FOTO, "name": "Frente norte", "url": f"{_site()}/obra/{OBRA}/resource/{FOTO}/"
                                                    "download/frente.jpg"},
        {"id": ACTA, "name": "Acta de asamblea de Nacaxtle", "url": download},
    ]}


def test_the_address_of_the_resource_page_finds_it_and_links_its_file():
    pkg = _pkg()
    acta = locate(pkg, f"{_site()}/obra/{OBRA}/resource/{ACTA}")
    assert acta.recurso is not None and acta.recurso["id"] == ACTA
    assert acta.url == pkg["resources"][1]["url"] and not acta.pendiente


def test_a_download_address_or_a_bare_id_finds_it_too():
    pkg = _pkg()
    for value in (pkg["resources"][1]["url"], ACTA, ACTA.upper(), f" {ACTA} "):
        assert (find_resource(pkg, value) or {}).get("id") == ACTA, value


def test_older_records_name_the_resource_or_its_file():
    pkg = _pkg()
    assert (find_resource(pkg, "acta de asamblea de nacaxtle ") or {}).get("id") == ACTA
    assert (find_resource(pkg, "acta-nacaxtle.pdf") or {}).get("id") == ACTA
    assert find_resource(pkg, "Acta de asamblea") is None  # a part of a name is not a name


def test_a_web_address_elsewhere_is_a_link_and_other_text_is_text():
    pkg = _pkg()
    outside = locate(pkg, "https://example.org/actas/2025/nacaxtle.pdf")
    assert outside.recurso is None and outside.url == "https://example.org/actas/2025/nacaxtle.pdf"
    assert not outside.pendiente
    text = locate(pkg, "Libro de actas 3, foja 12")
    assert (text.recurso, text.url, text.texto, text.pendiente) == (
        None, None, "Libro de actas 3, foja 12", False)


def test_nothing_or_a_resource_the_obra_no_longer_has_is_pending():
    pkg = _pkg()
    for value in (None, "", "   "):
        assert locate(pkg, value).pendiente, value
    gone = locate(pkg, f"{_site()}/obra/{OBRA}/resource/de1e7ed0-0000-4000-8000-000000000009")
    assert gone.pendiente and gone.url is None and gone.recurso is None
    # another catalog's resource (a harvested sheet) is only a web address to us
    other = "https://datos.example.org/dataset/x/resource/de1e7ed0-0000-4000-8000-000000000009"
    assert locate(pkg, other).url == other and not locate(pkg, other).pendiente
