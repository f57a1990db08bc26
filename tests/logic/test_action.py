"""The communities register through the action API."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.hueyapan.registros.comunidades import seed_localities


@pytest.mark.usefixtures("with_plugins", "comunidades")
class TestComunidades:
    def test_the_50_inegi_localities_are_listed(self, app):
        result = app.get("/api/3/action/hueyapan_comunidad_list").json["result"]
        assert len(result) == 50
        assert all(len(c["cvegeo"]) == 9 and c["cvegeo"].startswith("30073") for c in result)
        assert sum(c["pob_total_2020"] for c in result) == 41132
        assert [c["nombre"] for c in result] == sorted(c["nombre"] for c in result)
        assert "geometria" not in result[0]

    def test_show_by_inegi_key_has_population_and_polygon(self):
        mangos = call_action("hueyapan_comunidad_show", id="300730030")
        assert mangos["nombre"] == "Los Mangos"
        assert mangos["ambito"] == "U"
        assert (mangos["pob_total_2020"], mangos["pob_masculina_2020"],
                mangos["pob_femenina_2020"]) == (2620, 1257, 1363)
        assert mangos["geometria"]["type"] == "MultiPolygon"
        assert "INEGI" in mangos["fuente"]

    def test_homonyms_are_told_apart_by_key(self):
        first = call_action("hueyapan_comunidad_show", id="300730035")
        second = call_action("hueyapan_comunidad_show", id="300730156")
        assert first["nombre"] == second["nombre"] == "La Nueva Esperanza"
        assert first["id"] != second["id"]

    def test_unknown_community_is_not_found_with_a_spanish_message(self, app):
        response = app.get("/api/3/action/hueyapan_comunidad_show",
                           query_string={"id": "211750001"})
        assert response.status_code == 404
        assert "Comunidad no encontrada: 211750001" in response.json["error"]["message"]

    def test_seeding_again_inserts_nothing_and_keeps_staff_edits(self):
        from ckan import model

        from ckanext.hueyapan.model import Comunidad

        row = model.Session.query(Comunidad).filter_by(cvegeo="300730030").one()
        row.nombre = "Los Mangos (cabecera de congregación)"
        model.Session.commit()

        assert seed_localities() == (0, 50)
        assert call_action("hueyapan_comunidad_show", id="300730030")["nombre"] == (
            "Los Mangos (cabecera de congregación)"
        )

    def test_missing_id_is_a_validation_error(self):
        with pytest.raises(tk.ValidationError):
            call_action("hueyapan_comunidad_show")
