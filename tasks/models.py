"""The work as it is done: one measure for one unit, progress reports, reviews, rounds, extensions."""

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plans.models import Measure, Plan, Task, Unit
from tracker.formats import cn_figure

DUE_SOON_DAYS = 7
LATEST_SUBMISSION_FIELDS = ["last_submitted_at", "last_submission_state"]
LATEST_FIRST = ("-created_at", "-id")  # an assignment's submissions, the latest first


class SubmissionState(models.TextChoices):
    """A submission's review state (``Submission.State``); defined first so an assignment can store one."""

    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已通过"
    RETURNED = "returned", "已退回"


@dataclass(frozen=True, slots=True)
class Figures:
    """A measure's target (每人每年不少于60学时, 每年不少于2次, 100%) and the figures reported against it: by a
    submission, or accepted on an assignment (the accepted report's). Blank figures: nothing reported yet.

    Whether the target is met is decided here (``met``); ``Assignment.target_met_q`` is its SQL twin.
    """

    target_value: Decimal | None
    target_unit: str
    per_person: bool
    achieved: Decimal | None = None
    staff_total: int | None = None
    staff_reached: int | None = None

    @classmethod
    def of(cls, measure: Measure, row: "Assignment | Submission") -> "Figures":
        return cls(measure.target_value, measure.target_unit, measure.target_per_person,
                   row.achieved_value, row.staff_total, row.staff_reached)

    @property
    def targeted(self) -> bool:
        """The measure sets a figure (or, per person, that every member of staff reaches it)."""
        return self.target_value is not None or self.per_person

    @property
    def reported(self) -> bool:
        """Every figure the target asks for is there: the achieved figure, and per person the staff counts."""
        if self.per_person and (self.staff_total is None or self.staff_reached is None):
            return False
        return self.target_value is None or self.achieved is not None

    @property
    def met(self) -> bool | None:
        """Per person: every member of staff reached it (reached == total) and the achieved figure is at least
        the target, when there is one; otherwise achieved >= target. None without a target or a report."""
        if not self.targeted or not self.reported:
            return None
        if self.per_person and self.staff_reached != self.staff_total:
            return False
        return self.target_value is None or self.achieved >= self.target_value

    @property
    def verdict(self) -> str:
        """达标 / 未达标; blank when there is nothing to judge."""
        met = self.met
        return "" if met is None else ("达标" if met else "未达标")

    def _amount(self, value) -> str:
        return f"{cn_figure(value)}{'' if self.target_unit == '%' else ' '}{self.target_unit}".strip()

    @property
    def target_label(self) -> str:
        """60 学时, 每人 60 学时, 100%; 全员达标 for a per-person target without a figure."""
        if self.target_value is None:
            return "全员达标" if self.per_person else ""
        return ("每人 " if self.per_person else "") + self._amount(self.target_value)

    @property
    def ratio(self) -> str:
        """完成/目标 in a table cell: 58/60学时, per person with 达标45/48人; blank without a target."""
        if not self.targeted:
            return ""
        parts = []
        if self.target_value is not None:
            achieved = "—" if self.achieved is None else cn_figure(self.achieved)
            parts.append(f"{achieved}/{cn_figure(self.target_value)}{self.target_unit}")
        if self.per_person:
            if self.staff_total is None:
                parts.append("达标—人")
            else:
                parts.append(f"达标{self.staff_reached}/{self.staff_total}人")
        return "，".join(parts)

    @property
    def cell(self) -> str:
        """The ratio with its verdict, for an export cell: 58/60学时（未达标）."""
        verdict = self.verdict
        return f"{self.ratio}（{verdict}）" if verdict else self.ratio

    @property
    def text(self) -> str:
        """完成 58 / 目标 60 学时（未达标）, for the pages; per person 人均完成 … ，达标 45 / 48 人."""
        if not self.targeted:
            return ""
        if not self.reported:
            return f"目标 {self.target_label}（尚无完成数）"
        parts = []
        if self.target_value is not None:
            achieved = f"{'人均完成' if self.per_person else '完成'} {cn_figure(self.achieved)}"
            parts.append(f"{achieved} / 目标 {self.target_label}")
        if self.per_person:
            parts.append(f"达标 {self.staff_reached} / {self.staff_total} 人")
        return "，".join(parts) + f"（{self.verdict}）"


