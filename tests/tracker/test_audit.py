import datetime
import ipaddress

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.models import LoginEvent

START = datetime.datetime(2024, 11, 21, 9, 0, tzinfo=datetime.UTC)
BROWSER = "Mozilla/5.0 (Windows NT 10.0) Chrome/120"


def post_login(client, username, password, ip="10.1.2.3"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip, HTTP_USER_AGENT=BROWSER)


def kinds() -> list[str]:
    return list(LoginEvent.objects.order_by("at", "id").values_list("kind", flat=True))


def test_login_and_logout_are_recorded_with_address_and_browser(cast):
    client = Client()
    with time_machine.travel(START, tick=False):
        assert post_login(client, "finance", PASSWORD).status_code == 302
        client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT=BROWSER)
    login, logout = LoginEvent.objects.order_by("id")
    assert (login.kind, login.user, login.username, login.ip_address, login.user_agent, login.at) == (
        "login", cast.finance_user, "finance", "10.1.2.3", BROWSER, START)
    assert (logout.kind, logout.user) == ("logout", cast.finance_user)


def test_failures_of_known_and_unknown_names_are_recorded(cast):
    post_login(Client(), "finance", "wrong-password")
    post_login(Client(), "nobody", "whatever-pass")
    known, unknown = LoginEvent.objects.order_by("id")
    assert (known.kind, known.user, known.username) == ("failure", cast.finance_user, "finance")
    assert (unknown.kind, unknown.user, unknown.username) == ("failure", None, "nobody")


def test_lockout_and_refused_attempts_are_told_apart(cast):
    client = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            post_login(client, "finance", "wrong-password")
        post_login(client, "finance", PASSWORD)
    assert kinds() == ["failure"] * 5 + ["locked", "refused"]


def test_forwarded_address_is_used_only_behind_a_trusted_proxy(cast, settings):
    post_login(Client(), "finance", "bad-one-here", ip="127.0.0.1")
    settings.TRUSTED_PROXIES = ()
    Client().post(reverse("login"), {"username": "finance", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                  HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("127.0.0.1"),)
    Client().post(reverse("login"), {"username": "finance", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                  HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    Client().post(reverse("login"), {"username": "finance", "password": "x"}, REMOTE_ADDR="198.51.100.7",
                  HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert list(LoginEvent.objects.order_by("id").values_list("ip_address", flat=True)) == [
        "127.0.0.1", "127.0.0.1", "203.0.113.9", "198.51.100.7"]


def test_lead_office_sees_and_filters_the_record(cast, login):
    post_login(Client(), "finance", "wrong-password", ip="10.9.9.9")
    assert post_login(Client(), "street", PASSWORD).status_code == 302
    client = login(cast.lead)
    page = client.get(reverse("accounts:events")).content.decode()
    assert "登录失败" in page and "登录成功" in page and "10.9.9.9" in page
    page = client.get(reverse("accounts:events"), {"kind": "failure"}).content.decode()
    assert "10.9.9.9" in page and "登录成功" not in page.split("<tbody", 1)[1]
    page = client.get(reverse("accounts:events"), {"username": "stre"}).content.decode()
    assert "10.9.9.9" not in page and "street" in page


def test_events_page_query_count_does_not_grow(cast, login):
    client = login(cast.lead)
    post_login(Client(), "finance", "wrong-password")
    client.get(reverse("home"))  # first-request work (session renewal) is not the list's
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("accounts:events")).status_code == 200
    for i in range(40):
        post_login(Client(), "street" if i % 2 else "nobody", "wrong-password", ip=f"10.0.{i}.1")
    with CaptureQueriesContext(connection) as many:
        assert "10.0.39.1" in client.get(reverse("accounts:events")).content.decode()
    assert len(many) == len(few)


def test_admin_shows_the_record_read_only(cast, login):
    from tracker.models import User

    post_login(Client(), "finance", "wrong-password", ip="10.4.4.4")
    root = login(User.objects.create_superuser("root", password="root-password-long", role="lead"))
    assert "10.4.4.4" in root.get("/admin/tracker/loginevent/").content.decode()
    assert root.get("/admin/tracker/loginevent/add/").status_code == 403
    event = LoginEvent.objects.get(ip_address="10.4.4.4")
    assert root.post(f"/admin/tracker/loginevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LoginEvent.objects.filter(pk=event.pk).exists()
