"""The progress of an obra, written once: its headline figures come from its history.

An obra has a history of progress reports (``historial_avance``: one row per cut, each with its
``fecha``, ``avance_fisico``, ``avance_financiero`` and ``nota``) and two headline figures
(``avance_fisico``, ``avance_financiero``) that the page, the search, the exports, OC4IDS, the
red flags and the estimated stage read. The history is the single truth; :func:`reconcile`, run
on every write of an obra (``package_create`` and ``package_update``, and so ``package_patch``,
``package_revise``, the staff forms, the harvest and the example data: ``logic/chained.py``),
keeps the headline equal to it:

1. **The headline is the latest cut**: for each measure, the value of the latest row (by
   ``fecha``; on the same date, the later row of the list) that records it. A history without
   rows gives no headline.
2. **A new headline becomes a cut.** A write that brings a headline figure the stored obra does
   not have (an API client, a spreadsheet that only has the headline columns) and that the
   latest cut does not already say is recorded as a cut dated ``day`` (the day of the request or
   of the harvest, in Mexico City): the values of the row already dated that day change, or a row
   is added. A headline equal to the stored one is only carried along (``package_patch`` and the
   harvest send the stored obra back) and never makes a row.
3. **A headline is never lost.** When the history has no rows and the stored obra had a headline
   (recorded before this rule), that headline becomes the first cut, dated the day the obra was
   last changed.

A headline figure that is not a percentage from 0 to 100 is left as it came, so that the
schema's validator refuses it with its message on that field. Rows without a readable date
count for no headline (the schema refuses them too).
"""
from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ckanext.hueyapan.comun.cantidades import fecha, lista

__all__ = ["HISTORY", "MEASURES", "add_cut", "headline", "is_percentage", "latest_cut",
           "reconcile", "same_value"]

HISTORY = "historial_avance"
MEASURES: tuple[str, ...] = ("avance_fisico", "avance_financiero")
"""The headline figures, named as the history's columns."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Decimal | None:
    if _blank(value) or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def is_percentage(value: Any) -> bool:
    """Whether ``value`` reads as a percentage from 0 to 100 ("45", "45.5", "45%", 45)."""
    number = _number(value)
    return number is not None and 0 <= number <= 100


def same_value(one: Any, other: Any) -> bool:
    """Whether two figures are the same percentage ("45" and 45.0), or the same text when either
    is not a number; two blanks are the same."""
    if _blank(one) or _blank(other):
        return _blank(one) and _blank(other)
    first, second = _number(one), _number(other)
    if first is not None and second is not None:
        return first == second
    return str(one).strip() == str(other).strip()


def _rows(history: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in lista(history) if isinstance(row, dict)]


def _by_date(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with a readable date, oldest first (rows of one date in their list order)."""
    dated = [(day, number, row) for number, row in enumerate(rows)
             if (day := fecha(row.get("fecha"))) is not None]
    return [row for _day, _number, row in sorted(dated, key=lambda item: item[:2])]


def latest_cut(history: Any) -> dict[str, Any] | None:
    """The latest row of a history (by ``fecha``; on one date, the later one of the list)."""
    ordered = _by_date(_rows(history))
    return ordered[-1] if ordered else None


def headline(history: Any) -> dict[str, Any]:
    """The headline figures a history gives: for each measure of :data:`MEASURES`, the value of
    the latest row that records it. A measure no row records is absent."""
    ordered = _by_date(_rows(history))
    figures: dict[str, Any] = {}
    for measure in MEASURES:
        for row in reversed(ordered):
            if not _blank(row.get(measure)):
                figures[measure] = row[measure]
                break
    return figures


def add_cut(history: Any, day: datetime.date, values: Mapping[str, Any],
            nota: str | None = None) -> list[dict[str, Any]]:
    """The history with the cut of ``day``: the ``values`` (some of :data:`MEASURES`) and the
    ``nota`` written on the row already dated ``day`` (the last one, if several), or on a new row
    at the end. A new list: the rows given are not changed."""
    rows = _rows(history)
    changes: dict[str, Any] = {measure: values[measure] for measure in MEASURES
                               if measure in values}
    if nota:
        changes["nota"] = nota
    for row in reversed(rows):
        if fecha(row.get("fecha")) == day:
            row.update(changes)
            return rows
    rows.append({"fecha": day.isoformat(), **changes})
    return rows


def reconcile(obra: Mapping[str, Any], day: datetime.date,
              stored: Mapping[str, Any] | None = None,
              stored_day: datetime.date | None = None) -> dict[str, Any]:
    """An obra's data as it must be saved: its history with any new headline recorded as a cut,
    and its headline figures taken from that history (the rules are the module's).

    :param obra: the data of the write (``package_create`` or ``package_update``); not changed.
    :param day: the date of a cut made from a new headline (today in Mexico City).
    :param stored: the stored obra's headline figures (keys of :data:`MEASURES`), or None when
        the obra is being created.
    :param stored_day: the day the stored obra was last changed: the date of the cut that keeps
        its headline when it has no history (``day`` when not given).
    :returns: a new dict: ``obra`` with ``historial_avance`` and the headline figures set (a
        figure with no value is left out).
    """
    given = {measure: obra[measure] for measure in MEASURES if not _blank(obra.get(measure))}
    new = {measure: value for measure, value in given.items()
           if stored is None or not same_value(value, stored.get(measure))}
    if not all(is_percentage(value) for value in new.values()):
        return dict(obra)  # the schema's validator refuses it, on the headline field
    rows = _rows(obra.get(HISTORY))
    if not rows and stored:
        kept = {measure: stored[measure] for measure in MEASURES
                if is_percentage(stored.get(measure))}
        if kept:
            rows = add_cut(rows, stored_day or day, kept)
    current = headline(rows)
    if any(not same_value(value, current.get(measure)) for measure, value in new.items()):
        rows = add_cut(rows, day, new)
    result = dict(obra)
    if rows or HISTORY in obra:
        result[HISTORY] = rows
    figures = headline(rows)
    for measure in MEASURES:
        if measure in figures:
            result[measure] = figures[measure]
        else:
            result.pop(measure, None)
    return result
