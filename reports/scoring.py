"""考核 scores: each unit's score and rank under its plan's scoring scheme, as of a day.

The scheme (``ScoringScheme``, one per plan, set by the lead office on 考核设置) gives points for three rates
and takes points off per item:

- 按时完成 (``on_time_points``, 50): × the share of the unit's items due by the day that were done on time;
- 目标达成 (``target_points``, 20): × the share of its items with a target (60学时…) whose accepted figures met it;
- 数据质量 (``quality_points``, 30): × the share of its reviewed reports accepted rather than returned;
- 逾期事项: ``overdue_deduction`` (2) off per item overdue on the day;
- 未回复函告: ``letter_deduction`` (5) off per 函告 whose reply was due before the day and had not come;
- 调度迟报: ``round_deduction`` (2) off per 调度 round whose deadline had passed in which it reported late or
  not at all (tasks.rounds decides on time, late and missing), and per 数据报送 round likewise
  (``FigureReport.objects.late``); a 数据报送 has no plan, so it counts for the units the plan scores, if its
  period falls in the plan's years (from its issue to its end: ``FigureRound.objects.within``).

A rate with nothing to count (no item due yet, no target, no report reviewed) gives its full points. The total
is kept between 0 and 100 and rounded to one decimal; units with the same total share a rank (1, 2, 2, 4).

Everything is read as it stood at the end of the day — the assignments and measures through reports.asof, the
letters, replies, reviews and rounds by their dates — in a fixed number of queries, whatever the number of
units, so a past day's ranking stays what it was.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Value

from indicators.models import FigureReport, FigureRound
from notifications.models import Letter, LetterReply
from plans.models import Plan, Unit
from reports.asof import AssignmentState, assignment_states, end_of_day, measures_as_of
from tasks import rounds
from tasks.models import ReportingRound, Review
from tracker.formats import cn_date
from tracker.xlsx import Column, one_sheet_file

MAX_SCORE = Decimal(100)
LETTER = "letter"  # marks the letters' rows among the reviews' (decisions: accept, return)
FIGURES = "figures"  # and the late 数据报送 reports' rows
ONE_DECIMAL = Decimal("0.1")


class ScoringScheme(models.Model):
    """A plan's 考核 weights and deductions (the module docstring says how they are applied)."""

    plan = models.OneToOneField(Plan, verbose_name="实施方案", on_delete=models.CASCADE, related_name="scoring")
    on_time_points = models.PositiveSmallIntegerField(
        "按时完成（分）", default=50, help_text="乘以到期事项的按时完成率（截至考核日已到完成时限的事项中按时完成的比例）")
    target_points = models.PositiveSmallIntegerField(
        "目标达成（分）", default=20, help_text="乘以有量化目标事项的达标率（审核通过的完成数达到目标）")
    quality_points = models.PositiveSmallIntegerField(
        "数据质量（分）", default=30, help_text="乘以报送的审核通过率（通过数 ÷ 已审核数，被退回的报送不计通过）")
    overdue_deduction = models.DecimalField(
        "逾期事项（每项扣分）", max_digits=4, decimal_places=1, validators=[MinValueValidator(0)], default=Decimal(2),
        help_text="截至考核日逾期未完成的事项，每项扣分")
    letter_deduction = models.DecimalField(
        "未回复函告（每件扣分）", max_digits=4, decimal_places=1, validators=[MinValueValidator(0)], default=Decimal(5),
        help_text="整改回复期限已过仍未回复的函告，每件扣分")
    round_deduction = models.DecimalField(
        "调度迟报（每次扣分）", max_digits=4, decimal_places=1, validators=[MinValueValidator(0)], default=Decimal(2),
        help_text="报送截止日期已过的调度和数据报送中逾期报送或未报送的，每次扣分")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        app_label = "reports"
        verbose_name = "考核设置"
        verbose_name_plural = "考核设置"

    def __str__(self) -> str:
        return f"考核设置：{self.plan}"

    @classmethod
    def for_plan(cls, plan: Plan) -> "ScoringScheme":
        """The plan's scheme; the defaults (unsaved) until the lead office sets one."""
        scheme = cls.objects.filter(plan=plan).first() or cls(plan=plan)
        scheme.plan = plan
        return scheme

    @property
    def full_points(self) -> int:
        return self.on_time_points + self.target_points + self.quality_points


