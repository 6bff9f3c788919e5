"""调度: opening a round, who reported on time, late or not at all, the export, and closing it."""

import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Measure, Task, Unit
from tasks import rounds
from tasks.models import Assignment, ReportingRound, Submission
from tests.xlsx import table, total_row

BJ = datetime.timezone(datetime.timedelta(hours=8))
OPENED = datetime.datetime(2024, 6, 20, 9, 0, tzinfo=BJ)


def at(day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(2024, 6, day, hour, 0, tzinfo=BJ), tick=False)


def submit(assignment, user, rnd=None):
    return Submission.objects.create(assignment=assignment, author=user, text="进展", percent=40, round=rnd)


@pytest.fixture
def opened(cast):
    """A round opened on 20 June for both units, due 25 June."""
    with time_machine.travel(OPENED, tick=False):
        rnd = ReportingRound.objects.create(plan=cast.plan, title="6月调度", due_on=datetime.date(2024, 6, 25),
                                            created_by=cast.lead)
    rnd.units.add(cast.finance, cast.street)
    rnd.tasks.add(cast.task)
    cast.round = rnd
    return cast


def states(rnd):
    return {u.unit.name: (u.state, u.open_count) for u in rounds.reports([rnd])[0].units}


def test_form_defaults_to_every_task_and_every_unit_owing_work(cast, login):
    with at(20):
        page = login(cast.lead).get(reverse("tasks:round_new")).content.decode()
    assert "区财政局" in page and "光复道街道办事处" in page
    assert "区外单位" not in page and "区司法局" not in page
    assert page.count("checked") == 3  # one task, two units


def test_lead_opens_a_round(cast, login):
    with at(20):
        response = login(cast.lead).post(reverse("tasks:round_new") + f"?plan={cast.plan.pk}", {
            "title": "2024年6月工作调度", "due_on": "2024-06-25", "tasks": [cast.task.pk],
            "units": [cast.finance.pk, cast.street.pk]})
    rnd = ReportingRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tasks:round_detail", args=[rnd.pk])
    assert (rnd.plan, rnd.created_by, rnd.title) == (cast.plan, cast.lead, "2024年6月工作调度")
    assert set(rnd.units.all()) == {cast.finance, cast.street}


def test_round_refuses_a_past_date_and_units_without_open_work(cast, login):
    cast.street_assignment.status = Assignment.Status.DONE
    cast.street_assignment.save()
    with at(20):
        client = login(cast.lead)
        page = client.post(reverse("tasks:round_new"), {
            "title": "调度", "due_on": "2024-06-19", "tasks": [cast.task.pk], "units": [cast.finance.pk]}
        ).content.decode()
        assert "报送截止日期不能早于今天" in page
        other = Task.objects.create(plan=cast.plan, number=2, title="另一项任务", order=2)
        m = Measure.objects.create(task=other, order=1, text="另一项措施")
        Assignment.objects.create(measure=m, unit=cast.street, due_on=datetime.date(2024, 9, 30))
        page = client.post(reverse("tasks:round_new"), {
            "title": "调度", "due_on": "2024-06-25", "tasks": [cast.task.pk], "units": [cast.street.pk]}
        ).content.decode()
    assert "以下单位在所选任务中没有未完成的任务，无需报送：光复道街道办事处" in page
    assert ReportingRound.objects.count() == 0


def test_only_the_lead_office_opens_or_closes_rounds(opened, login):
    c = opened
    assert login(c.inspector).get(reverse("tasks:round_new")).status_code == 403
    assert login(c.inspector).post(reverse("tasks:round_new"), {"title": "x"}).status_code == 403
    assert login(c.inspector).post(reverse("tasks:round_close", args=[c.round.pk])).status_code == 403
    assert login(c.finance_user).get(reverse("tasks:rounds")).status_code == 403
    assert login(c.finance_user).get(reverse("tasks:round_detail", args=[c.round.pk])).status_code == 403
    assert login(c.inspector).get(reverse("tasks:round_detail", args=[c.round.pk])).status_code == 200
    assert login(c.lead).get(reverse("tasks:round_detail", args=[99999])).status_code == 404


def test_nobody_reported_yet(opened):
    assert states(opened.round) == {"区财政局": ("missing", 1), "光复道街道办事处": ("missing", 1)}


def test_on_time_late_and_missing(opened):
    c = opened
    with at(25, 23):
        submit(c.finance_assignment, c.finance_user, c.round)
    with at(26, 9):
        submit(c.street_assignment, c.street_user)  # untagged, but made while the round was open
    assert states(c.round) == {"区财政局": ("on_time", 1), "光复道街道办事处": ("late", 1)}
    report = rounds.reports([c.round])[0]
    assert (report.on_time, report.late, report.missing) == (1, 1, 0)


def test_the_first_submission_counts(opened):
    c = opened
    with at(27):
        submit(c.finance_assignment, c.finance_user, c.round)
    with at(28):
        submit(c.finance_assignment, c.finance_user, c.round)
    assert states(c.round)["区财政局"][0] == "late"


