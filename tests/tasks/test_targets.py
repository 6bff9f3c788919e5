"""Targets as figures: a measure with a target asks the unit for the achieved figure (and, per person, how many
staff and how many reached it); the accepted figure is the assignment's; pages and exports show achieved /
target and whether it is met."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Measure
from tasks.models import Assignment, Figures, Review, Submission
from tests.tasks.conftest import PDF, upload

D = Decimal


@pytest.fixture
def targets(cast):
    """Two targeted measures of the cast's task: 60学时 per person (yearly) and 2次 (yearly)."""
    cast.training = Measure.objects.create(
        task=cast.task, order=2, text="行政执法人员每人每年参加不少于60学时的公共法律知识和业务知识培训。",
        recurrence="yearly", target_value=D(60), target_unit="学时", target_per_person=True)
    cast.checks = Measure.objects.create(task=cast.task, order=3, text="每年开展不少于2次执法检查。",
                                         recurrence="yearly", target_value=D(2), target_unit="次")
    due = datetime.date(2024, 12, 31)
    for measure, name in ((cast.training, "training"), (cast.checks, "checks")):
        measure.units.add(cast.finance, cast.street)
        for unit, who in ((cast.finance, "finance"), (cast.street, "street")):
            a = Assignment.objects.create(measure=measure, unit=unit, period="2024年", due_on=due)
            setattr(cast, f"{who}_{name}", a)
    return cast


def submit_url(a):
    return reverse("tasks:submit", args=[a.pk])


def report(client, a, **figures):
    return client.post(submit_url(a), {"text": "已组织培训。", "percent": "100", "files": [upload("签到表.pdf", PDF)],
                                       **figures})


# --- the form ---

def test_a_per_person_target_asks_for_the_figure_and_the_staff_counts(frozen, targets, login):
    page = login(targets.finance_user).get(reverse("tasks:assignment", args=[targets.finance_training.pk]))
    html = page.content.decode()
    assert "人均完成数（学时）" in html and "执法人员总数" in html and "达标人数" in html
    assert "目标：每人 60 学时。" in html


def test_a_plain_target_asks_for_the_figure_only(frozen, targets, login):
    html = login(targets.finance_user).get(reverse("tasks:assignment", args=[targets.finance_checks.pk])).content
    html = html.decode()
    assert "完成数（次）" in html and "执法人员总数" not in html


def test_a_measure_without_a_target_asks_for_no_figure(frozen, targets, login):
    html = login(targets.finance_user).get(reverse("tasks:assignment", args=[targets.finance_assignment.pk]))
    assert 'data-testid="figure-fields"' not in html.content.decode()


def test_the_figures_are_stored_on_the_submission_and_wait_for_review(frozen, targets, login):
    response = report(login(targets.finance_user), targets.finance_training,
                      achieved_value="58.5", staff_total="48", staff_reached="45")
    assert response.status_code == 302
    s = Submission.objects.get()
    assert (s.achieved_value, s.staff_total, s.staff_reached) == (D("58.5"), 48, 45)
    a = Assignment.objects.get(pk=targets.finance_training.pk)
    assert (a.achieved_value, a.staff_total, a.staff_reached, a.target_met()) == (None, None, None, None)


@pytest.mark.parametrize(("figures", "message"), [
    ({"achieved_value": "62", "staff_total": "48", "staff_reached": "50"}, "达标人数不能大于执法人员总数。"),
    ({"staff_total": "48", "staff_reached": "45"}, "请填写人均完成数（学时）。"),
    ({"achieved_value": "62", "staff_reached": "45"}, "请填写执法人员总数。"),
    ({"achieved_value": "62", "staff_total": "48"}, "请填写达标人数。"),
    ({"achieved_value": "六十", "staff_total": "48", "staff_reached": "45"}, "人均完成数（学时）请填写数字。"),
    ({"achieved_value": "-1", "staff_total": "48", "staff_reached": "45"}, "人均完成数（学时）不能小于0。"),
    ({"achieved_value": "62", "staff_total": "0", "staff_reached": "0"}, "执法人员总数不能小于1。"),
])
def test_bad_per_person_figures_are_refused_in_chinese(frozen, targets, login, figures, message):
    response = report(login(targets.finance_user), targets.finance_training, **figures)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Submission.objects.exists()


