"""Periods of recurring and ongoing measures, and keeping assignments in step with measures, groups and the
plan's reporting period."""

import datetime

import pytest

from plans.importer.deadlines import parse_deadline
from plans.models import Measure, Unit
from tasks.models import Assignment, Submission
from tasks.planning import periods_for, sync_assignments, try_delete

D = datetime.date


def measure_with(cast, **values) -> Measure:
    measure = Measure.objects.create(task=cast.task, order=9, text="测试措施。", **values)
    measure.units.add(cast.finance)
    return measure


def test_one_off_measure_has_one_period_at_its_due_date(cast):
    assert periods_for(cast.measure) == [("", D(2024, 6, 30))]


def test_measure_without_date_is_due_at_the_plans_end(cast):
    assert periods_for(measure_with(cast)) == [("", D(2025, 12, 31))]


def test_ongoing_measure_owes_a_progress_report_per_half_year_from_issue_to_end(cast):
    assert periods_for(measure_with(cast, ongoing=True)) == [
        ("2024年上半年进展", D(2024, 6, 30)), ("2024年下半年进展", D(2024, 12, 31)),
        ("2025年上半年进展", D(2025, 6, 30)), ("2025年下半年进展", D(2025, 12, 31))]


@pytest.mark.parametrize(("months", "first", "last", "count"), [
    (3, ("2024年第2季度进展", D(2024, 6, 30)), ("2025年第4季度进展", D(2025, 12, 31)), 7),
    (12, ("2024年进展", D(2024, 12, 31)), ("2025年进展", D(2025, 12, 31)), 2),
])
def test_ongoing_measure_follows_the_plans_reporting_period(cast, months, first, last, count):
    cast.plan.progress_every_months = months
    cast.plan.save()
    periods = periods_for(measure_with(cast, ongoing=True))
    assert (periods[0], periods[-1], len(periods)) == (first, last, count)


def test_ongoing_progress_report_is_late_only_once_its_period_is_over(cast):
    measure = measure_with(cast, ongoing=True)
    sync_assignments(measure)
    assignments = Assignment.objects.filter(measure=measure)
    assert [a.period for a in assignments.overdue(D(2024, 6, 30))] == []
    assert [a.period for a in assignments.overdue(D(2024, 7, 1))] == ["2024年上半年进展"]


def test_changing_the_reporting_period_replans_ongoing_measures_and_keeps_submitted_reports(cast):
    ongoing = measure_with(cast, ongoing=True)
    yearly = measure_with(cast, recurrence="yearly")
    for measure in (ongoing, yearly):
        sync_assignments(measure)
    first = Assignment.objects.get(measure=ongoing, period="2024年上半年进展")
    Submission.objects.create(assignment=first, author=cast.finance_user, text="上半年进展", percent=50)
    cast.plan.progress_every_months = 12
    cast.plan.save()
    assert list(Assignment.objects.filter(measure=ongoing).order_by("due_on").values_list("period", flat=True)) == [
        "2024年上半年进展", "2024年进展", "2025年进展"]
    sync = cast.plan.progress_sync
    assert (sync.created, sync.removed, sync.kept) == (2, 3, [first])
    assert set(Assignment.objects.filter(measure=yearly).values_list("period", flat=True)) == {"2024年", "2025年"}


def test_plan_saved_without_a_new_reporting_period_leaves_assignments_alone(cast):
    measure = measure_with(cast, ongoing=True)
    sync_assignments(measure)
    before = Assignment.history.count()
    cast.plan.letter_prefix = "新前缀函"
    cast.plan.save()
    assert Assignment.history.count() == before and cast.plan.progress_sync is None


def test_a_measures_lead_owes_it(cast):
    measure = measure_with(cast)
    measure.lead_units.add(cast.justice)
    assert set(measure.responsible_units()) == {cast.finance, cast.justice}
    sync_assignments(measure)
    assert set(Assignment.objects.filter(measure=measure).values_list("unit__name", flat=True)) == {
        "区财政局", "区司法局"}


def test_yearly_measure_from_issue_year_to_end(cast):
    measure = measure_with(cast, recurrence="yearly", due_phrase="每年")
    assert periods_for(measure) == [("2024年", D(2024, 12, 31)), ("2025年", D(2025, 12, 31))]


def test_yearly_measure_due_on_the_phrases_day_skips_days_before_issue(cast):
    measure = measure_with(cast, recurrence="yearly", due_phrase="每年2月底前")
    assert periods_for(measure) == [("2025年", D(2025, 2, 28))]
    cast.plan.ends_on = D(2026, 12, 31)
    cast.plan.save()
    measure.refresh_from_db()
    assert periods_for(measure)[-1] == ("2026年", D(2026, 2, 28))


def test_half_yearly_quarterly_monthly(cast):
    assert periods_for(measure_with(cast, recurrence="half-yearly")) == [
        ("2024年上半年", D(2024, 6, 30)), ("2024年下半年", D(2024, 12, 31)),
        ("2025年上半年", D(2025, 6, 30)), ("2025年下半年", D(2025, 12, 31))]
    quarters = periods_for(measure_with(cast, recurrence="quarterly"))
    assert quarters[0] == ("2024年第2季度", D(2024, 6, 30)) and quarters[-1] == ("2025年第4季度", D(2025, 12, 31))
    assert len(quarters) == 7
    months = periods_for(measure_with(cast, recurrence="monthly"))
    assert months[0] == ("2024年6月", D(2024, 6, 30)) and len(months) == 19


