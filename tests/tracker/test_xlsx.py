"""tracker.xlsx: every table the app exports (ledger, rounds, reports) has one look and keeps texts as texts."""

import csv
import datetime
import io
import zoneinfo

import pytest
from openpyxl.utils.escape import unescape

from tests.xlsx import book as read
from tracker.xlsx import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    KB,
    LIGHT_FILLS,
    PERCENT,
    Book,
    Column,
    Filled,
    csv_lines,
    file_name,
    kb,
    one_sheet_file,
)

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点击\")", "+1+1", "-2+3", "@SUM(1+1)", "\t=1", "\r=1", "=1+1"]


def cols(*names: str, width: float = 10) -> list[Column]:
    return [Column(name, width) for name in names]


def test_a_wide_sheet_prints_landscape_one_page_wide_with_the_header_on_every_page():
    out = one_sheet_file("台账", [Column("序号", 6), Column("细化措施", 100)], [[1, "建立清单"]], title="工作台账")
    ws = read(out.read())["台账"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)  # 1 is the default, left out
    assert ws.print_title_rows == "$2:$2" and ws.freeze_panes == "A3"
    assert [round(ws.column_dimensions[c].width) for c in "AB"] == [7, 101]  # with Excel's cell padding
    assert ws["A1"].value == "工作台账" and "A1:B1" in ws.merged_cells
    assert ws["A2"].font.b and not ws["A3"].font.b
    assert ws.auto_filter.ref == "A2:B3"
    assert "&P" in ws.oddFooter.center.text


def test_a_narrow_sheet_prints_portrait():
    ws = read(one_sheet_file("s", cols("a", "b"), [[1, 2]]).read()).active
    assert ws.page_setup.orientation in (None, "portrait") and ws.freeze_panes == "A2"


def test_the_name_column_can_stay_in_view():
    ws = read(one_sheet_file("s", cols("单位", "任务1"), [["区财政局", 1]], freeze_columns=1).read()).active
    assert ws.freeze_panes == "B2"


def test_texts_stay_texts_never_formulas_or_links():
    texts = [*FORMULAS, "http://example.org", "0012", "2024-06-30"]
    ws = read(one_sheet_file("s", cols(*"abcdefghij"), [texts]).read()).active
    assert [unescape(c.value) for c in ws[2]] == texts  # openpyxl leaves the CR as Excel's _x000D_ escape
    assert {c.data_type for c in ws[2]} == {"s"}
    # Excel's quote prefix: the cell stays text when a user edits it
    assert [c.quotePrefix for c in ws[2]] == [True] * len(FORMULAS) + [False] * 3


def test_csv_writes_formula_like_text_behind_a_quote_and_numbers_as_numbers():
    raw = b"".join(csv_lines(["=a", "b"], [[text, 1] for text in FORMULAS])).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows == [["'=a", "b"], *[["'" + text, "1"] for text in FORMULAS]]
    assert "\n1" not in raw and ",1\r\n" in raw  # the number unquoted


def test_dates_are_real_dates_shown_in_chinese_and_aware_times_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    utc_moment = datetime.datetime(2024, 6, 20, 2, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    row = [datetime.date(2024, 6, 30), datetime.datetime(2024, 6, 20, 10, 0), utc_moment, None, 2.5]
    ws = read(one_sheet_file("s", cols(*"abcde"), [row]).read()).active
    a, b, c, d, e = ws[2]
    assert a.value == datetime.datetime(2024, 6, 30) and a.number_format == DATE_FORMAT and a.is_date
    assert b.value == c.value == datetime.datetime(2024, 6, 20, 10, 0) and c.number_format == DATETIME_FORMAT
    assert d.value is None and e.value == 2.5 and e.data_type == "n"


def test_numbers_take_their_columns_format_and_lights_fill():
    columns = [Column("大小（KB）", 10, KB), Column("完成率（%）", 10, PERCENT), Column("状态", 8)]
    rows = [[kb(81_920), Filled(75, "red"), Filled("已完成", "green")], [kb(79), 100, Filled("—", "none")]]
    ws = read(one_sheet_file("s", columns, rows).read()).active
    assert ws["A2"].value == 80.0 and ws["A2"].number_format == KB and ws["A3"].value == 0.1
    assert ws["B2"].value == 75 and ws["B2"].number_format == PERCENT
    assert ws["B2"].fill.fgColor.rgb.endswith(LIGHT_FILLS["red"][1:].upper())
    assert ws["C2"].fill.fgColor.rgb.endswith(LIGHT_FILLS["green"][1:].upper())
    assert ws["C3"].fill.fill_type is None  # no light, no fill


def test_the_total_row_adds_up_and_sits_below_the_filter():
    columns = [Column("单位", 20), Column("分解", 8, total="sum"), Column("已完成", 8, total="sum"),
               Column("完成率", 8, total=lambda sheet: round(100 * sheet.sums["已完成"] / sheet.sums["分解"])),
               Column("说明", 10, total=lambda sheet: f"共{sheet.rows}个单位")]
    rows = [["甲", 4, 3, 75, ""], ["乙", 6, 1, 17, ""], ["丙", 2, 2, 100, ""]]
    data = one_sheet_file("s", columns, rows, title="标题", note="说明：按截至日期计算。").read()
    ws, cached = read(data).active, read(data, data_only=True).active
    total = [c.value for c in ws[6]]
    assert total[0] == "合计" and total[1] == "=SUM(B3:B5)" and total[2] == "=SUM(C3:C5)"
    assert [c.value for c in cached[6]][1:] == [12, 6, 50, "共3个单位"]  # 4+6+2, 3+1+2, 6/12
    assert sum(row[1] for row in rows) == cached["B6"].value
    assert ws.auto_filter.ref == "A2:E5" and ws["A6"].font.b
    assert ws["A8"].value == "说明：按截至日期计算。"


def test_an_empty_sheet_still_has_its_header_filter_and_zero_totals():
    ws = read(one_sheet_file("s", [Column("单位", 20), Column("分解", 8, total="sum")], []).read(), True).active
    assert [c.value for c in ws[2]] == ["合计", 0] and ws.auto_filter.ref == "A1:B1"


@pytest.mark.parametrize(("name", "expected"), [("台账-20240620.xlsx", "台账-20240620.xlsx"),
                                                ('a/b:c*?"<>| d.xlsx', "a_b_c_d.xlsx")])
def test_file_names_are_safe_to_save(name, expected):
    assert file_name(name) == expected


def test_the_same_content_and_creation_day_give_the_same_bytes(time_machine):
    def book() -> bytes:
        out = io.BytesIO()
        with Book(out, title="报告", author="区司法局", created=datetime.datetime(2025, 7, 10)) as wb:
            wb.sheet("一", cols("项目")).append(["内容"])
            wb.sheet("二", [Column("项目", 20, total="sum")]).append([1])
        return out.getvalue()

    time_machine.move_to(datetime.datetime(2025, 7, 10, 9, 0))
    first = book()
    time_machine.move_to(datetime.datetime(2025, 7, 11, 17, 45))
    assert book() == first
    props = read(first).properties
    assert (props.title, props.creator, str(props.created), str(props.modified)) == (
        "报告", "区司法局", "2025-07-10 00:00:00", "2025-07-10 00:00:00")
