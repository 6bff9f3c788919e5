"""The assignment keeps its latest submission's time and review state (the ledger's 最近报送 and 审核结果
columns sort by them): they follow every report, review and deletion, and the migration fills them in."""

import datetime
import importlib
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is otherwise read once per transaction
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real transactions need PostgreSQL")
def test_a_review_waiting_on_a_new_report_stores_the_new_report(cast, submit_with):
    """The unit reports again while the lead office reviews the previous report: the review's refresh waits
    for the report's transaction and must then see the new report, not the snapshot it started with."""
    first = submit_with(cast.street_assignment, cast.street_user)
    reported, done = threading.Event(), threading.Event()
    errors = []

    def report_again():
        try:
            with transaction.atomic():
                Submission.objects.create(assignment=cast.street_assignment, author=cast.street_user,
                                          text="第二次报送", percent=80)
                reported.set()
                deadline = time.monotonic() + 20
                while not _blocked_on_a_lock():  # until the review waits on this transaction's row lock
                    assert time.monotonic() < deadline, "the review never waited on the report"
        except Exception as exc:  # noqa: BLE001 — reported to the test below
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    def review():
        try:
            assert reported.wait(20)
            first.decide(cast.lead, "accept", "", datetime.date(2024, 6, 20))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report_again), threading.Thread(target=review)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and done.is_set()
    latest = Submission.objects.filter(assignment=cast.street_assignment).latest("created_at", "id")
    assert latest.text == "第二次报送"
    assert stored(cast.street_assignment) == (latest.created_at, "pending")


def test_the_admin_does_not_move_a_report_to_another_assignment(cast, login, submit_with):
    from tracker.models import User

    submission = submit_with(cast.street_assignment, cast.street_user)
    root = login(User.objects.create_superuser("root", password="root-password-long", role="lead"))
    page = root.get(f"/admin/tasks/submission/{submission.pk}/change/").content.decode()
    assert 'name="assignment"' not in page
    assert 'name="assignment"' in root.get("/admin/tasks/submission/add/").content.decode()


def test_a_partly_loaded_assignment_saves_only_what_it_loaded(cast):
    row = Assignment.objects.only("id", "percent").get(pk=cast.street_assignment.pk)
    row.percent = 35
    with CaptureQueriesContext(connection) as ctx:
        row.save()
    update = ctx.captured_queries[0]["sql"]  # (the history row that follows reads the rest)
    assert update.startswith('UPDATE "tasks_assignment" SET "percent" = 35 WHERE')
    fresh = Assignment.objects.get(pk=cast.street_assignment.pk)
    assert fresh.percent == 35 and fresh.status == cast.street_assignment.status


def test_the_last_submitted_index_sorts_the_never_reported_as_oldest(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'assignment_last_submitted'")
            assert "(last_submitted_at NULLS FIRST, id)" in cursor.fetchone()[0]
        else:  # SQLite orders NULLs first by itself
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'assignment_last_submitted'")
            assert '("last_submitted_at", "id")' in cursor.fetchone()[0]


def test_deleting_an_assignment_does_not_refresh_it_per_report(cast, submit_with):
    for _ in range(3):
        submit_with(cast.street_assignment, cast.street_user)
    with CaptureQueriesContext(connection) as ctx:
        Assignment.objects.filter(pk=cast.street_assignment.pk).delete()
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "tasks_assignment"')]
    assert not Submission.objects.filter(assignment_id=cast.street_assignment.pk).exists()