def test_a_targeted_measure_refuses_a_report_without_the_figure(frozen, targets, login):
    response = report(login(targets.finance_user), targets.finance_checks)
    assert "请填写完成数（次）。" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_percentage_cannot_pass_100(frozen, targets, login):
    targets.checks.target_value, targets.checks.target_unit = D(100), "%"
    targets.checks.save()
    response = report(login(targets.finance_user), targets.finance_checks, achieved_value="120")
    assert "完成数（%）不能大于100%。" in response.content.decode()


def test_figures_sent_for_a_measure_without_a_target_are_ignored(frozen, targets, login):
    report(login(targets.finance_user), targets.finance_assignment, achieved_value="5", staff_total="3")
    s = Submission.objects.get()
    assert (s.achieved_value, s.staff_total, s.staff_reached) == (None, None, None)


# --- review: what the reviewer sees, a report below target, the figures copied on acceptance ---

@pytest.fixture
def below(frozen, targets, login):
    """The finance bureau reports 58 hours per person, 45 of 48 staff reached 60."""
    report(login(targets.finance_user), targets.finance_training,
           achieved_value="58", staff_total="48", staff_reached="45")
    return Submission.objects.get()


def test_the_reviewer_sees_achieved_against_target(below, targets, login):
    html = login(targets.lead).get(reverse("tasks:review", args=[below.pk])).content.decode()
    assert "人均完成 58 / 目标 每人 60 学时，达标 45 / 48 人（未达标）" in html
    assert 'data-testid="below-target"' in html


def test_accepting_below_target_needs_a_reason(below, targets, login):
    client = login(targets.lead)
    response = client.post(reverse("tasks:review", args=[below.pk]), {"decision": "accept", "reason": " "})
    assert "报送的完成数未达到目标，通过时须填写意见说明理由；也可选择退回。" in response.content.decode()
    below.refresh_from_db()
    assert below.is_pending
    response = client.post(reverse("tasks:review", args=[below.pk]),
                           {"decision": "accept", "reason": "3人因病休假，已安排补训。"})
    assert response.status_code == 302
    assert Review.objects.get().reason == "3人因病休假，已安排补训。"


def test_accepting_copies_the_figures_to_the_assignment(below, targets):
    below.decide(targets.lead, Review.Decision.ACCEPT, "同意", datetime.date(2024, 6, 20))
    a = Assignment.objects.select_related("measure").get(pk=targets.finance_training.pk)
    assert (a.achieved_value, a.staff_total, a.staff_reached) == (D(58), 48, 45)
    assert a.target_met() is False
    assert a.history.first().achieved_value == D(58)  # the as-of reports read it from the history


def test_returning_leaves_the_assignments_figures_alone(below, targets):
    below.decide(targets.lead, Review.Decision.RETURN, "请补充签到表", datetime.date(2024, 6, 20))
    a = Assignment.objects.get(pk=targets.finance_training.pk)
    assert (a.achieved_value, a.staff_total, a.staff_reached) == (None, None, None)


