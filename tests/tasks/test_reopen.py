"""回头看: the lead office reopens a finished item with a reason; it is open again with its history, the unit reads
the reason and reports, and a passed check makes it done again (its completion date kept)."""

import datetime

import pytest
from django.urls import reverse

from notifications.models import Step
from notifications.sweep import run_sweep
from tasks.models import Assignment, Review, Submission

D = datetime.date
CHECK_BY = D(2024, 7, 10)  # the 整改期限 of the spot check


def done(cast, submit_with) -> Assignment:
    submission = submit_with(cast.street_assignment, cast.street_user, percent=100)
    submission.decide(cast.lead, Review.Decision.ACCEPT, "", datetime.date(2024, 6, 18))
    return Assignment.objects.get(pk=cast.street_assignment.pk)


def test_the_lead_office_reopens_a_done_item_with_a_reason(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    client = login(cast.lead)
    assert 'data-testid="reopen"' in client.get(reverse("tasks:assignment", args=[assignment.pk])).content.decode()
    response = client.post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "抽查发现签到表缺页", "due_on": "2024-07-10"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.status, assignment.is_done, assignment.completed_on, assignment.due_on) == (
        "in_progress", False, datetime.date(2024, 6, 18), CHECK_BY)
    assert assignment.reopen_reason == "抽查发现签到表缺页" and assignment.is_reopened
    latest = assignment.history.first()
    assert (latest.history_change_reason, latest.history_user, latest.status) == (
        "回头看：抽查发现签到表缺页", cast.lead, "in_progress")
    assert assignment.history.filter(status="done").exists()  # what it was is kept


def test_the_unit_reads_the_reason_reports_and_a_passed_check_makes_it_done_again(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    assignment.reopen("抽查发现签到表缺页", cast.lead, due_on=CHECK_BY)
    page = login(cast.street_user).get(reverse("tasks:assignment", args=[assignment.pk])).content.decode()
    assert "回头看原因：抽查发现签到表缺页" in page
    again = submit_with(assignment, cast.street_user, percent=100, text="已补齐签到表。")
    again.decide(cast.lead, Review.Decision.ACCEPT, "复核通过", datetime.date(2024, 6, 20))
    assignment.refresh_from_db()
    assert (assignment.status, assignment.completed_on, assignment.is_reopened) == (
        "done", datetime.date(2024, 6, 18), False)
    assert assignment.is_done_on_time() and assignment.due_on == D(2024, 6, 30)  # its own due date back
    assert assignment.history.first().history_change_reason == "回头看复核通过"
    assert "回头看原因" not in login(cast.street_user).get(
        reverse("tasks:assignment", args=[assignment.pk])).content.decode()


def test_an_item_done_late_stays_late_after_its_check(frozen, cast, submit_with):
    Assignment.objects.filter(pk=cast.street_assignment.pk).update(due_on=D(2024, 6, 10))
    assignment = done(cast, submit_with)
    assert not assignment.is_done_on_time()
    assignment.reopen("抽查", cast.lead, due_on=CHECK_BY)
    submit_with(assignment, cast.street_user, percent=100).decide(cast.lead, Review.Decision.ACCEPT, "", D(2024, 6, 21))
    assignment.refresh_from_db()
    assert (assignment.due_on, assignment.completed_on, assignment.is_done_on_time()) == (
        D(2024, 6, 10), D(2024, 6, 18), False)
    assert assignment.history.filter(due_on=CHECK_BY).exists()  # the 整改期限 is kept in the history


def test_a_failed_check_returns_the_report_and_keeps_the_item_open(frozen, cast, submit_with):
    assignment = done(cast, submit_with)
    assignment.reopen("抽查", cast.lead, due_on=CHECK_BY)
    again = submit_with(assignment, cast.street_user, percent=100)
    again.decide(cast.lead, Review.Decision.RETURN, "仍缺签到表", datetime.date(2024, 6, 20))
    assignment.refresh_from_db()
    assert assignment.status == "returned" and assignment.is_reopened
    assert Submission.objects.filter(assignment=assignment).count() == 2  # nothing overwritten


def test_an_open_item_is_not_reopened(frozen, cast, login):
    client = login(cast.lead)
    assert "该任务尚未完成，无需回头看。" in client.get(
        reverse("tasks:reopen", args=[cast.street_assignment.pk])).content.decode()
    response = client.post(reverse("tasks:reopen", args=[cast.street_assignment.pk]), {"reason": "抽查", "due_on": "2024-07-10"},
                           follow=True)
    assert "该任务尚未完成，无需回头看。" in response.content.decode()
    assert Assignment.objects.get(pk=cast.street_assignment.pk).history.count() == 1


def test_a_reason_is_required(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    response = login(cast.lead).post(reverse("tasks:reopen", args=[assignment.pk]),
                                     {"reason": "  ", "due_on": "2024-07-10"})
    assert response.status_code == 200 and "请填写回头看的原因。" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).is_done


@pytest.mark.parametrize("due_on, error", [("", "请填写整改期限。"), ("2024-06-19", "整改期限不能早于今天。"),
                                           ("明天", "请填写正确的日期。")])
def test_a_deadline_for_the_check_is_required_and_not_in_the_past(frozen, cast, login, submit_with, due_on, error):
    assignment = done(cast, submit_with)
    response = login(cast.lead).post(reverse("tasks:reopen", args=[assignment.pk]),
                                     {"reason": "抽查", "due_on": due_on})
    assert response.status_code == 200 and error in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.is_done and assignment.due_on == datetime.date(2024, 6, 30)


def test_the_check_may_be_due_today(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    login(cast.lead).post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "抽查", "due_on": "2024-06-20"})
    assignment.refresh_from_db()
    assert assignment.is_reopened and assignment.due_on == datetime.date(2024, 6, 20)


