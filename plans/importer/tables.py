"""Task tables (任务分工表, 工作台账): find the header row, read the rows, build the importer's dict.

A table arrives as rows of cell texts, whatever file it came from (an .xlsx sheet, a table inside a
.docx, tab-separated lines of text). The readers in sources.py fill a vertically merged cell with the
value of its first cell and list it in `merged`, so that a merged 序号/工作事项 marks a row that
continues the task above while a merged 牵头单位 still names that row's units.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .deadlines import MAX_YEAR, MIN_YEAR, Deadline, parse_deadline, parse_target
from .errors import PlanImportError
from .numerals import ascii_digits, cn_to_int
from .preamble import NO_PERIOD, SECTION_HEADING, read_preamble, title_of, title_range, until_years
from .units import parse_annotation, role_mark, split_units
from .vocabulary import (
    CATEGORY,
    CONTENT,
    DUE,
    INDICATOR_NAME,
    INDICATOR_VALUE_WORDS,
    INDICATOR_WORDS,
    LEAD,
    LEADER,
    LEADER_HEADER,
    OTHER_HEADERS,
    RESPONSIBLE,
    SEQ,
    SUPPORT,
    TITLE,
    UNIT_HEADER,
    alternation,
    label_role,
)

RESP = RESPONSIBLE
UNIT_KINDS = (LEAD, RESP, SUPPORT)
HEADER_ROWS_SCANNED = 30
MAX_HEADER_CELL = 16
MIN_SCORE = 20

# Header cells, most specific first; a header cell takes the first kind whose pattern matches it whole.
# A unit column's kind is the role its header words name (label_role).
_HEADER_RES = [(LEADER, re.compile(LEADER_HEADER)), (None, UNIT_HEADER)] + [
    (kind, re.compile(pattern)) for kind, pattern in OTHER_HEADERS
]
_INDICATOR = re.compile(alternation(INDICATOR_WORDS))
_INDICATOR_NAME = re.compile(INDICATOR_NAME)
_INDICATOR_VALUE = re.compile(alternation(INDICATOR_VALUE_WORDS))
_SPACES = re.compile(r"[\s\u3000]+")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")

_NUMBER_PREFIX = re.compile(
    r"^\s*(?:(?P<n>[0-9０-９]{1,3})\s*[、．.﹒，,)）]?(?![0-9０-９])|[（(]\s*(?P<p>[0-9０-９]{1,3})\s*[)）]"
    r"|(?P<c>[①-⑳])|[（(](?P<cp>[一二三四五六七八九十]{1,3})[)）]|(?P<cn>[一二三四五六七八九十]{1,3})[、．.])\s*"
)
_ENUM_MARK = re.compile(
    r"(?:^|(?<=[。；;！？!?：:\n]))[ \t\u3000]*"
    r"(?:[0-9０-９]{1,2}(?:[．、﹒]|\.(?![0-9]))|[（(][0-9０-９]{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,3}是)"
)
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+|\n|$)")
_CELL_DATE = re.compile(r"^\s*(?P<y>20\d\d)\s*[./\-年]\s*(?P<m>\d{1,2})\s*(?:[./\-月]\s*(?P<d>\d{1,2})\s*日?)?\s*月?\s*(?P<tail>前|之前|底前)?\s*$")


@dataclass
class Header:
    """Where the header of a task table is and what each column holds."""

    first: int  # index of the first header row
    last: int  # index of the last header row (two-row headers)
    columns: dict[str, int]  # kind -> column index
    score: int


def _header_text(cell: str) -> str:
    text = _SPACES.sub("", str(cell))
    text = _BRACKETED.sub("", text).strip("*＊:：")
    return text


def column_kind(cell: str) -> str | None:
    """The kind of column a header cell names (序号 -> "seq", 牵头单位 -> "lead"), or None."""
    text = _header_text(cell)
    if _INDICATOR_NAME.fullmatch(text):
        return CATEGORY  # 创建指标 / 指标名称: the indicator a group of tasks serves
    if not text or len(text) > MAX_HEADER_CELL or _INDICATOR.search(text):
        return None
    for kind, pattern in _HEADER_RES:
        if m := pattern.fullmatch(text):
            return kind or label_role(m.group(0))
    # 责任单位及责任人, 具体工作措施及要求: the kind named first in the cell.
    if len(text) > 10:
        return None
    hits = [(m.start(), i, kind or label_role(m.group(0)))
            for i, (kind, pattern) in enumerate(_HEADER_RES) if (m := pattern.search(text))]
    return min(hits)[2] if hits else None


def _kinds(cells: Sequence[str], skip: Iterable[int] = ()) -> dict[int, str]:
    skip = set(skip)
    return {i: kind for i, cell in enumerate(cells) if i not in skip and (kind := column_kind(cell))}


def _assign(kinds: dict[int, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for col in sorted(kinds):
        columns.setdefault(kinds[col], col)
    return columns


def _score(columns: dict[str, int], cells: Sequence[str]) -> int:
    if not ((TITLE in columns or CONTENT in columns) and any(k in columns for k in UNIT_KINDS)):
        return 0
    score = 10 * (TITLE in columns) + 10 * (CONTENT in columns) + 10
    score += 3 * (SUPPORT in columns) + 3 * (DUE in columns) + 2 * (SEQ in columns)
    score += (CATEGORY in columns) + (LEADER in columns) + ((LEAD in columns) and (RESP in columns))
    if any(_INDICATOR_VALUE.search(_header_text(c)) for c in cells):
        score -= 20  # an indicator table (目标值, 权重…); a column naming the indicator a task serves is not
    return score


def find_header(rows: Sequence[Sequence[str]], merged: set[tuple[int, int]] | frozenset = frozenset()) -> Header | None:
    """The header of a task table among the first rows, or None when the rows are not a task table.

    A task table names a task (工作事项/重点任务…) or its content (主要内容/具体措施…) and the units
    (牵头单位/责任单位/配合单位…). Indicator tables (指标, 目标值) and lists of officials do not qualify.
    A two-row header (责任单位 over 牵头单位 | 配合单位) is read as one.
    """
    best: Header | None = None
    for i, cells in enumerate(rows[:HEADER_ROWS_SCANNED]):
        kinds = _kinds(cells)
        if not kinds:
            continue
        candidates = [(i, kinds)]
        if i + 1 < len(rows):
            below = rows[i + 1]
            own = {c for c, text in enumerate(below) if text and (i + 1, c) not in merged}
            below_kinds = _kinds(below, skip={c for c in range(len(below)) if (i + 1, c) in merged})
            if below_kinds and set(below_kinds) == own:
                candidates.append((i + 1, {**kinds, **below_kinds}))
        for last, combined in candidates:
            columns = _assign(combined)
            row_cells = list(cells) + (list(rows[last]) if last != i else [])
            score = _score(columns, row_cells)
            if score >= MIN_SCORE and (best is None or score > best.score):
                best = Header(first=i, last=last, columns=columns, score=score)
    return best


def _continue_short_rows(grid: list[list[str]], header: Header) -> set[tuple[int, int]]:
    """Text copied from a table drops the cells a merge covers: a row shorter than the header continues
    the row above, aligned to the header from the right (its missing first cells are the merged ones).

    Fills those cells as the .xlsx and .docx readers do and returns them as merged. A row whose first
    cell is a number starts a row of its own (its empty last cells were dropped), a row keeping its empty
    last cells (tabs) is whole, and a row of one cell is a heading."""
    width = max(len(_trimmed(grid[r])) for r in range(header.first, header.last + 1))
    merged: set[tuple[int, int]] = set()
    above: list[str] | None = None
    for r in range(header.last + 1, len(grid)):
        cells = grid[r]
        if above is not None and 2 <= len(_trimmed(cells)) and len(cells) < width and _row_number(cells[0]) is None:
            missing = width - len(cells)
            grid[r] = above[:missing] + cells
            merged |= {(r, c) for c in range(missing)}
        if len(_trimmed(grid[r])) >= 2:
            above = grid[r]
    return merged


def _trimmed(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


@dataclass
class _Row:
    line: int
    cells: list[str]
    merged: set[int]  # columns continuing a vertical merge from the row above

    def own(self, col: int | None) -> str:
        """The cell's text unless it only continues a merged cell above."""
        if col is None or col >= len(self.cells) or col in self.merged:
            return ""
        return self.cells[col]

    def value(self, col: int | None) -> str:
        """The cell's text, merged or not."""
        if col is None or col >= len(self.cells):
            return ""
        return self.cells[col]


