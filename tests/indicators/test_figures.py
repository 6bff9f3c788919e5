"""District totals: sums across approved reports, ratios worked out again from the summed parts."""

from decimal import Decimal

from indicators import figures as rules
from indicators.models import FigureReport, Indicator
from tests.indicators.conftest import FINANCE_2025, approve


def by_code(totals):
    return {t.indicator.code: t for t in totals}


def test_totals_sum_the_approved_reports_and_work_the_ratio_out_from_the_summed_parts(figures):
    totals = by_code(rules.totals(figures.before))
    assert totals["officers"].value == 70
    assert totals["certified"].value == 50
    assert totals["fines"].value == Decimal("39.70")
    assert totals["licences"].value == 300  # only the department reports it
    # 50 / 70, not the average of 95% and 40%
    assert totals["certified_rate"].value == Decimal("71.43")


def test_totals_leave_out_reports_not_approved_and_compare_with_the_year_before(figures):
    approve(figures.finance_report, FINANCE_2025, figures.finance_user, figures.lead)
    figures.street_report.submit({Indicator.objects.get(code="officers").pk: (Decimal(31), "")},
                                 figures.street_user, figures.finance_report.submitted_at)
    assert figures.street_report.state == FigureReport.State.PENDING
    totals = by_code(rules.totals(figures.round))
    assert totals["officers"].value == 42  # the street office's pending 31 is not counted yet
    assert totals["officers"].before == 70
    assert totals["officers"].change == "减少40.0%"
    assert totals["licences"].change == "增加3.3%"
    assert totals["certified_rate"].value == Decimal("95.24")
    assert totals["certified_rate"].change == "增加23.81个百分点"


def test_a_ratio_without_a_denominator_has_no_value():
    assert rules.ratio(Decimal(3), Decimal(0)) is None
    assert rules.ratio(None, Decimal(4)) is None
    assert rules.ratio(Decimal(1), Decimal(3)) == Decimal("33.33")


def test_a_change_that_rounds_to_nothing_is_not_called_the_same():
    inspections = Indicator(code="inspections", kind=Indicator.Kind.COUNT)
    rate = Indicator(code="certified_rate", kind=Indicator.Kind.RATIO)
    assert rules.Total(inspections, Decimal(32338), Decimal(32345)).change == "基本持平"
    assert rules.Total(inspections, Decimal(32345), Decimal(32345)).change == "持平"
    assert rules.Total(rate, Decimal("93.821"), Decimal("93.823")).change == "基本持平"
