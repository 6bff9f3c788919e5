"""定期调度: a schedule opens its rounds by itself (once), the units hear of it in their 每日汇总, those that have
not reported by the due date are chased (催报, once), and the round closes a week later (its circular follows)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from notifications.sweep import run_sweep
from tasks.models import ReportingRound, RoundNotice, RoundSchedule
from tasks.rounds import CLOSE_AFTER_DAYS, run_schedules


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(text: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{text}T09:00:00+08:00"), tick=False)


@pytest.fixture
def monthly(cast):
    schedule = RoundSchedule.objects.create(plan=cast.plan, title="月度工作调度", due_days=10,
                                            frequency=RoundSchedule.Frequency.MONTHLY, next_open_on=day("2024-06-01"),
                                            created_by=cast.lead)
    schedule.tasks.add(cast.task)
    return schedule


def run(today: str) -> dict:
    return run_schedules(day(today), timezone.now())


@pytest.mark.parametrize("frequency, dates, after, expected", [
    ("monthly", [], "2024-06-01", "2024-07-01"),
    ("monthly", [], "2024-12-15", "2025-01-01"),
    ("quarterly", [], "2024-06-30", "2024-07-01"),
    ("quarterly", [], "2024-10-01", "2025-01-01"),
    ("dates", ["2024-07-15", "2024-06-10"], "2024-06-10", "2024-07-15"),
    ("dates", ["2024-06-10"], "2024-06-10", None),
])
def test_the_next_opening(frequency, dates, after, expected):
    schedule = RoundSchedule(frequency=frequency, dates=dates)
    assert schedule.open_after(day(after)) == (day(expected) if expected else None)


def test_a_due_schedule_opens_one_round_for_the_units_that_owe_work_once(cast, monthly):
    with at("2024-06-01"):
        assert run("2024-06-01")["opened"] == 1
        assert run("2024-06-01")["opened"] == 0  # a second worker, or a second run, finds it claimed
    rnd = ReportingRound.objects.get(schedule=monthly)
    assert (rnd.title, rnd.due_on, rnd.opens_on) == ("月度工作调度（2024年6月）", day("2024-06-11"), day("2024-06-01"))
    assert set(rnd.units.all()) == {cast.finance, cast.street} and list(rnd.tasks.all()) == [cast.task]
    assert set(RoundNotice.objects.values_list("unit", "kind")) == {(cast.finance.pk, "opened"),
                                                                     (cast.street.pk, "opened")}
    monthly.refresh_from_db()
    assert monthly.next_open_on == day("2024-07-01")


def test_the_units_hear_of_the_round_in_their_daily_digest(cast, monthly):
    with at("2024-06-01"):
        run("2024-06-01")
        run_sweep(day("2024-06-01"), documents="never")
    digest = Message.objects.get(kind=Message.Kind.DIGEST, unit=cast.street)
    assert "调度通知1项" in digest.subject
    assert "调度通知：“月度工作调度（2024年6月）”已发起，请于2024年6月11日前报送所涉任务的进展情况。" in digest.body
    assert not RoundNotice.objects.filter(message__isnull=True).exists()
    with at("2024-06-02"):
        run_sweep(day("2024-06-02"), documents="never")
    assert Message.objects.filter(kind=Message.Kind.DIGEST, unit=cast.street).count() == 1  # said once


def test_units_that_have_not_reported_by_the_due_date_are_chased_once(cast, monthly, submit_with):
    with at("2024-06-01"):
        run("2024-06-01")
    with at("2024-06-05"):
        submit_with(cast.finance_assignment, cast.finance_user)
    with at("2024-06-11"):
        assert run("2024-06-11")["chased"] == 0  # the due date itself still counts
    with at("2024-06-12"):
        assert run("2024-06-12")["chased"] == 1
        assert run("2024-06-12")["chased"] == 0
        run_sweep(day("2024-06-12"), documents="never")
    chased = RoundNotice.objects.filter(kind=RoundNotice.Kind.CHASE)
    assert [n.unit for n in chased] == [cast.street]
    digest = Message.objects.filter(kind=Message.Kind.DIGEST, unit=cast.street).latest("pk")
    assert "催报：“月度工作调度（2024年6月）”已于2024年6月11日截止，你单位尚未报送，请尽快报送。" in digest.body
    assert not Message.objects.filter(kind=Message.Kind.DIGEST, unit=cast.finance, body__contains="催报").exists()


def test_a_scheduled_round_closes_a_week_after_its_due_date_and_the_next_one_opens(cast, monthly):
    with at("2024-06-01"):
        run("2024-06-01")
    rnd = ReportingRound.objects.get(schedule=monthly)
    closing = rnd.due_on + datetime.timedelta(days=CLOSE_AFTER_DAYS)
    with at((closing - datetime.timedelta(days=1)).isoformat()):
        assert run((closing - datetime.timedelta(days=1)).isoformat())["closed"] == 0
    with at(closing.isoformat()):
        assert run(closing.isoformat())["closed"] == 1
    rnd.refresh_from_db()
    assert rnd.closed_at is not None  # the sweep's circular for closed rounds names who reported on time
    with at("2024-07-01"):
        assert run("2024-07-01")["opened"] == 1
    assert ReportingRound.objects.filter(schedule=monthly).count() == 2


def test_a_stopped_schedule_opens_nothing(cast, monthly, login):
    client = login(cast.lead)
    response = client.post(reverse("tasks:round_schedule_stop", args=[monthly.pk]))
    assert response.status_code == 302
    with at("2024-06-01"):
        assert run("2024-06-01")["opened"] == 0
    assert "该定期调度已经停用。" in client.post(reverse("tasks:round_schedule_stop", args=[monthly.pk]),
                                           follow=True).content.decode()


def test_the_lead_office_sets_a_schedule_on_the_round_form(cast, login):
    client = login(cast.lead)
    url = f"{reverse('tasks:round_new')}?plan={cast.plan.pk}&kind=schedule"
    with at("2024-06-20"):
        assert 'data-testid="schedule-form"' in client.get(url).content.decode()
        response = client.post(url, {"kind": "schedule", "schedule-title": "季度调度", "schedule-frequency": "quarterly",
                                     "schedule-due_days": "15", "schedule-tasks": [cast.task.pk]}, follow=True)
    schedule = RoundSchedule.objects.get(title="季度调度")
    assert (schedule.next_open_on, schedule.due_days, schedule.created_by) == (day("2024-07-01"), 15, cast.lead)
    page = response.content.decode()
    assert "首次将于2024年7月1日自动发起" in page and 'data-testid="round-schedules"' in page


def test_chosen_dates_open_on_those_days_and_bad_dates_are_refused(cast, login):
    client = login(cast.lead)
    url = f"{reverse('tasks:round_new')}?plan={cast.plan.pk}&kind=schedule"
    data = {"kind": "schedule", "schedule-title": "专项调度", "schedule-frequency": "dates", "schedule-due_days": "5",
            "schedule-tasks": [cast.task.pk]}
    with at("2024-06-20"):
        page = client.post(url, data).content.decode()
        assert "频次为“指定日期”时请至少填写一个日期。" in page
        page = client.post(url, {**data, "schedule-dates_text": "2024-07-15\n7月20日"}).content.decode()
        assert "无法识别的日期：7月20日。" in page
        page = client.post(url, {**data, "schedule-dates_text": "2024-06-01"}).content.decode()
        assert "指定日期不能早于今天。" in page
        assert not RoundSchedule.objects.exists()
        client.post(url, {**data, "schedule-dates_text": "2024-09-01\n2024-06-20"})
    schedule = RoundSchedule.objects.get()
    assert schedule.dates == ["2024-06-20", "2024-09-01"] and schedule.next_open_on == day("2024-06-20")