@dataclass
class _Draft:
    number: int | None
    title: str
    section: str | None
    line: int
    first_measures: list[str]  # measures the first row holds (taken from the title or content cell)
    text: str  # the task as written, its only measure when no row holds any
    rows: list[_Row] = field(default_factory=list)


def _clean_cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return text.strip(" \t\n\u3000")


def _row_number(text: str) -> int | None:
    text = text.strip().rstrip("、．.﹒")
    m = re.fullmatch(r"[（(]?\s*([0-9０-９]{1,4}|[一二三四五六七八九十]{1,3})\s*[)）]?", text)
    if not m:
        return None
    return cn_to_int(m.group(1))


def _section_number(text: str) -> str | None:
    """（一） -> （一）, 一、 or 一 -> 一、 (a 序号 cell that numbers a category); None otherwise."""
    m = re.fullmatch(r"\s*(?:[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]|([一二三四五六七八九十]{1,3})\s*[、．.]?)\s*", text)
    if not m:
        return None
    return f"（{m[1]}）" if m[1] else f"{m[2]}、"


def _strip_number(text: str) -> tuple[int | None, str]:
    """'1．着力提高政治能力' -> (1, '着力提高政治能力')."""
    m = _NUMBER_PREFIX.match(text)
    if not m or m.end() == len(text):
        return None, text
    if m["c"]:
        return ord(m["c"]) - ord("①") + 1, text[m.end():].strip()
    return cn_to_int(m["n"] or m["p"] or m["cp"] or m["cn"]), text[m.end():].strip()


