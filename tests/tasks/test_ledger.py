"""台账: filters, sorting, scoping, and exports that match the filtered screen row for row."""

import csv
import datetime
import io
import re
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Measure, Task
from tasks.ledger import HEADERS, LIGHT_MEANINGS
from tasks.models import Assignment, Submission
from tests.tasks.test_dashboard import build_city
from tracker.xlsx import LIGHT_FILLS

NOW = datetime.datetime(2024, 6, 20, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
S = Assignment.Status


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def screen_rows(page: str) -> list[list[str]]:
    body = page.split('data-testid="ledger-table"')[1].split("<tbody")[1].split("</tbody>")[0]
    rows = []
    for tr in re.findall(r"<tr.*?>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td.*?>(.*?)</td>", tr, re.S)]
        rows.append(cells)
    return rows


def xlsx_rows(response) -> list[list]:
    """The header and the rows, without the title row above them and the 合计 row and note below."""
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in wb.active.iter_rows(values_only=True)][1:]
    return rows[:[r[0] for r in rows].index("合计")]


def csv_rows(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def ledger(cast):
    cast.finance.order, cast.street.order = 1, 2
    cast.finance.save()
    cast.street.save()
    Submission.objects.create(assignment=cast.street_assignment, author=cast.street_user, text="已培训", percent=80)
    cast.street_assignment.status = S.SUBMITTED
    cast.street_assignment.percent = 80
    cast.street_assignment.save()
    task2 = Task.objects.create(plan=cast.plan, section=cast.section, number=2, title="严格规范执法", order=2)
    m2 = Measure.objects.create(task=task2, order=1, text="2024年5月底前建立清单。", due_on=datetime.date(2024, 5, 31))
    cast.late = Assignment.objects.create(measure=m2, unit=cast.finance, due_on=m2.due_on)
    cast.task2 = task2
    return cast


def test_ledger_lists_every_assignment_with_chinese_columns(ledger, login):
    page = login(ledger.lead).get(reverse("tasks:ledger")).content.decode()
    for header in HEADERS:
        assert header.removesuffix("（%）") in page  # the exports' 进度 column holds the number, the screen 80%
    rows = screen_rows(page)
    assert len(rows) == 3
    assert rows[0][:5] == ["1", "（一）提升能力", "1. 着力提高业务能力", "2024年6月底前完成全员轮训。", "区财政局"]
    street = rows[1]
    assert street[4] == "光复道街道办事处" and street[7] == "已报送" and street[8] == "80%"
    assert street[9] == "—"  # the measure sets no target
    assert street[10] == "2024年6月20日" and street[11] == "待审核" and street[12] == "还剩10天"
    assert rows[2][12] == "逾期20天"
    assert f'href="{reverse("tasks:assignment", args=[ledger.street_assignment.pk])}"' in page


@pytest.mark.parametrize("params, expected", [
    ({"unit": "finance"}, 2),
    ({"group": "streets"}, 1),
    ({"status": "submitted"}, 1),
    ({"overdue": "true"}, 1),
    ({"overdue": "false"}, 2),
    ({"task": "task2"}, 1),
    ({"due_after": "2024-06-01"}, 2),
    ({"due_before": "2024-06-01"}, 1),
    ({"q": "清单"}, 1),
    ({"q": "光复道 轮训"}, 1),
])
def test_filters(ledger, login, params, expected):
    lookup = {"finance": ledger.finance.pk, "streets": ledger.streets.pk, "task2": ledger.task2.pk}
    query = {k: lookup.get(v, v) for k, v in params.items()}
    page = login(ledger.lead).get(reverse("tasks:ledger"), query).content.decode()
    assert len(screen_rows(page)) == expected


def test_liaison_sees_only_their_units_rows(ledger, login):
    page = login(ledger.street_user).get(reverse("tasks:ledger")).content.decode()
    rows = screen_rows(page)
    assert len(rows) == 1 and rows[0][4] == "光复道街道办事处"
    response = login(ledger.street_user).get(reverse("tasks:ledger_xlsx"), {"unit": ledger.finance.pk})
    assert len(xlsx_rows(response)) == 1  # header only: another unit's rows never leave the server


@pytest.mark.parametrize("sort", ["", "-due_on", "unit", "-days", "status", "-last_submitted_at", "last_state"])
def test_exports_match_the_filtered_sorted_screen(ledger, login, sort):
    client = login(ledger.inspector)
    query = {"q": "2024"}
    if sort:
        query["sort"] = sort
    screen = screen_rows(client.get(reverse("tasks:ledger"), query).content.decode())
    sheet = xlsx_rows(client.get(reverse("tasks:ledger_xlsx"), query))
    table = csv_rows(client.get(reverse("tasks:ledger_csv"), query))
    assert sheet[0] == HEADERS and table[0] == HEADERS
    assert len(sheet) - 1 == len(table) - 1 == len(screen) == 3
    for shown, xrow, crow in zip(screen, sheet[1:], table[1:], strict=True):
        assert [shown[0], shown[3], shown[4], shown[7], shown[12]] == [str(xrow[0]), xrow[3], xrow[4], xrow[7],
                                                                       xrow[12]]
        assert crow[3] == shown[3] and crow[4] == shown[4]


@pytest.mark.parametrize(("sort", "expected"), [
    ("last_submitted_at", ["已通过", "已退回", "待审核"]),
    ("-last_submitted_at", ["待审核", "已退回", "已通过"]),
    ("last_state", ["已通过", "待审核", "已退回"]),
    ("-last_state", ["已退回", "待审核", "已通过"]),
])
def test_sorting_by_latest_submission_and_review_result(ledger, login, sort, expected):
    with time_machine.travel(NOW - datetime.timedelta(days=19), tick=False):
        early = Submission.objects.create(assignment=ledger.late, author=ledger.finance_user, text="建立清单",
                                          percent=100)
    with time_machine.travel(NOW - datetime.timedelta(days=10), tick=False):
        middle = Submission.objects.create(assignment=ledger.finance_assignment, author=ledger.finance_user,
                                           text="部分轮训", percent=50)
    early.decide(ledger.lead, "accept", "", NOW.date())
    middle.decide(ledger.lead, "return", "缺少签到表", NOW.date())
    rows = screen_rows(login(ledger.lead).get(reverse("tasks:ledger"), {"sort": sort}).content.decode())
    assert [row[11] for row in rows] == expected
    dates = {"已通过": "2024年6月1日", "已退回": "2024年6月10日", "待审核": "2024年6月20日"}
    assert [row[10] for row in rows] == [dates[state] for state in expected]


@pytest.mark.parametrize(("sort", "submitted_first"), [("last_submitted_at", False), ("-last_submitted_at", True)])
def test_never_submitted_counts_as_oldest(ledger, login, sort, submitted_first):
    """Ascending by 最近报送, the rows never reported on come first; descending, last (SQLite and PostgreSQL)."""
    rows = screen_rows(login(ledger.lead).get(reverse("tasks:ledger"), {"sort": sort}).content.decode())
    dates = [row[10] for row in rows]
    assert sorted(dates) == ["2024年6月20日", "—", "—"]
    assert (dates[0] == "2024年6月20日") is submitted_first and (dates[-1] == "2024年6月20日") is not submitted_first


def test_xlsx_dates_are_real_dates(ledger, login):
    sheet = xlsx_rows(login(ledger.lead).get(reverse("tasks:ledger_xlsx")))
    assert sheet[1][6] == datetime.datetime(2024, 6, 30)
    assert sheet[2][10] == datetime.datetime(2024, 6, 20, 10, 0)
    response = login(ledger.lead).get(reverse("tasks:ledger_xlsx"))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.active.cell(row=3, column=7).number_format == 'yyyy"年"m"月"d"日"'
    assert response["Content-Disposition"].startswith("attachment")


def test_csv_dates_are_iso(ledger, login):
    table = csv_rows(login(ledger.lead).get(reverse("tasks:ledger_csv")))
    assert table[1][6] == "2024-06-30" and table[2][10] == "2024-06-20 10:00"


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(1+1)",
                                  "\t=1", "\r=1"])
