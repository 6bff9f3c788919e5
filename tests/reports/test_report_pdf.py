import datetime
import io
import re
from collections import Counter

import pdfplumber
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from plans.models import Measure, Unit
from reports import inspection
from reports.inspection import KIND_INSPECTION, KIND_TASK, KIND_UNIT, build_report
from reports.render import report_pdf
from reports.xlsx import report_xlsx
from tasks.models import Assignment
from tests.conftest import make_user
from tests.reports.conftest import TASK_TITLES, accept, at, build_plan, submit

D = datetime.date(2025, 6, 30)
GENERATED = datetime.date(2025, 7, 15)
A4 = {(595, 842), (842, 595)}


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """Text without the line breaks a table cell may put inside a long name."""
    return re.sub(r"\s+", "", text)


def render(plan, day, **kwargs) -> bytes:
    return report_pdf(build_report(kwargs.pop("kind", KIND_INSPECTION), plan, day, generated_on=GENERATED, **kwargs))


@pytest.fixture
def worked_plan(db):
    """A plan built in March 2025, with work done, submitted and returned before D."""
    lead = make_user("lead", "lead")
    with at(2025, 3, 1, 9):
        plan = build_plan(units=5)
    rows = list(Assignment.objects.order_by("id"))
    with at(2025, 5, 20, 10):
        accept(submit(rows[0], lead, files={"培训通知.pdf": b"%PDF-1.4 training"}), lead, datetime.date(2025, 5, 20))
        submit(rows[1], lead, percent=60, files={"整改清单.xlsx": b"list"})
    with at(2025, 7, 3, 10):  # late: done after its deadline
        accept(submit(rows[2], lead), lead, datetime.date(2025, 7, 3))
    return plan, lead, rows


def test_as_of_report_text_stays_identical_after_later_changes(worked_plan):
    plan, lead, rows = worked_plan
    with at(2025, 7, 10, 9):
        before = pdf_text(render(plan, D))
    assert "截至2025年6月30日" in before and "培训通知.pdf" in before

    with at(2025, 7, 12, 9):
        accept(Assignment.objects.get(pk=rows[1].pk).submissions.first(), lead, datetime.date(2025, 7, 12))
        rows[3].due_on = datetime.date(2025, 12, 31)
        rows[3].save()
        newcomer = Unit.objects.create(name="七月新增责任单位", order=99)
        Assignment.objects.create(measure=Measure.objects.first(), unit=newcomer, due_on=D)
        submit(rows[4], lead, files={"七月佐证.pdf": b"july"})
    with at(2025, 7, 20, 9):
        after = pdf_text(render(plan, D))
        today = pdf_text(render(plan, datetime.date(2025, 7, 20)))

    assert after == before
    assert "七月新增责任单位" in today and "七月佐证.pdf" in today and "七月新增责任单位" not in after


def test_inspection_pdf_is_a4_with_embedded_cjk_fonts_page_numbers_and_every_name(worked_plan):
    plan, _, _ = worked_plan
    with at(2025, 7, 10, 9):
        pdf = render(plan, D)
    reader = PdfReader(io.BytesIO(pdf))
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes <= A4 and (842, 595) in sizes  # the matrix is on landscape pages
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert any("CJK" in name for name in embedded)
    text = pdf_text(pdf)
    assert "—" not in reader.pages[0].extract_text().replace("2025年", "")  # the cover has no page number
    assert "— 2 —" in text and f"— {len(reader.pages)} —" in text
    for title in TASK_TITLES:
        assert title in flat(text)
    for name in Unit.objects.values_list("name", flat=True):
        assert name in flat(text)
    for heading in ("总体情况", "分任务完成情况", "任务单位矩阵", "逾期清单", "函告及回复情况", "各单位完成情况",
                    "佐证材料索引"):
        assert heading in text