def split_measures(text: str) -> list[str]:
    """The measures written in one cell: numbered items (1．2．, （1）, ①, 一是) or else sentences."""
    text = text.strip()
    if not text:
        return []
    marks = list(_ENUM_MARK.finditer(text))
    if len(marks) >= 2 or (marks and marks[0].start() == 0 and marks[0].end() < len(text)):
        parts = []
        intro = text[:marks[0].start()].strip()
        if intro and not re.search(r"[:：]$", intro):
            parts.append(intro)
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            parts.append(text[m.end():end].strip())
    else:
        parts = [m.group(0) for m in _SENTENCE.finditer(text)]
    return [p.strip() for p in parts if re.search(r"[\w\u4e00-\u9fff]", p)]


def _first_sentence(text: str) -> tuple[str, str]:
    """Title and the rest: the text up to the first 。 (a title ends there, as in prose plans)."""
    m = re.search(r"[。！？!?\n]", text)
    if not m:
        return text.strip(), ""
    return text[:m.start()].strip(), text[m.end():].strip()


def _short_title(text: str) -> str:
    text = text.strip().rstrip("。；;，,")
    if len(text) <= 60:
        return text
    clause = re.split(r"[，,；;：:]", text, maxsplit=1)[0]
    return clause if 4 <= len(clause) <= 60 else text[:60]


def _cell_deadline_text(text: str) -> str:
    """Dates as spreadsheets write them (2024.6, 2024-06-30, 2024/6/30) in the words plans use."""
    m = _CELL_DATE.match(ascii_digits(text))
    if not m:
        return text
    if m["d"]:
        return f"{m['y']}年{int(m['m'])}月{int(m['d'])}日前"
    return f"{m['y']}年{int(m['m'])}月底前"


def cn_numeral(n: int) -> str:
    """3 -> 三, 12 -> 十二, 25 -> 二十五 (1-99; other numbers stay in digits)."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


class _Meta:
    """Title, issuing body, issue date and the plan's end, from the text around the table."""

    def __init__(self, above: Sequence[str], before: Sequence[str], after: Sequence[str], name: str):
        # The rows above the header (the sheet's own title) come right before the table.
        preamble = read_preamble([*before, *above], after)
        self.title = title_of(above) or preamble.title or name.strip() or "未命名方案"
        self.issuer, self.issued_on = preamble.issuer, preamble.issued_on
        self.first_is_lead = preamble.first_is_lead
        ends = [y for y in until_years([*before, *above]) if MIN_YEAR <= y <= MAX_YEAR]
        ranged = title_range([self.title])
        self.end_year = max(ends) if ends else ranged[1] if ranged else None
        named = re.search(r"(?<!\d)(\d{4})\s*年", ascii_digits(self.title))  # 某县2024年…任务分解表
        self.year_hint = self.issued_on.year if self.issued_on else (
            ranged[0] if ranged else int(named[1]) if named else None)


@lru_cache(maxsize=4096)
def _unit_cell(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]:
    """(leads an annotation names, ((unit, role written after it or None), …)) for one unit cell."""
    annotation = parse_annotation(text)
    if annotation:
        return tuple(annotation.leads), tuple((n, None) for n in annotation.units)
    # 区司法局（牵头）、区财政局: a role written after a name.
    return (), tuple(role_mark(n) for n in split_units(text))


