"""The lead office's flows of issue #17 in a real browser: 批量通过 from the queue, a 定期调度 that opens itself
and reaches the unit's 每日汇总, 回头看 of a finished item that the unit then reads, and the import preview keeping
the names chosen through a 修正此任务 fix (import_preview.js) while the warning it answered goes away."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.sweep import run_sweep
from plans.models import Unit
from tasks import uploads
from tasks.models import Assignment, Review, RoundSchedule, Submission
from tasks.rounds import run_schedules
from tests.e2e.test_story import sign_in
from tests.plans.test_preview_fixes import TEXT
from tests.tasks.conftest import PDF, upload

pytestmark = pytest.mark.e2e

# A working morning; time goes on (tick) so that the browser's session behaves as it would.
MORNING = datetime.datetime(2024, 6, 3, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def report(assignment, user, percent=100):
    files = uploads.check_files([upload("签到表.pdf", PDF)])
    return uploads.save_submission(assignment, author=user, text="已完成全员轮训。", percent=percent, files=files,
                                   today=timezone.localdate())


def test_bulk_approve_ticks_every_report_and_accepts_them_with_one_comment(cast, live_server, open_page, clock):
    report(cast.street_assignment, cast.street_user)
    report(cast.finance_assignment, cast.finance_user)
    page = sign_in(open_page, live_server.url, "lead")
    page.goto(live_server.url + reverse("tasks:review_queue"))
    page.locator("[data-select-all=submissions]").check()
    assert page.locator("input[name=submissions]:checked").count() == 2
    form = page.locator("[data-testid=bulk-accept]")
    form.locator("textarea[name=reason]").fill("材料齐全，同意")
    form.locator("[data-testid=bulk-submit]").click()
    page.wait_for_load_state()
    assert "已通过2项报送。" in page.content()
    assert "没有待审核的报送。" in page.locator("[data-testid=review-queue]").inner_text()
    assert set(Submission.objects.values_list("state", flat=True)) == {Submission.State.ACCEPTED}
    assert set(Review.objects.values_list("reason", flat=True)) == {"材料齐全，同意"}
    assert set(Assignment.objects.values_list("status", flat=True)) == {Assignment.Status.DONE}


def test_a_scheduled_round_opens_itself_and_the_unit_reads_it_in_its_digest(cast, live_server, open_page, clock):
    clock.move_to(datetime.datetime(2024, 6, 1, 9, 0, tzinfo=MORNING.tzinfo))  # the 1st: a monthly round opens today
    page = sign_in(open_page, live_server.url, "lead")
    page.goto(f"{live_server.url}{reverse('tasks:rounds')}?plan={cast.plan.pk}")
    page.locator("[data-testid=schedule-new]").click()
    form = page.locator("[data-testid=schedule-form]")
    form.locator("input[name=schedule-title]").fill("月度工作调度")
    form.locator("input[name=schedule-frequency][value=monthly]").check()
    form.locator("input[name=schedule-due_days]").fill("10")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "首次将于2024年6月1日自动发起" in page.content()
    assert RoundSchedule.objects.get().next_open_on == datetime.date(2024, 6, 1)

    run_schedules(timezone.localdate(), timezone.now())  # the daily job, shortly after midnight
    run_sweep(timezone.localdate(), documents="never")  # the morning's sweep and its digests
    page.goto(f"{live_server.url}{reverse('tasks:rounds')}?plan={cast.plan.pk}")
    assert "月度工作调度（2024年6月）" in page.locator("[data-testid=rounds]").inner_text()

    street = sign_in(open_page, live_server.url, "street")
    street.goto(live_server.url + reverse("notifications:inbox"))
    inbox = street.content()
    assert "调度通知1项" in inbox
    notice = street.locator("[data-testid=round-notice]").inner_text()
    assert "调度通知" in notice and "月度工作调度（2024年6月）：请于2024年6月11日前报送所涉任务的进展" in notice


def test_reopen_a_finished_item_and_the_unit_reads_why(cast, live_server, open_page, clock):
    report(cast.street_assignment, cast.street_user).decide(cast.lead, Review.Decision.ACCEPT, "",
                                                             timezone.localdate())
    page = sign_in(open_page, live_server.url, "lead")
    page.goto(live_server.url + reverse("tasks:assignment", args=[cast.street_assignment.pk]))
    page.locator("[data-testid=reopen]").click()
    page.locator("[data-testid=reopen-form] textarea[name=reason]").fill("抽查发现签到表缺页，请补报")
    page.locator("[data-testid=reopen-form] input[name=due_on]").fill((timezone.localdate() + datetime.timedelta(days=10)).isoformat())
    page.locator("[data-testid=reopen-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text() == "进行中"

    street = sign_in(open_page, live_server.url, "street")
    street.goto(live_server.url + reverse("tasks:assignment", args=[cast.street_assignment.pk]))
    assert street.locator("[data-testid=reopen-reason]").inner_text() == "回头看原因：抽查发现签到表缺页，请补报"
    assert street.locator("[data-testid=submit-form]").count() == 1  # the unit can report again


def test_import_preview_keeps_the_chosen_names_through_a_task_fix_and_drops_the_answered_warning(
        cast, live_server, open_page, clock):
    city = Unit.objects.create(name="区城市管理委")
    page = sign_in(open_page, live_server.url, "lead")
    page.goto(live_server.url + reverse("plans:import"))
    page.locator("input[type=file]").set_input_files(
        [{"name": "plan.txt", "mimeType": "text/plain", "buffer": TEXT.encode("utf-8")}])
    page.locator("button.primary", has_text="上传并预览").click()
    page.wait_for_url("**/plans/import/preview/**")
    page.locator("#confirm select[name=name_0]").select_option(f"unit:{city.pk}")
    task = page.locator("#t-1")
    task.locator("summary", has_text="修正此任务").click()
    fix = task.locator("form.fix-form").first
    fix.locator("textarea[name=units]").fill("区财政局")
    fix.locator("button", has_text="保存责任单位").click()
    page.wait_for_load_state()
    assert "已修改" in page.content()
    assert page.locator("#confirm select[name=name_0]").input_value() == f"unit:{city.pk}"
    warnings = page.locator("[data-testid=preview-warnings]")
    assert warnings.count() == 0 or "规范执法程序" not in warnings.inner_text()
    page.locator("[data-testid=confirm-import]").click()
    page.wait_for_url("**/plans/*/")
    said = page.locator("ul.messages").inner_text()
    assert "新建实施方案" in said and "规范执法程序" not in said  # the answered warning does not come back
