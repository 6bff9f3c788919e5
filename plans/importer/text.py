"""Plan documents written as running text -> the importer's JSON dict (the `import_plan --json` contract).

The reader knows the shapes of Chinese plans, not any particular plan: a preamble (mastheads, a cover
notice, a date line, the title), then sections 一、 and sub-sections （一）, numbered tasks 1. with their
bodies, and the units responsible written as labelled or unlabelled annotations.
"""

import datetime
import re
from dataclasses import dataclass, field

from .deadlines import MAX_YEAR, MIN_YEAR, parse_deadline, parse_target
from .errors import PlanImportError
from .numerals import ascii_digits, cn_to_int
from .preamble import (
    DATE_LINE,
    NAMES_A_PLAN,
    NO_PERIOD,
    NO_TITLE,
    ORG_LINE,
    PRINTED_ON,
    PUBLIC_NOTE,
    SIGN_OFF,
    TITLE_END,
    read_preamble,
    strip_titles,
    title_range,
    until_years,
)
from .units import CLOSE, OPEN, Annotation, parse_annotation
from .vocabulary import (
    ANNOTATION_HINT_WORDS,
    BRACKET_LABEL,
    CIRCLED,
    CN_NUMBERS,
    FIRST_IS_LEAD,
    HEADING_WORDS,
    LABEL_RE,
    MEASURE_INTRO_WORDS,
    NOT_IN_SUBJECT_CHARS,
    NOT_IN_SUBJECT_WORDS,
    OPENING_WORDS,
    RUN_ON_TITLE_WORDS,
    SAME_BELOW_WORDS,
    SUBJECT_ENDINGS,
    SUBJECT_FOLLOWERS,
    SUBJECT_LINKS,
    SUBJECT_PREFIXES,
    alternation,
)

CN = CN_NUMBERS
END = "。；;！？!?）)」”"
H1_RE = re.compile(rf"^(?P<n>[{CN}]{{1,3}})[、．](?P<rest>.*)$")
H2_RE = re.compile(rf"^[（(](?P<n>[{CN}]{{1,3}})[）)](?P<rest>.*)$")
NUM_RE = re.compile(r"^(?P<n>\d{1,3})\s*[.．、﹒](?!\d)(?P<rest>.*)$")
NUM_BEFORE_DIGITS = re.compile(r"^(?P<n>\d{1,3})\s*[.．、﹒](?P<rest>\d.*)$")
PNUM_RE = re.compile(r"^[（(](?P<n>\d{1,3})[）)](?P<rest>.*)$")
CIRC_RE = re.compile(rf"^(?P<n>[{CIRCLED}])(?P<rest>.*)$")
# Where a marker may start a new logical line inside a long line (texts without line breaks).
INLINE_MARKER = re.compile(
    rf"[{CN}]{{1,3}}、|[（(][{CN}]{{1,3}}[）)]|[（(]\d{{1,3}}[）)]|\d{{1,3}}\s*[.．、﹒](?!\d)|[{CIRCLED}]|"
    + LABEL_RE.pattern
)
CN_DATE = r"[0-9０-９〇○零一二三四五六七八九]{4}年[0-9０-９一二三四五六七八九十]{1,3}月[0-9０-９一二三四五六七八九十]{1,3}日"
# An ASCII full stop ending a Chinese sentence (…办理.(责任单位 / …执行. 石岭县), not 1. or 3.5 or 一.
ASCII_FULL_STOP = re.compile(rf"(?<=[\u4e00-\u9fff”\"）)])(?<![\s{CN}][{CN}])\.(?=\s|[\u4e00-\u9fff（(“\"\d]|$)", re.M)
PARAGRAPH_GAP = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")
ENUMERATED_CLAUSE = re.compile(rf"\s*[{CN}]{{1,2}}是")
PAGE_NUMBER = re.compile(r"^[-－—–]\s*\d{1,3}\s*[-－—–]$|^第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?$")
ORG_SUBJECT = re.compile(
    rf"^(?P<name>[\u4e00-\u9fff（）()]{{1,20}}?(?:{alternation(SUBJECT_ENDINGS)}))(?={alternation(SUBJECT_FOLLOWERS)})"
)
NOT_IN_SUBJECT = re.compile(rf"[{NOT_IN_SUBJECT_CHARS}]|{alternation(NOT_IN_SUBJECT_WORDS)}")
# Headings usual in plans: in a document run together on one line they end where these words end.
HEADING_RUN_ON = re.compile(
    rf"^((?:[{CN}]{{1,3}}、|[（(][{CN}]{{1,3}}[）)])(?:{alternation(HEADING_WORDS)}))(?=\S)"
)
# What may stand beside the rule on leads in a line of its own: brackets, punctuation, 注, 下同.
RULE_LINE_REST = re.compile(rf"[\W_]|注|说明|{alternation(SAME_BELOW_WORDS)}")
MEASURE_INTRO = re.compile(rf"(?:{alternation(MEASURE_INTRO_WORDS)})[^。；;]{{0,6}}[：:]\s*$")
ANNOTATION_HINT = re.compile(rf"(?:{alternation(ANNOTATION_HINT_WORDS)})[^，,；;]{{0,4}}$")


