"""The annual 行政执法工作报告's drafted text: sentences written from the figures, in the words the districts'
reports use (seeds 000–003: "全区共有行政执法主体55个…执法人员1443人，与上年相比减少303人", "同比增长65.5%").

Nothing here counts: the district totals and their changes come from ``indicators.figures.totals`` (``Total``,
``Total.change``), the assignments' states from the ``Assignment`` rules through ``reports.inspection.Tally``;
this module only words them. ``reports.annual`` gathers the data and calls these functions.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.figures import Total, moved
from indicators.models import Indicator
from plans.importer.tables import cn_numeral
from reports.inspection import WORST, Tally, numbered
from tasks.status import percent

# A clause per standard indicator, the value and its unit where {v} stands; an indicator the lead office adds to the
# catalogue reads "{name}{v}{unit}" (``clause``). Each clause is followed by its parts (其中简易程序…) and the change.
CLAUSES = {
    "law_bodies": "全区共有行政执法主体{v}个",
    "officers": "行政执法人员{v}人",
    "certified": "其中持证{v}人",
    "certified_rate": "持证率{v}%",
    "legal_reviewers": "法制审核人员{v}人",
    "inspections": "全年开展行政检查{v}次",
    "penalties": "实施行政处罚{v}件",
    "fines": "罚没金额{v}万元",
    "licences": "办理行政许可{v}件",
    "coercions": "实施行政强制{v}件",
    "reconsiderations": "涉及行政复议案件{v}件",
    "reconsideration_correction_rate": "复议纠错率{v}%",
    "lawsuits": "行政诉讼案件{v}件",
    "lawsuit_loss_rate": "诉讼败诉率{v}%",
    "training_sessions": "全年组织行政执法培训{v}场次",
    "training_attendance": "参训{v}人次",
    "training_hours": "累计{v}学时",
    "certificates_issued": "新办执法证{v}人",
    "certificates_revoked": "注销执法证{v}人",
    "case_reviews": "开展行政执法案卷评查{v}件",
}
# a count of these says its change as a number of them (seed 000: 与上年度相比减少303人), others in percent
ABSOLUTE_CHANGE = {"law_bodies", "officers", "legal_reviewers"}
# 一、基本情况's paragraphs, in order, opened as seed 002 opens them; the other sections feed 二
BASIC_SECTIONS = (Indicator.Section.BODIES, Indicator.Section.ACTIONS, Indicator.Section.REVIEW)
BASIC_OPENINGS = {Indicator.Section.REVIEW: "全区行政执法单位"}
# 二's closing paragraphs from the figures, under headings the way an office names the work
PRACTICE_HEADINGS = {Indicator.Section.TRAINING: "加强执法队伍建设和教育培训",
                     Indicator.Section.SUPERVISION: "强化行政执法监督"}
QUOTE_LENGTH = 40  # characters of a progress report quoted in 二
QUOTE_MIN = 10  # a shorter line (已按要求完成) says nothing worth quoting
TASK_LINES = 4  # tasks quoted under one heading of 二
ORDINALS = "一二三四五六七八九十"
# a line of a section's text that is a （一） heading: numbered, short, no sentence in it
HEADING = re.compile(r"^（[一二三四五六七八九十]+）[^。；：，]{1,40}$")
LABEL = re.compile(r"^[^，。：:]{1,6}[：:]")  # 牵头汇总： before what a report says


def is_heading(line: str) -> bool:
    return bool(HEADING.match(line.strip()))


def figure(indicator: Indicator, value: Decimal) -> str:
    """A value as a report prints it: counts whole, amounts and ratios with two decimals."""
    return f"{value:.{indicator.places}f}"


def versus(total: Total) -> str:
    """，较上年增加12.5% / ，较上年增加2.10个百分点 / ，与上年相比减少303人 / ，与上年持平; "" without a previous year."""
    change = total.change
    if not change:
        return ""
    if change == "持平":
        return "，与上年持平"
    indicator = total.indicator
    if indicator.code in ABSOLUTE_CHANGE and indicator.kind == Indicator.Kind.COUNT:
        value, before = total.compared
        delta = value - before
        return f"，与上年相比{'增加' if delta > 0 else '减少'}{figure(indicator, abs(delta))}{indicator.measure_unit}"
    return "，与上年基本持平" if change == "基本持平" else f"，较上年{change}"


def clause(total: Total, parts: list[Total]) -> str:
    """One indicator's words with its value, its parts (其中简易程序N件、普通程序N件) and the change."""
    indicator = total.indicator
    value = figure(indicator, total.value)
    template = CLAUSES.get(indicator.code)
    text = (template.format(v=value) if template
            else f"{indicator.name}{value}{indicator.measure_unit}")
    named = [f"{p.indicator.name}{figure(p.indicator, p.value)}{p.indicator.measure_unit}" for p in parts
             if p.value is not None]
    if named:
        text += f"（其中{'、'.join(named)}）"
    return text + versus(total)