def _units_of(cells: dict[str, str], columns: dict[str, int], first_is_lead: bool) -> tuple[list[str], list[str]]:
    """(leads, all units) named by a row's unit cells (kind -> text)."""
    leads: list[str] = []
    others: list[str] = []
    resp_leads = RESP in columns and SUPPORT in columns and LEAD not in columns
    for kind in UNIT_KINDS:
        text = cells.get(kind, "")
        if not text:
            continue
        annotated, marked = _unit_cell(text)
        if annotated:
            leads += annotated
        else:
            leads += [n for n, role in marked if role == LEAD]
            if kind == LEAD or (kind == RESP and resp_leads):
                leads += [n for n, role in marked if role is None]
        others += [n for n, _ in marked]
    if not leads and first_is_lead and others and not cells.get(LEAD) and not cells.get(SUPPORT):
        leads = others[:1]
    return list(dict.fromkeys(leads)), list(dict.fromkeys(leads + others))


def _starts_task(row: _Row, cols: dict[str, int]) -> bool:
    """A row starts a task when its 工作事项 is written (or, without that column, its 序号);
    an empty or merged one continues the task above."""
    if TITLE in cols:
        return bool(row.own(cols[TITLE]))
    if SEQ in cols:
        return bool(row.own(cols[SEQ]))
    return True


def _content_task(content: str) -> tuple[int | None, str, list[str]]:
    """(number, title, measures) of a task written in its content cell alone: a short first sentence
    (or the words before its numbered items) is its title; otherwise the title is the first sentence."""
    marks = list(_ENUM_MARK.finditer(content))
    if len(marks) >= 2:
        intro = content[:marks[0].start()].strip()
        measures = split_measures(content)
        if intro:  # 加强执法保障：（1）…（2）…
            return None, _short_title(_first_sentence(intro.rstrip("：:"))[0]), [m for m in measures if m != intro]
        return None, _short_title(_first_sentence(measures[0])[0]) if measures else "", measures
    number, content = _strip_number(content)
    measures = split_measures(content)
    first = _first_sentence(content)[0]
    if len(measures) > 1 and len(first) <= 30:
        measures = measures[1:]
    return number, _short_title(first), measures


def _draft(row: _Row, cols: dict[str, int], section: str | None, warnings: list[dict]) -> _Draft:
    seq_text = row.own(cols.get(SEQ))
    number = _row_number(seq_text) if seq_text else None
    title_text = row.own(cols.get(TITLE))
    content = row.own(cols.get(CONTENT))
    if title_text:
        prefixed, title_text = _strip_number(title_text)
        first, tail = _first_sentence(title_text)
        title = _short_title(first)
        measures = split_measures(tail)
        if tail and title != first.rstrip("。；;，,"):
            measures.insert(0, first)
        measures += split_measures(content)
    else:
        prefixed, title, measures = _content_task(content)
    if number is None or (prefixed is not None and CATEGORY in cols):
        number = prefixed  # beside a category column, 序号 numbers the categories and 1. 2. the tasks
    if not title:
        title = f"第{number}项任务" if number is not None else f"第{row.line}行任务"
        warnings.append({"line": row.line, "message": "未写明任务名称，请在预览中补填。"})
    return _Draft(number=number, title=title, section=section, line=row.line, first_measures=measures,
                  text=title_text or content)


