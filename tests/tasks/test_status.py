"""Dashboard figures and lights, computed in SQL, checked against the model's own rules."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plans.models import Measure, Section, Task
from tasks import status
from tasks.models import Assignment, Submission

TODAY = datetime.date(2024, 6, 20)
S = Assignment.Status


def add(measure, unit, period, due_on, state=S.NOT_STARTED, completed_on=None):
    return Assignment.objects.create(measure=measure, unit=unit, period=period, due_on=due_on, status=state,
                                     completed_on=completed_on)


@pytest.fixture
def work(cast):
    """Task 1 (section （一）) and task 2 (section （二）) with assignments in every state."""
    Assignment.objects.all().delete()
    c = cast
    c.finance.order, c.street.order = 1, 2
    c.finance.save()
    c.street.save()
    m1 = c.measure
    c.a_red = add(m1, c.finance, "a", datetime.date(2024, 6, 10))
    c.b_yellow_soon = add(m1, c.finance, "b", datetime.date(2024, 6, 25), S.IN_PROGRESS)
    c.f_grey_ongoing = add(m1, c.finance, "f", None)
    c.c_yellow_returned = add(m1, c.street, "c", datetime.date(2024, 7, 31), S.RETURNED)
    c.d_done_on_time = add(m1, c.street, "d", datetime.date(2024, 7, 31), S.DONE, datetime.date(2024, 6, 1))
    c.e_done_late = add(m1, c.street, "e", datetime.date(2024, 5, 31), S.DONE, datetime.date(2024, 6, 5))
    c.g_yellow_edge = add(m1, c.street, "g", datetime.date(2024, 6, 27), S.SUBMITTED)
    Submission.objects.create(assignment=c.g_yellow_edge, author=c.street_user, text="进展", percent=50)

    c.section2 = Section.objects.create(plan=c.plan, level=2, number="（二）", title="规范执法", order=2)
    c.task2 = Task.objects.create(plan=c.plan, section=c.section2, number=2, title="规范执法行为", order=2)
    m2 = Measure.objects.create(task=c.task2, order=1, text="建立制度。", due_on=datetime.date(2024, 12, 31))
    c.h_green = add(m2, c.finance, "", datetime.date(2024, 12, 31), S.DONE, datetime.date(2024, 3, 1))
    c.i_grey = add(m2, c.street, "", datetime.date(2024, 6, 28))
    return c


def test_headline_counts_every_figure(work):
    h = status.headline(Assignment.objects.all(), TODAY)
    assert (h.measures, h.total, h.done, h.done_on_time) == (2, 9, 3, 2)
    assert (h.overdue, h.awaiting_review, h.returned) == (1, 1, 1)
    assert h.done_percent == 33 and h.on_time_percent == 67


def test_headline_for_one_unit(work):
    h = status.headline(Assignment.objects.filter(unit=work.finance), TODAY)
    assert (h.measures, h.total, h.done, h.done_on_time, h.overdue, h.awaiting_review, h.returned) == (
        2, 4, 1, 1, 1, 0, 0)


def test_overdue_starts_the_day_after_the_due_date(work):
    assert status.headline(Assignment.objects.all(), datetime.date(2024, 6, 10)).overdue == 0
    assert status.headline(Assignment.objects.all(), datetime.date(2024, 6, 11)).overdue == 1


def test_sql_light_matches_the_model_for_every_state_and_date(cast):
    Assignment.objects.all().delete()
    dues = [None] + [TODAY + datetime.timedelta(days=d) for d in (-30, -1, 0, 1, 6, 7, 8, 40)]
    for n, (state, due) in enumerate(itertools.product(S.values, dues)):
        add(cast.measure, cast.finance, str(n), due, state)
    rows = Assignment.objects.annotate(rank=Assignment.light_rank_case(TODAY))
    checked = 0
    for a in rows:
        assert status.RANK_LIGHT[a.rank] == a.light(TODAY), (a.status, a.due_on)
        checked += 1
    assert checked == len(S.values) * len(dues)


def test_matrix_cell_shows_the_worst_light(work):
    m = status.matrix(Assignment.objects.all(), TODAY)
    assert [row.obj for row in m.tasks] == [work.task, work.task2]
    assert [row.obj for row in m.units] == [work.finance, work.street]
    lights = {(c.task.number, c.unit.name): c.light for _, cells in m.rows for c in cells}
    assert lights == {
        (1, "区财政局"): "red",
        (1, "光复道街道办事处"): "yellow",
        (2, "区财政局"): "green",
        (2, "光复道街道办事处"): "grey",
    }
    cell = m.rows[0][1][1]
    assert (cell.total, cell.done, cell.overdue) == (4, 2, 0)


def test_matrix_leaves_a_cell_empty_when_the_unit_owes_nothing_there(work):
    work.i_grey.delete()
    m = status.matrix(Assignment.objects.all(), TODAY)
    empty = m.rows[1][1][1]
    assert (empty.unit, empty.light, empty.total) == (work.street, None, 0)


def test_completion_by_section_and_task(work):
    m = status.matrix(Assignment.objects.all(), TODAY)
    sections = status.by_section(m.tasks)
    assert [(r.obj.number, r.total, r.done, r.overdue, r.percent) for r in sections] == [
        ("（一）", 7, 2, 1, 29), ("（二）", 2, 1, 0, 50)]
    assert [(r.obj.number, r.light, r.percent_step) for r in m.tasks] == [(1, "red", 25), (2, "grey", 50)]


def test_all_done_is_green(work):
    Assignment.objects.update(status=S.DONE, completed_on=TODAY)
    m = status.matrix(Assignment.objects.all(), TODAY)
    assert {c.light for _, cells in m.rows for c in cells} == {"green"}


def test_figures_take_a_fixed_number_of_queries(work):
    qs = Assignment.objects.filter(measure__task__plan=work.plan)
    with CaptureQueriesContext(connection) as ctx:
        grid = status.matrix(qs, TODAY)
        status.headline(qs, TODAY, grid)
        status.by_section(grid.tasks)
    assert len(ctx) == 3 + 2


def test_headline_from_the_matrix_equals_the_headline_counted_alone(work):
    work.f_grey_ongoing.status = S.DONE
    work.f_grey_ongoing.completed_on = TODAY
    work.f_grey_ongoing.save()
    for qs in (Assignment.objects.all(), Assignment.objects.filter(unit=work.finance)):
        assert status.headline(qs, TODAY, status.matrix(qs, TODAY)) == status.headline(qs, TODAY)


def test_an_assignment_with_two_pending_reports_awaits_review_once(work):
    Submission.objects.create(assignment=work.g_yellow_edge, author=work.street_user, text="补充", percent=60)
    assert status.headline(Assignment.objects.all(), TODAY).awaiting_review == 1


def test_ongoing_done_counts_as_on_time(work):
    work.f_grey_ongoing.status = S.DONE
    work.f_grey_ongoing.completed_on = timezone.localdate()
    work.f_grey_ongoing.save()
    assert status.headline(Assignment.objects.all(), TODAY).done_on_time == 3
