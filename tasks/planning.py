"""From measures to assignments: the periods a measure is owed in, and keeping its assignments in step.

sync_assignments() is the one way assignments are created. It is safe to call again at any time: it adds
what is missing, moves the due dates of assignments nobody has touched, removes untouched assignments of
units that no longer owe the measure, and never deletes an assignment that has a submission.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans.importer.deadlines import recurring_periods
from plans.models import Measure
from tasks.models import Assignment

# A plan's reporting period for its ongoing measures (Plan.progress_every_months) as a recurrence.
PROGRESS_RECURRENCE = {3: "quarterly", 6: "half-yearly", 12: "yearly"}
PROGRESS_SUFFIX = "进展"  # 2024年上半年进展: the period of a progress report on an ongoing measure


def periods_for(measure: Measure) -> list[tuple[str, datetime.date | None]]:
    """The (period label, due date) pairs a measure is owed in.

    A recurring measure is owed once per period from the plan's issue (or start) to its end, on the dates
    the importer's calendar of periods gives (``recurring_periods``). An ongoing measure has no end to
    reach: it is owed a progress report per reporting period of the plan (``Plan.progress_every_months``),
    due on each period's last day and labelled as such (2024年上半年进展), so it is late only when a report
    is missed. A one-off measure is owed once, at its effective due date.
    """
    plan = measure.task.plan
    if not measure.ongoing and not measure.recurrence:
        return [("", measure.effective_due())]
    start = plan.issued_on or (timezone.localdate(plan.created_at) if plan.created_at else timezone.localdate())
    if measure.ongoing:
        periods = recurring_periods(PROGRESS_RECURRENCE[plan.progress_every_months], start, plan.ends_on)
        return [(label + PROGRESS_SUFFIX, due) for label, due in periods]
    return recurring_periods(measure.recurrence, start, plan.ends_on, due_phrase=measure.due_phrase,
                             due_on=measure.due_on)


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


def _try_delete_all(assignments: list[Assignment]) -> list[Assignment]:
    """Delete these in one go; when something protects one of them, one by one. Returns those kept."""
    if not assignments:
        return []
    try:
        with transaction.atomic():
            Assignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    except (ProtectedError, RestrictedError):
        return [a for a in assignments if not try_delete(a)]
    return []


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
        gone = [a for key, a in have.items() if key not in wanted]
        kept = [a for a in gone if a.pk in submitted]
        kept += _try_delete_all([a for a in gone if a.pk not in submitted])
        result.kept += kept
        result.removed = len(gone) - len(kept)
    return result
