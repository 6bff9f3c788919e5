"""The report workbook as an office prints it: date and number cells, filters, frozen header and name column,
light fills, 合计 rows that add up, and every text a unit typed kept as text (never a live formula)."""

import datetime

import pytest

from notifications.models import Letter
from plans.models import Unit
from reports.inspection import KIND_INSPECTION, KIND_UNIT, build_report
from reports.xlsx import report_xlsx
from tasks.models import Assignment
from tests.conftest import make_user
from tests.reports.conftest import accept, at, build_plan, submit
from tests.xlsx import book, table, total_row
from tracker.xlsx import DATE_FORMAT, KB, LIGHT_FILLS, PERCENT

D = datetime.date(2025, 6, 30)
EVIL = "=HYPERLINK(\"http://evil.example\",\"点击\")"
FORMULA_TEXTS = [EVIL + ".pdf", "+1+1.pdf", "-2+3.pdf", "@SUM(1+1).pdf"]


@pytest.fixture
def worked(db):
    """Four units on three tasks; a unit named like a formula, evidence named like formulas, a letter."""
    lead = make_user("lead", "lead")
    with at(2025, 3, 1, 9):
        plan = build_plan(units=4, tasks=3)
        Unit.objects.filter(name="测试区第3责任单位").update(name="=1+1责任单位")
    rows = list(Assignment.objects.order_by("id"))
    with at(2025, 5, 20, 10):
        accept(submit(rows[0], lead, files={FORMULA_TEXTS[0]: b"x" * 81_920, FORMULA_TEXTS[1]: b"y" * 79}), lead,
               datetime.date(2025, 5, 20))
        submit(rows[1], lead, percent=60, files={FORMULA_TEXTS[2]: b"z" * 3000, FORMULA_TEXTS[3]: b"w"})
    with at(2025, 7, 2, 9):
        Letter.objects.create(plan=plan, unit=Unit.objects.get(name="=1+1责任单位"), seq=1, prefix="测司法函",
                              year=2025, serial=3, number="测司法函〔2025〕3号", title="关于督促整改的函",
                              issued_on=datetime.date(2025, 7, 2), reply_due_on=datetime.date(2025, 7, 9),
                              reply_workdays=5, issuer="测试区司法局", signer="测试区司法局")
    return plan


def workbook(plan, day=datetime.date(2025, 7, 10), kind=KIND_INSPECTION, **kwargs):
    with at(2025, 7, 10, 9):
        data = report_xlsx(build_report(kind, plan, day, generated_on=datetime.date(2025, 7, 10), **kwargs))
    return book(data), book(data, data_only=True)


def test_no_cell_a_unit_typed_is_a_formula(worked):
    wb, _ = workbook(worked)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # only the 合计 row's own sums
                    assert cell.value.startswith("=SUM(") and ws.cell(cell.row, 1).value.startswith("合计"), cell
    names = [r[2] for r in table(wb["佐证材料索引"])[1:]]
    assert sorted(names) == sorted(FORMULA_TEXTS)
    assert [r[1] for r in table(wb["函告情况"])[1:]] == ["=1+1责任单位"]
    assert "=1+1责任单位" in [r[0] for r in table(wb["单位情况"])]
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=1+1责任", EVIL, "+1+1", "-2+3", "@SUM"))]
    assert len(cells) >= 8 and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_dates_and_sizes_are_real_cells(worked):
    wb, _ = workbook(worked)
    overview = {r[0].value: r for r in wb["总体情况"].iter_rows(min_row=3)}
    assert overview["截至日期"][1].is_date and overview["截至日期"][1].number_format == DATE_FORMAT
    assert overview["截至日期"][1].value == datetime.datetime(2025, 7, 10)
    evidence = wb["佐证材料索引"]
    sizes = {r[2].value: r[3] for r in evidence.iter_rows(min_row=3) if r[2].value in FORMULA_TEXTS}
    assert sizes[FORMULA_TEXTS[0]].value == 80.0 and sizes[FORMULA_TEXTS[1]].value == 0.1
    assert {c.number_format for c in sizes.values()} == {KB}
    dates = [r[5] for r in evidence.iter_rows(min_row=3, max_row=6)]
    assert all(c.is_date and c.value == datetime.datetime(2025, 5, 20) for c in dates)
    letter = table(wb["函告情况"])[1]
    assert letter[2:4] == [datetime.datetime(2025, 7, 2), datetime.datetime(2025, 7, 9)]
    overdue = table(wb["逾期清单"])
    assert overdue[1][4] == datetime.datetime(2025, 6, 30) and isinstance(overdue[1][7], int)