def share(part: int, whole: int) -> Decimal:
    """part / whole; a rate with nothing to count is whole (1)."""
    return Decimal(part) / Decimal(whole) if whole else Decimal(1)


def points(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass
class UnitScore:
    """One unit's counts, the points they give and take, its total and rank."""

    unit: Unit
    due: int = 0  # items due by the day
    on_time: int = 0  # of those, done on time
    overdue: int = 0
    targeted: int = 0
    target_met: int = 0
    reviewed: int = 0
    returned: int = 0
    letters_unanswered: int = 0
    rounds_late: int = 0
    on_time_points: Decimal = Decimal(0)
    target_points: Decimal = Decimal(0)
    quality_points: Decimal = Decimal(0)
    overdue_off: Decimal = Decimal(0)
    letters_off: Decimal = Decimal(0)
    rounds_off: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    rank: int = 0

    @property
    def deducted(self) -> Decimal:
        return self.overdue_off + self.letters_off + self.rounds_off

    def weigh(self, scheme: ScoringScheme) -> None:
        self.on_time_points = points(scheme.on_time_points * share(self.on_time, self.due))
        self.target_points = points(scheme.target_points * share(self.target_met, self.targeted))
        self.quality_points = points(scheme.quality_points * share(self.reviewed - self.returned, self.reviewed))
        self.overdue_off = points(scheme.overdue_deduction * self.overdue)
        self.letters_off = points(scheme.letter_deduction * self.letters_unanswered)
        self.rounds_off = points(scheme.round_deduction * self.rounds_late)
        gained = self.on_time_points + self.target_points + self.quality_points
        self.total = min(max(gained - self.deducted, Decimal(0)), MAX_SCORE)


@dataclass
class Scores:
    plan: Plan
    as_of: datetime.date
    scheme: ScoringScheme
    units: list[UnitScore] = field(default_factory=list)

    def of(self, unit_id: int) -> UnitScore | None:
        return next((row for row in self.units if row.unit.pk == unit_id), None)


def scores(plan: Plan, as_of: datetime.date, *, states: list[AssignmentState] | None = None,
           measures: dict[int, tuple] | None = None, units: dict[int, Unit] | None = None) -> Scores:
    """Every unit's score under the plan's scheme as of the end of ``as_of``, best first. A caller that has read
    them already passes the plan's assignment states and measures (reports.asof) and its units by pk."""
    scheme = ScoringScheme.for_plan(plan)
    end = end_of_day(as_of)
    measures = measures_as_of(plan.pk, as_of) if measures is None else measures
    states = assignment_states(plan.pk, as_of) if states is None else states
    rows: dict[int, UnitScore] = {}
    counts: dict[int, Counter] = defaultdict(Counter)
    for state in states:
        measure = measures.get(state.measure_id)
        if measure is None:
            continue
        c = counts[state.unit_id]
        if state.due_on is not None and state.due_on <= as_of:
            c["due"] += 1
            c["on_time"] += state.is_done_on_time()
        c["overdue"] += state.is_overdue(as_of)
        met = state.target_met(measure)
        if met is not None:
            c["targeted"] += 1
            c["target_met"] += met

    # The reviews (per unit and decision) and the letters unanswered (per unit, as LETTER) in one query.
    reviews = (Review.objects.filter(submission__assignment__measure__task__plan=plan, created_at__lt=end)
               .order_by().values_list("submission__assignment__unit_id", "decision").annotate(n=Count("id")))
    replied = LetterReply.objects.filter(letter=OuterRef("pk"), created_at__lt=end)
    unanswered = (Letter.objects.filter(plan=plan, issued_on__lte=as_of, reply_due_on__lt=as_of)
                  .exclude(withdrawn_at__lt=end).exclude(Exists(replied))
                  .order_by().values_list("unit_id", Value(LETTER)).annotate(n=Count("id")))
    plan_rounds = FigureRound.objects.within(plan.issued_on, plan.ends_on)
    late_figures = (FigureReport.objects.filter(round__in=plan_rounds).late(as_of, end).order_by()
                    .values_list("unit_id", Value(FIGURES)).annotate(n=Count("id")))
    figures_late = {}
    for unit_id, kind, n in reviews.union(unanswered, late_figures, all=True):
        if kind == LETTER:
            counts[unit_id]["letters_unanswered"] += n
        elif kind == FIGURES:
            figures_late[unit_id] = n
        else:
            counts[unit_id]["reviewed"] += n
            counts[unit_id]["returned"] += n if kind == Review.Decision.RETURN else 0

    past_rounds = list(ReportingRound.objects.filter(plan=plan, created_at__lt=end, due_on__lt=as_of))
    for report in rounds.reports(past_rounds):
        for row in report.units:
            counts[row.unit.pk]["rounds_late"] += row.state != rounds.ON_TIME
    for unit_id, n in figures_late.items():
        if unit_id in counts:  # a unit the plan scores (a 数据报送 belongs to no plan)
            counts[unit_id]["rounds_late"] += n

    units = units or {}
    missing = counts.keys() - units.keys()  # units only in a round or a letter, or all when none were passed
    if missing:
        units = {**units, **Unit.objects.in_bulk(missing)}
    for unit in sorted((units[pk] for pk in counts), key=lambda u: (u.order, u.name, u.pk)):
        row = rows[unit.pk] = UnitScore(unit, **counts[unit.pk])
        row.weigh(scheme)
    ordered = sorted(rows.values(), key=lambda r: -r.total)  # stable: units in their directory order
    for place, row in enumerate(ordered, start=1):
        row.rank = ordered[place - 2].rank if place > 1 and ordered[place - 2].total == row.total else place
    return Scores(plan, as_of, scheme, ordered)


def rows_for(result: Scores, user) -> list[UnitScore]:
    """The rows a user may see (tracker.access): every unit for the lead office and inspectors, its own for a
    liaison (with the rank it holds among all)."""
    from tracker import access  # the policy imports the report models, which import this module

    if access.sees_every_unit(user):
        return result.units
    own = set(access.units_for(user).values_list("pk", flat=True))
    return [row for row in result.units if row.unit.pk in own]


XLSX_COLUMNS = [
    Column("名次", 6), Column("责任单位", 28, wrap=True),
    Column("到期事项", 9), Column("按时完成", 9), Column("按时完成得分", 12),
    Column("有目标事项", 10), Column("达标", 7), Column("目标达成得分", 12),
    Column("已审核报送", 10), Column("被退回", 8), Column("数据质量得分", 12),
    Column("逾期事项", 9), Column("逾期扣分", 9), Column("未回复函告", 10), Column("函告扣分", 9),
    Column("调度迟报", 9), Column("调度扣分", 9), Column("总分", 8),
]


def xlsx_rows(rows: list[UnitScore]):
    for r in rows:
        yield [r.rank, r.unit.name, r.due, r.on_time, r.on_time_points, r.targeted, r.target_met, r.target_points,
               r.reviewed, r.returned, r.quality_points, r.overdue, r.overdue_off, r.letters_unanswered,
               r.letters_off, r.rounds_late, r.rounds_off, r.total]


def rule_text(scheme: ScoringScheme) -> str:
    """The scheme in one sentence, as the ranking page, the workbook and the report print it."""
    return (f"按时完成{scheme.on_time_points}分×到期事项按时完成率，目标达成{scheme.target_points}分×量化目标达标率，"
            f"数据质量{scheme.quality_points}分×报送审核通过率（无可计事项的得满分）；"
            f"逾期未完成事项每项扣{scheme.overdue_deduction.normalize():f}分，"
            f"整改回复期限已过仍未回复的函告每件扣{scheme.letter_deduction.normalize():f}分，"
            f"报送截止日期已过的调度和数据报送中逾期报送或未报送的每次扣{scheme.round_deduction.normalize():f}分；"
            "总分0—100分，同分同名次。")


def scores_xlsx(result: Scores, rows: list[UnitScore]):
    """The ranking with every unit's breakdown, one sheet (tracker.xlsx)."""
    return one_sheet_file("考核排名", XLSX_COLUMNS, xlsx_rows(rows),
                          title=f"{result.plan.title}考核排名（截至{cn_date(result.as_of)}）",
                          note=f"计分办法：{rule_text(result.scheme)}", freeze_columns=2)
