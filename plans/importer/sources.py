"""Reading a plan from a file: plain text (UTF-8 or GB18030/GBK), .docx, .xlsx, tab-separated tables.

parse_file(path) looks at the bytes, not the name, to decide what the file is; the name only helps
to word the error for a damaged .docx/.xlsx or an old Office file, and gives the title of last resort.
Prose goes to parse_text, task tables to parse_rows. Anything it cannot read ends in PlanImportError
with one Chinese sentence.

Every reader turns its file into the same thing: numbered lines of prose and tables of cell texts,
where a table row takes one line (a .docx paragraph and a table row each count one line, as they would
in a copy of the document as text; an .xlsx row is its sheet row). So one plan gives the same dict from
every kind of file except for "source", which by design says where it came from:
{"format": "txt" | "docx" | "xlsx" | "tsv", "table": null | "第2个表格（工作表“任务分工”，共18行）"}.
"""

from __future__ import annotations

import codecs
import datetime
import logging
import re
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import filetype

from .encoding import decode_text
from .errors import PlanImportError
from .tables import SECTION_HEADING, cn_numeral, find_header, parse_rows
from .text import parse_text

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_SHEET_ROWS = 5000
MAX_SHEET_COLUMNS = 60  # also the widest span a Word table cell is read with
# A document with this many lines of prose besides its task table may hold its tasks in prose too.
PROSE_LINES_FOR_TASKS = 10
MAX_QUOTED_LINES = 50  # lines one quoted cell of tab-separated text may run over
KEY_ORDER = ("title", "issuer", "issued_on", "ends_on", "source", "sections", "tasks", "warnings")

