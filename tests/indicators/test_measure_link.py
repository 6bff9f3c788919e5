"""An indicator linked to a plan measure (培训场次 ↔ 每年不少于2次业务培训): a unit's report is pre-filled from the
figure it reported on the measure and the lead office accepted — never a pending or returned one, nor another
period's — marked with where it came from, and submitted through the same checks; the review page shows the
measure's figures beside the value."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from indicators.forms import IndicatorForm
from indicators.models import FigureReport, FigureRound, FigureValue, Indicator, Period
from plans.models import Measure
from tasks.models import Assignment, Review, Submission
from tests.indicators.conftest import NOW, form_data, open_round

CODES = ["officers", "training_sessions"]
MARK = "来自任务报送：任务1措施“每年开展不少于2次业务培训。”（已审核）"


@pytest.fixture
def linked(cast):
    """cast plus: .training (a measure of 2 trainings a year, due by year end), the finance unit's 2025 assignment
    of it, the catalogue's 培训场次 linked to it, and the 2025 round asking the finance unit for it."""
    with time_machine.travel(NOW, tick=False):
        c = cast
        c.training = Measure.objects.create(task=c.task, order=2, text="每年开展不少于2次业务培训。",
                                            target_value=Decimal(2), target_unit="次")
        c.training_2025 = Assignment.objects.create(measure=c.training, unit=c.finance, period="2025年",
                                                    due_on=datetime.date(2025, 12, 31))
        Indicator.objects.filter(code="training_sessions").update(measure=c.training)
        c.round = open_round(c.lead, [c.finance], 2025, codes=CODES)
        c.report = c.round.reports.get(unit=c.finance)
        yield c


def reported(c, assignment, achieved, decision=None) -> Submission:
    submission = Submission.objects.create(assignment=assignment, author=c.finance_user, text="已开展培训。",
                                           percent=100, achieved_value=Decimal(achieved))
    if decision:
        submission.decide(c.lead, decision, "" if decision == Review.Decision.ACCEPT else "请补充佐证材料",
                          datetime.date(2026, 1, 5))
    return submission


def page(login, c, user=None) -> str:
    with time_machine.travel(NOW, tick=False):
        return login(user or c.finance_user).get(reverse("indicators:report", args=[c.report.pk])).content.decode()


def value_input(text: str, code: str) -> str:
    start = text.index(f'name="v_{code}"')
    return text[text.rindex("<input", 0, start):text.index(">", start)]


def test_the_accepted_achieved_figure_fills_the_linked_value_marked_with_its_source(linked, login):
    reported(linked, linked.training_2025, 3, Review.Decision.ACCEPT)
    text = page(login, linked)
    assert 'value="3"' in value_input(text, "training_sessions")
    assert MARK in text
    assert 'value=""' in value_input(text, "officers")  # not linked: left for the unit


@pytest.mark.parametrize("decision", [None, Review.Decision.RETURN])
def test_a_pending_or_returned_figure_fills_nothing(linked, login, decision):
    reported(linked, linked.training_2025, 3, decision)
    text = page(login, linked)
    assert 'value=""' in value_input(text, "training_sessions") and "来自任务报送" not in text


def test_an_accepted_figure_of_another_period_fills_nothing(linked, login):
    earlier = Assignment.objects.create(measure=linked.training, unit=linked.finance, period="2024年",
                                        due_on=datetime.date(2024, 12, 31))
    reported(linked, earlier, 4, Review.Decision.ACCEPT)
    assert "来自任务报送" not in page(login, linked)


def test_a_value_the_unit_entered_is_kept_over_the_measures(linked, login):
    reported(linked, linked.training_2025, 3, Review.Decision.ACCEPT)
    FigureValue.objects.create(report=linked.report, indicator=Indicator.objects.get(code="training_sessions"),
                               value=Decimal(7))
    text = page(login, linked)
    assert 'value="7.00"' in value_input(text, "training_sessions") and "来自任务报送" not in text


