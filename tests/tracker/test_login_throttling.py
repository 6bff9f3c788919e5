import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.models import User

START = datetime.datetime(2024, 11, 21, 9, 0, tzinfo=datetime.UTC)


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client: Client, username: str, times: int, ip: str = "10.0.0.1"):
    return [attempt(client, username, "wrong-password", ip) for _ in range(times)]


@pytest.fixture
def liaison(db):
    return User.objects.create_user("caizheng", password=PASSWORD, role=User.Role.LEAD)


def test_five_failures_lock_the_user_out_even_with_the_right_password(liaison):
    client = Client()
    with time_machine.travel(START, tick=False):
        responses = fail(client, "caizheng", 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    assert "登录已暂时锁定" in responses[4].content.decode()
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        sixth = attempt(client, "caizheng", PASSWORD)
        assert client.get(reverse("home")).status_code == 302  # not signed in
    assert sixth.status_code == 429
    page = sixth.content.decode()
    assert "连续 5 次登录失败" in page and "15 分钟" in page


def test_lockout_ends_after_fifteen_minutes(liaison):
    client = Client()
    with time_machine.travel(START, tick=False):
        fail(client, "caizheng", 5)
    with time_machine.travel(START + datetime.timedelta(minutes=14, seconds=50), tick=False):
        assert attempt(client, "caizheng", PASSWORD).status_code == 429
    with time_machine.travel(START + datetime.timedelta(minutes=15, seconds=1), tick=False):
        response = attempt(client, "caizheng", PASSWORD)
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_success_resets_the_failure_count(liaison):
    client = Client()
    with time_machine.travel(START, tick=False):
        fail(client, "caizheng", 4)
        assert attempt(client, "caizheng", PASSWORD).status_code == 302
        client.logout()
        responses = fail(client, "caizheng", 4)
    assert all(r.status_code == 200 for r in responses)


def test_lockout_is_per_user_and_address(liaison):
    other = User.objects.create_user("guangfudao", password=PASSWORD, role=User.Role.LEAD)
    with time_machine.travel(START, tick=False):
        fail(Client(), "caizheng", 5, ip="10.0.0.1")
        # The same user from another address, and another user from the same address, still get in.
        assert attempt(Client(), "caizheng", PASSWORD, ip="10.0.0.2").status_code == 302
        assert attempt(Client(), other.username, PASSWORD, ip="10.0.0.1").status_code == 302
        assert attempt(Client(), "caizheng", PASSWORD, ip="10.0.0.1").status_code == 429


def test_limit_and_duration_come_from_settings(liaison, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=5)
    client = Client()
    with time_machine.travel(START, tick=False):
        third = fail(client, "caizheng", 3)[-1]
    assert third.status_code == 429
    assert "连续 3 次登录失败" in third.content.decode() and "5 分钟" in third.content.decode()
    with time_machine.travel(START + datetime.timedelta(minutes=5, seconds=1), tick=False):
        assert attempt(client, "caizheng", PASSWORD).status_code == 302


def test_session_expires_after_two_idle_hours(liaison):
    client = Client()
    with time_machine.travel(START, tick=False):
        assert attempt(client, "caizheng", PASSWORD).status_code == 302
    # Activity keeps the session alive: each request renews the two hours.
    with time_machine.travel(START + datetime.timedelta(minutes=110), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(START + datetime.timedelta(minutes=220), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(START + datetime.timedelta(minutes=220 + 121), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
