"""Red flags of an obra, from its own data."""
from __future__ import annotations

import datetime

import pytest

from ckanext.hueyapan.reglas.alertas import DIAS_FINIQUITO, flags

HOY = datetime.date(2026, 6, 30)


def obra(**fields):
    data = {"etapa": "ejecucion", "monto_aprobado": "1000000",
            "consultas": [{"fecha": "2025-02-10"}], "fecha_termino_programada": "2026-09-30"}
    data.update(fields)
    return data


def test_a_clean_obra_has_no_flags():
    assert flags(obra(), HOY) == {"alertas": [], "sobrecosto_pct": None, "retraso_dias": None}


@pytest.mark.parametrize("fields, pct", [
    ({"monto_contratado": "800000", "monto_final": "1000000"}, 25.0),       # final vs contracted
    ({"monto_modificado": "1150000"}, 15.0),                                # modified vs approved
    ({"monto_ejercido": "1000000.00"}, None),                               # equal: no overrun
    ({"monto_final": "$1,234,567.89"}, 23.5),                               # as staff write it
    ({"monto_final": "no es un número"}, None),
])
def test_cost_overrun(fields, pct):
    result = flags(obra(**fields), HOY)
    assert result["sobrecosto_pct"] == pct
    assert ("sobrecosto" in result["alertas"]) is (pct is not None)


@pytest.mark.parametrize("fields, days", [
    ({"fecha_termino_programada": "2026-06-01"}, 29),                        # open: until today
    ({"etapa": "concluida", "fecha_termino_programada": "2026-03-01",
      "fecha_termino_real": "2026-03-31"}, 30),                              # ended late
    ({"etapa": "concluida", "fecha_termino_programada": "2026-03-01",
      "fecha_termino_real": "2026-02-20"}, None),                            # ended early
    ({"etapa": "concluida", "fecha_termino_programada": "2026-03-01"}, None),  # ended, no date
    ({"etapa": "cancelada", "fecha_termino_programada": "2026-01-01"}, None),
])
def test_schedule_overrun(fields, days):
    result = flags(obra(**fields), HOY)
    assert result["retraso_dias"] == days
    assert ("retraso" in result["alertas"]) is (days is not None)


def test_direct_award_and_missing_consultation():
    result = flags(obra(modalidad_contratacion="adjudicacion_directa", consultas=[]), HOY)
    assert result["alertas"] == ["adjudicacion_directa", "sin_consulta"]
    assert "sin_consulta" not in flags(obra(etapa="planeacion", consultas=[]), HOY)["alertas"]


def test_no_close_out_long_after_the_end():
    late = (HOY - datetime.timedelta(days=DIAS_FINIQUITO + 1)).isoformat()
    assert "sin_finiquito" in flags(obra(etapa="concluida", fecha_termino_programada=late,
                                         fecha_termino_real=late), HOY)["alertas"]
    assert "sin_finiquito" not in flags(obra(etapa="finiquitada", fecha_termino_programada=late,
                                             fecha_termino_real=late), HOY)["alertas"]
    recent = (HOY - datetime.timedelta(days=DIAS_FINIQUITO - 1)).isoformat()
    assert "sin_finiquito" not in flags(obra(etapa="concluida", fecha_termino_programada=recent,
                                             fecha_termino_real=recent), HOY)["alertas"]
