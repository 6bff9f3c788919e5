"""The report's tables as an Excel workbook (the 台账 format the offices keep), one sheet per table.

Written through tracker.xlsx, row by row, from the same Report the PDF is laid out from: dates are date
cells, counts and sizes numbers, lights fills, each table with its 合计 row and a note on how its figures
are counted. The workbook's only stamp is the report's generation day, so the same report gives the same
bytes.
"""

import datetime
import io

from reports.inspection import KIND_INSPECTION, LEGEND, LIGHT_LABELS, GroupCell, Report, Tally, TaskRow
from tasks.status import percent
from tracker.xlsx import INTEGER, KB, PERCENT, TOTAL_LABEL, Book, Column, Filled, Sheet, kb

LIGHTS_NOTE = "底色（灯）：" + "，".join(f"{label}＝{meaning}" for _, label, meaning in LEGEND) + "。"
TALLY_NOTE = ("“分解”为截至当日分解到各责任单位（周期性措施按期次）的项数；“已完成”为审核通过的项数，其中“按时”为不晚于"
              "完成时限完成的；“逾期”为已过完成时限仍未完成的；其余为“推进中”；完成率＝已完成÷分解（四舍五入到整数）。"
              "“设目标”为设有目标数（如每人60学时）的项数，“达标”为其中审核通过的数字达到目标的项数。")


def report_xlsx(report: Report) -> bytes:
    out = io.BytesIO()
    created = datetime.datetime.combine(report.generated_on, datetime.time.min)
    with Book(out, title=f"{report.plan.title} {report.title}", author=report.issuer, created=created) as wb:
        _write_sheets(wb, report)
    return out.getvalue()


def _count(noun: str, first: bool = False):
    """The 合计 cell of a text column: how many rows the sheet has (共12项; 合计（共4个单位） in the first)."""
    return lambda sheet: f"{TOTAL_LABEL}（共{sheet.rows}{noun}）" if first else f"共{sheet.rows}{noun}"


RANKING_HEADERS = ["按时完成", "目标达成", "数据质量", "逾期扣分", "函告扣分", "调度扣分", "总分"]


def _rate(sheet: Sheet) -> int:
    return percent(sheet.sums["已完成"], sheet.sums["分解"])


TALLY_COLUMNS = [
    Column("分解", 7, INTEGER, total="sum"),
    Column("已完成", 7, INTEGER, total="sum"),
    Column("按时", 7, INTEGER, total="sum"),
    Column("逾期", 7, INTEGER, total="sum"),
    Column("推进中", 7, INTEGER, total="sum"),
    Column("完成率（%）", 9, PERCENT, total=_rate),
    Column("设目标", 7, INTEGER, total="sum"),
    Column("达标", 7, INTEGER, total="sum"),
]


def _tally(t: Tally) -> list:
    rate = Filled(t.percent, t.light)
    return [t.total, t.done, t.on_time, t.overdue, t.pending, rate, t.targeted, t.target_met]


