"""The annual report's files and command: the PDF in the GB/T 9704 layout (page numbers from page 1, no masthead),
the .docx saying what the PDF says, the .xlsx annex whose 合计 adds up (a ratio from the summed parts), the same
bytes twice, and ``render_report annual`` with its one-line Chinese errors (exit 2)."""

import datetime
import io
import re

import docx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader

from indicators.models import FigureReport
from reports.annual import annual_docx, annual_pdf, annual_xlsx, build_annual
from reports.models import ReportJob
from tests.reports.annual_case import NOW, build_case
from tests.reports.conftest import at
from tests.xlsx import book, table, total_row


@pytest.fixture
def case(cast):
    c = build_case(cast)
    with at(*NOW):
        yield c


@pytest.fixture
def report(case):
    return build_annual(2025, plan=case.plan)


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_reads_as_the_report_in_order(report):
    data = annual_pdf(report)
    reader = PdfReader(io.BytesIO(data))
    assert [round(float(x) / 72 * 25.4) for x in reader.pages[0].mediabox[2:]] == [210, 297]
    pages = pdf_pages(data)
    text = squeeze("".join(pages))
    # title, 主送, the body's blocks in order, signature and date, then the 附件 with the district's figures
    expected = [report.title, "区人民政府：", *[t for _, t in report.blocks], "附件：2025年度行政执法主要数据统计表",
                "区司法局", "2026年1月26日", "附件", "持证率", "93.06", "71.43", "增加21.63个百分点"]
    at_ = 0
    for words in expected:
        found = text.find(squeeze(words), at_)
        assert found >= 0, words
        at_ = found
    # a report has no red masthead, and every page — page 1 too — carries its number
    for n, page in enumerate(pages, start=1):
        assert f"— {n} —" in page
    assert "测司法函" not in text


def test_the_docx_says_what_the_pdf_says(report):
    pdf_text = squeeze("".join(pdf_pages(annual_pdf(report))))
    document = docx.Document(io.BytesIO(annual_docx(report)))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    body = [t for _, t in report.blocks]
    assert paragraphs[:2 + len(body)] == [report.title, "区人民政府：", *body]
    assert paragraphs[2 + len(body):] == ["附件：2025年度行政执法主要数据统计表", "区司法局", "2026年1月26日", "附件",
                                          "2025年度行政执法主要数据统计表", paragraphs[-1]]
    assert paragraphs[-1].startswith("注：数据为2025年数据报送中审核通过的数据")
    for text in paragraphs:
        assert squeeze(text) in pdf_text, text
    headings = {p.text: p.runs[0].font.name for p in document.paragraphs if p.text in ("一、基本情况", "（一）提升能力")}
    assert headings == {"一、基本情况": "黑体", "（一）提升能力": "楷体_GB2312"}
    [annex] = document.tables
    rows = [[cell.text for cell in row.cells] for row in annex.rows]
    assert rows[0] == ["指标", "单位", "2025年", "2024年", "较上年"]
    assert ["行政处罚·简易程序", "件", "102", "102", "持平"] in rows
    # as wide and aligned as the PDF's columns: the figures set right, the unit and the change centred
    assert [round(cell.width.mm) for cell in annex.rows[1].cells] == [53, 16, 28, 28, 31]
    assert [cell.paragraphs[0].alignment for cell in annex.rows[1].cells] == [
        WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.RIGHT,
        WD_ALIGN_PARAGRAPH.CENTER]
    section = document.sections[0]
    assert not section.different_first_page_header_footer  # numbered from page 1, no 信函格式 masthead
    assert (round(section.page_width.mm), round(section.top_margin.mm), round(section.left_margin.mm)) == (210, 37, 28)


def test_the_annex_adds_up(report, case):
    ws = book(annual_xlsx(report), data_only=True).active
    header, *rows = table(ws)
    header = [name.replace("\n", "") for name in header]  # the unit of measure on its own line
    assert header[:4] == ["单位", "数据状态", "执法主体（个）", "执法人员（人）"]
    assert [row[:2] for row in rows] == [["光复道街道办事处", "已通过"], ["区司法局", "待审核"], ["区财政局", "已通过"]]
    assert rows[1][2:] == [None] * (len(header) - 2)  # a report not approved: no values, not in the 合计
    total = total_row(ws)
    assert total[0] == "合计（2个单位）"
    column = {name: n for n, name in enumerate(header)}
    for name in ("执法人员（人）", "持证人数（人）", "行政处罚（件）", "行政处罚·简易程序（件）"):
        assert total[column[name]] == sum(row[column[name]] or 0 for row in rows), name
    assert float(total[column["罚没金额（万元）"]]) == pytest.approx(40.95)
    # 持证率 per unit from its own parts; the 合计 from the summed parts (67/72), not the units' average (92.62)
    rate = column["持证率（%）"]
    assert [row[rate] for row in rows] == [90, None, pytest.approx(95.24)]
    assert total[rate] == pytest.approx(93.06)
    assert total[column["行政许可（件）"]] == 0 and total[column["培训场次（场次）"]] == 8
    formulas = total_row(book(annual_xlsx(report)).active)
    assert formulas[column["执法人员（人）"]].startswith("=SUM(")
    assert ws.page_setup.paperSize == 9 and ws.freeze_panes == "B3"