class AssignmentQuerySet(models.QuerySet):
    """The status rules as filters: each is ``Assignment``'s own SQL twin of its Python test."""

    def open(self) -> "AssignmentQuerySet":
        return self.exclude(Assignment.done_q())

    def overdue(self, as_of: datetime.date) -> "AssignmentQuerySet":
        return self.filter(Assignment.overdue_q(as_of))

    def not_overdue(self, as_of: datetime.date) -> "AssignmentQuerySet":
        return self.exclude(Assignment.overdue_q(as_of))

    def due_within(self, as_of: datetime.date, days: int = DUE_SOON_DAYS) -> "AssignmentQuerySet":
        return self.filter(Assignment.due_soon_q(as_of, days))

    def done_on_time(self) -> "AssignmentQuerySet":
        return self.filter(Assignment.done_on_time_q())

    def with_related(self) -> "AssignmentQuerySet":
        """What a list row or a page shows beside the assignment, in the same query."""
        return self.select_related("measure__task__section", "measure__task__plan", "unit")

    def refresh_latest_submission(self) -> int:
        """Store each assignment's latest submission (its time and review state) on the row, in one UPDATE.

        Runs after every write of a submission (see ``tasks.signals``; bulk writers call it themselves),
        so the ledger sorts by an indexed column instead of looking up every row's latest submission.
        """
        latest = Submission.objects.filter(assignment=OuterRef("pk")).order_by(*LATEST_FIRST)
        return self.update(last_submitted_at=Subquery(latest.values("created_at")[:1]),
                           last_submission_state=Coalesce(Subquery(latest.values("state")[:1]), Value("")))

    def refresh_latest_submission_of(self, assignment_id: int) -> int:
        """The same for one assignment, as two plain statements (a report or a review writes one submission at a
        time, and building the subqueries above costs more than running them)."""
        latest = (Submission.objects.filter(assignment_id=assignment_id).order_by(*LATEST_FIRST)
                  .values_list("created_at", "state").first())
        return self.filter(pk=assignment_id).update(last_submitted_at=latest[0] if latest else None,
                                                    last_submission_state=latest[1] if latest else "")


