"""The standard catalogue (from the seeds' reports), edited by the lead office; opening a round."""

import datetime

import time_machine
from django.urls import reverse

from indicators.models import FigureRound, Indicator
from plans.models import Unit
from tests.indicators.conftest import NOW


def test_the_standard_catalogue_is_there(db):
    rate = Indicator.objects.get(code="certified_rate")
    assert (rate.name, rate.kind, rate.rule, rate.numerator.code, rate.denominator.code) == (
        "持证率", "ratio", "formula", "certified", "officers")
    penalties = Indicator.objects.get(code="penalties")
    assert sorted(p.name for p in penalties.parts.all()) == ["普通程序", "简易程序"] and penalties.parts_complete
    assert Indicator.objects.get(code="licences").unit_kinds == ["department"]
    assert Indicator.objects.get(code="fines").measure_unit == "万元"
    assert {"执法主体", "培训场次", "培训人次", "培训学时", "执法证新办", "执法证注销", "案卷评查", "复议纠错"} <= set(
        Indicator.objects.values_list("name", flat=True))


def test_the_lead_office_edits_an_indicator_and_a_ratio_must_be_a_formula(cast, login):
    client = login(cast.lead)
    assert "持证率" in client.get(reverse("indicators:catalogue")).content.decode()
    inspections = Indicator.objects.get(code="inspections")
    data = {"code": "inspections", "name": "行政检查", "measure_unit": "次", "kind": "ratio", "rule": "sum",
            "unit_kinds": ["department", "street"], "section": "actions", "order": 50, "is_active": "on"}
    response = client.post(reverse("indicators:indicator_edit", args=[inspections.pk]), data)
    assert "比率不能各单位相加" in response.content.decode()
    response = client.post(reverse("indicators:indicator_edit", args=[inspections.pk]),
                           {**data, "kind": "count", "unit_kinds": ["street"]})
    assert response.status_code == 302
    assert Indicator.objects.get(pk=inspections.pk).unit_kinds == ["street"]
    assert login(cast.finance_user).get(reverse("indicators:indicator_edit", args=[inspections.pk])).status_code == 403


def test_a_round_asks_the_units_whose_kinds_report_its_indicators(cast, login):
    client = login(cast.lead)
    licences = Indicator.objects.get(code="licences")
    rate = Indicator.objects.get(code="certified_rate")
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("indicators:round_new"), {
            "period_kind": "quarter", "year": 2025, "quarter": 1, "due_on": "2026-01-30",
            "indicators": [licences.pk, rate.pk]})
    assert response.status_code == 302
    rnd = FigureRound.objects.get()
    assert rnd.period == "2025年第一季度" and rnd.due_on == datetime.date(2026, 1, 30)
    # 持证率 brings its parts; both kinds report them, so every active unit of those kinds is asked
    assert set(rnd.indicators.values_list("code", flat=True)) == {"licences", "certified_rate", "certified",
                                                                  "officers"}
    assert set(rnd.reports.values_list("unit__name", flat=True)) == {"区司法局", "区财政局", "光复道街道办事处", "区外单位"}
    finance = rnd.reports.get(unit=cast.finance)
    street = rnd.reports.get(unit=cast.street)
    assert [i.code for i in finance.indicators()] == ["officers", "certified", "licences"]
    assert [i.code for i in street.indicators()] == ["officers", "certified"]
    with time_machine.travel(NOW, tick=False):
        again = client.post(reverse("indicators:round_new"), {
            "period_kind": "quarter", "year": 2025, "quarter": 1, "due_on": "2026-01-30", "indicators": [licences.pk]})
    assert "该期数据报送已经发起。" in again.content.decode()


def test_a_unit_that_reports_none_of_the_indicators_is_not_asked(cast, login):
    office = Unit.objects.create(name="区委全面依法治区办", kind=Unit.Kind.OFFICE)
    licences = Indicator.objects.get(code="licences")
    response = login(cast.lead).post(reverse("indicators:round_new"), {
        "period_kind": "year", "year": 2025, "due_on": "2026-01-20", "indicators": [licences.pk],
        "units": [cast.finance.pk, cast.street.pk, office.pk]})
    assert "光复道街道办事处、区委全面依法治区办不报送所选的任何指标（见指标目录的报送单位类型）。" in response.content.decode()
    assert not FigureRound.objects.exists()


def test_a_round_cannot_be_due_before_today(cast, login):
    """A due date already past would make every unit late in 考核 and chased before it was even told."""
    licences = Indicator.objects.get(code="licences")
    with time_machine.travel(NOW, tick=False):
        response = login(cast.lead).post(reverse("indicators:round_new"), {
            "period_kind": "year", "year": 2024, "due_on": (NOW.date() - datetime.timedelta(days=1)).isoformat(),
            "indicators": [licences.pk]})
    assert "报送截止日期不能早于今天。" in response.content.decode()
    assert not FigureRound.objects.exists()
