"""Whether a plan's follow-up may start: a plan that brings items already past their due date, never chased,
starts with its ladder paused, and the lead office decides what those items are.

An import (the import page and `manage.py import_plan` call `after_import`) that leaves open items under
follow-up whose due date had passed on the import day, with no ladder step ever taken for them, switches
the plan's ladder off with a reason saying how many. The 督办设置 page (and a banner on the plan page and
the workbench) then offers two ways out, both recorded in each item's history with the lead office's reason:
new due dates from one chosen date (`reschedule`), or 历史事项, kept in the ledger with no follow-up
(`record_as_historical`). Either switches the ladder back on and clears the reason.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from notifications.models import RECHECK, LadderConfig, LadderState, Step
from plans.importer.writer import measure_values
from plans.models import Measure, Plan, Task
from tasks.models import Assignment
from tasks.planning import periods_for


def unchased_past_due(plan: Plan, as_of: datetime.date) -> QuerySet[Assignment]:
    """The plan's open items under follow-up whose due date had passed on `as_of` and that the ladder never
    took a step for."""
    return (Assignment.objects.open().filter(measure__task__plan=plan, follow_up=True, due_on__lt=as_of)
            .exclude(Exists(Step.objects.filter(assignment=OuterRef("pk")))))


def past_due_in_import(data: dict, as_of: datetime.date | None = None) -> int:
    """For the import preview, before anything is written: how many of the parsed plan's measures, counted per
    period (a recurring measure once per period, an ongoing one per progress report), are due before `as_of`
    (default today; the calendar of tasks.planning.periods_for, on unsaved rows). Units are not counted: the import's own
    warning, once the plan is written, gives the number of items."""
    as_of = as_of or timezone.localdate()
    plan = Plan(issued_on=_day(data.get("issued_on")), ends_on=_day(data.get("ends_on")) or as_of)
    task = Task(plan=plan)
    count = 0
    for item in data.get("tasks", []):
        for order, m in enumerate(item.get("measures", [])):
            measure = Measure(task=task, **measure_values(m, order))
            count += sum(1 for _label, due_on in periods_for(measure) if due_on is not None and due_on < as_of)
    return count


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def pause_reason(count: int) -> str:
    return f"导入时已有{count}项任务超过完成时限，自动督办已暂停，请确定处理方式"


def after_import(plan: Plan, as_of: datetime.date | None = None) -> list[str]:
    """Pause the plan's follow-up when the import (on `as_of`, default today) left items already past due that
    were never chased; the warning line to show (none when nothing is past due)."""
    count = unchased_past_due(plan, as_of or timezone.localdate()).count()
    if not count:
        return []
    config = LadderConfig.for_plan(plan)
    config.enabled, config.paused_reason = False, pause_reason(count)
    config._change_reason = "导入时已有任务超过完成时限"
    config.save(update_fields=["enabled", "paused_reason", "updated_at"])
    return [config.paused_reason]


def reschedule(plan: Plan, due_on: datetime.date, reason: str, user, as_of: datetime.date) -> int:
    """重新设定完成时限: every unchased past-due item of the plan gets `due_on`, then the follow-up resumes;
    returns how many items moved."""
    if due_on < as_of:
        raise ValueError("新的完成时限不能早于今天。")
    return _resolve(plan, as_of, lambda a: a.change_deadline(due_on, f"重新设定完成时限：{reason}", user), user)


def record_as_historical(plan: Plan, reason: str, user, as_of: datetime.date) -> int:
    """记为历史事项: every unchased past-due item of the plan stays in the ledger with no follow-up, then the
    follow-up of the rest resumes; returns how many items."""
    return _resolve(plan, as_of, lambda a: a.record_as_historical(f"记为历史事项：{reason}", user), user)


def _resolve(plan: Plan, as_of: datetime.date, change, user) -> int:
    with transaction.atomic():
        config = LadderConfig.objects.select_for_update().get(pk=LadderConfig.for_plan(plan).pk)
        items = list(unchased_past_due(plan, as_of).order_by("pk"))
        for assignment in items:  # one history row each, with the reason
            change(assignment)
        # the next sweep looks at these items again: a new cycle from the new date, or off the ladder
        pks = [a.pk for a in items]
        for start in range(0, len(pks), 5000):
            LadderState.objects.filter(assignment__in=pks[start:start + 5000]).update(next_step_on=RECHECK)
        config.enabled, config.paused_reason = True, ""
        config._change_reason = "确定导入时已超过完成时限事项的处理方式"
        config._history_user = user
        config.save(update_fields=["enabled", "paused_reason", "updated_at"])
    return len(items)


def flag(measure: Measure, reason: str, user, as_of: datetime.date) -> None:
    """挂牌督办: flag the measure and let the next sweep look at its items again, on the stricter ladder."""
    with transaction.atomic():
        measure.flag(reason, as_of, user)
        _recheck(measure)


def unflag(measure: Measure, reason: str, user) -> None:
    """摘牌: the plan's own ladder applies again from the next sweep."""
    with transaction.atomic():
        measure.unflag(reason, user)
        _recheck(measure)


def _recheck(measure: Measure) -> None:
    LadderState.objects.filter(assignment__measure=measure, next_step_on__isnull=False).update(next_step_on=RECHECK)
