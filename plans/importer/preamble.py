"""The preamble of a plan: its title, issuing body and issue date.

They stand before the first heading (a masthead, a cover notice, the title, a date line) or close the
document (the signature and its date). Plans written as prose (text.py) and task tables (tables.py) are
read by the same rules here.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .deadlines import MAX_YEAR, MIN_YEAR
from .numerals import ascii_digits
from .vocabulary import (
    APPROVAL_WORDS,
    CN_NUMBERS,
    FIRST_IS_LEAD,
    ISSUE_VERBS,
    ISSUER_ENDINGS,
    MASTHEAD_STARTS,
    PLAN_WORDS,
    SIGN_OFF_STARTS,
    TABLE_WORDS,
    UNTIL_WORDS,
    alternation,
)

_TITLE_TAIL = r"[》」”)）]*(?:[（(][^（）()]{1,20}[）)])?$"
TITLE_END = re.compile(rf"(?:{alternation(PLAN_WORDS)}){_TITLE_TAIL}")  # a line ending like a title (…实施方案)
NAMES_A_PLAN = re.compile(rf"(?:{alternation(PLAN_WORDS + TABLE_WORDS)}){_TITLE_TAIL}")  # and …任务分工表
DATE_LINE = re.compile(r"^[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[）)]?$")
NAMED_IN_NOTICE = re.compile(rf"《([^《》]{{4,100}})》[^。]{{0,6}}(?:{alternation(ISSUE_VERBS)})")  # 现将《X》印发给你们
NOTICE_OF = re.compile(rf"^[^《》]{{0,40}}关于(?:{alternation(ISSUE_VERBS)})(.+?)的?通知$")
PRINTED_ON = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$")  # the print line closing a document
PUBLIC_NOTE = re.compile(r"^[（(]此件[^）)]{0,10}[）)]$")
MASTHEAD = re.compile(rf"文件$|〔\d{{4}}〕\d+号|\[\d{{4}}\]\d+号|^(?:{alternation(MASTHEAD_STARTS)})|^附件\d*$|\||｜")
ORG_LINE = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,40}}(?:{alternation(ISSUER_ENDINGS)})$")
TITLE_ISSUER = re.compile(rf"^([\u4e00-\u9fff（）()]{{2,40}}?(?:{alternation(ISSUER_ENDINGS)}))关于")
APPROVED_BY = re.compile(rf"经([\u4e00-\u9fff]{{2,20}}?)(?:{alternation(APPROVAL_WORDS)})")
TITLE_RANGE = re.compile(r"(\d{4})\s*(?:—+|－|-|~|～|–|至|到)\s*(\d{4})\s*年")
GENERAL_END = re.compile(rf"(?:{alternation(UNTIL_WORDS)})\s*(\d{{4}})\s*年")
SIGN_OFF = re.compile(rf"^(?:{alternation(SIGN_OFF_STARTS)})")
# A section heading (一、 （一） 第一、): the preamble ends before the first.
SECTION_HEADING = re.compile(rf"^\s*(?:第?(?P<top>[{CN_NUMBERS}]{{1,3}})[、．.]|[（(](?P<sub>[{CN_NUMBERS}]{{1,3}})[)）])\s*")
_SPACES = re.compile(r"[\s\u3000]+")
# Lines that look like a title but are not: a clause (…；), an annex number, a bracketed note.
_NOT_TITLE = re.compile(r"[；;]$|^附件\s*[0-9０-９一二三四五六七八九十]*\s*[:：]?$|^[（(].*[)）]$")
# A plan states no period (到2025年, （2024—2026年）) and no deadline: its end is asked for, never guessed.
NO_PERIOD = "文中未写明方案的实施期限，请在预览中填写截止日期。"
NO_TITLE = "未找到方案标题，请在预览中补填。"
CLOSING_LINES = 6  # the signature and its date are among the last lines of a document


@dataclass
class Preamble:
    title: str  # "" when no line reads as a title
    titles: list[str] = field(default_factory=list)  # the lines read as titles, in order (a cover notice first)
    issuer: str | None = None
    issued_on: datetime.date | None = None
    first_is_lead: bool = False  # the document's rule 列第一位者为牵头单位


def line_date(m: re.Match) -> datetime.date | None:
    """The date of a DATE_LINE match, None when it is not a real day (2024年2月30日)."""
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def read_preamble(lead_in: Sequence[str], closing: Sequence[str] = ()) -> Preamble:
    """Title, issuer and issue date from the lines before the tasks (lead_in) and after them (closing).

    The issue date is the first date line of the lead-in, else of the document's last lines; the issuer
    is the body signing above a date line, else the one a title names (国务院办公厅关于印发…), else the one
    that approved the plan (经区政府同意), else the body of the masthead (区政府文件).
    """
    lead_in = [line.strip() for line in lead_in if line.strip()]
    closing = [line.strip() for line in closing if line.strip()][-CLOSING_LINES:]
    preamble = Preamble(title="", first_is_lead=any(FIRST_IS_LEAD.search(t) for t in [*lead_in, *closing]))
    # Before a table, the lines may hold a whole plan in prose: its title stands before its first heading.
    heading = next((i for i, t in enumerate(lead_in) if SECTION_HEADING.match(t)), len(lead_in))
    preamble.title = title_of(lead_in[:heading], preamble.titles)
    preamble.issued_on, preamble.issuer = _issue(lead_in, closing)
    return preamble


def _issue(lead_in: list[str], closing: list[str]) -> tuple[datetime.date | None, str | None]:
    issued_on = issuer = None
    for lines in (lead_in, closing):
        for i, line in enumerate(lines):
            m = DATE_LINE.match(ascii_digits(line))
            if not m:
                continue
            signed = lines[i - 1] if i and ORG_LINE.match(lines[i - 1]) else None
            if issued_on is None and (date := line_date(m)):
                issued_on, issuer = date, signed or issuer
            issuer = issuer or signed
    if issuer:
        return issued_on, issuer
    # 国务院办公厅关于印发…的通知: the body the title names issued it, though 经国务院同意 names another.
    titled = next((m[1] for t in lead_in if (m := TITLE_ISSUER.match(_SPACES.sub("", t)))), None)
    if titled:
        return issued_on, titled
    approved = next((m[1] for t in lead_in if (m := APPROVED_BY.search(t))), None)
    masthead = [t[:-2] for t in lead_in if t.endswith("文件") and len(t) <= 40]
    return issued_on, approved or (masthead[-1] if masthead else None)


def _usable(line: str) -> bool:
    """A line that can be (part of) a title: no sentence, no label, no date, masthead or note."""
    return not (
        "。" in line or line.endswith(("：", ":")) or DATE_LINE.match(ascii_digits(line)) or PUBLIC_NOTE.match(line)
        or MASTHEAD.search(line) or len(line) > 100
    )


def _open(line: str) -> bool:
    return line.count("《") > line.count("》") or line.count("（") + line.count("(") > line.count("）") + line.count(")")


def _title_lines(lines: Sequence[str]) -> list[str]:
    """The lines without spaces, a title broken over lines joined: a line with an open 《 or bracket, or
    ending 关于印发 / 关于, runs on into the next."""
    out: list[str] = []
    for raw in lines:
        line = _SPACES.sub("", raw)
        if not line:
            continue
        last = out[-1] if out else ""
        if last and len(last) + len(line) <= 100 and "。" not in line and (
            _open(last) or last.endswith(("关于印发", "关于"))
        ):
            out[-1] = last + line
        else:
            out.append(line)
    return out


def title_of(lines: Sequence[str], titles: list[str] | None = None) -> str:
    """The plan's title among lines: the last line naming a plan (…方案, …台账, …分工表), a title in two
    lines joined, read out of a cover notice (关于印发《X》的通知 -> X); else the plan a notice names
    (现将《X》印发给你们); else the first short line that reads as a title; "" when none does.
    titles collects every line read as a title, in order."""
    titles = [] if titles is None else titles
    lines = _title_lines(lines)
    found = ""
    for i, line in enumerate(lines):
        if not _usable(line):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt and _usable(nxt) and NAMES_A_PLAN.search(nxt) and (not NAMES_A_PLAN.search(line) or _open(line)):
            found = line + nxt
            titles.append(found)
        elif NAMES_A_PLAN.search(line) and not (found and found.endswith(line)):
            found = line
            titles.append(found)
    if not found:
        named = next((m[1] for t in lines if (m := NAMED_IN_NOTICE.search(t))), None)
        return named or next((t for t in lines if _usable(t) and 4 <= len(t) <= 60 and not _NOT_TITLE.search(t)
                              and "：" not in t and ":" not in t), "")
    m = NOTICE_OF.search(found)
    return re.sub(r"[《》]", "", m[1]) if m else found


def until_years(lines: Sequence[str]) -> list[int]:
    """The years lines say the plan runs to (到2025年), titles of documents and their numbers left out."""
    return [int(y) for t in lines for y in GENERAL_END.findall(strip_titles(ascii_digits(t)))]


def title_range(titles: Sequence[str]) -> tuple[int, int] | None:
    """The years a plan's title spans (…三年行动计划（2024—2026年）), from the first title naming them."""
    for title in titles:
        m = TITLE_RANGE.search(ascii_digits(title))
        if m and MIN_YEAR <= int(m[2]) <= MAX_YEAR:
            return int(m[1]), int(m[2])
    return None


def strip_titles(text: str) -> str:
    """The text without the titles of documents (《…》) and document numbers (〔2024〕3号)."""
    return re.sub(r"《[^《》]*》|〔\d{4}〕\d*号?", "", text)
