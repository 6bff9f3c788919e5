"""The figures the units report: the indicator catalogue, 数据报送 rounds for a period, each unit's report of
values in a round (reviewed like a submission), and the rules every figure obeys.

A value is a Decimal. What a value must be — a whole number, an amount with two decimals, a ratio 0–100 —
is ``Indicator.problem``; how a set of a unit's values hangs together (parts and their total, ratios worked
out from them, a move on the previous period) is ``indicators.figures.check``; how the district's totals add
up is ``indicators.figures.totals``.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from plans.models import Measure, Unit

QUARTERS = "一二三四"


class Indicator(models.Model):
    """One line of the catalogue (执法人员, 行政处罚 and its parts 简易程序 / 普通程序, 持证率 …)."""

    class MeasureUnit(models.TextChoices):
        ITEMS = "个", "个"
        PEOPLE = "人", "人"
        CASES = "件", "件"
        TEN_THOUSAND_YUAN = "万元", "万元"
        PERCENT = "%", "%"
        SESSIONS = "场次", "场次"
        PERSON_TIMES = "人次", "人次"
        HOURS = "学时", "学时"
        TIMES = "次", "次"

    class Kind(models.TextChoices):
        COUNT = "count", "数量"
        AMOUNT = "amount", "金额"
        RATIO = "ratio", "比率"

    class Rule(models.TextChoices):
        SUM = "sum", "各单位相加"
        FORMULA = "formula", "按公式计算（分子÷分母×100%）"

    class Section(models.TextChoices):
        BODIES = "bodies", "一、基本情况（执法主体和人员）"
        ACTIONS = "actions", "一、基本情况（执法行为）"
        REVIEW = "review", "一、基本情况（行政复议和诉讼）"
        TRAINING = "training", "二、做法和成效（队伍建设和培训）"
        SUPERVISION = "supervision", "二、做法和成效（执法监督）"

    code = models.SlugField("代码", max_length=40, unique=True, help_text="英文字母、数字和下划线，模板和导出用它识别指标")
    name = models.CharField("名称", max_length=50)
    measure_unit = models.CharField("计量单位", max_length=8, choices=MeasureUnit.choices)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.COUNT)
    rule = models.CharField("汇总方式", max_length=8, choices=Rule.choices, default=Rule.SUM)
    numerator = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name="分子", help_text="按公式计算时：分子指标")
    denominator = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name="分母", help_text="按公式计算时：分母指标")
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="parts",
                               verbose_name="上级指标", help_text="分项指标（如简易程序）所属的总数指标（如行政处罚）")
    parts_complete = models.BooleanField("分项齐全", default=False,
                                         help_text="勾选后各分项之和必须等于总数；不勾选时只要求分项不超过总数")
    unit_kinds = models.JSONField("报送单位类型", default=list, blank=True,
                                  help_text="哪些类型的单位报送此指标；按公式计算的指标由系统计算，无需报送")
    section = models.CharField("报告章节", max_length=16, choices=Section.choices)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    measure = models.ForeignKey(Measure, models.SET_NULL, null=True, blank=True, related_name="indicators",
                                verbose_name="对应措施",
                                help_text="实施方案中以此指标衡量目标的细化措施（如每年不少于2次业务培训）；单位报送时预填该措施审核通过的完成数")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name as a form or a message says it: a part under its total (行政处罚·简易程序)."""
        return f"{self.parent.name}·{self.name}" if self.parent_id else self.name

    @property
    def is_reported(self) -> bool:
        """Units enter it (a formula's value is worked out from the values they entered)."""
        return self.rule == self.Rule.SUM

    @property
    def places(self) -> int:
        return 2 if self.kind in (self.Kind.AMOUNT, self.Kind.RATIO) else 0

    def problem(self, value: Decimal) -> str:
        """What is wrong with one value of this indicator, in Chinese ("" when nothing is)."""
        if value < 0:
            return "不能为负数"
        if self.kind == self.Kind.COUNT and value != value.to_integral_value():
            return "应为整数"
        if self.places == 2 and value != value.quantize(Decimal("0.01")):
            return "最多保留两位小数"
        if self.kind == self.Kind.RATIO and value > 100:
            return "比率应在0至100%之间"
        return ""

    def clean(self) -> None:
        formula = self.rule == self.Rule.FORMULA
        if formula and not (self.numerator_id and self.denominator_id):
            raise ValidationError("按公式计算的指标需选择分子和分母。")
        if formula and self.pk and self.pk in (self.numerator_id, self.denominator_id):
            raise ValidationError("分子、分母不能是指标本身。")
        if self.kind == self.Kind.RATIO and not formula:
            raise ValidationError("比率不能各单位相加，请选择“按公式计算”并设定分子和分母。")
        if not formula and (self.numerator_id or self.denominator_id):
            raise ValidationError("只有按公式计算的指标才设定分子和分母。")
        if self.parent_id and (self.parent_id == self.pk or self.parent.parent_id):
            raise ValidationError("上级指标须是不属于其他指标的总数指标。")
        if self.parent_id and (formula or self.parent.rule != self.Rule.SUM):
            raise ValidationError("分项和总数都须是各单位相加的指标。")
        if self.measure_id and (formula or self.measure.target_value is None or self.measure.target_per_person):
            raise ValidationError("对应措施须有目标数量且不按人计（按人计的目标报送的是人均数，不能作为各单位相加的数值），"
                                  "指标须为各单位相加的指标。")
        unknown = set(self.unit_kinds) - set(Unit.Kind.values)
        if unknown:
            raise ValidationError(f"未知的单位类型：{'、'.join(sorted(unknown))}。")

    def reported_by(self, unit: Unit) -> bool:
        return self.is_reported and unit.kind in self.unit_kinds