def sentence(totals: list[Total], opening: str = "") -> str:
    """The clauses of these totals (parts go with their total) as one sentence: a clause with a change ends in
    "；", the others in "，". "" when none has a value."""
    clauses = []
    for total in totals:
        if total.value is None or total.indicator.parent_id:
            continue
        parts = [t for t in totals if t.indicator.parent_id == total.indicator.pk]
        clauses.append((clause(total, parts), bool(versus(total))))
    if not clauses:
        return ""
    text = opening
    for n, (words, changed) in enumerate(clauses):
        text += words + ("。" if n == len(clauses) - 1 else "；" if changed else "，")
    return text


def by_section(totals: list[Total], section: str) -> list[Total]:
    return [t for t in totals if t.indicator.section == section]


def basis_words(common: int | None) -> str:
    """How the changes were worked out when the two years' approved units differ (``figures.common_units``)."""
    if common is None:
        return ""
    if not common:
        return "两年数据审核通过的单位没有重合，未与上年比较增减"
    return f"与上年相比的增减按两年数据均审核通过的{common}个单位同口径计算"


def basics(totals: list[Total], year: int, missing: list[str], common: int | None = None) -> str:
    """一、基本情况: a paragraph per group of indicators (主体和人员, 执法行为, 复议和诉讼), from the district totals;
    then which units are not counted and, when the two years' units differ, that the changes compare the same
    ``common`` units."""
    lines = [sentence(by_section(totals, s), BASIC_OPENINGS.get(s, "")) for s in BASIC_SECTIONS]
    lines = [line for line in lines if line]
    if lines and not lines[0].startswith("全区"):
        lines[0] = f"{year}年，全区" + lines[0]
    note = [f"以上数据为{year}年数据报送中审核通过的数据，{names(missing)}的数据尚未审核通过，未计入"] if missing else []
    if lines and common is not None:
        note.append(basis_words(common))
    if note:
        lines.append("；".join(note) + "。")
    return "\n".join(lines)


def names(units: list[str], limit: int = 5) -> str:
    """区财政局 alone; 区财政局、光复道街道办事处2个单位; past ``limit`` names, 区财政局、…等12个单位."""
    if len(units) == 1:
        return units[0]
    shown = "、".join(units[:limit])
    return f"{shown}{'等' if len(units) > limit else ''}{len(units)}个单位"


@dataclass
class TaskWork:
    """One task's year: its due items (a Tally over the Assignment rules), the approved reports and a quote."""

    title: str
    tally: Tally = field(default_factory=Tally)
    accepted: int = 0  # progress reports accepted in the year
    said: dict[str, str] = field(default_factory=dict)  # what each unit's accepted reports said, the fullest

    def hear(self, unit: str, text: str) -> None:
        words = gist(text)
        if len(words) > len(self.said.get(unit, "")):
            self.said[unit] = words

    def quotes(self) -> list[tuple[str, str]]:
        """(unit, words), the fullest first, the directory's order among equals."""
        return sorted(self.said.items(), key=lambda pair: -len(pair[1]))


