"""A plan's 工作要求 are not tasks: the inspection report lists them after the tasks, in their own part
(工作要求落实情况), names them 工作要求（一）, and counts the plan's tasks without them."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from simple_history.utils import bulk_create_with_history

from plans.models import Measure, Section, Task, Unit
from reports.inspection import KIND_INSPECTION, KIND_TASK, build_report
from reports.render import report_html, report_pdf
from reports.xlsx import report_xlsx
from tasks.models import Assignment
from tests.reports.conftest import at, build_plan
from tests.reports.test_report_pdf import flat, pdf_text
from tests.xlsx import table

D = datetime.date(2025, 7, 10)


def tbody(html: str, heading: str) -> str:
    return re.search(r"<tbody>(.*?)</tbody>", html[html.index(heading):], re.S).group(1)


@pytest.fixture
def plan_with_requirement(db):
    """Three tasks and, under 三、工作要求, one requirement owed by the lead office and the first unit."""
    with at(2025, 3, 1, 9):
        plan = build_plan(units=2, tasks=3)
        section = Section.objects.create(plan=plan, level=1, number="三、", title="工作要求", order=10)
        requirement = Task.objects.create(plan=plan, section=section, title="加强组织推动", is_requirement=True,
                                          order=10)
        measure = Measure.objects.create(task=requirement, order=1, text="建立工作会商机制。",
                                         due_on=datetime.date(2025, 6, 30))
        bulk_create_with_history([Assignment(measure=measure, unit=u, due_on=measure.due_on)
                                  for u in Unit.objects.order_by("order")], Assignment)
    return plan, requirement


def test_requirement_is_named_as_the_plan_numbers_it(plan_with_requirement):
    plan, requirement = plan_with_requirement
    task = Task.objects.get(plan=plan, number=2)
    assert (requirement.label, requirement.name) == ("工作要求（一）", "工作要求（一）")
    assert (task.label, task.name) == ("2", "任务2")


def test_inspection_lists_requirements_after_the_tasks_and_counts_tasks_only(plan_with_requirement):
    plan, _ = plan_with_requirement
    with at(2025, 7, 15, 9):
        report = build_report(KIND_INSPECTION, plan, D, generated_on=D)
        html = report_html(report)
    assert (report.task_count, report.requirement_count) == (3, 1)
    assert [r.label for r in report.tasks] == ["1", "2", "3"]
    assert [r.label for r in report.requirements] == ["工作要求（一）"]
    assert report.requirements[0].tally.total == 2 and report.total.total == 3 * 2 + 2

    assert "方案共3项任务，另有1项工作要求" in html and "落实情况见第三部分" in html
    assert "任务三" not in html and ">任务工作要求" not in html
    by_task = tbody(html, "分任务完成情况")
    assert "加强组织推动" not in by_task and "工作要求" not in by_task
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert re.findall(r">(任务[^<]*)</text>", chart) == ["任务1", "任务2", "任务3"]
    assert html.index("二、分任务完成情况") < html.index("三、工作要求落实情况") < html.index("四、任务单位矩阵")
    requirements = tbody(html, "三、工作要求落实情况")
    assert '<td class="c">工作要求（一）</td><td>加强组织推动</td>' in requirements
    assert "<th>要求（一）</th><th>完成率</th>" in html  # the matrix: a column after the tasks'
    assert "工作要求（一）" in tbody(html, "逾期清单")


def test_pdf_and_workbook_say_the_same(plan_with_requirement):
    plan, _ = plan_with_requirement
    with at(2025, 7, 15, 9):
        report = build_report(KIND_INSPECTION, plan, D, generated_on=D)
        text = flat(pdf_text(report_pdf(report)))
        book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert "方案共3项任务，另有1项工作要求" in text
    assert "三、工作要求落实情况" in text and "工作要求（一）加强组织推动" in text and "任务三" not in text
    overview = dict(table(book["总体情况"])[1:])
    assert overview["任务（项）"] == 3 and overview["工作要求（项，不计入任务数）"] == 1
    assert [r[1] for r in table(book["分任务完成情况"])[1:]] == ["1", "2", "3"]
    assert table(book["工作要求落实情况"])[1][:3] == ["工作要求（一）", "加强组织推动", 2]
    header = table(book["任务单位矩阵"])[0]
    assert header[1:5] == ["任务1", "任务2", "任务3", "工作要求（一）"]


def test_a_requirements_own_report_shows_it_as_a_requirement(plan_with_requirement):
    plan, requirement = plan_with_requirement
    with at(2025, 7, 15, 9):
        report = build_report(KIND_TASK, plan, D, task=requirement, generated_on=D)
        html = report_html(report)
    assert report.subject == "工作要求（一）　加强组织推动"
    assert "分任务完成情况" not in html and "二、工作要求落实情况" in html and "任务三" not in html
