"""Proposals to calls: who may submit, read, review, convert and report; dates; private contact
data; e-mails to the proponent through a local SMTP server started by the test."""
from __future__ import annotations

import email
import io
import socketserver
import threading
from email.message import Message

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import convocatoria, dia

LOS_MANGOS = "300730030"
PDF = b"%PDF-1.4\n% acta de asamblea (datos de ejemplo)\n%%EOF\n"


# --- A local SMTP server ------------------------------------------------------------------------

class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 localhost SMTP de prueba\r\n")
        data_mode, lines = False, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if data_mode:
                if line in (b".\r\n", b".\n"):
                    assert isinstance(self.server, _SMTPServer)
                    self.server.messages.append(email.message_from_bytes(b"".join(lines)))
                    data_mode, lines = False, []
                    self.wfile.write(b"250 OK\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line.strip().upper()
            if command.startswith(b"EHLO") or command.startswith(b"HELO"):
                self.wfile.write(b"250 localhost\r\n")
            elif command == b"DATA":
                data_mode = True
                self.wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 Bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class _SMTPServer(socketserver.ThreadingTCPServer):
    """Keeps every message it receives."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages: list[Message] = []


@pytest.fixture
def smtp(ckan_config, monkeypatch):
    server = _SMTPServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{server.server_address[1]}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "catalogo@example.org")
    yield server
    server.shutdown()
    server.server_close()


# --- The cast -------------------------------------------------------------------------------------



class _Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename, self.stream = name, io.BytesIO(data)


@pytest.fixture
def reparto(with_plugins, clean_index, comunidades, smtp):
    area = factories.User(name="area-obras", email="area@example.org")
    other = factories.User(name="area-salud", email="salud@example.org")
    proponente = factories.User(name="agente-los-mangos", fullname="Agente municipal (ejemplo)",
                                email="agente@example.org")
    curioso = factories.User(name="vecino", email="vecino@example.org")
    org = factories.Organization(name="obras-publicas", users=[{"name": area["name"],
                                                                "capacity": "editor"}])
    factories.Organization(name="salud", users=[{"name": other["name"], "capacity": "editor"}])
    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    abierta = call_action("package_create", context=dict(site), **convocatoria(
        org, fecha_apertura=dia(-5), fecha_cierre=dia(10), fecha_resultados=dia(20)))
    cerrada = call_action("package_create", context=dict(site), **convocatoria(
        org, name="convocatoria-cerrada", folio="PC-2025-09", fecha_apertura="2025-01-01",
        fecha_cierre="2025-01-31", fecha_resultados="2025-02-15"))
    return {"area": area, "otra_area": other, "proponente": proponente, "curioso": curioso,
            "abierta": abierta, "cerrada": cerrada, "smtp": smtp, "site": site}


def _as(user) -> dict:
    return {"user": user["name"], "ignore_auth": False}


def _propose(reparto, **fields):
    data = {"convocatoria": reparto["abierta"]["name"], "titulo": "Rehabilitar el pozo de agua",
            "comunidad": LOS_MANGOS, "problema": "El pozo se seca en abril.",
            "descripcion": "Desazolve y bomba nueva.", "beneficiarios_mujeres": "120",
            "beneficiarios_hombres": "110", "costo_estimado": "$250,000",
            "contacto_nombre": "Persona de contacto (ejemplo)", "contacto_telefono": "555-000-0000",
            "contacto_correo": "contacto@example.org", "acta": _Upload("acta.pdf", PDF)}
    data.update(fields)
    return call_action("hueyapan_propuesta_create", context=_as(reparto["proponente"]), **data)


# --- Submitting -----------------------------------------------------------------------------------

def test_anonymous_users_cannot_submit(reparto):
    with pytest.raises(tk.NotAuthorized):
        call_action("hueyapan_propuesta_create", context={"user": "", "ignore_auth": False},
                    convocatoria=reparto["abierta"]["name"], titulo="x", comunidad=LOS_MANGOS,
                    problema="x", descripcion="x")


def test_a_registered_user_submits_while_the_call_is_open(reparto, app):
    with app.flask_app.test_request_context():  # a web request: the e-mail in Spanish
        propuesta = _propose(reparto)
    assert propuesta["estado"] == "recibida" and propuesta["rol"] == "proponente"
    assert propuesta["contacto_correo"] == "contacto@example.org"
    assert propuesta["acta"] == "acta.pdf" and propuesta["costo_estimado"] == "250000.00"
    [mail] = reparto["smtp"].messages
    assert "agente@example.org" in mail["To"]
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "Rehabilitar el pozo de agua" in body and "se recibió" in body


def test_nothing_is_accepted_outside_the_call_dates(reparto):
    with pytest.raises(tk.ValidationError) as error:
        _propose(reparto, convocatoria="convocatoria-cerrada")
    assert "convocatoria" in error.value.error_dict


@pytest.mark.parametrize("fields, field", [
    ({"titulo": ""}, "titulo"),
    ({"comunidad": "999999999"}, "comunidad"),
    ({"beneficiarios_mujeres": "muchas"}, "beneficiarios_mujeres"),
    ({"costo_estimado": "caro"}, "costo_estimado"),
    ({"acta": _Upload("acta.exe", b"MZ...")}, "acta"),
    ({"acta": _Upload("acta.pdf", b"no es un PDF")}, "acta"),
])
def test_bad_input_is_refused_field_by_field(reparto, fields, field):
    with pytest.raises(tk.ValidationError) as error:
        _propose(reparto, **fields)
    assert field in error.value.error_dict


# --- Reading --------------------------------------------------------------------------------------

def test_who_reads_a_proposal(reparto):
    propuesta = _propose(reparto)
    shown = call_action("hueyapan_propuesta_show", context=_as(reparto["area"]), id=propuesta["id"])
    assert shown["rol"] == "area" and shown["contacto_telefono"] == "555-000-0000"
    for outsider in (reparto["curioso"], reparto["otra_area"]):
        with pytest.raises(tk.ObjectNotFound):
            call_action("hueyapan_propuesta_show", context=_as(outsider), id=propuesta["id"])
    with pytest.raises(tk.ObjectNotFound):
        call_action("hueyapan_propuesta_show", context={"user": "", "ignore_auth": False},
                    id=propuesta["id"])
    assert [p["id"] for p in call_action("hueyapan_propuesta_list", context=_as(
        reparto["proponente"]), mias=True)] == [propuesta["id"]]
    assert call_action("hueyapan_propuesta_list", context=_as(reparto["curioso"]),
                       convocatoria=reparto["abierta"]["name"]) == []


# --- Review, conversion, reports, results -------------------------------------------------------

def test_the_whole_review(reparto, app):
    propuesta = _propose(reparto)
    area = _as(reparto["area"])
    with pytest.raises(tk.NotAuthorized):
        call_action("hueyapan_propuesta_estado", context=_as(reparto["otra_area"]),
                    id=propuesta["id"], estado="aprobada")
    with pytest.raises(tk.NotAuthorized):
        call_action("hueyapan_propuesta_estado", context=_as(reparto["proponente"]),
                    id=propuesta["id"], estado="aprobada")
    with pytest.raises(tk.ValidationError):
        call_action("hueyapan_propuesta_estado", context=area, id=propuesta["id"],
                    estado="rechazada")
    call_action("hueyapan_propuesta_estado", context=area, id=propuesta["id"], estado="en_revision")
    approved = call_action("hueyapan_propuesta_estado", context=area, id=propuesta["id"],
                           estado="aprobada", informe_preliminar_limite=dia(-1))
    assert approved["informes_vencidos"] == ["informe_preliminar"]
    assert len(reparto["smtp"].messages) == 3  # received, under review, approved

    converted = call_action("hueyapan_propuesta_convertir", context=area, id=propuesta["id"])
    assert converted["estado"] == "convertida"
    obra = call_action("package_show", context=dict(reparto["site"]), id=converted["dataset"]["id"])
    assert obra["type"] == "obra" and obra["private"] is True
    assert obra["title"] == "Rehabilitar el pozo de agua" and obra["comunidades"] == [LOS_MANGOS]
    assert obra["convocatoria_origen"] == [reparto["abierta"]["name"]]
    assert obra["monto_aprobado"] == "250000.00"

    reported = call_action("hueyapan_propuesta_informe", context=_as(reparto["proponente"]),
                           id=propuesta["id"], tipo="informe_preliminar",
                           archivo=_Upload("informe.pdf", PDF))
    assert reported["informes_vencidos"] == []
    with pytest.raises(tk.NotAuthorized):
        call_action("hueyapan_propuesta_informe", context=_as(reparto["curioso"]),
                    id=propuesta["id"], tipo="informe_final", archivo=_Upload("x.pdf", PDF))

    # before the results date, nothing is public
    assert "aprobadas" not in call_action("hueyapan_convocatoria_resultados",
                                          id=reparto["abierta"]["name"])
    # once the call is resuelta, the approved proposals are public, without contact data
    call_action("package_patch", context=dict(reparto["site"]), id=reparto["abierta"]["id"],
                fecha_apertura=dia(-40), fecha_cierre=dia(-20), fecha_resultados=dia(-1))
    results = app.get(f"/api/3/action/hueyapan_convocatoria_resultados?id="
                      f"{reparto['abierta']['name']}").json["result"]
    assert results["publicados"] is True
    assert results["por_estado"] == {"convertida": 1}
    assert results["por_comunidad"] == {LOS_MANGOS: 1}
    [public] = results["aprobadas"]
    assert public["titulo"] == "Rehabilitar el pozo de agua"
    assert not {"contacto_nombre", "contacto_telefono", "contacto_correo", "acta"} & set(public)
    body = str(app.get(f"/api/3/action/hueyapan_propuesta_list?convocatoria="
                       f"{reparto['abierta']['name']}").json)
    assert "555-000-0000" not in body and "contacto@example.org" not in body


def test_a_private_draft_and_the_proponent_stay_hidden_from_the_public(reparto, app):
    """Issue 16: once the call is resuelta, ``/propuesta/<id>`` showed anyone the title of the
    private draft a proposal became, and the public JSON carried ``usuario_id`` and
    ``dataset_id``."""
    propuesta = _propose(reparto)
    area = _as(reparto["area"])
    for estado in ("en_revision", "aprobada"):
        call_action("hueyapan_propuesta_estado", context=area, id=propuesta["id"], estado=estado)
    converted = call_action("hueyapan_propuesta_convertir", context=area, id=propuesta["id"])
    draft = converted["dataset"]
    call_action("package_patch", context=dict(reparto["site"]), id=draft["id"],
                title="Borrador interno del pozo")
    call_action("package_patch", context=dict(reparto["site"]), id=reparto["abierta"]["id"],
                fecha_apertura=dia(-40), fecha_cierre=dia(-20), fecha_resultados=dia(-1))

    def public_views() -> list[str]:
        shown = app.get(f"/api/3/action/hueyapan_propuesta_show?id={propuesta['id']}")
        results = app.get(f"/api/3/action/hueyapan_convocatoria_resultados?id="
                          f"{reparto['abierta']['name']}")
        listed = app.get(f"/api/3/action/hueyapan_propuesta_list?convocatoria="
                         f"{reparto['abierta']['name']}")
        pages = [app.get(f"/propuesta/{propuesta['id']}"),
                 app.get(f"/convocatoria/{reparto['abierta']['name']}")]
        assert all(page.status_code == 200 for page in [shown, results, listed, *pages])
        assert not {"usuario_id", "dataset_id"} & set(shown.json["result"])
        assert not {"usuario_id", "dataset_id"} & set(results.json["result"]["aprobadas"][0])
        return [page.get_data(as_text=True) for page in [shown, results, listed, *pages]]

    for text in public_views():
        assert "Borrador interno del pozo" not in text and draft["id"] not in text
        assert reparto["proponente"]["id"] not in text
    # the área still sees the draft it made
    from tests.sesion import log_in

    user = factories.User(name="area-obras-2", password="Area-Obras-2026")
    call_action("organization_member_create", context=dict(reparto["site"]),
                id="obras-publicas", username=user["name"], role="editor")
    # once the work is public, its page is named to everyone
    call_action("package_patch", context=dict(reparto["site"]), id=draft["id"], private=False)
    texts = public_views()
    assert all("Borrador interno del pozo" in text for text in texts[3:])
    log_in(app, user["name"], "Area-Obras-2026")
    call_action("package_patch", context=dict(reparto["site"]), id=draft["id"], private=True)
    page = app.get(f"/propuesta/{propuesta['id']}").get_data(as_text=True)
    assert "Borrador interno del pozo" in page
