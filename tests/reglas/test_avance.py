"""The progress of an obra is written once (``reglas/avance.py``): the headline figures are the
latest cut of the history, a new headline becomes a cut, and a headline is never lost."""
from __future__ import annotations

import datetime

import pytest

from ckanext.hueyapan.reglas.avance import (
    add_cut,
    headline,
    is_percentage,
    latest_cut,
    reconcile,
    same_value,
)

HOY = datetime.date(2025, 7, 15)
ABRIL = {"fecha": "2025-04-30", "avance_fisico": "10", "avance_financiero": "5", "nota": "Inicio"}
MAYO = {"fecha": "2025-05-31", "avance_fisico": "25", "avance_financiero": "20"}
JUNIO = {"fecha": "2025-06-30", "avance_fisico": "45", "avance_financiero": "30.5",
         "nota": "Lluvias"}


# --- headline and latest cut ------------------------------------------------------------------

def test_the_headline_is_the_latest_cut_by_date_whatever_the_order():
    history = [JUNIO, ABRIL, MAYO]
    assert latest_cut(history) == JUNIO
    assert headline(history) == {"avance_fisico": "45", "avance_financiero": "30.5"}


def test_each_measure_comes_from_the_latest_cut_that_records_it():
    only_physical = {"fecha": "2025-07-10", "avance_fisico": "50", "avance_financiero": ""}
    assert headline([ABRIL, JUNIO, only_physical]) == {"avance_fisico": "50",
                                                       "avance_financiero": "30.5"}


def test_on_one_date_the_later_row_of_the_list_wins():
    first = {"fecha": "2025-06-30", "avance_fisico": "40"}
    second = {"fecha": "2025-06-30", "avance_fisico": "42"}
    assert headline([first, second])["avance_fisico"] == "42"
    assert headline([second, first])["avance_fisico"] == "40"


def test_rows_without_a_readable_date_count_for_nothing():
    assert headline([{"fecha": "ayer", "avance_fisico": "90"}, ABRIL]) == {
        "avance_fisico": "10", "avance_financiero": "5"}
    assert latest_cut([{"fecha": "", "avance_fisico": "90"}]) is None
    assert headline([]) == {} and headline(None) == {} and headline("[]") == {}


def test_a_history_stored_as_json_text_is_read():
    assert headline('[{"fecha": "2025-06-30", "avance_fisico": "45"}]') == {
        "avance_fisico": "45"}


@pytest.mark.parametrize("one, other, same", [
    ("45", 45, True), ("45", "45.0", True), ("45%", "45", True), ("38.5", "38.50", True),
    ("45", "46", False), ("", None, True), ("45", "", False), ("abc", "abc", True),
])
def test_figures_compare_as_numbers(one, other, same):
    assert same_value(one, other) is same


@pytest.mark.parametrize("value, valid", [
    ("0", True), ("100", True), ("45.5", True), ("45 %", True), (45, True),
    ("120", False), ("-1", False), ("mucho", False), ("", False), (None, False),
    ("NaN", False), (True, False),
])
def test_what_a_percentage_is(value, valid):
    assert is_percentage(value) is valid


# --- add_cut -------------------------------------------------------------------------------

def test_a_cut_of_a_new_date_is_added_at_the_end_without_touching_the_rows_given():
    history = [ABRIL]
    rows = add_cut(history, HOY, {"avance_fisico": "60", "otro": "x"}, "Colado de losa")
    assert rows == [ABRIL, {"fecha": "2025-07-15", "avance_fisico": "60", "nota": "Colado de losa"}]
    assert history == [ABRIL]


def test_a_cut_of_a_recorded_date_changes_that_row_and_keeps_its_note():
    rows = add_cut([ABRIL, JUNIO], datetime.date(2025, 6, 30), {"avance_financiero": "35"})
    assert rows[1] == {**JUNIO, "avance_financiero": "35"}
    assert len(rows) == 2
    assert add_cut(rows, datetime.date(2025, 6, 30), {}, "Corregido")[1]["nota"] == "Corregido"


# --- reconcile: the write of an obra --------------------------------------------------------

def test_a_new_obra_with_only_the_headline_gets_it_as_its_first_cut():
    saved = reconcile({"title": "Obra", "avance_fisico": "45", "avance_financiero": "30"}, HOY)
    assert saved["historial_avance"] == [
        {"fecha": "2025-07-15", "avance_fisico": "45", "avance_financiero": "30"}]
    assert (saved["avance_fisico"], saved["avance_financiero"]) == ("45", "30")
    assert saved["title"] == "Obra"


def test_a_new_obra_whose_headline_is_its_latest_cut_gets_no_extra_cut():
    saved = reconcile({"avance_fisico": "45", "avance_financiero": "30.5",
                       "historial_avance": [JUNIO, ABRIL, MAYO]}, HOY)
    assert saved["historial_avance"] == [JUNIO, ABRIL, MAYO]
    assert saved["avance_fisico"] == "45"


