"""A report rendered in parts (reports.parts) and merged reads as the report rendered whole: the same text page for
page, its page numbers running on from the second page, each long table's header on every page it runs onto."""

import datetime
import io

import pytest
from pypdf import PdfReader

from reports import parts
from reports.inspection import KIND_INSPECTION, build_report
from reports.render import report_pdf
from tests.reports.conftest import at, build_plan
from tracker.pdf import html_to_pdf

D = datetime.date(2025, 6, 30)
MATRIX_HEADER = "责任单位 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 完成率"
UNITS_HEADER = "责任单位 分解 已完成 按时 逾期 推进中 完成率"
RANKING_HEADER = "名次 责任单位 按时完成 目标达成 数据质量 逾期扣分 函告扣分 调度扣分 总分"


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def report(db):
    """Forty-five units: the matrix, the unit table and the ranking each run over two pages and more."""
    with at(2025, 3, 1, 9):
        plan = build_plan(units=45)
    with at(2025, 7, 10, 9):
        return build_report(KIND_INSPECTION, plan, D, generated_on=datetime.date(2025, 7, 10))


def merged(report, pages: int = 1) -> bytes:
    return parts.merge([html_to_pdf(html) for html in parts.parts_html(report, pages)])


def test_split_cuts_long_tables_into_page_sized_slices_and_keeps_short_sections_together(report):
    split = parts.split(parts.report_rows(report), pages=1)
    assert split == [
        parts.Part(("cover", "summary")),
        parts.Part(("matrix",), (0, 34)), parts.Part(("matrix",), (34, 45)),
        parts.Part(("overdue",)),
        parts.Part(("units",), (0, 36)), parts.Part(("units",), (36, 45)),
        parts.Part(("ranking",), (0, 33)), parts.Part(("ranking",), (33, 45)),
        parts.Part(("details", "problems", "annex")),
    ]
    assert [p.continued for p in split[1:3]] == [(), ("matrix",)]
    assert parts.split(parts.report_rows(report)) == [  # four pages a part: each table in one
        parts.Part(("cover", "summary")), parts.Part(("matrix",), (0, 45)), parts.Part(("overdue",)),
        parts.Part(("units",), (0, 45)), parts.Part(("ranking",), (0, 45)), parts.Part(("details", "problems", "annex")),
    ]


def test_merged_parts_read_as_the_report_rendered_whole(report):
    whole, joined = pages_text(report_pdf(report)), pages_text(merged(report))
    assert len(joined) == len(whole) == 12
    assert joined == whole


def test_page_numbers_run_on_from_the_second_page_and_headers_repeat(report):
    text = pages_text(merged(report))
    assert "—" not in text[0].replace("2025年", "")  # the cover has no number
    assert [page.splitlines()[-1] for page in text[1:]] == [f"— {n} —" for n in range(2, len(text) + 1)]
    for header, first, last in ((MATRIX_HEADER, "三、任务单位矩阵", "测试区第44责任单位"),
                                (UNITS_HEADER, "七、各单位完成情况", "测试区第44责任单位"),
                                (RANKING_HEADER, "八、考核排名", "测试区第44责任单位")):
        start = next(i for i, page in enumerate(text) if page.startswith(first))
        table = text[start:start + 2]
        assert all(header in page for page in table), header
        assert table[0].count("责任单位 ") > 20 and last in table[1]


def test_the_merged_file_is_the_same_bytes_each_time(report):
    assert merged(report) == merged(report)