def parse_rows(
    rows: Sequence[Sequence[object]],
    *,
    lines: Sequence[int] | None = None,
    merged: Iterable[tuple[int, int]] = (),
    before: Sequence[str] = (),
    after: Sequence[str] = (),
    name: str = "",
    source_format: str = "tsv",
    label: str = "第1个表格",
    detail: str | None = None,
) -> dict:
    """The importer's dict for a task table.

    rows: cell texts (None and numbers are fine); lines: the source line or sheet row of each row
    (default 1, 2, …); merged: (row index, column) of cells continuing a vertical merge, holding the
    merged value; before/after: the document's paragraphs around the table (title, issue date);
    name: the file's name, the title of last resort; label/detail describe the table in "source".
    """
    grid = [[_clean_cell(c) for c in row] for row in rows]
    line_of = list(lines) if lines is not None else list(range(1, len(grid) + 1))
    merged_set = set(merged)
    header = find_header(grid, merged_set)
    if header is None:
        raise PlanImportError("表格中没有找到任务表：表头应有“工作事项/主要内容”等列和“牵头单位/责任单位”等列")
    cols = header.columns
    if source_format == "tsv":
        merged_set |= _continue_short_rows(grid, header)
    above = [" ".join(dict.fromkeys(c for c in row if c)) for row in grid[:header.first]]
    meta = _Meta(above, before, after, name)
    data = [
        _Row(line=line_of[i], cells=grid[i], merged={c for c in range(len(grid[i])) if (i, c) in merged_set})
        for i in range(header.last + 1, len(grid))
    ]
    data = [r for r in data if any(r.cells)]
    if not data:
        raise PlanImportError("任务表中没有任务：表头下面没有内容")
    # A 序号 or 工作事项 column left empty in every row (numbered automatically, or unused) says nothing.
    cols = {kind: col for kind, col in cols.items()
            if kind not in (SEQ, TITLE) or any(r.own(col) for r in data)}
    if TITLE not in cols and CONTENT not in cols:
        raise PlanImportError("任务表的“工作事项”和“主要内容”列都是空的")
    warnings: list[dict] = []
    sections: list[dict] = []
    drafts: list[_Draft] = []
    section: dict | None = None
    top: dict | None = None
    category = ""

    def open_section(text: str, line: int) -> None:
        nonlocal section, top
        m = SECTION_HEADING.match(text)
        title = text[m.end():].strip() if m else text
        if m and m["sub"]:
            number, parent = f"（{m['sub']}）", (top["number"] if top else None)
        else:
            number = f"{m['top']}、" if m else f"{cn_numeral(sum(s['number'].endswith('、') for s in sections) + 1)}、"
            parent = None
        if any(s["number"] == number and s["parent"] == parent for s in sections):
            warnings.append({"line": line, "message": f"类别编号“{number}”重复，请在预览中核对。"})
        section = {"number": number, "title": title.rstrip("。"), "parent": parent}
        sections.append(section)
        if number.endswith("、"):
            top = section

    for row in data:
        texts = list(dict.fromkeys(row.own(c) for c in range(len(row.cells)) if row.own(c)))
        if not texts or (len(texts) >= 2 and all(column_kind(t) for t in texts)):
            continue  # nothing of its own, or the header repeated (a table continued on the next page)
        first_col = next(c for c in range(len(row.cells)) if row.own(c))
        # A heading spans the row (its text sits in the first column) or stands where no measure,
        # unit or deadline is written.
        heading = bool(SECTION_HEADING.match(texts[0])) and len(texts[0]) <= 40 and "。" not in texts[0][:-1] and (
            first_col <= min(cols.values())
            or first_col not in (cols.get(CONTENT), cols.get(DUE), *(cols.get(k) for k in UNIT_KINDS)))
        category_in_seq = first_col == cols.get(SEQ) and _row_number(texts[0]) is None
        if len(texts) == 1 and (heading or category_in_seq):
            open_section(texts[0], row.line)
            continue
        numbered = _section_number(row.own(cols.get(SEQ)))
        if numbered and len(texts) == 2 and row.own(cols.get(TITLE)) and not any(
                row.own(cols.get(k)) for k in (CONTENT, DUE, *UNIT_KINDS)):
            open_section(numbered + row.own(cols[TITLE]), row.line)  # （一） | 深化改革, with nothing else
            continue
        cat = row.value(cols.get(CATEGORY))
        if cat and cat != category:
            category = cat
            open_section(cat, row.line)
        if _starts_task(row, cols) or not drafts:
            drafts.append(_draft(row, cols, section["number"] if section else None, warnings))
        drafts[-1].rows.append(row)

    if not drafts:
        raise PlanImportError("任务表中没有任务：表头下面没有内容")
    tasks = [_build_task(d, cols, meta, warnings) for d in drafts]
    ends_on = _ends_on(meta, tasks)
    if ends_on is None:
        warnings.append({"line": None, "message": NO_PERIOD})
    return {
        "title": meta.title,
        "issuer": meta.issuer,
        "issued_on": meta.issued_on.isoformat() if meta.issued_on else None,
        "ends_on": ends_on.isoformat() if ends_on else None,
        "source": {"format": source_format, "table": _describe(label, detail, sum(len(d.rows) for d in drafts))},
        "sections": sections,
        "tasks": tasks,
        "warnings": warnings,
    }


def _describe(label: str, detail: str | None, count: int) -> str:
    inside = f"{detail}，共{count}行" if detail else f"共{count}行"
    return f"{label}（{inside}）"


