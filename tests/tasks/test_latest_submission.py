"""The assignment keeps its latest submission's time and review state (the ledger's 最近报送 and 审核结果
columns sort by them): they follow every report, review and deletion, and the migration fills them in."""

import datetime
import importlib

import time_machine
from django.db import connection

from tasks.models import Assignment, Submission
from tests.tasks.conftest import PDF, upload
from tracker.timestamps import dates_as_given

TZ = datetime.timezone(datetime.timedelta(hours=8))
BACKFILL = importlib.import_module("tasks.migrations.0005_latest_submission").BACKFILL


def stored(assignment) -> tuple:
    a = Assignment.objects.get(pk=assignment.pk)
    return a.last_submitted_at, a.last_submission_state


def review(client, submission, decision: str, reason: str = "") -> None:
    response = client.post(f"/tasks/review/{submission.pk}/", {"decision": decision, "reason": reason})
    assert response.status_code == 302


def test_stored_values_follow_submit_return_resubmit_approve(cast, login):
    unit, lead = login(cast.street_user), login(cast.lead)
    submit_url = f"/tasks/assignments/{cast.street_assignment.pk}/submit/"
    assert stored(cast.street_assignment) == (None, "")

    first_at = datetime.datetime(2024, 6, 10, 9, 0, tzinfo=TZ)
    with time_machine.travel(first_at, tick=False):
        unit.post(submit_url, {"text": "第一次报送", "percent": "60", "files": [upload("a.pdf", PDF)]})
    first = Submission.objects.get()
    assert stored(cast.street_assignment) == (first_at, "pending")

    with time_machine.travel(datetime.datetime(2024, 6, 11, 9, 0, tzinfo=TZ), tick=False):
        review(lead, first, "return", "缺少培训签到表")
    assert stored(cast.street_assignment) == (first_at, "returned")

    second_at = datetime.datetime(2024, 6, 12, 15, 30, tzinfo=TZ)
    with time_machine.travel(second_at, tick=False):
        unit.post(submit_url, {"text": "补充后重新报送", "percent": "100", "files": [upload("b.pdf", PDF)]})
    second = Submission.objects.exclude(pk=first.pk).get()
    assert stored(cast.street_assignment) == (second_at, "pending")

    with time_machine.travel(datetime.datetime(2024, 6, 13, 9, 0, tzinfo=TZ), tick=False):
        review(lead, second, "accept")
    assert stored(cast.street_assignment) == (second_at, "accepted")
    assert stored(cast.finance_assignment) == (None, "")  # the other unit's row is untouched

    second.delete()
    assert stored(cast.street_assignment) == (first_at, "returned")


def test_the_stored_values_are_not_history(cast, submit_with):
    submit_with(cast.street_assignment, cast.street_user)
    history = cast.street_assignment.history.model
    assert "last_submitted_at" not in {f.name for f in history._meta.fields}
    assert history.objects.filter(id=cast.street_assignment.pk).count() == 2  # created, then 已报送


def test_saving_an_assignment_read_before_a_submission_keeps_it(cast):
    stale = Assignment.objects.get(pk=cast.street_assignment.pk)
    Submission.objects.create(assignment=cast.street_assignment, author=cast.street_user, text="进展", percent=50)
    stale.percent = 50
    stale.save()
    assert stored(cast.street_assignment)[1] == "pending"
    assert Assignment.objects.get(pk=stale.pk).percent == 50


def test_bulk_refresh_and_migration_backfill_agree(cast):
    at = datetime.datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
    with dates_as_given(Submission):
        Submission.objects.bulk_create([
            Submission(assignment=cast.street_assignment, author=cast.street_user, text="一", percent=10,
                       created_at=at, state=Submission.State.RETURNED),
            Submission(assignment=cast.street_assignment, author=cast.street_user, text="二", percent=20,
                       created_at=at + datetime.timedelta(days=3), state=Submission.State.ACCEPTED),
            Submission(assignment=cast.finance_assignment, author=cast.finance_user, text="三", percent=30,
                       created_at=at),
        ])
    expected = {cast.street_assignment.pk: (at + datetime.timedelta(days=3), "accepted"),
                cast.finance_assignment.pk: (at, "pending")}
    assert stored(cast.street_assignment) == (None, "")  # bulk_create sends no signals

    Assignment.objects.all().refresh_latest_submission()
    assert {pk: stored(Assignment(pk=pk)) for pk in expected} == expected

    Assignment.objects.update(last_submitted_at=None, last_submission_state="")
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL)
    assert {pk: stored(Assignment(pk=pk)) for pk in expected} == expected
