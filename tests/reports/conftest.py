"""A plan of a given size for the report tests: sections, numbered tasks, one measure each, one
assignment per unit and task, all with their history rows."""

import datetime
import hashlib
import zoneinfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from simple_history.utils import bulk_create_with_history

from notifications.models import Letter
from plans.models import Measure, Plan, Section, Task, Unit
from tasks.models import Assignment, Evidence, ReportingRound, Review, Submission

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


@pytest.fixture
def worked(db, request):
    """区财政局 finishes on 2024-06-28 (due 06-30), accepted at once, and reports in the June round in time.
    光复道街道 reports on 06-27 (after the round's 06-25 deadline), is returned, stays overdue, and leaves the
    letter of 07-02 (reply due 07-09) unanswered."""
    with at(2024, 3, 1, 9):
        cast = request.getfixturevalue("cast")
    with at(2024, 6, 1, 9):
        rnd = ReportingRound.objects.create(plan=cast.plan, title="6月调度", due_on=datetime.date(2024, 6, 25),
                                            created_by=cast.lead)
        rnd.units.add(cast.finance, cast.street)
    with at(2024, 6, 20, 10):
        finance = submit(cast.finance_assignment, cast.finance_user)
    with at(2024, 6, 28, 10):
        accept(finance, cast.lead, datetime.date(2024, 6, 28))
    with at(2024, 6, 27, 10):
        street = submit(cast.street_assignment, cast.street_user, percent=50)
    with at(2024, 6, 29, 10):
        Review.objects.create(submission=street, reviewer=cast.lead, decision=Review.Decision.RETURN, reason="不全")
        Submission.objects.filter(pk=street.pk).update(state=Submission.State.RETURNED)
        cast.street_assignment.status = Assignment.Status.RETURNED
        cast.street_assignment.save()
    with at(2024, 7, 2, 9):
        Letter.objects.create(
            plan=cast.plan, unit=cast.street, seq=1, prefix="测司法函", year=2024, serial=1,
            number="测司法函〔2024〕1号", title="关于督促整改的函", issued_on=datetime.date(2024, 7, 2),
            reply_due_on=datetime.date(2024, 7, 9), reply_workdays=5, issuer="测试区司法局", signer="测试区司法局")
    return cast
