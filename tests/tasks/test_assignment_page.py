"""The assignment page: task and measure text, deadlines, submissions with evidence and reviews,
extension requests, and the change history in Chinese."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import ExtensionRequest, Review
from tests.tasks.conftest import JPG, PDF


def page_of(client, assignment) -> str:
    response = client.get(f"/tasks/assignments/{assignment.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_shows_task_measure_deadline_and_state(frozen, cast, login):
    page = page_of(login(cast.street_user), cast.street_assignment)
    assert "任务1　着力提高业务能力" in page
    assert "2024年6月底前完成全员轮训。" in page
    assert "2024年6月30日" in page and "（原文：2024年6月底前）" in page
    assert "还剩10天" in page and "未开始" in page


def test_shows_submissions_evidence_reviews_and_extensions(frozen, cast, login, submit_with):
    first = submit_with(cast.street_assignment, cast.street_user, text="第一次报送内容",
                        files=[("签到表.pdf", PDF), ("照片.jpg", JPG)])
    first.decide(cast.lead, Review.Decision.RETURN, "照片不清晰", datetime.date(2024, 6, 20))
    submit_with(cast.street_assignment, cast.street_user, text="第二次报送内容")
    ExtensionRequest.objects.create(assignment=cast.street_assignment, requested_by=cast.street_user,
                                    requested_due_on=datetime.date(2024, 8, 31), reason="汛期人员紧张")
    page = page_of(login(cast.street_user), cast.street_assignment)
    assert "第一次报送内容" in page and "第二次报送内容" in page
    assert "签到表.pdf" in page and "照片.jpg" in page
    assert f"/tasks/evidence/{first.evidence.first().pk}/" in page
    assert "退回原因：照片不清晰" in page and "待审核" in page
    assert "汛期人员紧张" in page and "2024年8月31日" in page and "待审批" in page
    assert "提交延期申请" not in page  # one request is already waiting


def test_history_in_chinese_with_reasons(frozen, cast, login, submit_with):
    cast.lead.last_name, cast.lead.first_name = "张", "科长"
    cast.lead.save()
    frozen.move_to("2024-06-21 09:30:00+08:00")
    login(cast.lead).post(f"/tasks/assignments/{cast.street_assignment.pk}/deadline/",
                          {"due_on": "2024-07-31", "reason": "区委调整培训安排"})
    frozen.move_to("2024-06-22 15:00:00+08:00")
    submit_with(cast.street_assignment, cast.street_user, percent=40)
    page = page_of(login(cast.street_user), cast.street_assignment)
    history = page.split("<h2>变更记录</h2>")[1]
    assert "2024年6月21日 09:30" in history and "张科长" in history
    assert "完成时限：2024年6月30日 → 2024年7月31日" in history
    assert "原因：区委调整培训安排" in history
    assert "状态：未开始 → 已报送" in history and "完成进度：0 → 40" in history
    assert "2024年6月20日 10:00" in history and "创建任务分解" in history
    # Newest first, and the submission did not undo the deadline in the record.
    assert history.index("2024年6月22日") < history.index("2024年6月21日") < history.index("2024年6月20日")
    assert "2024年7月31日 → 2024年6月30日" not in history


def test_measure_changes_appear_in_the_history(cast, login):
    cast.measure.due_on = datetime.date(2024, 9, 30)
    cast.measure._change_reason = "上级要求延后"
    cast.measure.save()
    history = page_of(login(cast.lead), cast.street_assignment).split("<h2>变更记录</h2>")[1]
    assert "修改细化措施" in history and "完成时限：2024年6月30日 → 2024年9月30日" in history
    assert "原因：上级要求延后" in history


def test_forms_by_role(frozen, cast, login):
    liaison = page_of(login(cast.street_user), cast.street_assignment)
    assert 'enctype="multipart/form-data"' in liaison and 'multiple' in liaison and "提交延期申请" in liaison
    lead = page_of(login(cast.lead), cast.street_assignment)
    assert "提交报送" not in lead and "调整完成时限" in lead and "编辑措施" in lead
    inspector = page_of(login(cast.inspector), cast.street_assignment)
    assert "提交报送" not in inspector and "调整完成时限" not in inspector and "<form method=\"post\" action=\"/tasks" \
        not in inspector


def test_query_count_does_not_grow_with_submissions(frozen, cast, login, submit_with):
    c = login(cast.lead)

    def count():
        page_of(c, cast.street_assignment)  # warm up: a new connection runs set-up queries once
        with CaptureQueriesContext(connection) as ctx:
            page_of(c, cast.street_assignment)
        return len(ctx.captured_queries)

    submission = submit_with(cast.street_assignment, cast.street_user)
    submission.decide(cast.lead, Review.Decision.RETURN, "重报", datetime.date(2024, 6, 20))
    few = count()
    for i in range(6):
        s = submit_with(cast.street_assignment, cast.street_user, files=[("a.pdf", PDF), ("b.jpg", JPG)])
        if i < 5:
            s.decide(cast.lead, Review.Decision.RETURN, "重报", datetime.date(2024, 6, 20))
        ExtensionRequest.objects.create(assignment=cast.street_assignment, requested_by=cast.street_user,
                                        requested_due_on=datetime.date(2024, 8, 31), reason="理由", state="refused")
    assert count() == few


def test_work_pages_satisfy_the_content_security_policy(frozen, cast, login, submit_with):
    """No inline script or style on any page of this area (the strict CSP of issue 7)."""
    from tests.tracker.test_security_settings import assert_satisfies_csp

    submission = submit_with(cast.street_assignment, cast.street_user)
    extension = ExtensionRequest.objects.create(assignment=cast.street_assignment, requested_by=cast.street_user,
                                                requested_due_on=datetime.date(2024, 8, 31), reason="理由")
    lead, unit = login(cast.lead), login(cast.street_user)
    a = cast.street_assignment.pk
    for url in ("/tasks/assignments/", f"/tasks/assignments/{a}/", "/tasks/review/", f"/tasks/review/{submission.pk}/",
                f"/tasks/extensions/{extension.pk}/", f"/tasks/assignments/{a}/deadline/", "/tasks/integrity/",
                "/tasks/manage/", f"/tasks/manage/tasks/{cast.task.pk}/",
                f"/tasks/manage/tasks/{cast.task.pk}/measures/new/", f"/tasks/manage/measures/{cast.measure.pk}/"):
        assert_satisfies_csp(lead.get(url))
    for url in ("/tasks/mine/", f"/tasks/assignments/{a}/"):
        assert_satisfies_csp(unit.get(url))
    assert_satisfies_csp(unit.post(f"/tasks/assignments/{a}/submit/", {"text": "进展", "percent": "100"}))


def test_a_returned_item_shows_its_return_reason_above_everything_else(frozen, cast, login, submit_with):
    first = submit_with(cast.street_assignment, cast.street_user, text="第一次报送内容")
    first.decide(cast.lead, Review.Decision.RETURN, "请补充签到表", datetime.date(2024, 6, 20))
    page = page_of(login(cast.street_user), cast.street_assignment)
    notice = page.index('data-testid="return-reason"')
    assert "退回原因：请补充签到表" in page[notice:notice + 200]
    assert notice < page.index('data-testid="task-heading"') < page.index('data-testid="submit-form"')
    assert 'href="#submit"' in page


def test_no_return_notice_once_the_unit_has_reported_again(frozen, cast, login, submit_with):
    first = submit_with(cast.street_assignment, cast.street_user, text="第一次报送内容")
    first.decide(cast.lead, Review.Decision.RETURN, "请补充签到表", datetime.date(2024, 6, 20))
    submit_with(cast.street_assignment, cast.street_user, text="补充后的报送")
    page = page_of(login(cast.street_user), cast.street_assignment)
    assert 'data-testid="returned-notice"' not in page
    assert "退回原因：请补充签到表" in page  # still in the record below


def test_the_file_picker_offers_the_allowed_types(frozen, cast, login):
    page = page_of(login(cast.street_user), cast.street_assignment)
    picker = page.split('type="file"', 1)[1].split(">", 1)[0]
    assert 'accept="' in picker and ".pdf" in picker and "image/jpeg" in picker and ".exe" not in picker
