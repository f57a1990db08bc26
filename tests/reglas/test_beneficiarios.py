"""The people a programa social reaches in one community are counted once
(``reglas/beneficiarios.py``): a row's total is women plus men unless it records more."""
from __future__ import annotations

import pytest

from ckanext.hueyapan.reglas.beneficiarios import count, smallest_total, total_of


@pytest.mark.parametrize("value, number", [
    ("12", 12), (12, 12), ("1,200", 1200), (" 7 ", 7), ("0", 0),
    ("", None), (None, None), ("doce", None), ("-3", None), (-3, None), ("4.5", None),
    (True, None),
])
def test_a_count_of_people(value, number):
    assert count(value) == number


@pytest.mark.parametrize("mujeres, hombres, total, expected", [
    ("64", "60", "", 124),      # worked out
    ("64", "60", None, 124),
    ("64", "60", "130", 130),   # six people without a recorded sex
    ("64", "", "", None),       # one of them only: not worked out
    ("", "", "90", 90),         # only a total
    ("", "", "", None),
])
def test_the_total_of_a_row(mujeres, hombres, total, expected):
    assert total_of(mujeres, hombres, total) == expected


def test_the_least_total_is_women_plus_men():
    assert smallest_total("64", "60") == 124
    assert smallest_total("64", "") == 64
    assert smallest_total(None, None) == 0
