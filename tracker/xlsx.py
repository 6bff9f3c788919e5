"""Every table the app exports, in the two formats the offices keep their 台账 in: .xlsx and .csv.

A sheet is what an office would otherwise reformat by hand before printing it: a title row, a bold header
row with filters that stays in view (with the name column when asked) and is printed again on every page,
the columns' widths, long texts wrapped, dates as real dates shown in Chinese, numbers as numbers in their
format, 红黄绿灰 fills (``Filled``, the lights of ``Assignment.light``), a 合计 row whose sums are formulas
(their values stored too) and a note on how the figures are counted; A4, one page wide, landscape when the
columns are wider than a portrait page, page numbers in the footer.

Text is always text (OWASP "CSV injection"): a cell starting with = + - @ tab or CR is written as a string
cell with Excel's quote prefix, so it shows as written and stays text when edited; the .csv writes it behind
a quote. ``formula_like`` is the one test of it.

Constant-memory mode: each row goes to the sheet's file as it is appended, so a 100,000-row ledger never
sits in memory. XlsxWriter stamps the package's parts with a fixed time and writes ``created`` as both
the creation and the modification time, so the same content and ``created`` give the same bytes.
"""

import csv
import datetime
import functools
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, NamedTuple

import xlsxwriter
from django.utils import timezone
from xlsxwriter.utility import xl_rowcol_to_cell

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
INTEGER = "0"
KB = '#,##0.0" KB"'
PERCENT = '0"%"'  # a whole percent stored as the number 0-100, as the screens show it
FONT = {"font_name": "宋体", "font_size": 11}
A4 = 9  # XlsxWriter's paper code
SHEET_TITLE_LENGTH = 31  # Excel's limit
PORTRAIT_WIDTH = 95  # characters of column width that fit a portrait A4 page at a readable scale
LINE_HEIGHT = 14.5  # points per line of 11-point text: the height of a row whose wrapped texts take n lines
# The lights of Assignment.light (tasks.models.Assignment.Light's values), as Excel's soft fills.
LIGHT_FILLS = {"red": "#F4B6B6", "yellow": "#FFE699", "green": "#C6E0B4", "grey": "#E7E6E6"}
HEADER_FILL = "#D9E1F2"
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOTAL_LABEL = "合计"
UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\s]+')  # Windows refuses these in a file's name


def file_name(name: str) -> str:
    """A download's name as every system can save it (提升行政执法质量三年行动计划台账-20240620.xlsx)."""
    return UNSAFE_IN_FILE_NAMES.sub("_", name)


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


@functools.lru_cache(maxsize=4096)  # a ledger repeats its sections, tasks and measures row after row
def text_lines(text: str, width: float) -> int:
    """How many lines a text wraps to in a column ``width`` characters wide (a Chinese character takes two:
    three bytes in UTF-8 to an ASCII character's one, so (characters + bytes) / 2 is the width).

    Written into the row's height: Excel and WPS size a row to its wrapped texts only while editing it, and
    LibreOffice not for a large file, so a sheet that does not say its rows' heights prints each on one line.
    """
    room = max(width - 1, 1)
    return sum(max(1, math.ceil((len(part) + len(part.encode())) / 2 / room)) for part in text.split("\n"))


def kb(size_bytes: int) -> float:
    """A file's size in KB (one decimal), the number the size columns hold."""
    return round(size_bytes / 1024, 1)


class Filled(NamedTuple):
    """A value on its light's fill (``LIGHT_FILLS``); an unknown light is no fill."""

    value: object
    light: str


@dataclass(frozen=True)
class Column:
    """A column: its header, width in characters, the format of its numbers, whether long texts wrap and
    what its 合计 cell holds: ``"sum"`` (a SUM formula over the rows), or a function of the sheet giving the
    value (it reads ``sheet.sums``, the summed columns by header, and ``sheet.rows``, the rows written)."""

    header: str
    width: float
    num_format: str = ""
    wrap: bool = False
    total: "str | Callable[[Sheet], object] | None" = None


