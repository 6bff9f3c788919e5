"""A plan's 工作要求 item is named as the plan numbers it (工作要求（一）), never as a task (任务三、), on the
assignment and review pages and in a letter's item list."""

import datetime

import pytest
from django.template.loader import render_to_string

from plans.models import Measure, Section, Task
from tasks.models import Assignment


@pytest.fixture
def requirement_assignment(cast):
    section = Section.objects.create(plan=cast.plan, level=1, number="三、", title="工作要求", order=9)
    for order, title in ((10, "加强组织推动"), (11, "细化落实举措")):
        task = Task.objects.create(plan=cast.plan, section=section, title=title, is_requirement=True, order=order)
    measure = Measure.objects.create(task=task, order=1, text="区司法局建立工作台账。",
                                     due_on=datetime.date(2024, 6, 30))
    return Assignment.objects.create(measure=measure, unit=cast.street, due_on=measure.due_on)


def test_labels_count_only_the_plans_requirements(cast, requirement_assignment):
    requirement = requirement_assignment.measure.task
    assert (requirement.label, requirement.name) == ("工作要求（二）", "工作要求（二）")
    assert (cast.task.label, cast.task.name) == ("1", "任务1")


def test_assignment_page_heads_a_requirement_as_one(frozen, cast, login, requirement_assignment):
    page = login(cast.street_user).get(f"/tasks/assignments/{requirement_assignment.pk}/").content.decode()
    assert '<h1 data-testid="task-heading">工作要求（二）　细化落实举措</h1>' in page
    assert "任务三" not in page and "不计入任务数" in page
    task_page = login(cast.street_user).get(f"/tasks/assignments/{cast.street_assignment.pk}/").content.decode()
    assert '<h1 data-testid="task-heading">任务1　着力提高业务能力</h1>' in task_page


def test_review_page_names_the_requirement(frozen, cast, login, submit_with, requirement_assignment):
    submission = submit_with(requirement_assignment, cast.street_user)
    page = login(cast.lead).get(f"/tasks/review/{submission.pk}/").content.decode()
    assert "工作要求（二） 细化落实举措" in page and "任务三" not in page


def test_letter_lists_a_requirement_under_its_own_name(cast, requirement_assignment):
    requirement = requirement_assignment.measure.task
    groups = [{"task": task, "title": task.title, "items": []} for task in (cast.task, requirement)]
    html = render_to_string("pdf/letter.html", {"plan": cast.plan, "unit": cast.street, "groups": groups})
    assert '<p class="h2">任务1　着力提高业务能力</p>' in html
    assert '<p class="h2">工作要求（二）　细化落实举措</p>' in html