@dataclass
class Block:
    kind: str  # h1, h2, num, pnum, circ
    number: int
    marker: str
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)  # first line without its marker, then the rest
    labels: list[tuple[int, str]] = field(default_factory=list)  # 责任单位：… lines after the paragraph
    parent: "Block | None" = None  # the section above: an h1 or h2
    host: "Block | None" = None  # for nested measures: the task they belong to
    children: list["Block"] = field(default_factory=list)  # nested measures

    @property
    def text(self) -> str:
        return "\n".join(t for _, t in self.lines)


@dataclass
class Sentence:
    text: str
    line: int
    ann: int | None = None  # index of the annotation that covers it


def parse_text(text: str) -> dict:
    """Read a plan written as text; raise PlanImportError when it holds no recognisable tasks."""
    return _Reader(str(text)).read()


def _depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch in OPEN or ch == "《":
            depth += 1
        out.append(depth)
        if (ch in CLOSE or ch == "》") and depth:
            depth -= 1
    return out


def _split_inline(line: str, run_on: bool = False) -> list[str]:
    """Break a line before section, task and label markers that follow a sentence end.

    run_on: the whole document came as one line, so a list may also start right after a heading (主要任务1.…).
    """
    depths = _depths(line)
    cuts = []
    for m in INLINE_MARKER.finditer(line):
        i = m.start()
        if i == 0 or depths[i] != (1 if line[i] in OPEN else 0):
            continue
        starts_list = run_on and "\u4e00" <= line[i - 1] <= "\u9fff" and (
            re.match(r"(?:1\s*[.．、﹒]|[（(][一1][）)])", m.group(0))
            or _heading_runs_into_item(line[cuts[-1] if cuts else 0:i], m.group(0)))
        spaced_label = line[i - 1].isspace() and LABEL_RE.match(m.group(0))
        before = line[:i].rstrip()[-1:] or line[i - 1]
        if before in END or before in "：:" or starts_list or spaced_label:
            if line[i - 1] in CLOSE and depths[i - 1] != 1:
                continue
            cuts.append(i)
    parts, prev = [], 0
    for c in cuts:
        parts.append(line[prev:c])
        prev = c
    parts.append(line[prev:])
    if run_on:
        parts = [q for p in parts for q in HEADING_RUN_ON.sub(r"\1\n", p).split("\n")]
    return [p for p in parts if p.strip()]


def _heading_runs_into_item(segment: str, marker: str) -> bool:
    """二、进一步简化审批（四）进一步降低… : a part's heading (short, no sentence end) runs straight into an
    item that goes on numbering from the part before."""
    return bool(H1_RE.match(segment)) and len(segment) <= 40 and not any(c in END for c in segment) \
        and not H1_RE.match(marker) and not LABEL_RE.match(marker)