class Sheet:
    """One worksheet: the title and header rows are written when it is made, then ``append`` writes rows in
    order; ``Book.close`` ends it with the 合计 row, the note and the filter."""

    def __init__(self, book: "Book", name: str, columns: list[Column], *, title: str = "",
                 note: str | Callable[[], str] = "", freeze_columns: int = 0):
        self.book, self.columns, self.note = book, columns, note
        self.ws = ws = book.xlsx.add_worksheet(name[:SHEET_TITLE_LENGTH])
        self.sums = {c.header: 0 for c in columns if c.total == "sum"}
        self.formats: dict[tuple, object] = {}  # by (column, kind of value, light, quoted, bold)
        self.totals = any(c.total for c in columns)
        last = len(columns) - 1
        for i, c in enumerate(columns):
            ws.set_column(i, i, c.width)
        ws.set_paper(A4)
        if sum(c.width for c in columns) > PORTRAIT_WIDTH:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)  # one page wide, as many pages long as it takes
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        row = 0
        if title:
            ws.set_row(0, 28)
            if last:
                ws.merge_range(0, 0, 0, last, title, book.format(bold=True, font_size=14, align="center",
                                                                 valign="vcenter"))
            else:
                ws.write_string(0, 0, title, book.format(bold=True, font_size=14))
            row = 1
        self.header_row = row
        header = book.format(bold=True, bg_color=HEADER_FILL, border=1, align="center", valign="vcenter",
                             text_wrap=True)
        self._fit_height(row, [c.header for c in columns], wrap_all=True)
        for i, c in enumerate(columns):
            ws.write_string(row, i, c.header, header)
        ws.freeze_panes(row + 1, freeze_columns)
        ws.repeat_rows(row)
        self.next_row = row + 1

    @property
    def rows(self) -> int:
        return self.next_row - self.header_row - 1

    def _format(self, column: Column | None, kind: str, light: str = "", quoted: bool = False,
                bold: bool = False):
        key = (column, kind, light, quoted, bold)
        fmt = self.formats.get(key)
        if fmt is None:
            fmt = self.formats[key] = self._new_format(column, kind, light, quoted, bold)
        return fmt

    def _new_format(self, column: Column | None, kind: str, light: str, quoted: bool, bold: bool):
        props = {"border": 1, "valign": "top"}
        if bold:
            props.update(bold=True, bg_color=HEADER_FILL)
        if kind == "date":
            props["num_format"] = DATE_FORMAT
        elif kind == "datetime":
            props["num_format"] = DATETIME_FORMAT
        elif kind == "number" and column and column.num_format:
            props["num_format"] = column.num_format
        if column and column.wrap:
            props["text_wrap"] = True
        if light in LIGHT_FILLS:
            props["bg_color"] = LIGHT_FILLS[light]
        if quoted:
            props["quote_prefix"] = True
        return self.book.format(**props)

    def _write(self, row: int, i: int, value, light: str = "", bold: bool = False) -> None:
        ws = self.ws
        column = self.columns[i] if i < len(self.columns) else None
        kind = type(value)
        if kind is Filled:
            self._write(row, i, value.value, value.light, bold)
        elif value is None:
            if light or bold:
                ws.write_blank(row, i, None, self._format(column, "text", light, bold=bold))
        elif kind is int or kind is float or kind is Decimal:
            ws.write_number(row, i, value, self._format(column, "number", light, bold=bold))
            if not bold and column is not None and column.header in self.sums:
                self.sums[column.header] += value
        elif kind is bool:
            ws.write_boolean(row, i, value, self._format(column, "text", light, bold=bold))
        elif kind is datetime.datetime:
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            ws.write_datetime(row, i, value, self._format(column, "datetime", light, bold=bold))
        elif kind is datetime.date:
            ws.write_datetime(row, i, value, self._format(column, "date", light, bold=bold))
        else:
            text = value if kind is str else str(value)
            ws.write_string(row, i, text, self._format(column, "text", light, formula_like(text), bold))

    def _fit_height(self, row: int, values: list, wrap_all: bool = False) -> None:
        """Make the row as tall as its longest wrapped text (see ``text_lines``)."""
        lines = 1
        for value, c in zip(values, self.columns, strict=False):
            if type(value) is Filled:
                value = value.value
            if type(value) is str and (wrap_all or c.wrap):
                lines = max(lines, text_lines(value, c.width))
        if lines > 1:
            self.ws.set_row(row, LINE_HEIGHT * lines)

    def append(self, values: Iterable) -> None:
        """A row of Python values: texts, numbers, dates and datetimes (aware ones in local time), each
        maybe ``Filled``; None is an empty cell."""
        row = self.next_row
        values = list(values)
        self._fit_height(row, values)
        for i, value in enumerate(values):
            self._write(row, i, value)
        self.next_row = row + 1

    def extend(self, rows: Iterable[Iterable]) -> None:
        for values in rows:
            self.append(values)

    def close(self) -> None:
        """The filter over the header and the rows, then the 合计 row and the note below them."""
        ws, first, last_row = self.ws, self.header_row + 1, self.next_row - 1
        last_col = len(self.columns) - 1
        ws.autofilter(self.header_row, 0, max(last_row, self.header_row), last_col)
        row = self.next_row
        note = self.note() if callable(self.note) else self.note
        if self.totals:
            values = [c.total(self) if callable(c.total) else None for c in self.columns]
            if not callable(self.columns[0].total):
                values[0] = TOTAL_LABEL
            self._fit_height(row, values)
            for i, c in enumerate(self.columns):
                if c.total == "sum":
                    span = f"{xl_rowcol_to_cell(first, i)}:{xl_rowcol_to_cell(max(last_row, first), i)}"
                    ws.write_formula(row, i, f"=SUM({span})", self._format(c, "number", bold=True),
                                     self.sums[c.header])
                else:
                    self._write(row, i, values[i], bold=True)
            row += 1
        if note:
            ws.set_row(row + 1, LINE_HEIGHT * text_lines(note, sum(c.width for c in self.columns)))
            wrap = self.book.format(text_wrap=True, valign="top", font_size=10)
            if last_col:
                ws.merge_range(row + 1, 0, row + 1, last_col, note, wrap)
            else:
                ws.write_string(row + 1, 0, note, wrap)


