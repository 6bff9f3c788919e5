"""Every URL of the ``tasks`` namespace × every role, including other units' ids.

EVERY URL IN tasks/urls.py NEEDS ROWS IN ``ROWS`` BELOW: ``test_every_tasks_url_is_in_the_matrix`` fails for a
URL name that has none. A row is (url name, kwargs built from the world, method, POST data, then the
expected status for each role: anonymous, lead, inspector, own-unit liaison, other-unit liaison).

The world: 光复道街道办事处 (reached through the group 各街道办事处) owns an assignment with a pending
submission, an evidence file and a pending extension request. "own" is its liaison; "other" is the
liaison of 区财政局, to whom every one of those objects must answer 404. Anonymous users are sent to the
login page (302); an inspector's POST answers 403 everywhere; lead-only pages answer 403 to liaisons.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tasks.models import ExtensionRequest, ReportingRound
from tasks.urls import urlpatterns
from tests.tasks.conftest import PDF, upload

ROLES = ("anonymous", "lead", "inspector", "own", "other")
NOW = datetime.datetime(2024, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class Row:
    name: str
    kwargs: Any  # world -> dict
    method: str
    expect: tuple[int, int, int, int, int]  # anonymous, lead, inspector, own, other
    data: Any = field(default=None)  # world -> dict

    def __str__(self) -> str:
        return f"{self.method}-{self.name}"


def none(w):
    return {}


def assignment(w):
    return {"pk": w.assignment.pk}


def submission(w):
    return {"pk": w.submission.pk}


def evidence(w):
    return {"pk": w.evidence.pk}


def extension(w):
    return {"pk": w.extension.pk}


def task(w):
    return {"pk": w.task.pk}


def measure(w):
    return {"pk": w.measure.pk}


def unit(w):
    return {"pk": w.street.pk}


def round_(w):
    return {"pk": w.round.pk}


def measure_data(w):
    return {"text": "新增：每季度开展一次执法案卷自查。", "due_on": "2024-09-30", "recurrence": "",
            "units": [w.street.pk], "reason": "按区委要求提前"}


ROWS = [
    # The work list: a liaison's own unit; the lead office and inspectors see every unit at tasks:assignments.
    Row("my_tasks", none, "GET", (302, 302, 302, 200, 200)),
    Row("my_tasks", none, "POST", (302, 405, 403, 405, 405)),
    Row("led_items", none, "GET", (302, 302, 302, 200, 200)),  # each liaison: the measures its unit leads
    Row("led_items", none, "POST", (302, 405, 403, 405, 405)),
    Row("assignments", none, "GET", (302, 200, 200, 302, 302)),
    Row("assignments", none, "POST", (302, 405, 403, 405, 405)),
    # One assignment and what hangs on it.
    Row("assignment", assignment, "GET", (302, 200, 200, 200, 404)),
    Row("assignment", assignment, "POST", (302, 405, 403, 405, 405)),
    Row("submit", assignment, "GET", (302, 405, 405, 405, 405)),
    Row("submit", assignment, "POST", (302, 403, 403, 302, 404),
        data=lambda w: {"text": "已组织培训。", "percent": "60", "files": [upload("培训签到表.pdf", PDF)]}),
    Row("evidence", evidence, "GET", (302, 200, 200, 200, 404)),
    Row("evidence", evidence, "POST", (302, 405, 403, 405, 405)),
    Row("deadline", assignment, "GET", (302, 200, 403, 403, 404)),
    Row("deadline", assignment, "POST", (302, 302, 403, 403, 404),
        data=lambda w: {"due_on": "2024-08-31", "reason": "区委调整工作安排"}),
    Row("extension_request", assignment, "GET", (302, 405, 405, 405, 405)),
    Row("extension_request", assignment, "POST", (302, 403, 403, 200, 404),  # own: one is already pending
        data=lambda w: {"requested_due_on": "2024-09-30", "reason": "汛期任务重"}),
    Row("extension_decide", extension, "GET", (302, 200, 200, 403, 404)),
    Row("extension_decide", extension, "POST", (302, 302, 403, 403, 404),
        data=lambda w: {"grant": "1", "reason": "理由充分"}),
    # Review (lead office; inspectors read).
    Row("review_queue", none, "GET", (302, 200, 200, 403, 403)),
    Row("review_queue", none, "POST", (302, 405, 403, 403, 403)),
    Row("review", submission, "GET", (302, 200, 200, 403, 404)),
    Row("review", submission, "POST", (302, 302, 403, 403, 404),
        data=lambda w: {"decision": "return", "reason": "缺少签到表"}),
    Row("integrity", none, "GET", (302, 200, 200, 403, 403)),
    Row("integrity", none, "POST", (302, 405, 403, 403, 403)),
    # Managing measures (lead office; inspectors read the lists).
    Row("manage", none, "GET", (302, 200, 200, 403, 403)),
    Row("manage", none, "POST", (302, 405, 403, 403, 403)),
    Row("task_measures", task, "GET", (302, 200, 200, 403, 403)),
    Row("task_measures", task, "POST", (302, 405, 403, 403, 403)),
    Row("measure_add", task, "GET", (302, 200, 403, 403, 403)),
    Row("measure_add", task, "POST", (302, 302, 403, 403, 403), data=measure_data),
    Row("measure_edit", measure, "GET", (302, 200, 403, 403, 403)),
    Row("measure_edit", measure, "POST", (302, 302, 403, 403, 403), data=measure_data),
    # Overview: dashboard and the unit and task pages (a liaison sees their own unit's share), the ledger.
    Row("dashboard", none, "GET", (302, 200, 200, 200, 200)),
    Row("dashboard", none, "POST", (302, 405, 403, 405, 405)),
    Row("unit_detail", unit, "GET", (302, 200, 200, 200, 404)),
    Row("unit_detail", unit, "POST", (302, 405, 403, 405, 405)),
    Row("task_detail", task, "GET", (302, 200, 200, 200, 200)),
    Row("task_detail", task, "POST", (302, 405, 403, 405, 405)),
    Row("ledger", none, "GET", (302, 200, 200, 200, 200)),
    Row("ledger", none, "POST", (302, 405, 403, 405, 405)),
    Row("ledger_xlsx", none, "GET", (302, 200, 200, 200, 200)),
    Row("ledger_xlsx", none, "POST", (302, 405, 403, 405, 405)),
    Row("ledger_csv", none, "GET", (302, 200, 200, 200, 200)),
    Row("ledger_csv", none, "POST", (302, 405, 403, 405, 405)),
    # Reporting rounds (lead office; inspectors read; liaisons see theirs on the dashboard).
    Row("rounds", none, "GET", (302, 200, 200, 403, 403)),
    Row("rounds", none, "POST", (302, 405, 403, 403, 403)),
    Row("round_new", none, "GET", (302, 200, 403, 403, 403)),
    Row("round_new", none, "POST", (302, 302, 403, 403, 403),
        data=lambda w: {"title": "2024年6月第二次调度", "due_on": "2024-06-25", "tasks": [w.task.pk],
                        "units": [w.street.pk]}),
    Row("round_detail", round_, "GET", (302, 200, 200, 403, 403)),
    Row("round_detail", round_, "POST", (302, 405, 403, 403, 403)),
    Row("round_xlsx", round_, "GET", (302, 200, 200, 403, 403)),
    Row("round_xlsx", round_, "POST", (302, 405, 403, 403, 403)),
    Row("round_close", round_, "GET", (302, 405, 405, 403, 403)),
    Row("round_close", round_, "POST", (302, 302, 403, 403, 403)),
]

@pytest.fixture
def world(cast, submit_with):
    with time_machine.travel(NOW, tick=False):
        cast.assignment = cast.street_assignment
        cast.round = ReportingRound.objects.create(plan=cast.plan, title="2024年6月调度",
                                                   due_on=datetime.date(2024, 6, 25), created_by=cast.lead)
        cast.round.units.add(cast.street, cast.finance)
        cast.submission = submit_with(cast.assignment, cast.street_user)
        cast.evidence = cast.submission.evidence.get()
        cast.extension = ExtensionRequest.objects.create(
            assignment=cast.assignment, requested_by=cast.street_user,
            requested_due_on=datetime.date(2024, 7, 31), reason="培训场地紧张")
        yield cast


def client_for(role, w, login, client):
    users = {"lead": w.lead, "inspector": w.inspector, "own": w.street_user, "other": w.finance_user}
    return client if role == "anonymous" else login(users[role])


# Refusals first: a row changes the world at most once, by its one permitted role, which comes last.
ORDER = ("anonymous", "inspector", "other", "own", "lead")


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_access(world, login, client, row):
    got = {}
    with time_machine.travel(NOW, tick=False):
        url = reverse(f"tasks:{row.name}", kwargs=row.kwargs(world))
        for role in ORDER:
            c = client_for(role, world, login, client)
            response = c.get(url) if row.method == "GET" else c.post(url, row.data(world) if row.data else {})
            got[role] = response.status_code
            if role == "anonymous" and response.status_code == 302:
                assert response["Location"].startswith(reverse("login"))
    assert tuple(got[role] for role in ROLES) == row.expect, url


def test_every_tasks_url_is_in_the_matrix():
    covered = {row.name for row in ROWS}
    missing = sorted({p.name for p in urlpatterns} - covered)
    assert not missing, f"add rows to tests/tasks/test_access_matrix.py for: {missing}"


def test_every_url_has_an_inspector_post_row():
    """An inspector changes nothing: each URL has a POST row, and it answers 403 to an inspector."""
    posts = {row.name: row for row in ROWS if row.method == "POST"}
    assert set(posts) == {row.name for row in ROWS}
    assert all(row.expect[ROLES.index("inspector")] == 403 for row in posts.values())


def test_other_unit_gets_404_for_every_object_of_the_street_office():
    """The issue's check, spelled out: 区财政局's liaison and 光复道街道办事处's assignment/evidence URLs."""
    object_rows = [row for row in ROWS if row.kwargs in (assignment, submission, evidence, extension)
                   and row.expect[ROLES.index("own")] != 405]
    assert object_rows and all(row.expect[ROLES.index("other")] == 404 for row in object_rows)
