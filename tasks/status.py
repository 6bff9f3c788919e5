"""Figures for the dashboard, computed in SQL.

Every function takes a queryset of assignments that is already scoped (to the user, the plan, a unit or
a task) and runs a fixed number of queries, whatever the number of assignments or units: counts come
from ``aggregate`` / ``values().annotate()`` over the SQL twins of ``Assignment``'s status rules (done,
overdue, done on time, and the light as its rank).
"""

import datetime
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from plans.models import Measure, Task, Unit
from tasks.models import RANK_LIGHT, Assignment, Submission


def in_plan(assignments: QuerySet[Assignment], plan) -> QuerySet[Assignment]:
    """The assignments of a plan's measures.

    Written as ``measure IN (the plan's measures)`` rather than a join through the task: PostgreSQL then
    reads the assignments measure by measure from the measure index instead of probing a hash of tasks for
    each of 100,000 rows, which made a whole plan's counts about three times slower.
    """
    return assignments.filter(measure__in=Measure.objects.filter(task__plan=plan))


def _counts(today: datetime.date) -> dict:
    """The counts of a group of assignments: shared by the headline, the breakdowns and the matrix."""
    return {
        "total": Count("id"),
        "done": Count("id", filter=Assignment.done_q()),
        "overdue": Count("id", filter=Assignment.overdue_q(today)),
        "done_on_time": Count("id", filter=Assignment.done_on_time_q()),
        "returned": Count("id", filter=Q(status=Assignment.Status.RETURNED)),
    }


COUNTS = ("total", "done", "overdue", "done_on_time", "returned")


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


def headline(assignments: QuerySet[Assignment], today: datetime.date, grid: "Matrix | None" = None) -> Headline:
    """Measures, assignments, done, done on time, overdue, awaiting review, returned.

    Given the matrix of the same assignments, the counts are its cells' sums (no second pass over the
    assignments); either way the measures and the reports awaiting review are two indexed queries.
    """
    counts = dict(grid.sums) if grid is not None else assignments.aggregate(**_counts(today))
    in_scope = assignments.order_by()
    measures = Measure.objects.filter(Exists(in_scope.filter(measure=OuterRef("pk")))).count()
    awaiting = (Submission.objects.filter(state=Submission.State.PENDING)
                .filter(Exists(in_scope.filter(pk=OuterRef("assignment_id")))).order_by()
                .aggregate(n=Count("assignment_id", distinct=True))["n"])
    return Headline(measures=measures, awaiting_review=awaiting, **counts)


@dataclass
class Row:
    """One line of a breakdown: a section, a task or a unit with its counts."""

    obj: object
    total: int = 0
    done: int = 0
    overdue: int = 0
    rank: int = 0
    targeted: int = 0  # assignments whose measure sets a target (add_targets)
    target_met: int = 0  # of those, how many have accepted figures that meet it

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


@dataclass(slots=True)
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
    """Tasks as rows, units as columns; each cell holds the worst light of its assignments.

    ``cells`` maps (task id, unit id) to (rank, total, done, overdue) for the cells that hold
    assignments; ``sums`` adds up every count over the whole matrix.
    """

    tasks: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    cells: dict[tuple[int, int], tuple[int, int, int, int]] = field(default_factory=dict)
    sums: dict = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    @property
    def rows(self) -> list[tuple[Row, list[Cell]]]:
        """Each task row with one cell per unit, in the units' order (empty where the unit owes nothing)."""
        result = []
        for task_row in self.tasks:
            line = []
            for unit_row in self.units:
                cell = Cell(task_row.obj, unit_row.obj)
                counts = self.cells.get((task_row.obj.pk, unit_row.obj.pk))
                if counts:
                    cell.rank, cell.total, cell.done, cell.overdue = counts
                line.append(cell)
            result.append((task_row, line))
        return result


def _add(row: Row, other: Row) -> None:
    row.total += other.total
    row.done += other.done
    row.overdue += other.overdue
    row.rank = max(row.rank, other.rank)


