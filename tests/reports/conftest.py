"""A plan of a given size for the report tests: sections, numbered tasks, one measure each, one
assignment per unit and task, all with their history rows."""

import datetime
import hashlib
import zoneinfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from simple_history.utils import bulk_create_with_history

from plans.models import Measure, Plan, Section, Task, Unit
from tasks.models import Assignment, Evidence, Review, Submission

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")

TASK_TITLES = [f"测试任务第{i}项着力提升行政执法质量" for i in range(1, 18)]


def build_plan(units: int, tasks: int = 17, *, due: datetime.date = datetime.date(2025, 6, 30),
               unit_prefix: str = "测试区第") -> Plan:
    lead = Unit.objects.create(name=f"{unit_prefix}司法局", order=0)
    plan = Plan.objects.create(title="测试区贯彻落实《提升行政执法质量三年行动计划》实施方案",
                               issuer="测试区人民政府", issued_on=datetime.date(2024, 6, 14),
                               ends_on=datetime.date(2025, 12, 31), lead_unit=lead)
    top = Section.objects.create(plan=plan, level=1, number="二、", title="重点任务及主要措施", order=1)
    sections = [Section.objects.create(plan=plan, parent=top, level=2, number=f"（{n}）", title=f"第{n}组任务",
                                       order=2 + i) for i, n in enumerate("一二三")]
    members = [lead] + Unit.objects.bulk_create(
        [Unit(name=f"{unit_prefix}{i}责任单位", order=i) for i in range(1, units)])
    measures = []
    for i in range(tasks):
        task = Task.objects.create(plan=plan, section=sections[i % 3], number=i + 1, title=TASK_TITLES[i % 17],
                                   order=i + 1)
        measures.append(Measure.objects.create(task=task, order=1, text=f"第{i + 1}项措施：按期完成。",
                                               due_on=due))
    bulk_create_with_history(
        [Assignment(measure=m, unit=u, due_on=m.due_on) for m in measures for u in members], Assignment,
        batch_size=2000,
    )
    return plan


@pytest.fixture
def small_plan(db):
    return build_plan(units=4)


def submit(assignment: Assignment, author, *, percent: int = 100, files: dict[str, bytes] | None = None):
    """A progress report with evidence files, as a liaison makes it (at the frozen time)."""
    submission = Submission.objects.create(assignment=assignment, author=author, text="已按要求完成。",
                                           percent=percent)
    for name, content in (files or {}).items():
        Evidence.objects.create(submission=submission, file=ContentFile(content, name=name), original_name=name,
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                content_type="application/pdf")
    assignment.status = Assignment.Status.SUBMITTED
    assignment.percent = percent
    assignment.save()
    return submission


def accept(submission, reviewer, day: datetime.date) -> None:
    """The lead office accepts the submission: the assignment is done on ``day``."""
    Review.objects.create(submission=submission, reviewer=reviewer, decision=Review.Decision.ACCEPT)
    submission.state = Submission.State.ACCEPTED
    submission.save()
    assignment = submission.assignment
    assignment.status = Assignment.Status.DONE
    assignment.completed_on = day
    assignment.save()


def at(*args) -> time_machine.travel:
    """Freeze the clock at a Beijing wall-clock time: at(2025, 6, 30, 10)."""
    return time_machine.travel(datetime.datetime(*args, tzinfo=BEIJING), tick=False)
