"""The report workbook as an office prints it: date and number cells, filters, frozen header and name column,
light fills, 合计 rows that add up, and every text a unit typed kept as text (never a live formula)."""

import datetime

import pytest

from notifications.models import Circular, Letter, Step
from plans.models import Unit
from reports.inspection import KIND_INSPECTION, KIND_UNIT, build_report
from reports.xlsx import report_xlsx
from tasks.models import Assignment, ExtensionRequest, ReportingRound, Review
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
    with at(2025, 5, 1, 9):
        rnd = ReportingRound.objects.create(plan=plan, title="=5月调度", due_on=datetime.date(2025, 5, 25),
                                            created_by=lead)
        rnd.units.add(*Unit.objects.all())
    with at(2025, 5, 20, 10):
        accept(submit(rows[0], lead, files={FORMULA_TEXTS[0]: b"x" * 81_920, FORMULA_TEXTS[1]: b"y" * 79}), lead,
               datetime.date(2025, 5, 20))
        returned = submit(rows[1], lead, percent=60, files={FORMULA_TEXTS[2]: b"z" * 3000, FORMULA_TEXTS[3]: b"w"})
    with at(2025, 5, 22, 10):
        Review.objects.create(submission=returned, reviewer=lead, decision=Review.Decision.RETURN, reason="不全")
        ExtensionRequest.objects.create(assignment=rows[2], requested_by=lead, reason="人手不足",
                                        requested_due_on=datetime.date(2025, 8, 31),
                                        state=ExtensionRequest.State.GRANTED, decided_by=lead,
                                        decided_at=datetime.datetime(2025, 5, 22, 2, tzinfo=datetime.UTC))
    with at(2025, 7, 1, 9):
        for kind, row in ((Step.Kind.REMIND, rows[2]), (Step.Kind.REMIND, rows[3]), (Step.Kind.URGE, rows[3])):
            Step.objects.create(assignment=row, kind=kind, seq=1, cycle=1, due_on=D,
                                scheduled_on=datetime.date(2025, 7, 1), sent_on=datetime.date(2025, 7, 1))
    with at(2025, 7, 2, 9):
        Letter.objects.create(plan=plan, unit=Unit.objects.get(name="=1+1责任单位"), seq=1, prefix="测司法函",
                              year=2025, serial=3, number="测司法函〔2025〕3号", title="关于督促整改的函",
                              issued_on=datetime.date(2025, 7, 2), reply_due_on=datetime.date(2025, 7, 9),
                              reply_workdays=5, issuer="测试区司法局", signer="测试区司法局")
    with at(2025, 7, 5, 9):
        Circular.objects.create(plan=plan, prefix="测司法通", year=2025, serial=1, number="测司法通〔2025〕1号",
                                title="=关于逾期情况的通报", issued_on=datetime.date(2025, 7, 5), issuer="测试区司法局",
                                signer="测试区司法局", content={"long_overdue": [], "unanswered": []})
    return plan


def report_and_workbook(plan, day=datetime.date(2025, 7, 10), kind=KIND_INSPECTION, **kwargs):
    with at(2025, 7, 10, 9):
        report = build_report(kind, plan, day, generated_on=datetime.date(2025, 7, 10), **kwargs)
        data = report_xlsx(report)
    return report, book(data), book(data, data_only=True)


def workbook(plan, day=datetime.date(2025, 7, 10), kind=KIND_INSPECTION, **kwargs):
    return report_and_workbook(plan, day, kind, **kwargs)[1:]


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


def test_supervision_sheets_give_the_reports_figures(worked):
    report, wb, cached = report_and_workbook(worked)
    sup = report.supervision
    figures = {r[0]: r[1] for r in table(wb["督办工作情况"])[1:]}
    assert (sup.reminders, sup.urges, report.letters_issued, len(sup.circulars)) == (2, 1, 1, 1)
    assert (sup.extensions, sup.extensions_granted, sup.returns) == (1, 1, 1)
    assert {k: v for k, v in figures.items() if not k.startswith("通报：")} == {
        "提醒（次）": 2, "催办（次）": 1, "函告（件）": 1, "通报（期）": 1, "延期申请（次）": 1, "延期同意（次）": 1,
        "延期未同意（次）": sup.extensions_refused, "报送退回（次）": 1}
    assert figures["通报：测司法通〔2025〕1号"] == "《=关于逾期情况的通报》（2025年7月5日）"
    header, *rounds = table(cached["调度报送情况"])
    assert header == ["调度", "报送截止", "按时报送", "逾期报送", "未报送"]
    assert rounds == [[r.title, r.due_on, r.on_time, r.late, r.missing] for r in sup.rounds]
    assert rounds[0][0] == "=5月调度" and sum(rounds[0][2:]) == 4 and rounds[0][2] >= 1
    assert total_row(cached["调度报送情况"]) == ["合计（共1次调度）", None, *rounds[0][2:]]
    assert total_row(wb["调度报送情况"])[4] == "=SUM(E3:E3)"
    assert wb["调度报送情况"]["A3"].data_type == "s" and wb["调度报送情况"]["A3"].quotePrefix


def test_ranking_sheet_gives_each_units_scores_and_the_rule(worked):
    report, wb, _ = report_and_workbook(worked)
    header, *rows = table(wb["考核排名"])
    assert header == ["名次", "责任单位", "按时完成", "目标达成", "数据质量", "逾期扣分", "函告扣分", "调度扣分", "总分"]
    assert len(rows) == 4 and rows == [
        [s.rank, s.unit.name, float(s.on_time_points), float(s.target_points), float(s.quality_points),
         float(s.overdue_off), float(s.letters_off), float(s.rounds_off), float(s.total)]
        for s in report.ranking.units]
    assert any(r[6] > 0 for r in rows)  # the unanswered letter costs its unit
    notes = [c.value for c in wb["考核排名"]["A"] if isinstance(c.value, str) and c.value.startswith("说明：")]
    assert notes == [f"说明：计分办法（牵头单位在“考核设置”中设定）：{report.ranking_rule}"]
    assert report.ranking_rule and "同分同名次" in notes[0]
    unit_report, unit_wb, _ = report_and_workbook(worked, kind=KIND_UNIT, unit=Unit.objects.get(name="=1+1责任单位"))
    assert unit_report.ranking is None and "考核排名" not in unit_wb.sheetnames


def test_problems_and_next_steps_are_the_kept_text_as_text(worked):
    problems, steps = "=SUM(1+1)逾期事项较多。\n\n-2项函告未回复。", "@加强调度。\n+按月通报。"
    report, wb, _ = report_and_workbook(worked, problems=problems, next_steps=steps)
    ws = wb["存在问题和下步工作"]
    rows = table(ws)[1:]
    assert rows == [["存在问题", "=SUM(1+1)逾期事项较多。"], ["存在问题", "-2项函告未回复。"],
                    ["下步工作", "@加强调度。"], ["下步工作", "+按月通报。"]]
    assert [r[1] for r in rows] == report.problem_lines + report.next_step_lines
    cells = [r[1] for r in ws.iter_rows(min_row=3, max_row=6)]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    drafted, wb, _ = report_and_workbook(worked)
    assert [r[1] for r in table(wb["存在问题和下步工作"])[1:]] == drafted.problem_lines + drafted.next_step_lines
    assert drafted.problem_lines and drafted.next_step_lines
