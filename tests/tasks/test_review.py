"""The lead office reviews submissions: accept (已完成) or return with a reason; nothing is overwritten;
two reviewers at once — one wins, the other is told."""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import AlreadyDecided, Assignment, Review, Submission
from tests.conftest import make_user
from tests.tasks.conftest import PDF, upload


def review_url(submission):
    return f"/tasks/review/{submission.pk}/"


def test_queue_lists_pending_submissions_oldest_first(cast, login, submit_with):
    with time_machine.travel("2024-06-10 09:00:00+08:00", tick=False):
        older = submit_with(cast.street_assignment, cast.street_user, text="街道的报送")
    with time_machine.travel("2024-06-12 09:00:00+08:00", tick=False):
        newer = submit_with(cast.finance_assignment, cast.finance_user, text="财政局的报送")
        decided = submit_with(cast.finance_assignment, cast.finance_user, text="已审核的报送")
        decided.decide(cast.lead, Review.Decision.ACCEPT, "", datetime.date(2024, 6, 12))
    page = login(cast.lead).get("/tasks/review/").content.decode()
    assert page.index(f"/tasks/review/{older.pk}/") < page.index(f"/tasks/review/{newer.pk}/")
    assert f"/tasks/review/{decided.pk}/" not in page
    assert "2024年6月10日" in page and "光复道街道办事处" in page


def test_queue_query_count_does_not_grow_with_submissions(cast, login, submit_with):
    c = login(cast.lead)

    def count():
        c.get("/tasks/review/")  # warm up: a new connection runs set-up queries once
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/tasks/review/").status_code == 200
        return len(ctx.captured_queries)

    submit_with(cast.street_assignment, cast.street_user)
    few = count()
    for _ in range(12):
        submit_with(cast.finance_assignment, cast.finance_user, files=[("a.pdf", PDF), ("b.pdf", PDF)])
    assert count() == few


def test_accept_completes_the_assignment(frozen, cast, login, submit_with):
    submission = submit_with(cast.street_assignment, cast.street_user, percent=100)
    response = login(cast.lead).post(review_url(submission), {"decision": "accept", "reason": "材料齐全"},
                                     follow=True)
    assert "已通过“光复道街道办事处”的报送。" in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == Submission.State.ACCEPTED
    assert (submission.review.reviewer, submission.review.decision) == (cast.lead, "accept")
    a = Assignment.objects.get(pk=cast.street_assignment.pk)
    assert (a.status, a.completed_on, a.percent) == ("done", datetime.date(2024, 6, 20), 100)


def test_return_needs_a_reason(cast, login, submit_with):
    submission = submit_with(cast.street_assignment, cast.street_user)
    response = login(cast.lead).post(review_url(submission), {"decision": "return", "reason": "  "})
    assert "退回时必须填写退回原因。" in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == "pending" and not Review.objects.exists()


def test_returned_unit_sees_the_reason_and_resubmits_as_a_new_submission(cast, login, submit_with):
    first = submit_with(cast.street_assignment, cast.street_user, text="第一次报送")
    login(cast.lead).post(review_url(first), {"decision": "return", "reason": "缺少培训签到表"})
    assert Assignment.objects.get(pk=cast.street_assignment.pk).status == "returned"

    unit = login(cast.street_user)
    page = unit.get(f"/tasks/assignments/{cast.street_assignment.pk}/").content.decode()
    assert "退回原因：缺少培训签到表" in page and "已退回" in page
    unit.post(f"/tasks/assignments/{cast.street_assignment.pk}/submit/",
              {"text": "补充签到表后重新报送", "percent": "100", "files": [upload("签到表.pdf", PDF)]})
    second = Submission.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert first.text == "第一次报送" and first.state == "returned" and first.review.reason == "缺少培训签到表"
    assert second.state == "pending" and second.text == "补充签到表后重新报送"
    assert Assignment.objects.get(pk=cast.street_assignment.pk).status == "submitted"


def test_second_reviewer_is_told_and_changes_nothing(cast, login, submit_with):
    second_lead = make_user("lead2", "lead")
    second_lead.last_name, second_lead.first_name = "王", "审核"
    second_lead.save()
    cast.lead.last_name, cast.lead.first_name = "李", "主任"
    cast.lead.save()
    submission = submit_with(cast.street_assignment, cast.street_user)
    a, b = login(cast.lead), login(second_lead)
    assert "提交审核" in a.get(review_url(submission)).content.decode()
    assert "提交审核" in b.get(review_url(submission)).content.decode()  # both opened the form

    a.post(review_url(submission), {"decision": "accept", "reason": ""})
    response = b.post(review_url(submission), {"decision": "return", "reason": "不同意"}, follow=True)
    assert "该报送已由李主任审核，请刷新查看。" in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == "accepted"
    assert list(Review.objects.values_list("reviewer__username", "decision")) == [("lead", "accept")]
    assert Assignment.objects.get(pk=cast.street_assignment.pk).status == "done"


def test_decide_on_a_stale_copy_raises_already_decided(cast, submit_with):
    submission = submit_with(cast.street_assignment, cast.street_user)
    stale = Submission.objects.get(pk=submission.pk)
    submission.decide(cast.lead, Review.Decision.RETURN, "重报", datetime.date(2024, 6, 20))
    with pytest.raises(AlreadyDecided) as exc:
        stale.decide(cast.lead, Review.Decision.ACCEPT, "", datetime.date(2024, 6, 20))
    assert exc.value.by == cast.lead
    assert Review.objects.count() == 1


def test_the_history_records_the_decision(cast, submit_with):
    submission = submit_with(cast.street_assignment, cast.street_user)
    submission.decide(cast.lead, Review.Decision.RETURN, "缺材料", datetime.date(2024, 6, 20))
    states = list(submission.history.order_by("history_date").values_list("state", flat=True))
    assert states == ["pending", "returned"]


postgres_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="two real threads need PostgreSQL (DATABASE_URL)",
)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_the_same_moment_on_postgresql(cast, submit_with):
    second_lead = make_user("lead2", "lead")
    for _ in range(20):
        submission = submit_with(cast.street_assignment, cast.street_user)
        barrier = threading.Barrier(2)
        outcomes = []

        def act(user, decision, submission_pk=submission.pk, barrier=barrier, outcomes=outcomes):
            try:
                copy = Submission.objects.get(pk=submission_pk)
                barrier.wait()
                copy.decide(user, decision, "理由", datetime.date(2024, 6, 20))
                outcomes.append("won")
            except AlreadyDecided:
                outcomes.append("told")
            finally:
                connection.close()

        threads = [threading.Thread(target=act, args=(cast.lead, "accept")),
                   threading.Thread(target=act, args=(second_lead, "return"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["told", "won"]
        assert Review.objects.filter(submission=submission).count() == 1
        Assignment.objects.filter(pk=cast.street_assignment.pk).update(status="in_progress")