@pytest.mark.parametrize("text", ["每年2月底前报送上一年度情况", "每年3月15日前完成考评", "每月10日前报送进展",
                                  "每季度末开展督查", "每半年通报一次", "每年开展不少于2次业务培训"])
def test_first_period_falls_due_on_the_date_the_importer_reads(cast, text):
    deadline = parse_deadline(text, issued_on=cast.plan.issued_on)
    measure = measure_with(cast, recurrence=deadline.recurrence, due_on=deadline.due,
                           due_phrase=deadline.phrase or "")
    periods = periods_for(measure)
    assert deadline.due is None or periods[0][1] == deadline.due
    assert all(cast.plan.issued_on <= due <= cast.plan.ends_on for _, due in periods)


def test_monthly_measure_falls_due_on_the_day_its_phrase_names(cast):
    measure = measure_with(cast, recurrence="monthly", due_on=D(2024, 7, 10), due_phrase="每月10日前")
    months = periods_for(measure)
    assert months[0] == ("2024年7月", D(2024, 7, 10)) and months[-1] == ("2025年12月", D(2025, 12, 10))


def test_month_end_phrase_follows_february_into_a_leap_year(cast):
    cast.plan.ends_on = D(2028, 12, 31)
    cast.plan.save()
    measure = measure_with(cast, recurrence="yearly", due_on=D(2025, 2, 28), due_phrase="2月底前")
    assert periods_for(measure)[-1] == ("2028年", D(2028, 2, 29))


def test_period_running_past_the_plan_end_is_cut_to_the_end(cast):
    cast.plan.ends_on = D(2025, 9, 30)
    cast.plan.save()
    measure = measure_with(cast, recurrence="half-yearly")
    assert periods_for(measure)[-1] == ("2025年下半年", D(2025, 9, 30))


def test_sync_creates_one_assignment_per_unit_and_period_with_groups_expanded(cast):
    measure = measure_with(cast, recurrence="half-yearly")
    measure.groups.add(cast.streets)
    result = sync_assignments(measure)
    assert result.created == 8
    assert set(Assignment.objects.filter(measure=measure).values_list("unit__name", flat=True)) == {
        "区财政局", "光复道街道办事处"}
    assert sync_assignments(measure).created == 0


def test_sync_is_a_no_op_when_nothing_changed(cast):
    sync_assignments(cast.measure)
    before = Assignment.history.count()
    result = sync_assignments(cast.measure)
    assert (result.created, result.moved, result.removed) == (0, 0, 0)
    assert Assignment.history.count() == before


def test_sync_moves_untouched_due_dates_but_not_submitted_or_hand_changed_ones(cast):
    Submission.objects.create(assignment=cast.finance_assignment, author=cast.finance_user, text="已完成", percent=100)
    cast.measure.due_on = D(2024, 9, 30)
    cast.measure.save()
    result = sync_assignments(cast.measure)
    cast.finance_assignment.refresh_from_db()
    cast.street_assignment.refresh_from_db()
    assert result.moved == 1
    assert cast.street_assignment.due_on == D(2024, 9, 30)
    assert cast.finance_assignment.due_on == D(2024, 6, 30)
    cast.street_assignment.due_on = D(2024, 11, 30)
    cast.street_assignment._change_reason = "经批准延期"
    cast.street_assignment.save()
    sync_assignments(cast.measure)
    cast.street_assignment.refresh_from_db()
    assert cast.street_assignment.due_on == D(2024, 11, 30)


def test_sync_removes_untouched_assignments_of_units_no_longer_responsible_but_keeps_submitted(cast):
    Submission.objects.create(assignment=cast.finance_assignment, author=cast.finance_user, text="进展", percent=50)
    cast.measure.units.clear()
    cast.measure.groups.clear()
    result = sync_assignments(cast.measure)
    assert result.removed == 1
    assert result.kept == [cast.finance_assignment]
    assert list(Assignment.objects.filter(measure=cast.measure)) == [cast.finance_assignment]


def test_unit_added_to_a_group_gets_the_groups_work(cast):
    newcomer = Unit.objects.create(name="望海楼街道办事处", kind=Unit.Kind.STREET)
    with_plan_running(cast)
    cast.streets.members.add(newcomer)
    assert Assignment.objects.filter(unit=newcomer, measure=cast.measure).count() == 1


def test_unit_joining_through_its_own_groups_side_gets_the_work(cast):
    newcomer = Unit.objects.create(name="鸿顺里街道办事处", kind=Unit.Kind.STREET)
    with_plan_running(cast)
    newcomer.groups.add(cast.streets)
    assert Assignment.objects.filter(unit=newcomer).count() == 1
    newcomer.groups.remove(cast.streets)
    assert not Assignment.objects.filter(unit=newcomer).exists()


def with_plan_running(cast):
    """The cast's plan ends 2025-12-31; keep it running whatever today's date is."""
    cast.plan.ends_on = datetime.date.today() + datetime.timedelta(days=365)
    cast.plan.save()


def test_try_delete_keeps_what_something_else_protects(cast):
    assert not try_delete(cast.finance)  # its assignments protect the unit
    assert Unit.objects.filter(pk=cast.finance.pk).exists()
    assert try_delete(Unit.objects.create(name="临时单位"))