class Period(models.TextChoices):
    YEAR = "year", "年度"
    QUARTER = "quarter", "季度"


def period_label(kind: str, year: int, quarter: int | None) -> str:
    """2025年, 2025年第一季度."""
    return f"{year}年" if kind == Period.YEAR else f"{year}年第{QUARTERS[quarter - 1]}季度"


def previous_period(kind: str, year: int, quarter: int | None) -> tuple[int, int | None]:
    """The period before: the year before, or the quarter before (第一季度 → the previous year's 第四季度)."""
    if kind == Period.YEAR:
        return year - 1, None
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def period_days(kind: str, year: int, quarter: int | None) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of the period."""
    if kind == Period.YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    first = datetime.date(year, 3 * quarter - 2, 1)
    after = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return first, after - datetime.timedelta(days=1)


class FigureRoundQuerySet(models.QuerySet):
    def within(self, first: datetime.date | None, last: datetime.date) -> "FigureRoundQuerySet":
        """Rounds whose period has a day from ``first`` (None: since ever) to ``last`` (a plan's 考核 counts the
        rounds of its own years)."""
        def quarter(day: datetime.date) -> int:
            return (day.month + 2) // 3

        starts = (Q(year__lt=last.year) | Q(year=last.year, period_kind=Period.YEAR)
                  | Q(year=last.year, quarter__lte=quarter(last)))
        if first is None:
            return self.filter(starts)
        ends = (Q(year__gt=first.year) | Q(year=first.year, period_kind=Period.YEAR)
                | Q(year=first.year, quarter__gte=quarter(first)))
        return self.filter(starts, ends)


class FigureRound(models.Model):
    """A 数据报送 round: the lead office asks units for the figures of one period by a date."""

    period_kind = models.CharField("报送周期", max_length=8, choices=Period.choices)
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", null=True, blank=True,
                                               choices=[(q, f"第{QUARTERS[q - 1]}季度") for q in range(1, 5)])
    due_on = models.DateField("截止日期")
    indicators = models.ManyToManyField(Indicator, verbose_name="报送指标", related_name="rounds")
    units = models.ManyToManyField(Unit, verbose_name="报送单位", related_name="figure_rounds")
    created_by = models.ForeignKey("tracker.User", models.PROTECT, related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    # the follow-up (indicators.chasing): a 提醒 this many working days before the due date, a 催报 on the first
    # working day after it, then every so many working days while a unit's report stays 未报送 or 已退回
    remind_workdays = models.PositiveSmallIntegerField("提醒（截止前工作日）", default=3,
                                                       help_text="截止日期前第几个工作日提醒尚未报送的单位；0表示不提醒")
    chase_every_workdays = models.PositiveSmallIntegerField(
        "催报间隔（工作日）", default=5, help_text="截止后第1个工作日首次催报，此后每隔若干工作日再次催报；0表示只催报一次")
    history = HistoricalRecords(m2m_fields=[indicators, units])

    objects = FigureRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "数据报送"
        verbose_name_plural = "数据报送"
        ordering = ["-year", "-quarter", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period_kind", "year"], condition=models.Q(quarter__isnull=True),
                                    name="one_figure_round_per_year"),
            models.UniqueConstraint(fields=["period_kind", "year", "quarter"],
                                    condition=models.Q(quarter__isnull=False), name="one_figure_round_per_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.period}数据报送"

    @property
    def period(self) -> str:
        return period_label(self.period_kind, self.year, self.quarter)

    @property
    def days(self) -> tuple[datetime.date, datetime.date]:
        return period_days(self.period_kind, self.year, self.quarter)

    def previous(self) -> "FigureRound | None":
        year, quarter = previous_period(self.period_kind, self.year, self.quarter)
        return FigureRound.objects.filter(period_kind=self.period_kind, year=year, quarter=quarter).first()

    def reported_indicators(self) -> list[Indicator]:
        """What a unit enters, in the catalogue's order, totals before their parts."""
        rows = [i for i in self.indicators.select_related("parent") if i.is_reported]
        order = {i.pk: n for n, i in enumerate(sorted(rows, key=lambda i: (i.order, i.code)))}
        return sorted(rows, key=lambda i: (order.get(i.parent_id, order[i.pk]), i.parent_id is not None,
                                           order[i.pk]))

    @transaction.atomic
    def open(self, units, indicators) -> None:
        """Ask ``units`` for ``indicators``: one empty report each, and a 数据报送通知 in each unit's next 每日汇总."""
        from tasks.models import RoundNotice  # tasks' notice names this model: imported when used

        self.save()
        self.indicators.set(indicators)
        self.units.set(units)
        bulk_create_with_history([FigureReport(round=self, unit=u) for u in units], FigureReport,
                                 default_user=self.created_by)
        RoundNotice.objects.bulk_create([RoundNotice(figure_round=self, unit=u, kind=RoundNotice.Kind.OPENED,
                                                     created_on=timezone.localdate()) for u in units])


