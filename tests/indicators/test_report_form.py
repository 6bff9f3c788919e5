"""A unit fills in its figures on the form: each rule's Chinese message, nothing written on any error."""

import pytest
import time_machine
from django.urls import reverse

from indicators.models import FigureReport, FigureValue
from tests.indicators.conftest import FINANCE_2025, NOW, form_data


def post(login, figures, values, notes=None):
    with time_machine.travel(NOW, tick=False):
        return login(figures.finance_user).post(reverse("indicators:report", args=[figures.finance_report.pk]),
                                                form_data(values, notes))


def test_the_form_has_one_input_per_indicator_the_unit_reports_with_parts_under_their_total(figures, login):
    page = login(figures.street_user).get(reverse("indicators:report", args=[figures.street_report.pk]))
    text = page.content.decode()
    assert 'name="v_officers"' in text and 'name="v_penalties_summary"' in text
    assert 'name="v_licences"' not in text  # 行政许可 is reported by departments only
    assert 'name="v_certified_rate"' not in text  # worked out, not entered
    assert text.index('name="v_penalties"') < text.index('name="v_penalties_summary"') < text.index(
        'name="v_penalties_ordinary"') < text.index('name="v_fines"')


def test_valid_values_are_stored_and_sent_for_review(figures, login):
    response = post(login, figures, FINANCE_2025)
    assert response.status_code == 302
    report = FigureReport.objects.get(pk=figures.finance_report.pk)
    assert report.state == FigureReport.State.PENDING and report.submitted_by == figures.finance_user
    assert {v.indicator.code: str(v.value) for v in report.values.select_related("indicator")} == {
        "officers": "42.00", "certified": "40.00", "penalties": "22.00", "penalties_summary": "12.00",
        "penalties_ordinary": "10.00", "fines": "36.75", "licences": "310.00"}


@pytest.mark.parametrize("change, message", [
    ({"officers": ""}, "执法人员：请填写数值（没有发生的填0）。"),
    ({"officers": "四十二"}, "执法人员：“四十二”不是数字。"),
    ({"licences": "-1"}, "行政许可：不能为负数。"),
    ({"officers": "41.5"}, "执法人员：应为整数。"),
    ({"fines": "36.755"}, "罚没金额：最多保留两位小数。"),
    ({"penalties_summary": "20"},
     "行政处罚·简易程序、行政处罚·普通程序：各分项之和30超过行政处罚22。"),
    ({"penalties_summary": "11"},
     "行政处罚·简易程序、行政处罚·普通程序：各分项之和21应等于行政处罚22。"),
    ({"certified": "43"}, "持证人数：持证率算得102.38%，超过100%，持证人数不能多于执法人员。"),
    ({"fines": "60"}, "罚没金额：较上期（35.5）变化超过30%，请填写说明。"),
])
def test_each_rule_names_the_indicator_and_nothing_is_written(figures, login, change, message):
    response = post(login, figures, {**FINANCE_2025, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FigureValue.objects.filter(report=figures.finance_report).exists()
    assert FigureReport.objects.get(pk=figures.finance_report.pk).state == FigureReport.State.DRAFT


def test_a_big_move_passes_with_a_reason(figures, login):
    response = post(login, figures, {**FINANCE_2025, "fines": "60"}, {"fines": "查处一起重大案件"})
    assert response.status_code == 302
    assert FigureValue.objects.get(report=figures.finance_report, indicator__code="fines").note == "查处一起重大案件"


def test_thousands_separators_are_read(figures, login):
    assert post(login, figures, {**FINANCE_2025, "licences": "1,310"}, {"licences": "新增审批事项"}).status_code == 302
    assert FigureValue.objects.get(report=figures.finance_report, indicator__code="licences").value == 1310


def test_a_submitted_report_cannot_be_changed_by_the_unit(figures, login):
    post(login, figures, FINANCE_2025)
    response = post(login, figures, {**FINANCE_2025, "officers": "50"})
    assert response.status_code == 302
    assert FigureValue.objects.get(report=figures.finance_report, indicator__code="officers").value == 42


def field_cell(text: str, code: str) -> str:
    """The form's cell holding the value input of ``code``."""
    start = text.index(f'name="v_{code}"')
    return text[text.rindex("<td", 0, start):text.index("</td>", start)]


def test_a_value_in_error_is_marked_with_its_message_beside_it_and_linked_from_the_list(figures, login):
    text = post(login, figures, {**FINANCE_2025, "officers": "四十二", "penalties_summary": "20"}).content.decode()
    officers = field_cell(text, "officers")
    assert 'class="field has-error"' in officers and 'aria-invalid="true"' in officers
    assert 'aria-describedby="id_v_officers_error"' in officers
    assert '<ul class="errorlist" id="id_v_officers_error"' in officers
    assert "<li>“四十二”不是数字。</li>" in officers  # beside its field, the message leaves out the name
    for part in ("penalties_summary", "penalties_ordinary"):  # a sum of parts marks each part
        assert 'aria-invalid="true"' in field_cell(text, part) and "各分项之和30超过行政处罚22" in field_cell(text, part)
    licences = field_cell(text, "licences")
    assert "has-error" not in licences and "aria-invalid" not in licences
    assert '<a href="#id_v_officers">执法人员：“四十二”不是数字。</a>' in text
    assert '<a href="#id_v_penalties_summary">行政处罚·简易程序、行政处罚·普通程序：各分项之和30超过行政处罚22。</a>' in text