def test_the_same_report_gives_the_same_files(case):
    first, second = build_annual(2025, plan=case.plan), build_annual(2025, plan=case.plan)
    for render in (annual_pdf, annual_docx, annual_xlsx):
        assert render(first) == render(second), render.__name__


def test_command_writes_the_three_files(case, tmp_path):
    pdf, word, xlsx = tmp_path / "report.pdf", tmp_path / "report.docx", tmp_path / "annex.xlsx"
    out = io.StringIO()
    call_command("render_report", "annual", "--year", "2025", "-o", str(pdf), "--docx", str(word), "--xlsx",
                 str(xlsx), "--plan", str(case.plan.pk), stdout=out)
    assert out.getvalue().strip() == f"已生成：{pdf}、{word}、{xlsx}"
    assert "测试区2025年度行政执法工作报告" in squeeze(pdf_pages(pdf.read_bytes())[0])
    assert docx.Document(str(word)).paragraphs[0].text == "测试区2025年度行政执法工作报告"
    assert total_row(book(xlsx.read_bytes()).active)[0] == "合计（2个单位）"


@pytest.mark.parametrize("args, message", [
    (["--year", "2025"], "请用 -o 指定PDF文件，或用 --docx 指定Word文件、--xlsx 指定Excel附表。"),
    (["-o", "{tmp}/r.pdf"], "年度行政执法工作报告需要 --year 年度（如 --year 2025）。"),
    (["--year", "2023", "-o", "{tmp}/r.pdf"], "2023年尚未发起年度数据报送，无法生成年度行政执法工作报告。"),
    (["--year", "2025", "--plan", "999", "-o", "{tmp}/r.pdf"], "没有ID为999的实施方案。"),
    (["--year", "2025", "-o", "{tmp}/missing/r.pdf"], "目录不存在：{tmp}/missing"),
    (["--year", "2025", "--docx", "{tmp}"], "无法写入文件 {tmp}："),
])
def test_command_bad_input_exits_2_with_one_chinese_line(case, tmp_path, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("render_report", "annual", *[a.format(tmp=tmp_path) for a in args])
    assert caught.value.returncode == 2
    assert str(caught.value).startswith(message.format(tmp=tmp_path)) and "\n" not in str(caught.value)


def test_command_names_the_units_when_nothing_is_approved(case, tmp_path):
    case.round.reports.update(state="pending")
    with pytest.raises(CommandError) as caught:
        call_command("render_report", "annual", "--year", "2025", "-o", str(tmp_path / "r.pdf"))
    assert caught.value.returncode == 2
    assert str(caught.value) == ("2025年数据报送尚无已审核通过的数据：光复道街道办事处、区司法局、区财政局3个单位未报送或"
                                 "未通过审核。")
    assert not (tmp_path / "r.pdf").exists()


def test_command_prints_the_sections_the_lead_office_kept(case, tmp_path):
    """A section rewritten on the reports page for the same year's report is printed as written; the others as
    drafted; a report of another year keeps its own."""
    ReportJob.objects.create(kind=ReportJob.Kind.ANNUAL, plan=case.plan, year=2025, as_of=datetime.date(2026, 1, 20),
                             requested_by=case.lead, texts={"problems": "（一）执法力量不足\n一是街道执法人员偏少。"},
                             text_edited_at=timezone.now())
    ReportJob.objects.create(kind=ReportJob.Kind.ANNUAL, plan=case.plan, year=2024, as_of=datetime.date(2026, 1, 20),
                             requested_by=case.lead, texts={"basics": "另一年度的文字。"}, text_edited_at=timezone.now())
    word = tmp_path / "r.docx"
    call_command("render_report", "annual", "--year", "2025", "--docx", str(word), "--addressee", "市司法局")
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs if p.text.strip()]
    assert paragraphs[1] == "市司法局："
    start = paragraphs.index("三、存在的问题")
    assert paragraphs[start + 1:start + 4] == ["（一）执法力量不足", "一是街道执法人员偏少。", "四、下一步工作"]
    assert "另一年度的文字。" not in paragraphs and "全区共有行政执法主体2个" in "".join(paragraphs)


def test_the_annex_says_its_changes_compare_the_same_units(case):
    case.round.reports.filter(unit=case.street).update(state=FigureReport.State.PENDING)
    report = build_annual(2025, plan=case.plan)
    pdf = squeeze("".join(pdf_pages(annual_pdf(report))))
    words = "\n".join(p.text for p in docx.Document(io.BytesIO(annual_docx(report))).paragraphs)
    for text in (pdf, squeeze(words)):
        assert "同口径计算" in text
    assert "较上年（同口径）" in pdf
