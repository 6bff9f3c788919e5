"""Reporting rounds (调度): who must report, and who reported on time, late or not at all.

The rule (also shown on the round page): a unit has reported in a round when it has a submission tagged
with the round, or one on an in-scope assignment (one of the round's tasks; every task of its plan when it
names none) made while the round was open — from its creation until it was closed. The first such submission counts: made on or
before the round's due date (Beijing time) it is 按时报送, later it is 逾期报送; with none, 未报送.
"""

import datetime
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile

from django import forms
from django.db import transaction
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from plans.models import Plan, Task, Unit
from tasks.models import Assignment, ReportingRound, RoundNotice, RoundSchedule, Submission
from tracker.formats import cn_date
from tracker.models import User
from tracker.xlsx import INTEGER, Column, one_sheet_file

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
STATE_LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", MISSING: "未报送"}
FAR_FUTURE = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


def open_assignments_in_scope(plan: Plan, tasks) -> QuerySet[Assignment]:
    return Assignment.objects.open().filter(measure__task__plan=plan, measure__task__in=tasks)


def units_in_scope(plan: Plan, tasks) -> QuerySet[Unit]:
    """Units with open assignments in the given tasks of the plan."""
    return Unit.objects.filter(
        pk__in=open_assignments_in_scope(plan, tasks).order_by().values("unit_id")
    ).order_by("order", "name")


class RoundForm(forms.ModelForm):
    """Open a round: title, due date, tasks (default all) and units (default all that owe work in them)."""

    class Meta:
        model = ReportingRound
        fields = ["title", "due_on", "tasks", "units"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "tasks": forms.CheckboxSelectMultiple,
            "units": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)
        tasks = Task.objects.filter(plan=plan).order_by("order", "id")
        self.fields["tasks"].queryset = tasks
        self.fields["tasks"].required = True
        self.fields["units"].queryset = units_in_scope(plan, tasks)
        self.fields["units"].required = True
        self.fields["title"].widget.attrs["placeholder"] = "例如：2024年6月工作调度"
        self.fields["tasks"].error_messages["required"] = "请至少选择一项任务。"
        self.fields["units"].error_messages["required"] = "请至少选择一个报送单位。"
        if not self.is_bound:
            self.initial.setdefault("tasks", list(tasks))
            self.initial.setdefault("units", list(self.fields["units"].queryset))

    def clean_due_on(self) -> datetime.date:
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError("报送截止日期不能早于今天。")
        return due_on

    def clean(self) -> dict:
        cleaned = super().clean()
        tasks, units = cleaned.get("tasks"), cleaned.get("units")
        if tasks and units:
            owing = set(units_in_scope(self.plan, tasks).values_list("pk", flat=True))
            idle = [u.name for u in units if u.pk not in owing]
            if idle:
                raise forms.ValidationError(
                    "以下单位在所选任务中没有未完成的任务，无需报送：" + "、".join(idle)
                )
        return cleaned

    @transaction.atomic
    def save_for(self, user: User) -> ReportingRound:
        rnd = self.save(commit=False)
        rnd.plan = self.plan
        rnd.created_by = user
        rnd.save()
        self.save_m2m()
        return rnd


class ScheduleForm(forms.ModelForm):
    """定期调度: a round that opens itself every month, every quarter or on chosen dates, due some days later."""

    dates_text = forms.CharField(label="指定日期", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="频次为“指定日期”时填写，每行一个日期，如 2024-07-15")

    class Meta:
        model = RoundSchedule
        fields = ["title", "frequency", "due_days", "tasks"]
        widgets = {"frequency": forms.RadioSelect, "tasks": forms.CheckboxSelectMultiple,
                   "due_days": forms.NumberInput(attrs={"min": 1, "max": 90})}

    def __init__(self, *args, plan: Plan, **kwargs):
        self.plan = plan
        super().__init__(*args, prefix="schedule", **kwargs)
        tasks = Task.objects.filter(plan=plan).order_by("order", "id")
        self.fields["tasks"].queryset = tasks
        self.fields["title"].widget.attrs["placeholder"] = "例如：月度工作调度"
        self.fields["tasks"].error_messages["required"] = "请至少选择一项任务。"
        self.fields["frequency"].choices = RoundSchedule.Frequency.choices  # a radio list needs no blank choice
        self.fields["frequency"].error_messages["required"] = "请选择频次。"
        self.fields["due_days"].error_messages["required"] = "请填写截止天数。"
        if not self.is_bound:
            self.initial.setdefault("tasks", list(tasks))

    def clean_due_days(self) -> int:
        days = self.cleaned_data["due_days"]
        if not 1 <= days <= 90:
            raise forms.ValidationError("截止天数应在1至90天之间。")
        return days

    def clean_dates_text(self) -> list[datetime.date]:
        dates, bad = [], []
        for line in self.cleaned_data["dates_text"].split():
            try:
                dates.append(datetime.date.fromisoformat(line))
            except ValueError:
                bad.append(line)
        if bad:
            raise forms.ValidationError("无法识别的日期：" + "、".join(bad) + "。请按 2024-07-15 的格式填写，每行一个。")
        if any(d < timezone.localdate() for d in dates):
            raise forms.ValidationError("指定日期不能早于今天。")
        return sorted(set(dates))

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("frequency") == RoundSchedule.Frequency.DATES and not cleaned.get("dates_text") \
                and "dates_text" not in self.errors:
            self.add_error("dates_text", "频次为“指定日期”时请至少填写一个日期。")
        return cleaned

    @transaction.atomic
    def save_for(self, user: User) -> RoundSchedule:
        schedule = self.save(commit=False)
        schedule.plan, schedule.created_by = self.plan, user
        dates = self.cleaned_data["dates_text"] if schedule.frequency == RoundSchedule.Frequency.DATES else []
        schedule.dates = [d.isoformat() for d in dates]
        # the first opening: today when today is a chosen date or the 1st of a month (quarter), else the next
        schedule.next_open_on = schedule.open_after(timezone.localdate() - datetime.timedelta(days=1))
        schedule.save()
        self.save_m2m()
        return schedule