@dataclass
class Group:
    """A section of the plan (（一）全面提升行政执法人员能力素质) and its tasks' year."""

    title: str
    tasks: list[TaskWork] = field(default_factory=list)

    @property
    def tally(self) -> Tally:
        tally = Tally()
        for work in self.tasks:
            tally.merge(work.tally)
        return tally

    @property
    def accepted(self) -> int:
        return sum(w.accepted for w in self.tasks)


def gist(text: str) -> str:
    """The first telling clause of a progress report, shortened: what the unit did, not where its files are nor the
    label it opens with (牵头汇总：)."""
    text = LABEL.sub("", text.strip())
    pieces = [p.strip() for p in re.split(r"[。；;！!\n]", text) if p.strip()]
    for piece in pieces:
        clauses = [c for c in re.split(r"[，,]", piece) if c.strip() and not re.search(r"附件|佐证材料|见附", c)]
        if clauses:
            words = "，".join(c.strip() for c in clauses)
            return words if len(words) <= QUOTE_LENGTH else words[:QUOTE_LENGTH].rstrip("，、") + "……"
    return ""


def quoted(said: str) -> str:
    """A unit's words in quotation marks, as GB/T 15834 has them after 报告：: a whole sentence ends inside the marks
    (“……已整改。”), a shortened one outside (“……”。)."""
    return f"“{said}”。" if said.endswith("……") else f"“{said}。”"


def task_quotes(group: Group, used: set[str]) -> list[tuple[TaskWork, str, str]]:
    """Up to ``TASK_LINES`` of the group's tasks with a line from an accepted report: the fullest not quoted yet in
    the report (``used``), from a unit not yet quoted under this heading when one said something."""
    picked, units = [], set()
    for work in group.tasks:
        if len(picked) == TASK_LINES:
            break
        fresh = [(u, w) for u, w in work.quotes() if w not in used and len(w) >= QUOTE_MIN]
        choice = next(((u, w) for u, w in fresh if u not in units), fresh[0] if fresh else None)
        if choice:
            used.add(choice[1])
            units.add(choice[0])
            picked.append((work, *choice))
    return picked


def tally_words(t: Tally, noun: str = "到期事项") -> str:
    """本年度到期事项N项，按时完成N项，逾期完成N项，逾期未完成N项；设有目标的N项中达标N项."""
    if not t.total:
        return ""
    words = f"{noun}{t.total}项，按时完成{t.on_time}项"
    if t.done - t.on_time:
        words += f"，逾期完成{t.done - t.on_time}项"
    if t.overdue:
        words += f"，逾期未完成{t.overdue}项"
    if t.pending:
        words += f"，尚在推进{t.pending}项"
    words += f"，按时完成率{percent(t.on_time, t.total)}%"
    if t.targeted:
        words += f"；设有目标数的{t.targeted}项中，达到目标{t.target_met}项"
    return words


def practices(groups: list[Group], totals: list[Total], whole: Tally, accepted: int, year: int) -> str:
    """二、主要做法和成效: the year's work under the plan's sections, each with its figures and a few lines from
    the approved progress reports, then the training and supervision figures."""
    lines = []
    if whole.total:
        lines.append(f"{year}年，实施方案{tally_words(whole, '到期的任务分解事项')}；全年审核通过各单位进展报告{accepted}份。")
    number, used = 0, set()
    for group in groups:
        t = group.tally
        if not t.total and not group.accepted:
            continue
        number += 1
        lines.append(f"（{cn_numeral(number)}）{group.title}")
        words = [f"本年度{tally_words(t)}。" if t.total else "", f"全年审核通过进展报告{group.accepted}份。"]
        for n, (work, unit, said) in enumerate(task_quotes(group, used)):
            words.append(f"{ORDINALS[n]}是{work.title.rstrip('。')}，{unit}报告：{quoted(said)}")
        lines.append("".join(words))
    for section, heading in PRACTICE_HEADINGS.items():
        text = sentence(by_section(totals, section))
        if text:
            number += 1
            lines += [f"（{cn_numeral(number)}）{heading}", text]
    if not lines:  # nothing due, reported or counted in the year: the section still says so
        lines.append(f"{year}年，实施方案无到期的任务分解事项，全年无审核通过的进展报告，年度数据报送未涉及执法培训和执法监督数据。")
    return "\n".join(lines)


