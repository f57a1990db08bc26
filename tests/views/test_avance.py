"""Keeping an obra and a programa social current in one screen (``views/avance.py``,
``logic/avance.py``), and the one rule behind the progress figures (``reglas/avance.py``) on
every write path.

"Actualizar avance" (``/obra/<id>/avance``): an editor of the área records a progress cut with
photos from a phone and a document; the cut joins the history, the headline follows it, the
photos are resources of type "Evidencia fotográfica" without their GPS position. Bad input comes
back in Spanish next to its field with nothing stored. "Actualizar beneficiarios"
(``/programa-social/<id>/beneficiarios``): the women and men one community gets, the total
worked out. Visitors without an account are sent to log in; another área's editor is refused.
"""
from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from PIL import ExifTags, Image

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan import comun
from tests.fabricas import dia, obra, programa
from tests.sesion import csrf_token, log_in

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_index"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]

NAME = "pavimentacion-los-mangos"
URL = f"/obra/{NAME}/avance"
PROGRAMA = "apoyo-productores-2025"
URL_BENEFICIARIOS = f"/programa-social/{PROGRAMA}/beneficiarios"
LOS_MANGOS, NACAXTLE, CABECERA = "300730030", "300730033", "300730001"
PDF = b"%PDF-1.4\n% informe de avance (datos de ejemplo)\n%%EOF\n"


@pytest.fixture
def obra_del_area(area) -> dict[str, Any]:
    """An obra of the área Obras Públicas in execution, with two progress reports."""
    return call_action("package_create", {"user": area["editor"]["name"]}, **obra(
        area["org"], etapa="ejecucion", fecha_inicio=dia(-120), fecha_termino_programada=dia(90),
        consultas=[{"fecha": dia(-150), "lugar": "Salón ejidal de Los Mangos"}],
        historial_avance=[
            {"fecha": dia(-60), "avance_fisico": "20", "avance_financiero": "15"},
            {"fecha": dia(-30), "avance_fisico": "45", "avance_financiero": "30",
             "nota": "Lluvias"},
        ]))


@pytest.fixture
def programa_del_area(area) -> dict[str, Any]:
    return call_action("package_create", {"user": area["editor"]["name"]}, **programa(
        area["org"], comunidades=[LOS_MANGOS, NACAXTLE],
        beneficiarios=[{"comunidad": LOS_MANGOS, "mujeres": "64", "hombres": "60"}]))


