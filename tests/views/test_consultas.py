"""The page "Registrar consulta" (``/obra/<id>/consulta``): an editor of the área records a
citizen consultation with its minutes in one screen; the file becomes a resource of the obra of
type "Acta de consulta ciudadana", uploaded through ``resource_create`` and its safeguards, and
the consultation points to it. A refused file or a wrong field stores nothing. The obra's page
shows attendance by sex and a link "Ver acta" to the file (or "Acta pendiente"); the staff form
offers the obra's resources; OC4IDS carries the minutes as a consultation meeting's minutes."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from PIL import Image

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import obra
from tests.formatos import test_estandares as estandares
from tests.sesion import csrf_token, log_in

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]

PDF = b"%PDF-1.4\n% acta de la consulta (datos de ejemplo)\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
NAME = "pavimentacion-los-mangos"
URL = f"/obra/{NAME}/consulta"
MINUTES = "minutes.consultationMeeting"  # OC4IDS documentType of a consultation's minutes

# The official OC4IDS files and their validator, as tests/formatos/test_estandares.py finds them.
standard = estandares.standard
oc4ids_validator = estandares.oc4ids_validator


@pytest.fixture
def obra_del_area(area) -> dict[str, Any]:
    """An obra of the área Obras Públicas, in execution, with one contract document."""
    context = {"user": area["editor"]["name"]}
    dataset = call_action("package_create", context, **obra(
        area["org"], etapa="ejecucion", hueyapan_publicar_sin_consulta="1"))
    call_action("resource_create", context, package_id=dataset["id"], name="Contrato",
                url="https://example.invalid/contrato.pdf", format="PDF", tipo_recurso="contrato")
    return call_action("package_show", id=dataset["id"])


def _page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _stored_files() -> set[str]:
    root = Path(tk.config["ckan.storage_path"])
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() \
        else set()


def _snapshot(dataset: dict[str, Any]) -> tuple[Any, ...]:
    """What a refused submission must leave as it was: the obra's consultations, resources,
    last change, activity and the files in storage."""
    stored = call_action("package_show", id=dataset["id"])
    activities = call_action("package_activity_list", id=dataset["id"])
    return (stored["consultas"] if "consultas" in stored else None,
            [r["id"] for r in stored["resources"]], stored["metadata_modified"],
            len(activities), _stored_files())


def _post(app: Any, url: str = URL, acta: tuple[bytes, str] | None = None,
          **fields: str) -> Any:
    data: dict[str, Any] = {"_csrf_token": csrf_token(app.get(url)), "fecha": "2025-02-10",
                            "lugar": "Salón ejidal de Los Mangos", "asistentes_mujeres": "41",
                            "asistentes_hombres": "37", **fields}
    if acta is not None:
        data["acta"] = (io.BytesIO(acta[0]), acta[1])
    return app.post(url, data=data, content_type="multipart/form-data", follow_redirects=False)


def _log_out(app: Any) -> None:
    token = csrf_token(app.get("/dashboard/datasets"))
    assert app.post("/user/_logout", data={"_csrf_token": token},
                    follow_redirects=False).status_code == 302


def _consultas_section(app: Any) -> Tag:
    section = _page(app.get(f"/obra/{NAME}")).find("section", id="hy-consultas")
    assert section is not None
    return section


# --- The page -----------------------------------------------------------------------------------

def test_the_page_is_one_short_form_with_stable_names(app, obra_del_area):
    log_in(app, "area-obras")
    response = app.get(URL)
    assert response.status_code == 200
    page = _page(response)
    form = page.select_one("form[enctype='multipart/form-data']")
    assert form is not None and form.get("method") == "post"
    names = [i.get("name") for i in form.select("input, select, textarea")
             if i.get("type") != "hidden"]
    assert names == ["fecha", "lugar", "asistentes_mujeres", "asistentes_hombres", "acta"]
    assert form.select_one("input[name=_csrf_token]") is not None
    assert form.select_one("input[name=fecha]")["type"] == "date"
    acta = form.select_one("input[name=acta]")
    assert acta["type"] == "file" and ".pdf" in acta["accept"] and "image/jpeg" in acta["accept"]
    assert acta.get("required") is None  # a consultation without its minutes is a true record
    assert [b.get_text(strip=True) for b in form.select("button[type=submit]")] == [
        "Guardar consulta"]
    for name in names:  # every input has its label
        assert page.select_one(f"label[for={form.select_one(f'[name={name}]')['id']}]")
    assert "Los Mangos" in [o["value"] for o in page.select("datalist option")]
    assert page.h1.get_text(strip=True) == "Registrar consulta"


def test_an_editor_records_a_consultation_with_its_minutes(app, obra_del_area):
    log_in(app, "area-obras")
    response = _post(app, acta=(PDF, "acta-consulta-los-mangos.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert response.headers["Location"].endswith(f"/obra/{NAME}#hy-consultas")

    stored = call_action("package_show", id=NAME)
    contrato, acta = stored["resources"]
    assert contrato["name"] == "Contrato"
    assert acta["tipo_recurso"] == "acta_consulta" and acta["format"] == "PDF"
    assert acta["url_type"] == "upload" and acta["url"].endswith("/acta-consulta-los-mangos.pdf")
    assert "Salón ejidal de Los Mangos" in acta["name"]
    [consulta] = stored["consultas"]
    assert consulta["fecha"] == "2025-02-10" and consulta["lugar"] == "Salón ejidal de Los Mangos"
    assert consulta["asistentes_mujeres"] == "41" and consulta["asistentes_hombres"] == "37"
    # the consultation names the resource by its ids, in the address of its page
    site = tk.config["ckan.site_url"].rstrip("/")
    assert consulta["acta"] == f"{site}/obra/{stored['id']}/resource/{acta['id']}"
    assert "sin_consulta" not in stored["alertas"]
    assert app.get(acta["url"]).data == PDF  # the file itself is stored

    followed = _page(app.get(response.headers["Location"]))
    assert "Se registró la consulta del 10 de febrero de 2025 con su acta." in followed.get_text()


def test_the_obra_page_links_the_minutes_and_shows_attendance_by_sex(app, obra_del_area):
    log_in(app, "area-obras")
    assert _post(app, acta=(PDF, "acta.pdf")).status_code == 302
    acta = call_action("package_show", id=NAME)["resources"][-1]

    _log_out(app)
    section = _consultas_section(app)
    [row] = section.select("tbody tr")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[:5] == ["10 de febrero de 2025", "Salón ejidal de Los Mangos", "41", "37", "78"]
    link = row.select_one("a.hy-ver-acta")
    assert link is not None and link.get_text(" ", strip=True).startswith("Ver acta")
    assert link["href"] == acta["url"]
    assert app.get(link["href"]).data == PDF
    assert "Acta pendiente" not in section.get_text()
    assert section.select_one("#hy-registrar-consulta") is None  # the public has no button


def test_the_link_follows_the_resource_when_it_is_renamed_or_replaced(app, obra_del_area):
    log_in(app, "area-obras")
    assert _post(app, acta=(PDF, "acta.pdf")).status_code == 302
    acta = call_action("package_show", id=NAME)["resources"][-1]
    context = {"user": "area-obras"}
    call_action("resource_patch", context, id=acta["id"], name="Acta firmada (versión pública)")
    call_action("package_patch", context, id=NAME, name="pavimentacion-calle-los-mangos")
    renamed = call_action("package_show", id="pavimentacion-calle-los-mangos")
    page = _page(app.get("/obra/pavimentacion-calle-los-mangos"))
    link = page.select_one("#hy-consultas a.hy-ver-acta")
    assert link is not None and link["href"] == renamed["resources"][-1]["url"]
    assert app.get(link["href"]).data == PDF


def test_without_minutes_it_is_recorded_as_pending_and_completed_later(app, obra_del_area):
    log_in(app, "area-obras")
    response = _post(app)
    assert response.status_code == 302
    stored = call_action("package_show", id=NAME)
    assert [c["acta"] for c in stored["consultas"]] == [""]
    assert [r["name"] for r in stored["resources"]] == ["Contrato"]

    section = _consultas_section(app)
    assert "Acta pendiente" in section.select_one("tbody tr").get_text()
    upload = section.select_one("a.hy-subir-acta")
    assert upload is not None and str(upload["href"]).endswith(f"{URL}?consulta=1")
    assert str(section.select_one("#hy-registrar-consulta")["href"]).endswith(URL)

    # the page for that consultation comes filled in, and its file completes it
    page = _page(app.get(f"{URL}?consulta=1"))
    assert page.select_one("input[name=lugar]")["value"] == "Salón ejidal de Los Mangos"
    assert page.select_one("input[name=consulta]")["value"] == "1"
    completed = _post(app, url=f"{URL}?consulta=1", acta=(PDF, "acta-firmada.pdf"), consulta="1")
    assert completed.status_code == 302, completed.get_data(as_text=True)[-3000:]
    stored = call_action("package_show", id=NAME)
    [consulta] = stored["consultas"]
    assert stored["resources"][-1]["id"] in consulta["acta"]
    _log_out(app)
    assert "Acta pendiente" not in _consultas_section(app).get_text()


# --- Nothing stored when something is refused ----------------------------------------------

def test_a_web_page_named_like_a_pdf_stores_nothing(app, obra_del_area):
    log_in(app, "area-obras")
    before = _snapshot(obra_del_area)
    response = _post(app, acta=(HTML, "acta.pdf"))
    assert response.status_code == 200
    assert _snapshot(obra_del_area) == before
    page = _page(response)
    error = page.select_one("#hy-acta-error").get_text(" ", strip=True)
    assert "«acta.pdf»" in error or '"acta.pdf"' in error, error
    assert "PDF" in error and "no se guardó nada" in error.lower(), error
    summary = page.select_one("#hy-errores")
    assert summary is not None and summary.select_one("a[href='#hy-acta']") is not None
    # what was typed comes back, the file has to be chosen again
    assert page.select_one("input[name=lugar]")["value"] == "Salón ejidal de Los Mangos"
    assert page.select_one("input[name=acta]")["aria-invalid"] == "true"


@pytest.mark.ckan_config("ckan.max_resource_size", "1")
def test_a_file_over_the_size_limit_stores_nothing(app, obra_del_area):
    log_in(app, "area-obras")
    before = _snapshot(obra_del_area)
    response = _post(app, acta=(PDF + b"0" * (1024 * 1024), "acta-escaneada.pdf"))
    assert response.status_code == 200
    assert _snapshot(obra_del_area) == before
    error = _page(response).select_one("#hy-acta-error").get_text(" ", strip=True)
    assert "acta-escaneada.pdf" in error and "1 MB" in error, error
    assert "ni el archivo ni la consulta" in error, error


def test_a_photo_that_cannot_be_cleaned_of_its_metadata_stores_nothing(app, obra_del_area):
    log_in(app, "area-obras")
    before = _snapshot(obra_del_area)
    photo = io.BytesIO()
    Image.effect_noise((400, 200), 64).convert("RGB").save(photo, "JPEG")
    truncated = photo.getvalue()[: len(photo.getvalue()) // 2]  # Pillow opens it, cannot decode
    response = _post(app, acta=(truncated, "acta-foto.jpg"))
    assert response.status_code == 200
    assert _snapshot(obra_del_area) == before
    error = _page(response).select_one("#hy-acta-error").get_text(" ", strip=True)
    assert "acta-foto.jpg" in error and "ni el archivo ni la consulta" in error, error


def test_a_wrong_field_stores_nothing_not_even_the_file(app, obra_del_area):
    log_in(app, "area-obras")
    before = _snapshot(obra_del_area)
    response = _post(app, acta=(PDF, "acta.pdf"), fecha="", lugar="", asistentes_mujeres="-3")
    assert response.status_code == 200
    assert _snapshot(obra_del_area) == before
    page = _page(response)
    for name in ("fecha", "lugar", "asistentes_mujeres"):
        assert page.select_one(f"#hy-{name}-error") is not None, name
        assert page.select_one(f"#hy-errores a[href='#hy-{name}']") is not None, name
    assert page.select_one("#hy-acta-error") is None


# --- Who may use it ---------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(app, obra_del_area):
    response = app.get(URL, follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]
    before = _snapshot(obra_del_area)
    refused = app.post(URL, data={"fecha": "2025-02-10", "lugar": "Salón"},
                       follow_redirects=False)
    assert refused.status_code in (302, 400, 403)
    assert _snapshot(obra_del_area) == before


def test_an_editor_of_another_area_is_refused(app, obra_del_area):
    otra = factories.UserWithToken(name="editor-dif")
    factories.Organization(name="dif", title="DIF",
                           users=[{"name": otra["name"], "capacity": "editor"}])
    log_in(app, "editor-dif")
    assert app.get(URL).status_code == 403
    before = _snapshot(obra_del_area)
    token = csrf_token(app.get("/dashboard/datasets"))
    refused = app.post(URL, data={"_csrf_token": token, "fecha": "2025-02-10", "lugar": "Salón",
                                  "acta": (io.BytesIO(PDF), "acta.pdf")},
                       content_type="multipart/form-data", follow_redirects=False)
    assert refused.status_code == 403
    assert _snapshot(obra_del_area) == before
    assert _page(app.get(f"/obra/{NAME}")).select_one("#hy-registrar-consulta") is None


def test_only_obras_have_the_page(app, area):
    context = {"user": area["editor"]["name"]}
    call_action("package_create", context, type="dataset", name="padron-de-caminos",
                title="Padrón de caminos", owner_org=area["org"]["id"])
    log_in(app, "area-obras")
    assert app.get("/obra/padron-de-caminos/consulta").status_code == 404
    assert app.get("/obra/no-existe/consulta").status_code == 404


# --- The staff form and the exports ---------------------------------------------------------------

def test_the_edit_form_chooses_among_the_obras_resources_and_keeps_old_text(app, obra_del_area):
    log_in(app, "area-obras")
    assert _post(app, acta=(PDF, "acta.pdf")).status_code == 302
    context = {"user": "area-obras"}
    stored = call_action("package_show", id=NAME)
    consultas = [*stored["consultas"],
                 {"fecha": "2024-11-05", "lugar": "Agencia municipal",
                  "acta": "Acta en el archivo municipal, libro 3"}]
    call_action("package_patch", context, id=NAME, consultas=consultas)
    acta = stored["resources"][-1]

    page = _page(app.get(f"/obra/edit/{NAME}"))
    first = page.select_one("select[name=consultas-0-acta]")
    assert first is not None
    options = {str(o["value"]): o.get_text(strip=True) for o in first.select("option")}
    assert "" in options and any(v.endswith(f"/resource/{acta['id']}") for v in options)
    assert any(v.endswith(f"/resource/{stored['resources'][0]['id']}") for v in options)
    chosen = first.select_one("option[selected]")
    assert chosen is not None and chosen["value"] == stored["consultas"][0]["acta"]
    second = page.select_one("select[name=consultas-1-acta] option[selected]")
    assert second is not None and second["value"] == "Acta en el archivo municipal, libro 3"
    assert "Acta en el archivo municipal, libro 3" in second.get_text()
    assert page.select_one("input[name=consultas-0-acta]") is None  # no free text any more
    link = page.select_one(f"a[href$='/obra/{stored['id']}/consulta']")
    assert link is not None

    _log_out(app)
    rows = _consultas_section(app).select("tbody tr")
    assert "Acta en el archivo municipal, libro 3" in rows[0].get_text()  # old text, as text
    assert rows[0].select_one("a") is None


def test_the_exports_carry_the_link_and_oc4ids_the_minutes(app, obra_del_area, oc4ids_validator,
                                                           standard):
    log_in(app, "area-obras")
    assert _post(app, acta=(PDF, "acta.pdf")).status_code == 302
    stored = call_action("package_show", id=NAME)
    acta = stored["resources"][-1]
    _log_out(app)

    exported = app.get("/exportar/obra.csv").get_data(as_text=True).lstrip("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert any(value.endswith(f"/resource/{acta['id']}") for value in row.values()), row

    package = app.get(f"/exportar/oc4ids/{NAME}.json").json
    [project] = package["projects"]
    documents = {d["id"]: d for d in project["documents"]}
    assert documents[acta["id"]]["documentType"] == MINUTES
    assert documents[acta["id"]]["url"] == acta["url"]
    assert documents[stored["resources"][0]["id"]]["documentType"] == "contractSigned"
    [meeting] = project["social"]["consultationMeetings"]
    assert meeting["numberOfParticipants"] == 78
    with standard(f"{estandares.OC4IDS}/codelists/documentType.csv").open(encoding="utf-8") as f:
        assert MINUTES in {row["Code"] for row in csv.DictReader(f)}  # the official codelist
    validator, project_schema = oc4ids_validator
    assert estandares.oc4ids_problems(package, validator, project_schema, standard) == []


def test_oc4ids_gives_minutes_at_a_web_address_a_document_of_their_own(app, area):
    call_action("package_create", {"user": "area-obras"}, **obra(area["org"], consultas=[
        {"fecha": "2025-01-20", "lugar": "Cancha techada",
         "acta": "https://example.org/actas/consulta-los-mangos.pdf"},
        {"fecha": "2025-02-20", "lugar": "Escuela", "acta": "Libro de actas 3"}]))
    [project] = app.get(f"/exportar/oc4ids/{NAME}.json").json["projects"]
    minutes = [d for d in project["documents"] if d["documentType"] == MINUTES]
    assert minutes == [{"id": "acta-consulta-1", "documentType": MINUTES,
                        "title": "Acta de la consulta ciudadana del 2025-01-20",
                        "description": "Cancha techada",
                        "url": "https://example.org/actas/consulta-los-mangos.pdf"}]
    assert not re.search(r"Libro de actas", str(project["documents"]))
