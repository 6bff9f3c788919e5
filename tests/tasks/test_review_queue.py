"""The 待审核 queue: filtered by unit and task, 批量通过 with one comment (each through Submission.decide, in one
transaction), and one-by-one review that goes on to the next item of the same filtered queue."""

import datetime

import pytest
from django.urls import reverse

from plans.models import Measure, Task
from tasks.models import AlreadyDecided, Assignment, Review, Submission

QUEUE = "/tasks/review/"


@pytest.fixture
def queue(frozen, cast, submit_with):
    """Three pending reports, oldest first: the street office's, then two of 区财政局 (one on a second task)."""
    task2 = Task.objects.create(plan=cast.plan, section=cast.section, number=2, title="严格执法", order=2)
    measure2 = Measure.objects.create(task=task2, order=1, text="开展案卷评查。", due_on=datetime.date(2024, 9, 30))
    finance2 = Assignment.objects.create(measure=measure2, unit=cast.finance, due_on=measure2.due_on)
    frozen.shift(-60)
    street = submit_with(cast.street_assignment, cast.street_user, percent=100)
    frozen.shift(30)
    finance = submit_with(cast.finance_assignment, cast.finance_user, percent=100)
    frozen.shift(30)
    finance_task2 = submit_with(finance2, cast.finance_user, percent=100)
    return {"street": street, "finance": finance, "finance_task2": finance_task2, "task2": task2}


def listed(response) -> list[int]:
    return [s.pk for s in response.context["page"]]


def test_the_queue_filters_by_unit_and_by_task(cast, login, queue):
    client = login(cast.lead)
    assert listed(client.get(QUEUE)) == [queue["street"].pk, queue["finance"].pk, queue["finance_task2"].pk]
    assert listed(client.get(QUEUE, {"unit": cast.finance.pk})) == [queue["finance"].pk, queue["finance_task2"].pk]
    assert listed(client.get(QUEUE, {"task": queue["task2"].pk})) == [queue["finance_task2"].pk]
    assert listed(client.get(QUEUE, {"unit": cast.street.pk, "task": queue["task2"].pk})) == []


def test_bulk_accept_decides_each_ticked_report_with_one_comment(cast, login, queue):
    client = login(cast.lead)
    response = client.post(f"{QUEUE}?unit={cast.finance.pk}", {
        "submissions": [queue["finance"].pk, queue["finance_task2"].pk], "reason": "材料齐全，同意",
    })
    assert response.status_code == 302 and response["Location"].endswith(f"unit={cast.finance.pk}")
    for key in ("finance", "finance_task2"):
        s = Submission.objects.get(pk=queue[key].pk)
        assert s.state == Submission.State.ACCEPTED
        assert (s.review.decision, s.review.reason, s.review.reviewer) == ("accept", "材料齐全，同意", cast.lead)
        assert s.assignment.status == Assignment.Status.DONE
        assert "审核通过" in {h.history_change_reason for h in s.assignment.history.all()}
    assert Submission.objects.get(pk=queue["street"].pk).state == Submission.State.PENDING
    assert "已通过2项报送。" in client.get(response["Location"]).content.decode()


def test_bulk_accept_needs_a_ticked_report(cast, login, queue):
    response = login(cast.lead).post(QUEUE, {"reason": "同意"})
    assert response.status_code == 200
    assert "请勾选要通过的报送。" in response.content.decode()
    assert Submission.objects.filter(state=Submission.State.PENDING).count() == 3


def test_bulk_accept_of_a_report_below_its_target_needs_the_comment_and_writes_nothing_without(cast, login,
                                                                                              queue, submit_with):
    cast.measure.target_value = 60
    cast.measure.target_unit = "学时"
    cast.measure.save()
    short = Submission.objects.get(pk=queue["street"].pk)
    Submission.objects.filter(pk=short.pk).update(achieved_value=20)
    response = login(cast.lead).post(QUEUE, {"submissions": [queue["street"].pk, queue["finance"].pk], "reason": ""})
    assert response.status_code == 200
    assert "有1份完成数未达到目标（光复道街道办事处）" in response.content.decode()
    assert Submission.objects.filter(state=Submission.State.PENDING).count() == 3
    login(cast.lead).post(QUEUE, {"submissions": [queue["street"].pk], "reason": "已说明客观原因，予以通过"})
    assert Submission.objects.get(pk=short.pk).state == Submission.State.ACCEPTED


def test_bulk_accept_refuses_a_report_already_decided_or_outside_the_filter(cast, login, queue):
    queue["street"].decide(cast.lead, Review.Decision.RETURN, "缺少材料", datetime.date(2024, 6, 20))
    client = login(cast.lead)
    response = client.post(QUEUE, {"submissions": [queue["street"].pk, queue["finance"].pk]})
    assert "所选报送已审核或不存在，请刷新后重试。" in response.content.decode()
    response = client.post(f"{QUEUE}?unit={cast.street.pk}", {"submissions": [queue["finance"].pk]})
    assert response.status_code == 200
    assert Submission.objects.get(pk=queue["finance"].pk).state == Submission.State.PENDING


def test_accept_all_leaves_one_taken_meanwhile_and_accepts_the_rest(cast, queue, monkeypatch):
    real = Submission.decide
    street = queue["street"]

    def racing(self, reviewer, decision, reason, today):
        if self.pk == street.pk:
            raise AlreadyDecided(cast.lead)
        return real(self, reviewer, decision, reason, today)

    monkeypatch.setattr(Submission, "decide", racing)
    accepted, taken = Submission.accept_all([street, queue["finance"]], cast.lead, "", datetime.date(2024, 6, 20))
    assert (accepted, taken) == ([queue["finance"]], [street])
    assert Submission.objects.get(pk=queue["finance"].pk).state == Submission.State.ACCEPTED


def test_a_decision_leads_to_the_next_item_of_the_same_filtered_queue(cast, login, queue):
    client = login(cast.lead)
    query = f"plan={cast.plan.pk}&unit={cast.finance.pk}"  # the queue's filter: the chosen plan and the unit
    page = client.get(QUEUE, {"unit": cast.finance.pk}).content.decode()
    first = f"{reverse('tasks:review', args=[queue['finance'].pk])}?plan={cast.plan.pk}&amp;unit={cast.finance.pk}"
    assert first in page
    response = client.post(f"{reverse('tasks:review', args=[queue['finance'].pk])}?unit={cast.finance.pk}",
                           {"decision": "accept", "reason": ""})
    assert response["Location"] == f"{reverse('tasks:review', args=[queue['finance_task2'].pk])}?{query}"
    response = client.post(response["Location"], {"decision": "return", "reason": "缺少签到表"})
    assert response["Location"] == f"{QUEUE}?{query}"  # that queue is done; the street office's is not in it
    assert "待审核的报送已全部审完" in client.get(response["Location"]).content.decode()


def test_the_review_page_offers_to_skip_to_the_next_item(cast, login, queue):
    page = login(cast.lead).get(reverse("tasks:review", args=[queue["street"].pk])).content.decode()
    assert f'{reverse("tasks:review", args=[queue["finance"].pk])}?plan={cast.plan.pk}' in page
    assert "队列中另有2份待审核" in page


def test_an_inspector_reads_the_queue_without_the_bulk_form(cast, login, queue):
    response = login(cast.inspector).get(QUEUE)
    assert response.status_code == 200 and response.context["bulk"] is None
    assert 'data-testid="bulk-accept"' not in response.content.decode()
    assert login(cast.inspector).post(QUEUE, {"submissions": [queue["street"].pk]}).status_code == 403
