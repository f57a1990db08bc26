"""Spreadsheets built in memory for the tests (privacy guard, tabular harvester)."""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook

__all__ = ["xlsx_bytes"]


def xlsx_bytes(sheets: Mapping[str, Sequence[Sequence[object]]],
               formats: dict[str, str] | None = None, hidden: tuple[str, ...] = ()) -> bytes:
    """A workbook with one sheet per entry; ``formats`` maps "Sheet!B3" to a number format."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook has
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
        if title in hidden:
            worksheet.sheet_state = "hidden"
    for where, number_format in (formats or {}).items():
        sheet, cell = where.split("!")
        workbook[sheet][cell].number_format = number_format
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