class Book:
    """A workbook written to ``out`` (a path or a binary file) when it is closed; use it as a context."""

    def __init__(self, out: str | IO[bytes], *, title: str = "", author: str = "",
                 created: datetime.datetime | None = None):
        self.xlsx = xlsxwriter.Workbook(out, {"constant_memory": True, "default_format_properties": dict(FONT)})
        properties = {"title": title, "author": author}
        if created is not None:
            properties["created"] = created
        self.xlsx.set_properties(properties)
        self.sheets: list[Sheet] = []
        self.formats: dict[tuple, object] = {}

    def format(self, **props):
        """One XlsxWriter format per set of properties, made once."""
        key = tuple(sorted(props.items()))
        fmt = self.formats.get(key)
        if fmt is None:
            fmt = self.formats[key] = self.xlsx.add_format({**FONT, **props})
        return fmt

    def sheet(self, name: str, columns: list[Column], **options) -> Sheet:
        sheet = Sheet(self, name, columns, **options)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.close()
        self.xlsx.close()

    def __enter__(self) -> "Book":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def one_sheet_file(name: str, columns: list[Column], rows: Iterable[Iterable],
                   **options) -> tempfile.SpooledTemporaryFile:
    """A one-sheet workbook of ``rows`` (streamed, see the module docstring), ready to be sent; ``options``
    as ``Book.sheet`` takes them (a callable note is called after the rows, so it can count them)."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with Book(out) as book:
        book.sheet(name, columns, **options).extend(rows)
    out.seek(0)
    return out


# --- .csv ---

class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_value(value):
    """A cell of a .csv: dates as YYYY-MM-DD (which Excel reads as dates), formula-like text behind a quote
    (shown as text, as OWASP recommends); numbers stay numbers."""
    if isinstance(value, Filled):
        value = value.value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return "" if value is None else value


def csv_lines(headers: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """UTF-8 with a BOM so Excel reads the Chinese."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow([csv_value(h) for h in headers]).encode()
    for row in rows:
        yield writer.writerow([csv_value(v) for v in row]).encode()
