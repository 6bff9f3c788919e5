"""The report's tables as an Excel workbook (the 台账 format the offices keep), one sheet per table.

Written through tracker.xlsx, row by row, from the same Report the PDF is laid out from. The workbook's
only date is the report's generation day, so the same report gives the same bytes.
"""

import datetime
import io

from reports.inspection import KIND_INSPECTION, LIGHT_LABELS, Report
from tracker.xlsx import Book


def report_xlsx(report: Report) -> bytes:
    out = io.BytesIO()
    created = datetime.datetime.combine(report.generated_on, datetime.time.min)
    with Book(out, title=f"{report.plan.title} {report.title}", author=report.issuer, created=created) as wb:
        _write_sheets(wb, report)
    return out.getvalue()


def _write_sheets(wb: Book, report: Report) -> None:
    ws = wb.sheet("总体情况", ["项目", "内容"], [22, 60])
    rows = [
        ("实施方案", report.plan.title),
        ("报告", report.title + (f"（{report.subject}）" if report.subject else "")),
        ("截至日期", report.as_of_text),
        ("牵头单位", report.issuer),
        ("生成日期", report.generated_text),
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
    ]
    ws.extend(rows)

    tally_header = ["分解", "已完成", "按时", "逾期", "推进中", "完成率（%）"]

    def tally(t) -> list:
        return [t.total, t.done, t.on_time, t.overdue, t.pending, t.percent]

    ws = wb.sheet("分任务完成情况", ["章节", "序号", "任务", *tally_header, "目标达标"], [30, 8, 50, 8, 8, 8, 8, 8, 10, 10])
    for block in report.sections:
        for row in block.tasks:
            ws.append([block.title, row.label, row.task.title, *tally(row.tally), row.tally.targets])

    if report.requirements:
        ws = wb.sheet("工作要求落实情况", ["序号", "工作要求", *tally_header, "目标达标"], [16, 50, 8, 8, 8, 8, 8, 10, 10])
        for row in report.requirements:
            ws.append([row.label, row.task.title, *tally(row.tally), row.tally.targets])

    if report.shows_matrix:
        ws = wb.sheet("任务单位矩阵", ["责任单位", *[t.label if t.task.is_requirement else f"任务{t.label}"
                                                 for t in report.columns], "完成率（%）"],
                       [30, *[10] * len(report.columns), 10])
        for u in report.units:
            ws.append([u.unit.name, *[text for _, text in u.cells], u.tally.percent])

    line_header = ["责任单位", "任务", "细化措施", "周期", "完成时限", "状态", "灯", "逾期天数"]
    line_widths = [30, 8, 60, 12, 16, 10, 6, 10]

    def line(o) -> list:
        return [o.unit, o.task, o.measure, o.period, o.due_on, o.status, LIGHT_LABELS.get(o.light, ""), o.days_late]

    ws = wb.sheet("逾期清单", [*line_header, "督办环节"], [*line_widths, 10])
    for o in report.overdue:
        ws.append([*line(o), o.step])

    ws = wb.sheet("函告情况", ["文号", "责任单位", "函告日期", "回复期限", "回复情况"], [28, 30, 16, 16, 24])
    for letter in report.letters:
        ws.append([letter.number, letter.unit, letter.issued_on, letter.reply_due, letter.state])

    ws = wb.sheet("单位情况", ["责任单位", *tally_header], [30, 8, 8, 8, 8, 8, 10])
    for u in report.units:
        ws.append([u.unit.name, *tally(u.tally)])

    if report.shows_details:
        ws = wb.sheet("任务分解明细", line_header, line_widths)
        for d in report.details:
            ws.append(line(d))

    ws = wb.sheet("佐证材料索引", ["责任单位", "任务", "文件名", "大小", "SHA-256（前12位）", "报送日期"],
                  [30, 8, 50, 12, 18, 16])
    for e in report.evidence:
        ws.append([e.unit, e.task, e.name, e.size, e.sha256, e.submitted_on])
