"""Idle expiry without a session write on every page (tracker/sessions.py)."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.models import User

START = datetime.datetime(2024, 11, 21, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def client_in(db) -> Client:
    User.objects.create_user("sifaju", password=PASSWORD, role=User.Role.LEAD)
    client = Client()
    with time_machine.travel(START, tick=False):
        assert client.post(reverse("login"), {"username": "sifaju", "password": PASSWORD}).status_code == 302
    return client


def session_writes(client: Client, when: datetime.datetime) -> int:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"])


def expiry() -> datetime.datetime:
    return Session.objects.get().expire_date


def test_pages_soon_after_a_renewal_do_not_write_the_session(client_in):
    assert session_writes(client_in, START + datetime.timedelta(minutes=1)) == 0
    assert session_writes(client_in, START + datetime.timedelta(minutes=4)) == 0
    assert expiry() == START + datetime.timedelta(hours=2)


def test_a_page_after_the_renewal_interval_moves_the_expiry(client_in):
    later = START + datetime.timedelta(minutes=30)
    assert session_writes(client_in, later) == 1
    assert expiry() == later + datetime.timedelta(hours=2)
    assert session_writes(client_in, later + datetime.timedelta(minutes=2)) == 0


def test_session_ends_two_hours_after_the_last_renewal(client_in):
    session_writes(client_in, START + datetime.timedelta(minutes=100))
    session_writes(client_in, START + datetime.timedelta(minutes=104))  # within the interval: not renewed
    with time_machine.travel(START + datetime.timedelta(minutes=100 + 121), tick=False):
        response = client_in.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
