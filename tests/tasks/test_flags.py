"""挂牌督办: the lead office flags a key measure with a reason and a date; it is marked wherever it is listed and
its overdue items are urged on the plan's stricter interval; 摘牌 brings the plan's own ladder back."""

import datetime

import time_machine
from django.urls import reverse

from notifications.ladder import Timing
from notifications.models import LadderConfig, LadderState, Step
from notifications.sweep import run_sweep
from plans.models import Measure
from tasks.models import Assignment

LATE = datetime.datetime(2024, 7, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_the_lead_office_flags_a_measure_with_a_reason_and_the_date(frozen, cast, login):
    client = login(cast.lead)
    response = client.post(reverse("tasks:measure_flag", args=[cast.measure.pk]), {"reason": "区委督查重点"})
    assert response.status_code == 302
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert (measure.flagged_on, measure.flag_reason) == (datetime.date(2024, 6, 20), "区委督查重点")
    latest = measure.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("挂牌督办：区委督查重点", cast.lead)
    page = client.get(reverse("tasks:task_measures", args=[cast.task.pk])).content.decode()
    assert 'data-testid="flag"' in page and "摘牌" in page


def test_a_flagged_measure_is_marked_on_the_units_page_and_in_the_review_queue(frozen, cast, login, submit_with):
    cast.measure.flag("区委督查重点", datetime.date(2024, 6, 20), cast.lead)
    submit_with(cast.street_assignment, cast.street_user)
    unit_page = login(cast.street_user).get(reverse("tasks:assignment", args=[cast.street_assignment.pk]))
    assert 'data-testid="flag"' in unit_page.content.decode() and "区委督查重点" in unit_page.content.decode()
    assert 'data-testid="flag"' in login(cast.lead).get(reverse("tasks:review_queue")).content.decode()


def test_unflagging_needs_a_reason_and_lifts_the_marker(frozen, cast, login):
    cast.measure.flag("区委督查重点", datetime.date(2024, 6, 20), cast.lead)
    client = login(cast.lead)
    response = client.post(reverse("tasks:measure_flag", args=[cast.measure.pk]), {"reason": ""})
    assert "请填写挂牌（或摘牌）的原因。" in response.content.decode()
    client.post(reverse("tasks:measure_flag", args=[cast.measure.pk]), {"reason": "已完成整改"})
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert not measure.is_flagged and measure.history.first().history_change_reason == "摘牌：已完成整改"


def test_a_flagged_item_is_urged_on_the_stricter_interval(cast, login):
    config = LadderConfig.for_plan(cast.plan)
    config.urge_every_workdays, config.flagged_urge_every_workdays = 5, 1
    config.save()
    assert Timing.of(config, flagged=True).urge_every == 1 and Timing.of(config).urge_every == 5
    days = [datetime.date(2024, 7, 1), datetime.date(2024, 7, 2), datetime.date(2024, 7, 3)]
    with time_machine.travel(LATE, tick=False):
        login(cast.lead).post(reverse("tasks:measure_flag", args=[cast.measure.pk]), {"reason": "重点"})
    other = Measure.objects.create(task=cast.task, order=2, text="建立培训档案。", due_on=cast.measure.due_on)
    unflagged = Assignment.objects.create(measure=other, unit=cast.street, due_on=other.due_on)
    for day in days:
        run_sweep(day, documents="never")
    flagged = Step.objects.filter(assignment=cast.street_assignment, kind=Step.Kind.URGE)
    plain = Step.objects.filter(assignment=unflagged, kind=Step.Kind.URGE)
    assert [s.sent_on for s in flagged] == days  # every working day (7月1日 is a Monday)
    assert [s.sent_on for s in plain] == [datetime.date(2024, 7, 1)]


def test_flagging_wakes_the_items_ladder_at_once(frozen, cast, login):
    run_sweep(datetime.date(2024, 6, 20), documents="never")
    state = LadderState.objects.get(assignment=cast.street_assignment)
    assert state.next_step_on > datetime.date(2024, 6, 20)
    login(cast.lead).post(reverse("tasks:measure_flag", args=[cast.measure.pk]), {"reason": "重点"})
    state.refresh_from_db()
    assert state.next_step_on <= datetime.date(2024, 6, 20)  # the next sweep looks at it again


def test_only_the_lead_office_flags(frozen, cast, login):
    url = reverse("tasks:measure_flag", args=[cast.measure.pk])
    assert login(cast.inspector).post(url, {"reason": "x"}).status_code == 403
    assert login(cast.street_user).post(url, {"reason": "x"}).status_code == 403
    assert login(cast.outsider).get(url).status_code == 404
    assert not Measure.objects.get(pk=cast.measure.pk).is_flagged


def test_the_plans_ladder_settings_hold_the_stricter_interval(cast, login):
    url = reverse("notifications:ladder_config", args=[cast.plan.pk])
    data = {"enabled": "on", "remind_days": "7,1", "urge_every_workdays": 5, "letter_after_workdays": 10,
            "reply_workdays": 5, "circular_after_workdays": 20}
    client = login(cast.lead)
    page = client.post(url, {**data, "flagged_urge_every_workdays": 8}).content.decode()
    assert "挂牌督办事项的催办间隔应不长于一般事项的催办间隔。" in page
    client.post(url, {**data, "flagged_urge_every_workdays": 2})
    assert LadderConfig.for_plan(cast.plan).flagged_urge_every_workdays == 2


def test_the_marker_is_on_the_ledger_and_the_work_lists(frozen, cast, login):
    cast.measure.flag("区委督查重点", datetime.date(2024, 6, 20), cast.lead)
    for user, url in ((cast.lead, reverse("tasks:ledger")), (cast.lead, reverse("tasks:assignments")),
                      (cast.street_user, reverse("tasks:my_tasks"))):
        page = login(user).get(url).content.decode()
        assert page.count('data-testid="flag"') >= 1, url
        assert "挂牌督办（2024年6月20日起）：区委督查重点" in page
    cast.measure.unflag("已整改", cast.lead)
    assert 'data-testid="flag"' not in login(cast.lead).get(reverse("tasks:ledger")).content.decode()


def test_the_ledgers_exports_mark_a_flagged_measure(frozen, cast, login):
    cast.measure.flag("区委督查重点", datetime.date(2024, 6, 20), cast.lead)
    other = Measure.objects.create(task=cast.task, order=2, text="建立培训档案。", due_on=cast.measure.due_on)
    Assignment.objects.create(measure=other, unit=cast.street, due_on=other.due_on)
    csv = b"".join(login(cast.lead).get(reverse("tasks:ledger_csv")).streaming_content).decode("utf-8-sig")
    assert csv.count("【挂牌】2024年6月底前完成全员轮训。") == 2
    assert "建立培训档案。" in csv and "【挂牌】建立培训档案。" not in csv