def test_same_input_gives_the_same_bytes(worked_plan):
    plan, _, _ = worked_plan
    with at(2025, 7, 10, 9):
        first = render(plan, D)
    with at(2025, 7, 11, 15):
        second = render(plan, D)
    assert first == second
    assert b"/CreationDate" not in first and b"/ModDate" not in first


def test_unit_and_task_reports_cover_their_subject_only(worked_plan):
    plan, _, rows = worked_plan
    unit = rows[0].unit
    task = rows[0].measure.task
    with at(2025, 7, 10, 9):
        unit_text = flat(pdf_text(render(plan, D, kind=KIND_UNIT, unit=unit)))
        task_text = flat(pdf_text(render(plan, D, kind=KIND_TASK, task=task)))
    assert "单位工作情况报告" in unit_text and unit.name in unit_text
    assert "任务分解明细" in unit_text and "任务单位矩阵" not in unit_text
    other_units = Unit.objects.exclude(pk=unit.pk).values_list("name", flat=True)
    assert not any(name in unit_text for name in other_units)
    assert "任务推进情况报告" in task_text and task.title in task_text
    assert not any(t in task_text for t in TASK_TITLES if t != task.title)


def test_report_data_takes_the_same_queries_for_more_units(db, settings):
    settings.REPORT_UNIT_MATRIX_MAX = 100  # both in the district form; the city form's: test_city_matrix.py
    with at(2025, 3, 1, 9):
        small = build_plan(units=3, unit_prefix="小")
        large = build_plan(units=80, unit_prefix="大")
    counts = []
    with at(2025, 7, 10, 9):
        for plan in (small, large):
            for day in (D, datetime.date(2025, 7, 10)):
                with CaptureQueriesContext(connection) as ctx:
                    build_report(KIND_INSPECTION, plan, day)
                counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]
    assert max(counts) <= 22  # with the ranking (scheme, reviews, letters unanswered, rounds) and the follow-up done


def test_two_hundred_units_fit_on_the_page(db):
    with at(2025, 3, 1, 9):
        plan = build_plan(units=200, unit_prefix="测试区第二百零一个名称特别长的综合行政执法大队第")
    with at(2025, 7, 10, 9):
        pdf = render(plan, D)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            assert (round(page.width), round(page.height)) in A4
            words = page.extract_words()
            assert words
            # margins are at least 12 mm (34 pt) on every side; nothing may reach into them
            assert max(w["x1"] for w in words) <= page.width - 30, page.page_number
            assert min(w["x0"] for w in words) >= 30, page.page_number
            body = [w for w in words if not re.fullmatch(r"—|\d+", w["text"])]  # the page number sits in the margin
            assert max(w["bottom"] for w in body) <= page.height - 30, page.page_number
        text = flat("".join(page.extract_text() for page in doc.pages))
    seen = Counter(re.findall(r"第(\d+)责任单位", text))  # a long name wraps: its number stays with 责任单位
    assert all(seen[str(i)] >= 2 for i in range(1, 200))  # every unit in the matrix and in the unit table


def test_long_evidence_index_is_summarised_per_unit_in_the_pdf_and_kept_whole_in_the_workbook(worked_plan,
                                                                                              monkeypatch):
    plan, _, _ = worked_plan
    monkeypatch.setattr(inspection, "EVIDENCE_PDF_LIMIT", 1)
    with at(2025, 7, 10, 9):
        report = build_report(KIND_INSPECTION, plan, D, generated_on=GENERATED)
    text = pdf_text(report_pdf(report))
    assert "按单位汇总" in text and "培训通知.pdf" not in text
    assert [(t.unit, t.files) for t in report.evidence_totals] == [(e.unit, 1) for e in report.evidence]
    cells = [c for row in load_workbook(io.BytesIO(report_xlsx(report)), read_only=True)["佐证材料索引"]
             .iter_rows(values_only=True) for c in row]
    assert "培训通知.pdf" in cells and "整改清单.xlsx" in cells
