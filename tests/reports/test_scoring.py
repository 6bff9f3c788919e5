"""考核 scores, recomputed by hand for a small case (reports.scoring)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.models import FigureRound, Period
from notifications.models import Letter
from plans.models import Unit
from reports.scoring import ScoringScheme, scores
from tests.reports.conftest import at, build_plan

DAY = datetime.date(2024, 7, 15)


def breakdown(row) -> tuple:
    return (row.on_time_points, row.target_points, row.quality_points, row.overdue_off, row.letters_off,
            row.rounds_off, row.total, row.rank)


def test_default_scheme_by_hand(worked):
    with at(2024, 7, 20, 9):
        result = scores(worked.plan, DAY)
    finance, street = result.units
    assert finance.unit == worked.finance and street.unit == worked.street
    # 区财政局: 50 × 1/1 + 20 (no target: full) + 30 × 1/1 = 100, nothing off.
    assert breakdown(finance) == (50, 20, 30, 0, 0, 0, 100, 1)
    # 光复道街道: 50 × 0/1 + 20 + 30 × 0/1 − 2 (1 overdue) − 5 (1 letter unanswered) − 2 (late in 1 round) = 11.
    assert (street.due, street.on_time, street.overdue, street.reviewed, street.returned,
            street.letters_unanswered, street.rounds_late) == (1, 0, 1, 1, 1, 1, 1)
    assert breakdown(street) == (0, 20, 0, 2, 5, 2, 11, 2)


def test_the_lead_offices_weights_and_deductions_by_hand(worked):
    ScoringScheme.objects.create(plan=worked.plan, on_time_points=60, target_points=10, quality_points=30,
                                 overdue_deduction=Decimal("3"), letter_deduction=Decimal("4"),
                                 round_deduction=Decimal("1.5"))
    with at(2024, 7, 20, 9):
        finance, street = scores(worked.plan, DAY).units
    assert finance.total == 100
    assert street.total == Decimal("1.5")  # 0 + 10 + 0 − 3 − 4 − 1.5


def test_as_of_a_past_day_scores_what_stood_then(worked):
    with at(2024, 7, 20, 9):
        before = {row.unit: row for row in scores(worked.plan, datetime.date(2024, 6, 26)).units}
    # On 06-26 nothing was due yet, nothing reviewed, no letter; the round's deadline had passed and the street
    # office had not yet reported: only that costs it 2.
    assert before[worked.finance].total == 100
    assert before[worked.street].total == 98 and before[worked.street].rounds_late == 1


def test_the_letter_stops_costing_once_answered_and_a_floor_of_nought(worked):
    from notifications.models import LetterReply

    with at(2024, 7, 12, 9):
        LetterReply.objects.create(letter=Letter.objects.get(), author=worked.street_user, text="已整改。")
    ScoringScheme.objects.create(plan=worked.plan, overdue_deduction=Decimal("30"))
    with at(2024, 7, 20, 9):
        street = scores(worked.plan, DAY).of(worked.street.pk)
    assert street.letters_unanswered == 0 and street.total == 0  # 20 − 30 − 2 would be −12


def test_equal_totals_share_a_rank(db):
    with at(2025, 3, 1, 9):
        plan = build_plan(units=3, tasks=2)
    with at(2025, 7, 10, 9):
        ranks = [row.rank for row in scores(plan, datetime.date(2025, 7, 1)).units]
    assert ranks == [1, 1, 1]  # everyone overdue twice alike: 0 + 20 + 30 − 4


def test_queries_do_not_grow_with_units(db):
    with at(2025, 3, 1, 9):
        small = build_plan(units=3, tasks=2)
        large = build_plan(units=12, tasks=2, unit_prefix="大区第")
    with at(2025, 7, 10, 9):
        counts = []
        for plan in (small, large):
            with CaptureQueriesContext(connection) as queries:
                scores(plan, datetime.date(2025, 7, 1))
            counts.append(len(queries))
    assert counts[0] == counts[1] <= 10


def test_a_late_or_missing_figure_report_costs_as_a_late_round(worked):
    """A 数据报送 due 07-05: 区财政局 first reports on 07-08 (late, even once approved), 光复道街道 never; a unit
    outside the plan that is late too gets no row."""
    outside = Unit.objects.create(name="区外执法单位", kind=Unit.Kind.DEPARTMENT)
    with at(2024, 7, 1, 9):
        rnd = FigureRound(period_kind=Period.QUARTER, year=2024, quarter=2, due_on=datetime.date(2024, 7, 5),
                          created_by=worked.lead)
        rnd.open([worked.finance, worked.street, outside], [])
    with at(2024, 7, 8, 10):
        report = rnd.reports.get(unit=worked.finance)
        report.submit({}, worked.finance_user, timezone.now())
        report.decide(worked.lead, True, "", timezone.now())
    with at(2024, 7, 20, 9):
        result = scores(worked.plan, DAY)
        before_due = scores(worked.plan, datetime.date(2024, 7, 5))
    finance, street = result.units
    assert (finance.rounds_late, finance.rounds_off, finance.total) == (1, 2, 98)
    assert (street.rounds_late, street.rounds_off, street.total) == (2, 4, 9)  # 11 − 2
    assert result.of(outside.pk) is None
    assert before_due.of(worked.finance.pk).rounds_late == 0  # not late until the due date has passed


def test_a_figure_report_in_time_costs_nothing(worked):
    with at(2024, 7, 1, 9):
        rnd = FigureRound(period_kind=Period.QUARTER, year=2024, quarter=2, due_on=datetime.date(2024, 7, 5),
                          created_by=worked.lead)
        rnd.open([worked.finance], [])
    with at(2024, 7, 5, 23, 30):  # the due date itself, Beijing time
        rnd.reports.get().submit({}, worked.finance_user, timezone.now())
    with at(2024, 7, 20, 9):
        assert scores(worked.plan, DAY).of(worked.finance.pk).rounds_late == 0


@pytest.mark.parametrize(("kind", "year", "quarter"), [(Period.YEAR, 2023, None), (Period.QUARTER, 2024, 1),
                                                       (Period.YEAR, 2026, None)])
def test_a_figure_round_of_a_period_outside_the_plan_costs_nothing(worked, kind, year, quarter):
    """The plan runs from its issue on 2024-06-14 to 2025-12-31: the figures of 2023, of 2024's first quarter or of
    2026 are another plan's business, however late a unit reports them."""
    with at(2024, 7, 1, 9):
        rnd = FigureRound(period_kind=kind, year=year, quarter=quarter, due_on=datetime.date(2024, 7, 5),
                          created_by=worked.lead)
        rnd.open([worked.finance], [])
    with at(2024, 7, 20, 9):
        assert scores(worked.plan, DAY).of(worked.finance.pk).rounds_late == 0
