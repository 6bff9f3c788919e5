"""总览 and the unit and task pages: the figures, the matrix, scoping by role, and a fixed query count."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Measure, Plan, Section, Task, Unit
from tasks.models import Assignment, ReportingRound, Submission
from tasks.views.overview import MATRIX_UNITS_PER_PAGE

NOW = datetime.datetime(2024, 6, 20, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
S = Assignment.Status


def build_city(plan: Plan, units: int, tasks: int = 5) -> None:
    """``units`` extra units, each owing one assignment per task in every state and light."""
    section = Section.objects.create(plan=plan, level=1, number="三、", title="保障措施", order=9)
    start = Unit.objects.count()
    unit_objs = Unit.objects.bulk_create([Unit(name=f"测试单位{start + i:04d}", order=100 + start + i)
                                          for i in range(units)])
    states = [S.NOT_STARTED, S.IN_PROGRESS, S.SUBMITTED, S.RETURNED, S.DONE]
    rows = []
    for t in range(tasks):
        task = Task.objects.create(plan=plan, section=section, number=20 + t, title=f"批量任务{t}", order=20 + t)
        measure = Measure.objects.create(task=task, order=1, text=f"批量措施{t}")
        for i, unit in enumerate(unit_objs):
            state = states[(i + t) % len(states)]
            due = datetime.date(2024, 6, 1) + datetime.timedelta(days=7 * ((i + t) % 9))
            rows.append(Assignment(measure=measure, unit=unit, due_on=due, status=state,
                                   completed_on=due if state == S.DONE else None))
    Assignment.objects.bulk_create(rows)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_lead_sees_headline_sections_tasks_and_matrix(cast, login):
    cast.finance_assignment.status = S.DONE
    cast.finance_assignment.completed_on = datetime.date(2024, 6, 18)
    cast.finance_assignment.save()
    page = login(cast.lead).get(reverse("tasks:dashboard")).content.decode()
    assert "测试区提升行政执法质量三年行动实施方案" in page
    assert "（一）提升能力" in page and "1. 着力提高业务能力" in page
    finance_cell = f'data-testid="cell-{cast.task.pk}-{cast.finance.pk}" data-light="green"'
    street_cell = f'data-testid="cell-{cast.task.pk}-{cast.street.pk}" data-light="grey"'
    assert finance_cell in page and street_cell in page
    link = f"/tasks/ledger/?plan={cast.plan.pk}&amp;task={cast.task.pk}&amp;unit={cast.finance.pk}"
    assert link in page
    assert re.search(r'data-testid="figure-done">1<', page)


def test_inspector_sees_the_same_dashboard(cast, login):
    page = login(cast.inspector).get(reverse("tasks:dashboard")).content.decode()
    assert "区财政局" in page and "光复道街道" in page


def test_liaison_sees_only_their_unit(cast, login):
    page = login(cast.finance_user).get(reverse("tasks:dashboard")).content.decode()
    assert "总览 · 区财政局" in page
    assert f"cell-{cast.task.pk}-{cast.finance.pk}" in page
    assert "光复道" not in page


def test_cell_turns_red_when_overdue_and_yellow_within_a_week(cast, login):
    cell = f'data-testid="cell-{cast.task.pk}-{cast.finance.pk}" data-light='
    assert cell + '"grey"' in login(cast.lead).get(reverse("tasks:dashboard")).content.decode()
    with time_machine.travel(datetime.date(2024, 6, 24), tick=False):
        assert cell + '"yellow"' in login(cast.lead).get(reverse("tasks:dashboard")).content.decode()
    with time_machine.travel(datetime.date(2024, 7, 2), tick=False):
        page = login(cast.lead).get(reverse("tasks:dashboard")).content.decode()
    assert cell + '"red"' in page
    assert re.search(r'data-testid="figure-overdue">2<', page)


def test_latest_plan_is_the_default_and_another_can_be_chosen(cast, login):
    newer = Plan.objects.create(title="第二个实施方案", ends_on=datetime.date(2026, 12, 31))
    client = login(cast.lead)
    page = client.get(reverse("tasks:dashboard")).content.decode()
    assert "第二个实施方案" in page and "暂无任务分解" in page
    page = client.get(reverse("tasks:dashboard"), {"plan": cast.plan.pk}).content.decode()
    assert f"cell-{cast.task.pk}-{cast.finance.pk}" in page
    assert f'<option value="{newer.pk}">' in page
    assert client.get(reverse("tasks:dashboard"), {"plan": 99999}).status_code == 404


def test_dashboard_without_plans(db, login, cast):
    Plan.objects.all().delete()
    assert "尚未导入实施方案" in login(cast.lead).get(reverse("tasks:dashboard")).content.decode()


def test_anonymous_is_sent_to_login(cast, client):
    for name, args in [("tasks:dashboard", []), ("tasks:unit_detail", [cast.finance.pk]),
                       ("tasks:task_detail", [cast.task.pk])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_unit_page_shows_its_figures_and_assignments(cast, login):
    page = login(cast.lead).get(reverse("tasks:unit_detail", args=[cast.street.pk])).content.decode()
    assert "<h1>光复道街道办事处</h1>" in page
    assert "2024年6月底前完成全员轮训。" in page
    assert "区财政局" not in page.split("<h1>")[1].split("任务清单")[1]


def test_liaison_cannot_open_another_units_page(cast, login):
    client = login(cast.finance_user)
    assert client.get(reverse("tasks:unit_detail", args=[cast.street.pk])).status_code == 404
    assert client.get(reverse("tasks:unit_detail", args=[cast.finance.pk])).status_code == 200


def test_task_page_lists_units(cast, login):
    page = login(cast.inspector).get(reverse("tasks:task_detail", args=[cast.task.pk])).content.decode()
    assert "区财政局" in page and "光复道街道办事处" in page


def test_task_page_for_a_liaison_shows_their_unit_and_hides_tasks_they_do_not_owe(cast, login):
    page = login(cast.street_user).get(reverse("tasks:task_detail", args=[cast.task.pk])).content.decode()
    assert "光复道街道办事处" in page and "区财政局" not in page
    other = Task.objects.create(plan=cast.plan, number=2, title="别人的任务", order=2)
    assert login(cast.street_user).get(reverse("tasks:task_detail", args=[other.pk])).status_code == 404


def test_liaison_sees_their_open_rounds(cast, login):
    rnd = ReportingRound.objects.create(plan=cast.plan, title="6月调度", due_on=datetime.date(2024, 6, 25),
                                        created_by=cast.lead)
    rnd.units.add(cast.finance)
    rnd.tasks.add(cast.task)
    page = login(cast.finance_user).get(reverse("tasks:dashboard")).content.decode()
    assert "6月调度" in page and "请于2024年6月25日前报送" in page and "未报送" in page
    assert "6月调度" not in login(cast.street_user).get(reverse("tasks:dashboard")).content.decode()
    Submission.objects.create(assignment=cast.finance_assignment, author=cast.finance_user, text="进展", percent=30,
                              round=rnd)
    page = login(cast.finance_user).get(reverse("tasks:dashboard")).content.decode()
    assert "按时报送" in page


@pytest.mark.parametrize("name", ["tasks:dashboard", "tasks:unit_detail", "tasks:task_detail"])
def test_query_count_does_not_grow_with_units(cast, login, name):
    args = {"tasks:dashboard": [], "tasks:unit_detail": [cast.finance.pk], "tasks:task_detail": [cast.task.pk]}
    url = reverse(name, args=args[name])
    client = login(cast.lead)
    build_city(cast.plan, 10)
    small = count_queries(client, url)
    build_city(cast.plan, 90)
    large = count_queries(client, url)
    assert small == large
    assert large <= 15


def test_liaison_dashboard_query_count_does_not_grow(cast, login):
    rnd = ReportingRound.objects.create(plan=cast.plan, title="6月调度", due_on=datetime.date(2024, 6, 25),
                                        created_by=cast.lead)
    rnd.units.add(cast.finance)
    rnd.tasks.add(cast.task)
    client = login(cast.finance_user)
    build_city(cast.plan, 10)
    small = count_queries(client, reverse("tasks:dashboard"))
    build_city(cast.plan, 90)
    assert count_queries(client, reverse("tasks:dashboard")) == small <= 21  # with its own 考核 row (reports.scoring)


def matrix_units(page: str) -> list[str]:
    """The unit column heads of the matrix, in order (each head links to the unit's page)."""
    head = page.split('data-testid="matrix"')[1].split("</thead>")[0]
    return re.findall(r'<th class="unit-head"><a [^>]*>([^<]+)</a>', head)


def city_units() -> list[str]:
    """The names of the units build_city made, in the units' own order."""
    return list(Unit.objects.filter(name__startswith="测试单位").values_list("name", flat=True))


def test_district_matrix_has_every_unit_and_no_pager(cast, login):
    build_city(cast.plan, MATRIX_UNITS_PER_PAGE - 2)
    page = login(cast.lead).get(reverse("tasks:dashboard")).content.decode()
    assert len(matrix_units(page)) == MATRIX_UNITS_PER_PAGE
    assert 'data-testid="matrix-pager"' not in page and "上一页" not in page


def test_city_matrix_pages_its_unit_columns_and_keeps_the_query_string(cast, login):
    build_city(cast.plan, 118)  # with the cast's two units that owe work: 120 columns
    client = login(cast.lead)
    url = reverse("tasks:dashboard")
    page = client.get(url, {"plan": cast.plan.pk}).content.decode()
    first = matrix_units(page)
    assert len(first) == MATRIX_UNITS_PER_PAGE and set(first[:2]) == {"区财政局", "光复道街道"}
    assert "单位 1–50 / 共 120 个" in page and "下一页" in page and "上一页" not in page
    assert f'href="?plan={cast.plan.pk}&amp;units_page=2"' in page

    page = client.get(url, {"plan": cast.plan.pk, "units_page": 2}).content.decode()
    second = matrix_units(page)
    assert "单位 51–100 / 共 120 个" in page and "上一页" in page and "下一页" in page
    assert second == city_units()[48:98]
    assert not set(first) & set(second)
    assert f'href="?plan={cast.plan.pk}&amp;units_page=3"' in page

    page = client.get(url, {"plan": cast.plan.pk, "units_page": 3}).content.decode()
    assert "单位 101–120 / 共 120 个" in page and len(matrix_units(page)) == 20 and "下一页" not in page


def test_city_matrix_headline_and_breakdowns_count_every_unit(cast, login):
    build_city(cast.plan, 118)
    page = login(cast.lead).get(reverse("tasks:dashboard"), {"units_page": 2}).content.decode()
    overdue = Assignment.objects.overdue(datetime.date(2024, 6, 20)).count()
    assert overdue > 0
    assert f'<div class="figure">{Assignment.objects.count()}</div><div class="figure-label">任务分解' in page
    assert re.search(rf'data-testid="figure-overdue">{overdue}<', page)
    by_task = page.split('data-testid="by-task"')[1].split("</table>")[0]
    assert '<td class="num">118</td>' in by_task  # each bulk task is owed by all 118 new units
    # A unit's column head still shows its own totals over all tasks.
    assert f'title="{city_units()[50]}：完成1/5' in page


def test_worst_first_puts_the_unit_with_overdue_work_first(cast, login):
    build_city(cast.plan, 60, tasks=1)
    Assignment.objects.filter(unit__name__startswith="测试单位").update(status=S.DONE,
                                                                     completed_on=datetime.date(2024, 6, 1))
    city = city_units()
    late = Unit.objects.get(name=city[-1])
    Assignment.objects.filter(unit=late).update(status=S.IN_PROGRESS, due_on=datetime.date(2024, 6, 10),
                                                completed_on=None)
    client = login(cast.lead)
    page = client.get(reverse("tasks:dashboard"), {"units_order": "worst"}).content.decode()
    units = matrix_units(page)
    assert units[0] == late.name
    # Then the cast's two units, which owe work due in July (grey), before the 60 that are done.
    assert set(units[1:3]) == {"区财政局", "光复道街道"} and units[3] == city[0]
    assert f'title="{late.name}：完成0/1，逾期1"' in page
    assert '<span aria-current="true">问题多的在前</span>' in page
    # Page links keep the order; switching order goes back to the first page.
    assert 'href="?units_order=worst&amp;units_page=2"' in page
    page = client.get(reverse("tasks:dashboard"), {"units_order": "worst", "units_page": 2}).content.decode()
    assert 'href="?">按单位顺序</a>' in page
    assert matrix_units(client.get(reverse("tasks:dashboard")).content.decode())[2] == city[0]


@pytest.mark.parametrize("value", ["abc", "0", "-3", "999", "", "1.5"])
def test_junk_units_page_falls_back(cast, login, value):
    build_city(cast.plan, 60)
    response = login(cast.lead).get(reverse("tasks:dashboard"), {"units_page": value, "units_order": "nonsense"})
    assert response.status_code == 200
    assert len(matrix_units(response.content.decode())) in (MATRIX_UNITS_PER_PAGE, 12)


def test_liaison_of_a_city_sees_only_their_unit_without_pager(cast, login):
    build_city(cast.plan, 60)
    page = login(cast.finance_user).get(reverse("tasks:dashboard"), {"units_page": 2}).content.decode()
    assert matrix_units(page) == ["区财政局"]
    assert 'data-testid="matrix-pager"' not in page
