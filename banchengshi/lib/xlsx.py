"""Cells of our spreadsheets hold what people typed as text, never as a formula.

A reporter who writes `=HYPERLINK("http://…","点此")`, `+1+1`, `-2+3` or `@SUM(A1)` as a business name must
not get a live formula into the ledger an officer opens in Excel or WPS (CSV/formula injection). openpyxl
treats a string starting with "=" as a formula; here every string is written as a string cell, and one
that starts with a character a spreadsheet reads as a formula also gets the quote prefix (Excel's leading
apostrophe), so editing the cell later does not turn it into one either. Characters XML cannot hold
(control characters) are dropped, and a text longer than a cell holds is cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl (9 MB) is imported by the functions that write a workbook, not at start-up
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

# What XML 1.0 cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE, the same pattern (lib/tests check they agree).
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CELL_LIMIT = 32767  # Excel "repairs" (empties) a file with a longer cell


def clean(value: str) -> str:
    """What a cell may hold of a text: no control characters, at most CELL_LIMIT characters."""
    return ILLEGAL_CHARACTERS.sub("", value)[:CELL_LIMIT]


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    cell: Cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = clean(value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def append(sheet: Worksheet, values: Iterable[Any]) -> None:
    """sheet.append, with each text put as above."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value)
