"""The data of the 督察 reports (whole plan, one unit, one task) as of a day.

Everything is read in a fixed number of queries — the assignments' states (reports.asof), the plan's
sections, tasks, measures and units, the evidence, the letters and the ladder steps — and then folded in
one pass over compact rows. The templates (templates/pdf/report*.html) and the Excel twin (reports/xlsx.py)
only lay out what this module computes.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from notifications.models import Circular, LadderConfig, Letter, LetterItem, Step
from plans.importer.tables import cn_numeral
from plans.models import Plan, Section, Task, Unit, UnitGroup, requirement_label
from reports.asof import AssignmentState, assignment_states, end_of_day, measures_as_of
from reports.scoring import Scores, rule_text, scores
from tasks import rounds as rounds_mod
from tasks.models import (
    LIGHT_RANK,
    RANK_LIGHT,
    Assignment,
    Evidence,
    ExtensionRequest,
    Measure,
    ReportingRound,
    Review,
)
from tasks.status import percent
from tasks.templatetags.flagging import flagged_text
from tracker.formats import cn_date

KIND_INSPECTION = "inspection"
KIND_UNIT = "unit"
KIND_TASK = "task"
KIND_TITLES = {
    KIND_INSPECTION: "督察进展报告",
    KIND_UNIT: "单位工作情况报告",
    KIND_TASK: "任务推进情况报告",
}
STATUS_LABELS = dict(Assignment.Status.choices)
LIGHT_LABELS = dict(Assignment.Light.choices)
LEGEND = [
    ("red", "红", "逾期未完成"),
    ("yellow", "黄", "7日内到期或被退回"),
    ("green", "绿", "已完成"),
    ("grey", "灰", "推进中，未到期"),
]
# The reminder ladder, lowest step first.
LADDER_STEPS = ["提醒", "催办", "函告", "通报"]
# A city-scale report's units in no directory group, gathered as the last group.
UNGROUPED = "未分组单位"
UNANSWERED = "逾期未回复"  # a letter row's state when its reply was due before the as-of day and has not come
# Past this many files the PDF lists the evidence per unit; the workbook always has every file.
EVIDENCE_PDF_LIMIT = 1500


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@dataclass(slots=True)
class Tally:
    """Counts for a group of assignments (a task, a section, a unit, a matrix cell, the plan)."""

    total: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    rank: int = -1  # the worst light's rank; -1 while empty
    targeted: int = 0  # assignments whose measure sets a target
    target_met: int = 0  # of those, how many had accepted figures meeting it (``Figures.met``)
    due: int = 0  # assignments due by the as-of day (a deadline on or before it)
    due_done: int = 0  # of those, how many were done

    def count(self, light: str, on_time: bool, n: int, target_met: bool | None = None, due: bool = False) -> None:
        """``n`` assignments with this light (green is done, red overdue, as ``Assignment.light`` has it),
        done on time or not; with a target (met or not) or without one (``target_met`` None); due by the
        as-of day or not."""
        if target_met is not None:
            self.targeted += n
            self.target_met += n if target_met else 0
        self.total += n
        if due:
            self.due += n
            self.due_done += n if light == Assignment.Light.GREEN else 0
        if light == Assignment.Light.GREEN:
            self.done += n
            if on_time:
                self.on_time += n
        elif light == Assignment.Light.RED:
            self.overdue += n
        self.rank = max(self.rank, LIGHT_RANK[light])

    def merge(self, other: "Tally") -> None:
        self.total += other.total
        self.done += other.done
        self.on_time += other.on_time
        self.overdue += other.overdue
        self.rank = max(self.rank, other.rank)
        self.targeted += other.targeted
        self.target_met += other.target_met
        self.due += other.due
        self.due_done += other.due_done

    @property
    def targets(self) -> str:
        """达标 a/b: of b assignments with a target, a met it; "—" when none has one."""
        return f"{self.target_met}/{self.targeted}" if self.targeted else "—"

    @property
    def pending(self) -> int:
        return self.total - self.done - self.overdue

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def percent_due(self) -> int:
        """The completion rate over the assignments due by the as-of day (those not yet due left out)."""
        return percent(self.due_done, self.due)

    @property
    def light(self) -> str:
        return RANK_LIGHT[self.rank] if self.rank >= 0 else ""


@dataclass(slots=True)
class TaskRow:
    task: Task
    label: str
    tally: Tally

    @property
    def short(self) -> str:
        """The matrix's column heading: "2", or "要求（一）" for a 工作要求 item."""
        return self.label.removeprefix("工作") if self.task.is_requirement else self.label


@dataclass(slots=True)
class SectionBlock:
    title: str
    tally: Tally
    tasks: list[TaskRow]