def test_a_report_meeting_its_target_is_accepted_without_a_reason(frozen, targets, login):
    report(login(targets.street_user), targets.street_checks, achieved_value="3")
    s = Submission.objects.get()
    response = login(targets.lead).post(reverse("tasks:review", args=[s.pk]), {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    assert Assignment.objects.get(pk=targets.street_checks.pk).target_met() is True


# --- the rule and its SQL twin ---

@pytest.mark.parametrize(("figures", "met"), [
    (Figures(D(60), "学时", True, D(62), 48, 48), True),
    (Figures(D(60), "学时", True, D(62), 48, 45), False),  # not every member of staff reached it
    (Figures(D(60), "学时", True, D(58), 48, 48), False),  # the figure is below the target
    (Figures(D(60), "学时", True, None, 48, 48), None),  # the figure is missing
    (Figures(D(60), "学时", True, D(62), None, None), None),
    (Figures(None, "", True, None, 10, 10), True),  # per person, no figure: everyone reached it
    (Figures(D(2), "次", False, D(2)), True),
    (Figures(D(2), "次", False, D("1.5")), False),
    (Figures(D(2), "次", False, None), None),
    (Figures(None, "", False, D(5)), None),  # no target
])
def test_target_met(figures, met):
    assert figures.met is met


def test_target_met_agrees_with_its_sql_twin(frozen, targets):
    rows = [
        (targets.finance_training, D(62), 48, 48), (targets.street_training, D(62), 48, 40),
        (targets.finance_checks, D(2), None, None), (targets.street_checks, D(1), None, None),
        (targets.finance_assignment, D(9), None, None),
    ]
    for a, achieved, total, reached in rows:
        Assignment.objects.filter(pk=a.pk).update(achieved_value=achieved, staff_total=total, staff_reached=reached)
    everything = list(Assignment.objects.select_related("measure"))
    assert {a.pk for a in everything if a.target_met()} == set(
        Assignment.objects.filter(Assignment.target_met_q()).values_list("pk", flat=True)) == {
        targets.finance_training.pk, targets.finance_checks.pk}
    assert {a.pk for a in everything if a.figures.targeted} == set(
        Assignment.objects.filter(Assignment.targeted_q()).values_list("pk", flat=True))


# --- achieved / target on the pages and in the exports ---

@pytest.fixture
def accepted(frozen, targets):
    """Accepted figures: finance 58 h (45/48 staff), street 3 checks."""
    Assignment.objects.filter(pk=targets.finance_training.pk).update(
        status="done", achieved_value=D(58), staff_total=48, staff_reached=45)
    Assignment.objects.filter(pk=targets.street_checks.pk).update(status="done", achieved_value=D(3))
    return targets


def test_the_assignment_page_shows_the_accepted_figure(accepted, login):
    html = login(accepted.finance_user).get(reverse("tasks:assignment", args=[accepted.finance_training.pk]))
    html = html.content.decode()
    fig = html.split('data-testid="figures">')[1].split("</dd>")[0]
    assert "58/60学时，达标45/48人" in fig and "未达标" in fig


def test_ledger_and_exports_show_achieved_over_target(accepted, login):
    client = login(accepted.lead)
    expected = {
        ("行政执法人员每人每年参加不少于60学时的公共法律知识和业务知识培训。", "区财政局"): "58/60学时，达标45/48人（未达标）",
        ("行政执法人员每人每年参加不少于60学时的公共法律知识和业务知识培训。", "光复道街道办事处"): "—/60学时，达标—人",
        ("每年开展不少于2次执法检查。", "光复道街道办事处"): "3/2次（达标）",
        ("每年开展不少于2次执法检查。", "区财政局"): "—/2次",
        ("2024年6月底前完成全员轮训。", "区财政局"): "",
    }
    column = 9
    body = client.get(reverse("tasks:ledger")).content.decode()
    assert "<th" in body and "完成/目标" in body
    from tests.tasks.test_ledger import screen_rows, xlsx_rows
    screen = {(r[3], r[4]): r[column] for r in screen_rows(body)}
    sheet = xlsx_rows(client.get(reverse("tasks:ledger_xlsx")))
    assert sheet[0][column] == "完成/目标"
    cells = {(r[3], r[4]): r[column] for r in sheet[1:]}
    raw = b"".join(client.get(reverse("tasks:ledger_csv")).streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(raw)))
    assert table[0][column] == "完成/目标"
    texts = {(r[3], r[4]): r[column] for r in table[1:]}
    for key, text in expected.items():
        assert texts[key] == text
        assert (cells[key] or "") == text
        assert screen[key] == (text or "—")


def test_the_dashboard_counts_targets_met_per_task(accepted, login):
    html = login(accepted.lead).get(reverse("tasks:dashboard")).content.decode()
    cell = html.split(f'data-testid="targets-{accepted.task.pk}">')[1].split("</td>")[0]
    assert cell == "1/4"  # of 4 targeted assignments, the street office's 3 checks meet theirs


def test_the_dashboards_query_count_does_not_grow_with_targeted_assignments(accepted, login, cast):
    client = login(cast.lead)

    def count():
        client.get(reverse("tasks:dashboard"))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("tasks:dashboard"))
        return len(ctx.captured_queries)

    few = count()
    for i in range(5):
        m = Measure.objects.create(task=cast.task, order=10 + i, text=f"第{i}项", target_value=D(1), target_unit="次")
        for unit in (cast.finance, cast.street):
            Assignment.objects.create(measure=m, unit=unit, achieved_value=D(i))
    assert count() == few