def test_every_table_has_a_title_filter_frozen_header_and_prints_on_a4(worked):
    wb, _ = workbook(worked)
    for ws in wb.worksheets:
        assert ws["A1"].value.startswith("提升行政执法质量三年行动计划督察进展报告·" + ws.title), ws.title
        assert ws.freeze_panes in ("A3", "B3", "C3", "D3") and ws.print_title_rows == "$2:$2"
        assert ws.auto_filter.ref.startswith("A2:") and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert wb["任务单位矩阵"].freeze_panes == "B3"  # the unit names stay in view
    assert wb["分任务完成情况"].page_setup.orientation == "landscape"


def test_totals_add_up(worked):
    wb, cached = workbook(worked)
    for name in ("分任务完成情况", "单位情况"):
        header, *rows = table(cached[name])
        total = total_row(cached[name])
        formulas = total_row(wb[name])
        for column in ("分解", "已完成", "按时", "逾期", "推进中", "设目标", "达标"):
            i = header.index(column)
            assert total[i] == sum(r[i] for r in rows), (name, column)
            assert formulas[i] == f"=SUM({chr(65 + i)}3:{chr(65 + i)}{2 + len(rows)})"
        done, split = total[header.index("已完成")], total[header.index("分解")]
        assert total[header.index("完成率（%）")] == round(100 * done / split)
    assert total_row(cached["单位情况"])[header.index("分解")] == 12  # 4 units × 3 tasks
    header, *rows = table(cached["佐证材料索引"])
    assert total_row(cached["佐证材料索引"])[3] == pytest.approx(sum(r[3] for r in rows))
    assert total_row(cached["佐证材料索引"])[2] == "共4个文件"


def test_lights_fill_the_matrix_and_the_rates(worked):
    wb, _ = workbook(worked)
    ws = wb["任务单位矩阵"]
    fills = {light: rgb[1:].upper() for light, rgb in LIGHT_FILLS.items()}
    first_unit = [c for c in ws[3]]
    assert first_unit[1].value.startswith("绿") and first_unit[1].fill.fgColor.rgb.endswith(fills["green"])
    assert first_unit[2].value.startswith("红") and first_unit[2].fill.fgColor.rgb.endswith(fills["red"])
    rate = first_unit[-1]
    assert isinstance(rate.value, int) and rate.number_format == PERCENT
    assert rate.fill.fgColor.rgb.endswith(fills["red"])  # the unit's worst light
    lights = [r[6] for r in wb["逾期清单"].iter_rows(min_row=3) if r[6].value == "红"]
    assert lights and all(c.fill.fgColor.rgb.endswith(fills["red"]) for c in lights)


def test_a_units_report_has_its_details_and_a_note(worked):
    wb, _ = workbook(worked, kind=KIND_UNIT, unit=Unit.objects.get(name="=1+1责任单位"))
    assert "任务分解明细" in wb.sheetnames
    ws = wb["任务分解明细"]
    assert ws["A1"].value.startswith("提升行政执法质量三年行动计划单位工作情况报告（=1+1责任单位）")
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("说明：")]
    assert notes and "红＝逾期未完成" in notes[0]
