"""Every dashboard figure three ways, and they agree.

1. Row by row in Python, with the assignment's own status rules (``Assignment.is_overdue`` …, ``light``).
2. The SQL the dashboard counts with: ``tasks.status.headline`` / ``matrix`` / ``by_section``, the queryset
   filters and the home page's workbench.
3. The 督察 report as of today (``reports.inspection.build_report``), and the same rules applied to the
   history rows as they stood at the end of today (``reports.asof``).

On seeded random data holding every state, and on the demo (seed_demo, once for the module).
"""

import datetime
import io
import random
import re
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from simple_history.utils import bulk_create_with_history

from plans.models import Measure, Plan, Section, Task, Unit
from reports.asof import assignment_states
from reports.inspection import KIND_INSPECTION, build_report
from tasks import status
from tasks.models import LIGHT_RANK, RANK_LIGHT, Assignment
from tests.standard_catalogue import ensure_standard_catalogue
from tracker.models import User
from tracker.workbench import work_items

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2024, 12, 28)
S = Assignment.Status


def worst(lights) -> str:
    return RANK_LIGHT[max(LIGHT_RANK[light] for light in lights)]


def by_python(rows, plan: Plan, today: datetime.date) -> dict:
    """The figures counted row by row with the status rules; ``rows`` are assignments or their as-of states."""
    task_of = dict(Measure.objects.filter(task__plan=plan).values_list("id", "task_id"))
    section_of = dict(Task.objects.filter(plan=plan).values_list("id", "section_id"))
    groups: dict[str, dict] = {"cells": {}, "tasks": {}, "units": {}, "sections": {}}
    figures = Counter()
    measures = set()
    lights = {}
    for row in rows:
        task_id = task_of[row.measure_id]
        measures.add(row.measure_id)
        lights[row.id] = row.light(today)
        figures["total"] += 1
        figures["done"] += row.is_done
        figures["done_on_time"] += row.is_done_on_time()
        figures["overdue"] += row.is_overdue(today)
        figures["due_soon"] += row.is_due_soon(today)
        figures["returned"] += row.status == S.RETURNED
        keys = {"cells": (task_id, row.unit_id), "tasks": task_id, "units": row.unit_id,
                "sections": section_of[task_id]}
        for kind, key in keys.items():
            if key is not None:  # a task outside any section is in no section's figures
                groups[kind].setdefault(key, []).append(row)
    result = dict(figures, measures=len(measures), lights=lights)
    for kind, members in groups.items():
        result[kind] = {key: (worst(r.light(today) for r in rows), len(rows), sum(r.is_done for r in rows),
                              sum(r.is_overdue(today) for r in rows))
                        for key, rows in members.items()}
    return result


def by_sql(assignments, today: datetime.date, user: User) -> dict:
    """The figures as the dashboard, the work-list filters and the workbench count them in the database."""
    grid = status.matrix(assignments, today)
    head = status.headline(assignments, today)

    def rows(rows_):
        return {row.obj.pk: (row.light, row.total, row.done, row.overdue) for row in rows_}

    workbench = {item.label: item.count for item in work_items(user, today, None)}
    return {
        "total": head.total, "done": head.done, "done_on_time": head.done_on_time, "overdue": head.overdue,
        "returned": head.returned, "measures": head.measures,
        "due_soon": assignments.due_within(today).count(),
        "lights": {pk: RANK_LIGHT[rank] for pk, rank in
                   assignments.values_list("pk", Assignment.light_rank_case(today))},
        "cells": {key: (RANK_LIGHT[rank], total, done, overdue)
                  for key, (rank, total, done, overdue) in grid.cells.items()},
        "tasks": rows(grid.tasks), "units": rows(grid.units), "sections": rows(status.by_section(grid.tasks)),
        # the same figures, counted again by the other callers of the rules
        "headline_from_matrix": status.headline(assignments, today, grid) == head,
        "filters": (assignments.overdue(today).count(), assignments.not_overdue(today).count(),
                    assignments.done_on_time().count()),
        "workbench": (workbench["已逾期"], workbench["7日内到期"], workbench["被退回待重报"]),
    }