@dataclass(slots=True)
class UnitRow:
    unit: Unit
    tally: Tally
    cells: list[tuple[str, str]] = field(default_factory=list)  # (light, "绿 3/4" or "—")


@dataclass(slots=True)
class GroupCell:
    """A task in a directory group (the matrix by group): its units' assignments, and how many of the units
    stand at red or yellow in it (their own cell's light)."""

    tally: Tally = field(default_factory=Tally)
    red: int = 0
    yellow: int = 0

    def add(self, cell: Tally) -> None:
        self.tally.merge(cell)
        self.red += cell.light == Assignment.Light.RED
        self.yellow += cell.light == Assignment.Light.YELLOW

    @classmethod
    def joined(cls, cells: "Iterable[GroupCell]") -> "GroupCell":
        """The task over several groups (the 合计 of a column)."""
        whole = cls()
        for cell in cells:
            whole.tally.merge(cell.tally)
            whole.red += cell.red
            whole.yellow += cell.yellow
        return whole

    @property
    def light(self) -> str:
        return self.tally.light or "none"

    @property
    def rate(self) -> str:
        """"96%", or "—" when none of the group's units has the task."""
        return f"{self.tally.percent}%" if self.tally.total else "—"

    @property
    def flags(self) -> str:
        """"红3 黄1": the units at red and at yellow in this task; "" when none is."""
        return " ".join(f"{LIGHT_LABELS[light]}{n}" for light, n in
                        ((Assignment.Light.RED, self.red), (Assignment.Light.YELLOW, self.yellow)) if n)


@dataclass(slots=True)
class UnitGroupBlock:
    """A directory group's units in a city-scale report: its row of the matrix by group, and its own grid."""

    number: str  # （一）
    name: str
    cells: list[GroupCell]
    tally: Tally = field(default_factory=Tally)
    units: list[UnitRow] = field(default_factory=list)


@dataclass(slots=True)
class LineRow:
    """One assignment in a list: the overdue list and the unit and task reports' details."""

    unit: str
    task: str
    measure: str
    period: str
    due_on: str
    status: str
    light: str
    light_label: str
    days_late: int | None
    step: str
    due_date: datetime.date | None = None  # due_on as a date, for the workbook


@dataclass(slots=True)
class OverdueGroup:
    """Overdue assignments of one measure and period: the same deadline, so the same days late."""

    task: str
    measure: str
    period: str
    due_on: str
    days_late: int
    units: list[str] = field(default_factory=list)  # 区财政局（已报送，催办）


@dataclass(slots=True)
class LetterRow:
    number: str
    unit: str
    issued_on: str
    reply_due: str
    state: str
    issued_date: datetime.date | None = None  # issued_on and reply_due as dates, for the workbook
    reply_due_date: datetime.date | None = None


@dataclass(slots=True)
class EvidenceRow:
    unit: str
    task: str
    name: str
    size: str
    sha256: str
    submitted_on: str
    size_bytes: int
    submitted_date: datetime.date | None = None  # submitted_on as a date, for the workbook


@dataclass(slots=True)
class EvidenceTotal:
    """One unit's evidence in the PDF when the full index is too long for paper (it stays in the workbook)."""

    unit: str
    files: int = 0
    size_bytes: int = 0
    first: str = ""
    last: str = ""

    @property
    def size(self) -> str:
        return human_size(self.size_bytes)


@dataclass(slots=True)
class RoundRow:
    """A 调度 round whose deadline had passed by the day: who reported on time, late, or not by the day."""

    title: str
    due_on: str
    on_time: int = 0
    late: int = 0
    missing: int = 0


@dataclass
class Supervision:
    """The follow-up done by the day (督办工作): ladder steps sent, 通报 issued, rounds, extensions, returns."""

    reminders: int = 0  # 提醒 sent
    urges: int = 0  # 催办 sent
    circulars: list[tuple[str, str, str]] = field(default_factory=list)  # (number, title, date)
    rounds: list[RoundRow] = field(default_factory=list)
    extensions: int = 0  # 延期申请 made
    extensions_granted: int = 0
    extensions_refused: int = 0
    returns: int = 0  # reports returned (退回)
    returned_twice: list[tuple[str, str, int]] = field(default_factory=list)  # (unit, task label, times)


