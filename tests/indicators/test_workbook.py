"""The unit's .xlsx template: download, fill in, upload, the same values; each cell's problem named."""

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import FigureReport, FigureValue
from tests.indicators.conftest import NOW

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, report) -> bytes:
    response = client.get(reverse("indicators:report_template", args=[report.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def filled(content: bytes, values: dict, notes: dict | None = None, code_of: dict | None = None) -> bytes:
    """The template with values typed into the 数值 column (and 说明), by code; ``code_of`` rewrites codes."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=3):
        code = row[0].value
        if code in values:
            row[3].value = values[code]
        if notes and code in notes:
            row[4].value = notes[code]
        if code_of and code in code_of:
            row[0].value = code_of[code]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, report, content: bytes, name="光复道街道2025年数据报送.xlsx"):
    with time_machine.travel(NOW, tick=False):
        return client.post(reverse("indicators:report_upload", args=[report.pk]),
                           {"file": SimpleUploadedFile(name, content, XLSX_TYPE)})


STREET_2025 = {"officers": 31, "certified": 15, "penalties": 110, "penalties_summary": 98, "penalties_ordinary": 12,
               "fines": 4.35}


def test_the_template_holds_the_units_indicators_with_the_previous_values(figures, login):
    sheet = load_workbook(io.BytesIO(download(login(figures.street_user), figures.street_report))).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=8)]
    assert rows[0] == ["代码", "指标", "计量单位", "数值", "说明", "上期数值"]
    assert [r[0] for r in rows[1:]] == ["officers", "certified", "penalties", "penalties_summary",
                                        "penalties_ordinary", "fines"]
    assert rows[4][1] == "行政处罚·简易程序"
    assert rows[1][5] == 30 and rows[6][5] == 4.2


def test_round_trip_download_fill_upload_gives_the_same_values(figures, login):
    client = login(figures.street_user)
    response = upload(client, figures.street_report, filled(download(client, figures.street_report), STREET_2025))
    assert response.status_code == 302
    stored = {v.indicator.code: v.value for v in FigureValue.objects.filter(report=figures.street_report)
              .select_related("indicator")}
    assert {code: float(value) for code, value in stored.items()} == {k: float(v) for k, v in STREET_2025.items()}
    assert FigureReport.objects.get(pk=figures.street_report.pk).state == FigureReport.State.PENDING
    # downloaded again, the template holds what was stored
    again = load_workbook(io.BytesIO(download(client, figures.street_report))).worksheets[0]
    assert [again.cell(row=r, column=4).value for r in range(3, 9)] == list(STREET_2025.values())


def test_a_bad_cell_is_named_by_its_address_and_indicator_and_nothing_is_written(figures, login):
    client = login(figures.street_user)
    content = filled(download(client, figures.street_report), {**STREET_2025, "penalties_summary": 120,
                                                                 "fines": -1, "officers": "三十"})
    response = upload(client, figures.street_report, content)
    assert response.status_code == 400
    text = response.content.decode()
    assert "D3（执法人员）：“三十”不是数字。" in text
    assert "D8（罚没金额）：不能为负数。" in text
    assert "D6（行政处罚·简易程序）、D7（行政处罚·普通程序）：各分项之和132超过D5（行政处罚）110。" in text
    # each message links to the indicator's field on the page, which carries it too
    assert '<a href="#id_v_officers">D3（执法人员）：“三十”不是数字。</a>' in text
    assert '<a href="#id_v_fines">D8（罚没金额）：不能为负数。</a>' in text
    assert text.count('aria-invalid="true"') == 4  # 执法人员, 罚没金额 and the two parts
    assert not FigureValue.objects.filter(report=figures.street_report).exists()


def test_a_changed_code_or_a_missing_row_is_refused(figures, login):
    client = login(figures.street_user)
    content = filled(download(client, figures.street_report), STREET_2025, code_of={"fines": "penalty_money"})
    text = upload(client, figures.street_report, content).content.decode()
    assert "第8行：代码“penalty_money”不是本次报送的指标，请勿改动代码列。" in text
    assert "模板中缺少指标：罚没金额。" in text
    assert not FigureValue.objects.filter(report=figures.street_report).exists()


def test_a_file_that_is_no_workbook_is_refused(figures, login):
    response = upload(login(figures.street_user), figures.street_report, b"not a workbook", name="数据.xlsx")
    assert response.status_code == 400
    assert "无法读取该文件，请上传本页下载的.xlsx模板。" in response.content.decode()


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"点击\")", "+1+1", "-2+3", "@SUM(1+1)"])
def test_the_template_keeps_a_units_formula_like_notes_as_text(figures, login, text):
    client = login(figures.street_user)
    assert upload(client, figures.street_report,
                  filled(download(client, figures.street_report), STREET_2025)).status_code == 302
    FigureValue.objects.filter(report=figures.street_report).update(note=text)
    sheet = load_workbook(io.BytesIO(download(client, figures.street_report))).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    notes = [row[4] for row in sheet.iter_rows(min_row=3, max_row=8)]
    assert [c.value for c in notes] == [text] * 6 and all(c.data_type == "s" and c.quotePrefix for c in notes)
