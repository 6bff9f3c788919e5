"""Deadline, recurrence and numeric-target phrases of plan measures.

parse_deadline("2024年6月底前完成") -> Deadline(due=2024-06-30, phrase="2024年6月底前", ...).
Years are taken from the phrase itself, else from year_hint (the year in context), else from
issued_on; relative phrases (30日内) count from issued_on.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from .numerals import CN_NUMERAL, ascii_digits, cn_to_int
from .vocabulary import (
    AFTER_DATE_CUES,
    AFTER_MONTH_WORDS,
    AFTER_YEAR_WORDS,
    BEFORE_DATE_CUES,
    BEFORE_WORDS,
    BY_YEAR_CUES,
    DURATION_CUES,
    EVENT_CUES,
    MONTH_PART_DAYS,
    NEXT_YEAR_WORDS,
    ONGOING_AFTER_LABEL,
    ONGOING_PHRASES,
    ONGOING_WORDS,
    PLAN_ISSUE_EVENTS,
    RECURRENCE_WORDS,
    RELATIVE_UNITS,
    TARGET_CUES,
    TARGET_UNITS,
    THIS_YEAR_WORDS,
    TIME_LABELS,
    WITHIN_THIS_YEAR,
    WITHIN_WORDS,
    YEAR_END_WORDS,
    alternation,
)

MIN_YEAR, MAX_YEAR = 1950, 2200
# The year a recurring phrase without one (每年2月底前) is read in: a leap year, so 2月29日 is a date.
ANCHOR_YEAR = 2000


@dataclass(frozen=True)
class Deadline:
    due: datetime.date | None = None
    phrase: str | None = None
    recurrence: str | None = None
    ongoing: bool = False

    @property
    def unreadable(self) -> bool:
        """A deadline phrase was seen but no date could be worked out from it."""
        return self.phrase is not None and self.due is None and not self.ongoing and not self.recurrence


_RECURRENCE = [(name, re.compile(alternation(words))) for name, words in RECURRENCE_WORDS.items()]
_ONGOING = re.compile(
    rf"{alternation(ONGOING_PHRASES)}|^(?:{alternation(ONGOING_WORDS)})(?:[\u4e00-\u9fff]{{2}})?$|"
    rf"(?:{alternation(TIME_LABELS)})[:：]\s*(?:{alternation(ONGOING_AFTER_LABEL)})"
)
_BEFORE = rf"(?:{alternation(BEFORE_WORDS)})"

_SEP = r"\s*(?:至|到|—+|－|-|~|～|–)\s*"
_Y = r"(?P<y>\d{4})年"
# Ranges: the deadline is the end of the range.
_RANGE_DAY = re.compile(
    r"(?P<y>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日?" + _SEP + r"(?:(?P<y2>\d{4})年)?(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日"
)
_RANGE_MONTH = re.compile(r"(?P<y>\d{4})年(?P<m1>\d{1,2})月" + _SEP + r"(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月(?!\d|份?\d)")
_RANGE_YEAR = re.compile(r"(?<!\d)(?P<y1>\d{4})年?" + _SEP + r"(?P<y2>\d{4})年(?![\d月上下第])")
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?<!\d)(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]" + _BEFORE + "?")
_NUMERIC_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})\s*[.\-/．]\s*(?P<m>\d{1,2})(?:\s*[.\-/．]\s*(?P<d>\d{1,2}))?(?![\d.])")
_MONTHLY_DAY = re.compile(r"每个?月(?P<d>\d{1,2})[日号]" + _BEFORE + "?")
_MONTH = re.compile(
    r"(?:(?P<y>\d{4})年)?(?<!\d)(?P<m>\d{1,2})月份?"
    rf"(?P<part>{alternation(MONTH_PART_DAYS)})?(?P<after>{alternation(AFTER_MONTH_WORDS)})?"
)
_HALF = re.compile(r"(?:(?P<y>\d{4})年)?(?P<half>上半年|下半年)(?:末|底)?")
_QUARTER = re.compile(r"(?<!每)(?:(?P<y>\d{4})年)?第?(?P<q>[一二三四1-4])季度(?:末|底)?")
_YEAR_END = re.compile(
    rf"(?:(?P<y>\d{{4}})|(?P<rel>{alternation(THIS_YEAR_WORDS + NEXT_YEAR_WORDS)}|年))(?:年)?"
    rf"(?:{alternation(YEAR_END_WORDS)}){_BEFORE}?"
    r"|(?<![\d" + CN_NUMERAL + rf"两几多半])(?P<within>{alternation(THIS_YEAR_WORDS)}|年)内"
)
_BY_YEAR = re.compile(
    rf"(?:(?P<pre>{alternation(BY_YEAR_CUES)})\s*(?P<y>\d{{4}})年(?![\d月上下第初中])"
    rf"|(?P<y2>\d{{4}})年(?:{alternation(AFTER_YEAR_WORDS)})(?![\d月]))"
)
_RELATIVE = re.compile(
    r"(?<![\d月年])(?P<n>\d{1,4}|[" + CN_NUMERAL + r"]{1,4})个?"
    rf"(?P<unit>{alternation(RELATIVE_UNITS)})(?:{alternation(WITHIN_WORDS)})"
)
# A time limit to be reached (压缩至15个工作日以内) is a target, not a deadline.
_DURATION_CUE = re.compile(rf"(?:{alternation(DURATION_CUES)})\s*$")
# An event the days count from, other than the plan's own issue (本方案印发之日起30日内 counts from it).
_EVENT_CUE = re.compile(
    "".join(f"(?<!{re.escape(event)})" for event in PLAN_ISSUE_EVENTS) + rf"(?:{alternation(EVENT_CUES)})\s*$"
)
# Words that make a full date or a month a deadline rather than a mention.
_BEFORE_CUE = re.compile(rf"(?:{alternation(BEFORE_DATE_CUES)})\s*$")
_AFTER_CUE = re.compile(rf"^\s*(?:{alternation(AFTER_DATE_CUES)})")
# Spans that hold years which are not deadlines: titles of documents and document numbers.
_NOISE = re.compile(r"《[^《》]{0,200}》|〔\d{4}〕\d*号?|\[\d{4}\]\d*号|\d{4}年度|近\d+年")
_TARGET = re.compile(
    rf"(?P<cue>{alternation(TARGET_CUES)})[\u4e00-\u9fff]{{0,4}}?\s*(?P<v>\d+(?:\.\d+)?|[" + CN_NUMERAL + r"]{1,4})\s*"
    rf"(?P<u>{alternation(TARGET_UNITS)})"
)


def _valid(year: int, month: int, day: int) -> datetime.date | None:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return datetime.date(year, month, day)


def _month_end(year: int, month: int) -> datetime.date | None:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _masked(text: str) -> str:
    """Blank out titles of documents and document numbers, keeping positions."""
    return _NOISE.sub(lambda m: "＿" * len(m.group(0)), text)


def _is_cued(text: str, start: int, end: int, whole: bool) -> bool:
    return whole or bool(_BEFORE_CUE.search(text[max(0, start - 4):start]) or _AFTER_CUE.match(text[end:end + 3]))


def _candidates(text: str, year: int | None, issued_on: datetime.date | None):
    """Yield (due or None, start, end, strength) for every deadline phrase in text."""
    whole = bool(re.fullmatch(r"\s*\S{0,16}\s*", text))
    taken: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        return not any(m.start() < e and s < m.end() for s, e in taken)

    def take(m: re.Match) -> None:
        taken.append((m.start(), m.end()))

    for m in _RANGE_DAY.finditer(text):
        y = int(m["y2"] or m["y"])
        month = int(m["m2"] or m["m1"])
        take(m)
        yield _valid(y, month, int(m["d2"])), m.start(), m.end(), 3
    for m in _RANGE_MONTH.finditer(text):
        if free(m):
            take(m)
            yield _month_end(int(m["y2"] or m["y"]), int(m["m2"])), m.start(), m.end(), 3
    for m in _DATE.finditer(text):
        if not free(m):
            continue
        if not (m["y"] or m.group(0).endswith("前") or _is_cued(text, m.start(), m.end(), whole)):
            continue
        take(m)
        y = int(m["y"]) if m["y"] else year
        yield (_valid(y, int(m["m"]), int(m["d"])) if y else None), m.start(), m.end(), 2
    for m in _NUMERIC_DATE.finditer(text):
        # 2024.12.31 / 2024-12 as written in table cells
        if free(m) and _is_cued(text, m.start(), m.end(), whole):
            take(m)
            y, month = int(m["y"]), int(m["m"])
            yield (_valid(y, month, int(m["d"])) if m["d"] else _month_end(y, month)), m.start(), m.end(), 2
    for m in _MONTHLY_DAY.finditer(text):
        if free(m):
            take(m)
            base = issued_on or (datetime.date(year, 1, 1) if year else None)
            yield (_valid(base.year, base.month, int(m["d"])) if base else None), m.start(), m.end(), 2
    for m in _MONTH.finditer(text):
        if not free(m) or not (m["part"] or m["after"] or _is_cued(text, m.start(), m.end(), whole)):
            continue
        take(m)
        y = int(m["y"]) if m["y"] else year
        if not y:
            yield None, m.start(), m.end(), 2
            continue
        month, day = int(m["m"]), MONTH_PART_DAYS.get(m["part"] or "")
        due = _valid(y, month, day) if day else _month_end(y, month)
        yield due, m.start(), m.end(), 2
    for m in _HALF.finditer(text):
        if free(m):
            take(m)
            y = int(m["y"]) if m["y"] else year
            yield (_month_end(y, 6 if m["half"] == "上半年" else 12) if y else None), m.start(), m.end(), 2
    for m in _QUARTER.finditer(text):
        if free(m):
            take(m)
            y = int(m["y"]) if m["y"] else year
            q = cn_to_int(m["q"]) or 1
            yield (_month_end(y, q * 3) if y else None), m.start(), m.end(), 2
    for m in _YEAR_END.finditer(text):
        if not free(m):
            continue
        take(m)
        if m["y"]:
            y = int(m["y"])
        elif year and m["rel"] in NEXT_YEAR_WORDS:
            y = year + 1
        else:
            y = year
        yield (_valid(y, 12, 31) if y else None), m.start(), m.end(), 2
    for m in _RANGE_YEAR.finditer(text):
        if free(m) and int(m["y1"]) < int(m["y2"]):
            take(m)
            yield _valid(int(m["y2"]), 12, 31), m.start(), m.end(), 1
    for m in _BY_YEAR.finditer(text):
        if free(m):
            take(m)
            yield _valid(int(m["y"] or m["y2"]), 12, 31), m.start(), m.end(), 1
    for m in _RELATIVE.finditer(text):
        if not free(m) or _DURATION_CUE.search(text[max(0, m.start() - 4):m.start()]):
            continue
        take(m)
        n = cn_to_int(m["n"])
        # Counted from an event (收到之日起5个工作日内), not from the plan: no date to work out.
        event = _EVENT_CUE.search(text[max(0, m.start() - 8):m.start()])
        if issued_on is None or n is None or n > 3660 or event:
            yield None, m.start(), m.end(), 2
            continue
        unit = RELATIVE_UNITS[m["unit"]]
        if unit == "workdays":
            from tracker.workdays import add_workdays

            due = add_workdays(issued_on, n)
        elif unit == "weeks":
            due = issued_on + datetime.timedelta(weeks=n)
        elif unit == "months":
            due = _add_months(issued_on, n)
        else:
            due = issued_on + datetime.timedelta(days=n)
        yield (due if due.year <= MAX_YEAR else None), m.start(), m.end(), 2


def _recurrence(text: str) -> str | None:
    for name, pattern in _RECURRENCE:
        if pattern.search(text):
            return name
    return None


def parse_deadline(
    text: str, *, year_hint: int | None = None, issued_on: datetime.date | None = None
) -> Deadline:
    """The deadline of one measure (or one 完成时限 cell).

    Several dates in one sentence: a range counts by its end, otherwise the latest date wins.
    A recurring phrase (每年2月底前) gets its first occurrence on or after issued_on.
    """
    raw = ascii_digits(str(text))
    text = _masked(raw)
    # Dates far outside any plan's life are not context worth using.
    if issued_on is not None and not MIN_YEAR <= issued_on.year <= MAX_YEAR:
        issued_on = None
    if year_hint is not None and not MIN_YEAR <= year_hint <= MAX_YEAR:
        year_hint = None
    year = year_hint or (issued_on.year if issued_on else None)
    recurrence = _recurrence(text)
    found = list(_candidates(text, year, issued_on))
    ongoing = bool(_ONGOING.search(text.strip()))
    if not found:
        return Deadline(recurrence=recurrence, ongoing=ongoing and not recurrence)
    readable = [c for c in found if c[0] is not None]
    if not readable:
        start, end = found[0][1], found[0][2]
        return Deadline(phrase=raw[start:end], recurrence=recurrence)
    if ongoing and all(raw[start:end] in WITHIN_THIS_YEAR for _, start, end, _ in readable):
        return Deadline(phrase=raw[readable[0][1]:readable[0][2]], ongoing=True)  # 年内持续推进
    best_strength = max(c[3] for c in readable)
    due, start, end, _ = max((c for c in readable if c[3] == best_strength), key=lambda c: c[0])
    if recurrence and issued_on and due < issued_on:
        # 每年2月底前 read in June: the first one falls next period.
        due = next_due(recurrence, Anchor.of(recurrence, due, _is_month_end(raw[start:end])), issued_on)
    return Deadline(due=due, phrase=raw[start:end], recurrence=recurrence, ongoing=False)


def _is_month_end(phrase: str) -> bool:
    return bool(re.search(r"月份?(?:底|末)", phrase))


# --- Recurring deadlines: the one calendar of periods, for the importer and for tasks.planning ------------

# Months in one period of each recurrence (Measure.Recurrence's values).
PERIOD_MONTHS = {"yearly": 12, "half-yearly": 6, "quarterly": 3, "monthly": 1}


@dataclass(frozen=True)
class Anchor:
    """Where a recurring deadline falls in each of its periods: in the period's month ``month`` (0 is its
    first month), on ``day`` (None: the month's last day, so 每年2月底前 is the 29th in a leap year)."""

    month: int
    day: int | None

    @classmethod
    def of(cls, recurrence: str, due: datetime.date | None, month_end: bool) -> "Anchor":
        """The anchor of a date the plan names for one period; no date: the period's last day."""
        months = PERIOD_MONTHS[recurrence]
        if due is None:
            return cls(months - 1, None)
        return cls((due.month - 1) % months, None if month_end else due.day)


def period_label(recurrence: str, year: int, first_month: int) -> str:
    """The label of a recurring measure's period that starts in ``first_month`` (2025年, 2025年第4季度)."""
    if recurrence == "yearly":
        return f"{year}年"
    if recurrence == "half-yearly":
        return f"{year}年{'上' if first_month == 1 else '下'}半年"
    if recurrence == "quarterly":
        return f"{year}年第{(first_month + 2) // 3}季度"
    return f"{year}年{first_month}月"


def _periods(recurrence: str, anchor: Anchor, year: int):
    """(label, first day, due date) of each period from January of ``year`` on, without end."""
    months = PERIOD_MONTHS[recurrence]
    while True:
        for first in range(1, 13, months):
            month = first + anchor.month
            last = calendar.monthrange(year, month)[1]
            due = datetime.date(year, month, last if anchor.day is None else min(anchor.day, last))
            yield period_label(recurrence, year, first), datetime.date(year, first, 1), due
        year += 1


def next_due(recurrence: str, anchor: Anchor, on_or_after: datetime.date) -> datetime.date:
    """The first due date of a recurring deadline on or after a day."""
    return next(due for _, _, due in _periods(recurrence, anchor, on_or_after.year) if due >= on_or_after)


def recurring_periods(
    recurrence: str, start: datetime.date, end: datetime.date, *, due_phrase: str = "",
    due_on: datetime.date | None = None,
) -> list[tuple[str, datetime.date]]:
    """The (label, due date) of each period a recurring measure is owed in, from ``start`` (the plan's issue)
    to ``end`` (its end): a period due before ``start`` is skipped, the one running past ``end`` is due then.

    Each period falls due where the measure's deadline falls in its own period: the date its phrase names
    (每年2月底前 → each February's end), else its stored due date (a month's last day counts as the month's
    end), else the period's last day.
    """
    named = parse_deadline(due_phrase, year_hint=ANCHOR_YEAR) if due_phrase else Deadline()
    if named.due is not None:
        anchor = Anchor.of(recurrence, named.due, _is_month_end(named.phrase))
    else:
        last_day = due_on is not None and due_on.day == calendar.monthrange(due_on.year, due_on.month)[1]
        anchor = Anchor.of(recurrence, due_on, last_day)
    result = []
    for label, first_day, due in _periods(recurrence, anchor, start.year):
        if first_day > end:
            break
        if due >= start:
            result.append((label, min(due, end)))
    return result


def parse_target(text: str) -> dict | None:
    """不少于2次 -> {"value": 2, "unit": "次"}; None when the text sets no number."""
    m = _TARGET.search(ascii_digits(str(text)))
    if not m:
        return None
    raw = m["v"]
    if re.fullmatch(r"\d+", raw):
        value: int | float = int(raw)
    elif re.fullmatch(r"\d+\.\d+", raw):
        value = float(raw)
    else:
        number = cn_to_int(raw)
        if number is None:
            return None
        value = number
    unit = "%" if m["u"] == "％" else m["u"]
    return {"value": value, "unit": unit}
