"""A unit's 数据报送 template: its own indicators pre-filled (this round's values as entered, or a linked plan
measure's accepted figure as the form shows it; the previous period's approved values beside them), downloaded,
filled in Excel or WPS and uploaded back; and the reading of it, cell by cell, into the same entries the form
gives ``figures.check``."""

import zipfile
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from indicators import measures
from indicators.figures import Entry, previous_values
from indicators.models import FigureReport
from tracker.xlsx import Column, file_name, one_sheet_file

CODE, NAME, MEASURE_UNIT, VALUE, NOTE, BEFORE = "代码", "指标", "计量单位", "数值", "说明", "上期数值"
COLUMNS = [Column(CODE, 22), Column(NAME, 30, wrap=True), Column(MEASURE_UNIT, 9), Column(VALUE, 14, "#,##0.##"),
           Column(NOTE, 36, wrap=True), Column(BEFORE, 14, "#,##0.##")]
NOTE_TEXT = ("只填写“数值”和“说明”两列，不要改动代码；没有发生的填0。分项（如简易程序、普通程序）不能超过其总数；"
             "金额以万元为单位，最多两位小数；较上期变化超过30%的须填写说明。")


class TemplateError(Exception):
    """The upload is not a template of this report: one Chinese message per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def template_name(report: FigureReport) -> str:
    return file_name(f"{report.unit.name}{report.round.period}数据报送.xlsx")


def template(report: FigureReport):
    """The pre-filled workbook (a file ready to send)."""
    entered, before, linked = report.values_by_code(), previous_values(report), measures.linked(report)
    rows = []
    for indicator in report.indicators():
        value, link = entered.get(indicator.code), linked.get(indicator.pk)
        shown = value.value if value else (link.achieved if link else None)  # as the form pre-fills it
        rows.append([indicator.code, indicator.label, indicator.measure_unit,
                     shown, value.note if value else None, before.get(indicator.pk)])
    return one_sheet_file(f"{report.round.period}数据", COLUMNS, rows,
                          title=f"{report.unit.name}{report.round.period}行政执法数据报送", note=NOTE_TEXT)


def read_template(report: FigureReport, upload) -> list[Entry]:
    """The entries of an uploaded template, each with its cell (D5); TemplateError when it is not one."""
    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        raise TemplateError(["无法读取该文件，请上传本页下载的.xlsx模板。"]) from None
    indicators = {i.code: i for i in report.indicators()}
    header, entries, errors, seen = None, [], [], set()
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = ["" if c is None else c for c in row]
        if header is None:
            if CODE in cells and VALUE in cells:
                header = {name: cells.index(name) for name in (CODE, VALUE, NOTE) if name in cells}
            continue
        code = str(cells[header[CODE]]).strip() if header[CODE] < len(cells) else ""
        if not code:
            break  # the rows end; the note follows below them
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(f"第{number}行：代码“{code}”不是本次报送的指标，请勿改动代码列。")
            continue
        if code in seen:
            errors.append(f"第{number}行：指标“{indicator.label}”重复。")
            continue
        seen.add(code)
        value = cells[header[VALUE]] if header[VALUE] < len(cells) else ""
        note = cells[header[NOTE]] if NOTE in header and header[NOTE] < len(cells) else ""
        entries.append(Entry(indicator, _text(value), str(note).strip(),
                             f"{get_column_letter(header[VALUE] + 1)}{number}"))
    if header is None:
        raise TemplateError(["没有找到“代码”“数值”表头，请上传本页下载的.xlsx模板。"])
    missing = [i.label for code, i in indicators.items() if code not in seen]
    if missing:
        errors.append(f"模板中缺少指标：{'、'.join(missing)}。")
    if errors:
        raise TemplateError(errors)
    return entries


def _text(value) -> str:
    """A cell as the text a form would send: numbers exactly as stored (a float's shortest form)."""
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value).strip()