_TITLE_RUNS_ON = re.compile(rf"((?:{alternation(RUN_ON_TITLE_WORDS)})[》」”)）]*)(?={alternation(OPENING_WORDS)})")


def _split_preamble(line: str) -> list[str]:
    """A preamble run together on one line: split off the addressee, the date, the public note and the title."""
    line = re.sub(r"^(各[^。：:\n]{1,60}[：:])", r"\1\n", line)
    line = re.sub(rf"(?<=[。\n])\s*({CN_DATE})", r"\n\1\n", line)
    line = re.sub(r"([（(]此件[^）)\n]{0,10}[）)])", r"\n\1\n", line)
    line = _TITLE_RUNS_ON.sub(r"\1\n", line, count=1)
    return [p.strip() for p in line.split("\n") if p.strip()]


def _strip_marker(line: str) -> tuple[str, int, str, str] | None:
    """(kind, number, marker as written in the JSON, rest) for a marker line, else None."""
    for kind, regex in (("h1", H1_RE), ("h2", H2_RE), ("pnum", PNUM_RE), ("num", NUM_RE), ("circ", CIRC_RE)):
        m = regex.match(line)
        if not m:
            continue
        raw = m["n"]
        if kind == "circ":
            number = CIRCLED.index(raw) + 1
        else:
            number = cn_to_int(raw)
        if number is None:
            return None
        marker = {"h1": f"{raw}、", "h2": f"（{raw}）", "num": f"{number}.", "pnum": f"（{number}）"}.get(kind, raw)
        return kind, number, marker, m["rest"].strip()
    return None


def _clean_title(text: str) -> str:
    return text.strip().rstrip("。；;，,：:").strip()


