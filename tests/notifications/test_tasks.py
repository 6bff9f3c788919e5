"""The Huey side: the periodic sweep's schedule, delivery retries with backoff, and deliveries a dead worker
left pending."""

import datetime

import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from notifications import channels, tasks
from notifications.models import Delivery, Message
from tracker.recovery import recover

NOW = datetime.datetime(2024, 7, 22, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_sweep_runs_at_sweep_time_beijing_time():
    at = datetime.datetime(2024, 7, 22, 8, 30)
    assert tasks.sweep_crontab()(at)
    assert not tasks.sweep_crontab()(at.replace(minute=31))
    with override_settings(SWEEP_TIME="07:05"):
        assert tasks.sweep_crontab()(datetime.datetime(2024, 7, 22, 7, 5))
    assert HUEY.utc is False  # crontabs are read in TIME_ZONE = Asia/Shanghai


def test_failed_try_is_scheduled_again_with_backoff(cast, monkeypatch):
    message = Message.objects.create(kind="remind", unit=cast.finance, subject="测试", body="正文")
    delivery = Delivery.objects.create(message=message, unit=cast.finance, channel="email", target="a@example.org")

    def broken(d):
        raise channels.DeliveryError("邮件发送失败：拒绝")

    monkeypatch.setattr(channels, "send", broken)
    scheduled = []
    monkeypatch.setattr(tasks.deliver, "schedule", lambda args, delay: scheduled.append((args, delay)))
    tasks.deliver.call_local(delivery.pk)
    tasks.deliver.call_local(delivery.pk)
    tasks.deliver.call_local(delivery.pk)
    delivery.refresh_from_db()
    assert scheduled == [((delivery.pk,), 60), ((delivery.pk,), 300)]
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 3, "邮件发送失败：拒绝")


# --- deliveries a dead worker left pending: the recovery job (tracker.recovery) queues them again --------------

def pending_deliveries(cast, count: int) -> list[Delivery]:
    """`count` emails as a consumer killed mid-batch leaves them: pending, never tried."""
    message = Message.objects.create(kind="urge", unit=cast.finance, subject="催办", body="请尽快报送。")
    return Delivery.objects.bulk_create([Delivery(message=message, unit=cast.finance, channel="email",
                                                  target=f"u{i}@example.org") for i in range(count)])


def test_deliveries_left_pending_by_a_dead_worker_are_sent_by_the_recovery_job(cast, login):
    with time_machine.travel(NOW, tick=False):
        pending_deliveries(cast, 60)
    with time_machine.travel(NOW + datetime.timedelta(minutes=14), tick=False):  # may still be on their way
        assert recover(timezone.now())["deliveries"] == 0
        assert "没有发送失败的通知" in login(cast.lead).get(reverse("notifications:deliveries")).content.decode()
    with time_machine.travel(NOW + datetime.timedelta(minutes=16), tick=False):
        page = login(cast.lead).get(reverse("notifications:deliveries")).content.decode()
        assert page.count("未发出（发送中断）") == 50 and page.count("重新发送") == 50  # the first page of 60
        assert recover(timezone.now())["deliveries"] == 60  # Huey runs the batch at once in the tests
    assert Delivery.objects.filter(state="sent", attempts=1).count() == 60 and len(mail.outbox) == 60


def test_a_stuck_delivery_is_retried_from_the_failed_page(cast, login, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        delivery = pending_deliveries(cast, 1)[0]
    with (time_machine.travel(NOW + datetime.timedelta(minutes=16), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        login(cast.lead).post(reverse("notifications:delivery_retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 1) and len(mail.outbox) == 1


def test_recovery_runs_on_the_huey_schedule():
    from tracker.tasks import recover_work

    assert recover_work.s().validate_datetime(datetime.datetime(2024, 7, 22, 8, 35))
    assert not recover_work.s().validate_datetime(datetime.datetime(2024, 7, 22, 8, 36))
