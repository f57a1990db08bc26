"""Sysadmins add, rename, merge and retire communities without code changes."""
from __future__ import annotations

import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action


def _obra(org, comunidades, **fields):
    data = {
        "type": "obra", "owner_org": org["id"], "title": "Obra de prueba", "name": "obra-de-prueba",
        "clave_obra": "HUE-2025-FISM-001", "ejercicio_fiscal": "2025",
        "comunidades": comunidades, "etapa": "planeacion",
    }
    data.update(fields)
    return call_action("package_create", {"user": factories.Sysadmin()["name"]}, **data)


@pytest.mark.usefixtures("with_plugins", "comunidades", "clean_index")
class TestComunidadAdmin:
    def test_add_a_community_without_inegi_key(self):
        sysadmin = factories.Sysadmin()
        created = call_action("hueyapan_comunidad_create", {"user": sysadmin["name"]},
                              nombre="Colonia Las Flores", ambito="R")
        assert created["id"] == "c-colonia-las-flores" and created["cvegeo"] is None
        listed = {c["id"] for c in call_action("hueyapan_comunidad_list")}
        assert "c-colonia-las-flores" in listed and len(listed) == 51

    def test_staff_record_an_indigenous_community(self):
        sysadmin = factories.Sysadmin()
        before = call_action("hueyapan_comunidad_show", id="300730030")
        assert before["indigena"] is None  # not recorded: nothing is presumed
        updated = call_action("hueyapan_comunidad_update", {"user": sysadmin["name"]},
                              id="300730030", indigena="true", pueblos_indigenas="Popoluca")
        assert updated["indigena"] is True and updated["pueblos_indigenas"] == "Popoluca"
        assert call_action("hueyapan_comunidad_show", id="300730030")["indigena"] is True

    def test_inegi_key_must_belong_to_the_municipality_and_be_unique(self):
        sysadmin = factories.Sysadmin()
        with pytest.raises(tk.ValidationError) as error:
            call_action("hueyapan_comunidad_create", {"user": sysadmin["name"]},
                        nombre="Hueyapan (Puebla)", cvegeo="210750001")
        assert "30073" in str(error.value.error_dict["cvegeo"])
        with pytest.raises(tk.ValidationError) as error:
            call_action("hueyapan_comunidad_create", {"user": sysadmin["name"]},
                        nombre="Otra", cvegeo="300730030")
        assert "Los Mangos" in str(error.value.error_dict["cvegeo"])

    def test_only_sysadmins_manage_communities(self):
        user = factories.User()
        with pytest.raises(tk.NotAuthorized):
            call_action("hueyapan_comunidad_create",
                        {"user": user["name"], "ignore_auth": False}, nombre="X")
        with pytest.raises(tk.NotAuthorized):
            call_action("hueyapan_comunidad_retire",
                        {"user": user["name"], "ignore_auth": False}, id="300730030")

    def test_rename_keeps_the_key(self):
        sysadmin = factories.Sysadmin()
        call_action("hueyapan_comunidad_update", {"user": sysadmin["name"]},
                    id="300730003", nombre="La Barrosa")
        shown = call_action("hueyapan_comunidad_show", id="300730003")
        assert (shown["id"], shown["nombre"]) == ("300730003", "La Barrosa")

    def test_merge_moves_datasets_and_keeps_the_old_url(self, app):
        sysadmin = factories.Sysadmin()
        org = factories.Organization()
        obra = _obra(org, ["300730035", "300730030"])
        result = call_action("hueyapan_comunidad_merge", {"user": sysadmin["name"]},
                             id="300730035", destino="300730156")
        assert result["datasets_actualizados"] == 1
        updated = call_action("package_show", id=obra["id"])
        assert updated["comunidades"] == ["300730156", "300730030"]
        old = app.get("/api/3/action/hueyapan_comunidad_show", query_string={"id": "300730035"})
        assert old.status_code == 200
        assert old.json["result"]["estado"] == "fusionada"
        assert old.json["result"]["fusionada_en"] == "300730156"
        found = call_action("package_search", fq="hueyapan_comunidad:300730156")
        assert found["count"] == 1
        activities = call_action("package_activity_list", id=obra["id"])
        assert activities[0]["user_id"] == sysadmin["id"]

    def test_retired_community_keeps_its_datasets_but_not_new_ones(self):
        sysadmin = factories.Sysadmin()
        org = factories.Organization()
        old = _obra(org, ["300730007"])
        call_action("hueyapan_comunidad_retire", {"user": sysadmin["name"]}, id="300730007")
        assert call_action("hueyapan_comunidad_show", id="300730007")["estado"] == "retirada"
        assert "300730007" not in {c["id"] for c in call_action("hueyapan_comunidad_list")}
        # the old dataset still validates on edit
        call_action("package_patch", {"user": sysadmin["name"]}, id=old["id"], title="Editada")
        with pytest.raises(tk.ValidationError) as error:
            _obra(org, ["300730007"], name="otra-obra")
        assert "retired" in json.dumps(error.value.error_dict)