@dataclass
class Report:
    kind: str
    plan: Plan
    as_of: datetime.date
    generated_on: datetime.date
    unit: Unit | None = None
    task: Task | None = None
    measures: int = 0
    total: Tally = field(default_factory=Tally)
    sections: list[SectionBlock] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)  # the tasks only, not the plan's 工作要求
    requirements: list[TaskRow] = field(default_factory=list)  # the 工作要求 items, reported after the tasks
    requirement_tally: Tally = field(default_factory=Tally)
    task_count: int = 0  # the plan's tasks (17), whatever the as-of day; its requirements are not tasks
    requirement_count: int = 0
    units: list[UnitRow] = field(default_factory=list)
    groups: list[UnitGroupBlock] = field(default_factory=list)  # the units by directory group, at city scale
    overdue: list[LineRow] = field(default_factory=list)
    overdue_groups: list[OverdueGroup] = field(default_factory=list)
    details: list[LineRow] = field(default_factory=list)
    letters: list[LetterRow] = field(default_factory=list)
    letters_issued: int = 0
    letters_answered: int = 0  # answered at all, in time or late
    letters_answered_late: int = 0  # of those, answered after the reply was due (逾期回复)
    evidence: list[EvidenceRow] = field(default_factory=list)
    evidence_totals: list[EvidenceTotal] = field(default_factory=list)  # set when the index is summarised
    legend: list = field(default_factory=lambda: LEGEND)
    ranking: Scores | None = None  # the units' 考核 scores (the inspection report only)
    supervision: Supervision = field(default_factory=Supervision)
    problems: str = ""  # 存在问题: the lead office's text kept with the report, or the draft
    next_steps: str = ""  # 下步工作: likewise
    previous: dict | None = None  # the previous kept report's ``figures()``, for the change since then

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    def figures(self) -> dict:
        """The headline figures, kept with a report so that the next one can show the change since."""
        t = self.total
        return {"as_of": self.as_of.isoformat(), "total": t.total, "done": t.done, "on_time": t.on_time,
                "overdue": t.overdue, "due": t.due, "due_done": t.due_done, "percent_due": t.percent_due,
                "letters": self.letters_issued}

    @property
    def changes(self) -> list[tuple[str, object, object, str]]:
        """(what, before, now, change) since the previous kept report, "" when there is none."""
        if not self.previous:
            return []
        now, before = self.figures(), self.previous
        rows = []
        for key, label, unit in (("done", "已完成（项）", ""), ("on_time", "按时完成（项）", ""),
                                 ("overdue", "逾期未完成（项）", ""), ("percent_due", "到期事项完成率", "%"),
                                 ("letters", "函告（件）", "")):
            delta = now[key] - before.get(key, 0)
            rows.append((label, f"{before.get(key, 0)}{unit}", f"{now[key]}{unit}",
                         f"{'+' if delta > 0 else ''}{delta}{'个百分点' if unit else ''}" if delta else "持平"))
        return rows

    @property
    def previous_as_of_text(self) -> str:
        return cn_date(datetime.date.fromisoformat(self.previous["as_of"])) if self.previous else ""

    @property
    def problem_lines(self) -> list[str]:
        return [line for line in self.problems.splitlines() if line.strip()]

    @property
    def next_step_lines(self) -> list[str]:
        return [line for line in self.next_steps.splitlines() if line.strip()]

    @property
    def letters_answered_on_time(self) -> int:
        return self.letters_answered - self.letters_answered_late

    @property
    def ranking_rule(self) -> str:
        return rule_text(self.ranking.scheme) if self.ranking else ""

    @property
    def shows_chart(self) -> bool:
        """A bar chart compares tasks: a task's own report (one bar) has none."""
        return len(self.tasks) > 1

    @property
    def subject(self) -> str:
        """What the report is about, under the plan's title on the cover."""
        if self.unit:
            return self.unit.name
        if self.task:
            return f"{self.task.name}　{self.task.title}"
        return ""

    @cached_property
    def issuer(self) -> str:
        """The organ the report is made by: the name the plan's documents are signed with (督办设置), as on its
        letters and circulars (天津市河北区司法局)."""
        config = LadderConfig.objects.filter(plan=self.plan).first() or LadderConfig()  # a report writes nothing
        config.plan = self.plan
        return config.signer_name

    @property
    def as_of_text(self) -> str:
        return cn_date(self.as_of)

    @property
    def generated_text(self) -> str:
        return cn_date(self.generated_on)

    @property
    def shows_matrix(self) -> bool:
        return self.kind == KIND_INSPECTION

    @property
    def details_by(self) -> str:
        """The details list's first column: the task in a unit's report, the unit in a task's report."""
        return "任务" if self.kind == KIND_UNIT else "责任单位"

    @property
    def shows_details(self) -> bool:
        return self.kind != KIND_INSPECTION

    @property
    def columns(self) -> list[TaskRow]:
        """The matrix's columns: the tasks, then the 工作要求 items."""
        return self.tasks + self.requirements

    @property
    def matrix_widths(self) -> tuple[float, float]:
        """Percent widths of the matrix's unit column and of each task column (the rate column takes 6)."""
        name = 20
        return name, round((100 - name - 6) / max(len(self.columns), 1), 3)

    @property
    def group_matrix_widths(self) -> tuple[float, float]:
        """Percent widths of the matrix by group's name column and of each task column (单位数 and the rate
        take 6 each)."""
        name = 14
        return name, round((100 - name - 12) / max(len(self.columns), 1), 3)

    @property
    def chart(self) -> dict:
        """A horizontal bar chart of completion by task, laid out for inline SVG."""
        bar_left, bar_width, row_height = 60, 380, 15
        bars = []
        for i, row in enumerate(self.tasks):
            y = 4 + i * row_height
            bars.append({
                "label": row.label,
                "y": y,
                "text_y": y + 9,
                "width": round(bar_width * row.tally.percent / 100, 1),
                "percent": row.tally.percent,
                "percent_x": bar_left + round(bar_width * row.tally.percent / 100, 1) + 4,
            })
        return {"bars": bars, "left": bar_left, "bar_width": bar_width,
                "height": 8 + len(bars) * row_height, "width": bar_left + bar_width + 50}

    def numbered_headings(self) -> dict[str, str]:
        """一、二、… for the sections this kind of report has, in order."""
        parts = ["headline"]
        if self.tasks or not self.requirements:  # a requirement's own report has no task to show
            parts.append("by_task")
        if self.requirements:
            parts.append("requirements")
        if self.shows_matrix:
            parts.append("matrix")
        parts += ["overdue", "letters", "supervision"]
        if self.kind != KIND_UNIT:
            parts.append("units")
        if self.ranking:
            parts.append("ranking")
        if self.shows_details:
            parts.append("details")
        parts += ["problems", "next_steps"]
        return {part: f"{cn_numeral(i)}、" for i, part in enumerate(parts, start=1)}