def _write_sheets(wb: Book, report: Report) -> None:
    def title(sheet: str) -> str:
        subject = f"（{report.subject}）" if report.subject else ""
        return f"{report.plan.short_name}{report.title}{subject}·{sheet}（截至{report.as_of_text}）"

    def sheet(name: str, columns: list[Column], note: str = "", **options) -> Sheet:
        return wb.sheet(name, columns, title=title(name), note=f"说明：{note}" if note else "", **options)

    ws = sheet("总体情况", [Column("项目", 26), Column("内容", 70, INTEGER, wrap=True)],
               "各项数字按截至日期当天的状态计算，与报告正文一致。" + TALLY_NOTE)
    ws.extend([
        ("实施方案", report.plan.title),
        ("报告", report.title + (f"（{report.subject}）" if report.subject else "")),
        ("截至日期", report.as_of),
        ("牵头单位", report.issuer),
        ("生成日期", report.generated_on),
        *([("任务（项）", report.task_count), ("工作要求（项，不计入任务数）", report.requirement_count)]
          if report.kind == KIND_INSPECTION else []),
        ("细化措施（项）", report.measures),
        ("任务分解（项）", report.total.total),
        ("已完成", report.total.done),
        ("按时完成", report.total.on_time),
        ("逾期未完成", report.total.overdue),
        ("推进中", report.total.pending),
        ("完成率（%）", report.total.percent),
        ("函告（件）", report.letters_issued),
        ("函告已回复（件）", report.letters_answered),
    ])

    ws = sheet("分任务完成情况", [Column("章节", 22, wrap=True), Column("序号", 6),
                                Column("任务", 34, wrap=True, total=_count("项任务")), *TALLY_COLUMNS],
               TALLY_NOTE + LIGHTS_NOTE.replace("底色（灯）", "完成率的底色为该任务中最需关注的一项的灯"),
               freeze_columns=3)
    for block in report.sections:
        for row in block.tasks:
            ws.append([block.title, row.label, row.task.title, *_tally(row.tally)])

    if report.requirements:
        ws = sheet("工作要求落实情况", [Column("序号", 14), Column("工作要求", 40, wrap=True, total=_count("项")),
                                    *TALLY_COLUMNS], TALLY_NOTE, freeze_columns=2)
        for row in report.requirements:
            ws.append([row.label, row.task.title, *_tally(row.tally)])

    if report.groups:
        _group_matrix_sheet(sheet, report)
    if report.shows_matrix:
        # At city scale the workbook keeps every unit's row (a spreadsheet filters by 分组 where paper cannot).
        group = [Column("分组", 16, wrap=True)] if report.groups else []
        ws = sheet("任务单位矩阵", [
            Column("责任单位", 22, wrap=True), *group,
            *[Column(_column_header(t), 9, total=_column_total(t.tally)) for t in report.columns],
            Column("完成率（%）", 9, PERCENT, total=lambda s: Filled(report.total.percent, report.total.light)),
        ], "每格为该单位在该任务中“已完成项数/分解项数”，底色为其中最需关注的一项的灯；“—”为该单位在该任务中没有分解事项。"
           + ("“分组”为单位所在的分组（同属几个分组时取成员最少的一个），各行按分组排列。" if report.groups else "")
           + "合计行为各任务所有单位的合计。" + LIGHTS_NOTE, freeze_columns=1 + len(group))
        rows = [(u, [g.name]) for g in report.groups for u in g.units] or [(u, []) for u in report.units]
        for u, group_name in rows:
            ws.append([u.unit.name, *group_name, *[Filled(text, light) for light, text in u.cells],
                       Filled(u.tally.percent, u.tally.light)])

    line_columns = [Column("责任单位", 20, wrap=True), Column("任务", 10, wrap=True),
                    Column("细化措施", 48, wrap=True, total=_count("项")), Column("周期", 10),
                    Column("完成时限", 15), Column("状态", 8), Column("灯", 5)]

    def line(o) -> list:
        return [o.unit, o.task, o.measure, o.period, o.due_date or o.due_on, o.status,
                Filled(LIGHT_LABELS.get(o.light, ""), o.light)]

    ws = sheet("逾期清单", [*line_columns, Column("逾期天数", 9, INTEGER), Column("督办环节", 9)],
               "逾期：截至当日已过完成时限仍未完成（审核通过）的事项，逾期天数自完成时限次日起算；督办环节为截至当日已到的"
               "最高一级（提醒、催办、函告、通报）。", freeze_columns=1)
    for o in report.overdue:
        ws.append([*line(o), o.days_late, o.step])

    ws = sheet("函告情况", [Column("文号", 26),
                          Column("责任单位", 24, wrap=True, total=_count("件")), Column("函告日期", 15),
                          Column("回复期限", 15), Column("回复情况", 26)],
               "截至当日已印发且未撤回的函告；回复情况以责任单位在系统中提交的首次整改回复为准。")
    for letter in report.letters:
        ws.append([letter.number, letter.unit, letter.issued_date, letter.reply_due_date, letter.state])

    _supervision_sheets(sheet, report)

    ws = sheet("单位情况", [Column("责任单位", 24, wrap=True, total=_count("个单位", first=True)), *TALLY_COLUMNS],
               TALLY_NOTE + LIGHTS_NOTE.replace("底色（灯）", "完成率的底色为该单位最需关注的一项的灯"), freeze_columns=1)
    for u in report.units:
        ws.append([u.unit.name, *_tally(u.tally)])

    if report.ranking:
        ws = sheet("考核排名", [Column("名次", 6, INTEGER), Column("责任单位", 28, wrap=True),
                            *[Column(header, 10) for header in RANKING_HEADERS]],
                   f"计分办法（牵头单位在“考核设置”中设定）：{report.ranking_rule}", freeze_columns=2)
        for s in report.ranking.units:
            ws.append([s.rank, s.unit.name, s.on_time_points, s.target_points, s.quality_points,
                       s.overdue_off, s.letters_off, s.rounds_off, s.total])

    if report.shows_details:
        ws = sheet("任务分解明细", [*line_columns, Column("逾期天数", 9, INTEGER)], LIGHTS_NOTE, freeze_columns=1)
        for d in report.details:
            ws.append([*line(d), d.days_late])

    ws = sheet("存在问题和下步工作", [Column("部分", 12), Column("内容", 90, wrap=True)],
               "报告留存的“存在问题”“下步工作”文字，每段一行，与报告正文一致。")
    ws.extend([("存在问题", line) for line in report.problem_lines])
    ws.extend([("下步工作", line) for line in report.next_step_lines])

    ws = sheet("佐证材料索引", [Column("责任单位", 20, wrap=True), Column("任务", 10, wrap=True),
                            Column("文件名", 44, wrap=True, total=_count("个文件")),
                            Column("大小（KB）", 12, KB, total="sum"), Column("SHA-256（前12位）", 18),
                            Column("报送日期", 15)],
               "截至当日各次报送所附的全部文件（含被退回的报送）；大小以KB计（1KB＝1024字节），SHA-256用于核对文件未被改动。",
               freeze_columns=1)
    for e in report.evidence:
        ws.append([e.unit, e.task, e.name, kb(e.size_bytes), e.sha256, e.submitted_date])