class Assignment(models.Model):
    """One measure for one unit (for one period when the measure recurs)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "进行中"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "已退回"
        DONE = "done", "已完成"

    class Light(models.TextChoices):
        GREEN = "green", "绿"
        YELLOW = "yellow", "黄"
        RED = "red", "红"
        GREY = "grey", "灰"

    measure = models.ForeignKey(Measure, verbose_name="细化措施", on_delete=models.CASCADE,
                                related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="assignments")
    period = models.CharField("周期", max_length=32, blank=True, help_text="周期性措施的期次，如 2024年、2024年第1季度")
    due_on = models.DateField("完成时限", null=True, blank=True, help_text="留空表示长期坚持，不计逾期")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField("完成进度", default=0)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    follow_up = models.BooleanField("督办", default=True,
                                    help_text="否：历史事项，记入台账但不再提醒、催办、函告")
    achieved_value = models.DecimalField("完成数", max_digits=12, decimal_places=2, null=True, blank=True)
    staff_total = models.PositiveIntegerField("应达标人数", null=True, blank=True)
    staff_reached = models.PositiveIntegerField("已达标人数", null=True, blank=True)
    # 回头看: the lead office reopened this finished item for a spot check (Assignment.reopen); cleared when a
    # report passes the check again (Submission.decide). The history keeps every reopening.
    reopened_at = models.DateTimeField("回头看时间", null=True, blank=True)
    reopen_reason = models.TextField("回头看原因", blank=True)
    # The latest submission's, kept by AssignmentQuerySet.refresh_latest_submission (a copy, not history).
    last_submitted_at = models.DateTimeField("最近报送", null=True, blank=True, editable=False)
    last_submission_state = models.CharField("审核结果", max_length=16, blank=True, editable=False,
                                             choices=SubmissionState.choices)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=LATEST_SUBMISSION_FIELDS)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "任务分解"
        verbose_name_plural = "任务分解"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "unit", "period"], name="assignment_unique_period"),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=~Q(status="done"), name="assignment_open_due"),
            models.Index(fields=["unit", "status"], name="assignment_unit_status"),
            # Covers the dashboard's per-task, per-unit counts: read from the index alone.
            models.Index(fields=["measure", "unit", "status", "due_on", "completed_on"], name="assignment_figures"),
            # The ledger sorted by 最近报送 or by 审核结果: a page is the first rows of one of these. Never
            # reported sorts as oldest: SQLite's own order for NULLs; on PostgreSQL migration 0005 builds the
            # first index as (last_submitted_at NULLS FIRST, id), a syntax SQLite does not accept.
            models.Index(fields=["last_submitted_at", "id"], name="assignment_last_submitted"),
            models.Index(fields=["last_submission_state", "last_submitted_at", "id"], name="assignment_last_state"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.measure}"

    def save(self, **kwargs) -> None:
        """A full save leaves the latest-submission copy alone: only ``refresh_latest_submission`` writes it,
        so an instance loaded before a submission came in cannot put back what it read."""
        if kwargs.get("update_fields") is None and not self._state.adding:
            deferred = self.get_deferred_fields()  # as Django does, a partly loaded row saves what it loaded
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in LATEST_SUBMISSION_FIELDS
                                       and f.attname not in deferred]
        super().save(**kwargs)

    @property
    def task(self) -> Task:
        return self.measure.task

    # --- The status rules. Each is written once, in Python, with its SQL twin beside it for the pages that
    # count in the database (tasks.status, the filters, the workbench); tests/tasks/test_figures_agree.py
    # checks that the two agree. reports.asof applies the same Python methods to history rows.

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @classmethod
    def done_q(cls) -> Q:
        return Q(status=cls.Status.DONE)

    def is_overdue(self, today: datetime.date) -> bool:
        """Not done and past its due date (overdue from the day after); an ongoing one, with none, never is."""
        return not self.is_done and self.due_on is not None and self.due_on < today

    @classmethod
    def overdue_q(cls, today: datetime.date) -> Q:
        return ~cls.done_q() & Q(due_on__lt=today)

    def is_due_soon(self, today: datetime.date, days: int = DUE_SOON_DAYS) -> bool:
        """Not done and due between today and ``days`` days from today, both included."""
        return (not self.is_done and self.due_on is not None
                and today <= self.due_on <= today + datetime.timedelta(days=days))

    @classmethod
    def due_soon_q(cls, today: datetime.date, days: int = DUE_SOON_DAYS) -> Q:
        return ~cls.done_q() & Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))

    def is_done_on_time(self) -> bool:
        """Done no later than the due date; an ongoing one (no due date) whenever it is done. Done without a
        completion date is not on time: nothing shows when it was done."""
        return (self.is_done and self.completed_on is not None
                and (self.due_on is None or self.completed_on <= self.due_on))

    @classmethod
    def done_on_time_q(cls) -> Q:
        return cls.done_q() & Q(completed_on__isnull=False) & (
            Q(due_on__isnull=True) | Q(completed_on__lte=F("due_on")))

    @property
    def figures(self) -> Figures:
        """The measure's target and the accepted report's figures."""
        return Figures.of(self.measure, self)

    def target_met(self) -> bool | None:
        """Whether the accepted figures meet the measure's target (``Figures.met``); None without a target or
        before a report with figures was accepted."""
        return self.figures.met

    @classmethod
    def targeted_q(cls) -> Q:
        return Q(measure__target_value__isnull=False) | Q(measure__target_per_person=True)

    @classmethod
    def target_met_q(cls) -> Q:
        """``target_met() is True`` in SQL (a blank figure compares as NULL: not met)."""
        value = Q(measure__target_value__isnull=True) | Q(achieved_value__gte=F("measure__target_value"))
        staff = Q(measure__target_per_person=False) | Q(staff_total__isnull=False, staff_reached=F("staff_total"))
        return cls.targeted_q() & value & staff

    def light(self, today: datetime.date) -> str:
        """红/黄/绿/灰: done green; overdue red; due within 7 days or returned yellow; else grey."""
        if self.is_done:
            return self.Light.GREEN
        if self.is_overdue(today):
            return self.Light.RED
        if self.status == self.Status.RETURNED or self.is_due_soon(today):
            return self.Light.YELLOW
        return self.Light.GREY

    @classmethod
    def light_rank_case(cls, today: datetime.date) -> Case:
        """``light`` in SQL, as the light's rank (``LIGHT_RANK``, so that a group can show its worst)."""
        return Case(
            When(cls.done_q(), then=Value(LIGHT_RANK[cls.Light.GREEN])),
            When(cls.overdue_q(today), then=Value(LIGHT_RANK[cls.Light.RED])),
            When(Q(status=cls.Status.RETURNED) | cls.due_soon_q(today), then=Value(LIGHT_RANK[cls.Light.YELLOW])),
            default=Value(LIGHT_RANK[cls.Light.GREY]),
            output_field=IntegerField(),
        )

    # 我的任务's order: what needs the unit first (returned, overdue, due within 7 days, the rest), done last.
    WORK_ORDER = ("returned", "overdue", "due_soon", "open", "done")

    def work_rank(self, today: datetime.date) -> int:
        """The item's place in ``WORK_ORDER``; ``work_rank_case`` is its SQL twin."""
        if self.is_done:
            state = "done"
        elif self.status == self.Status.RETURNED:
            state = "returned"
        elif self.is_overdue(today):
            state = "overdue"
        elif self.is_due_soon(today):
            state = "due_soon"
        else:
            state = "open"
        return self.WORK_ORDER.index(state)

    @classmethod
    def work_rank_case(cls, today: datetime.date) -> Case:
        """``work_rank`` in SQL, for ordering a list by it."""
        rank = cls.WORK_ORDER.index
        return Case(
            When(cls.done_q(), then=Value(rank("done"))),
            When(status=cls.Status.RETURNED, then=Value(rank("returned"))),
            When(cls.overdue_q(today), then=Value(rank("overdue"))),
            When(cls.due_soon_q(today), then=Value(rank("due_soon"))),
            default=Value(rank("open")),
            output_field=IntegerField(),
        )

    def days_left(self, today: datetime.date) -> int | None:
        """Days until the due date (negative when overdue); None when ongoing."""
        return None if self.due_on is None else (self.due_on - today).days

    def days_label(self, today: datetime.date) -> str:
        """还剩5天 / 今天到期 / 逾期12天 / 长期 / 已完成."""
        if self.is_done:
            return "已完成"
        days = self.days_left(today)
        if days is None:
            return "长期"
        if days > 0:
            return f"还剩{days}天"
        if days == 0:
            return "今天到期"
        return f"逾期{-days}天"

    def can_submit(self) -> bool:
        return not self.is_done

    def submit(self, author, text: str, percent: int, today: datetime.date, *, achieved_value: Decimal | None = None,
               staff_total: int | None = None, staff_reached: int | None = None) -> "Submission":
        """Record a progress report, with the figures the measure's target asks for: it waits in the review
        queue and the assignment shows 已报送 (its figures stay the last accepted ones until this is accepted).

        Call inside a transaction together with storing its evidence files.
        """
        submission = Submission.objects.create(
            assignment=self, author=author, text=text, percent=percent, achieved_value=achieved_value,
            staff_total=staff_total, staff_reached=staff_reached,
            round=ReportingRound.objects.open_for(self, today).first(),
        )
        self._update(author, "报送进展", status=self.Status.SUBMITTED, percent=percent)
        return submission

    def change_deadline(self, due_on: datetime.date | None, reason: str, user) -> None:
        """A new due date; the reason is kept in the history beside the change."""
        self._update(user, reason, due_on=due_on)

    @property
    def is_reopened(self) -> bool:
        """Under a 回头看 spot check: open again until a report passes (then done, as before)."""
        return self.reopened_at is not None

    def reopen(self, reason: str, user, due_on: datetime.date) -> bool:
        """回头看: a finished item is open again (进行中) for a spot check, with the reason the unit reads and the
        整改期限 the lead office sets as its due date; its completion date stays, so a passed check makes it done
        as it was. The new due date makes the ladder chase it again in a new cycle (the sweep counts a cycle per
        due date, as after an extension). False when it is not done (anymore)."""
        with transaction.atomic():
            if not Assignment.objects.select_for_update().filter(pk=self.pk, status=self.Status.DONE).exists():
                return False
            self._update(user, f"回头看：{reason}", status=self.Status.IN_PROGRESS, reopened_at=timezone.now(),
                         reopen_reason=reason, due_on=due_on)
        return True

    def due_before_reopening(self) -> datetime.date | None:
        """The due date the item had when it was last done outside a 回头看 (the 整改期限 only rules the check):
        a passed check gives it back, so whether it was done on time stays as it was."""
        row = (self.history.filter(status=self.Status.DONE, reopened_at__isnull=True).order_by("-history_id")
               .values_list("due_on").first())
        return row[0] if row is not None else self.due_on

    def record_as_historical(self, reason: str, user) -> None:
        """历史事项: kept in the ledger, no longer followed up (no reminder, urge or letter); the reason is kept
        in the history beside the change."""
        self._update(user, reason, follow_up=False)

    def request_extension(self, user, requested_due_on: datetime.date, reason: str) -> "ExtensionRequest":
        """A 延期申请: the unit asks for a later due date; it waits for the lead office's decision."""
        return ExtensionRequest.objects.create(assignment=self, requested_by=user, requested_due_on=requested_due_on,
                                               reason=reason)

    def _update(self, user, reason: str, **values) -> None:
        """Change some fields on the row as it is now (locked), so the history records the true state."""
        with transaction.atomic():
            current = Assignment.objects.select_for_update().get(pk=self.pk)
            for name, value in values.items():
                setattr(current, name, value)
            current._change_reason = reason
            current._history_user = user
            current.save(update_fields=[*values, "updated_at"])
        for name in ("due_on", "status", "percent", "completed_on", "reopened_at", "reopen_reason", "updated_at"):
            setattr(self, name, getattr(current, name))


