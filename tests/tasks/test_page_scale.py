"""The measured pages of the benchmark (tracker/bench.py) take the same number of queries at a district's
size and at ten times as many units, and at most 15 (a liaison's dashboard 20); the exports take a fixed number
too."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.tasks.test_dashboard import build_city

NOW = datetime.datetime(2024, 6, 20, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(ctx)


def pages(cast) -> list[tuple[object, str]]:
    plan = f"?plan={cast.plan.pk}"
    return [
        (cast.lead, reverse("tasks:dashboard") + plan),
        (cast.finance_user, reverse("tasks:dashboard") + plan),
        (cast.finance_user, reverse("tasks:my_tasks")),
        (cast.lead, reverse("tasks:ledger") + plan),
        (cast.inspector, reverse("tasks:ledger") + plan + "&sort=-last_submitted_at"),
        (cast.lead, reverse("tasks:assignment", args=[cast.finance_assignment.pk])),
        (cast.lead, reverse("tasks:ledger_xlsx") + plan),
        (cast.lead, reverse("tasks:ledger_csv") + plan),
    ]


def test_query_counts_are_the_same_at_ten_and_sixty_units(cast, login):
    clients = {user: login(user) for user, _ in pages(cast)}
    for user, url in pages(cast):  # the first ?plan= is remembered on the user (one UPDATE, once)
        clients[user].get(url)
    build_city(cast.plan, 10)
    small = [queries(clients[user], url) for user, url in pages(cast)]
    build_city(cast.plan, 50)
    large = [queries(clients[user], url) for user, url in pages(cast)]
    assert small == large
    # the benchmark's pages (the lead office's and the inspector's) at most 15; a liaison's dashboard also
    # reads its open rounds and the plan's 考核 ranking for its own row (a fixed 19)
    liaison_dashboard = large.pop(1)
    assert max(large) <= 15 and liaison_dashboard <= 20


def test_a_page_does_not_write_the_session(cast, login):
    client = login(cast.lead)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("tasks:dashboard")).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