def test_a_new_obra_whose_headline_is_ahead_of_its_history_gets_a_cut_dated_today():
    saved = reconcile({"avance_fisico": "60", "avance_financiero": "40",
                       "historial_avance": [ABRIL, MAYO]}, HOY)
    assert saved["historial_avance"][-1] == {"fecha": "2025-07-15", "avance_fisico": "60",
                                             "avance_financiero": "40"}
    assert (saved["avance_fisico"], saved["avance_financiero"]) == ("60", "40")


def test_without_headline_nor_history_there_is_no_progress():
    saved = reconcile({"title": "Obra en planeación", "avance_fisico": ""}, HOY)
    assert "avance_fisico" not in saved and "avance_financiero" not in saved
    assert "historial_avance" not in saved


def test_a_history_without_headline_gives_the_headline():
    saved = reconcile({"historial_avance": [ABRIL, MAYO]}, HOY, stored={})
    assert (saved["avance_fisico"], saved["avance_financiero"]) == ("25", "20")


def test_a_patch_of_the_history_moves_the_headline_the_stored_one_only_rides_along():
    stored = {"avance_fisico": "45", "avance_financiero": "30.5"}
    julio = {"fecha": "2025-07-10", "avance_fisico": "55", "avance_financiero": "40"}
    # package_patch sends the stored headline back together with the new history
    saved = reconcile({**stored, "historial_avance": [ABRIL, JUNIO, julio]}, HOY, stored)
    assert saved["historial_avance"] == [ABRIL, JUNIO, julio]
    assert (saved["avance_fisico"], saved["avance_financiero"]) == ("55", "40")


def test_a_new_headline_on_an_update_becomes_a_cut_dated_today():
    stored = {"avance_fisico": "45", "avance_financiero": "30.5"}
    saved = reconcile({"avance_fisico": "50", "avance_financiero": "30.5",
                       "historial_avance": [ABRIL, JUNIO]}, HOY, stored)
    assert saved["historial_avance"][-1] == {"fecha": "2025-07-15", "avance_fisico": "50"}
    assert (saved["avance_fisico"], saved["avance_financiero"]) == ("50", "30.5")


def test_a_second_new_headline_the_same_day_changes_that_days_cut():
    stored = {"avance_fisico": "50"}
    hoy = {"fecha": "2025-07-15", "avance_fisico": "50", "nota": "Mañana"}
    saved = reconcile({"avance_fisico": "52", "historial_avance": [ABRIL, hoy]}, HOY, stored)
    assert saved["historial_avance"] == [ABRIL, {**hoy, "avance_fisico": "52"}]


def test_a_stale_headline_yields_to_the_history():
    # the obra of the issue: 46 % at the top and 45 % in its latest cut
    stored = {"avance_fisico": "46", "avance_financiero": "30.5"}
    saved = reconcile({**stored, "historial_avance": [ABRIL, JUNIO]}, HOY, stored)
    assert saved["avance_fisico"] == "45"
    assert len(saved["historial_avance"]) == 2


def test_a_form_without_headline_keeps_the_history_s():
    # the staff form has no headline inputs: the figures come from the rows it sends
    saved = reconcile({"title": "Obra", "historial_avance": [ABRIL, MAYO]}, HOY,
                      {"avance_fisico": "25", "avance_financiero": "20"})
    assert (saved["avance_fisico"], saved["avance_financiero"]) == ("25", "20")


def test_a_headline_recorded_before_the_rule_becomes_the_first_cut_when_the_obra_is_saved():
    before = datetime.date(2025, 3, 2)
    saved = reconcile({"title": "Obra"}, HOY, {"avance_fisico": "35", "avance_financiero": None},
                      stored_day=before)
    assert saved["historial_avance"] == [{"fecha": "2025-03-02", "avance_fisico": "35"}]
    assert saved["avance_fisico"] == "35" and "avance_financiero" not in saved


def test_a_new_figure_on_an_obra_with_an_old_headline_keeps_the_other_figure():
    before = datetime.date(2025, 3, 2)
    stored = {"avance_fisico": "35", "avance_financiero": "20"}
    saved = reconcile({**stored, "avance_fisico": "50"}, HOY, stored, before)
    assert saved["historial_avance"] == [
        {"fecha": "2025-03-02", "avance_fisico": "35", "avance_financiero": "20"},
        {"fecha": "2025-07-15", "avance_fisico": "50"}]
    assert (saved["avance_fisico"], saved["avance_financiero"]) == ("50", "20")


@pytest.mark.parametrize("bad", ["120", "-3", "cuarenta"])
def test_a_headline_that_is_no_percentage_is_left_for_the_validator(bad):
    data = {"avance_fisico": bad, "historial_avance": [ABRIL]}
    assert reconcile(data, HOY) == data
    assert reconcile(data, HOY, {"avance_fisico": "10"}) == data


def test_numbers_and_text_of_the_same_figure_are_one_figure():
    saved = reconcile({"avance_fisico": 45, "historial_avance": [
        {"fecha": "2025-06-30", "avance_fisico": "45.0"}]}, HOY)
    assert len(saved["historial_avance"]) == 1


def test_the_data_given_is_not_changed():
    data = {"avance_fisico": "60", "historial_avance": [dict(ABRIL)]}
    reconcile(data, HOY)
    assert data == {"avance_fisico": "60", "historial_avance": [ABRIL]}
