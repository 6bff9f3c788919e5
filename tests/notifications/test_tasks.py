"""The Huey side: the periodic sweep's schedule, and delivery retries with backoff."""

import datetime

from django.test import override_settings
from huey.contrib.djhuey import HUEY

from notifications import channels, tasks
from notifications.models import Delivery, Message


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