def resolve_plan(plan_id: int | None) -> Plan:
    """The plan by id, or the latest one; Plan.DoesNotExist when there is none."""
    plans = Plan.objects.select_related("lead_unit")
    return plans.get(pk=plan_id) if plan_id is not None else plans.order_by("-issued_on", "-id")[:1].get()


def as_of_error(plan: Plan, day: datetime.date) -> str:
    """Why no report can be made for ``plan`` as of ``day`` (a day to come, or before the plan was issued:
    every figure would be nought); "" when it can."""
    if day > timezone.localdate():
        return "截至日期不能晚于今天。"
    if plan.issued_on and day < plan.issued_on:
        return f"截至日期早于方案印发日期（{cn_date(plan.issued_on)}），该日尚无任何任务。"
    return ""


def task_labels(tasks: list[Task], sections: dict[int, Section]) -> dict[int, str]:
    """"7" for task 7 and "工作要求（二）" for the plan's second requirement, as Task.label has them (``tasks``
    are the plan's, in order); another un-numbered item is named by its section and place: "三-2"."""
    labels: dict[int, str] = {}
    places: dict[int | None, int] = defaultdict(int)
    requirements = 0
    for task in tasks:
        if task.number:
            labels[task.pk] = str(task.number)
        elif task.is_requirement:
            requirements += 1
            labels[task.pk] = requirement_label(requirements)
        else:
            places[task.section_id] += 1
            section = sections.get(task.section_id)
            labels[task.pk] = f"{section.number.rstrip('、') if section else '其他'}-{places[task.section_id]}"
    return labels