def test_only_the_lead_office_reopens(frozen, cast, login, submit_with):
    assignment = done(cast, submit_with)
    assert login(cast.inspector).post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "x"}).status_code == 403
    assert login(cast.street_user).post(reverse("tasks:reopen", args=[assignment.pk]), {"reason": "x"}).status_code == 403
    assert login(cast.finance_user).get(reverse("tasks:reopen", args=[assignment.pk])).status_code == 404
    assert Assignment.objects.get(pk=assignment.pk).is_done


def walk(frozen, cast, start: D, end: D) -> list[tuple[D, str]]:
    """Sweep every day from start to end at 08:30 Beijing time; the steps each day sent about the street
    office's item, as "kind seq · cycle"."""
    events = []
    day = start
    while day <= end:
        frozen.move_to(datetime.datetime(day.year, day.month, day.day, 8, 30,
                                         tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
        before = set(Step.objects.values_list("pk", flat=True))
        run_sweep(day)
        events += [(day, f"{kind}{seq}·{cycle}") for kind, seq, cycle in
                   Step.objects.exclude(pk__in=before).filter(assignment=cast.street_assignment)
                   .values_list("kind", "seq", "cycle")]
        day += datetime.timedelta(days=1)
    return events


def settle(frozen, cast, submission, day: D) -> None:
    frozen.move_to(datetime.datetime(day.year, day.month, day.day, 10, 0,
                                     tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    submission.decide(cast.lead, Review.Decision.ACCEPT, "", day)


def test_a_reopened_item_is_chased_again_by_its_new_deadline_in_a_new_cycle(frozen, cast, submit_with):
    Assignment.objects.filter(pk=cast.finance_assignment.pk).update(status=Assignment.Status.DONE)
    first = walk(frozen, cast, D(2024, 6, 20), D(2024, 7, 2))  # the item is late: reminded, then urged once
    assert first == [(D(2024, 6, 23), "remind1·1"), (D(2024, 6, 29), "remind2·1"), (D(2024, 7, 1), "urge1·1")]
    frozen.move_to(datetime.datetime(2024, 7, 3, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    settle(frozen, cast, submit_with(cast.street_assignment, cast.street_user, percent=100), D(2024, 7, 3))
    assert walk(frozen, cast, D(2024, 7, 3), D(2024, 7, 4)) == []  # done: the ladder stops

    assignment = Assignment.objects.get(pk=cast.street_assignment.pk)
    assert assignment.reopen("抽查发现签到表缺页", cast.lead, due_on=D(2024, 7, 12))
    again = walk(frozen, cast, D(2024, 7, 5), D(2024, 7, 23))
    # the new deadline's calendar, counted as a second cycle: the 催办 after it goes once, then every 5 working days
    assert again == [(D(2024, 7, 5), "remind1·2"), (D(2024, 7, 11), "remind2·2"), (D(2024, 7, 15), "urge1·2"),
                     (D(2024, 7, 22), "urge2·2")]
    # the first cycle's steps are neither repeated nor moved
    assert list(Step.objects.filter(assignment=assignment, cycle=1).order_by("pk")
                .values_list("kind", "seq", "sent_on")) == [
        ("remind", 1, D(2024, 6, 23)), ("remind", 2, D(2024, 6, 29)), ("urge", 1, D(2024, 7, 1))]

    settle(frozen, cast, submit_with(assignment, cast.street_user, percent=100, text="已补齐签到表。"), D(2024, 7, 24))
    assignment.refresh_from_db()
    assert assignment.is_done and not assignment.is_reopened and assignment.due_on == D(2024, 6, 30)
    assert walk(frozen, cast, D(2024, 7, 24), D(2024, 8, 9)) == []  # done again: nothing more is sent
    assert Step.objects.filter(assignment=assignment).count() == 7


def test_a_check_passed_before_its_deadline_is_never_urged(frozen, cast, submit_with):
    Assignment.objects.filter(pk=cast.finance_assignment.pk).update(status=Assignment.Status.DONE)
    assignment = done(cast, submit_with)
    assert walk(frozen, cast, D(2024, 6, 20), D(2024, 7, 2)) == []  # done before its due date: nothing sent
    assignment.reopen("抽查", cast.lead, due_on=D(2024, 7, 12))
    assert walk(frozen, cast, D(2024, 7, 3), D(2024, 7, 6)) == [(D(2024, 7, 5), "remind1·2")]
    settle(frozen, cast, submit_with(assignment, cast.street_user, percent=100), D(2024, 7, 8))
    assert walk(frozen, cast, D(2024, 7, 8), D(2024, 7, 31)) == []
