"""Several plans: each user's chosen plan is remembered (on the user, so on every device) and every page that
counts one plan counts that one and says so."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from plans.models import Measure, Plan, Section, Task
from reports.forms import ReportRequestForm
from tasks.models import Assignment
from tracker import plan_choice

TODAY = datetime.datetime(2024, 7, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def second_plan(cast):
    """A newer plan with three overdue items of its own (the cast's plan has two)."""
    plan = Plan.objects.create(title="测试区2025年度法治政府建设工作要点", ends_on=datetime.date(2025, 12, 31),
                               lead_unit=cast.justice)
    section = Section.objects.create(plan=plan, level=2, number="（一）", title="要点", order=1)
    task = Task.objects.create(plan=plan, section=section, number=1, title="健全制度", order=1)
    measure = Measure.objects.create(task=task, order=1, text="2024年6月底前健全制度。", due_on=datetime.date(2024, 6, 1))
    for unit in (cast.finance, cast.street, cast.justice):
        Assignment.objects.create(measure=measure, unit=unit, due_on=measure.due_on)
    return plan


def counts(response) -> dict[str, int]:
    return {item.label: item.count for item in response.context["items"]}


@time_machine.travel(TODAY, tick=False)
def test_the_newest_plan_is_shown_until_the_user_chooses_another(cast, second_plan, login):
    client = login(cast.lead)
    assert client.get(reverse("tasks:dashboard")).context["plan"] == second_plan
    client.get(reverse("tasks:dashboard"), {"plan": cast.plan.pk})
    cast.lead.refresh_from_db()
    assert cast.lead.current_plan == cast.plan
    # a later visit without ?plan= (the menu's link) stays on the chosen plan, on every page that picks one
    assert client.get(reverse("tasks:dashboard")).context["plan"] == cast.plan
    assert client.get(reverse("tasks:rounds")).context["plan"] == cast.plan
    assert client.get(reverse("home")).context["plan"] == cast.plan


@time_machine.travel(TODAY, tick=False)
def test_the_choice_follows_the_user_to_another_device(cast, second_plan, login):
    login(cast.lead).get(reverse("tasks:rounds"), {"plan": cast.plan.pk})
    other_device = login(cast.lead)
    assert other_device.get(reverse("tasks:dashboard")).context["plan"] == cast.plan


@time_machine.travel(TODAY, tick=False)
def test_the_workbench_counts_one_plan_and_names_it(cast, second_plan, login):
    client = login(cast.lead)
    newest = client.get(reverse("home"))
    assert counts(newest)["已逾期"] == 3
    assert "统计范围：测试区2025年度法治政府建设工作要点" in newest.content.decode()
    first = client.get(reverse("home"), {"plan": cast.plan.pk})
    assert counts(first)["已逾期"] == 2
    page = first.content.decode()
    assert "统计范围：测试区提升行政执法质量三年行动实施方案" in page
    assert f'href="{reverse("tasks:assignments")}?plan={cast.plan.pk}&amp;overdue=true"' in page


@time_machine.travel(TODAY, tick=False)
def test_the_overdue_link_lists_what_the_workbench_counted(cast, second_plan, login):
    client = login(cast.lead)
    listed = client.get(reverse("tasks:assignments"), {"plan": cast.plan.pk, "overdue": "true"})
    assert {a.pk for a in listed.context["table"].data} == {cast.finance_assignment.pk, cast.street_assignment.pk}


@time_machine.travel(TODAY, tick=False)
def test_a_liaison_counts_its_own_work_in_the_chosen_plan(cast, second_plan, login):
    client = login(cast.finance_user)
    assert counts(client.get(reverse("home")))["已逾期"] == 1
    assert counts(client.get(reverse("home"), {"plan": cast.plan.pk}))["已逾期"] == 1
    assert client.get(reverse("home")).context["plan"] == cast.plan


def test_the_ledger_starts_on_the_chosen_plan_and_can_show_every_plan(cast, second_plan, login):
    client = login(cast.lead)
    client.get(reverse("tasks:dashboard"), {"plan": cast.plan.pk})
    default = client.get(reverse("tasks:ledger"))
    assert {a.pk for a in default.context["table"].data} == {cast.finance_assignment.pk, cast.street_assignment.pk}
    every = client.get(reverse("tasks:ledger"), {"plan": ""})
    assert len(every.context["table"].data) == 5
    client.get(reverse("tasks:ledger"), {"plan": second_plan.pk})
    cast.lead.refresh_from_db()
    assert cast.lead.current_plan == second_plan


def test_the_reports_form_starts_on_the_chosen_plan(cast, second_plan):
    assert ReportRequestForm(user=cast.lead)["plan"].value() == second_plan.pk
    plan_choice.remember(cast.lead, cast.plan)
    assert ReportRequestForm(user=cast.lead)["plan"].value() == cast.plan.pk


def test_another_units_plan_is_not_found_and_not_remembered(cast, second_plan, login):
    hidden = Plan.objects.create(title="区外方案", ends_on=datetime.date(2025, 12, 31))
    client = login(cast.finance_user)
    assert client.get(reverse("tasks:dashboard"), {"plan": hidden.pk}).status_code == 404
    cast.finance_user.refresh_from_db()
    assert cast.finance_user.current_plan is None


def test_a_remembered_plan_the_user_no_longer_sees_gives_way_to_the_newest(cast, second_plan, login):
    plan_choice.remember(cast.lead, cast.plan)
    cast.plan.delete()
    assert plan_choice.current_plan(cast.lead) == second_plan