NOT_DOCX = "文件不是有效的 Word（.docx）文档"
NOT_XLSX = "文件不是有效的 Excel（.xlsx）工作簿"
_IMAGES = [
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
]
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SUB_POINT = re.compile(r"\s*(?:\d{1,2}\s*[.．、](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])")
_SEQ_CELL = re.compile(r"\s*\d{1,3}\s*[.．、]?\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<html)|^MIME-Version:", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass
class _Table:
    rows: list[list[str]]
    lines: list[int]  # the line (sheet row) of each row
    merged: set[tuple[int, int]] = field(default_factory=set)
    detail: str | None = None


@dataclass
class _Document:
    format: str  # "txt", "docx" or "xlsx"; a text that is a task table reports "tsv"
    text: str = ""  # the prose, one paragraph a line, as parse_text reads it
    paragraphs: list[tuple[int, str]] = field(default_factory=list)  # (line, text) outside tables
    tables: list[_Table] = field(default_factory=list)


def parse_file(path: str | Path, *, name: str | None = None) -> dict:
    """The importer's dict for the plan in a file.

    name: the file's original name when path is a temporary copy (an upload); it gives the
    extension for old Office files and the title when the document names none.
    """
    return read_plan(path, name=name)[0]


def read_plan(path: str | Path, *, name: str | None = None) -> tuple[dict, str]:
    """The importer's dict and the document's text as kept with the plan (paragraphs and table rows,
    cells joined by tabs, in document order)."""
    path = Path(path)
    name = name or path.name
    try:
        document = _open(_read_bytes(path), path, name)
        return _parse(document, Path(name).stem), _plain_text(document)
    except PlanImportError:
        raise
    except Exception as error:  # a reader library choking on a damaged file must not become a traceback
        log.exception("import of %s failed", name)
        raise PlanImportError(f"文件无法解析（{error.__class__.__name__}）：请另存为 .docx 或 .txt 后重试") from error


def read_plan_for_import(path: str | Path, *, name: str | None = None) -> tuple[dict, str]:
    """read_plan, then every measure read as the plan means it (obligations.read_obligations: kinds, owners,
    leads, targets, requirements) against the unit directory in the database. The import command and the
    upload preview both read a plan through here, so what they show is what the writer is given."""
    from .obligations import Directory, read_obligations

    data, text = read_plan(path, name=name)
    return read_obligations(data, Directory.from_db()), text


def _plain_text(document: _Document) -> str:
    if document.format == "txt":
        return document.text
    lines = list(document.paragraphs)
    lines += [(line, "\t".join(row)) for table in document.tables for line, row in zip(table.lines, table.rows, strict=True)]
    return "\n".join(text for _, text in sorted(lines, key=lambda item: item[0]))


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PlanImportError(f"文件太大（{size // (1024 * 1024)}MB），最大 {MAX_BYTES // (1024 * 1024)}MB")
        return path.read_bytes()
    except FileNotFoundError as error:
        raise PlanImportError(f"找不到文件：{path}") from error
    except IsADirectoryError as error:
        raise PlanImportError(f"这是一个文件夹，不是文件：{path}") from error
    except OSError as error:
        raise PlanImportError(f"无法读取文件：{error.strerror or error}") from error


def _open(data: bytes, path: Path, name: str) -> _Document:
    suffix = Path(name).suffix.lower()
    if not data.strip():
        raise PlanImportError("文件是空的")
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            raise PlanImportError(f"这是一个图片文件（{kind}），不是方案文本")
    if data.startswith(b"%PDF-"):
        raise PlanImportError("这是一个 PDF 文件，不能直接导入：请把原文另存为 .docx 或 .txt 后再导入")
    if data.startswith(_OLE):
        raise PlanImportError(_old_office(data, suffix))
    if data.startswith(b"{\\rtf"):
        raise PlanImportError("这是 RTF 格式的文件：请在 Word 或 WPS 中另存为 .docx 后再导入")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _open_zip(path, suffix)
    if suffix == ".docx":
        raise PlanImportError(NOT_DOCX)
    if suffix in (".xlsx", ".xlsm"):
        raise PlanImportError(NOT_XLSX)
    if _HTML.match(data[:1024]):
        raise PlanImportError("这是网页（HTML）格式的文件：请在 Word 或 WPS 中另存为 .docx 后再导入")
    return _text_document(_decode(data))


def _old_office(data: bytes, suffix: str) -> str:
    head = data[:1 << 16]
    if suffix in (".xls", ".et") or "Workbook".encode("utf-16-le") in head:
        return "这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后再导入"
    if suffix == ".wps":
        return "这是 WPS 文字（.wps）文件：请在 WPS 中另存为 .docx 后再导入"
    return "这是旧版 Word（.doc）文件：请在 Word 或 WPS 中另存为 .docx 后再导入"


def _open_zip(path: Path, suffix: str) -> _Document:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        message = NOT_XLSX if suffix in (".xlsx", ".xlsm") else NOT_DOCX if suffix == ".docx" else \
            "文件是损坏的压缩包，无法读取"
        raise PlanImportError(message) from error
    if "word/document.xml" in names:
        return _docx_document(path)
    if "xl/workbook.xml" in names:
        return _xlsx_document(path)
    if suffix == ".docx":
        raise PlanImportError(NOT_DOCX)
    if suffix in (".xlsx", ".xlsm"):
        raise PlanImportError(NOT_XLSX)
    if any(n.startswith("ppt/") for n in names):
        raise PlanImportError("这是 PowerPoint 演示文稿，不能导入：请把方案另存为 .docx、.xlsx 或 .txt")
    raise PlanImportError("这是一个压缩包，不是方案文档：请解压后导入其中的 .docx、.xlsx 或 .txt 文件")


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise PlanImportError("文件的文字编码无法识别：请另存为 UTF-8 或 GBK 编码的文本") from error
    else:
        if b"\x00" in data:
            raise PlanImportError(_binary_message(data))
        text = _decode_8bit(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(_CONTROL.findall(text)) > max(2, len(text) // 200):
        raise PlanImportError(_binary_message(data))
    if not text.strip():
        raise PlanImportError("文件是空的")
    return text


def _decode_8bit(data: bytes) -> str:
    try:
        return decode_text(data)
    except UnicodeDecodeError as error:
        raise PlanImportError(_binary_message(data) if _looks_binary(data) else
                              "文件的文字编码无法识别：请另存为 UTF-8 或 GBK 编码的文本") from error


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 100


def _binary_message(data: bytes) -> str:
    kind = filetype.guess(data[:8192])
    if kind is not None:
        if kind.mime.startswith("image/"):
            return f"这是一个图片文件（{kind.extension.upper()}），不是方案文本"
        return f"这是一个 .{kind.extension} 文件，不是方案文本：请上传 .docx、.xlsx 或 .txt 文件"
    return "这是一个二进制文件，不是方案文本：请上传 .docx、.xlsx 或 .txt 文件"


def _text_document(text: str) -> _Document:
    """Prose, with runs of tab-separated lines read as tables (a table copied out of Word or Excel).

    Excel copies a cell holding line breaks in quotes over several lines; such a row counts as one
    line, as it does in the .xlsx."""
    lines = _logical_lines(text.split("\n"))
    document = _Document(format="txt", text=text)
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if _is_row(lines[i]) and lines[i].strip():
            start = i
            while i < len(lines) and (_is_row(lines[i]) or (i + 1 < len(lines) and _is_row(lines[i + 1]) and (
                    not lines[i].strip() or (SECTION_HEADING.match(lines[i]) and lines[i + 1][:1].isdigit())))):
                i += 1  # a blank line, or a category heading copied from a row merged across the table
            blocks.append((start, i))
        else:
            i += 1
    in_table = {n for start, end in blocks for n in range(start, end)}
    document.paragraphs = [(n + 1, line) for n, line in enumerate(lines) if n not in in_table and line.strip()]
    for start, end in blocks:
        document.tables.append(_Table(
            rows=[[_unquote(cell) for cell in lines[n].split("\t")] for n in range(start, end)],
            lines=list(range(start + 1, end + 1)),
        ))
    return document


def _logical_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if _is_row(line) and _open_quote(line):
            for end in range(i, min(i + MAX_QUOTED_LINES, len(lines))):
                joined = "\n".join([line, *lines[i:end + 1]])
                if not _open_quote(joined):
                    line, i = joined, end + 1
                    break
        elif _is_row(line) and _SUB_POINT.match(line.rsplit("\t", 1)[-1]):
            # A cell of sub-points (1．… 2．…) copied without quotes: its next points are lines of their
            # own, up to the one that goes on with the row's other cells.
            while i < len(lines) and _SUB_POINT.match(lines[i]) and not _SEQ_CELL.fullmatch(lines[i].split("\t")[0]):
                line, i = f"{line}\n{lines[i]}", i + 1
                if _is_row(line.rsplit("\n", 1)[-1]):
                    break
        out.append(line)
    return out


def _open_quote(line: str) -> bool:
    """The last cell opens a quote that the line does not close ("1．甲。 … 2．乙。")."""
    last = line.rsplit("\t", 1)[-1]
    return last.startswith('"') and last.count('"') % 2 == 1


def _is_row(line: str) -> bool:
    """A line of cells: a tab between texts, or empty leading cells; one leading tab only indents."""
    return "\t" in (line[1:] if line.startswith("\t") else line)


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def _docx_document(path: Path) -> _Document:
    try:
        import docx

        word = docx.Document(str(path))
        reader = _WordText(word)
    except Exception as error:
        raise PlanImportError(NOT_DOCX) from error
    lines: list[str] = []
    document = _Document(format="docx")
    table_lines: set[int] = set()
    for block in _body_blocks(word.element.body):
        if block.tag != f"{_W}tbl":
            lines.extend(reader.paragraph(block).split("\n"))
            continue
        rows, merged = _docx_rows(block, reader)
        if all(len({c for c in row if c}) <= 1 for row in rows):
            # A one-column table lays out text: its cells are paragraphs.
            lines.extend(line for row in rows for c in row if c for line in c.split("\n"))
            continue
        start = len(lines)
        document.tables.append(_Table(rows=rows, merged=merged, lines=list(range(start + 1, start + len(rows) + 1))))
        table_lines.update(range(start, start + len(rows)))
        lines.extend("" for _ in rows)  # rows keep their line numbers; the prose does not see them
    document.text = "\n".join(lines).rstrip("\n")
    document.paragraphs = [(n + 1, line) for n, line in enumerate(lines) if n not in table_lines and line.strip()]
    if not document.text.strip() and not any(any(any(row) for row in t.rows) for t in document.tables):
        raise PlanImportError("Word 文档是空的")
    return document


def _body_blocks(body):
    """Paragraphs and tables of the body in order, looking inside content controls (w:sdt)."""
    for child in body.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_blocks(content)


def _docx_rows(tbl, reader: _WordText) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Cell texts by layout column. A cell continuing a vertical merge gets the merged text and is
    listed in merged; the columns a horizontal span covers after its first are empty."""
    rows: list[list[str]] = []
    merged: set[tuple[int, int]] = set()
    for r, tr in enumerate(tbl.iterchildren(f"{_W}tr")):
        cells = [""] * min(max(0, _val_int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)), MAX_SHEET_COLUMNS)
        for tc in tr.iterchildren(f"{_W}tc"):
            col = len(cells)
            span = min(max(1, _val_int(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1)), MAX_SHEET_COLUMNS)
            v_merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if v_merge is not None and v_merge.get(f"{_W}val", "continue") == "continue":
                cells.append(rows[-1][col] if rows and col < len(rows[-1]) else "")
                merged.add((r, col))
            else:
                cells.append("\n".join(reader.paragraph(p) for p in _body_blocks(tc) if p.tag == f"{_W}p").strip())
            cells.extend("" for _ in range(span - 1))
        rows.append(cells)
    return rows, merged


def _val_int(element, default: int) -> int:
    return default if element is None else _int(element.get(f"{_W}val"), default)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class _WordText:
    """The text of Word paragraphs as a reader sees it: tracked insertions in, deletions out, and the
    numbers of automatic numbering (1. / 一、 / （一） / ①) written in front."""

    SKIP = {f"{_W}{t}" for t in ("pPr", "rPr", "del", "moveFrom", "drawing", "pict", "object", "instrText",
                                 "delText", "fldChar")} | {
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}

    def __init__(self, word):
        self.levels: dict[str, dict[int, tuple[int, str, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text, suffix)
        self.counters: dict[str, dict[int, int]] = {}
        self.style_numbering: dict[str, tuple[str, int]] = {}
        try:
            numbering = word.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering = None
        if numbering is not None:
            abstract = {a.get(f"{_W}abstractNumId"): a for a in numbering.iterchildren(f"{_W}abstractNum")}
            for num in numbering.iterchildren(f"{_W}num"):
                ref = num.find(f"{_W}abstractNumId")
                definition = abstract.get(ref.get(f"{_W}val")) if ref is not None else None
                if definition is None:
                    continue
                levels = {}
                for lvl in definition.iterchildren(f"{_W}lvl"):
                    fmt = lvl.find(f"{_W}numFmt")
                    text = lvl.find(f"{_W}lvlText")
                    suffix = lvl.find(f"{_W}suff")
                    levels[_int(lvl.get(f"{_W}ilvl"), 0)] = (
                        _val_int(lvl.find(f"{_W}start"), 1),
                        fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                        text.get(f"{_W}val", "") if text is not None else "",
                        suffix.get(f"{_W}val", "tab") if suffix is not None else "tab",
                    )
                for override in num.iterchildren(f"{_W}lvlOverride"):
                    level = _int(override.get(f"{_W}ilvl"), 0)
                    start = override.find(f"{_W}startOverride")
                    if start is not None and level in levels:
                        levels[level] = (_val_int(start, 1), *levels[level][1:])
                self.levels[num.get(f"{_W}numId")] = levels
        for style in word.styles.element.iterchildren(f"{_W}style"):
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                num_id = num_pr.find(f"{_W}numId")
                if num_id is not None:
                    level = _val_int(num_pr.find(f"{_W}ilvl"), 0)
                    self.style_numbering[style.get(f"{_W}styleId")] = (num_id.get(f"{_W}val"), level)

    def paragraph(self, p) -> str:
        parts: list[str] = []
        self._walk(p, parts)
        return self._label(p) + "".join(parts)

    def _walk(self, element, parts: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag in self.SKIP:
                continue
            if tag == f"{_W}t":
                parts.append(child.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                parts.append("" if child.get(f"{_W}type") == "page" else "\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            elif tag != f"{_W}p":  # paragraphs nested in text boxes are not this paragraph's text
                self._walk(child, parts)

    def _label(self, p) -> str:
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        style = p.find(f"{_W}pPr/{_W}pStyle")
        num_id, level = None, 0
        if style is not None and style.get(f"{_W}val") in self.style_numbering:
            num_id, level = self.style_numbering[style.get(f"{_W}val")]
        if num_pr is not None:
            own = num_pr.find(f"{_W}numId")
            if own is not None:
                num_id = own.get(f"{_W}val")
            level = _val_int(num_pr.find(f"{_W}ilvl"), level)
        levels = self.levels.get(num_id or "")
        if not levels or level not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, levels[level][0] - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        start, fmt, template, suffix = levels[level]
        if fmt in ("bullet", "none") or not template:
            return ""

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            value = counters.get(k, levels[k][0])
            return _format_number(value, levels[k][1])

        label = re.sub(r"%([1-9])", number, template)
        if suffix == "space" or (suffix == "tab" and label[-1:].isalnum()):
            label += " "
        return label


_CN_FORMATS = {"chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
               "koreanCounting", "taiwaneseCounting", "taiwaneseCountingThousand", "chineseLegalSimplified"}


def _format_number(value: int, fmt: str) -> str:
    if fmt in _CN_FORMATS:
        return cn_numeral(value)
    if fmt == "ideographTraditional" and 1 <= value <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[value - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= value <= 20:
        return chr(ord("①") + value - 1)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(value).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if fmt in ("lowerLetter", "upperLetter") and 1 <= value <= 26:
        letter = chr(ord("a") + value - 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    return str(value)


def _xlsx_document(path: Path) -> _Document:
    """Each visible sheet is a table; read-only, with merged ranges read from the sheet's XML."""
    document = _Document(format="xlsx")
    try:
        import openpyxl

        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                if sheet.sheet_state != "visible":
                    continue
                sheet.reset_dimensions()  # some writers record a wrong size; read what is there
                rows = [[_cell_text(v) for v in row[:MAX_SHEET_COLUMNS]]
                        for row in islice(sheet.iter_rows(values_only=True), MAX_SHEET_ROWS)]
                merged = _apply_merges(rows, _merged_ranges(sheet))
                while rows and not any(rows[-1]):
                    rows.pop()
                document.tables.append(_Table(rows=rows, merged=merged, lines=list(range(1, len(rows) + 1)),
                                              detail=f"工作表“{sheet.title}”"))
        finally:
            book.close()
    except Exception as error:
        raise PlanImportError(NOT_XLSX) from error
    return document


def _merged_ranges(sheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range, from <mergeCell ref="A1:F1"/>."""
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    with sheet._get_source() as source:  # read-only sheets do not load their merged ranges
        return [range_boundaries(element.get("ref")) for _, element in
                etree.iterparse(source, tag=f"{{{_SHEET_NS}}}mergeCell") if ":" in (element.get("ref") or "")]


def _apply_merges(rows: list[list[str]], ranges) -> set[tuple[int, int]]:
    """Fill the first column of each merged range downwards (listing those cells) and blank the rest."""
    merged: set[tuple[int, int]] = set()
    for min_col, min_row, max_col, max_row in ranges:
        top, left, max_col = min_row - 1, min_col - 1, min(max_col, MAX_SHEET_COLUMNS)
        if top >= len(rows) or left >= max_col:
            continue
        for r in range(top, min(max_row, len(rows))):
            rows[r] += [""] * (max_col - len(rows[r]))
        value = rows[top][left]
        for r in range(top, min(max_row, len(rows))):
            for c in range(left, max_col):
                if (r, c) == (top, left):
                    continue
                if c == left:
                    rows[r][c] = value
                    merged.add((r, c))
                else:
                    rows[r][c] = ""
    return merged


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse(document: _Document, stem: str) -> dict:
    found = {i: h for i, t in enumerate(document.tables) if (h := find_header(t.rows, t.merged))}
    if not found:
        if document.format == "xlsx":
            raise PlanImportError("工作簿中没有找到任务表：表头应有“工作事项/主要内容”等列和“牵头单位/责任单位”等列")
        return _ordered(parse_text(document.text), document.format, None)
    fmt = "tsv" if document.format == "txt" else document.format
    result = first_error = None
    for best in sorted(found, key=lambda i: (-found[i].score, -len(document.tables[i].rows), i)):
        try:
            result = _parse_table_group(document, found, best, fmt, stem)
            break
        except PlanImportError as error:  # a header with nothing under it: try the next table
            first_error = first_error or error
    if result is None:
        if document.format == "xlsx":
            raise first_error
        return _ordered(parse_text(document.text), document.format, None)
    if len(document.paragraphs) < PROSE_LINES_FOR_TASKS:
        return _ordered(result, fmt, result["source"]["table"])
    try:
        prose = parse_text(document.text)
    except PlanImportError:
        return _ordered(result, fmt, result["source"]["table"])
    if len(prose["tasks"]) > len(result["tasks"]):
        prose.setdefault("warnings", []).append({
            "line": None,
            "message": f"{result['source']['table']}也像任务表（{len(result['tasks'])}项任务），未导入：已按正文导入",
        })
        return _ordered(prose, document.format, None)
    if prose["tasks"]:
        result["warnings"].append({
            "line": None,
            "message": f"正文中另有{len(prose['tasks'])}项任务未导入：已按{result['source']['table']}导入",
        })
    return _ordered(result, fmt, result["source"]["table"])


def _parse_table_group(document: _Document, found: dict, best: int, fmt: str, stem: str) -> dict:
    members = _table_group(document, found, best)
    rows, lines, merged = _joined(document, members, found)
    first, last = min(lines), max(lines)
    return parse_rows(rows, lines=lines, merged=merged, name=stem, source_format=fmt,
                      label="第" + "、".join(str(i + 1) for i in members) + "个表格",
                      before=[t for n, t in document.paragraphs if n < first],
                      after=[t for n, t in document.paragraphs if n > last],
                      detail=document.tables[best].detail)


def _table_group(document: _Document, found: dict, best: int) -> list[int]:
    """The task table and its other parts: tables with the same columns (a table split by category
    headings) and tables without a header right after one (a table split across pages)."""
    if document.format == "xlsx":
        return [best]
    columns = found[best].columns
    width = max(len(r) for r in document.tables[best].rows)
    members: list[int] = []
    for i, table in enumerate(document.tables):
        if i in found:
            if found[i].columns == columns:
                members.append(i)
        elif members and members[-1] == i - 1 and max(len(r) for r in table.rows) == width \
                and not _paragraphs_between(document, document.tables[i - 1], table):
            members.append(i)
    return members


def _paragraphs_between(document: _Document, above: _Table, below: _Table) -> list[tuple[int, str]]:
    return [(n, t) for n, t in document.paragraphs if above.lines[-1] < n < below.lines[0]]


def _joined(document: _Document, members: list[int], found: dict) -> tuple[list[list[str]], list[int], set]:
    """The rows of several tables as one, with the headings written between them as rows of their own
    (the heading right above the first part goes below its header)."""
    rows: list[list[str]] = []
    lines: list[int] = []
    merged: set[tuple[int, int]] = set()
    previous: _Table | None = None
    for i in members:
        table = document.tables[i]
        if previous is None:
            between = [(n, t) for n, t in document.paragraphs if n < table.lines[0]][-1:] if len(members) > 1 else []
            split = found[i].last + 1
        else:
            between = _paragraphs_between(document, previous, table)
            split = 0
        headings = [(n, t.strip()) for n, t in between if SECTION_HEADING.match(t.strip())]
        offset = len(rows)
        rows += table.rows[:split] + [[t] for _, t in headings] + table.rows[split:]
        lines += table.lines[:split] + [n for n, _ in headings] + table.lines[split:]
        merged |= {(r + offset + (len(headings) if r >= split else 0), c) for r, c in table.merged}
        previous = table
    return rows, lines, merged


def _ordered(result: dict, fmt: str, table: str | None) -> dict:
    """The dict with "source" set and its keys in the order of the importer's JSON."""
    result = {**result, "source": {"format": fmt, "table": table}}
    ordered = {key: result[key] for key in KEY_ORDER if key in result}
    ordered.update((key, value) for key, value in result.items() if key not in ordered)
    return ordered
