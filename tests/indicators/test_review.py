"""The lead office reviews a unit's figures (通过 / 退回 with a reason); every change is kept in the history."""

import datetime

import time_machine
from django.urls import reverse

from indicators.models import FigureReport, FigureValue
from tests.indicators.conftest import FINANCE_2025, NOW, form_data


def submit(client, report, values, notes=None, at=NOW):
    with time_machine.travel(at, tick=False):
        return client.post(reverse("indicators:report", args=[report.pk]), form_data(values, notes))


def review(client, report, decision, reason="", at=NOW):
    with time_machine.travel(at, tick=False):
        return client.post(reverse("indicators:report_review", args=[report.pk]),
                           {"decision": decision, "reason": reason})


def test_return_needs_a_reason_and_reopens_the_report_for_the_unit(figures, login):
    unit, lead = login(figures.finance_user), login(figures.lead)
    submit(unit, figures.finance_report, FINANCE_2025)
    response = review(lead, figures.finance_report, "return")
    assert response.status_code == 400 and "退回时请写明理由。" in response.content.decode()
    assert FigureReport.objects.get(pk=figures.finance_report.pk).state == FigureReport.State.PENDING

    assert review(lead, figures.finance_report, "return", "执法人员数与人事台账不符").status_code == 302
    page = unit.get(reverse("indicators:report", args=[figures.finance_report.pk])).content.decode()
    assert "牵头单位退回：执法人员数与人事台账不符" in page and 'name="v_officers"' in page

    later = NOW + datetime.timedelta(minutes=5)
    assert submit(unit, figures.finance_report, {**FINANCE_2025, "officers": "41"}, at=later).status_code == 302
    assert review(lead, figures.finance_report, "approve", at=later).status_code == 302
    report = FigureReport.objects.get(pk=figures.finance_report.pk)
    assert report.state == FigureReport.State.APPROVED and report.reviewed_by == figures.lead


def test_the_history_keeps_every_value_and_decision(figures, login):
    unit, lead = login(figures.finance_user), login(figures.lead)
    submit(unit, figures.finance_report, FINANCE_2025)
    review(lead, figures.finance_report, "return", "执法人员数与人事台账不符")
    later = NOW + datetime.timedelta(minutes=5)
    submit(unit, figures.finance_report, {**FINANCE_2025, "officers": "41"}, at=later)
    officers = FigureValue.objects.get(report=figures.finance_report, indicator__code="officers")
    assert [h.value for h in officers.history.order_by("history_date")] == [42, 41]
    assert [h.state for h in FigureReport.objects.get(pk=figures.finance_report.pk).history
            .order_by("history_date", "history_id")] == ["draft", "pending", "returned", "pending"]
    page = lead.get(reverse("indicators:report", args=[figures.finance_report.pk])).content.decode()
    assert "退回：执法人员数与人事台账不符" in page
    assert "执法人员改为41（原42）" in page and "报送" in page


def test_an_approved_report_is_not_reviewed_again(figures, login):
    lead = login(figures.lead)
    submit(login(figures.finance_user), figures.finance_report, FINANCE_2025)
    review(lead, figures.finance_report, "approve")
    response = review(lead, figures.finance_report, "return", "再核对")
    assert response.status_code == 302
    assert FigureReport.objects.get(pk=figures.finance_report.pk).state == FigureReport.State.APPROVED


def test_the_round_page_shows_the_district_totals_and_each_units_state(figures, login):
    page = login(figures.inspector).get(reverse("indicators:round_detail", args=[figures.before.pk]))
    text = page.content.decode()
    assert "2024年数据报送" in text and "71.43" in text and "39.7" in text
    assert text.count("已通过") >= 2


def test_a_units_page_shows_its_worked_out_ratio_beside_its_parts(figures, login):
    before = figures.before.reports.get(unit=figures.finance)
    text = login(figures.finance_user).get(reverse("indicators:report", args=[before.pk])).content.decode()
    rows = text[text.index('data-testid="figure-values"'):]
    assert rows.index("持证人数") < rows.index("持证率") < rows.index("行政处罚")
    assert '<td class="num">95</td>' in rows  # 38 of 40
