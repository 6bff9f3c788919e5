"""我的任务: the unit's assignments as a filterable, sortable, paginated table; 全部任务 for the lead office."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import Measure, Task, Unit
from tasks.models import Assignment


def add_assignments(cast, unit, n, **fields):
    task = Task.objects.create(plan=cast.plan, section=cast.section, number=9, title="批量任务", order=9)
    measures = Measure.objects.bulk_create(
        [Measure(task=task, order=i, text=f"批量措施第{i}项") for i in range(n)])
    Assignment.objects.bulk_create([Assignment(measure=m, unit=unit, **fields) for m in measures])
    return task


def rows(page: str) -> int:
    return page.count("/tasks/assignments/") - page.count("/tasks/assignments/?")


def test_liaison_sees_own_unit_only(frozen, cast, login):
    page = login(cast.street_user).get("/tasks/mine/").content.decode()
    assert f"/tasks/assignments/{cast.street_assignment.pk}/" in page
    assert f"/tasks/assignments/{cast.finance_assignment.pk}/" not in page
    assert "2024年6月30日" in page and "还剩10天" in page and "黄" in page
    assert "责任单位" not in page.split("<table")[1].split("</thead>")[0]  # no unit column for a liaison


def test_days_left_overdue_and_ongoing(frozen, cast, login):
    Assignment.objects.filter(pk=cast.street_assignment.pk).update(due_on=datetime.date(2024, 6, 8))
    ongoing = Measure.objects.create(task=cast.task, order=2, text="长期坚持开展普法宣传。", ongoing=True)
    Assignment.objects.create(measure=ongoing, unit=cast.street, due_on=None)
    page = login(cast.street_user).get("/tasks/mine/").content.decode()
    assert "逾期12天" in page and "长期" in page and "红" in page and "灰" in page


def test_filters(frozen, cast, login):
    c = login(cast.street_user)
    later = Measure.objects.create(task=cast.task, order=2, text="年底前完成案卷评查。",
                                   due_on=datetime.date(2024, 12, 31))
    late = Measure.objects.create(task=cast.task, order=3, text="上月应完成的自查。")
    done = Measure.objects.create(task=cast.task, order=4, text="已完成的制度建设。")
    a_later = Assignment.objects.create(measure=later, unit=cast.street, due_on=later.due_on)
    a_late = Assignment.objects.create(measure=late, unit=cast.street, due_on=datetime.date(2024, 5, 31))
    a_done = Assignment.objects.create(measure=done, unit=cast.street, due_on=datetime.date(2024, 5, 31),
                                       status="done")
    june = cast.street_assignment

    def shown(query):
        page = c.get(f"/tasks/mine/?{query}").content.decode()
        return {a.pk for a in (june, a_later, a_late, a_done) if f"/tasks/assignments/{a.pk}/" in page}

    assert shown("") == {june.pk, a_later.pk, a_late.pk, a_done.pk}
    assert shown("overdue=true") == {a_late.pk}
    assert shown("overdue=false") == {june.pk, a_later.pk, a_done.pk}
    assert shown("due_within=14") == {june.pk}
    assert shown("status=done") == {a_done.pk}
    other_task = Task.objects.create(plan=cast.plan, number=2, title="第二项任务", order=2)
    Measure.objects.filter(pk=later.pk).update(task=other_task)
    assert shown(f"task={other_task.pk}") == {a_later.pk}


def test_sorting_by_due_date(frozen, cast, login):
    later = Measure.objects.create(task=cast.task, order=2, text="年底前完成案卷评查。")
    a_later = Assignment.objects.create(measure=later, unit=cast.street, due_on=datetime.date(2024, 12, 31))
    c = login(cast.street_user)
    asc = c.get("/tasks/mine/?sort=due_on").content.decode()
    desc = c.get("/tasks/mine/?sort=-due_on").content.decode()
    first, second = f"/tasks/assignments/{cast.street_assignment.pk}/", f"/tasks/assignments/{a_later.pk}/"
    assert asc.index(first) < asc.index(second)
    assert desc.index(second) < desc.index(first)


def test_pagination_at_25(frozen, cast, login):
    add_assignments(cast, cast.street, 30, due_on=datetime.date(2024, 7, 1))
    c = login(cast.street_user)
    assert rows(c.get("/tasks/mine/").content.decode()) == 25
    assert rows(c.get("/tasks/mine/?page=2").content.decode()) == 31 - 25


def test_lead_sees_all_units_with_a_unit_filter(frozen, cast, login):
    c = login(cast.lead)
    page = c.get("/tasks/assignments/").content.decode()
    assert f"/tasks/assignments/{cast.street_assignment.pk}/" in page
    assert f"/tasks/assignments/{cast.finance_assignment.pk}/" in page
    assert "光复道街道办事处" in page and "区财政局" in page
    filtered = c.get(f"/tasks/assignments/?unit={cast.finance.pk}").content.decode()
    assert f"/tasks/assignments/{cast.street_assignment.pk}/" not in filtered
    assert f"/tasks/assignments/{cast.finance_assignment.pk}/" in filtered


def test_roles_are_sent_to_their_list(cast, login):
    assert login(cast.lead).get("/tasks/mine/")["Location"] == "/tasks/assignments/"
    assert login(cast.street_user).get("/tasks/assignments/")["Location"] == "/tasks/mine/"


def count_queries(client, url):
    client.get(url)  # warm up: a new connection runs set-up queries once
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(frozen, cast, login):
    c = login(cast.street_user)
    few = count_queries(c, "/tasks/mine/")
    add_assignments(cast, cast.street, 24, due_on=datetime.date(2024, 6, 25))
    assert count_queries(c, "/tasks/mine/") == few


def test_lead_query_count_is_the_same_with_ten_times_the_units(frozen, cast, login):
    c = login(cast.lead)
    units = Unit.objects.bulk_create([Unit(name=f"测试单位{i}") for i in range(10)])
    for unit in units[:2]:
        add_assignments(cast, unit, 1, due_on=datetime.date(2024, 7, 1))
    few = count_queries(c, "/tasks/assignments/")
    more = Unit.objects.bulk_create([Unit(name=f"新增单位{i}") for i in range(90)])
    for unit in more[:20]:
        add_assignments(cast, unit, 1, due_on=datetime.date(2024, 7, 1))
    assert count_queries(c, "/tasks/assignments/") == few
