"""From measures to assignments: the periods a measure is owed in, and keeping its assignments in step.

sync_assignments() is the one way assignments are created. It is safe to call again at any time: it adds
what is missing, moves the due dates of assignments nobody has touched, removes untouched assignments of
units that no longer owe the measure, and never deletes an assignment that has a submission.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans.models import Measure
from tasks.models import Assignment

MONTH_DAY = re.compile(r"(\d{1,2})月(?:(\d{1,2})[日号]|底|末|份)")


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _yearly_day(measure: Measure) -> tuple[int, int | None]:
    """(month, day) a yearly measure falls due: the phrase's day (每年2月底前 → Feb end), else its own due
    date's day, else the year end.

    day None means the month's last day.
    """
    match = MONTH_DAY.search(measure.due_phrase or "")
    if match:
        month = int(match.group(1))
        if 1 <= month <= 12:
            return month, int(match.group(2)) if match.group(2) else None
    if measure.due_on:
        return measure.due_on.month, measure.due_on.day
    return 12, None


def _on(year: int, month: int, day: int | None) -> datetime.date:
    end = _month_end(year, month)
    return end if day is None else end.replace(day=min(day, end.day))


def periods_for(measure: Measure) -> list[tuple[str, datetime.date | None]]:
    """The (period label, due date) pairs a measure is owed in.

    A recurring measure is owed once per period from the plan's issue (or start) to its end; a period
    whose due date falls before the plan was issued is skipped, one past the plan's end is cut off.
    Anything else is owed once, at its effective due date (None when ongoing).
    """
    plan = measure.task.plan
    if not measure.recurrence:
        return [("", measure.effective_due())]
    start = plan.issued_on or (timezone.localdate(plan.created_at) if plan.created_at else timezone.localdate())
    end = plan.ends_on
    periods: list[tuple[str, datetime.date]] = []
    if measure.recurrence == Measure.Recurrence.YEARLY:
        month, day = _yearly_day(measure)
        periods = [(f"{y}年", _on(y, month, day)) for y in range(start.year, end.year + 1)]
    elif measure.recurrence == Measure.Recurrence.HALF_YEARLY:
        for y in range(start.year, end.year + 1):
            periods += [(f"{y}年上半年", datetime.date(y, 6, 30)), (f"{y}年下半年", datetime.date(y, 12, 31))]
    elif measure.recurrence == Measure.Recurrence.QUARTERLY:
        for y in range(start.year, end.year + 1):
            periods += [(f"{y}年第{q}季度", _month_end(y, q * 3)) for q in range(1, 5)]
    elif measure.recurrence == Measure.Recurrence.MONTHLY:
        for y in range(start.year, end.year + 1):
            periods += [(f"{y}年{m}月", _month_end(y, m)) for m in range(1, 13)]
    kept = [(label, due) for label, due in periods if due >= start]
    # The last period may run past the plan's end: it is then due at the end.
    result = []
    for label, due in kept:
        if due <= end:
            result.append((label, due))
        elif not result or result[-1][1] < end:
            result.append((label, end))
            break
    return result


@dataclass
class SyncResult:
    created: int = 0
    moved: int = 0
    removed: int = 0
    kept: list[Assignment] = field(default_factory=list)  # no longer owed, but has submissions

    def __iadd__(self, other: SyncResult) -> SyncResult:
        self.created += other.created
        self.moved += other.moved
        self.removed += other.removed
        self.kept += other.kept
        return self


def try_delete(obj) -> bool:
    """Delete unless something else must keep it (a protected reference such as a letter): then keep it."""
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError):
        return False
    return True


def _submitted_ids(ids: list[int]) -> set[int]:
    return set(Assignment.objects.filter(pk__in=ids, submissions__isnull=False).values_list("pk", flat=True))


def _hand_changed_ids(ids: list[int]) -> set[int]:
    """Assignments whose deadline someone changed by hand: such changes carry a reason in the history
    (sync_assignments' own changes never do)."""
    return set(
        Assignment.history.filter(id__in=ids).exclude(history_change_reason__isnull=True)
        .exclude(history_change_reason="").values_list("id", flat=True)
    )


def sync_assignments(measure: Measure) -> SyncResult:
    """Create the measure's missing assignments (every responsible unit × every period), move the due
    dates of untouched ones, remove untouched ones no longer owed; never delete one with submissions."""
    result = SyncResult()
    with transaction.atomic():
        periods = periods_for(measure)
        wanted = {(unit.pk, label): due for unit in measure.responsible_units() for label, due in periods}
        existing = list(Assignment.objects.filter(measure=measure))
        ids = [a.pk for a in existing]
        submitted = _submitted_ids(ids) if ids else set()
        have = {(a.unit_id, a.period): a for a in existing}
        new = [
            Assignment(measure=measure, unit_id=unit_id, period=label, due_on=due)
            for (unit_id, label), due in wanted.items()
            if (unit_id, label) not in have
        ]
        if new:
            bulk_create_with_history(new, Assignment)
            result.created = len(new)
        to_move = [a for key, a in have.items() if key in wanted and a.due_on != wanted[key]]
        hand_changed = _hand_changed_ids([a.pk for a in to_move]) if to_move else set()
        for assignment in to_move:
            if assignment.pk in submitted or assignment.pk in hand_changed or assignment.is_done:
                continue
            assignment.due_on = wanted[(assignment.unit_id, assignment.period)]
            assignment.save(update_fields=["due_on", "updated_at"])
            result.moved += 1
        for key, assignment in have.items():
            if key in wanted:
                continue
            if assignment.pk in submitted or not try_delete(assignment):
                result.kept.append(assignment)
            else:
                result.removed += 1
    return result
