"""Resources of our types: the privacy guard on tables and EXIF stripping of photos, end to end
through the action API (multipart uploads into CKAN's file storage)."""
from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest
from PIL import Image

from ckan.tests import factories
from ckan.tests.helpers import call_action

AUTH = "Authorization"
# Obviously synthetic values (the X... CURP pattern and a 55 0000 phone are not real people).
PADRON_CON_CURP = (
    "nombre,curp,localidad,monto\n"
    "Persona Uno,XEXX010101HVZXXXA4,300730030,1500\n"
    "Persona Dos,XEXX020202MVZXXXB7,300730030,1500\n"
)
PADRON_CON_TELEFONO = "nombre,telefono\nPersona Uno,55 0000 0000\n"
BENEFICIARIOS_LIMPIOS = (
    "localidad,cvegeo,mujeres,hombres,monto\n"
    "Los Mangos,300730030,64,60,\"$1,234.50\"\n"
)


@pytest.fixture
def obra(comunidades):
    user = factories.SysadminWithToken()
    org = factories.Organization(name="obras-publicas")
    dataset = call_action(
        "package_create", {"user": user["name"]}, type="obra", name="obra-con-archivos",
        title="Obra con archivos", owner_org=org["id"], clave_obra="HUE-2025-FISM-020",
        ejercicio_fiscal="2025", comunidades=["300730030"], etapa="planeacion",
    )
    return user, dataset


def upload(app, user, dataset, content: bytes, filename: str, **fields):
    data = {"package_id": dataset["id"], "name": filename,
            "upload": (io.BytesIO(content), filename), **fields}
    return app.post("/api/3/action/resource_create", data=data,
                    headers={AUTH: user["token"]}, content_type="multipart/form-data")


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestPrivacyGuard:
    def test_curp_column_is_refused_with_a_spanish_message(self, app, obra):
        user, dataset = obra
        response = upload(app, user, dataset, PADRON_CON_CURP.encode(), "padron.csv")
        assert response.status_code == 409
        message = str(response.json["error"]["url"])
        assert "«curp» (B) contiene claves CURP (filas 2, 3)" in message
        assert "proteger datos personales" in message
        assert call_action("package_show", id=dataset["id"])["resources"] == []

    def test_phone_column_is_refused(self, app, obra):
        user, dataset = obra
        response = upload(app, user, dataset, PADRON_CON_TELEFONO.encode(), "contactos.csv")
        assert response.status_code == 409
        assert "números de teléfono" in str(response.json["error"]["url"])

    def test_clean_aggregate_file_is_accepted(self, app, obra):
        user, dataset = obra
        response = upload(app, user, dataset, BENEFICIARIOS_LIMPIOS.encode(), "beneficiarios.csv")
        assert response.status_code == 200, response.body

    def test_only_a_sysadmin_may_override_and_the_override_is_recorded(self, app, obra):
        sysadmin, dataset = obra
        editor = factories.UserWithToken()
        call_action("organization_member_create", id=dataset["owner_org"],
                    username=editor["name"], role="editor")
        reason = "Versión pública aprobada por el Comité de Transparencia"
        refused = upload(app, editor, dataset, PADRON_CON_CURP.encode(), "padron.csv",
                         excepcion_privacidad=reason)
        assert refused.status_code == 409
        assert "Solo una persona administradora" in str(refused.json["error"])

        accepted = upload(app, sysadmin, dataset, PADRON_CON_CURP.encode(), "padron.csv",
                          excepcion_privacidad=reason)
        assert accepted.status_code == 200, accepted.body
        recorded = accepted.json["result"]["excepcion_privacidad"]
        assert recorded.startswith(reason) and f"autorizado por {sysadmin['name']}" in recorded


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), "orange")
    exif = Image.Exif()
    exif[0x010F] = "FabricanteDePrueba"  # Make
    exif[0x0110] = "ModeloDePrueba"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (18.0, 9.0, 6.0)
    gps[3], gps[4] = "W", (95.0, 8.0, 33.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_uploaded_photo_loses_gps_and_device_data(app, obra):
    user, dataset = obra
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    response = upload(app, user, dataset, original, "avance.jpg",
                      tipo_recurso="evidencia_fotografica")
    assert response.status_code == 200, response.body
    stored = app.get(urlparse(response.json["result"]["url"]).path)
    assert stored.status_code == 200
    image = Image.open(io.BytesIO(stored.data))
    exif = image.getexif()
    assert image.format == "JPEG" and image.size == (40, 20)
    assert not exif.get_ifd(0x8825) and 0x010F not in exif and 0x0110 not in exif


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_privacy_exception_is_only_for_editors(app, comunidades):
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    from tests.fabricas import obra

    sysadmin = factories.Sysadmin()
    org = factories.Organization(name="obras-publicas")
    call_action("package_create", context={"user": sysadmin["name"]}, **obra(org, resources=[{
        "url": "http://example.org/acta.pdf", "name": "Acta", "format": "PDF",
        "tipo_recurso": "acta_consulta",
        "excepcion_privacidad": "Versión pública del acta 3/2025"}]))
    anonymous = app.get("/api/3/action/package_show?id=pavimentacion-los-mangos").json["result"]
    assert "excepcion_privacidad" not in anonymous["resources"][0]
    found = app.get("/api/3/action/package_search?q=*:*").json["result"]["results"][0]
    assert "excepcion_privacidad" not in found["resources"][0]
    editor = call_action("package_show", context={"user": sysadmin["name"], "ignore_auth": False},
                         id="pavimentacion-los-mangos")
    assert editor["resources"][0]["excepcion_privacidad"] == "Versión pública del acta 3/2025"
