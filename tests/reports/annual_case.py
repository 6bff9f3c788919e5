"""A small annual-report world on top of the cast, every number chosen by hand so the tests can recount it:

数据报送 2024 (区财政局, 光复道街道) and 2025 (the two again, approved, and 区司法局, left 待审核), with a formula
(持证率 = 持证人数 ÷ 执法人员), a total with parts (行政处罚 → 简易程序 / 普通程序), an indicator nobody reported
(行政许可), one the lead office added (行政调解) and a fall of more than 30% (行政检查 1500 → 950).

The plan's 2025: task 1 (（一）提升能力) due 2025-06-30, 区财政局 on time, 光复道街道 late; task 2 (（二）规范执法)
due 2025-09-30 with a target of 2次, 区财政局 on time and met, 光复道街道 not done by the end of the year; a 函告 to
光复道街道 in October left unanswered."""

import datetime
from decimal import Decimal

from django.utils import timezone

from indicators.models import FigureRound, Indicator, Period
from notifications.models import Letter
from plans.models import Measure, Section, Task
from tasks.models import Assignment, Review, Submission
from tests.reports.conftest import at
from tests.standard_catalogue import ensure_standard_catalogue

CODES = ["law_bodies", "officers", "certified", "certified_rate", "inspections", "penalties", "penalties_summary",
         "penalties_ordinary", "fines", "licences", "training_sessions", "mediations"]
FINANCE_2024 = {"law_bodies": 1, "officers": 40, "certified": 38, "inspections": 500, "penalties": 20,
                "penalties_summary": 12, "penalties_ordinary": 8, "fines": "35.50", "mediations": 10}
STREET_2024 = {"law_bodies": 1, "officers": 30, "certified": 12, "inspections": 1000, "penalties": 100,
               "penalties_summary": 90, "penalties_ordinary": 10, "fines": "4.20", "mediations": 5}
FINANCE_2025 = {"law_bodies": 1, "officers": 42, "certified": 40, "inspections": 650, "penalties": 22,
                "penalties_summary": 12, "penalties_ordinary": 10, "fines": "36.75", "training_sessions": 5,
                "mediations": 12}
STREET_2025 = {"law_bodies": 1, "officers": 30, "certified": 27, "inspections": 300, "penalties": 100,
               "penalties_summary": 90, "penalties_ordinary": 10, "fines": "4.20", "training_sessions": 3,
               "mediations": 3}
JUSTICE_2025 = {"law_bodies": 1, "officers": 10, "certified": 10, "inspections": 99, "penalties": 0,
                "penalties_summary": 0, "penalties_ordinary": 0, "fines": "0", "mediations": 0}
NOW = (2026, 1, 26, 10)


def figure_round(cast, year: int, units, values: dict, approved) -> FigureRound:
    by_code = {i.code: i for i in Indicator.objects.all()}
    with at(year + 1, 1, 6, 9):
        rnd = FigureRound(period_kind=Period.YEAR, year=year, due_on=datetime.date(year + 1, 1, 20),
                          created_by=cast.lead)
        rnd.open(units, [by_code[c] for c in CODES])
    for unit in units:  # 光复道街道 sends its figures after the due date (the 20th)
        report = rnd.reports.get(unit=unit)
        with at(year + 1, 1, 25 if unit == cast.street else 15, 10):
            report.submit({by_code[c].pk: (Decimal(str(v)), "") for c, v in values[unit.pk].items()},
                          cast.lead, timezone.now())
            if unit in approved:
                report.decide(cast.lead, True, "", timezone.now())
    return rnd


def reported(assignment: Assignment, user, reviewer, day: datetime.date, text: str, achieved=None) -> None:
    """The unit reports on ``day`` and the lead office accepts at once (Submission.decide)."""
    with at(day.year, day.month, day.day, 10):
        submission = Submission.objects.create(assignment=assignment, author=user, text=text, percent=100,
                                               achieved_value=achieved)
        assignment.status = Assignment.Status.SUBMITTED
        assignment.save()
        submission.decide(reviewer, Review.Decision.ACCEPT, "", day)


def build_case(cast):
    ensure_standard_catalogue()
    Indicator.objects.create(code="mediations", name="行政调解", measure_unit="件", section="actions",
                             unit_kinds=["department", "street"], order=99)
    c = cast
    c.before = figure_round(c, 2024, [c.finance, c.street],
                            {c.finance.pk: FINANCE_2024, c.street.pk: STREET_2024}, [c.finance, c.street])
    c.round = figure_round(c, 2025, [c.justice, c.finance, c.street],
                           {c.finance.pk: FINANCE_2025, c.street.pk: STREET_2025, c.justice.pk: JUSTICE_2025},
                           [c.finance, c.street])
    with at(2025, 1, 2, 9):
        due = datetime.date(2025, 6, 30)
        c.m1 = Measure.objects.create(task=c.task, order=2, text="2025年6月底前完成年度轮训。", due_on=due)
        c.a1_finance = Assignment.objects.create(measure=c.m1, unit=c.finance, due_on=due)
        c.a1_street = Assignment.objects.create(measure=c.m1, unit=c.street, due_on=due)
        c.section2 = Section.objects.create(plan=c.plan, level=2, number="（二）", title="规范执法行为", order=2)
        c.task2 = Task.objects.create(plan=c.plan, section=c.section2, number=2, title="严格落实执法标准", order=2)
        due = datetime.date(2025, 9, 30)
        c.m2 = Measure.objects.create(task=c.task2, order=1, text="每年开展执法检查不少于2次。", due_on=due,
                                      target_value=2, target_unit="次")
        c.a2_finance = Assignment.objects.create(measure=c.m2, unit=c.finance, due_on=due)
        c.a2_street = Assignment.objects.create(measure=c.m2, unit=c.street, due_on=due)
    reported(c.a1_finance, c.finance_user, c.lead, datetime.date(2025, 6, 20),
             "组织全局执法人员完成年度轮训，考试合格率100%。培训签到表见附件。")
    reported(c.a1_street, c.street_user, c.lead, datetime.date(2025, 7, 10), "已按要求完成。")
    reported(c.a2_finance, c.finance_user, c.lead, datetime.date(2025, 9, 1),
             "牵头汇总：开展食品安全执法检查2次，发现问题12个，均已整改", achieved=2)
    with at(2025, 10, 10, 9):
        Letter.objects.create(
            plan=c.plan, unit=c.street, seq=1, prefix="测司法函", year=2025, serial=1, number="测司法函〔2025〕1号",
            title="关于督促整改的函", issued_on=datetime.date(2025, 10, 10), reply_due_on=datetime.date(2025, 10, 17),
            reply_workdays=5, issuer="测试区司法局", signer="测试区司法局")
    return c
