"""Page-level checks of the printed reports (pdfplumber): what the reader sees on which page."""

import datetime
import io
import re

import pdfplumber
import pytest

from notifications.models import Letter, LetterItem, LetterReply
from plans.models import Task
from reports.inspection import KIND_INSPECTION, KIND_TASK, KIND_UNIT, build_report
from reports.render import report_html, report_pdf
from tasks.models import Assignment
from tests.reports.conftest import accept, at, build_plan, submit
from tracker.models import User

D = datetime.date(2025, 6, 30)
DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def pages(report) -> list[str]:
    with pdfplumber.open(io.BytesIO(report_pdf(report))) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def fonts(report) -> set[str]:
    with pdfplumber.open(io.BytesIO(report_pdf(report))) as pdf:
        return {char["fontname"].split("+")[-1] for page in pdf.pages for char in page.chars}


@pytest.fixture
def plan(db):
    """Three units × four tasks; tasks 1–2 due 2025-06-30, tasks 3–4 only on 2025-12-31. One unit finished
    task 1 in time; 区第1责任单位 had a letter about task 1, answered late."""
    lead = User.objects.create_user("lead", password="x", role=User.Role.LEAD)
    with at(2025, 3, 1, 9):
        plan = build_plan(units=3, tasks=4)
        plan.title = "测试区贯彻落实《提升行政执法质量三年行动计划(2023—2025年)》实施方案"
        plan.save()
        later = Assignment.objects.filter(measure__task__number__gt=2)
        for row in later:
            row.due_on = datetime.date(2025, 12, 31)
            row.save()
    first = Assignment.objects.filter(measure__task__number=1).order_by("unit__order")
    with at(2025, 5, 20, 10):
        accept(submit(first[0], lead), lead, datetime.date(2025, 5, 20))
    with at(2025, 7, 2, 9):
        letter = Letter.objects.create(
            plan=plan, unit=first[1].unit, seq=1, prefix="测司法函", year=2025, serial=1,
            number="测司法函〔2025〕1号", title="关于督促整改的函", issued_on=datetime.date(2025, 7, 2),
            reply_due_on=datetime.date(2025, 7, 9), reply_workdays=5, issuer="测试区司法局", signer="测试区司法局")
        LetterItem.objects.create(letter=letter, assignment=first[1], cycle=1, due_on=D, workdays_late=1,
                                  days_late=2)
    with at(2025, 7, 14, 9):
        LetterReply.objects.create(letter=letter, author=lead, text="已整改。")
    return plan, first[1].unit


def test_rate_over_items_due_by_the_day_beside_the_rate_over_all(plan):
    plan, _ = plan
    with at(2025, 7, 20, 9):
        report = build_report(KIND_INSPECTION, plan, D)
        first = pages(report)[1]
    # 12 items, 6 due by 2025-06-30 (tasks 1–2), 1 of them done: 17% of the due, 8% of all.
    assert (report.total.due, report.total.due_done, report.total.total) == (6, 1, 12)
    # 任务分解 12, 到期事项完成率 17%, 已完成 1, 按时 1, 逾期 0, 推进中 11, 总体完成率 8%
    assert re.search(r"12\s+17%\s+1\s+1\s+0\s+11\s+8%", first)
    flat = re.sub(r"\s+", "", first)
    assert "到期事项完成率" in flat.replace("完成率回复", "") and "总体完成率" in flat
    assert "只计完成时限不晚于截至日期的6项（已完成1项）" in flat


def test_a_late_reply_is_not_counted_as_answered_in_time(plan):
    plan, _ = plan
    with at(2025, 7, 20, 9):
        report = build_report(KIND_INSPECTION, plan, datetime.date(2025, 7, 15))
        first = pages(report)[1]
    assert (report.letters_issued, report.letters_answered_on_time, report.letters_answered_late) == (1, 0, 1)
    assert "1/0/1" in first and "函告/按期" in first and "逾期回复（2025年7月14日）" in re.sub(r"\s+", "", "".join(pages(report)))


def test_task_report_lists_only_the_letters_that_name_the_task(plan):
    plan, unit = plan
    task_1, task_2 = Task.objects.filter(plan=plan, number__in=[1, 2]).order_by("number")
    with at(2025, 7, 20, 9):
        with_letter = build_report(KIND_TASK, plan, datetime.date(2025, 7, 15), task=task_1)
        without = build_report(KIND_TASK, plan, datetime.date(2025, 7, 15), task=task_2)
        text = "".join(pages(without))
    assert [row.number for row in with_letter.letters] == ["测司法函〔2025〕1号"]
    assert without.letters == [] and "测司法函" not in text and "未发出函告" in text


def test_task_report_has_no_one_bar_chart(plan):
    plan, _ = plan
    task = Task.objects.get(plan=plan, number=1)
    with at(2025, 7, 20, 9):
        assert "<svg" not in report_html(build_report(KIND_TASK, plan, D, task=task))
        assert "<svg" in report_html(build_report(KIND_INSPECTION, plan, D))


def test_unit_report_does_not_repeat_its_name_in_the_overdue_list(plan):
    plan, unit = plan
    with at(2025, 7, 20, 9):
        report = build_report(KIND_UNIT, plan, datetime.date(2025, 7, 15), unit=unit)
        text = "\n".join(pages(report))
    overdue = text[text.index("逾期清单"):text.index("函告及回复情况")]
    assert "报送及督办情况" in overdue and "逾期单位" not in overdue
    assert unit.name not in overdue and "函告" in overdue


def test_cover_is_unnumbered_and_keeps_the_years_together_chart_labels_in_cjk_fonts(plan):
    plan, _ = plan
    with at(2025, 7, 20, 9):
        report = build_report(KIND_INSPECTION, plan, D)
        text = pages(report)
        used = fonts(report)
    cover = text[0].splitlines()
    assert any("2023—2025年" in line for line in cover)
    assert not any(re.fullmatch(r"—\s*\d+\s*—", line.strip()) for line in cover)
    assert "— 2 —" in text[1]
    assert used and not any("DejaVu" in name for name in used)


def test_dates_never_break_inside(plan):
    plan, _ = plan
    with at(2025, 7, 20, 9):
        for report in (build_report(KIND_INSPECTION, plan, datetime.date(2025, 7, 15)),
                       build_report(KIND_UNIT, plan, datetime.date(2025, 7, 15),
                                    unit=Assignment.objects.first().unit)):
            text = "\n".join(pages(report))
            broken = re.findall(r"\d{4}年\d{0,2}\n\d*月?\d*日?|\d{4}年\d{1,2}月\d{0,2}\n\d*日", text)
            assert not broken
            assert DATE.search(text)