# Lights ranked from best to worst: a group of assignments (a matrix cell, a unit) shows its worst one.
LIGHT_RANK = {
    Assignment.Light.GREEN: 0,
    Assignment.Light.GREY: 1,
    Assignment.Light.YELLOW: 2,
    Assignment.Light.RED: 3,
}
RANK_LIGHT = {rank: light for light, rank in LIGHT_RANK.items()}


class ReportingRoundQuerySet(models.QuerySet):
    def open_for(self, assignment: "Assignment", today: datetime.date) -> "ReportingRoundQuerySet":
        """Rounds still open on ``today`` that ask the assignment's unit about its task, oldest due first.

        A round is open until it is closed (a round closed after ``today`` was still open then); it
        covers a unit listed in its units, and its tasks, or every task of its plan when it names none.
        A late report still answers the round: whether it came in time is read from its date.
        """
        task = assignment.measure.task
        return (
            self.filter(plan_id=task.plan_id, units=assignment.unit_id)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=today))
            .filter(Q(tasks__isnull=True) | Q(tasks=task))
            .distinct()
            .order_by("due_on", "id")
        )


class ReportingRound(models.Model):
    """A 调度: the lead office asks units for progress by a date."""

    plan = models.ForeignKey(Plan, verbose_name="实施方案", on_delete=models.CASCADE, related_name="rounds")
    title = models.CharField("标题", max_length=200)
    due_on = models.DateField("报送截止日期")
    units = models.ManyToManyField(Unit, verbose_name="报送单位", related_name="rounds", blank=True)
    tasks = models.ManyToManyField(Task, verbose_name="涉及任务", related_name="rounds", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    # A round its schedule opened (tasks.rounds.run_schedules): the schedule and the day it opened, once each.
    schedule = models.ForeignKey("RoundSchedule", verbose_name="定期调度", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="rounds")
    opens_on = models.DateField("发起日期", null=True, blank=True)
    chased_on = models.DateField("催报日期", null=True, blank=True, help_text="截止后向未报送单位催报的日期")
    history = HistoricalRecords(m2m_fields=[units, tasks])

    objects = ReportingRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "调度"
        verbose_name_plural = "调度"
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "opens_on"], name="round_once_per_schedule_day"),
        ]

    def __str__(self) -> str:
        return self.title

    def asks_about_q(self) -> Q:
        """The assignments the round asks about: in its tasks, or in any task of its plan when it names none (the
        rule of ``ReportingRoundQuerySet.open_for``, from the round's side)."""
        tasks = list(self.tasks.values_list("pk", flat=True))
        return Q(measure__task__in=tasks) if tasks else Q(measure__task__plan_id=self.plan_id)