def build_report(
    kind: str,
    plan: Plan,
    as_of: datetime.date,
    *,
    unit: Unit | None = None,
    task: Task | None = None,
    generated_on: datetime.date | None = None,
    problems: str = "",
    next_steps: str = "",
    previous: dict | None = None,
) -> Report:
    """Everything a report shows, as of the end of ``as_of``; 存在问题 and 下步工作 as given (the kept text) or
    drafted from the figures; the change since ``previous`` (an earlier report's ``figures()``)."""
    report = Report(kind=kind, plan=plan, as_of=as_of, generated_on=generated_on or timezone.localdate(),
                    unit=unit, task=task, previous=previous)
    states = assignment_states(plan.pk, as_of, unit_ids=[unit.pk] if unit else None,
                               task_id=task.pk if task else None)
    end = end_of_day(as_of)

    sections = {s.pk: s for s in Section.objects.filter(plan=plan)}
    tasks = list(Task.objects.filter(plan=plan).order_by("order", "id"))
    labels = task_labels(tasks, sections)
    report.requirement_count = sum(t.is_requirement for t in tasks)
    report.task_count = len(tasks) - report.requirement_count
    if task is not None:
        tasks = [t for t in tasks if t.pk == task.pk]

    # pk -> (task id, text, the target as Figures takes it: value, unit, per person)
    measures = measures_as_of(plan.pk, as_of)
    if task is not None:
        measures = {pk: m for pk, m in measures.items() if m[0] == task.pk}
    # A unit's report counts the measures that fall to the unit; the others, every measure in scope.
    report.measures = len({s.measure_id for s in states} & measures.keys()) if unit else len(measures)

    unit_ids = {s.unit_id for s in states}
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("order", "name", "id"))
    unit_names = {u.pk: u.name for u in units}

    # One pass over the states counts them per (task, unit, light, done on time, target met: None without a
    # target); the counts make a tally per (task, unit), folded into tasks, units and the plan after. The
    # lines (the overdue list, the details) keep each state's task and light: red is overdue.
    counts: Counter[tuple[int, int, str, bool, bool | None, bool]] = Counter()
    open_lines: list[tuple[AssignmentState, int, str]] = []
    red, details = Assignment.Light.RED, report.shows_details
    for state in states:
        measure = measures.get(state.measure_id)
        if measure is None:
            continue
        task_id = measure[0]
        met = state.target_met(measure)
        light = state.light(as_of)
        due = state.due_on is not None and state.due_on <= as_of
        counts[(task_id, state.unit_id, light, state.is_done_on_time(), met, due)] += 1
        if light == red or details:
            open_lines.append((state, task_id, light))
    cell_tally: dict[tuple[int, int], Tally] = defaultdict(Tally)
    for (task_id, unit_id, light, on_time, met, due), n in counts.items():
        cell_tally[(task_id, unit_id)].count(light, on_time, n, met, due)
    task_tally: dict[int, Tally] = defaultdict(Tally)
    unit_tally: dict[int, Tally] = defaultdict(Tally)
    for (task_id, unit_id), cell in cell_tally.items():
        task_tally[task_id].merge(cell)
        unit_tally[unit_id].merge(cell)
        report.total.merge(cell)

    rows = [TaskRow(t, labels[t.pk], task_tally[t.pk]) for t in tasks if t.pk in task_tally]
    report.tasks = [row for row in rows if not row.task.is_requirement]
    report.requirements = [row for row in rows if row.task.is_requirement]
    for row in report.requirements:
        report.requirement_tally.merge(row.tally)
    blocks: dict[int | None, SectionBlock] = {}
    for row in report.tasks:
        section = sections.get(row.task.section_id)
        block = blocks.get(row.task.section_id)
        if block is None:
            title = f"{section.number}{section.title}" if section else "其他"
            block = blocks[row.task.section_id] = SectionBlock(title, Tally(), [])
            report.sections.append(block)
        block.tasks.append(row)
        block.tally.merge(row.tally)

    for u in units:
        row = UnitRow(u, unit_tally[u.pk])
        if report.shows_matrix:
            for t in report.columns:
                cell = cell_tally.get((t.task.pk, u.pk))
                if cell is None:
                    row.cells.append(("none", "—"))
                else:
                    row.cells.append((cell.light, f"{LIGHT_LABELS[cell.light]} {cell.done}/{cell.total}"))
        report.units.append(row)
    if report.shows_matrix and len(report.units) > settings.REPORT_UNIT_MATRIX_MAX:
        report.groups = unit_groups(report, cell_tally)

    steps = ladder_steps(plan, as_of, end) if report.total.overdue else {}
    circulated = circulated_units(plan, as_of) if report.total.overdue else {}
    unit_order = {u.pk: i for i, u in enumerate(units)}
    task_order = {t.pk: i for i, t in enumerate(tasks)}
    for state, task_id, light in open_lines:
        overdue = light == red
        line = LineRow(
            unit=unit_names[state.unit_id],
            task=labels[task_id],
            measure=flagged_text(measures[state.measure_id][1], measures[state.measure_id][5]),
            period=state.period,
            due_on=cn_date(state.due_on) if state.due_on else "长期坚持",
            status=STATUS_LABELS.get(state.status, state.status),
            light=light,
            light_label=LIGHT_LABELS[light],
            days_late=-state.days_left(as_of) if overdue else None,
            step=("通报" if overdue and state.due_on < circulated.get(state.unit_id, datetime.date.min)
                  else steps.get(state.id, "") if overdue else ""),
            due_date=state.due_on,
        )
        if overdue:
            report.overdue.append((line, unit_order[state.unit_id]))
        if report.shows_details:
            report.details.append((line, (task_order[task_id], state.measure_id, state.period,
                                          unit_order[state.unit_id])))
    report.overdue = [line for line, _ in sorted(report.overdue, key=lambda p: (-p[0].days_late, p[1]))]
    report.details = [line for line, _ in sorted(report.details, key=lambda p: p[1])]
    groups: dict[tuple, OverdueGroup] = {}
    for line in report.overdue:
        key = (line.task, line.measure, line.period, line.due_on)
        group = groups.get(key)
        if group is None:
            group = groups[key] = OverdueGroup(line.task, line.measure, line.period, line.due_on, line.days_late)
        notes = [n for n in (line.status if line.status != STATUS_LABELS[Assignment.Status.NOT_STARTED] else "",
                             line.step) if n]
        if unit is not None:  # a unit's own report: its state and step only, not its name again
            group.units.append("，".join(notes) or STATUS_LABELS[Assignment.Status.NOT_STARTED])
        else:
            group.units.append(f"{line.unit}（{'，'.join(notes)}）" if notes else line.unit)
    report.overdue_groups = list(groups.values())

    read_letters(report, plan, end, unit, task)
    read_supervision(report, plan, end, unit, task, labels)
    if kind == KIND_INSPECTION:
        report.ranking = scores(plan, as_of, states=states, measures=measures, units={u.pk: u for u in units})
    drafted = draft(report)
    report.problems, report.next_steps = problems.strip() or drafted[0], next_steps.strip() or drafted[1]
    report.evidence = evidence_index(plan, end, unit=unit, task=task, task_labels=labels)
    if len(report.evidence) > EVIDENCE_PDF_LIMIT:
        report.evidence_totals = evidence_totals(report.evidence)
    return report