def test_the_prefilled_value_is_submitted_through_the_same_checks(linked, login):
    reported(linked, linked.training_2025, 3, Review.Decision.ACCEPT)
    with time_machine.travel(NOW, tick=False):
        client = login(linked.finance_user)
        refused = client.post(reverse("indicators:report", args=[linked.report.pk]),
                              form_data({"officers": "40", "training_sessions": "3.5"}))
        assert "培训场次：应为整数。" in refused.content.decode()
        response = client.post(reverse("indicators:report", args=[linked.report.pk]),
                               form_data({"officers": "40", "training_sessions": "3"}))
    assert response.status_code == 302
    assert FigureReport.objects.get(pk=linked.report.pk).state == FigureReport.State.PENDING
    assert FigureValue.objects.get(report=linked.report, indicator__code="training_sessions").value == 3


def test_the_review_page_shows_the_measures_figures_beside_the_value(linked, login):
    reported(linked, linked.training_2025, 3, Review.Decision.ACCEPT)
    with time_machine.travel(NOW, tick=False):
        login(linked.finance_user).post(reverse("indicators:report", args=[linked.report.pk]),
                                        form_data({"officers": "40", "training_sessions": "3"}))
    text = page(login, linked, linked.lead)
    assert "<th>任务报送</th>" in text
    assert "任务1措施“每年开展不少于2次业务培训。”：完成3/2次（达标）" in text


def test_the_catalogue_form_links_a_measure_with_a_figure_but_not_one_per_person(linked):
    indicator = Indicator.objects.get(code="training_hours")
    data = {field: getattr(indicator, field) for field in ("code", "name", "measure_unit", "kind", "rule", "section",
                                                           "order")}
    form = IndicatorForm({**data, "unit_kinds": indicator.unit_kinds, "is_active": "on",
                          "measure": linked.training.pk}, instance=indicator)
    assert form.is_valid(), form.errors
    assert linked.measure.target_value is None  # the cast's 全员轮训 sets no figure: not offered
    assert linked.measure not in form.fields["measure"].queryset
    per_person = Measure.objects.create(task=linked.task, order=3, text="每人每年不少于60学时。",
                                        target_value=Decimal(60), target_unit="学时", target_per_person=True)
    indicator.measure = per_person
    with pytest.raises(ValidationError, match="不按人计"):
        indicator.clean()


def test_the_template_is_pre_filled_as_the_form_is(linked, login):
    reported(linked, linked.training_2025, 3, Review.Decision.ACCEPT)
    with time_machine.travel(NOW, tick=False):
        response = login(linked.finance_user).get(reverse("indicators:report_template", args=[linked.report.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = {row[0]: row[3] for row in sheet.iter_rows(values_only=True) if row[0] in CODES}
    assert values == {"officers": None, "training_sessions": 3}


def test_a_quarters_round_is_not_filled_with_the_years_figure(linked, login):
    """The yearly measure's 2025 item falls due in the fourth quarter, but its figure is the year's, not the
    quarter's: a 2025年第四季度 round takes nothing from it."""
    reported(linked, linked.training_2025, 3, Review.Decision.ACCEPT)
    with time_machine.travel(NOW, tick=False):
        quarter = FigureRound(period_kind=Period.QUARTER, year=2025, quarter=4, due_on=datetime.date(2026, 1, 20),
                              created_by=linked.lead)
        quarter.open([linked.finance], Indicator.objects.filter(code__in=CODES))
    linked.report = quarter.reports.get()
    assert "来自任务报送" not in page(login, linked)


def test_the_years_figure_fills_its_years_round_when_its_due_date_moved_into_the_next(linked, login):
    """The 2025 item, extended to 2026-01-31, is still the 2025 figure: the 2025 round takes it, the 2026 round
    (its item not accepted yet) does not."""
    Assignment.objects.filter(pk=linked.training_2025.pk).update(due_on=datetime.date(2026, 1, 31))
    reported(linked, linked.training_2025, 3, Review.Decision.ACCEPT)
    assert MARK in page(login, linked)
    with time_machine.travel(NOW, tick=False):
        Assignment.objects.create(measure=linked.training, unit=linked.finance, period="2026年",
                                  due_on=datetime.date(2026, 12, 31))
        later = open_round(linked.lead, [linked.finance], 2026, codes=CODES)
    linked.report = later.reports.get()
    assert "来自任务报送" not in page(login, linked)
