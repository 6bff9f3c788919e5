"""Email and group-robot deliveries: payloads, states, retries; one failing channel never stops another."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from notifications import channels
from notifications.models import Delivery, Notification
from notifications.sweep import run_sweep
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


def test_letter_email_carries_the_pdf(due_soon, sweep):
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
    due_soon.street.save()
    Assignment.objects.filter(pk=due_soon.street_assignment.pk).update(status=Assignment.Status.NOT_STARTED,
                                                                        due_on=D(2024, 7, 1))
    sweep(D(2024, 6, 24))
    payloads = dict((path.split("?")[0], body) for path, body in server.received)
    wecom = payloads["/cgi-bin/webhook/send"]
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("### 区财政局：一项任务将于2024年7月1日到期")
    ding = payloads["/robot/send"]
    assert ding["msgtype"] == "markdown"
    assert ding["markdown"]["title"] == "光复道街道办事处：一项任务将于2024年7月1日到期"
    assert "距今还有7天" in ding["markdown"]["text"]
    assert set(Delivery.objects.values_list("channel", "state")) == {
        ("email", "sent"), ("wecom", "sent"), ("dingtalk", "sent")}


def test_webhook_kind_is_detected_from_the_host():
    assert channels.webhook_kind("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1") == "wecom"
    assert channels.webhook_kind("https://oapi.dingtalk.com/robot/send?access_token=1") == "dingtalk"
    assert channels.webhook_kind("https://example.org/hook") is None


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