class RoundSchedule(models.Model):
    """定期调度: a round that opens itself — every month, every quarter, or on chosen dates — asks the units that
    owe work in its tasks, is chased (催报) the day after its due date and closed a week after it."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        DATES = "dates", "指定日期"

    plan = models.ForeignKey(Plan, verbose_name="实施方案", on_delete=models.CASCADE, related_name="round_schedules")
    title = models.CharField("标题", max_length=150, help_text="每次发起时加上期次，如“工作调度（2024年7月）”")
    frequency = models.CharField("频次", max_length=16, choices=Frequency.choices)
    dates = models.JSONField("指定日期", default=list, blank=True, help_text="频次为指定日期时的发起日期")
    due_days = models.PositiveSmallIntegerField("截止天数", default=10, help_text="发起后第几天为报送截止日期")
    tasks = models.ManyToManyField(Task, verbose_name="涉及任务", related_name="round_schedules")
    next_open_on = models.DateField("下次发起日期", null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    stopped_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "定期调度"
        verbose_name_plural = "定期调度"
        ordering = ["next_open_on", "id"]

    def __str__(self) -> str:
        return self.title

    def open_after(self, day: datetime.date) -> datetime.date | None:
        """The first opening day after ``day``: the 1st of the next month or quarter, or the next chosen date."""
        if self.frequency == self.Frequency.DATES:
            later = sorted(d for d in (datetime.date.fromisoformat(x) for x in self.dates) if d > day)
            return later[0] if later else None
        step = 1 if self.frequency == self.Frequency.MONTHLY else 3
        month = day.month + 1 if step == 1 else ((day.month - 1) // 3 + 1) * 3 + 1
        return datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    def period_label(self, day: datetime.date) -> str:
        """2024年7月 / 2024年第3季度 / 2024年7月15日: the round's period in its title."""
        if self.frequency == self.Frequency.MONTHLY:
            return f"{day.year}年{day.month}月"
        if self.frequency == self.Frequency.QUARTERLY:
            return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"
        return f"{day.year}年{day.month}月{day.day}日"