def by_report(plan: Plan, today: datetime.date) -> dict:
    """The figures the 督察 report prints for the plan as of ``today``."""
    report = build_report(KIND_INSPECTION, plan, today)

    def tally(t):
        return (t.light, t.total, t.done, t.overdue)

    cells = {}
    for unit_row in report.units:
        for task_row, (light, text) in zip(report.columns, unit_row.cells, strict=True):
            if light != "none":
                done, total = map(int, re.search(r"(\d+)/(\d+)", text).groups())
                cells[(task_row.task.pk, unit_row.unit.pk)] = (light, total, done)
    return {
        "total": report.total.total, "done": report.total.done, "done_on_time": report.total.on_time,
        "overdue": report.total.overdue, "overdue_lines": len(report.overdue),
        "days_late": sorted(line.days_late for line in report.overdue),
        "cells": cells,
        "tasks": {row.task.pk: tally(row.tally) for row in report.columns},  # the 工作要求 items too
        "units": {row.unit.pk: tally(row.tally) for row in report.units},
        "sections": {block.title: tally(block.tally) for block in report.sections},
        "requirements": tally(report.requirement_tally),  # reported apart from the tasks' sections
    }


def assert_all_agree(plan: Plan, today: datetime.date, user: User) -> dict:
    live = Assignment.objects.filter(measure__task__plan=plan)
    python = by_python(live, plan, today)
    sql = by_sql(live, today, user)
    report = by_report(plan, today)
    history = by_python(assignment_states(plan.pk, today, from_history=True), plan, today)

    # 1 = 2: the rules row by row and the dashboard's SQL
    for key in ("total", "done", "done_on_time", "overdue", "returned", "measures", "due_soon", "lights",
                "cells", "tasks", "units", "sections"):
        assert sql[key] == python[key], key
    assert sql["headline_from_matrix"]
    assert sql["filters"] == (python["overdue"], python["total"] - python["overdue"], python["done_on_time"])
    assert sql["workbench"] == (python["overdue"], python["due_soon"], python["returned"])

    # 1 = 3: the rules row by row and the report as of today, from the live rows and from their history
    assert history == python
    for key in ("total", "done", "done_on_time", "overdue", "tasks", "units"):
        assert report[key] == python[key], key
    assert report["cells"] == {key: cell[:3] for key, cell in python["cells"].items()}
    titles = {s.pk: f"{s.number}{s.title}" for s in Section.objects.filter(plan=plan)}
    in_sections = {title: figures for title, figures in report["sections"].items() if title in titles.values()}
    apart = set(Task.objects.filter(plan=plan, is_requirement=True).values_list("section_id", flat=True))
    assert in_sections == {titles[pk]: figures for pk, figures in python["sections"].items() if pk not in apart}
    for pk in apart:  # the 工作要求 items, in a section of their own
        assert report["requirements"] == python["sections"][pk]
    late = sorted(-row.days_left(today) for row in live if row.is_overdue(today))
    assert report["overdue_lines"] == python["overdue"] and report["days_late"] == late
    return python


# --- randomised data ---------------------------------------------------------------------------------------

def at(day: datetime.date, hour: int) -> time_machine.travel:
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING), tick=False)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


# (status, due in days from today or None, completed in days from today or None): each state the rules tell
# apart, edges included, before the random rows.
EVERY_STATE = [
    (S.DONE, -5, -8),  # done on time
    (S.DONE, -5, -5),  # done on the due date: on time
    (S.DONE, -5, -2),  # done late
    (S.DONE, -5, None),  # done without a completion date: not on time
    (S.DONE, 3, None),
    (S.DONE, None, -1),  # ongoing, done: on time
    (S.DONE, None, None),  # ongoing, done without a completion date: not on time
    (S.NOT_STARTED, None, None),  # ongoing: never overdue, grey
    (S.RETURNED, None, None),  # returned: yellow whatever its date
    (S.RETURNED, 30, None),
    (S.RETURNED, -3, None),  # returned and overdue: red
    (S.IN_PROGRESS, 0, None),  # due today: due soon, not overdue
    (S.SUBMITTED, 7, None),  # due in 7 days: due soon
    (S.IN_PROGRESS, 8, None),  # due in 8 days: grey
    (S.NOT_STARTED, -1, None),  # due yesterday: overdue
    (S.SUBMITTED, -40, None),
]


