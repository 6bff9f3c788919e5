"""每日汇总: a unit hears of the day's 提醒 and 催办 in one message with a list (per channel), once; a unit may ask
for one message per item instead; a plan nobody followed up gets no letter on its first sweep."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from notifications import letters
from notifications.models import Delivery, Letter, Message, Notification, Step
from notifications.sweep import run_sweep, send_by_hand
from plans.models import Unit
from tasks.models import Assignment

D = datetime.date
AS_OF = D(2024, 7, 20)


@pytest.fixture
def never_followed(cast, monkeypatch):
    """Every item of the plan overdue, none ever reminded or urged (the plan imported late, the ladder never
    ran): the finance bureau owes three, the street office one, the lead office one."""
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())
    Assignment.objects.create(measure=cast.measure, unit=cast.finance, period="二期", due_on=D(2024, 6, 14))
    Assignment.objects.create(measure=cast.measure, unit=cast.finance, period="三期", due_on=D(2024, 7, 25))
    Assignment.objects.create(measure=cast.measure, unit=cast.justice, period="四期", due_on=D(2024, 7, 1))
    return cast


def test_first_sweep_of_a_never_followed_plan_sends_no_letter_and_one_digest_per_unit(
        never_followed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the deliveries go (Huey immediate in tests)
        result = run_sweep(AS_OF, documents="now")
    assert (result["urge"], result["remind"], result["letter"], result["digest"]) == (4, 1, 0, 3)
    assert not Letter.objects.exists()
    assert set(Message.objects.values_list("kind", flat=True)) == {"digest"}
    by_unit = {m.unit_id: m for m in Message.objects.all()}
    assert set(by_unit) == {never_followed.finance.pk, never_followed.street.pk, never_followed.justice.pk}
    finance = by_unit[never_followed.finance.pk]
    assert finance.subject == "区财政局：2024年7月20日督办汇总（催办2项、提醒1项）"
    assert finance.digest_on == AS_OF and finance.plan == never_followed.plan
    body = finance.body.splitlines()
    assert body[:3] == ["区财政局：", "截至2024年7月20日，你单位有2项任务已逾期、1项任务即将到期，请抓紧办理，"
                        "并在系统中报送进展情况和佐证材料。", "一、催办（2项，已逾期）"]
    assert body[3].startswith("1. “1. 着力提高业务能力”中的细化措施“2024年6月底前完成全员轮训。”（二期），"
                              "完成时限2024年6月14日，已逾期")  # most overdue first
    assert body[4].endswith("完成时限2024年6月30日，已逾期15个工作日（20天）")
    assert body[5:7] == ["二、提醒（1项，即将到期）",
                         "1. “1. 着力提高业务能力”中的细化措施“2024年6月底前完成全员轮训。”（三期），完成时限2024年7月25日，还有5天"]
    assert body[7] == "逾期满10个工作日仍未完成的，将向你单位发函督办。"
    assert "发函督办" not in by_unit[never_followed.justice.pk].body  # the lead office writes no letter to itself
    assert set(Step.objects.values_list("message", flat=True)) == {m.pk for m in by_unit.values()}
    assert Notification.objects.filter(user=never_followed.finance_user).count() == 1
    assert sorted(m.subject for m in mail.outbox) == [  # the units with a mailbox, one email each
        "【每日汇总】区司法局：2024年7月20日督办汇总（催办1项）", "【每日汇总】区财政局：2024年7月20日督办汇总（催办2项、提醒1项）"]


def test_digest_goes_out_once_across_two_sweeps_the_same_day(never_followed):
    first = run_sweep(AS_OF)
    assert first["digest"] == 3
    assert run_sweep(AS_OF) == {"remind": 0, "urge": 0, "digest": 0, "letter": 0, "circular": 0, "finished": 0,
                                "failed": 0, "letters": []}
    assert Message.objects.count() == 3 and Delivery.objects.count() == 2  # emails of finance and justice
    assert Notification.objects.filter(user=never_followed.finance_user).count() == 1


def test_a_step_left_without_its_digest_goes_out_with_the_next_sweep_once(never_followed):
    run_sweep(AS_OF)
    lost = Message.objects.get(unit=never_followed.street)
    Step.objects.filter(message=lost).update(message=None)  # as if the sweep had died before its digest
    Message.objects.filter(pk=lost.pk).delete()
    assert run_sweep(D(2024, 7, 21))["digest"] == 1
    again = Message.objects.get(unit=never_followed.street)
    assert again.digest_on == D(2024, 7, 21) and "（1项，已逾期）" in again.body
    assert run_sweep(D(2024, 7, 21))["digest"] == 0


def test_a_unit_in_immediate_mode_gets_one_message_per_step(never_followed):
    Unit.objects.filter(pk=never_followed.finance.pk).update(notify_mode=Unit.NotifyMode.IMMEDIATE)
    result = run_sweep(AS_OF)
    assert result["digest"] == 2  # the street office and the lead office
    finance = Message.objects.filter(unit=never_followed.finance)
    assert sorted(finance.values_list("kind", flat=True)) == ["remind", "urge", "urge"]
    assert all(s.message.assignment_id == s.assignment_id for s in Step.objects.filter(
        assignment__unit=never_followed.finance).select_related("message"))
    assert Notification.objects.filter(user=never_followed.finance_user).count() == 3


def test_by_hand_an_urge_goes_at_once_whatever_the_mode(never_followed):
    message = send_by_hand(never_followed.finance_assignment, "urge", AS_OF, user=never_followed.lead)
    assert message.kind == "urge" and Notification.objects.filter(message=message).exists()
    assert not Step.objects.exists()  # outside the ladder


def test_inbox_shows_a_digest_as_one_item_with_its_list(never_followed, login):
    run_sweep(AS_OF)
    page = login(never_followed.finance_user).get(reverse("notifications:inbox")).content.decode()
    assert page.count("<ol class=\"digest\">") == 1
    assert page.count("notifications/assignments/") == 3  # each line links to its item's page
    assert "已逾期20天" in page and "还有5天" in page
    assert "本单位提醒方式" in page


def test_a_liaison_switches_its_unit_to_immediate_messages(never_followed, login):
    client = login(never_followed.finance_user)
    answer = client.post(reverse("notifications:notify_mode"), {"notify_mode": "immediate"})
    assert answer.status_code == 302
    unit = Unit.objects.get(pk=never_followed.finance.pk)
    assert unit.notify_mode == "immediate" and unit.history.first().history_change_reason == "修改提醒方式"
    assert login(never_followed.inspector).post(reverse("notifications:notify_mode"),
                                                {"notify_mode": "digest"}).status_code == 403
