"""A lead unit (牵头单位 of a measure or of its task) sees every owner's assignment of the measures it leads,
changes only its own, and reports the summary; 我的任务 lists its led measures apart."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Measure
from tasks.models import Assignment, ExtensionRequest, Submission
from tests.conftest import make_user
from tests.tasks.conftest import PDF, upload
from tracker.workbench import work_items


@pytest.fixture
def led(cast):
    """The finance bureau leads the cast's measure; the street office is a supporting owner of it."""
    cast.measure.lead_units.add(cast.finance)
    return cast


def page(client, a):
    return client.get(reverse("tasks:assignment", args=[a.pk]))


def test_the_lead_sees_a_supporters_item_read_only(frozen, led, login, submit_with):
    submit_with(led.street_assignment, led.street_user, text="街道已组织两期轮训。")
    response = page(login(led.finance_user), led.street_assignment)
    assert response.status_code == 200
    html = response.content.decode()
    assert "光复道街道办事处" in html and "街道已组织两期轮训。" in html
    assert "此项由光复道街道办事处报送，本单位不能代为报送或申请延期。" in html
    assert 'data-testid="submit-form"' not in html and 'data-testid="extension-form"' not in html


def test_the_lead_cannot_report_or_ask_an_extension_for_a_supporter(frozen, led, login):
    client = login(led.finance_user)
    a = led.street_assignment
    response = client.post(reverse("tasks:submit", args=[a.pk]),
                           {"text": "代报", "percent": "100", "files": [upload("a.pdf", PDF)]})
    assert response.status_code == 403
    response = client.post(reverse("tasks:extension_request", args=[a.pk]),
                           {"requested_due_on": "2024-08-31", "reason": "代为申请"})
    assert response.status_code == 403
    assert not Submission.objects.exists() and not ExtensionRequest.objects.exists()


def test_a_supporter_does_not_see_the_leads_item(led, login):
    assert page(login(led.street_user), led.finance_assignment).status_code == 404


def test_an_unrelated_unit_still_gets_404(led, login):
    assert page(login(led.outsider), led.street_assignment).status_code == 404
    response = login(led.outsider).post(reverse("tasks:submit", args=[led.street_assignment.pk]),
                                        {"text": "x", "percent": "10"})
    assert response.status_code == 404


def test_a_tasks_lead_sees_every_owner_of_its_measures(cast, login):
    cast.task.lead_units.add(cast.street)
    assert page(login(cast.street_user), cast.finance_assignment).status_code == 200
    assert page(login(cast.finance_user), cast.street_assignment).status_code == 404


def test_the_leads_own_page_shows_every_owner_and_asks_for_the_summary(frozen, led, login):
    Assignment.objects.filter(pk=led.street_assignment.pk).update(status="done", percent=100)
    html = page(login(led.finance_user), led.finance_assignment).content.decode()
    owners = html.split('data-testid="owners"')[1].split("</section>")[0]
    assert "区财政局" in owners and "光复道街道办事处" in owners and "已完成" in owners
    assert "牵头单位汇总报送" in html and 'data-testid="submit-form"' in html


def test_a_supporters_page_has_no_owners_table(frozen, led, login):
    html = page(login(led.street_user), led.street_assignment).content.decode()
    assert 'data-testid="owners"' not in html and "牵头单位汇总报送" not in html


def test_the_lead_reads_a_supporters_evidence(frozen, led, login, submit_with):
    submission = submit_with(led.street_assignment, led.street_user)
    evidence = submission.evidence.get()
    assert login(led.finance_user).get(reverse("tasks:evidence", args=[evidence.pk])).status_code == 200
    assert login(led.outsider).get(reverse("tasks:evidence", args=[evidence.pk])).status_code == 404


def test_my_tasks_lists_the_own_units_work_and_a_tab_for_led_items(frozen, led, login):
    html = login(led.finance_user).get(reverse("tasks:my_tasks")).content.decode()
    assert reverse("tasks:assignment", args=[led.finance_assignment.pk]) in html
    assert reverse("tasks:assignment", args=[led.street_assignment.pk]) not in html
    assert "我牵头的事项" in html
    street = login(led.street_user).get(reverse("tasks:my_tasks")).content.decode()
    assert 'data-testid="mine-tabs"' not in street


