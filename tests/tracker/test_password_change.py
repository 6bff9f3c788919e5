"""修改密码: every signed-in user changes its own password, with the same rules as everywhere; the session in use
stays signed in, the user's other sessions end, and the sign-in record keeps the change."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.models import LoginEvent

NEW = "Qingdan-2025-strong"
URL = reverse("accounts:password_change")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2024, 6, 20, 9, 0, tzinfo=datetime.UTC), tick=False)


def signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password},
                           REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    return client


def change(client: Client, old: str = PASSWORD, new1: str = NEW, new2: str | None = None):
    return client.post(URL, {"old_password": old, "new_password1": new1,
                             "new_password2": new1 if new2 is None else new2}, REMOTE_ADDR="10.1.2.4")


@pytest.mark.parametrize("who", ["lead", "inspector", "finance", "street"])
def test_every_role_changes_its_own_password_and_keeps_this_session(cast, who):
    client = signed_in(who)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="password-change-link"' in page and URL in page
    form = client.get(URL)
    assert form.status_code == 200 and "当前密码" in form.content.decode() and form["Cache-Control"] == "no-store"
    response = change(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "密码已修改" in client.get(reverse("home")).content.decode()  # still signed in
    assert authenticate(username=who, password=NEW) is not None
    assert authenticate(username=who, password=PASSWORD) is None


def test_the_users_other_sessions_end(cast):
    here, phone = signed_in("finance"), signed_in("finance")
    other_user = signed_in("street")
    assert change(here).status_code == 302
    assert phone.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert here.get(reverse("home")).status_code == 200
    assert other_user.get(reverse("home")).status_code == 200  # someone else's session is untouched


def test_the_change_is_in_the_sign_in_record(cast):
    client = signed_in("finance")
    change(client)
    event = LoginEvent.objects.latest("id")
    assert (event.kind, event.user, event.ip_address) == (LoginEvent.Kind.PASSWORD, cast.finance_user, "10.1.2.4")
    assert event.get_kind_display() == "修改密码"


@pytest.mark.parametrize(("old", "new1", "new2", "message"), [
    ("wrong-password-1", NEW, NEW, "当前密码不正确"),
    (PASSWORD, NEW, NEW + "x", "两次输入的新密码不一致"),
    (PASSWORD, "short-1", "short-1", "密码长度太短，至少需要 10 个字符"),
    (PASSWORD, "1234567890123", "1234567890123", "全都是数字"),
    (PASSWORD, "password123", "password123", "太常见"),
    (PASSWORD, "finance2024x", "finance2024x", "相似"),
    (PASSWORD, PASSWORD, PASSWORD, "新密码不能与当前密码相同"),
    ("", "", "", "这个字段是必填项"),
])
def test_a_refused_change_says_why_in_chinese_and_changes_nothing(cast, old, new1, new2, message):
    client = signed_in("finance")
    response = change(client, old, new1, new2)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert authenticate(username="finance", password=PASSWORD) is not None
    assert not LoginEvent.objects.filter(kind=LoginEvent.Kind.PASSWORD).exists()
    assert client.get(reverse("home")).status_code == 200


def test_signing_in_is_needed(cast):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
