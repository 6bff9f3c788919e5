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

    assert shown("") == {june.pk, a_later.pk, a_late.pk}  # finished work is folded away
    assert shown("show=all") == {june.pk, a_later.pk, a_late.pk, a_done.pk}
    assert shown("show=done") == {a_done.pk}
    assert shown("overdue=true") == {a_late.pk}
    assert shown("overdue=false&show=all") == {june.pk, a_later.pk, a_done.pk}
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


def test_open_work_comes_first_returned_overdue_due_soon_then_the_rest(frozen, cast, login):
    """The order is Assignment.work_rank_case's: returned, overdue, due within 7 days, the rest, done last."""
    june = cast.street_assignment  # due 2024-06-30: ten days left, the rest
    items = {}
    for name, due, status in [("soon", datetime.date(2024, 6, 25), "not_started"),
                              ("late", datetime.date(2024, 6, 1), "in_progress"),
                              ("returned", datetime.date(2024, 12, 31), "returned"),
                              ("done", datetime.date(2024, 5, 1), "done")]:
        m = Measure.objects.create(task=cast.task, order=len(items) + 2, text=f"措施{name}")
        items[name] = Assignment.objects.create(measure=m, unit=cast.street, due_on=due, status=status)
    page = login(cast.street_user).get("/tasks/mine/?show=all").content.decode()
    order = [items["returned"], items["late"], items["soon"], june, items["done"]]
    places = [page.index(f"/tasks/assignments/{a.pk}/") for a in order]
    assert places == sorted(places)
    today = datetime.date(2024, 6, 20)
    ranks = dict(Assignment.objects.annotate(r=Assignment.work_rank_case(today)).values_list("pk", "r"))
    assert all(ranks[a.pk] == a.work_rank(today) for a in order)  # the SQL twin agrees with the Python rule


def test_finished_work_is_folded_and_counted(frozen, cast, login):
    add_assignments(cast, cast.street, 3, due_on=datetime.date(2024, 5, 1), status="done",
                    completed_on=datetime.date(2024, 4, 30))
    page = login(cast.street_user).get("/tasks/mine/").content.decode()
    tabs = page.split('data-testid="work-tabs"')[1].split("</nav>")[0]
    assert "待办 <span class=\"count\">1</span>" in tabs and "已完成 <span class=\"count\">3</span>" in tabs
    assert rows(page) == 1 and "批量措施" not in page
    assert rows(login(cast.street_user).get("/tasks/mine/?show=done").content.decode()) == 3


def test_task_column_names_the_task_and_a_requirement_by_its_place(frozen, cast, login):
    first = Task.objects.create(plan=cast.plan, title="加强组织领导", is_requirement=True, order=20)
    second = Task.objects.create(plan=cast.plan, title="强化督促检查", is_requirement=True, order=21)
    for i, task in enumerate((first, second)):
        m = Measure.objects.create(task=task, order=1, text=f"工作要求措施{i}")
        Assignment.objects.create(measure=m, unit=cast.street, due_on=datetime.date(2024, 7, 1))
    page = login(cast.street_user).get("/tasks/mine/").content.decode()
    assert "任务1</span>" in page and "着力提高业务能力" in page
    assert "工作要求（一）</span>" in page and "加强组织领导" in page
    assert "工作要求（二）</span>" in page and "强化督促检查" in page


def test_query_count_does_not_grow_with_requirement_rows(frozen, cast, login):
    c = login(cast.street_user)
    task = Task.objects.create(plan=cast.plan, title="加强组织领导", is_requirement=True, order=20)
    m = Measure.objects.create(task=task, order=1, text="工作要求措施")
    Assignment.objects.create(measure=m, unit=cast.street, due_on=datetime.date(2024, 7, 1))
    few = count_queries(c, "/tasks/mine/")
    for i in range(6):
        task = Task.objects.create(plan=cast.plan, title=f"工作要求{i}", is_requirement=True, order=30 + i)
        m = Measure.objects.create(task=task, order=1, text=f"工作要求措施{i}")
        Assignment.objects.create(measure=m, unit=cast.street, due_on=datetime.date(2024, 7, 1))
    page = c.get("/tasks/mine/").content.decode()
    assert "工作要求（七）</span>" in page
    assert count_queries(c, "/tasks/mine/") == few