def stop_schedule(schedule: RoundSchedule, now: datetime.datetime) -> bool:
    """停用: no round opens from now on (those opened run their course); False when it was stopped already."""
    return RoundSchedule.objects.filter(pk=schedule.pk, stopped_at__isnull=True).update(stopped_at=now) == 1


def close_round(rnd: ReportingRound, now: datetime.datetime) -> bool:
    """Close an open round; False when it was already closed (by someone else, perhaps)."""
    return ReportingRound.objects.filter(pk=rnd.pk, closed_at__isnull=True).update(closed_at=now) == 1


# --- 定期调度: rounds that open themselves, are chased and closed (the daily job tasks.tasks.run_round_schedules)

CLOSE_AFTER_DAYS = 7  # a scheduled round closes this many days after its due date; its circular follows


def run_schedules(today: datetime.date, now: datetime.datetime) -> dict:
    """Open the rounds their schedules make due today, chase (催报) the units that had not reported by a
    scheduled round's due date, close scheduled rounds a week after it. Each happens once, however many
    workers run: an opening is claimed by moving the schedule's next date, a chase by stamping the round."""
    result = {"opened": 0, "chased": 0, "closed": 0}
    for schedule in (RoundSchedule.objects.filter(stopped_at__isnull=True, next_open_on__lte=today)
                     .select_related("plan", "created_by")):
        result["opened"] += open_scheduled(schedule, today)
    scheduled = ReportingRound.objects.filter(schedule__isnull=False, closed_at__isnull=True)
    for rnd in scheduled.filter(chased_on__isnull=True, due_on__lt=today):
        result["chased"] += chase(rnd, today)
    for rnd in scheduled.filter(due_on__lte=today - datetime.timedelta(days=CLOSE_AFTER_DAYS)):
        result["closed"] += close_round(rnd, now)
    return result


def open_scheduled(schedule: RoundSchedule, today: datetime.date) -> bool:
    """Open the schedule's due round for the units that owe work in its tasks, each told in its next 每日汇总;
    False when another worker claimed it, or nobody owes anything (the schedule moves on either way)."""
    opens_on = schedule.next_open_on
    with transaction.atomic():
        claimed = RoundSchedule.objects.filter(pk=schedule.pk, next_open_on=opens_on).update(
            next_open_on=schedule.open_after(today))
        if claimed != 1:
            return False
        tasks = list(schedule.tasks.all())
        units = list(units_in_scope(schedule.plan, tasks))
        if not units:
            return False
        rnd = ReportingRound.objects.create(
            plan=schedule.plan, title=f"{schedule.title}（{schedule.period_label(opens_on)}）",
            due_on=today + datetime.timedelta(days=schedule.due_days), created_by=schedule.created_by,
            schedule=schedule, opens_on=opens_on)
        rnd.tasks.set(tasks)
        rnd.units.set(units)
        RoundNotice.objects.bulk_create([RoundNotice(round=rnd, unit=u, kind=RoundNotice.Kind.OPENED, created_on=today)
                                         for u in units])
    return True


