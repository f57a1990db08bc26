"""Reading the amounts, numbers and dates stored on datasets, leniently: a value that cannot be
read is None (the figures, exports and red flags skip it), never an error."""
from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["fecha", "lista", "monto", "numero", "porcentaje"]


def monto(value: Any) -> Decimal | None:
    """A non-negative amount of pesos ("1234567.89", "$1,234,567.89"), or None."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def numero(value: Any) -> float | None:
    """A number from a stored amount, percentage ("45%") or count, or None."""
    try:
        return float(str(value).replace(",", "").replace("$", "").rstrip("%").strip())
    except (TypeError, ValueError):
        return None


def fecha(value: Any) -> datetime.date | None:
    """The date of a stored ISO 8601 date or date-time, or None."""
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def lista(value: Any) -> list[Any]:
    """A stored list or repeating field as a list (it may come as JSON text); a single value as
    a list of one."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    return list(value) if isinstance(value, list) else [value]


def porcentaje(value: Any) -> float | None:
    """A stored percentage ("45", "45.5") as a number from 0 to 100, or None."""
    try:
        number = float(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 100 else None
