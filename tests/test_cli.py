"""``ckan hueyapan ...`` commands used by `make run`."""
from __future__ import annotations

import pytest

from ckan import model
from ckan.cli.cli import ckan as ckan_command


@pytest.mark.usefixtures("with_plugins", "clean_db_all")
def test_cargar_comunidades_is_idempotent(cli):
    first = cli.invoke(ckan_command, ["hueyapan", "cargar-comunidades"])
    assert first.exit_code == 0, first.output
    assert "50 localidades INEGI cargadas, 0 ya estaban" in first.output
    again = cli.invoke(ckan_command, ["hueyapan", "cargar-comunidades"])
    assert "0 localidades INEGI cargadas, 50 ya estaban" in again.output


@pytest.mark.usefixtures("with_plugins", "clean_db_all")
def test_crear_admin_prints_the_password_once(cli):
    first = cli.invoke(ckan_command, ["hueyapan", "crear-admin", "--usuario", "admin-prueba"])
    assert first.exit_code == 0, first.output
    password = first.output.split("contraseña:")[1].split()[0]
    user = model.User.get("admin-prueba")
    assert user.sysadmin and user.validate_password(password)

    again = cli.invoke(ckan_command, ["hueyapan", "crear-admin", "--usuario", "admin-prueba"])
    assert again.exit_code == 0
    assert "ya existe" in again.output and password not in again.output


@pytest.mark.usefixtures("with_plugins", "clean_db_all")
def test_seeds_of_areas_and_vocabularies_are_idempotent(cli):
    from ckan.tests.helpers import call_action

    for _ in range(2):
        areas = cli.invoke(ckan_command, ["hueyapan", "cargar-areas"])
        assert areas.exit_code == 0, areas.output
        vocab = cli.invoke(ckan_command, ["hueyapan", "cargar-vocabularios"])
        assert vocab.exit_code == 0, vocab.output
    assert "0 creadas" in areas.output and "0 términos cargados" in vocab.output
    names = set(call_action("organization_list"))
    assert {"obras-publicas", "dif-municipal", "asuntos-indigenas", "participacion-ciudadana",
            "tesoreria", "desarrollo-agropecuario"} <= names
    assert call_action("organization_show", id="dif-municipal")["title"] == "DIF Municipal"
