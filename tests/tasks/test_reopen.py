"""回头看: the lead office reopens a finished item with a reason; it is open again with its history, the unit reads
the reason and reports, and a passed check makes it done again (its completion date kept)."""

import datetime

from django.urls import reverse

from tasks.models import Assignment, Review, Submission


def done(cast, submit_with) -> Assignment:
    submission = submit_with(cast.street_assignment, cast.street_user, percent=100)
    submission.decide(cast.lead, Review.Decision.ACCEPT, "", datetime.date(2024, 6, 18))
    return Assignment.objects.get(pk=cast.street_assignment.pk)


def test_the_lead_office_reopens_a_done_item_with_a_reason(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    client = login(cast.lead)
    assert 'data-testid="reopen"' in client.get(reverse("tasks:assignment", args=[assignment.pk])).content.decode()
    response = client.post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "抽查发现签到表缺页"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.status, assignment.is_done, assignment.completed_on) == (
        "in_progress", False, datetime.date(2024, 6, 18))
    assert assignment.reopen_reason == "抽查发现签到表缺页" and assignment.is_reopened
    latest = assignment.history.first()
    assert (latest.history_change_reason, latest.history_user, latest.status) == (
        "回头看：抽查发现签到表缺页", cast.lead, "in_progress")
    assert assignment.history.filter(status="done").exists()  # what it was is kept


def test_the_unit_reads_the_reason_reports_and_a_passed_check_makes_it_done_again(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    assignment.reopen("抽查发现签到表缺页", cast.lead)
    page = login(cast.street_user).get(reverse("tasks:assignment", args=[assignment.pk])).content.decode()
    assert "回头看原因：抽查发现签到表缺页" in page
    again = submit_with(assignment, cast.street_user, percent=100, text="已补齐签到表。")
    again.decide(cast.lead, Review.Decision.ACCEPT, "复核通过", datetime.date(2024, 6, 20))
    assignment.refresh_from_db()
    assert (assignment.status, assignment.completed_on, assignment.is_reopened) == (
        "done", datetime.date(2024, 6, 18), False)
    assert assignment.is_done_on_time()
    assert assignment.history.first().history_change_reason == "回头看复核通过"
    assert "回头看原因" not in login(cast.street_user).get(
        reverse("tasks:assignment", args=[assignment.pk])).content.decode()


def test_a_failed_check_returns_the_report_and_keeps_the_item_open(frozen, cast, submit_with):
    assignment = done(cast, submit_with)
    assignment.reopen("抽查", cast.lead)
    again = submit_with(assignment, cast.street_user, percent=100)
    again.decide(cast.lead, Review.Decision.RETURN, "仍缺签到表", datetime.date(2024, 6, 20))
    assignment.refresh_from_db()
    assert assignment.status == "returned" and assignment.is_reopened
    assert Submission.objects.filter(assignment=assignment).count() == 2  # nothing overwritten


def test_an_open_item_is_not_reopened(frozen, cast, login):
    client = login(cast.lead)
    assert "该任务尚未完成，无需回头看。" in client.get(
        reverse("tasks:reopen", args=[cast.street_assignment.pk])).content.decode()
    response = client.post(reverse("tasks:reopen", args=[cast.street_assignment.pk]), {"reason": "抽查"}, follow=True)
    assert "该任务尚未完成，无需回头看。" in response.content.decode()
    assert Assignment.objects.get(pk=cast.street_assignment.pk).history.count() == 1


def test_a_reason_is_required(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    response = login(cast.lead).post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "  "})
    assert response.status_code == 200 and "请填写回头看的原因。" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).is_done


def test_only_the_lead_office_reopens(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    assert login(cast.inspector).post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "x"}).status_code == 403
    assert login(cast.street_user).post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "x"}).status_code == 403
    assert login(cast.finance_user).get(reverse("tasks:reopen", args=[assignment.pk])).status_code == 404
    assert Assignment.objects.get(pk=assignment.pk).is_done
