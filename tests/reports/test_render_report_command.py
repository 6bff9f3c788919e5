import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.reports.conftest import at, build_plan
from tests.xlsx import table

SHEETS = ["总体情况", "分任务完成情况", "任务单位矩阵", "逾期清单", "函告情况", "督办工作情况", "调度报送情况", "单位情况",
          "考核排名", "存在问题和下步工作", "佐证材料索引"]


@pytest.fixture
def plan(db):
    with at(2025, 3, 1, 9):
        plan = build_plan(units=3)
    with at(2025, 7, 10, 9):
        yield plan


def test_inspection_report_to_pdf_and_xlsx(plan, tmp_path):
    pdf, xlsx = tmp_path / "report.pdf", tmp_path / "report.xlsx"
    out = io.StringIO()
    call_command("render_report", "inspection", "--as-of", "2025-06-30", "-o", str(pdf), "--xlsx", str(xlsx),
                 stdout=out)
    assert "已生成" in out.getvalue()
    assert "截至2025年6月30日" in PdfReader(pdf).pages[0].extract_text()
    book = load_workbook(xlsx, read_only=True)
    assert book.sheetnames == SHEETS
    rows = table(book["任务单位矩阵"])
    assert rows[0][0] == "责任单位" and len(rows) == 1 + 3 and rows[0][1:18] == [f"任务{i}" for i in range(1, 18)]
    overview = dict(table(book["总体情况"]))
    assert overview["截至日期"] == datetime.datetime(2025, 6, 30) and overview["任务分解（项）"] == 51


def test_unit_and_task_reports(plan, tmp_path):
    unit = plan.lead_unit
    task = plan.tasks.get(number=3)
    call_command("render_report", "unit", "--unit", unit.name, "-o", str(tmp_path / "u.pdf"),
                 "--xlsx", str(tmp_path / "u.xlsx"))
    call_command("render_report", "task", "--task", str(task.pk), "-o", str(tmp_path / "t.pdf"))
    assert unit.name in PdfReader(tmp_path / "u.pdf").pages[0].extract_text()
    assert "任务分解明细" in load_workbook(tmp_path / "u.xlsx", read_only=True).sheetnames
    assert task.title in "".join(p.extract_text() for p in PdfReader(tmp_path / "t.pdf").pages).replace("\n", "")


def test_same_command_twice_gives_the_same_pdf(plan, tmp_path):
    call_command("render_report", "inspection", "--as-of", "2025-06-30", "-o", str(tmp_path / "a.pdf"))
    call_command("render_report", "inspection", "--as-of", "2025-06-30", "-o", str(tmp_path / "b.pdf"))
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


@pytest.mark.parametrize("args, message", [
    (["inspection", "--plan", "999", "-o", "x.pdf"], "没有ID为999的实施方案。"),
    (["inspection", "--as-of", "2025-13-01", "-o", "x.pdf"], "截至日期格式不正确"),
    (["inspection", "--as-of", "2025-07-11", "-o", "x.pdf"], "截至日期不能晚于今天。"),
    (["inspection", "--as-of", "1999-01-01", "-o", "x.pdf"], "截至日期早于方案印发日期（2024年6月14日），该日尚无任何任务。"),
    (["unit", "--unit", "测试区第司法局", "--as-of", "2024-06-13", "-o", "x.pdf"], "截至日期早于方案印发日期"),
    (["inspection"], "请用 -o 指定PDF文件"),
    (["unit", "--unit", "不存在的单位", "-o", "x.pdf"], "没有名为“不存在的单位”的单位。"),
    (["unit", "-o", "x.pdf"], "单位报告需要 --unit"),
    (["task", "--task", "999", "-o", "x.pdf"], "没有ID为999的任务。"),
    (["inspection", "-o", "/nonexistent-dir/x.pdf"], "目录不存在"),
])
def test_bad_input_exits_2_with_one_chinese_line(plan, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError) as error:
        call_command("render_report", *args)
    assert error.value.returncode == 2 and message in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "x.pdf").exists()


def test_no_plan_at_all(db, tmp_path):
    with pytest.raises(CommandError, match="尚未导入任何实施方案。"):
        call_command("render_report", "inspection", "-o", str(tmp_path / "x.pdf"))


def test_as_of_after_the_plan_was_issued_but_before_its_work_was_entered_renders(plan, tmp_path):
    call_command("render_report", "inspection", "--as-of", "2024-07-01", "-o", str(tmp_path / "x.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "x.pdf").pages)
    assert "截至该日尚无任务分解。" in text and "— 2 —" in text  # issued 2024-06-14, entered in March 2025


def test_same_command_twice_gives_the_same_workbook(plan, tmp_path):
    call_command("render_report", "inspection", "--as-of", "2025-06-30", "--xlsx", str(tmp_path / "a.xlsx"))
    with at(2025, 7, 10, 17, 45):  # later the same day: nothing in the file may tell
        call_command("render_report", "inspection", "--as-of", "2025-06-30", "--xlsx", str(tmp_path / "b.xlsx"))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    book = load_workbook(tmp_path / "a.xlsx", read_only=True)
    assert str(book.properties.modified) == str(book.properties.created) == "2025-07-10 00:00:00"