class _Reader:
    def __init__(self, text: str):
        self.source = text
        self.warnings: list[dict] = []

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append({"line": line, "message": message})

    # -- lines -------------------------------------------------------------------------------------
    def lines(self) -> list[tuple[int, str]]:
        text = self.source.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").replace("\xa0", " ")
        text = BRACKET_LABEL.sub(r"\1：", text.replace("\ufeff", "").replace("\x00", ""))
        text = ASCII_FULL_STOP.sub("。", text)
        raw = _unwrap([(n, t.strip()) for n, t in enumerate(text.split("\n"), start=1)])
        raw = [(n, t) for n, t in raw if t and not PAGE_NUMBER.match(t)]
        one_piece = len(raw) <= 3
        if one_piece:
            # Copied from a web page: the paragraphs survive only as spaces between them.
            raw = [(n, p) for n, t in raw for p in PARAGRAPH_GAP.split(t) if p]
        out: list[tuple[int, str]] = []
        for n, t in raw:
            pieces = _split_inline(t, run_on=one_piece)
            if one_piece and pieces and _strip_marker(pieces[0]) is None:
                pieces = _split_preamble(pieces[0]) + pieces[1:]
            out += [(n, p.strip()) for p in pieces if p.strip()]
        return out

    # -- preamble ----------------------------------------------------------------------------------
    def take_preamble(self, pre: list[tuple[int, str]], tail: list[tuple[int, str]]) -> None:
        preamble = read_preamble([t for _, t in pre], [t for _, t in tail])
        self.issued_on = preamble.issued_on
        self.issuer = preamble.issuer or ""
        self.title_candidates = preamble.titles  # the titles read, a cover notice's before the plan's own
        self.title = preamble.title
        if not self.title:
            self.warn(pre[0][0] if pre else None, NO_TITLE)

    # -- structure ---------------------------------------------------------------------------------
    def blocks(self, body: list[tuple[int, str]]) -> list[Block]:
        blocks: list[Block] = []
        h1 = h2 = None
        for n, t in body:
            marked = _strip_marker(t)
            digits = NUM_BEFORE_DIGITS.match(t) if marked is None else None
            last = next((b for b in reversed(blocks) if b.kind == "num"), None) if digits else None
            if last is not None and int(digits["n"]) == last.number + 1:
                # 11.121人才梯队项目… after item 10: item 11, whose text starts with a number.
                marked = ("num", last.number + 1, f"{last.number + 1}.", digits["rest"].strip())
            if marked is None:
                if blocks:
                    if LABEL_RE.match(t):
                        blocks[-1].labels.append((n, t))
                    else:
                        blocks[-1].lines.append((n, t))
                continue
            kind, number, marker, rest = marked
            block = Block(kind, number, marker, n, [(n, rest)])
            if kind == "h1":
                h1, h2 = block, None
            elif kind == "h2":
                block.parent = h1
                h2 = block
            else:
                block.parent = h2 or h1
            blocks.append(block)
        return blocks

    def nest(self, blocks: list[Block], parsed: dict) -> None:
        """Attach nested measures (具体措施：1．2．, （1）, ①) to the task that introduces them.

        Items under a heading that mostly carry their own units are the plan's tracked items, not measures
        of the heading, unless the heading calls them measures (具体措施：): the heading stays their section."""
        host: Block | None = None
        task: Block | None = None
        for i, b in enumerate(blocks):
            if b.kind in ("h1", "h2"):
                opens = _opens_list(b) and (_names_measures(b) or not _items_carry_units(blocks[i + 1:], parsed))
                host = b if opens else None
                task = b
                continue
            if host is not None and (host.kind in ("h1", "h2") or b.kind != host.kind):
                b.host = host
                host.children.append(b)
                continue
            if b.kind in ("pnum", "circ") and task is not None and task.kind == "num":
                b.host = task
                task.children.append(b)
                continue
            host = b if _opens_list(b) else None
            task = b

    # -- annotations -------------------------------------------------------------------------------
    def sentences(self, block: Block) -> tuple[list[Sentence], list[Annotation]]:
        """Sentences of a block's own text, each tied to the annotation that follows it."""
        sentences: list[Sentence] = []
        anns: list[Annotation] = []
        pending: list[Sentence] = []
        buf: list[str] = []
        buf_line = block.line

        def flush(line: int) -> None:
            s = "".join(buf).strip().lstrip("，,；;、：: ")
            buf.clear()
            if FIRST_IS_LEAD.search(s):
                return  # the document's rule on leads is not a measure
            if s.strip("。；;，,！？!? ：:"):
                sentence = Sentence(s, line)
                sentences.append(sentence)
                pending.append(sentence)
            elif s and sentences:
                sentences[-1].text += s

        def attach(ann: Annotation) -> None:
            anns.append(ann)
            for s in pending:
                s.ann = len(anns) - 1
            pending.clear()

        for n, t in block.lines:
            depths = _depths(t)
            i = 0
            buf_line = n
            while i < len(t):
                ch = t[i]
                if ch in OPEN and depths[i] == 1:
                    j = i + 1
                    while j < len(t) and depths[j] >= 1 and not (t[j] in CLOSE and depths[j] == 1):
                        j += 1
                    group = t[i:j + 1]
                    closes = t[j + 1:j + 2] in ("", "。", "；", ";")
                    ann = parse_annotation(group, first_is_lead=self.first_is_lead, bare=closes)
                    if ann is not None:
                        flush(n)
                        target = pending[-1] if pending else (sentences[-1] if sentences else None)
                        if ann.note and target is not None:
                            target.text += f"（{ann.note}）"
                        if ann.units:
                            attach(ann)
                    else:
                        inner = group[1:-1]
                        if LABEL_RE.search(inner) or ANNOTATION_HINT.search(inner):
                            self.warn(n, f"无法识别的责任单位标注“{group}”，请在预览中核对。")
                        buf.append(group)
                    i = j + 1
                    continue
                buf.append(ch)
                if ch in "。！？!?" or (ch in "；;" and ENUMERATED_CLAUSE.match(t, i + 1)):
                    flush(n)  # a sentence, or one of 一是…；二是…
                i += 1
            flush(buf_line)
        if block.labels:
            joined = "；".join(t for _, t in block.labels)
            ann = parse_annotation(joined, first_is_lead=self.first_is_lead)
            if ann is None:
                self.warn(block.labels[0][0], f"无法识别的责任单位“{joined}”，请在预览中核对。")
            else:
                if ann.note and sentences:
                    sentences[-1].text += f"（{ann.note}）"
                if ann.units:
                    attach(ann)
        return sentences, anns

    # -- the whole document ------------------------------------------------------------------------
    def read(self) -> dict:
        if not self.source.strip():
            raise PlanImportError("内容为空，没有可导入的方案文本。")
        self.first_is_lead = bool(FIRST_IS_LEAD.search(self.source))
        lines = [(n, t) for n, t in self.lines() if not _only_rule_on_leads(t)]
        start = next((i for i, (_, t) in enumerate(lines) if _strip_marker(t) and not CIRC_RE.match(t)), None)
        if start is None:
            raise PlanImportError("未找到可识别的任务：文中没有“一、”“（一）”“1.”这样的编号条目。")
        start = _after_cover_notice(lines, start)
        pre, body = lines[:start], lines[start:]
        self.take_preamble(pre, body)
        while body and _is_sign_off(body[-1][1]):
            body = body[:-1]
        blocks = self.blocks(body)
        parsed = {id(b): self.sentences(b) for b in blocks}
        self.nest(blocks, parsed)
        self.doc_units = list(dict.fromkeys(u for _, anns in parsed.values() for a in anns for u in a.units))
        tasks = self.choose_tasks(blocks, parsed)
        if not tasks:
            raise PlanImportError(
                "未找到可识别的任务：文中的编号条目都没有责任单位（如“责任单位：”“牵头单位：”或“（××负责）”）。"
            )
        numbered = any(b.kind in ("num", "pnum") for b in tasks)
        title_year = re.search(r"(?<!\d)(\d{4})\s*年", ascii_digits(self.title))
        self.base_year = self.issued_on.year if self.issued_on else (int(title_year.group(1)) if title_year else None)
        if self.base_year is None:
            # Neither a date nor a year in the title: the first year the plan's text names is its context.
            first = re.search(r"(?<!\d)(20\d{2}|19\d{2})\s*年", strip_titles(ascii_digits(self.source)))
            self.base_year = int(first.group(1)) if first else None
        self.inherited: set[int] = set()
        out_tasks = [self.task_json(b, parsed, numbered) for b in tasks]
        task_ids = {id(b) for b in tasks}
        parents = {id(b.parent) for b in blocks if b.parent is not None}
        with_tasks = {id(_root(b)) for b in tasks}
        for b in blocks:
            if id(b) not in task_ids and b.host is None and parsed[id(b)][1] and id(b) not in self.inherited:
                self.warn(b.line, f"“{b.marker}{_heading(b, parsed)}”后的责任单位没有可归属的任务，请在预览中核对。")
            elif (b.kind in ("num", "pnum") and id(b) not in task_ids and b.host is None and id(b) not in parents
                  and id(_root(b)) in with_tasks):
                # An item among the tasks that could not be placed: not a task (no units) and no task's measure.
                self.warn(b.line, f"条目“{b.marker}{_heading(b, parsed)}”未作为任务导入（没有责任单位），请在预览中核对。")
        sections = []
        for b in blocks:
            if b.kind in ("h1", "h2") and id(b) not in task_ids and b.host is None:
                sections.append({
                    "number": b.marker,
                    "title": _heading(b, parsed),
                    "parent": b.parent.marker if b.kind == "h2" and b.parent else None,
                })
        return {
            "title": self.title,
            "issuer": self.issuer,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "ends_on": ends_on.isoformat() if (ends_on := self.ends_on(pre, blocks, task_ids, out_tasks)) else None,
            "source": {"format": "txt", "table": None},
            "sections": sections,
            "tasks": out_tasks,
            "warnings": self.warnings,
        }

    def choose_tasks(self, blocks: list[Block], parsed: dict) -> list[Block]:
        """Which blocks are tasks: those carrying units or nested measures, and their unlabelled siblings."""
        def has_units(b: Block) -> bool:
            return bool(parsed[id(b)][1]) or any(parsed[id(c)][1] for c in b.children)

        top = [b for b in blocks if b.host is None]
        items = [b for b in top if b.kind in ("num", "pnum")]
        parents = {id(b.parent) for b in top if b.parent is not None}
        if not any(has_units(b) for b in blocks):
            return items
        # A heading with items under it is a section even when it carries units: its items inherit them.
        chosen = {id(b) for b in top if has_units(b) and (b.kind in ("num", "pnum") or id(b) not in parents)}
        # A numbered item, or a heading among task headings, that lacks units is still a task.
        for level in ("num", "pnum", "h2", "h1"):
            same = [b for b in top if b.kind == level]
            marked = [i for i, b in enumerate(same) if id(b) in chosen]
            if not marked:
                continue
            marked_parents = {id(same[j].parent) for j in marked}
            first_section = _root(same[marked[0]])
            for i, b in enumerate(same):
                if id(b) in chosen or id(b) in parents:
                    continue
                inside = marked[0] < i < marked[-1]
                after_first = level in ("num", "pnum") and i > marked[0] and _root(b) is not first_section
                same_section = level != "h1" and id(b.parent) in marked_parents
                if inside or after_first or same_section:
                    chosen.add(id(b))
        return [b for b in top if id(b) in chosen]

    def task_json(self, block: Block, parsed: dict, numbered: bool) -> dict:
        sentences, anns = parsed[id(block)]
        children = [(c, *parsed[id(c)]) for c in block.children]
        leads: list[str] = []
        units: list[str] = []
        for ann in anns + [a for _, _, ca in children for a in ca]:
            leads += [u for u in ann.leads if u not in leads]
        for ann in anns + [a for _, _, ca in children for a in ca]:
            units += [u for u in ann.units if u not in units]
        units = leads + [u for u in units if u not in leads]
        section = block.parent
        while not units and section is not None:
            # A task without units of its own takes those written under its section's heading.
            if parsed[id(section)][1]:
                self.inherited.add(id(section))
                for ann in parsed[id(section)][1]:
                    leads += [u for u in ann.leads if u not in leads]
                    units += [u for u in ann.units if u not in units]
                units = leads + [u for u in units if u not in leads]
            section = section.parent
        title = _heading(block, parsed)
        if not units:
            self.warn(block.line, f"任务“{title}”未找到责任单位，请在预览中补填。")
        shared = {}
        for s in sentences:
            shared[s.ann] = shared.get(s.ann, 0) + 1
        # (text, line, its annotation, whether that annotation is the sentence's own)
        measures_src: list[tuple[str, int, Annotation | None, bool]] = []
        # The title sentence is a measure only when it stands alone or carries its own annotation.
        own_first = bool(sentences) and sentences[0].ann is not None and shared[sentences[0].ann] == 1 and len(anns) > 1
        body = sentences if own_first or len(sentences) <= 1 else sentences[1:]
        for s in body:
            if children and s.ann is None:
                continue
            if children and s.text.rstrip().endswith(("：", ":")):
                continue
            own = s.ann is not None and len(anns) > 1 and shared[s.ann] == 1
            measures_src.append((s.text, s.line, anns[s.ann] if s.ann is not None else None, own))
        for child, csents, canns in children:
            text = "".join(s.text for s in csents).strip()
            if not text:
                continue
            measures_src.append((text, child.line, canns[-1] if canns else None, bool(canns)))
        measures = []
        year = None
        for m_text, line, ann, own_ann in measures_src:
            clean = m_text.strip()
            own = ann.units if ann else units
            subject = None if own_ann else _subject(clean, units + self.doc_units)
            dl = parse_deadline(clean, year_hint=year or self.base_year, issued_on=self.issued_on)
            mentioned = re.findall(r"(\d{4})年", strip_titles(ascii_digits(clean)))
            if mentioned:
                year = int(mentioned[-1])
            if dl.unreadable:
                self.warn(line, f"无法识别的时限“{dl.phrase}”，请在预览中核对。")
            measures.append({
                "text": clean,
                "units": subject or list(own),
                "due": dl.due.isoformat() if dl.due else None,
                "due_phrase": dl.phrase,
                "recurrence": dl.recurrence,
                "target": parse_target(clean),
                "ongoing": dl.ongoing,
            })
        if not measures:
            measures.append({
                "text": title, "units": list(units), "due": None, "due_phrase": None,
                "recurrence": None, "target": None, "ongoing": False,
            })
        section = None
        if block.parent is not None:
            section = block.parent.marker
        return {
            "number": block.number if (numbered and block.kind in ("num", "pnum")) or not numbered else None,
            "title": title,
            "section": section,
            "line": block.line,
            "lead_units": leads,
            "units": units,
            "measures": measures,
        }

    def ends_on(self, pre, blocks, task_ids, tasks) -> datetime.date | None:
        general = [t for _, t in pre]
        with_tasks = {id(_root(x)) for x in blocks if id(x) in task_ids}
        for b in blocks:
            # The general requirements: first-level sections holding no task (总体要求, 工作目标…).
            if b.kind == "h1" and id(b) not in with_tasks and id(b) not in task_ids:
                general.append(b.text)
        years = [y for y in until_years(general) if MIN_YEAR <= y <= MAX_YEAR]
        if years:
            return datetime.date(max(years), 12, 31)
        ranged = title_range([self.title] + self.title_candidates[::-1])
        if ranged:
            return datetime.date(ranged[1], 12, 31)
        # The plan runs at least to the end of its year and to its latest deadline.
        ends = [
            datetime.date.fromisoformat(x["due"]) for t in tasks for x in t["measures"] if x["due"] and not x["recurrence"]
        ]
        if self.base_year:
            ends.append(datetime.date(self.base_year, 12, 31))
        if ends:
            return max(ends)
        self.warn(None, NO_PERIOD)  # never guessed from today's year: the preview asks
        return None