def test_csv_writes_formula_like_text_as_text(ledger, login, text):
    Measure.objects.filter(pk=ledger.late.measure_id).update(text=text)
    table = csv_rows(login(ledger.lead).get(reverse("tasks:ledger_csv")))
    cells = [row[3] for row in table[1:]]
    assert "'" + text in cells and text not in cells


def test_csv_keeps_numbers_and_plain_text(ledger, login):
    table = csv_rows(login(ledger.lead).get(reverse("tasks:ledger_csv")))
    assert table[1][3] == "2024年6月底前完成全员轮训。" and table[2][8] == "80"


def test_page_query_count_does_not_grow_with_rows(cast, login):
    client = login(cast.lead)
    build_city(cast.plan, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("tasks:ledger")).status_code == 200
    build_city(cast.plan, 90)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("tasks:ledger"), {"page": 3}).status_code == 200
    assert len(small) == len(large) <= 15


def test_exports_take_a_fixed_number_of_queries(cast, login):
    client = login(cast.lead)

    def export_queries(name):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name))
            b"".join(response.streaming_content)
        return len(ctx)

    build_city(cast.plan, 10)
    small = export_queries("tasks:ledger_xlsx"), export_queries("tasks:ledger_csv")
    build_city(cast.plan, 300)
    large = export_queries("tasks:ledger_xlsx"), export_queries("tasks:ledger_csv")
    assert small == large


