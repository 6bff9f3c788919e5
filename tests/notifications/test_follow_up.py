"""A plan imported with deadlines already past starts with its follow-up paused and a warning; the lead office
sets new deadlines from a date or records the items as historical (never chased), and the follow-up resumes."""

import datetime
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from notifications import circulars, follow_up
from notifications.models import LadderConfig, Step
from notifications.sweep import run_sweep
from plans.directory import load_units
from plans.importer import read_plan
from plans.models import Plan
from tasks.models import Assignment

D = datetime.date
TZ = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.datetime(2024, 7, 22, 10, 0, tzinfo=TZ)  # the cast's items were due 2024-06-30
ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "plans" / "demo" / "plan.txt"
REASON = "导入时已有2项任务超过完成时限，自动督办已暂停，请确定处理方式"


@pytest.fixture
def paused(cast):
    with time_machine.travel(TODAY, tick=False):
        assert follow_up.after_import(cast.plan) == [REASON]
        yield cast


def test_import_command_pauses_a_plan_with_past_deadlines_and_prints_the_warning(db):
    load_units(ROOT / "plans" / "demo" / "units.csv")
    with time_machine.travel(datetime.datetime(2025, 3, 3, 9, tzinfo=TZ), tick=False):
        out = io.StringIO()
        call_command("import_plan", str(PLAN), stdout=out)
        plan = Plan.objects.get()
        late = Assignment.objects.filter(measure__task__plan=plan, due_on__lt=D(2025, 3, 3)).count()
        assert late > 0
        line = f"导入时已有{late}项任务超过完成时限，自动督办已暂停，请确定处理方式"
        assert f"  {line}" in out.getvalue().splitlines()
        config = LadderConfig.objects.get(plan=plan)
        assert (config.enabled, config.paused_reason) == (False, line)
        out = io.StringIO()
        call_command("sweep_reminders", "--as-of", "2025-03-03", stdout=out)
        printed = out.getvalue().strip().splitlines()
        assert printed[0] == f"未督办《{plan.title}》：{line}（督办设置页面）"
        assert json.loads(printed[-1])["urge"] == 0 and not Step.objects.exists()
        data, _text = read_plan(PLAN)
        assert follow_up.past_due_in_import(data) > 0  # the preview's warning, before anything is written


def test_import_pages_warn_in_the_preview_and_pause_on_confirm(cast, login):
    load_units(ROOT / "plans" / "demo" / "units.csv")
    client = login(cast.lead)
    with time_machine.travel(datetime.datetime(2025, 3, 3, 9, tzinfo=TZ), tick=False):
        client.post(reverse("plans:import"), {"file": _named(PLAN)})
        preview = client.get(reverse("plans:import_preview")).content.decode()
        assert 'data-testid="preview-past-due"' in preview and "项已过完成时限" in preview
        done = client.post(reverse("plans:import_confirm"), follow=True)
        plan = Plan.objects.exclude(pk=cast.plan.pk).get()
        assert LadderConfig.objects.get(plan=plan).paused_reason in done.content.decode()
        assert 'data-testid="ladder-paused-banner"' in done.content.decode()  # on the plan's page


def _named(path: Path) -> io.BytesIO:
    data = io.BytesIO(path.read_bytes())
    data.name = path.name
    return data


def test_import_before_any_deadline_starts_the_follow_up_at_once(cast):
    assert follow_up.after_import(cast.plan, D(2024, 6, 20)) == []
    assert LadderConfig.for_plan(cast.plan).enabled
    data, _text = read_plan(PLAN)
    assert follow_up.past_due_in_import(data, D(2024, 6, 14)) == 0


def test_items_already_chased_do_not_pause_a_reimport(cast):
    run_sweep(D(2024, 7, 1))  # both items urged
    assert follow_up.after_import(cast.plan, D(2024, 7, 22)) == []


def test_settings_page_and_banners_show_the_pause_with_its_two_choices(paused, login):
    url = reverse("notifications:ladder_config", args=[paused.plan.pk])
    page = login(paused.lead).get(url).content.decode()
    assert REASON in page and "重新设定完成时限" in page and "记为历史事项" in page
    assert 'name="enabled"' in page and "disabled" in page.split('name="enabled"')[1].split(">")[0]
    for where in (reverse("plans:detail", args=[paused.plan.pk]), reverse("home")):
        assert 'data-testid="ladder-paused-banner"' in login(paused.lead).get(where).content.decode()
    assert 'data-testid="ladder-paused-banner"' not in login(paused.finance_user).get(reverse("home")).content.decode()
    assert run_sweep(D(2024, 7, 22))["urge"] == 0  # paused: nothing goes out


def test_new_deadlines_from_a_date_resume_the_follow_up(paused, login):
    url = reverse("notifications:ladder_config", args=[paused.plan.pk])
    client = login(paused.lead)
    refused = client.post(url, {"action": "resolve", "choice": "reschedule", "due_on": "2024-07-01", "reason": "x"})
    assert "新的完成时限不能早于今天" in refused.content.decode()
    assert login(paused.inspector).post(url, {"action": "resolve", "choice": "historical",
                                              "reason": "x"}).status_code == 403
    answer = client.post(url, {"action": "resolve", "choice": "reschedule", "due_on": "2024-09-30",
                               "reason": "方案印发晚于原定时限"})
    assert answer.status_code == 302
    for a in Assignment.objects.all():
        assert a.due_on == D(2024, 9, 30)
        assert a.history.latest("history_id").history_change_reason == "重新设定完成时限：方案印发晚于原定时限"
        assert a.history.latest("history_id").history_user == paused.lead
    config = LadderConfig.objects.get(plan=paused.plan)
    assert (config.enabled, config.paused_reason) == (True, "")
    assert run_sweep(D(2024, 7, 22))["urge"] == 0  # not late any more
    assert run_sweep(D(2024, 9, 23))["remind"] == 2  # a week before the new date


def test_historical_items_are_never_chased_nor_written_up_nor_named(paused, login, monkeypatch):
    monkeypatch.setattr(circulars, "render_pdf", lambda template, context: b"%PDF-1.7")
    client = login(paused.lead)
    url = reverse("notifications:ladder_config", args=[paused.plan.pk])
    assert "请填写理由" in client.post(url, {"action": "resolve", "choice": "historical"}).content.decode()
    client.post(url, {"action": "resolve", "choice": "historical", "reason": "2023年度已另行考核"})
    a = Assignment.objects.get(pk=paused.finance_assignment.pk)
    assert not a.follow_up and a.due_on == D(2024, 6, 30)  # kept in the ledger as it was
    assert a.history.latest("history_id").history_change_reason == "记为历史事项：2023年度已另行考核"
    assert LadderConfig.objects.get(plan=paused.plan).enabled
    for day in (D(2024, 7, 22), D(2024, 8, 1), D(2024, 9, 2)):
        assert run_sweep(day)["urge"] == 0
    assert not Step.objects.exists()
    assert circulars.circular_content(paused.plan, D(2024, 9, 2))["long_overdue"] == []
    page = login(paused.lead).get(reverse("notifications:assignment", args=[a.pk])).content.decode()
    assert "历史事项" in page
    with pytest.raises(ValueError, match="历史事项"):
        from notifications.sweep import send_by_hand

        send_by_hand(a, "urge", D(2024, 9, 2), user=paused.lead)