def _heading(block: Block, parsed: dict) -> str:
    """A block's title: its text up to the first 。, annotations left out."""
    sentences = parsed[id(block)][0]
    first = sentences[0].text if sentences else block.lines[0][1]
    return _clean_title(re.split(r"[。！？!?]", first)[0]) or _clean_title(block.text)[:60]


def _width(line: str) -> int:
    """Printed width: ASCII half, Chinese characters and punctuation (“”、。) full."""
    return sum(1 if ord(ch) < 0x2010 else 2 for ch in line)


def _unwrap(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join the lines of a text copied out of a PDF, where every full line breaks mid-sentence.

    Such a text has several lines as wide as its widest that do not end a sentence; a full line that
    does not end one runs on into the next line, unless that line starts a new item or is blank."""
    widths = [_width(t) for _, t in lines if t and not PAGE_NUMBER.match(t)]
    if not widths:
        return lines
    full = max(widths) - 4
    broken = [t for _, t in lines if _width(t) >= full and not _ends_line(t)]
    if len(broken) < 3 or len(broken) * 2 < sum(w >= full for w in widths):
        return lines
    out: list[tuple[int, str]] = []
    run_on = False
    for n, t in lines:
        if PAGE_NUMBER.match(t):
            continue
        if run_on and t and _strip_marker(t) is None and not LABEL_RE.match(t):
            out[-1] = (out[-1][0], out[-1][1] + t)
        else:
            out.append((n, t))
        run_on = bool(t) and _width(out[-1][1].rsplit("\n", 1)[-1]) >= full and not _ends_line(t)
    return out


def _ends_line(line: str) -> bool:
    return line[-1:] in END or line[-1:] in "：:】" or bool(TITLE_END.search(line))


def _is_sign_off(line: str) -> bool:
    """Lines that close a document after its last task: signature, date, public note, copy list."""
    return bool(
        DATE_LINE.match(ascii_digits(line)) or ORG_LINE.match(line) or PUBLIC_NOTE.match(line)
        or SIGN_OFF.match(line) or PRINTED_ON.search(ascii_digits(line))
    )


def _opens_list(b: Block) -> bool:
    """A paragraph ending in 具体措施： / 主要措施如下： introduces nested measures."""
    return bool(b.lines) and b.lines[-1][1].rstrip().endswith(("：", ":")) and not LABEL_RE.search(b.lines[-1][1][-8:])


def _after_cover_notice(lines: list[tuple[int, str]], start: int) -> int:
    """Where the plan starts when a cover notice with numbered paragraphs of its own (一、高度重视…) comes
    first: after the notice's signature and date, at the first heading below the plan's title. The notice
    names no units; else the plan starts at start."""
    for i in range(start + 1, len(lines) - 1):
        if LABEL_RE.search(lines[i][1]):
            return start
        if not (DATE_LINE.match(ascii_digits(lines[i][1])) and ORG_LINE.match(lines[i - 1][1])):
            continue
        rest = next((j for j in range(i + 1, len(lines)) if _strip_marker(lines[j][1]) and not CIRC_RE.match(lines[j][1])),
                    None)
        if rest is not None and any(NAMES_A_PLAN.search(t) for _, t in lines[i + 1:rest]):
            return rest
        return start
    return start


def _only_rule_on_leads(line: str) -> bool:
    """A line that only states the document's rule on leads (（排在第一位的部门为牵头部门）), not an item
    or an annotation that states it on the way."""
    rule = FIRST_IS_LEAD.search(line)
    return bool(rule) and not RULE_LINE_REST.sub("", line[:rule.start()] + line[rule.end():])


def _names_measures(b: Block) -> bool:
    """A heading whose list intro names its items measures (具体措施：, 主要举措如下：)."""
    return bool(MEASURE_INTRO.search(b.lines[-1][1]))


def _items_carry_units(following: list[Block], parsed: dict) -> bool:
    """Whether most of the items listed under a heading (up to the next heading) carry their own units."""
    items = []
    for b in following:
        if b.kind in ("h1", "h2"):
            break
        if not items or b.kind == items[0].kind:
            items.append(b)
    return 2 * sum(bool(parsed[id(b)][1]) for b in items) > len(items)


def _root(b: Block) -> Block | None:
    while b.parent is not None:
        b = b.parent
    return b if b.kind == "h1" else None


def _subject(sentence: str, known_units: list[str]) -> list[str] | None:
    """The units a sentence names as its subject (区司法局适时组织… -> [区司法局]), else None.

    A subject is a unit named in the document's annotations, or a name of a level (区, 市, 各…) ending like
    an organisation (局, 委, 办, 政府, …), at the very start of the sentence; several may be joined by 、和与及.
    """
    known = sorted((u for u in known_units if u), key=len, reverse=True)
    rest, found = sentence, []
    while rest:
        hit = next((u for u in known if rest.startswith(u)), None)
        if hit is None:
            m = ORG_SUBJECT.match(rest)
            if m is None or NOT_IN_SUBJECT.search(m["name"]) or not m["name"].startswith(SUBJECT_PREFIXES):
                break
            hit = m["name"]
        found.append(hit)
        rest = rest[len(hit):]
        if len(rest) > 1 and rest[0] in SUBJECT_LINKS:
            rest = rest[1:]
            continue
        break
    if not found or not rest or rest[0] in "。；;":
        return None
    return found
