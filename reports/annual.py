"""The annual 行政执法工作报告 (issue #16): 开头 → 一、基本情况 → 二、主要做法和成效 → 三、存在的问题 → 四、下一步工作,
as the districts write it (seeds 000–003), to the 区人民政府 in the GB/T 9704 layout, with its .docx and the .xlsx annex.

The figures are the year's 数据报送 round (approved reports only) added up by ``indicators.figures.totals``, beside
the previous year's; the plan's work is the assignments due in the year as they stood at its end (``reports.asof``,
counted by the ``Assignment`` rules through ``reports.inspection.Tally``) and the progress reports accepted in it.
``reports.annual_text`` words them; the lead office may replace any section's text (``texts``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from indicators.figures import Total, common_units, totals, worked_out
from indicators.models import FigureReport, FigureRound, FigureValue, Indicator, Period
from notifications.wordfile import document_docx
from plans.models import Plan, Section, Task, Unit
from reports import annual_text
from reports.annual_xlsx import annual_xlsx
from reports.asof import assignment_states, end_of_day, measures_as_of
from reports.inspection import KIND_INSPECTION, UNANSWERED, Report, Tally, read_letters, resolve_plan
from tasks.models import Review
from tracker.chinese_text import book_title, normalise, title_lines
from tracker.formats import cn_date
from tracker.pdf import render_pdf

__all__ = ["SECTIONS", "AnnualReport", "annual_docx", "annual_error", "annual_pdf", "annual_xlsx", "build_annual"]

SECTIONS = (("basics", "一、基本情况"), ("practices", "二、主要做法和成效"), ("problems", "三、存在的问题"),
            ("next_steps", "四、下一步工作"))
ADDRESSEE = "区人民政府"
REPORT_NAME = "年度行政执法工作报告"
TITLE_TAIL = "行政执法工作报告"
TEMPLATE = "pdf/annual.html"
ANNEX_TITLE = "行政执法主要数据统计表"


@dataclass
class UnitRow:
    """One unit of the year's round in the annex: its approved values (formulas worked out from its own parts), or
    none when its report was not approved."""

    unit: Unit
    state: str  # FigureReport.State's label
    approved: bool
    values: dict[int, Decimal | None] = field(default_factory=dict)  # by indicator pk


@dataclass
class AnnualReport:
    """Everything the annual report prints: the title (河北区2025年度行政执法工作报告), the 主送, the 发文机关署名 (the
    plan's signer, as its letters have it) and 成文日期; each section's printed text (``sections``: the lead office's
    where it wrote one) beside the data's draft (``drafted``); the district totals and the annex's rows."""

    year: int
    plan: Plan
    title: str
    issuer: str
    addressee: str
    dated: datetime.date
    opening: str
    sections: dict[str, str]
    drafted: dict[str, str]
    totals: list[Total]
    unit_rows: list[UnitRow]
    indicators: list[Indicator]  # the round's, in the catalogue's order: the annex's columns
    whole: Tally  # the plan's items due in the year, as they stood at its end
    common: int | None = None  # the units the changes compare when the two years' approved units differ

    @property
    def basis_words(self) -> str:
        return annual_text.basis_words(self.common)

    @property
    def dated_text(self) -> str:
        return cn_date(self.dated)

    @property
    def annex_title(self) -> str:
        return f"{self.year}年度{ANNEX_TITLE}"

    @cached_property
    def blocks(self) -> list[tuple[str, str]]:
        """The body as the PDF and the .docx lay it out: (class, text) per paragraph, 一、 headings "h1", a （一）
        line with no sentence in it "h2", every other line "para"."""
        rows = [("para", self.opening)]
        for key, heading in SECTIONS:
            rows.append(("h1", heading))
            for line in self.sections[key].splitlines():
                line = normalise(line.strip())
                if line:
                    rows.append(("h2" if annual_text.is_heading(line) else "para", line))
        return rows

    @property
    def annex_rows(self) -> list[tuple[str, str, str, str, str]]:
        """The PDF's 附件: each district figure with a value, the previous year's and the change."""
        rows = []
        for t in self.totals:
            if t.value is None:
                continue
            i = t.indicator
            before = annual_text.figure(i, t.before) if t.before is not None else "—"
            rows.append((i.label, i.measure_unit, annual_text.figure(i, t.value), before, t.change or "—"))
        return rows

    def figures(self) -> dict:
        """The headline numbers, kept with a report so that next year's can compare: each district figure by code,
        and the plan's items due in the year."""
        w = self.whole
        return {"year": self.year,
                "values": {t.indicator.code: annual_text.figure(t.indicator, t.value) for t in self.totals
                           if t.value is not None},
                "due": w.total, "on_time": w.on_time, "done": w.done, "overdue": w.overdue,
                "targeted": w.targeted, "target_met": w.target_met}


def year_round(year: int) -> FigureRound | None:
    return FigureRound.objects.filter(period_kind=Period.YEAR, year=year, quarter__isnull=True).first()


def unapproved(rnd: FigureRound) -> list[str]:
    """The units asked in the round whose figures were not approved, in the directory's order."""
    return list(rnd.reports.exclude(state=FigureReport.State.APPROVED).order_by("unit__order", "unit__name")
                .values_list("unit__name", flat=True))


def annual_error(year: int, plan: Plan | None = None) -> str:
    """Why no annual report can be made for ``year`` (no plan, no 数据报送 round for the year, or none of its figures
    approved, naming the units); "" when it can."""
    if plan is None and not Plan.objects.exists():
        return "尚未导入任何实施方案，无法生成年度行政执法工作报告。"
    rnd = year_round(year)
    if rnd is None:
        return f"{year}年尚未发起年度数据报送，无法生成年度行政执法工作报告。"
    if not rnd.reports.filter(state=FigureReport.State.APPROVED).exists():
        missing = unapproved(rnd)
        if not missing:
            return f"{year}年数据报送未要求任何单位报送，无法生成年度行政执法工作报告。"
        return f"{year}年数据报送尚无已审核通过的数据：{annual_text.names(missing)}未报送或未通过审核。"
    return ""


def district(*names: str) -> str:
    """The district a name belongs to (天津市河北区司法局 → 河北区), from the first name that has one; "" if none."""
    for name in names:
        head = (name or "").rsplit("市", 1)[-1]
        for end, ch in enumerate(head):
            if ch in "区县旗" and end:  # 区司法局 names no district
                return head[:end + 1]
    return ""


def build_annual(year: int, *, plan: Plan | None = None, texts: dict[str, str] | None = None,
                 generated_on: datetime.date | None = None, addressee: str = ADDRESSEE) -> AnnualReport:
    """The annual report for ``year`` (check ``annual_error`` first). ``texts`` (the lead office's edits) replace
    the drafted sections they name; the drafts are kept in ``drafted`` either way. ``addressee`` is the 主送机关
    (blank: 区人民政府)."""
    plan = plan or resolve_plan(None)
    dated = generated_on or timezone.localdate()
    rnd = year_round(year)
    figures = totals(rnd, same_units=True)
    common = common_units(rnd)
    common = len(common) if common is not None else None
    indicators = [t.indicator for t in figures]
    missing = unapproved(rnd)

    as_of = min(datetime.date(year, 12, 31), dated)
    base = Report(kind=KIND_INSPECTION, plan=plan, as_of=as_of, generated_on=dated)  # the issuer and the letters
    name = district(base.issuer, plan.issuer, plan.title)
    groups, whole, behind, accepted = plan_year(plan, year, as_of)
    read_letters(base, plan, end_of_day(as_of), None, None)
    letters = [row for row in base.letters if row.issued_date and row.issued_date.year == year]
    findings = annual_text.Findings(
        year=year, whole=whole, units_behind=behind, letters=len(letters),
        unanswered=list(dict.fromkeys(row.unit for row in letters if row.state == UNANSWERED)),
        falls=annual_text.falls(figures), late=late_units(rnd, dated), missing=missing)
    problems, next_steps = annual_text.problems_and_steps(findings)
    drafted = {
        "basics": annual_text.basics(figures, year, missing, common),
        "practices": annual_text.practices(groups, figures, whole, accepted, year),
        "problems": problems,
        "next_steps": next_steps,
    }
    edited = {key: text.strip() for key, text in (texts or {}).items() if key in drafted and text and text.strip()}
    opening = (f"{year}年，{name or '我区'}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
               f"全面落实{book_title(plan.title)}各项任务，着力提升行政执法质量和效能，推进严格规范公正文明执法。"
               "现将有关情况报告如下：")
    return AnnualReport(
        year=year, plan=plan, title=f"{name}{year}{REPORT_NAME}", issuer=base.issuer,
        addressee=addressee.strip() or ADDRESSEE,
        dated=dated, opening=opening, sections={**drafted, **edited}, drafted=drafted, totals=figures,
        unit_rows=unit_rows(rnd, indicators), indicators=indicators, whole=whole, common=common)


def plan_year(plan: Plan, year: int, as_of: datetime.date
              ) -> tuple[list[annual_text.Group], Tally, list[tuple[str, int]], int]:
    """The plan's year by the sections its tasks sit in: each task's items due in the year as they stood on
    ``as_of`` (the Assignment rules, through AssignmentState), the progress reports accepted in the year and a line
    quoted from one; the whole plan's tally, the units with items overdue (most first) and the reports accepted."""
    start = datetime.date(year, 1, 1)
    sections = {s.pk: s for s in Section.objects.filter(plan=plan)}
    tasks = list(Task.objects.filter(plan=plan, is_requirement=False).order_by("order", "id"))
    work = {t.pk: annual_text.TaskWork(t.title) for t in tasks}
    measures = measures_as_of(plan.pk, as_of)
    whole, per_unit = Tally(), defaultdict(Tally)
    # a year that is over is judged the day after it (an item due on 31 December and not done by then is overdue)
    judged = as_of + datetime.timedelta(days=1) if as_of == datetime.date(year, 12, 31) else as_of
    for state in assignment_states(plan.pk, as_of):
        measure = measures.get(state.measure_id)
        if measure is None or measure[0] not in work or not (state.due_on and start <= state.due_on <= as_of):
            continue
        args = (state.light(judged), state.is_done_on_time(), 1, state.target_met(measure), True)
        work[measure[0]].tally.count(*args)
        per_unit[state.unit_id].count(*args)
        whole.count(*args)
    reviews = (Review.objects.filter(decision=Review.Decision.ACCEPT, submission__assignment__measure__task__in=list(work),
                                     created_at__gte=end_of_day(start - datetime.timedelta(days=1)),
                                     created_at__lt=end_of_day(as_of))
               .order_by("created_at", "id")
               .values_list("submission__assignment__measure__task_id", "submission__assignment__unit__name",
                            "submission__text"))
    accepted = 0
    for task_id, unit, text in reviews:
        accepted += 1
        w = work[task_id]
        w.accepted += 1
        w.hear(unit, text)
    groups: dict[int | None, annual_text.Group] = {}
    for task in tasks:
        section = sections.get(task.section_id)
        group = groups.get(task.section_id)
        if group is None:
            group = groups[task.section_id] = annual_text.Group(section.title if section else "其他工作")
        group.tasks.append(work[task.pk])
    names = dict(Unit.objects.filter(pk__in=per_unit).values_list("pk", "name"))
    behind = sorted(((names[pk], t.overdue) for pk, t in per_unit.items() if t.overdue), key=lambda r: (-r[1], r[0]))
    return list(groups.values()), whole, behind, accepted


def late_units(rnd: FigureRound, dated: datetime.date) -> list[str]:
    """Units whose figures of the round were first sent after its due date, as of ``dated``: the rule 调度迟报
    counts (``FigureReport.objects.late``; a resubmission after a 退回 is not late again). A unit that sent nothing
    is named among those not approved."""
    rows = (FigureReport.objects.filter(round=rnd).late(dated, end_of_day(dated)).filter(first_at__isnull=False)
            .order_by("unit__order", "unit__name"))
    return list(rows.values_list("unit__name", flat=True))


def unit_rows(rnd: FigureRound, indicators: list[Indicator]) -> list[UnitRow]:
    """Every unit asked in the round, in the directory's order, with its approved values (formulas worked out from
    the unit's own parts, as ``figures.worked_out`` does for the district)."""
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for report_id, indicator_id, value in FigureValue.objects.filter(
            report__round=rnd, report__state=FigureReport.State.APPROVED).values_list(
            "report_id", "indicator_id", "value"):
        values[report_id][indicator_id] = value
    rows = []
    for report in rnd.reports.select_related("unit").order_by("unit__order", "unit__name"):
        approved = report.state == FigureReport.State.APPROVED
        rows.append(UnitRow(report.unit, report.get_state_display(), approved,
                            worked_out(indicators, values[report.pk]) if approved else {}))
    return rows


def annual_context(report: AnnualReport) -> dict:
    """What templates/pdf/annual.html lays out (with the names the GB/T 9704 partials read): the title in balanced
    lines, broken before 行政执法工作报告 if at all; the body's blocks, the last one kept with the signature."""
    cut = report.title.find(TITLE_TAIL)
    *body, last = report.blocks
    return {"r": report, "title_lines": title_lines([p for p in (report.title[:cut], report.title[cut:]) if p]),
            "body": body, "last": last, "signer": report.issuer, "issued_on_cn": report.dated_text}


def annual_pdf(report: AnnualReport) -> bytes:
    return render_pdf(TEMPLATE, annual_context(report))


def annual_docx(report: AnnualReport) -> bytes:
    """The .docx with the same text as the PDF, read from the same HTML (``notifications.wordfile``)."""
    return document_docx(TEMPLATE, annual_context(report))