def _ends_on(meta: _Meta, tasks: list[dict]) -> datetime.date | None:
    """The year the plan runs to, else its latest deadline, else the end of its year of issue; None when
    the table says none of these (the preview asks)."""
    if meta.end_year:
        return datetime.date(meta.end_year, 12, 31)
    dues = [m["due"] for t in tasks for m in t["measures"] if m["due"]]
    if dues:
        return datetime.date.fromisoformat(max(dues))
    return datetime.date(meta.issued_on.year, 12, 31) if meta.issued_on else None


def _deadline(text: str, meta: _Meta) -> Deadline:
    return _cached_deadline(text, meta.year_hint, meta.issued_on)


@lru_cache(maxsize=4096)
def _cached_deadline(text: str, year_hint: int | None, issued_on: datetime.date | None) -> Deadline:
    return parse_deadline(_cell_deadline_text(text), year_hint=year_hint, issued_on=issued_on)


def _build_task(draft: _Draft, cols: dict[str, int], meta: _Meta, warnings: list[dict]) -> dict:
    first = draft.rows[0]
    task_due_text = first.value(cols.get(DUE))
    task_cells = {kind: first.value(cols.get(kind)) for kind in UNIT_KINDS}
    task_units = _units_of(task_cells, cols, meta.first_is_lead)
    leads: list[str] = []
    units: list[str] = []
    leaders: list[str] = []
    measures: list[dict] = []
    for position, row in enumerate(draft.rows):
        # An empty unit cell in a row that continues a task means "as above".
        cells = {kind: row.value(cols.get(kind)) or task_cells[kind] for kind in UNIT_KINDS}
        row_leads, row_units = _units_of(cells, cols, meta.first_is_lead)
        leads += [n for n in row_leads if n not in leads]
        units += [n for n in row_units if n not in units]
        for person in split_units(row.value(cols.get(LEADER))):
            if person not in leaders:
                leaders.append(person)
        texts = draft.first_measures if position == 0 else split_measures(row.own(cols.get(CONTENT)))
        if position and not texts and not any(row.own(cols.get(k)) for k in (*UNIT_KINDS, DUE, LEADER)):
            warnings.append({"line": row.line, "message": "此行没有可导入的措施、单位或时限，已略过，请在预览中核对。"})
        due_text = row.value(cols.get(DUE)) or task_due_text
        due_parts = split_measures(due_text) if _ENUM_MARK.search(due_text) else []
        if len(due_parts) != len(texts):
            due_parts = [due_text] * len(texts)
        for text, cell_due in zip(texts, due_parts, strict=True):
            measures.append(_measure(text, cell_due, row_units, row.line, meta, warnings))
    if not measures and draft.text:
        measures.append(_measure(draft.text, task_due_text, task_units[1], draft.line, meta, warnings))
    if not units:
        warnings.append({"line": draft.line, "message": f"任务“{draft.title}”未写明责任单位，请在预览中补填。"})
    all_units = leads + [n for n in units if n not in leads]
    task = {
        "number": draft.number,
        "title": draft.title,
        "section": draft.section,
        "line": draft.line,
        "lead_units": leads,
        "units": all_units,
        "measures": measures,
    }
    if leaders:
        task["leaders"] = leaders
    return task


def _measure(text: str, cell_due: str, units: list[str], line: int, meta: _Meta, warnings: list[dict]) -> dict:
    """One measure: its deadline from the 完成时限 cell, else from its own words."""
    cell = _deadline(cell_due, meta) if cell_due else Deadline()
    if cell_due and not (cell.due or cell.recurrence or cell.ongoing):
        warnings.append({"line": line, "message": f"无法识别的完成时限“{cell_due}”，请在预览中核对。"})
    own = _deadline(text, meta)
    if own.unreadable:
        warnings.append({"line": line, "message": f"无法识别的时限“{own.phrase}”，请在预览中核对。"})
    if cell.due or cell.ongoing:
        due, phrase, ongoing = cell.due, cell_due, cell.ongoing
    elif own.due or own.ongoing:
        due, phrase, ongoing = own.due, own.phrase, own.ongoing
    else:
        due, phrase, ongoing = None, (cell_due if cell.recurrence else None), False
    return {
        "text": text,
        "units": list(units),
        "due": due.isoformat() if due else None,
        "due_phrase": phrase,
        "recurrence": cell.recurrence or own.recurrence,
        "target": parse_target(text),
        "ongoing": ongoing,
    }