def _supervision_sheets(sheet, report: Report) -> None:
    """督办工作情况 as the PDF gives it: the figures (with the 通报 issued), then the rounds due by the day."""
    sup = report.supervision
    ws = sheet("督办工作情况", [Column("项目", 26), Column("内容", 70, INTEGER, wrap=True)],
               "截至当日已发出的提醒、催办，已印发且未撤回的函告，已印发的通报；延期申请及其审批、报送被退回的次数"
               "均按截至当日的状态计算。")
    ws.extend([
        ("提醒（次）", sup.reminders),
        ("催办（次）", sup.urges),
        ("函告（件）", report.letters_issued),
        ("通报（期）", len(sup.circulars)),
        ("延期申请（次）", sup.extensions),
        ("延期同意（次）", sup.extensions_granted),
        ("延期未同意（次）", sup.extensions_refused),
        ("报送退回（次）", sup.returns),
        *[(f"通报：{number}", f"《{title}》（{day}）") for number, title, day in sup.circulars],
    ])

    ws = sheet("调度报送情况", [Column("调度", 40, wrap=True, total=_count("次调度", first=True)),
                              Column("报送截止", 18), Column("按时报送", 10, INTEGER, total="sum"),
                              Column("逾期报送", 10, INTEGER, total="sum"), Column("未报送", 10, INTEGER, total="sum")],
               f"报送截止日期不晚于{report.as_of_text}的调度；截至该日仍未报送的计为未报送；各数为责任单位数。",
               freeze_columns=1)
    for row in sup.rounds:
        ws.append([row.title, row.due_on, row.on_time, row.late, row.missing])


def _column_header(column: TaskRow) -> str:
    return column.label if column.task.is_requirement else f"任务{column.label}"


def _group_matrix_sheet(sheet, report: Report) -> None:
    """The matrix by directory group, as the city-scale PDF gives it: per task the rate and the units at red and
    yellow, on the worst light."""

    def text(cell: GroupCell) -> Filled:
        return Filled(f"{cell.rate} {cell.flags}".rstrip(), cell.light)

    def column_total(k: int):
        return lambda sheet: text(GroupCell.joined(g.cells[k] for g in report.groups))

    ws = sheet("分组矩阵", [
        Column("分组", 22, wrap=True, total=_count("个分组", first=True)),
        *[Column(_column_header(t), 11, total=column_total(k)) for k, t in enumerate(report.columns)],
        Column("单位数", 8, INTEGER, total="sum"),
        Column("完成率（%）", 9, PERCENT, total=lambda s: Filled(report.total.percent, report.total.light)),
    ], "单位按所在分组汇总（同属几个分组时取成员最少的一个）。每格为该分组各单位在该任务中的完成率（已完成÷分解），"
       "及该任务状态为红、黄的单位数，底色为其中最需关注的一项的灯；“—”为该分组在该任务中没有分解事项。"
       "逐单位的情况见“任务单位矩阵”表。" + LIGHTS_NOTE, freeze_columns=1)
    for g in report.groups:
        ws.append([g.name, *[text(cell) for cell in g.cells], len(g.units), Filled(g.tally.percent, g.tally.light)])


def _column_total(tally: Tally):
    """A matrix column's 合计: the task's done/total over all units, on its light."""
    return lambda sheet: Filled(f"{LIGHT_LABELS[tally.light]} {tally.done}/{tally.total}", tally.light)
