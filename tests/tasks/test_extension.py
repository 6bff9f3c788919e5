"""延期申请: a unit asks for a later date with a reason; the lead office grants (the due date moves, the
reason in the history) or refuses with a reason."""

import datetime

from tasks.models import Assignment, ExtensionRequest
from tests.conftest import make_user


def ask(client, assignment, date="2024-08-31", reason="汛期防汛任务重，培训场地紧张"):
    return client.post(f"/tasks/assignments/{assignment.pk}/extension/",
                       {"requested_due_on": date, "reason": reason}, follow=True)


def test_unit_asks_and_the_request_waits_for_the_lead_office(frozen, cast, login):
    response = ask(login(cast.street_user), cast.street_assignment)
    assert "延期申请已提交，等待牵头单位审批。" in response.content.decode()
    request = ExtensionRequest.objects.get()
    assert (request.requested_due_on, request.state, request.requested_by) == (
        datetime.date(2024, 8, 31), "pending", cast.street_user)
    queue = login(cast.lead).get("/tasks/review/").content.decode()
    assert "汛期防汛任务重" in queue and f"/tasks/extensions/{request.pk}/" in queue


def test_one_request_at_a_time(frozen, cast, login):
    c = login(cast.street_user)
    ask(c, cast.street_assignment)
    assert "提交延期申请" not in c.get(f"/tasks/assignments/{cast.street_assignment.pk}/").content.decode()
    response = ask(c, cast.street_assignment, date="2024-09-30", reason="再次申请")  # e.g. from an old tab
    assert "已有一份延期申请正在审批，请等待审批结果。" in response.content.decode()
    assert ExtensionRequest.objects.count() == 1


def test_requested_date_must_be_later_than_the_deadline(frozen, cast, login):
    response = ask(login(cast.street_user), cast.street_assignment, date="2024-06-25")
    assert "申请延至的日期须晚于当前完成时限。" in response.content.decode()
    response = ask(login(cast.street_user), cast.street_assignment, date="2024-06-01")
    assert "申请延至的日期须晚于今天。" in response.content.decode()
    response = ask(login(cast.street_user), cast.street_assignment, reason="")
    assert "请填写申请延期的理由。" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_grant_moves_the_deadline_with_the_reason_in_the_history(frozen, cast, login):
    ask(login(cast.street_user), cast.street_assignment)
    request = ExtensionRequest.objects.get()
    response = login(cast.lead).post(f"/tasks/extensions/{request.pk}/", {"grant": "1", "reason": "理由充分"},
                                     follow=True)
    assert "已同意延期，完成时限已调整。" in response.content.decode()
    assignment = Assignment.objects.get(pk=cast.street_assignment.pk)
    assert assignment.due_on == datetime.date(2024, 8, 31)
    last = assignment.history.latest()
    assert last.history_change_reason == "同意延期申请：理由充分" and last.history_user == cast.lead
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decision_reason) == ("granted", cast.lead, "理由充分")
    page = login(cast.street_user).get(f"/tasks/assignments/{assignment.pk}/").content.decode()
    assert "原因：同意延期申请：理由充分" in page and "已同意" in page


def test_refuse_needs_a_reason_and_keeps_the_deadline(frozen, cast, login):
    ask(login(cast.street_user), cast.street_assignment)
    request = ExtensionRequest.objects.get()
    lead = login(cast.lead)
    response = lead.post(f"/tasks/extensions/{request.pk}/", {"grant": "0", "reason": ""})
    assert "请填写审批意见" in response.content.decode()
    lead.post(f"/tasks/extensions/{request.pk}/", {"grant": "0", "reason": "时间节点不能调整"})
    request.refresh_from_db()
    assert request.state == "refused" and request.decision_reason == "时间节点不能调整"
    assert Assignment.objects.get(pk=cast.street_assignment.pk).due_on == datetime.date(2024, 6, 30)
    page = login(cast.street_user).get(f"/tasks/assignments/{cast.street_assignment.pk}/").content.decode()
    assert "时间节点不能调整" in page and "未同意" in page


def test_second_decision_is_told_and_changes_nothing(frozen, cast, login):
    ask(login(cast.street_user), cast.street_assignment)
    request = ExtensionRequest.objects.get()
    login(cast.lead).post(f"/tasks/extensions/{request.pk}/", {"grant": "0", "reason": "不同意"})
    other = login(make_user("lead2", "lead"))
    response = other.post(f"/tasks/extensions/{request.pk}/", {"grant": "1", "reason": "同意"}, follow=True)
    assert "该延期申请已由lead审批，请刷新查看。" in response.content.decode()
    assert Assignment.objects.get(pk=cast.street_assignment.pk).due_on == datetime.date(2024, 6, 30)


def test_lead_changes_a_deadline_only_with_a_reason(frozen, cast, login):
    url = f"/tasks/assignments/{cast.finance_assignment.pk}/deadline/"
    lead = login(cast.lead)
    response = lead.post(url, {"due_on": "2024-07-15", "reason": ""})
    assert "调整完成时限必须填写原因。" in response.content.decode()
    response = lead.post(url, {"due_on": "2024-06-30", "reason": "不变"})
    assert "新的完成时限与当前相同。" in response.content.decode()
    lead.post(url, {"due_on": "2024-07-15", "reason": "财政年度结算"})
    assignment = Assignment.objects.get(pk=cast.finance_assignment.pk)
    assert assignment.due_on == datetime.date(2024, 7, 15)
    assert assignment.history.latest().history_change_reason == "财政年度结算"