def test_submissions_before_the_round_or_after_it_closed_do_not_count(opened):
    c = opened
    with at(19):
        submit(c.finance_assignment, c.finance_user)
    with at(22):
        assert rounds.close_round(c.round, datetime.datetime.now(tz=BJ))
        assert not rounds.close_round(c.round, datetime.datetime.now(tz=BJ))
    with at(23):
        submit(c.street_assignment, c.street_user)
    c.round.refresh_from_db()
    assert states(c.round) == {"区财政局": ("missing", 1), "光复道街道办事处": ("missing", 1)}


def test_work_outside_the_rounds_tasks_does_not_count(opened):
    c = opened
    other = Task.objects.create(plan=c.plan, number=2, title="另一项任务", order=2)
    m = Measure.objects.create(task=other, order=1, text="另一项措施")
    elsewhere = Assignment.objects.create(measure=m, unit=c.finance, due_on=datetime.date(2024, 9, 30))
    with at(21):
        submit(elsewhere, c.finance_user)
    assert states(c.round)["区财政局"][0] == "missing"


def test_round_page_shows_counts_and_closes(opened, login):
    c = opened
    with at(21):
        submit(c.finance_assignment, c.finance_user, c.round)
        client = login(c.lead)
        page = client.get(reverse("tasks:round_detail", args=[c.round.pk])).content.decode()
        assert 'data-testid="round-on-time">1<' in page and 'data-testid="round-missing">1<' in page
        assert "结束调度" in page
        response = client.post(reverse("tasks:round_close", args=[c.round.pk]), follow=True)
    page = response.content.decode()
    assert "已结束" in page and "结束调度</button>" not in page
    c.round.refresh_from_db()
    assert c.round.closed_at is not None


def test_round_list_shows_every_round_with_counts(opened, login):
    with at(21):
        page = login(opened.inspector).get(reverse("tasks:rounds")).content.decode()
    assert "6月调度" in page and "进行中" in page and "发起调度" not in page


def test_round_xlsx(opened, login):
    c = opened
    with at(21, 14):
        submit(c.street_assignment, c.street_user, c.round)
        response = login(c.inspector).get(reverse("tasks:round_xlsx", args=[c.round.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = table(ws)
    assert rows[0] == ["序号", "责任单位", "在办任务数", "报送情况", "首次报送时间"]
    assert rows[1] == [1, "光复道街道办事处", 1, "按时报送", datetime.datetime(2024, 6, 21, 14, 0)]
    assert rows[2] == [2, "区财政局", 1, "未报送", None]
    assert total_row(ws) == ["合计", "共2个单位", "=SUM(C3:C4)", "按时报送1个，逾期报送0个，未报送1个", None]
    assert ws.auto_filter.ref == "A2:E4" and ws["E3"].is_date
    assert ws["A1"].value == "测试区提升行政执法质量三年行动实施方案调度：6月调度"
    assert response["Content-Disposition"].endswith(quote("测试区提升行政执法质量三年行动实施方案调度-6月调度-20240625.xlsx"))


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(1+1)"])
def test_round_xlsx_keeps_formula_like_names_as_text(opened, login, text):
    c = opened
    ReportingRound.objects.filter(pk=c.round.pk).update(title=text)
    Unit.objects.filter(pk=c.finance.pk).update(name=text + "局")
    response = login(c.inspector).get(reverse("tasks:round_xlsx", args=[c.round.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert [cell.value for cell in cells if cell.data_type == "f"] == ["=SUM(C3:C4)"]
    names = [cell for cell in cells if cell.value == text + "局"]
    assert names and all(cell.data_type == "s" and cell.quotePrefix for cell in names)
    assert ws["A1"].value.endswith(text)


def test_round_page_query_count_does_not_grow_with_units(opened, login):
    c = opened

    def add_units(n):
        start = Unit.objects.count()
        units = Unit.objects.bulk_create([Unit(name=f"单位{start + i}") for i in range(n)])
        Assignment.objects.bulk_create([Assignment(measure=c.measure, unit=u, due_on=c.measure.due_on)
                                        for u in units])
        c.round.units.add(*units)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert login(c.lead).get(reverse("tasks:round_detail", args=[c.round.pk])).status_code == 200
        return len(ctx)

    with at(21):
        add_units(10)
        small = queries()
        add_units(90)
        assert queries() == small


def test_a_round_naming_no_tasks_covers_every_task_of_its_plan(opened):
    c = opened
    c.round.tasks.clear()
    other = Task.objects.create(plan=c.plan, number=2, title="另一项任务", order=2)
    m = Measure.objects.create(task=other, order=1, text="另一项措施")
    elsewhere = Assignment.objects.create(measure=m, unit=c.finance, due_on=datetime.date(2024, 9, 30))
    with at(21):
        submit(elsewhere, c.finance_user)
    assert states(c.round) == {"区财政局": ("on_time", 2), "光复道街道办事处": ("missing", 1)}


def test_a_submission_tagged_with_the_round_counts(opened):
    c = opened
    with at(19):
        submit(c.street_assignment, c.street_user, c.round)
    assert states(c.round)["光复道街道办事处"][0] == "on_time"
