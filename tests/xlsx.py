"""Reading the app's workbooks in tests: a sheet's table is its header row and rows, without the title row
above them and the 合计 row and the note below (tracker.xlsx lays every sheet out so)."""

import io

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from tracker.xlsx import TOTAL_LABEL


def book(data: bytes, data_only: bool = False) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def table(ws: Worksheet) -> list[list]:
    """The header row, then the rows above the 合计 row (合计, 合计（共4个单位）) or, in a sheet without
    totals, above the blank row before the note."""
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    for end, row in enumerate(rows):
        if str(row[0]).startswith(TOTAL_LABEL) or (end and not any(v is not None for v in row)):
            return rows[:end]
    return rows


def total_row(ws: Worksheet) -> list:
    return next(list(r) for r in ws.iter_rows(min_row=2, values_only=True) if str(r[0]).startswith(TOTAL_LABEL))