def _page(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "FabricanteFicticio"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N",
                                  ExifTags.GPS.GPSLatitude: (18.0, 9.0, 0.0),
                                  ExifTags.GPS.GPSLongitudeRef: "W",
                                  ExifTags.GPS.GPSLongitude: (95.0, 8.0, 0.0)}
    image = Image.new("RGB", (64, 48), (146, 188, 222))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _stored_files() -> set[str]:
    root = Path(tk.config["ckan.storage_path"])
    return ({str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
            if root.exists() else set())


def _snapshot(name: str) -> tuple[Any, ...]:
    """What a refused submission must leave as it was."""
    stored = call_action("package_show", id=name)
    return (stored.get("historial_avance"), stored.get("avance_fisico"),
            stored.get("beneficiarios"), [r["id"] for r in stored["resources"]],
            stored["metadata_modified"], _stored_files())


def _post(app: Any, url: str = URL, fotos: list[tuple[bytes, str]] = (),  # type: ignore[assignment]
          documento: tuple[bytes, str] | None = None, **fields: str) -> Any:
    data: dict[str, Any] = {"_csrf_token": csrf_token(app.get(url)), **fields}
    if fotos:
        data["fotos"] = [(io.BytesIO(content), filename) for content, filename in fotos]
    if documento is not None:
        data["documento"] = (io.BytesIO(documento[0]), documento[1])
    return app.post(url, data=data, content_type="multipart/form-data", follow_redirects=False)


def _log_out(app: Any) -> None:
    token = csrf_token(app.get("/dashboard/datasets"))
    assert app.post("/user/_logout", data={"_csrf_token": token},
                    follow_redirects=False).status_code == 302


def _api(app: Any, user: dict[str, Any], action: str, data: dict[str, Any]) -> Any:
    return app.post(f"/api/3/action/{action}", headers={"Authorization": user["token"]},
                    json=data)


def _flashes(app: Any, location: str) -> str:
    return " ".join(p.get_text(" ", strip=True)
                    for p in _page(app.get(location)).select(".flash-messages .alert"))


# --- The page of an obra ------------------------------------------------------------------------

def test_the_page_is_one_short_form_with_stable_names(app, obra_del_area):
    log_in(app, "area-obras")
    response = app.get(URL)
    assert response.status_code == 200
    page = _page(response)
    assert page.h1.get_text(strip=True) == "Actualizar avance"
    form = page.select_one("form#hy-formulario-avance")
    assert form is not None and form.get("method") == "post"
    assert form.get("enctype") == "multipart/form-data"
    assert form.select_one("input[name=_csrf_token]") is not None
    inputs = [i for i in form.select("input, select, textarea") if i.get("type") != "hidden"]
    assert [(i["name"], i["id"]) for i in inputs] == [
        ("fecha", "hy-fecha"), ("avance_fisico", "hy-avance_fisico"),
        ("avance_financiero", "hy-avance_financiero"), ("nota", "hy-nota"),
        ("fotos", "hy-fotos"), ("documento", "hy-documento"),
        ("tipo_documento", "hy-tipo_documento")]
    for field in inputs:  # each one has its label
        assert page.select_one(f"label[for={field['id']}]") is not None, field["name"]
    fecha = form.select_one("#hy-fecha")
    assert fecha["type"] == "date" and fecha["value"] == comun.today().isoformat()
    assert fecha["max"] == comun.today().isoformat()
    fotos = form.select_one("#hy-fotos")
    assert fotos["type"] == "file" and fotos["accept"] == "image/*" and fotos.has_attr("multiple")
    # the figures of the latest report, ready to change
    assert form.select_one("#hy-avance_fisico")["value"] == "45"
    assert form.select_one("#hy-avance_financiero")["value"] == "30"
    assert "Último corte" in page.select_one("#hy-ultimo-corte").get_text()
    assert [b.get_text(strip=True) for b in form.select("button[type=submit]")] == [
        "Guardar avance"]
    tipos = [o.get_text(strip=True) for o in form.select("#hy-tipo_documento option")]
    assert tipos[0] == "Informe de avance"


def test_an_editor_records_progress_with_photos_and_a_document(app, obra_del_area):
    log_in(app, "area-obras")
    response = _post(app, fecha=dia(-1), avance_fisico="58", avance_financiero="50",
                     nota="Colado de la losa", tipo_documento="informe_avance",
                     fotos=[(_photo_with_gps(), "IMG_0001.jpg"), (_photo_with_gps(), "b.jpg")],
                     documento=(PDF, "Estimacion 3.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert response.headers["Location"].endswith(f"/obra/{NAME}#hy-avance")

    stored = call_action("package_show", id=NAME)
    assert stored["historial_avance"][-1] == {"fecha": dia(-1), "avance_fisico": "58",
                                              "avance_financiero": "50",
                                              "nota": "Colado de la losa"}
    assert len(stored["historial_avance"]) == 3
    assert (stored["avance_fisico"], stored["avance_financiero"]) == ("58", "50")
    foto_1, foto_2, documento = stored["resources"]
    assert [foto_1["tipo_recurso"], foto_2["tipo_recurso"]] == ["evidencia_fotografica"] * 2
    assert foto_1["format"] == "JPEG" and foto_1["url_type"] == "upload"
    assert foto_1["name"].startswith("Foto 1 de 2 del avance")
    assert documento["tipo_recurso"] == "informe_avance" and documento["format"] == "PDF"
    assert documento["name"] == "Estimacion 3.pdf"
    assert app.get(documento["url"]).data == PDF
    # the published photo no longer says where it was taken, nor with which phone
    served = app.get(foto_1["url"]).data
    assert b"FabricanteFicticio" not in served
    with Image.open(io.BytesIO(served)) as picture:
        assert not picture.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    # the obra's page shows the same figure in the headline and in the history
    flashes = _flashes(app, response.headers["Location"])
    assert "Se guardó el corte de avance" in flashes and "físico 58 %" in flashes, flashes
    page = _page(app.get(f"/obra/{NAME}"))
    assert page.select_one("#hy-avance .hy-barra-valor").get_text(strip=True) == "58 %"
    latest = page.select("#hy-historial li")[-1].get_text(" ", strip=True)
    assert "58 %" in latest and "Colado de la losa" in latest


def test_the_obra_page_offers_the_button_to_its_editors_only(app, obra_del_area):
    log_in(app, "area-obras")
    button = _page(app.get(f"/obra/{NAME}")).select_one("#hy-avance a#hy-actualizar-avance")
    assert button is not None and str(button["href"]).endswith(URL)
    assert button.get_text(strip=True) == "Actualizar avance"
    _log_out(app)
    assert _page(app.get(f"/obra/{NAME}")).select_one("#hy-actualizar-avance") is None


@pytest.mark.parametrize("fields, field, message", [
    ({"avance_fisico": "120"}, "avance_fisico", "Porcentaje no válido «120»"),
    ({"avance_financiero": "mucho"}, "avance_financiero", "Porcentaje no válido «mucho»"),
    ({"avance_fisico": "", "avance_financiero": ""}, "avance_fisico",
     "Escriba el avance físico, el financiero o ambos"),
    ({"fecha": dia(3)}, "fecha", "es posterior a hoy"),
    ({"fecha": ""}, "fecha", "Escriba la fecha del corte"),
    ({"fecha": "30/06/2025"}, "fecha", "Fecha no válida «30/06/2025»"),
    ({"nota": "x" * 501}, "nota", "tiene 501 caracteres"),
])
def test_bad_input_comes_back_in_spanish_next_to_its_field_with_nothing_stored(
        app, obra_del_area, fields, field, message):
    log_in(app, "area-obras")
    before = _snapshot(NAME)
    data = {"fecha": dia(0), "avance_fisico": "50", "avance_financiero": "40",
            "nota": "Se queda escrita", **fields}
    response = _post(app, fotos=[(_photo_with_gps(), "foto.jpg")], **data)
    assert response.status_code == 200
    page = _page(response)
    error = page.select_one(f"#hy-{field}-error")
    assert error is not None and message in error.get_text(), page.select_one("#hy-errores")
    assert page.select_one(f"#hy-{field}")["aria-invalid"] == "true"
    assert "No se guardó nada" in page.select_one("#hy-errores").get_text()
    assert "vuelva a elegirlos" in page.select_one("#hy-errores").get_text()
    if field != "nota":  # what was typed comes back
        assert page.select_one("#hy-nota").get_text() == "Se queda escrita"
    assert _snapshot(NAME) == before


@pytest.mark.parametrize("fotos, documento, field, message", [
    ([(PDF, "foto.jpg")], None, "fotos", "«foto.jpg» no es una foto"),
    ([], (b"<html><script>alert(1)</script></html>", "informe.html"), "documento",
     "informe.html"),
    ([(_photo_with_gps(), f"f{n}.jpg") for n in range(11)], None, "fotos", "a lo más 10"),
])
def test_a_refused_file_stores_nothing(app, obra_del_area, fotos, documento, field, message):
    log_in(app, "area-obras")
    before = _snapshot(NAME)
    response = _post(app, fotos=fotos, documento=documento, fecha=dia(0), avance_fisico="50",
                     avance_financiero="40", tipo_documento="informe_avance")
    assert response.status_code == 200
    error = _page(response).select_one(f"#hy-{field}-error")
    assert error is not None and message in error.get_text(), error
    assert _snapshot(NAME) == before


def test_a_report_of_a_recorded_date_changes_it_and_going_back_is_warned(app, obra_del_area):
    log_in(app, "area-obras")
    response = _post(app, fecha=dia(-30), avance_fisico="40", avance_financiero="30")
    assert response.status_code == 302
    stored = call_action("package_show", id=NAME)
    assert len(stored["historial_avance"]) == 2  # the same report, corrected
    assert stored["historial_avance"][-1] == {"fecha": dia(-30), "avance_fisico": "40",
                                              "avance_financiero": "30", "nota": "Lluvias"}
    assert stored["avance_fisico"] == "40"
    flashes = _flashes(app, response.headers["Location"])
    assert "El avance físico bajó de 45 % a 40 %" in flashes, flashes


def test_an_older_report_leaves_the_headline_to_the_latest_one(app, obra_del_area):
    log_in(app, "area-obras")
    response = _post(app, fecha=dia(-45), avance_fisico="30", avance_financiero="")
    assert response.status_code == 302
    stored = call_action("package_show", id=NAME)
    assert {"fecha": dia(-45), "avance_fisico": "30"} in [
        {k: v for k, v in row.items() if v} for row in stored["historial_avance"]]
    assert (stored["avance_fisico"], stored["avance_financiero"]) == ("45", "30")
    assert "es anterior al más reciente" in _flashes(app, response.headers["Location"])


def test_visitors_log_in_and_other_areas_are_refused(app, obra_del_area):
    for url in (URL, URL_BENEFICIARIOS):
        answer = app.get(url, follow_redirects=False)
        assert answer.status_code == 302 and "/user/login" in answer.headers["Location"], url
    otra = factories.UserWithToken(name="editor-dif")
    factories.Organization(name="dif", users=[{"name": otra["name"], "capacity": "editor"}])
    log_in(app, "editor-dif")
    assert app.get(URL).status_code == 403
    before = _snapshot(NAME)
    token = csrf_token(app.get("/dashboard/datasets"))
    answer = app.post(URL, data={"_csrf_token": token, "fecha": dia(0), "avance_fisico": "99"},
                      follow_redirects=False)
    assert answer.status_code == 403
    assert _snapshot(NAME) == before
    assert app.get("/obra/no-existe/avance").status_code == 404


def test_the_page_needs_the_forms_csrf_token(app, obra_del_area):
    log_in(app, "area-obras")
    before = _snapshot(NAME)
    answer = app.post(URL, data={"fecha": dia(0), "avance_fisico": "99"},
                      follow_redirects=False)
    assert answer.status_code in (400, 403)
    assert _snapshot(NAME) == before


def _form_data(form: Any) -> dict[str, Any]:
    """What a browser sends with a CKAN form as it comes: its inputs, text areas and chosen
    options, without scheming's row template and the blank rows it offers."""
    data: dict[str, Any] = {}
    for field in form.select("input"):
        if field.get("name") and field.get("type") not in ("checkbox", "radio", "file"):
            data[str(field["name"])] = str(field.get("value", ""))
    for field in form.select("textarea"):
        data[str(field["name"])] = field.get_text()
    for select in form.select("select"):
        chosen = select.select("option[selected]")
        if select.has_attr("multiple"):
            data[str(select["name"])] = [str(o["value"]) for o in chosen]
        elif chosen or select.select("option"):
            data[str(select["name"])] = str((chosen or select.select("option"))[0].get("value", ""))
    data = {key: value for key, value in data.items() if "REPEATING-INDEX" not in key}
    rows: dict[str, list[str]] = {}
    for key in data:
        group = re.match(r"^(\w+-\d+)-", key)
        if group:
            rows.setdefault(group.group(1), []).append(key)
    for keys in rows.values():
        if not any(data[key] for key in keys):
            for key in keys:
                del data[key]
    return data


def test_the_edit_form_has_no_headline_inputs_and_keeps_the_figures(app, obra_del_area):
    log_in(app, "area-obras")
    page = _page(app.get(f"/obra/edit/{NAME}"))
    form = page.select_one("form#dataset-edit")
    assert form.select_one("[name=avance_fisico]") is None
    assert form.select_one("[name=avance_financiero]") is None
    assert form.select_one("[name='historial_avance-1-avance_fisico']") is not None
    assert "Actualizar avance" in page.get_text()  # the history's help says where to go
    # saving the form as it comes keeps the figures of the latest report
    data = _form_data(form)
    data["historial_avance-1-avance_fisico"] = "47"
    data["save"] = ""
    answer = app.post(f"/obra/edit/{NAME}", data=data, follow_redirects=False)
    assert answer.status_code == 302, _page(answer).select(".error-explanation, .error-block")
    stored = call_action("package_show", id=NAME)
    assert (stored["avance_fisico"], stored["avance_financiero"]) == ("47", "30")
    assert len(stored["historial_avance"]) == 2


# --- The API and other write paths follow the same rule ------------------------------------------

def test_an_api_client_that_sends_only_the_headline_gets_it_into_the_history(app, area):
    user = area["editor"]
    answer = _api(app, user, "package_create", obra(area["org"], avance_fisico="45",
                                                    avance_financiero="30"))
    assert answer.status_code == 200, answer.json
    stored = call_action("package_show", id=NAME)
    assert stored["historial_avance"] == [{"fecha": comun.today().isoformat(),
                                           "avance_fisico": "45", "avance_financiero": "30"}]

    # a patch of the history moves the headline
    history = [*stored["historial_avance"],
               {"fecha": comun.today().isoformat(), "avance_fisico": "50",
                "avance_financiero": "35", "nota": "Segundo corte del día"}]
    answer = _api(app, user, "package_patch", {"id": NAME, "historial_avance": history})
    assert answer.status_code == 200, answer.json
    result = answer.json["result"]
    assert (result["avance_fisico"], result["avance_financiero"]) == ("50", "35")
    assert len(result["historial_avance"]) == 2

    # a patch of the headline alone becomes today's cut (the one of the same day, changed)
    answer = _api(app, user, "package_patch", {"id": NAME, "avance_fisico": "52"})
    result = answer.json["result"]
    assert result["avance_fisico"] == "52" and len(result["historial_avance"]) == 2
    assert result["historial_avance"][-1]["avance_fisico"] == "52"
    assert result["historial_avance"][-1]["nota"] == "Segundo corte del día"


def test_writes_without_a_request_follow_the_rule_as_the_harvest_makes_them(area):
    # the tabular harvester: package_create with a sheet's row, then package_update of the
    # dataset as package_show gives it with the sheet's new values, as the site user
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    created = call_action("package_create", dict(context), **obra(
        area["org"], avance_fisico="10", avance_financiero="5"))
    assert created["historial_avance"] == [{"fecha": comun.today().isoformat(),
                                            "avance_fisico": "10", "avance_financiero": "5"}]
    again = call_action("package_update", dict(context), **created)  # the same sheet again
    assert again["historial_avance"] == created["historial_avance"]
    newer = call_action("package_update", dict(context), **{**again, "avance_fisico": "25"})
    assert newer["historial_avance"] == [{"fecha": comun.today().isoformat(),
                                          "avance_fisico": "25", "avance_financiero": "5"}]
    assert (newer["avance_fisico"], newer["avance_financiero"]) == ("25", "5")


def test_an_obra_stored_before_the_rule_keeps_its_figures_when_edited(area):
    from ckan import model

    context = {"user": area["editor"]["name"]}
    created = call_action("package_create", context, **obra(area["org"]))
    # as an older catalog left it: a headline and no history
    package = model.Package.get(created["id"])
    assert package is not None
    package.extras = {**package.extras, "avance_fisico": "35", "avance_financiero": "20"}
    model.Session.commit()
    updated = call_action("package_patch", context, id=created["id"], title="Nuevo título")
    assert (updated["avance_fisico"], updated["avance_financiero"]) == ("35", "20")
    [cut] = updated["historial_avance"]
    assert cut["avance_fisico"] == "35" and cut["avance_financiero"] == "20"
    assert datetime.date.fromisoformat(cut["fecha"]) <= comun.today()


def test_an_invalid_headline_is_refused_on_its_field(app, area):
    answer = _api(app, area["editor"], "package_create", obra(area["org"], avance_fisico="120"))
    assert answer.status_code == 409
    errors = answer.json["error"]
    assert "Porcentaje no válido «120»" in str(errors["avance_fisico"])
    assert "historial_avance" not in errors


# --- Beneficiaries of a programa social -------------------------------------------------------

def test_the_beneficiaries_page_lists_and_fills_a_community(app, programa_del_area):
    log_in(app, "area-obras")
    response = app.get(URL_BENEFICIARIOS)
    assert response.status_code == 200
    page = _page(response)
    assert page.h1.get_text(strip=True) == "Actualizar beneficiarios"
    rows = [li.get_text(" ", strip=True) for li in page.select("#hy-beneficiarios-actuales li")]
    assert rows == ["Los Mangos 64 mujeres, 60 hombres, 124 en total Cambiar Los Mangos"]
    form = page.select_one("form#hy-formulario-beneficiarios")
    assert form.select_one("input[name=_csrf_token]") is not None
    assert [i["name"] for i in form.select("select, input") if i.get("type") != "hidden"] == [
        "comunidad", "mujeres", "hombres", "total"]
    propias = [o.get_text(strip=True) for o in form.select("optgroup")[0].select("option")]
    assert propias == ["Los Mangos", "Nacaxtle"]
    assert [b.get_text(strip=True) for b in form.select("button[type=submit]")] == [
        "Guardar beneficiarios"]
    # the link of a row fills the form with it; the total worked out stays empty
    link = page.select_one("#hy-beneficiarios-actuales a")["href"]
    filled = _page(app.get(link))
    assert filled.select_one("#hy-comunidad option[selected]")["value"] == LOS_MANGOS
    assert filled.select_one("#hy-mujeres")["value"] == "64"
    assert filled.select_one("#hy-total")["value"] == ""
    # the programme's page has the button for its editors
    button = _page(app.get(f"/programa-social/{PROGRAMA}")).select_one(
        "#hy-actualizar-beneficiarios")
    assert button is not None and str(button["href"]).endswith(URL_BENEFICIARIOS)
    _log_out(app)
    assert _page(app.get(f"/programa-social/{PROGRAMA}")).select_one(
        "#hy-actualizar-beneficiarios") is None


def test_a_community_is_added_and_another_replaced_with_the_total_worked_out(
        app, programa_del_area):
    log_in(app, "area-obras")
    response = _post(app, URL_BENEFICIARIOS, comunidad=NACAXTLE, mujeres="1,200", hombres="80")
    assert response.status_code == 302, _page(response).select_one("#hy-errores")
    assert response.headers["Location"].endswith(f"/programa-social/{PROGRAMA}#hy-beneficiarios")
    assert "Nacaxtle" in _flashes(app, response.headers["Location"])
    response = _post(app, URL_BENEFICIARIOS, comunidad=LOS_MANGOS, mujeres="70", hombres="61",
                     total="140")
    assert response.status_code == 302
    stored = call_action("package_show", id=PROGRAMA)["beneficiarios"]
    assert stored == [
        {"comunidad": LOS_MANGOS, "mujeres": "70", "hombres": "61", "total": "140"},
        {"comunidad": NACAXTLE, "mujeres": "1200", "hombres": "80", "total": "1280"}]


@pytest.mark.parametrize("fields, field, message", [
    ({"comunidad": ""}, "comunidad", "Elija la comunidad"),
    ({"comunidad": "211750001"}, "comunidad", "Comunidad desconocida «211750001»"),
    ({"mujeres": "muchas"}, "mujeres", "Número no válido «muchas»"),
    ({"mujeres": "", "hombres": ""}, "mujeres", "Escriba cuántas mujeres"),
    ({"total": "100"}, "total", "es menor que las mujeres más los hombres (124)"),
])
def test_bad_beneficiaries_come_back_in_spanish_with_nothing_stored(
        app, programa_del_area, fields, field, message):
    log_in(app, "area-obras")
    before = _snapshot(PROGRAMA)
    response = _post(app, URL_BENEFICIARIOS, **{"comunidad": NACAXTLE, "mujeres": "64",
                                                "hombres": "60", **fields})
    assert response.status_code == 200
    error = _page(response).select_one(f"#hy-{field}-error")
    assert error is not None and message in error.get_text(), _page(response).select_one(
        "#hy-errores")
    assert _snapshot(PROGRAMA) == before


def test_another_areas_editor_cannot_change_beneficiaries(app, programa_del_area):
    otra = factories.UserWithToken(name="editor-dif")
    factories.Organization(name="dif", users=[{"name": otra["name"], "capacity": "editor"}])
    log_in(app, "editor-dif")
    assert app.get(URL_BENEFICIARIOS).status_code == 403
    assert app.get(URL.replace(NAME, PROGRAMA)).status_code == 404  # a programme has no "avance"
    assert app.get(f"/programa-social/{PROGRAMA}").status_code == 200


def test_the_api_works_the_total_out_and_refuses_a_short_one(app, area):
    answer = _api(app, area["editor"], "package_create", programa(
        area["org"], beneficiarios=[{"comunidad": CABECERA, "mujeres": "10", "hombres": "12"},
                                    {"comunidad": LOS_MANGOS, "mujeres": "5", "hombres": "",
                                     "total": ""}]))
    assert answer.status_code == 200, answer.json
    assert [row["total"] for row in answer.json["result"]["beneficiarios"]] == ["22", ""]
    answer = _api(app, area["editor"], "package_patch", {"id": PROGRAMA, "beneficiarios": [
        {"comunidad": CABECERA, "mujeres": "10", "hombres": "12", "total": "20"}]})
    assert answer.status_code == 409
    assert "es menor que las mujeres más los hombres (22)" in str(answer.json["error"])