def test_ledger_needs_login(client, cast):
    for name in ("tasks:ledger", "tasks:ledger_xlsx", "tasks:ledger_csv"):
        assert client.get(reverse(name)).status_code == 302


def ledger_book(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_xlsx_is_laid_out_for_an_office(ledger, login):
    response = login(ledger.lead).get(reverse("tasks:ledger_xlsx"))
    assert "filename*=utf-8''%E6%B5%8B%E8%AF%95" in response["Content-Disposition"]  # 测试区…
    assert response["Content-Disposition"].endswith("%E5%8F%B0%E8%B4%A6-20240620.xlsx")  # 台账-20240620.xlsx
    ws = ledger_book(response).active
    assert ws["A1"].value == "测试区提升行政执法质量三年行动实施方案工作台账（截至2024年6月20日）"
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2" and ws.auto_filter.ref == "A2:M5"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws["D3"].alignment.wrap_text and ws.column_dimensions["D"].width > 30
    assert [c.data_type for c in ws[3]][:1] == ["n"] and ws["I4"].value == 80 and ws["I4"].number_format == '0"%"'
    assert ws["G3"].is_date and ws["K4"].is_date
    total = [c.value for c in ws[6]]
    assert total[0] == "合计" and total[3].startswith("共3项，其中逾期未完成")
    assert ws["A8"].value.startswith("说明：") and "2024年6月20日" in ws["A8"].value


def test_xlsx_status_fills_follow_the_light_rule(ledger, login):
    ws = ledger_book(login(ledger.lead).get(reverse("tasks:ledger_xlsx"))).active
    by_pk = {a.pk: a for a in Assignment.objects.all()}
    today = NOW.date()
    expected = sorted(by_pk[pk].light(today) for pk in by_pk)
    fills = {rgb.upper(): light for light, rgb in ((k, v[1:]) for k, v in LIGHT_FILLS.items())}
    shown = sorted(fills[row[7].fill.fgColor.rgb[-6:]] for row in ws.iter_rows(min_row=3, max_row=2 + len(by_pk)))
    assert shown == expected
    counts = ws.cell(row=3 + len(by_pk), column=4).value
    for light, meaning in LIGHT_MEANINGS.items():
        n = expected.count(light)
        assert (f"{meaning}{n}项" in counts) is bool(n)


def test_a_filtered_plan_names_the_files(ledger, login):
    ledger.plan.title = "某区贯彻落实《提升行政执法质量三年行动计划（2023—2025年）》实施方案"
    ledger.plan.save()
    client = login(ledger.lead)
    xlsx = client.get(reverse("tasks:ledger_xlsx"), {"plan": ledger.plan.pk})
    csv_response = client.get(reverse("tasks:ledger_csv"), {"plan": ledger.plan.pk})
    name = quote("提升行政执法质量三年行动计划台账-20240620")
    assert xlsx["Content-Disposition"].endswith(f"{name}.xlsx")
    assert csv_response["Content-Disposition"].endswith(f"{name}.csv")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(1+1)",
                                  "=1+1"])
def test_xlsx_keeps_formula_like_texts_as_texts(ledger, login, text):
    Measure.objects.filter(pk=ledger.late.measure_id).update(text=text)
    ledger.finance.name = text + "局"
    ledger.finance.save()
    ws = ledger_book(login(ledger.lead).get(reverse("tasks:ledger_xlsx"))).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f" and not str(c.value).startswith("=SUM(")]
    assert text in [c.value for c in cells] and text + "局" in [c.value for c in cells]
    assert all(c.quotePrefix for c in cells if c.value in (text, text + "局"))


def test_screen_layout_clamps_long_texts_and_scrolls_its_own_box(cast, login):
    page = login(cast.lead).get("/tasks/ledger/").content.decode()
    assert 'data-testid="ledger-scroll"' in page and "/static/js/clamp.js" in page
    row = page.split("<tbody", 1)[1].split("</tr>", 1)[0]
    assert '<td class="task"><span class="clamp">' in row and '<td class="measure"><a class="clamp"' in row
    assert '<td class="unit">' in row