class AlreadyDecided(Exception):
    """Someone else reviewed the report first (or it is not waiting for review)."""


class FigureReportQuerySet(models.QuerySet):
    def late(self, as_of: datetime.date, end: datetime.datetime) -> "FigureReportQuerySet":
        """Reports of rounds due before ``as_of`` (opened before ``end``, its end) that were late as of then: not
        submitted before ``end``, or first submitted after the due date (Beijing time). A resubmission after a
        return does not make a report late again."""
        first = (FigureReport.history.model.objects.filter(id=OuterRef("pk"), state=FigureReport.State.PENDING,
                                                            history_date__lt=end)
                 .order_by("history_date").values("history_date")[:1])
        return (self.filter(round__due_on__lt=as_of, round__created_at__lt=end)
                .annotate(first_at=Subquery(first))
                .filter(Q(first_at__isnull=True)
                        | Q(round__due_on__lt=TruncDate("first_at", tzinfo=timezone.get_current_timezone()))))


class FigureReport(models.Model):
    """One unit's values in one round: filled in, submitted, then 通过 or 退回 by the lead office."""

    class State(models.TextChoices):
        DRAFT = "draft", "未报送"
        PENDING = "pending", "待审核"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已通过"

    round = models.ForeignKey(FigureRound, models.CASCADE, related_name="reports", verbose_name="数据报送")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="figure_reports", verbose_name="报送单位")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_by = models.ForeignKey("tracker.User", models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name="报送人")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_by = models.ForeignKey("tracker.User", models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_reason = models.TextField("审核意见", blank=True)
    history = HistoricalRecords()

    objects = FigureReportQuerySet.as_manager()

    class Meta:
        verbose_name = "单位数据"
        verbose_name_plural = "单位数据"
        ordering = ["round", "unit__order", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="one_figure_report_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit}{self.round.period}数据"

    @property
    def editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)

    def indicators(self) -> list[Indicator]:
        return [i for i in self.round.reported_indicators() if self.unit.kind in i.unit_kinds]

    def values_by_code(self) -> dict[str, "FigureValue"]:
        return {v.indicator.code: v for v in self.values.select_related("indicator")}

    def submit(self, values: dict[int, tuple[Decimal, str]], user, now: datetime.datetime) -> None:
        """Store the checked values ({indicator pk: (value, 说明)}) and send them for review, all or nothing."""
        with transaction.atomic():
            locked = FigureReport.objects.select_for_update().get(pk=self.pk)
            if not locked.editable:
                raise AlreadyDecided(None)
            existing = {v.indicator_id: v for v in self.values.all()}
            for indicator_pk, (value, note) in values.items():
                row = existing.get(indicator_pk)
                if row is not None and (row.value, row.note) != (value, note):
                    row.value, row.note = value, note
                    row._history_user = user
                    row.save()
            bulk_create_with_history([FigureValue(report=self, indicator_id=pk, value=value, note=note)
                                      for pk, (value, note) in values.items() if pk not in existing],
                                     FigureValue, default_user=user)
            self.state, self.submitted_by, self.submitted_at = self.State.PENDING, user, now
            self._history_user = user
            self.save()

    def decide(self, reviewer, approve: bool, reason: str, now: datetime.datetime) -> None:
        """通过 or 退回 (with a reason); only a report waiting for review, by one reviewer."""
        new_state = self.State.APPROVED if approve else self.State.RETURNED
        with transaction.atomic():
            if FigureReport.objects.filter(pk=self.pk, state=self.State.PENDING).update(state=new_state) != 1:
                raise AlreadyDecided(None)
            self.state, self.reviewed_by, self.reviewed_at, self.review_reason = new_state, reviewer, now, reason
            self._history_user = reviewer
            self.save()


class FigureValue(models.Model):
    """One value a unit reported, with its 说明 (required when it moves more than 30% on the previous period)."""

    report = models.ForeignKey(FigureReport, models.CASCADE, related_name="values", verbose_name="单位数据")
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="values", verbose_name="指标")
    value = models.DecimalField("数值", max_digits=16, decimal_places=2)
    note = models.CharField("说明", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = "指标数值"
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator")]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.value}"
