import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import Measure, Unit
from reports.asof import assignment_states
from tasks.models import Assignment
from tests.conftest import make_user
from tests.reports.conftest import accept, at, build_plan, submit

D = datetime.date(2025, 6, 30)


def states(plan, day, **kwargs) -> dict[int, tuple]:
    return {s.id: s.as_tuple() for s in assignment_states(plan.pk, day, **kwargs)}


def test_past_day_shows_the_status_as_it_stood_then(db):
    lead = make_user("lead", "lead")
    with at(2025, 3, 1, 9):
        plan = build_plan(units=3)
    first, second, third = Assignment.objects.order_by("id")[:3]
    with at(2025, 6, 20, 10):
        accept(submit(first, lead), lead, datetime.date(2025, 6, 20))
        pending = submit(second, lead)
    with at(2025, 7, 2, 9):
        accept(pending, lead, datetime.date(2025, 7, 2))
        third.due_on = datetime.date(2025, 9, 30)
        third.save()
        late = Assignment.objects.create(measure=Measure.objects.first(), unit=Unit.objects.create(name="新增单位"),
                                         due_on=D)
    with at(2025, 7, 10, 9):
        then = states(plan, D)
        now = states(plan, datetime.date(2025, 7, 10))

    assert then[first.pk][5] == Assignment.Status.DONE and then[first.pk][7] == datetime.date(2025, 6, 20)
    assert then[second.pk][5] == Assignment.Status.SUBMITTED  # accepted after D: not done as of D
    assert then[third.pk][4] == D  # the deadline moved after D: the old one
    assert late.pk not in then  # created after D: did not exist yet
    assert now[second.pk][5] == Assignment.Status.DONE
    assert now[third.pk][4] == datetime.date(2025, 9, 30)
    assert late.pk in now


def test_boundary_is_the_end_of_the_day_in_beijing(db):
    lead = make_user("lead", "lead")
    with at(2025, 3, 1, 9):
        plan = build_plan(units=1, tasks=2)
    first, second = Assignment.objects.order_by("id")
    with at(2025, 6, 30, 23, 59):
        accept(submit(first, lead), lead, D)
    with at(2025, 7, 1, 0, 1):
        accept(submit(second, lead), lead, datetime.date(2025, 7, 1))
    with at(2025, 7, 2, 9):
        then = states(plan, D)
    assert then[first.pk][5] == Assignment.Status.DONE
    assert then[second.pk][5] == Assignment.Status.NOT_STARTED  # submitted and accepted a minute after D


def test_history_for_today_equals_the_live_table(db):
    lead = make_user("lead", "lead")
    with at(2025, 3, 1, 9):
        plan = build_plan(units=4)
    rows = list(Assignment.objects.order_by("id"))
    with at(2025, 5, 5, 9):
        accept(submit(rows[0], lead), lead, datetime.date(2025, 5, 5))
        submit(rows[1], lead, percent=40)
        rows[2].due_on = datetime.date(2025, 8, 1)
        rows[2].save()
        rows[3].delete()
    with at(2025, 5, 6, 9):
        today = datetime.date(2025, 5, 6)
        assert states(plan, today, from_history=True) == states(plan, today, from_history=False)
        assert rows[3].pk not in states(plan, today, from_history=True)


def test_one_query_whatever_the_number_of_units(db):
    with at(2025, 3, 1, 9):
        small = build_plan(units=2, unit_prefix="小")
        large = build_plan(units=60, unit_prefix="大")
    with at(2025, 7, 1, 9):
        for plan, expected in ((small, 2 * 17), (large, 60 * 17)):
            with CaptureQueriesContext(connection) as ctx:
                found = assignment_states(plan.pk, D)
            assert len(found) == expected
            assert len(ctx.captured_queries) == 1