def unit_groups(report: Report, cell_tally: dict[tuple[int, int], Tally]) -> list[UnitGroupBlock]:
    """The report's units by their home group in the directory (``UnitGroup.homes``), the groups in the order
    of their first unit and the ungrouped last; each group's tally and cells fold its units' own. One query."""
    homes = UnitGroup.homes()
    blocks: dict[tuple[int | None, str], UnitGroupBlock] = {}
    for row in report.units:
        key = homes.get(row.unit.pk, (None, UNGROUPED))
        block = blocks.get(key)
        if block is None:
            block = blocks[key] = UnitGroupBlock("", key[1], [GroupCell() for _ in report.columns])
        block.units.append(row)
        block.tally.merge(row.tally)
        for cell, column in zip(block.cells, report.columns, strict=True):
            tally = cell_tally.get((column.task.pk, row.unit.pk))
            if tally is not None:
                cell.add(tally)
    groups = [block for _, block in sorted(blocks.items(), key=lambda item: item[0][0] is None)]
    for i, block in enumerate(groups, start=1):
        block.number = f"（{cn_numeral(i)}）"
    return groups


# --- 存在问题 and 下步工作: a draft written from the figures, which the lead office edits before printing ---

WORST = 3  # tasks and units named in the draft


def draft(report: Report) -> tuple[str, str]:
    """The 存在问题 and 下步工作 paragraphs, numbered （一）（二）…, from the report's own figures: the rate over
    the items due, the tasks and units with the most overdue, letters unanswered, reports returned twice or more,
    rounds reported late."""
    t, day = report.total, report.as_of_text
    problems = [f"截至{day}，到期事项{t.due}项，已完成{t.due_done}项，到期事项完成率{t.percent_due}%；"
                f"逾期未完成{t.overdue}项。"]
    steps = []
    worst_tasks = sorted((row for row in report.tasks if row.tally.overdue), key=lambda r: -r.tally.overdue)[:WORST]
    if worst_tasks:
        problems.append("逾期事项较多的任务：" + "；".join(
            f"任务{row.label}{row.task.title}（逾期{row.tally.overdue}项）" for row in worst_tasks) + "。")
    worst_units = sorted((row for row in report.units if row.tally.overdue), key=lambda r: -r.tally.overdue)[:WORST]
    if worst_units and report.kind != KIND_UNIT:
        names = "、".join(f"{row.unit.name}（{row.tally.overdue}项）" for row in worst_units)
        problems.append(f"逾期事项较多的单位：{names}。")
        steps.append(f"对{'、'.join(row.unit.name for row in worst_units)}等逾期事项较多的单位，逐项督促整改，"
                     "明确完成时限，必要时函告提醒或通报。")
    elif t.overdue:
        steps.append("对逾期事项逐项明确完成时限，按期报送进展。")
    unanswered = [row for row in report.letters if row.state == UNANSWERED]
    if unanswered:
        problems.append(f"函告{len(unanswered)}件逾期未回复（{'、'.join(dict.fromkeys(r.unit for r in unanswered))}）。")
        steps.append("督促未回复函告的单位限期报送整改回复，逾期仍未回复的列入通报。")
    twice = report.supervision.returned_twice
    if twice:
        problems.append("报送被多次退回：" + "；".join(f"{unit}任务{label}（{n}次）" for unit, label, n in twice[:WORST])
                        + "。")
        steps.append("对多次退回的报送加强业务指导，明确佐证材料要求，提高报送质量。")
    late = [row for row in report.supervision.rounds if row.late or row.missing]
    if late:
        problems.append("调度中逾期报送或未报送：" + "；".join(
            f"{row.title}（逾期{row.late}家、未报送{row.missing}家）" for row in late[-WORST:]) + "。")
        steps.append("坚持定期调度，对逾期报送、未报送的单位及时提醒、催办。")
    steps.append("持续跟踪各项任务推进情况，定期开展调度分析和工作通报，确保按期完成。")
    return numbered(problems), numbered(steps)