def matrix(assignments: QuerySet[Assignment], today: datetime.date) -> Matrix:
    """The task × unit matrix in three queries, whatever the number of tasks, units and assignments.

    SQL counts each (task, unit) cell in one pass over the assignments; the tasks and units are then
    fetched by the ids found there (no second pass), and a task's row and a unit's column add up their
    cells.
    """
    grouped = (assignments.order_by().values("measure__task_id", "unit_id")
               .annotate(rank=Max(Assignment.light_rank_case(today)), **_counts(today)))
    # Read through the cursor: 17,000 rows of plain integers need none of the ORM's per-row converters,
    # which cost more than the query's own time at city scale. Columns: the two ids, then the
    # annotations in the order given above (rank, then COUNTS).
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(*grouped.query.sql_with_params())
        rows = cursor.fetchall()
    result = Matrix()
    if not rows:
        return result
    result.cells = {(task_id, unit_id): (rank, total, done, overdue)
                    for task_id, unit_id, rank, total, done, overdue, *_ in rows}
    result.sums = dict(zip(COUNTS, [sum(column) for column in list(zip(*rows, strict=True))[3:]], strict=True))
    tasks = Task.objects.filter(pk__in={task_id for task_id, _ in result.cells}).select_related("section")
    units = Unit.objects.filter(pk__in={unit_id for _, unit_id in result.cells})
    task_rows = {t.pk: Row(t) for t in tasks.order_by("plan", "order", "id")}
    unit_rows = {u.pk: Row(u) for u in units}
    # Add up each task's row and each unit's column as plain lists [total, done, overdue, rank], then
    # copy them onto the rows once: attribute updates per cell cost more than the additions themselves.
    per_task: dict[int, list[int]] = {}
    per_unit: dict[int, list[int]] = {}
    for (task_id, unit_id), (rank, total, done, overdue) in result.cells.items():
        for sums, key in ((per_task, task_id), (per_unit, unit_id)):
            acc = sums.get(key)
            if acc is None:
                sums[key] = [total, done, overdue, rank]
            else:
                acc[0] += total
                acc[1] += done
                acc[2] += overdue
                if rank > acc[3]:
                    acc[3] = rank
    for rows_by_id, sums in ((task_rows, per_task), (unit_rows, per_unit)):
        for key, row in rows_by_id.items():
            row.total, row.done, row.overdue, row.rank = sums[key]
    result.tasks, result.units = list(task_rows.values()), list(unit_rows.values())
    return result


def add_targets(task_rows: list[Row], assignments: QuerySet[Assignment]) -> None:
    """Each task's assignments with a target, and how many meet it (``Assignment.target_met_q``): one query."""
    counts = (assignments.filter(Assignment.targeted_q()).order_by().values_list("measure__task_id")
              .annotate(targeted=Count("id"), met=Count("id", filter=Assignment.target_met_q())))
    by_task = {task_id: (targeted, met) for task_id, targeted, met in counts}
    for row in task_rows:
        row.targeted, row.target_met = by_task.get(row.obj.pk, (0, 0))


def worst_first(unit_rows: list[Row]) -> list[Row]:
    """Units with the most overdue assignments first, then the worst light, then the lowest completion.

    Ties keep the given order (the units' own order), so the list reads the same from one day to the next.
    """
    return sorted(unit_rows, key=lambda row: (-row.overdue, -row.rank, row.done / row.total if row.total else 0))


def by_section(task_rows: list[Row]) -> list[Row]:
    """Completion per section (each task's own section), in document order, from the task rows."""
    sections: dict[int, Row] = {}
    for task_row in task_rows:
        section = task_row.obj.section
        if section is not None:
            row = sections.setdefault(section.pk, Row(section))
            _add(row, task_row)
    return sorted(sections.values(), key=lambda r: (r.obj.plan_id, r.obj.order, r.obj.pk))