def random_state(rng: random.Random) -> tuple:
    state = rng.choice(S.values)
    due = rng.choice([None, -1, 0, 7, 8, rng.randint(-60, 60)])
    completed = None
    if state == S.DONE and rng.random() < 0.8:
        completed = rng.randint(-70, 0)
    return state, due, completed


def build_random_plan(cast, seed: int) -> None:
    """Three more tasks in a second section, four more units, and 300 assignments in random states."""
    rng = random.Random(seed)
    section2 = Section.objects.create(plan=cast.plan, level=2, number="（二）", title="规范执法", order=2)
    tasks = [cast.task] + [
        Task.objects.create(plan=cast.plan, section=[cast.section, section2][i % 2], number=i + 2,
                            title=f"随机任务{i + 2}", order=i + 2)
        for i in range(3)
    ]
    measures = [Measure.objects.create(task=t, order=n, text=f"{t.title}措施{n}。") for t in tasks for n in (1, 2)]
    units = [cast.finance, cast.street] + [Unit.objects.create(name=f"随机单位{i}", order=10 + i) for i in range(4)]
    Assignment.objects.all().delete()
    states = EVERY_STATE + [random_state(rng) for _ in range(300 - len(EVERY_STATE))]
    rows = []
    for n, (state, due, _) in enumerate(states):
        rows.append(Assignment(measure=rng.choice(measures), unit=rng.choice(units), period=f"第{n}期",
                               status=S.NOT_STARTED if state == S.DONE else state,
                               due_on=None if due is None else days(due)))
    bulk_create_with_history(rows, Assignment)
    # An hour later, the finished ones are marked done one by one, as a review does: a second history row.
    with at(TODAY, 11):
        for row, (state, _, completed) in zip(Assignment.objects.order_by("id"), states, strict=True):
            if state == S.DONE:
                row.status, row.completed_on = S.DONE, None if completed is None else days(completed)
                row.save()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_agree_on_random_data_in_every_state(cast, seed):
    with at(TODAY, 10):
        build_random_plan(cast, seed)
    with at(TODAY, 15):
        figures = assert_all_agree(cast.plan, TODAY, cast.lead)
    # the data did hold every kind of figure, so the agreement above means something
    assert all(figures[key] > 0 for key in ("done", "done_on_time", "overdue", "due_soon", "returned"))
    assert figures["done"] > figures["done_on_time"]
    assert set(figures["lights"].values()) == set(Assignment.Light.values)


def test_done_without_completion_date_is_not_on_time_anywhere(cast):
    with at(TODAY, 10):
        Assignment.objects.all().delete()
        for unit, completed_on in ((cast.finance, None), (cast.street, days(-1))):
            Assignment.objects.create(measure=cast.measure, unit=unit, due_on=days(3), status=S.DONE,
                                      completed_on=completed_on)
    with at(TODAY, 15):
        figures = assert_all_agree(cast.plan, TODAY, cast.lead)
    assert (figures["done"], figures["done_on_time"]) == (2, 1)


# --- the demo ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's life up to TODAY (seed_demo under a frozen clock), once for the module, rolled back after."""
    with (at(TODAY, 10), django_db_blocker.unblock(),
          override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), transaction.atomic()):
        # a transactional test run earlier on this worker flushed the catalogue its migration wrote
        ensure_standard_catalogue()
        call_command("seed_demo", stdout=io.StringIO())
        yield Plan.objects.get()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_figures_agree_on_the_demo(demo):
    with at(TODAY, 15):
        figures = assert_all_agree(demo, TODAY, User.objects.get(username="sifaju"))
    assert all(figures[key] > 0 for key in ("done", "done_on_time", "overdue", "due_soon", "returned"))