def numbered(items: list[str]) -> str:
    return "\n".join(f"（{cn_numeral(i)}）{text}" for i, text in enumerate(items, start=1))


def evidence_totals(rows: list[EvidenceRow]) -> list[EvidenceTotal]:
    """Files, total size and first and last submission per unit (rows come ordered by unit, then date)."""
    totals: list[EvidenceTotal] = []
    for row in rows:
        if not totals or totals[-1].unit != row.unit:
            totals.append(EvidenceTotal(row.unit, first=row.submitted_on))
        total = totals[-1]
        total.files += 1
        total.size_bytes += row.size_bytes
        total.last = row.submitted_on
    return totals


def evidence_index(plan: Plan, end: datetime.datetime, *, unit: Unit | None, task: Task | None,
                   task_labels: dict[int, str]) -> list[EvidenceRow]:
    """Every evidence file of a submission made before ``end``, ordered by unit, then date: two queries.

    The plan is matched through its measures (a semi-join) and the files' units are read apart: joined in
    one query, a planner misled by stale table statistics loops over the units once per file.
    """
    files = Evidence.objects.filter(submission__assignment__measure__in=Measure.objects.filter(task__plan=plan),
                                    submission__created_at__lt=end)
    if unit is not None:
        files = files.filter(submission__assignment__unit=unit)
    if task is not None:
        files = files.filter(submission__assignment__measure__task=task)
    rows = list(files.order_by().values_list(
        "submission__assignment__unit_id", "submission__assignment__measure__task_id", "original_name",
        "size", "sha256", TruncDate("submission__created_at"), "submission__created_at", "id",
    ))
    units = Unit.objects.filter(pk__in={row[0] for row in rows}).order_by("order", "name", "id")
    names = {pk: (place, name) for place, (pk, name) in enumerate(units.values_list("pk", "name"))}
    rows.sort(key=lambda row: (names[row[0]][0], row[6], row[7]))
    return [
        EvidenceRow(names[unit_id][1], task_labels.get(task_id, ""), name, human_size(size), sha[:12],
                    cn_date(submitted_on), size, submitted_on)
        for unit_id, task_id, name, size, sha, submitted_on, _, _ in rows
    ]


# --- Letters and the reminder ladder: the notifications app's models, read as they stood at ``end`` ---

def read_letters(report: Report, plan: Plan, end: datetime.datetime, unit: Unit | None, task: Task | None) -> None:
    """函告 letters issued by the as-of day, not withdrawn by then, and whether they had been answered (in
    time or late); a task's report lists only the letters that name an item of the task."""
    letters = Letter.objects.filter(plan=plan, issued_on__lte=report.as_of).exclude(withdrawn_at__lt=end)
    if unit is not None:
        letters = letters.filter(unit=unit)
    if task is not None:
        letters = letters.filter(pk__in=LetterItem.objects.filter(assignment__measure__task=task).values("letter_id"))
    rows = (
        letters.annotate(replied_at=Min("replies__created_at", filter=Q(replies__created_at__lt=end)))
        .order_by("issued_on", "number", "pk")
        .values_list("number", "unit__name", "issued_on", "reply_due_on", "replied_at")
    )
    tz = timezone.get_current_timezone()
    for number, unit_name, issued_on, reply_due_on, replied_at in rows:
        report.letters_issued += 1
        if replied_at is not None:
            replied_on = replied_at.astimezone(tz).date()
            report.letters_answered += 1
            late = replied_on > reply_due_on
            report.letters_answered_late += late
            state = f"{'逾期回复' if late else '已回复'}（{cn_date(replied_on)}）"
        else:
            state = UNANSWERED if report.as_of > reply_due_on else "待回复"
        report.letters.append(LetterRow(number, unit_name, cn_date(issued_on), cn_date(reply_due_on), state,
                                        issued_on, reply_due_on))


