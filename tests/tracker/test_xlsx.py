"""tracker.xlsx: every workbook the app writes (ledger, rounds, reports) has one look and keeps texts as texts."""

import datetime
import io
import zoneinfo

import openpyxl
from django.urls import reverse

from tracker.xlsx import DATE_FORMAT, DATETIME_FORMAT, Book, one_sheet_file


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_a_sheet_prints_landscape_one_page_wide_with_the_header_on_every_page():
    out = one_sheet_file("台账", ["序号", "细化措施"], [6, 50], [[1, "建立清单"]])
    ws = read(out.read())["台账"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)  # 1 is the default, left out
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
    assert [round(ws.column_dimensions[c].width) for c in "AB"] == [7, 51]  # with Excel's cell padding
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["序号", "细化措施"], [1, "建立清单"]]


def test_texts_stay_texts_never_formulas_or_links():
    texts = ["=HYPERLINK(\"http://example.org\",\"点击\")", "+1", "http://example.org", "0012", "2024-06-30"]
    ws = read(one_sheet_file("s", ["a", "b", "c", "d", "e"], [10] * 5, [texts]).read()).active
    assert [c.value for c in ws[2]] == texts
    assert {c.data_type for c in ws[2]} == {"s"}


def test_dates_are_real_dates_shown_in_chinese_and_aware_times_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    utc_moment = datetime.datetime(2024, 6, 20, 2, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    row = [datetime.date(2024, 6, 30), datetime.datetime(2024, 6, 20, 10, 0), utc_moment, None, 2.5]
    ws = read(one_sheet_file("s", list("abcde"), [10] * 5, [row]).read()).active
    a, b, c, d, e = ws[2]
    assert a.value == datetime.datetime(2024, 6, 30) and a.number_format == DATE_FORMAT
    assert b.value == c.value == datetime.datetime(2024, 6, 20, 10, 0) and c.number_format == DATETIME_FORMAT
    assert d.value is None and e.value == 2.5


def test_the_same_content_and_creation_day_give_the_same_bytes(time_machine):
    def book() -> bytes:
        out = io.BytesIO()
        with Book(out, title="报告", author="区司法局", created=datetime.datetime(2025, 7, 10)) as wb:
            wb.sheet("一", ["项目"], [20]).append(["内容"])
            wb.sheet("二", ["项目"], [20]).append([1])
        return out.getvalue()

    time_machine.move_to(datetime.datetime(2025, 7, 10, 9, 0))
    first = book()
    time_machine.move_to(datetime.datetime(2025, 7, 11, 17, 45))
    assert book() == first
    props = read(first).properties
    assert (props.title, props.creator, str(props.created), str(props.modified)) == (
        "报告", "区司法局", "2025-07-10 00:00:00", "2025-07-10 00:00:00")


def test_the_ledger_export_has_the_shared_layout(cast, login):
    response = login(cast.lead).get(reverse("tasks:ledger_xlsx"))
    ws = read(b"".join(response.streaming_content)).active
    assert ws.title == "台账" and ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert ws.column_dimensions["D"].width > 40  # 细化措施, the long text
    assert [c.value for c in ws[1]][:4] == ["序号", "章节", "任务", "细化措施"]
