"""The report's task table shows 目标达标 a/b for tasks with targeted measures (the workbook too), as of the day:
a figure accepted later does not count."""

import datetime
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from plans.models import Measure
from reports.inspection import KIND_INSPECTION, build_report
from reports.render import report_html
from reports.xlsx import report_xlsx
from tasks.models import Assignment
from tests.reports.conftest import at, build_plan
from tests.xlsx import table

D = datetime.date(2025, 7, 10)


def targeted_plan():
    """Task 1 sets 每人60学时; task 2 no target. Three units: on 2025年5月20日 one unit's figure meets it,
    another's falls short; on 2025年7月20日 (after D) the third unit's meeting figure is accepted."""
    plan = build_plan(units=3, tasks=2)
    Measure.objects.filter(task__number=1).update(target_value=Decimal(60), target_unit="学时",
                                                  target_per_person=True)
    for m in Measure.objects.filter(task__number=1):  # a history row with the target, as the form would save
        m.save()
    first, second, third = Assignment.objects.filter(measure__task__number=1).order_by("unit__order")
    return plan, first, second, third


def accept_figures(a: Assignment, achieved, total, reached) -> None:
    a.status, a.completed_on = Assignment.Status.DONE, datetime.date(2025, 5, 20)
    a.achieved_value, a.staff_total, a.staff_reached = Decimal(achieved), total, reached
    a.save()


def task_rows(html: str) -> dict[str, list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html[html.index("分任务完成情况"):], re.S).group(1)
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows[cells[0]] = cells
    return rows


def test_the_task_table_shows_targets_met_as_of_the_day(db):
    with at(2025, 3, 1, 9):
        plan, first, second, third = targeted_plan()
    with at(2025, 5, 20, 10):
        accept_figures(first, 62, 30, 30)
        accept_figures(second, 58, 20, 18)
    with at(2025, 7, 20, 10):
        accept_figures(third, 65, 10, 10)
        past = build_report(KIND_INSPECTION, plan, D, generated_on=D)
        today = build_report(KIND_INSPECTION, plan, datetime.date(2025, 7, 20))

    targets = {row.label: row.tally.targets for row in past.tasks}
    assert targets == {"1": "1/3", "2": "—"}
    assert {row.label: row.tally.targets for row in today.tasks} == {"1": "2/3", "2": "—"}
    assert [block.tally.targets for block in past.sections] == ["1/3", "—"]

    html = report_html(past)
    assert "<th>目标达标</th>" in html
    rows = task_rows(html)
    assert rows["1"][7] == "1/3" and rows["2"][7] == "—"

    book = load_workbook(io.BytesIO(report_xlsx(past)), read_only=True)
    sheet = table(book["分任务完成情况"])
    assert sheet[0][-2:] == ["设目标", "达标"]
    assert {r[1]: tuple(r[-2:]) for r in sheet[1:]} == {"1": (3, 1), "2": (0, 0)}