class RoundNotice(models.Model):
    """A round's word to one unit, carried by the unit's next 每日汇总 (notifications.sweep.send_digests). The
    round is a 调度 (``round``) or a 数据报送 (``figure_round``), one of the two: 调度通知 / 数据报送通知 when it
    opens, 提醒 a few working days before a 数据报送's due date, 催报 after the due date (a 调度 once, by
    tasks.rounds.chase; a 数据报送 again at its interval while the unit's report stays late, by
    indicators.chasing.chase_figures: ``seq``). Once per round, unit, kind and seq."""

    class Kind(models.TextChoices):
        OPENED = "opened", "调度通知"
        REMIND = "remind", "提醒"
        CHASE = "chase", "催报"

    round = models.ForeignKey(ReportingRound, verbose_name="调度", on_delete=models.CASCADE, related_name="notices",
                              null=True, blank=True)
    figure_round = models.ForeignKey("indicators.FigureRound", verbose_name="数据报送", on_delete=models.CASCADE,
                                     related_name="notices", null=True, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="round_notices")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    seq = models.PositiveSmallIntegerField("次数", default=1)
    reason = models.TextField("退回理由", blank=True, help_text="催报、提醒时该单位数据已被退回的，退回理由")
    created_on = models.DateField("日期")
    message = models.ForeignKey("notifications.Message", verbose_name="所在汇总", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "调度通知"
        verbose_name_plural = "调度通知"
        constraints = [
            models.CheckConstraint(condition=Q(round__isnull=False, figure_round__isnull=True)
                                   | Q(round__isnull=True, figure_round__isnull=False),
                                   name="round_notice_one_round"),
            models.UniqueConstraint(fields=["round", "unit", "kind", "seq"], condition=Q(round__isnull=False),
                                    name="round_notice_once"),
            models.UniqueConstraint(fields=["figure_round", "unit", "kind", "seq"],
                                    condition=Q(figure_round__isnull=False), name="figure_round_notice_once"),
        ]
        indexes = [models.Index(fields=["created_on"], condition=Q(message__isnull=True), name="round_notice_unsent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit} · {self.round or self.figure_round}"


class AlreadyDecided(Exception):
    """Someone else reviewed the submission (or decided the request) first."""

    def __init__(self, by) -> None:
        self.by = by
        super().__init__(str(by))


class SubmissionQuerySet(models.QuerySet):
    def pending(self) -> "SubmissionQuerySet":
        """The 待审核 queue, oldest first."""
        return self.filter(state=Submission.State.PENDING).order_by("created_at", "id")


class Submission(models.Model):
    """A unit's progress report on an assignment. Never overwritten: a resubmission is a new row."""

    State = SubmissionState

    assignment = models.ForeignKey(Assignment, verbose_name="任务分解", on_delete=models.CASCADE,
                                   related_name="submissions")
    round = models.ForeignKey(ReportingRound, verbose_name="调度", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="submissions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT,
                               related_name="submissions")
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    achieved_value = models.DecimalField("完成数", max_digits=12, decimal_places=2, null=True, blank=True)
    staff_total = models.PositiveIntegerField("应达标人数", null=True, blank=True)
    staff_reached = models.PositiveIntegerField("已达标人数", null=True, blank=True)
    state = models.CharField("审核状态", max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)
    history = HistoricalRecords()

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "进展报送"
        verbose_name_plural = "进展报送"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(state="pending"), name="submission_pending"),
            # An assignment's latest submission (refresh_latest_submission) and its list, newest first.
            models.Index(fields=["assignment", "-created_at", "-id"], name="submission_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.created_at:%Y-%m-%d}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def figures(self) -> Figures:
        """The measure's target and this report's figures."""
        return Figures.of(self.assignment.measure, self)

    FIGURE_FIELDS = ("achieved_value", "staff_total", "staff_reached")

    def decide(self, reviewer, decision: str, reason: str, today: datetime.date) -> "Review":
        """Accept (the assignment is 已完成 and holds this report's figures, when it has any) or return (已退回,
        the unit resubmits) this submission.

        Whoever flips the row from pending owns the review: a second reviewer acting at the same
        moment gets AlreadyDecided with the winner, and nothing of theirs is written.
        """
        accept = decision == Review.Decision.ACCEPT
        new_state = self.State.ACCEPTED if accept else self.State.RETURNED
        with transaction.atomic():
            if Submission.objects.filter(pk=self.pk, state=self.State.PENDING).update(state=new_state) != 1:
                winner = Review.objects.filter(submission_id=self.pk).select_related("reviewer").first()
                raise AlreadyDecided(winner.reviewer if winner else None)
            self.state = new_state
            self._history_user = reviewer
            self.save(update_fields=["state"])  # the claim above bypasses the history; record it
            review = Review.objects.create(submission=self, reviewer=reviewer, decision=decision, reason=reason)
            assignment = Assignment.objects.select_for_update().get(pk=self.assignment_id)
            assignment._history_user = reviewer
            figures = []
            if accept:
                assignment.status = Assignment.Status.DONE
                assignment.completed_on = assignment.completed_on or today
                assignment.percent = max(assignment.percent, self.percent)
                assignment._change_reason = "回头看复核通过" if assignment.is_reopened else "审核通过"
                if assignment.is_reopened:  # done as it was: its own due date back, the 整改期限 kept in the history
                    assignment.due_on = assignment.due_before_reopening()
                assignment.reopened_at, assignment.reopen_reason = None, ""
                if any(getattr(self, name) is not None for name in self.FIGURE_FIELDS):
                    figures = list(self.FIGURE_FIELDS)
                    for name in figures:
                        setattr(assignment, name, getattr(self, name))
            elif not assignment.is_done and not assignment.submissions.pending().exists():
                assignment.status = Assignment.Status.RETURNED
                assignment._change_reason = f"审核退回：{reason}"
            else:
                return review
            assignment.save(update_fields=["status", "completed_on", "percent", *figures, "due_on", "reopened_at",
                                           "reopen_reason", "updated_at"])
        return review

    @classmethod
    def accept_all(cls, submissions: list["Submission"], reviewer, reason: str,
                   today: datetime.date) -> tuple[list["Submission"], list["Submission"]]:
        """批量通过: accept each submission through ``decide`` with one comment, all in one transaction.

        One decided meanwhile by someone else is left as they decided it; returns (accepted, decided by others).
        """
        accepted, taken = [], []
        with transaction.atomic():
            for submission in submissions:
                try:  # decide's own atomic block is a savepoint here: a lost claim writes nothing
                    submission.decide(reviewer, Review.Decision.ACCEPT, reason, today)
                except AlreadyDecided:
                    taken.append(submission)
                else:
                    accepted.append(submission)
        return accepted, taken


class Review(models.Model):
    """The lead office's decision on one submission: 通过 or 退回 with a reason."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "通过"
        RETURN = "return", "退回"

    submission = models.OneToOneField(Submission, verbose_name="进展报送", on_delete=models.CASCADE,
                                      related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT,
                                 related_name="reviews")
    decision = models.CharField("审核结果", max_length=16, choices=Decision.choices)
    reason = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("审核时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "审核"
        verbose_name_plural = "审核"

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.submission}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Stored names are generated; the original name is kept in the row only."""
    return f"evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}"


# The evidence types a browser shows in its own viewer: opened in place (tasks.uploads.preview_type checks the
# stored bytes), every other type is downloaded.
PREVIEWABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


class Evidence(models.Model):
    """An evidence file attached to a submission (stored under MEDIA_ROOT with a generated name)."""

    submission = models.ForeignKey(Submission, verbose_name="进展报送", on_delete=models.CASCADE,
                                   related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    content_type = models.CharField("文件类型", max_length=100)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def previewable(self) -> bool:
        """A PDF or an image, which the browser opens in place."""
        return self.content_type in PREVIEWABLE_TYPES

    def actual_sha256(self) -> str | None:
        """The checksum of the stored file as it is now; None when the file is missing."""
        digest = hashlib.sha256()
        try:
            with self.file.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            return None
        return digest.hexdigest()


class IntegrityAlert(models.Model):
    """A stored evidence file whose checksum no longer matches: it is not served, the lead office is told."""

    MISSING = "missing"

    evidence = models.ForeignKey(Evidence, verbose_name="佐证材料", on_delete=models.CASCADE,
                                 related_name="integrity_alerts")
    expected = models.CharField("登记的SHA-256", max_length=64)
    actual = models.CharField("实际SHA-256", max_length=64, help_text="missing 表示文件缺失")
    detected_at = models.DateTimeField("发现时间", auto_now_add=True)
    detected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下载人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveIntegerField("下载尝试次数", default=1)

    class Meta:
        verbose_name = "文件完整性告警"
        verbose_name_plural = "文件完整性告警"
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "actual"], name="integrityalert_once_per_state"),
        ]

    def __str__(self) -> str:
        return f"{self.evidence} · {self.detected_at:%Y-%m-%d}"

    @property
    def is_missing(self) -> bool:
        return self.actual == self.MISSING

    @classmethod
    def record(cls, evidence: Evidence, actual: str | None, user) -> "IntegrityAlert":
        """One alert per file and state; later attempts only count up."""
        alert, created = cls.objects.get_or_create(
            evidence=evidence, actual=actual or cls.MISSING,
            defaults={"expected": evidence.sha256, "detected_by": user},
        )
        if not created:
            cls.objects.filter(pk=alert.pk).update(attempts=models.F("attempts") + 1)
        return alert


class ExtensionRequest(models.Model):
    """A unit asks for a later deadline (延期申请); the lead office grants or refuses it."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        GRANTED = "granted", "已同意"
        REFUSED = "refused", "未同意"

    assignment = models.ForeignKey(Assignment, verbose_name="任务分解", on_delete=models.CASCADE,
                                   related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="+")
    requested_due_on = models.DateField("申请延至")
    reason = models.TextField("申请理由")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.requested_due_on}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    def decide(self, user, grant: bool, reason: str) -> None:
        """Grant (the due date moves, with the reason in the assignment's history) or refuse."""
        new_state = self.State.GRANTED if grant else self.State.REFUSED
        now = timezone.now()
        with transaction.atomic():
            claimed = ExtensionRequest.objects.filter(pk=self.pk, state=self.State.PENDING).update(
                state=new_state, decided_by=user, decided_at=now, decision_reason=reason)
            if claimed != 1:
                self.refresh_from_db()
                raise AlreadyDecided(self.decided_by)
            self.state, self.decided_by, self.decided_at, self.decision_reason = new_state, user, now, reason
            self._history_user = user
            self.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
            if grant:
                self.assignment.change_deadline(self.requested_due_on, f"同意延期申请：{reason}", user)