def test_led_items_list_each_measure_with_its_owners_progress(frozen, led, login):
    Assignment.objects.filter(pk=led.street_assignment.pk).update(status="done", percent=100,
                                                                  completed_on=datetime.date(2024, 6, 18))
    html = login(led.finance_user).get(reverse("tasks:led_items")).content.decode()
    item = html.split('data-testid="led-measure"')[1].split("</section>")[0]
    assert "2024年6月底前完成全员轮训。" in item
    assert "共 2 项：已完成 1" in item
    assert "区财政局" in item and "光复道街道办事处" in item
    assert reverse("tasks:assignment", args=[led.street_assignment.pk]) in item


def test_led_items_for_a_unit_that_leads_nothing(led, login):
    html = login(led.street_user).get(reverse("tasks:led_items")).content.decode()
    assert "本单位没有牵头的措施。" in html


def test_led_items_send_the_lead_office_to_all_tasks(led, login):
    response = login(led.lead).get(reverse("tasks:led_items"))
    assert response.status_code == 302 and response["Location"] == reverse("tasks:assignments")


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lead_pages_take_the_same_queries_for_more_owners_and_measures(frozen, led, login):
    client = login(led.finance_user)
    urls = [reverse("tasks:led_items"), reverse("tasks:assignment", args=[led.finance_assignment.pk]),
            reverse("tasks:my_tasks"), reverse("tasks:ledger")]
    few = [_count(client, url) for url in urls]
    for i in range(6):
        unit = led.street.__class__.objects.create(name=f"第{i}街道办事处", kind="street")
        make_user(f"street{i}", "unit", unit)
        Assignment.objects.create(measure=led.measure, unit=unit, due_on=led.measure.due_on)
        m = Measure.objects.create(task=led.task, order=10 + i, text=f"第{i}项牵头措施", target_value=2,
                                   target_unit="次")
        m.lead_units.add(led.finance)
        Assignment.objects.create(measure=m, unit=unit, due_on=led.measure.due_on)
    assert [_count(client, url) for url in urls] == few


def test_the_owners_table_shows_a_pending_reports_figures(frozen, led, login):
    Measure.objects.filter(pk=led.measure.pk).update(target_value=60, target_unit="学时", target_per_person=True)
    street = Assignment.objects.get(pk=led.street_assignment.pk)
    street.submit(led.street_user, "已培训。", 80, datetime.date(2024, 6, 20), achieved_value=55, staff_total=18,
                  staff_reached=15)
    html = page(login(led.finance_user), led.finance_assignment).content.decode()
    owners = html.split('data-testid="owners"')[1].split("</section>")[0]
    assert "待审核：55/60学时，达标15/18人" in owners and "已培训。" in owners


def test_led_items_open_the_current_period(frozen, led, login):
    """On 2024年6月20日 the 2024 period is open, 2023's (past its due date) folded."""
    yearly = Measure.objects.create(task=led.task, order=5, text="每年开展一次执法案卷评查。", recurrence="yearly")
    yearly.lead_units.add(led.finance)
    for year in (2023, 2024):
        for unit in (led.finance, led.street):
            Assignment.objects.create(measure=yearly, unit=unit, period=f"{year}年",
                                      due_on=datetime.date(year, 12, 31))
    html = login(led.finance_user).get(reverse("tasks:led_items")).content.decode()
    item = [part for part in html.split('data-testid="led-measure"') if "每年开展一次执法案卷评查。" in part][0]
    periods = re.findall(r'<details class="period"( open)? data-testid="led-period">\s*<summary><strong>(.*?)</strong>',
                         item)
    assert periods == [("", "2023年"), (" open", "2024年")]
    assert "共 4 项：已完成 0 · <span class=\"tag red\">逾期 2</span>" in item


def test_the_leads_home_page_counts_its_own_work_only(frozen, led, submit_with):
    """The supporter's overdue item and pending report are the supporter's to act on, not the lead's."""
    Assignment.objects.filter(pk=led.street_assignment.pk).update(due_on=datetime.date(2024, 6, 1))
    submit_with(led.street_assignment, led.street_user)
    counts = {item.label: item.count for item in work_items(led.finance_user, datetime.date(2024, 6, 20), None)}
    assert (counts["已逾期"], counts["7日内到期"], counts["待审核的报送"]) == (0, 0, 0)
    street = {item.label: item.count for item in work_items(led.street_user, datetime.date(2024, 6, 20), None)}
    assert (street["已逾期"], street["待审核的报送"]) == (1, 1)
