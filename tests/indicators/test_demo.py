"""The demo's figures: both years entered through the rules and reviewed, with the year's change."""

import io

from indicators import demo
from indicators.figures import totals
from indicators.models import FigureReport, FigureRound
from plans.models import Unit
from tracker.models import User


def test_demo_figures_pass_the_rules_and_are_approved_but_one(cast):
    units = [cast.justice, cast.finance, cast.street,
             Unit.objects.create(name="区市场监管局", short_name="市场监管局", kind=Unit.Kind.DEPARTMENT),
             Unit.objects.create(name=demo.LEFT_PENDING, short_name="望海楼街道", kind=Unit.Kind.STREET)]
    liaisons = {u.pk: User.objects.create_user(username=f"u{u.pk}", role=User.Role.UNIT, unit=u) for u in units}
    out = io.StringIO()
    demo.seed_figures(liaisons, cast.lead, units, out)
    assert out.getvalue().count("个单位报送并审核") == 2
    before, now = FigureRound.objects.get(year=2024), FigureRound.objects.get(year=2025)
    assert set(before.reports.values_list("state", flat=True)) == {FigureReport.State.APPROVED}
    assert now.reports.get(unit__name=demo.LEFT_PENDING).state == FigureReport.State.PENDING
    assert now.reports.filter(state=FigureReport.State.APPROVED).count() == 4
    figures = {t.indicator.code: t for t in totals(now)}
    assert figures["law_bodies"].value == 4 and figures["law_bodies"].before == 5
    assert 0 < figures["certified_rate"].value <= 100 and figures["certified_rate"].change
    assert figures["penalties"].value == figures["penalties_summary"].value + figures["penalties_ordinary"].value
    noted = now.reports.get(unit__name="区市场监管局").values.get(indicator__code="fines")
    assert noted.note == "查处一起重大食品安全案件，罚没款较多"
