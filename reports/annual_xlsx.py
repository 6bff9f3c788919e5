"""The annual report's .xlsx annex: one row per unit asked in the year's 数据报送, one column per indicator, and a
合计 row that adds up — SUM formulas over the unit rows, and a formula indicator (持证率) worked out from the summed
parts (Σ持证人数 ÷ Σ执法人员 × 100%), never an average of the units' ratios, as ``indicators.figures.totals`` has
it. Units whose figures were not approved are listed with their state and no values, so the 合计 is the district's
figure in the report. Laid out by ``tracker.xlsx`` (title row, frozen header and name column, A4 landscape)."""

import datetime
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from indicators.figures import ratio
from indicators.models import Indicator
from tracker.xlsx import INTEGER, TOTAL_LABEL, Book, Column, Sheet

if TYPE_CHECKING:
    from reports.annual import AnnualReport

FORMATS = {Indicator.Kind.COUNT: INTEGER, Indicator.Kind.AMOUNT: "0.00", Indicator.Kind.RATIO: '0.00"%"'}
NOTE = ("说明：数据为{year}年数据报送中审核通过的数据；未通过审核的单位只列出状态，不计入合计。合计行为各单位之和（公式），"
        "比率类指标（如持证率）的合计按合计行的分子÷分母×100%计算，不是各单位比率的平均值。")


def header(indicator: Indicator) -> str:
    """执法人员 over （人）: the unit of measure on a line of its own in the narrow column."""
    return f"{indicator.label}\n（{indicator.measure_unit}）"


def worked_total(report: "AnnualReport", indicator: Indicator):
    """The 合计 of a formula column: from the sheet's summed numerator and denominator columns when both are in
    it, else the district figure (which ``totals`` works out the same way)."""
    by_pk = {i.pk: i for i in report.indicators}
    top, bottom = by_pk.get(indicator.numerator_id), by_pk.get(indicator.denominator_id)

    def total(sheet: Sheet):
        if top is not None and bottom is not None:
            return ratio(Decimal(sheet.sums[header(top)]), Decimal(sheet.sums[header(bottom)]))
        return next(t.value for t in report.totals if t.indicator.pk == indicator.pk)

    return total


def cell(indicator: Indicator, value: Decimal | None):
    if value is None:
        return None
    return int(value) if indicator.kind == Indicator.Kind.COUNT else value


def annual_xlsx(report: "AnnualReport") -> bytes:
    out = io.BytesIO()
    created = datetime.datetime.combine(report.dated, datetime.time.min)
    approved = sum(row.approved for row in report.unit_rows)
    columns = [
        Column("单位", 22, wrap=True, total=lambda s: f"{TOTAL_LABEL}（{approved}个单位）"),
        Column("数据状态", 8),
        *[Column(header(i), 9, FORMATS[i.kind], total="sum" if i.rule == Indicator.Rule.SUM else worked_total(report, i))
          for i in report.indicators],
    ]
    with Book(out, title=f"{report.title}附表", author=report.issuer, created=created) as book:
        sheet = book.sheet("各单位数据", columns, title=f"{report.title}附表　{report.year}年度各单位行政执法数据",
                           note=NOTE.format(year=report.year), freeze_columns=1)
        for row in report.unit_rows:
            sheet.append([row.unit.name, row.state, *[cell(i, row.values.get(i.pk)) for i in report.indicators]])
    return out.getvalue()
