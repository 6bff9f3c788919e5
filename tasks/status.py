"""Figures for the dashboard, computed in SQL.

Every function takes a queryset of assignments that is already scoped (to the user, the plan, a unit or
a task) and runs a fixed number of queries, whatever the number of assignments or units: counts come
from ``aggregate`` / ``values().annotate()``, and the status light of an assignment is a ``Case``
expression that mirrors ``Assignment.light(today)``.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Value, When

from plans.models import Task, Unit
from tasks.models import DUE_SOON_DAYS, Assignment, Submission

DONE = Assignment.Status.DONE
RETURNED = Assignment.Status.RETURNED

# Lights ranked from best to worst: a group of assignments shows its worst one.
LIGHT_RANK = {
    Assignment.Light.GREEN: 0,
    Assignment.Light.GREY: 1,
    Assignment.Light.YELLOW: 2,
    Assignment.Light.RED: 3,
}
RANK_LIGHT = {rank: light for light, rank in LIGHT_RANK.items()}


def light_rank(today: datetime.date) -> Case:
    """The light of each assignment as its rank, in SQL (same rule as ``Assignment.light``)."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return Case(
        When(status=DONE, then=Value(LIGHT_RANK[Assignment.Light.GREEN])),
        When(due_on__lt=today, then=Value(LIGHT_RANK[Assignment.Light.RED])),
        When(Q(status=RETURNED) | Q(due_on__lte=soon), then=Value(LIGHT_RANK[Assignment.Light.YELLOW])),
        default=Value(LIGHT_RANK[Assignment.Light.GREY]),
        output_field=IntegerField(),
    )


def overdue_q(today: datetime.date) -> Q:
    return ~Q(status=DONE) & Q(due_on__lt=today)


def on_time_q() -> Q:
    """Done by the due date (an ongoing measure, with no due date, is always on time)."""
    return Q(status=DONE, completed_on__isnull=False) & (
        Q(due_on__isnull=True) | Q(completed_on__lte=F("due_on"))
    )


def pending_review() -> Exists:
    return Exists(Submission.objects.filter(assignment=OuterRef("pk"), state=Submission.State.PENDING))


def _counts(today: datetime.date) -> dict:
    """The per-group counts shared by the headline, the breakdowns and the matrix."""
    return {
        "total": Count("id"),
        "done": Count("id", filter=Q(status=DONE)),
        "overdue": Count("id", filter=overdue_q(today)),
    }


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class Headline:
    measures: int = 0
    total: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue: int = 0
    awaiting_review: int = 0
    returned: int = 0

    @property
    def done_percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def on_time_percent(self) -> int:
        return percent(self.done_on_time, self.done)


def headline(assignments: QuerySet[Assignment], today: datetime.date) -> Headline:
    """Measures, assignments, done, done on time, overdue, awaiting review, returned: one query."""
    figures = assignments.annotate(pending=pending_review()).aggregate(
        measures=Count("measure", distinct=True),
        done_on_time=Count("id", filter=on_time_q()),
        awaiting_review=Count("id", filter=Q(pending=True)),
        returned=Count("id", filter=Q(status=RETURNED)),
        **_counts(today),
    )
    return Headline(**figures)


@dataclass
class Row:
    """One line of a breakdown: a section, a task or a unit with its counts."""

    obj: object
    total: int = 0
    done: int = 0
    overdue: int = 0
    rank: int = 0

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def light(self) -> str:
        return RANK_LIGHT[self.rank]

    @property
    def light_label(self) -> str:
        return Assignment.Light(self.light).label

    @property
    def percent_step(self) -> int:
        """The percentage rounded down to a step of 5, for a CSS width class (no inline styles)."""
        return self.percent // 5 * 5


@dataclass
class Cell:
    task: Task
    unit: Unit
    total: int = 0
    done: int = 0
    overdue: int = 0
    rank: int | None = None

    @property
    def light(self) -> str | None:
        return None if self.rank is None else RANK_LIGHT[self.rank]


@dataclass
class Matrix:
    """Tasks as rows, units as columns; each cell holds the worst light of its assignments."""

    tasks: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    rows: list[tuple[Row, list[Cell]]] = field(default_factory=list)


def _add(row: Row, counts: dict) -> None:
    row.total += counts["total"]
    row.done += counts["done"]
    row.overdue += counts["overdue"]
    row.rank = max(row.rank, counts["rank"])


def matrix(assignments: QuerySet[Assignment], today: datetime.date) -> Matrix:
    """The task × unit matrix in three queries, whatever the number of tasks, units and assignments.

    SQL counts each (task, unit) cell; a task's row and a unit's column add up their cells.
    """
    ids = assignments.order_by().values("pk")
    tasks = list(Task.objects.filter(measures__assignments__in=ids).distinct().select_related("section")
                 .order_by("plan", "order", "id"))
    units = list(Unit.objects.filter(assignments__in=ids).distinct())
    cells = {
        (c["measure__task_id"], c["unit_id"]): c
        for c in assignments.order_by().values("measure__task_id", "unit_id")
        .annotate(rank=Max(light_rank(today)), **_counts(today))
    }
    result = Matrix(tasks=[Row(t) for t in tasks], units=[Row(u) for u in units])
    for task_row in result.tasks:
        line = []
        for unit_row in result.units:
            cell = Cell(task_row.obj, unit_row.obj)
            c = cells.get((task_row.obj.pk, unit_row.obj.pk))
            if c:
                cell.total, cell.done, cell.overdue, cell.rank = c["total"], c["done"], c["overdue"], c["rank"]
                _add(task_row, c)
                _add(unit_row, c)
            line.append(cell)
        result.rows.append((task_row, line))
    return result


def by_section(task_rows: list[Row]) -> list[Row]:
    """Completion per section (each task's own section), in document order, from the task rows."""
    sections: dict[int, Row] = {}
    for task_row in task_rows:
        section = task_row.obj.section
        if section is not None:
            row = sections.setdefault(section.pk, Row(section))
            _add(row, {"total": task_row.total, "done": task_row.done, "overdue": task_row.overdue,
                       "rank": task_row.rank})
    return sorted(sections.values(), key=lambda r: (r.obj.plan_id, r.obj.order, r.obj.pk))