def chase(rnd: ReportingRound, today: datetime.date) -> int:
    """催报: the round's units that had not reported by its due date get a 催报 in their next 每日汇总 (once)."""
    with transaction.atomic():
        if ReportingRound.objects.filter(pk=rnd.pk, chased_on__isnull=True).update(chased_on=today) != 1:
            return 0
        missing = [u.unit for u in reports([rnd])[0].units if u.state == MISSING]
        RoundNotice.objects.bulk_create([RoundNotice(round=rnd, unit=u, kind=RoundNotice.Kind.CHASE, created_on=today)
                                         for u in missing])
    return 1


@dataclass
class UnitReport:
    unit: Unit
    open_count: int = 0
    first_at: datetime.datetime | None = None
    state: str = MISSING

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class RoundReport:
    round: ReportingRound
    units: list[UnitReport] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for u in self.units if u.state == state)

    @property
    def on_time(self) -> int:
        return self.count(ON_TIME)

    @property
    def late(self) -> int:
        return self.count(LATE)

    @property
    def missing(self) -> int:
        return self.count(MISSING)

    @property
    def is_open(self) -> bool:
        return self.round.closed_at is None


def _in_scope(prefix: str = "") -> Q:
    """An assignment in the round's tasks, or in any task of its plan when the round names none (the rule
    of ``ReportingRound.objects.open_for``). Used inside subqueries on the round's unit rows."""
    return Q(**{f"{prefix}measure__task__rounds": OuterRef("reportinground_id")}) | Q(
        Exact(OuterRef("every_task"), True), **{f"{prefix}measure__task__plan": OuterRef("reportinground__plan_id")}
    )


def _first_submissions(rounds: list[ReportingRound], unit: Unit | None = None) -> QuerySet:
    """Per (round, unit): the unit's first counting submission and its open in-scope assignments (one query)."""
    window = Q(created_at__gte=OuterRef("reportinground__created_at"),
               created_at__lte=Coalesce(OuterRef("reportinground__closed_at"),
                                        Value(FAR_FUTURE, output_field=DateTimeField())))
    first = (
        Submission.objects.filter(assignment__unit=OuterRef("unit_id"))
        .filter(Q(round=OuterRef("reportinground_id")) | (window & _in_scope("assignment__")))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    open_count = (
        Assignment.objects.open()
        .filter(_in_scope(), unit=OuterRef("unit_id"))
        .order_by().values("unit_id").annotate(n=Count("id", distinct=True)).values("n")
    )
    named_tasks = ReportingRound.tasks.through.objects.filter(reportinground_id=OuterRef("reportinground_id"))
    rows = ReportingRound.units.through.objects.filter(reportinground__in=rounds).select_related("unit")
    if unit is not None:
        rows = rows.filter(unit=unit)
    return (
        rows.annotate(every_task=~Exists(named_tasks))
        .annotate(first_at=Subquery(first), open_count=Coalesce(Subquery(open_count), 0))
        .order_by("unit__order", "unit__name")
    )


def reports(rounds: list[ReportingRound], unit: Unit | None = None) -> list[RoundReport]:
    """Who reported in each round, and when: one query whatever the number of rounds and units."""
    result = {r.pk: RoundReport(r) for r in rounds}
    if not rounds:
        return []
    for row in _first_submissions(rounds, unit):
        rnd = result[row.reportinground_id].round
        report = UnitReport(row.unit, row.open_count, row.first_at)
        if row.first_at is not None:
            report.state = ON_TIME if timezone.localtime(row.first_at).date() <= rnd.due_on else LATE
        result[rnd.pk].units.append(report)
    return [result[r.pk] for r in rounds]


def xlsx_file(report: RoundReport) -> SpooledTemporaryFile:
    """The round's workbook: who reported, on time or not, with a 合计 row and how it is counted."""
    rnd = report.round
    counts = "，".join(f"{label}{report.count(state)}个" for state, label in STATE_LABELS.items())
    columns = [Column("序号", 6, INTEGER), Column("责任单位", 28, wrap=True, total=lambda sheet: f"共{sheet.rows}个单位"),
               Column("在办任务数", 11, INTEGER, total="sum"), Column("报送情况", 11, total=lambda sheet: counts),
               Column("首次报送时间", 20)]
    rows = ([seq, u.unit.name, u.open_count, u.label, u.first_at] for seq, u in enumerate(report.units, start=1))
    note = (f"说明：报送截止日期{cn_date(rnd.due_on)}。首次报送时间为该单位在本次调度中第一次报送进展的时间（注明本次"
            "调度的报送，或调度进行期间对所涉任务的报送），不晚于截止日期当天为按时报送；在办任务数为该单位在所涉任务中"
            "目前尚未完成的事项数。")
    return one_sheet_file("调度", columns, rows, title=f"{rnd.plan.short_name}调度：{rnd.title}", note=note)
