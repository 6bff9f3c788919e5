"""Excel workbooks (.xlsx), the format the offices keep their 台账 in, written with XlsxWriter.

Every sheet has the same look: a bold header row that stays in view and is printed again on every page,
the given column widths, landscape A4 pages one page wide, dates as real Excel dates shown in Chinese.
Every text is written as a text cell (write_string), never read as a formula or a link ("=…" stays "=…").

Constant-memory mode: each row goes to the sheet's file as it is appended, so a 100,000-row ledger never
sits in memory. XlsxWriter stamps the package's parts with a fixed time and writes ``created`` as both
the creation and the modification time, so the same content and ``created`` give the same bytes.
"""

import datetime
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.utils import timezone

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
FONT = {"font_name": "宋体", "font_size": 11}
A4 = 9  # XlsxWriter's paper code
SHEET_TITLE_LENGTH = 31  # Excel's limit


class Sheet:
    """One worksheet: the header row is written when it is made, then ``append`` writes rows in order."""

    def __init__(self, book: "Book", title: str, header: list[str], widths: list[float]):
        self.ws = book.xlsx.add_worksheet(title[:SHEET_TITLE_LENGTH])
        for column, width in enumerate(widths):
            self.ws.set_column(column, column, width)
        self.ws.freeze_panes(1, 0)
        self.ws.repeat_rows(0)
        self.ws.set_landscape()
        self.ws.set_paper(A4)
        self.ws.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
        self.date, self.datetime = book.date, book.datetime
        for column, text in enumerate(header):
            self.ws.write_string(0, column, text, book.bold)
        self.next_row = 1

    def append(self, values: Iterable) -> None:
        """A row of Python values: texts, numbers, dates and datetimes (aware ones in local time); None is
        an empty cell."""
        ws, row = self.ws, self.next_row
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                ws.write_string(row, column, value)
            elif value is None:
                continue
            elif kind is int or kind is float or kind is Decimal:
                ws.write_number(row, column, value)
            elif kind is bool:
                ws.write_boolean(row, column, value)
            elif kind is datetime.datetime:
                if timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
                ws.write_datetime(row, column, value, self.datetime)
            elif kind is datetime.date:
                ws.write_datetime(row, column, value, self.date)
            else:
                ws.write_string(row, column, str(value))
        self.next_row = row + 1

    def extend(self, rows: Iterable[Iterable]) -> None:
        for values in rows:
            self.append(values)


class Book:
    """A workbook written to ``out`` (a path or a binary file) when it is closed; use it as a context."""

    def __init__(self, out: str | IO[bytes], *, title: str = "", author: str = "",
                 created: datetime.datetime | None = None):
        self.xlsx = xlsxwriter.Workbook(out, {"constant_memory": True, "default_format_properties": dict(FONT)})
        properties = {"title": title, "author": author}
        if created is not None:
            properties["created"] = created
        self.xlsx.set_properties(properties)
        self.bold = self.xlsx.add_format({**FONT, "bold": True})
        self.date = self.xlsx.add_format({**FONT, "num_format": DATE_FORMAT})
        self.datetime = self.xlsx.add_format({**FONT, "num_format": DATETIME_FORMAT})

    def sheet(self, title: str, header: list[str], widths: list[float]) -> Sheet:
        return Sheet(self, title, header, widths)

    def close(self) -> None:
        self.xlsx.close()

    def __enter__(self) -> "Book":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def one_sheet_file(title: str, header: list[str], widths: list[float],
                   rows: Iterable[Iterable]) -> tempfile.SpooledTemporaryFile:
    """A one-sheet workbook of ``rows`` (streamed, see the module docstring), ready to be sent."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with Book(out) as book:
        book.sheet(title, header, widths).extend(rows)
    out.seek(0)
    return out