def read_supervision(report: Report, plan: Plan, end: datetime.datetime, unit: Unit | None, task: Task | None,
                     labels: dict[int, str]) -> None:
    """督办工作 by the day, in the report's scope: 提醒/催办 sent, 通报 issued (the plan's), rounds due by the day
    (a report made after the day counts as not made), extensions asked and decided, returns. Six queries."""
    sup, as_of = report.supervision, report.as_of
    scope = {"assignment__measure__task__plan": plan}
    if unit is not None:
        scope["assignment__unit"] = unit
    if task is not None:
        scope["assignment__measure__task"] = task
    sent = Step.objects.filter(sent_on__lte=as_of, **scope).order_by().values_list("kind").annotate(n=Count("id"))
    for kind, n in sent:
        if kind == Step.Kind.REMIND:
            sup.reminders = n
        elif kind == Step.Kind.URGE:
            sup.urges = n
    sup.circulars = [(number, title, cn_date(issued_on)) for number, title, issued_on in
                     Circular.objects.filter(plan=plan, issued_on__lte=as_of)
                     .order_by("issued_on", "serial").values_list("number", "title", "issued_on")]
    due_rounds = list(ReportingRound.objects.filter(plan=plan, created_at__lt=end, due_on__lte=as_of)
                      .order_by("due_on", "id"))
    for rnd in rounds_mod.reports(due_rounds, unit=unit):
        row = RoundRow(rnd.round.title, cn_date(rnd.round.due_on))
        for u in rnd.units:  # tasks.rounds decides on time and late; a report made after the day is missing
            if u.state == rounds_mod.ON_TIME:
                row.on_time += 1
            elif u.state == rounds_mod.LATE and u.first_at < end:
                row.late += 1
            else:
                row.missing += 1
        sup.rounds.append(row)
    extensions = ExtensionRequest.objects.filter(created_at__lt=end, **scope).aggregate(
        asked=Count("id"),
        granted=Count("id", filter=Q(state=ExtensionRequest.State.GRANTED, decided_at__lt=end)),
        refused=Count("id", filter=Q(state=ExtensionRequest.State.REFUSED, decided_at__lt=end)))
    sup.extensions, sup.extensions_granted, sup.extensions_refused = (
        extensions["asked"], extensions["granted"], extensions["refused"])
    returned = (Review.objects.filter(decision=Review.Decision.RETURN, created_at__lt=end,
                                      **{f"submission__{k}": v for k, v in scope.items()})
                .order_by().values_list("submission__assignment__unit__name",
                                        "submission__assignment__measure__task_id")
                .annotate(n=Count("id")))
    for unit_name, task_id, n in returned:
        sup.returns += n
        if n >= 2:
            sup.returned_twice.append((unit_name, labels.get(task_id, ""), n))
    sup.returned_twice.sort(key=lambda row: -row[2])


def ladder_steps(plan: Plan, as_of: datetime.date, end: datetime.datetime) -> dict[int, str]:
    """The highest reminder-ladder step (提醒/催办/函告) each assignment of the plan had reached by the day.

    Two queries: the steps sent (提醒, 催办) and the assignments named in a letter not withdrawn by then.
    """
    reached: dict[int, int] = {}

    def reach(assignment_id: int, label: str) -> None:
        rank = LADDER_STEPS.index(label)
        if rank > reached.get(assignment_id, -1):
            reached[assignment_id] = rank

    labels = dict(Step.Kind.choices)
    sent = Step.objects.filter(assignment__measure__task__plan=plan, sent_on__lte=as_of)
    for assignment_id, kind in sent.order_by().values_list("assignment_id", "kind").distinct():
        if labels.get(kind) in LADDER_STEPS:
            reach(assignment_id, labels[kind])
    named = (LetterItem.objects.filter(assignment__measure__task__plan=plan, letter__issued_on__lte=as_of)
             .exclude(letter__withdrawn_at__lt=end))
    for assignment_id in named.order_by().values_list("assignment_id", flat=True).distinct():
        reach(assignment_id, "函告")
    return {assignment_id: LADDER_STEPS[rank] for assignment_id, rank in reached.items()}


def circulated_units(plan: Plan, as_of: datetime.date) -> dict[int, datetime.date]:
    """Units named in a 通报 of the plan by the day (for long-overdue work or unanswered letters), with the
    date of the latest such circular: the work they had overdue then reached 通报. One query."""
    named: dict[str, datetime.date] = {}
    for issued_on, content in Circular.objects.filter(plan=plan, issued_on__lte=as_of).values_list("issued_on",
                                                                                                  "content"):
        for row in (content or {}).get("long_overdue", []) + (content or {}).get("unanswered", []):
            if row.get("unit") and issued_on > named.get(row["unit"], datetime.date.min):
                named[row["unit"]] = issued_on
    if not named:
        return {}
    return {pk: named[name] for pk, name in Unit.objects.filter(name__in=named).values_list("pk", "name")}
