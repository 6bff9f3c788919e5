"""Email and group-robot deliveries: payloads, states, retries; one failing channel never stops another."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from notifications import channels, robots
from notifications.models import Delivery, Notification
from notifications.sweep import run_sweep
from plans.models import Unit
from tasks.models import Assignment

D = datetime.date


class Robot(BaseHTTPRequestHandler):
    received: list = []
    fail = False

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, json.loads(body)))
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    Robot.received = []
    Robot.fail = False
    server = HTTPServer(("127.0.0.1", 0), Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Robot, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """run_sweep with the after-commit deliveries run (Huey is immediate in tests)."""

    def _sweep(day):
        with django_capture_on_commit_callbacks(execute=True):
            return run_sweep(day)

    return _sweep


@pytest.fixture
def due_soon(cast):
    Assignment.objects.filter(pk=cast.finance_assignment.pk).update(due_on=D(2024, 7, 1))
    Assignment.objects.filter(pk=cast.street_assignment.pk).update(status=Assignment.Status.DONE)
    cast.finance_user.email = "liaison@example.org"
    cast.finance_user.save()
    return cast


def test_reminder_email_has_chinese_subject_text_and_html(due_soon, sweep):
    Unit.objects.filter(pk=due_soon.finance.pk).update(notify_mode=Unit.NotifyMode.IMMEDIATE)
    sweep(D(2024, 6, 24))
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["czj@example.org", "liaison@example.org"]
    assert email.subject == "【提醒】区财政局：一项任务将于2024年7月1日到期"
    assert "完成时限为2024年7月1日，距今还有7天" in email.body
    assert "查看详情：http://" in email.body
    html, mime = email.alternatives[0]
    assert mime == "text/html" and "距今还有7天" in html
    assert Delivery.objects.get().state == Delivery.State.SENT
    assert Notification.objects.filter(user=due_soon.finance_user, read_at__isnull=True).count() == 1


def test_digest_email_lists_the_days_urges_before_its_reminders(due_soon, sweep):
    Assignment.objects.create(measure=due_soon.measure, unit=due_soon.finance, period="上期", due_on=D(2024, 6, 21))
    sweep(D(2024, 6, 24))
    [email] = mail.outbox
    assert email.subject == "【每日汇总】区财政局：2024年6月24日督办汇总（催办1项、提醒1项）"
    body = email.body
    assert "截至2024年6月24日，你单位有1项任务已逾期、1项任务即将到期" in body
    assert body.index("一、催办（1项，已逾期）") < body.index("（上期），完成时限2024年6月21日，已逾期1个工作日（3天）") \
        < body.index("二、提醒（1项，即将到期）") < body.index("完成时限2024年7月1日，还有7天")
    assert "逾期满10个工作日仍未完成的，将向你单位发函督办。" in body


def test_letter_email_carries_the_pdf(due_soon, sweep):
    sweep(D(2024, 7, 2))  # the first urge
    sweep(D(2024, 7, 16))
    letter_mail = [m for m in mail.outbox if m.subject.startswith("【函告】")]
    assert len(letter_mail) == 1
    name, content, mime = letter_mail[0].attachments[0]
    assert name == "测司法函〔2024〕1号.pdf" and mime == "application/pdf" and content.startswith(b"%PDF")


def test_wecom_and_dingtalk_payloads(due_soon, robot, sweep):
    server, base = robot
    due_soon.finance.webhook_url = f"{base}/cgi-bin/webhook/send?key=abc"
    due_soon.finance.save()
    due_soon.street.webhook_url = f"{base}/robot/send?access_token=xyz"
    due_soon.street.notify_mode = Unit.NotifyMode.IMMEDIATE
    due_soon.street.save()
    Assignment.objects.filter(pk=due_soon.street_assignment.pk).update(status=Assignment.Status.NOT_STARTED,
                                                                        due_on=D(2024, 7, 1))
    sweep(D(2024, 6, 24))
    payloads = dict((path.split("?")[0], body) for path, body in server.received)
    wecom = payloads["/cgi-bin/webhook/send"]  # the finance bureau's digest
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("### 区财政局：2024年6月24日督办汇总（提醒1项）")
    assert "完成时限2024年7月1日，还有7天" in wecom["markdown"]["content"]
    ding = payloads["/robot/send"]  # the street office asked for one message per item
    assert ding["msgtype"] == "markdown"
    assert ding["markdown"]["title"] == "光复道街道办事处：一项任务将于2024年7月1日到期"
    assert "距今还有7天" in ding["markdown"]["text"]
    assert set(Delivery.objects.values_list("channel", "state")) == {
        ("email", "sent"), ("wecom", "sent"), ("dingtalk", "sent")}


def test_a_long_digest_is_cut_to_the_robot_limit_with_a_pointer_to_the_rest():
    lines = [f"{i}. “1. 着力提高业务能力”中的细化措施“{'很长的措施内容' * 8}”，完成时限2024年7月1日，还有7天"
             for i in range(1, 80)]
    subject, link = "区财政局：2024年6月24日督办汇总（提醒79项）", channels.absolute("/tasks/mine/")
    kept = {}
    for channel, limit in (("wecom", 4096), ("dingtalk", 20000)):
        payload = robots.payload(channel, subject, "\n".join(["区财政局：", *lines]), link)
        assert robots.size(channel, payload) <= limit
        text = payload["markdown"].get("content") or payload["markdown"]["text"]
        assert text.startswith("### 区财政局：2024年6月24日督办汇总（提醒79项）\n\n区财政局：\n1. ")
        assert text.endswith(f"行未列出，请点击查看详情\n\n[查看详情]({link})")
        kept[channel] = text.count("还有7天")
    assert 0 < kept["wecom"] < kept["dingtalk"] < 79


def test_webhook_kind_is_detected_from_the_host():
    assert robots.kind("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1") == "wecom"
    assert robots.kind("https://oapi.dingtalk.com/robot/send?access_token=1") == "dingtalk"
    assert robots.kind("https://example.org/hook") is None


def test_failing_webhook_is_retried_then_failed_while_email_still_goes(due_soon, robot, sweep,
                                                                     django_capture_on_commit_callbacks):
    server, base = robot
    server.fail = True
    due_soon.finance.webhook_url = f"{base}/cgi-bin/webhook/send?key=abc"
    due_soon.finance.save()
    sweep(D(2024, 6, 24))
    assert len(mail.outbox) == 1  # the email went although the robot failed
    hook = Delivery.objects.get(channel="wecom")
    assert (hook.state, hook.attempts, hook.last_error) == ("pending", 1, "HTTP 500")
    channels.attempt(hook.pk)  # Huey's 2nd and 3rd tries (scheduled with backoff)
    channels.attempt(hook.pk)
    hook.refresh_from_db()
    assert (hook.state, hook.attempts) == ("failed", 3)
    assert channels.attempt(hook.pk) is None  # given up: no 4th try

    server.fail = False
    with django_capture_on_commit_callbacks(execute=True):
        channels.retry(hook)  # the lead office's button (Huey immediate in tests)
    hook.refresh_from_db()
    assert (hook.state, hook.attempts) == ("sent", 1)
    assert len(server.received) == 4


def test_unreachable_robot_is_recorded(due_soon, sweep):
    due_soon.finance.webhook_url = "http://127.0.0.1:9/robot/send?access_token=x"
    due_soon.finance.save()
    sweep(D(2024, 6, 24))
    hook = Delivery.objects.get(channel="dingtalk")
    assert hook.state == "pending" and hook.last_error.startswith("连接失败")
