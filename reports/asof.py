"""The status of a plan's assignments as it stood at the end of a day, rebuilt from django-simple-history.

A row of the historical table is a snapshot of the assignment taken at ``history_date``; the snapshot in
force at the end of day D is the latest one dated before midnight after D. So an assignment accepted
after D is still open as of D, a deadline changed after D shows the old date, and an assignment created
after D does not exist yet. One query reads every assignment of the plan: DISTINCT ON where the database
has it (PostgreSQL), a correlated subquery on the indexed ``id`` column elsewhere (latest_values).
"""

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from tasks.models import Assignment, Figures, Measure

HistoricalAssignment = Assignment.history.model
# A measure's columns the reports read: its task, text and target (as Figures takes it).
MEASURE_FIELDS = ("task_id", "text", "target_value", "target_unit", "target_per_person", "flagged_on")

# The columns a report needs, in the order AssignmentState takes them.
STATE_FIELDS = ("id", "measure_id", "unit_id", "period", "due_on", "status", "percent", "completed_on",
                "achieved_value", "staff_total", "staff_reached")


class AssignmentState:
    """An assignment's status on one day: a compact row that answers like the model does.

    The status rules (done, overdue, due soon, done on time, the 红/黄/绿/灰 light) are the model's own
    methods, borrowed and applied to the values as they stood, so a report as of today and the live pages
    always agree.
    """

    __slots__ = STATE_FIELDS
    Status = Assignment.Status
    Light = Assignment.Light

    def __init__(self, id, measure_id, unit_id, period, due_on, status, percent, completed_on,  # noqa: A002
                 achieved_value, staff_total, staff_reached):
        self.id = id
        self.measure_id = measure_id
        self.unit_id = unit_id
        self.period = period
        self.due_on = due_on
        self.status = status
        self.percent = percent
        self.completed_on = completed_on
        self.achieved_value = achieved_value
        self.staff_total = staff_total
        self.staff_reached = staff_reached

    def target_met(self, measure: tuple) -> bool | None:
        """Whether the figures as they stood met the measure's target (a ``measures_as_of`` row); None when the
        measure sets none."""
        _, _, target_value, target_unit, per_person, _ = measure
        figures = Figures(target_value, target_unit, per_person, self.achieved_value, self.staff_total,
                          self.staff_reached)
        return figures.met is True if figures.targeted else None

    is_done = Assignment.is_done
    is_overdue = Assignment.is_overdue
    is_due_soon = Assignment.is_due_soon
    is_done_on_time = Assignment.is_done_on_time
    days_left = Assignment.days_left
    light = Assignment.light

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, f) for f in STATE_FIELDS)

    def __repr__(self) -> str:
        return f"AssignmentState{self.as_tuple()!r}"


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the project's time zone (an exclusive bound)."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight, timezone.get_current_timezone())


def is_past(day: datetime.date) -> bool:
    return day < timezone.localdate()


def latest_history(history: QuerySet, before: datetime.datetime) -> QuerySet:
    """Historical rows of ``history`` (a historical model's queryset): the latest per object before
    ``before``, deletions left out. One query on either database."""
    history = history.filter(history_date__lt=before)
    if connection.features.can_distinct_on_fields:
        latest = history.order_by("id", "-history_date", "-history_id").distinct("id")
    else:
        newest = (
            history.model.objects.filter(id=OuterRef("id"), history_date__lt=before)
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        latest = history.filter(history_id=Subquery(newest))
    # Filtering deletions out after DISTINCT ON needs a wrapper on PostgreSQL; do it by primary key.
    return history.model.objects.filter(history_id__in=latest.values("history_id")).exclude(history_type="-")


def latest_values(history: QuerySet, before: datetime.datetime, fields: Iterable[str]) -> list[tuple]:
    """``latest_history(history, before).order_by("id").values_list(*fields)``, as a list.

    On PostgreSQL the DISTINCT ON query reads the fields itself and deletions are dropped here, which saves
    looking every snapshot up again by primary key and sorting the result a second time.
    """
    if not connection.features.can_distinct_on_fields:
        return list(latest_history(history, before).order_by("id").values_list(*fields))
    latest = (history.filter(history_date__lt=before).order_by("id", "-history_date", "-history_id")
              .distinct("id").values_list(*fields, "history_type"))
    return [row[:-1] for row in latest if row[-1] != "-"]


def assignment_states(
    plan_id: int,
    as_of: datetime.date,
    *,
    unit_ids: Iterable[int] | None = None,
    task_id: int | None = None,
    from_history: bool | None = None,
) -> list[AssignmentState]:
    """Every assignment of the plan as it stood at the end of ``as_of``, ordered by id.

    Today (or later) reads the live table; a past day reads the history. ``from_history`` forces
    the choice (the tests use it to check that both agree).
    """
    if from_history is None:
        from_history = is_past(as_of)
    scope = {"measure__task__plan_id": plan_id}
    if unit_ids is not None:
        scope["unit_id__in"] = list(unit_ids)
    if task_id is not None:
        scope["measure__task_id"] = task_id
    if from_history:
        return [AssignmentState(*row) for row in latest_values(HistoricalAssignment.objects.filter(**scope),
                                                               end_of_day(as_of), STATE_FIELDS)]
    rows = Assignment.objects.filter(**scope)
    return [AssignmentState(*row) for row in rows.order_by("id").values_list(*STATE_FIELDS)]


def measures_as_of(plan_id: int, as_of: datetime.date) -> dict[int, tuple]:
    """The plan's measures as they stood at the end of ``as_of``: pk -> MEASURE_FIELDS. One query."""
    rows = Measure.objects.filter(task__plan_id=plan_id)
    if is_past(as_of):
        rows = latest_history(Measure.history.model.objects.filter(task__plan_id=plan_id), end_of_day(as_of))
    return {pk: rest for pk, *rest in rows.values_list("id", *MEASURE_FIELDS)}
