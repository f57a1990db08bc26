"""The people a programa social reaches in one community, counted once: the row's total.

A row of ``beneficiarios`` (``schemas/programa_social.yaml``) has ``mujeres``, ``hombres`` and
``total``. The total is women plus men, unless it records more people than that (people whose
sex was not recorded; the page shows them apart): so

* a row with women and men and no total gets their sum as its total (:func:`total_of`), on
  every write (the schema's validator ``hueyapan_total_beneficiarios`` and the page "Actualizar
  beneficiarios");
* a total smaller than women plus men is refused (:func:`smallest_total` says the least it may
  be), because some of those people would be counted nowhere.
"""
from __future__ import annotations

from typing import Any

__all__ = ["count", "smallest_total", "total_of"]


def count(value: Any) -> int | None:
    """A number of people (0 or more) from "1,200", "12" or 12; None when blank or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip().replace(",", "")
    return int(text) if text.isdigit() else None


def smallest_total(mujeres: Any, hombres: Any) -> int:
    """The least total a row may record: its women plus its men (those it gives)."""
    return (count(mujeres) or 0) + (count(hombres) or 0)


def total_of(mujeres: Any, hombres: Any, total: Any) -> int | None:
    """The row's total: the one recorded, or women plus men when none is recorded and both are
    given; None when neither can be told."""
    recorded = count(total)
    if recorded is not None:
        return recorded
    women, men = count(mujeres), count(hombres)
    return women + men if women is not None and men is not None else None