@dataclass
class Findings:
    """What went wrong in the year, as the data shows it (reports.annual gathers it)."""

    year: int
    whole: Tally
    units_behind: list[tuple[str, int]]  # (unit, items overdue), the most first
    letters: int  # 函告 issued in the year
    unanswered: list[str]  # units whose letters of the year went unanswered past the reply date
    falls: list[Total]  # totals that fell by more than 30% on the previous year
    late: list[str]  # units that reported the year's figures after the round's due date
    missing: list[str]  # units whose figures were not approved


def falls(totals: list[Total]) -> list[Total]:
    """Counts and amounts that fell by more than 30% on the previous year (``figures.moved``'s limit)."""
    return [t for t in totals if t.indicator.kind != Indicator.Kind.RATIO and None not in t.compared
            and t.compared[1] and t.compared[0] < t.compared[1] and moved(*t.compared)]


def problems_and_steps(f: Findings) -> tuple[str, str]:
    """三、存在的问题 and 四、下一步工作, numbered （一）（二）… as the inspection report's draft is."""
    problems, steps = [], []
    t = f.whole
    if t.overdue:
        worst = "、".join(f"{unit}（{n}项）" for unit, n in f.units_behind[:WORST])
        problems.append(f"部分任务推进不够及时。{f.year}年到期的任务分解事项中，截至年底仍有{t.overdue}项逾期未完成"
                        + (f"，逾期事项较多的单位有{worst}。" if worst else "。"))
        steps.append(f"狠抓任务落实。对{'、'.join(u for u, _ in f.units_behind[:WORST]) or '有逾期事项的单位'}等单位的"
                     "逾期事项逐项明确完成时限，实行清单化管理、销号式推进，必要时函告提醒或通报。")
    if t.targeted and t.target_met < t.targeted:
        problems.append(f"部分目标尚未达到。设有目标数的{t.targeted}项事项中，{t.targeted - t.target_met}项未达到目标"
                        "或未报送完成数。")
        steps.append("紧盯目标完成。对照方案确定的目标数逐项核对完成情况，对未达标的事项督促补足，并如实报送完成数。")
    if f.unanswered:
        problems.append(f"督办回复不够及时。全年发出函告{f.letters}件，{names(f.unanswered)}逾期未提交整改回复。")
        steps.append("强化督办问效。督促收到函告的单位限期报送整改回复，逾期仍未回复的在通报中点名。")
    if f.falls:
        moves = "；".join(f"{x.indicator.name}{figure(x.indicator, x.value)}{x.indicator.measure_unit}，较上年{x.change}"
                         for x in f.falls[:WORST])
        problems.append(f"部分执法数据降幅较大。{moves}，需分析原因。")
        steps.append("加强执法数据分析。对降幅较大的执法数据逐项分析原因，督促相关单位依法全面履行执法职责。")
    if f.late or f.missing:
        words = []
        if f.late:
            words.append(f"{names(f.late)}逾期报送")
        if f.missing:
            words.append(f"{names(f.missing)}的数据尚未审核通过")
        problems.append(f"数据报送质量有待提高。{f.year}年数据报送中，{'，'.join(words)}。")
        steps.append("提升数据报送质量。督促各单位按期、如实报送行政执法数据，提高数据的及时性和准确性。")
    if not problems:
        problems.append(f"执法监督长效机制仍需健全。{f.year}年到期事项均已完成，数据报送按期审核通过；对照严格规范公正"
                        "文明执法的要求，执法监督的长效机制仍需进一步健全。")
    steps.append(f"持续抓好方案落实。{f.year + 1}年，持续跟踪方案各项任务推进情况，坚持定期调度和工作通报，确保按期完成。")
    return numbered(problems), numbered(steps)
