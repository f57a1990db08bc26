"""Vocabularies staff extend per fiscal year, without code changes."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan.registros.vocabularios import read_seed


def test_no_obsolete_legal_references_in_the_seed():
    text = repr(read_seed()).lower()
    assert "875" not in text and "ivai" not in text


@pytest.mark.usefixtures("with_plugins", "comunidades")
class TestVocabularios:
    def test_terms_are_listed_per_fiscal_year(self):
        all_funds = {t["clave"] for t in call_action("hueyapan_termino_list",
                                                      vocabulario="fuente_financiamiento")}
        funds_2024 = {t["clave"] for t in call_action("hueyapan_termino_list",
                                                       vocabulario="fuente_financiamiento",
                                                       ejercicio=2024)}
        assert "fais_indigena" in all_funds
        assert "fais_indigena" not in funds_2024 and "fism" in funds_2024

    def test_a_sysadmin_adds_a_term_for_a_new_year(self):
        sysadmin = factories.Sysadmin()
        call_action("hueyapan_termino_create", {"user": sysadmin["name"]},
                    vocabulario="fuente_financiamiento", clave="fondo_2027",
                    etiqueta="Fondo de prueba 2027", desde="2027-01-01")
        terms = call_action("hueyapan_termino_list", vocabulario="fuente_financiamiento",
                            ejercicio=2027)
        assert "fondo_2027" in {t["clave"] for t in terms}
        with pytest.raises(tk.ValidationError):
            call_action("hueyapan_termino_create", {"user": sysadmin["name"]},
                        vocabulario="fuente_financiamiento", clave="fondo_2027", etiqueta="Otra")

    def test_a_term_can_be_closed_for_later_years(self):
        sysadmin = factories.Sysadmin()
        call_action("hueyapan_termino_update", {"user": sysadmin["name"]},
                    vocabulario="rubro_fais", clave="vivienda", hasta="2024-12-31")
        rubros_2025 = {t["clave"] for t in call_action("hueyapan_termino_list",
                                                        vocabulario="rubro_fais", ejercicio=2025)}
        assert "vivienda" not in rubros_2025

    def test_only_sysadmins_change_vocabularies(self):
        with pytest.raises(tk.NotAuthorized):
            call_action("hueyapan_termino_create",
                        {"user": factories.User()["name"], "ignore_auth": False},
                        vocabulario="rubro_fais", clave="x", etiqueta="X")


def test_every_seed_term_is_complete():
    """Catches YAML flow mappings cut at an unquoted comma ("Cultura, deporte y recreación")."""
    for vocabulary, entries in read_seed().items():
        for entry in entries:
            assert entry["etiqueta"] and entry["etiqueta_en"], (vocabulary, entry)
    sector = {e["clave"]: e["etiqueta"] for e in read_seed()["sector"]}
    assert sector["cultureSportsAndRecreation"] == "Cultura, deporte y recreación"
