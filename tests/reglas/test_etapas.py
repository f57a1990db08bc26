"""The stage of an obra worked out from its own data (etapas.estimate): one case per step of the
documented rule, and the order between them."""
from __future__ import annotations

import datetime

import pytest

from ckanext.hueyapan.reglas.etapas import estimate

TODAY = datetime.date(2026, 6, 15)


@pytest.mark.parametrize("obra, stage", [
    ({}, "planeacion"),
    ({"fecha_inicio": "2026-09-01"}, "planeacion"),
    ({"contrato_numero": "EJEMPLO-CONT-1"}, "contratacion"),
    ({"monto_contratado": "1000.00", "fecha_inicio": "2026-09-01"}, "contratacion"),
    ({"contratista_rfc": "CES120315AB7", "avance_fisico": "0", "fecha_inicio": "2026-01-10"},
     "contratacion"),
    ({"avance_fisico": "0", "fecha_inicio": "2026-01-10"}, "planeacion"),
    ({"fecha_inicio": "2026-01-10"}, "ejecucion"),
    ({"fecha_inicio": "2026-06-15"}, "ejecucion"),
    ({"avance_fisico": "12.5"}, "ejecucion"),
    ({"avance_fisico": "100"}, "concluida"),
    ({"fecha_termino_real": "2026-05-30", "avance_fisico": "80"}, "concluida"),
    ({"fecha_termino_real": "2026-07-30", "avance_fisico": "80"}, "ejecucion"),
    ({"monto_final": "1287300.00", "avance_fisico": "60"}, "finiquitada"),
    ({"monto_final": "0", "avance_fisico": "60"}, "ejecucion"),
])
def test_each_step_of_the_rule(obra, stage):
    assert estimate(obra, TODAY) == stage


def test_progress_outranks_dates_and_unreadable_values_count_as_missing():
    started = {"fecha_inicio": "2025-01-01", "fecha_termino_programada": "2025-06-30"}
    assert estimate({**started, "avance_fisico": "35"}, TODAY) == "ejecucion"
    assert estimate({**started, "avance_fisico": "no es número"}, TODAY) == "ejecucion"
    assert estimate({"fecha_inicio": "31/02/2025"}, TODAY) == "planeacion"
