import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from reports import models as report_models
from reports.models import ReportJob
from tests.paging import JUNK_PAGES
from tests.reports.conftest import at

TODAY = datetime.date(2025, 7, 10)


@pytest.fixture
def clock():
    with at(2025, 7, 10, 9):
        yield


def ask(client, **data):
    return client.post(reverse("reports:index"), {"as_of": "2025-06-30", **data})


def test_lead_office_asks_for_the_inspection_report_and_downloads_it(cast, login, clock):
    client = login(cast.lead)
    response = ask(client, kind="inspection", plan=cast.plan.pk)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.state == ReportJob.State.DONE and job.progress == 100 and job.requested_by == cast.lead
    page = client.get(reverse("reports:index")).content.decode()
    assert job.title in page and reverse("reports:download", args=[job.pk, "pdf"]) in page
    pdf = b"".join(client.get(reverse("reports:download", args=[job.pk, "pdf"])).streaming_content)
    assert "督察进展报告" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    xlsx = client.get(reverse("reports:download", args=[job.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]


def test_inspector_may_ask_for_a_report(cast, login, clock):
    client = login(cast.inspector)
    assert client.get(reverse("reports:index")).status_code == 200
    response = ask(client, kind="task", plan=cast.plan.pk, task=cast.task.pk)
    assert response.status_code == 302
    assert ReportJob.objects.get().state == ReportJob.State.DONE


def test_liaison_gets_its_own_units_report_only(cast, login, clock):
    client = login(cast.finance_user)
    form = client.get(reverse("reports:index")).content.decode()
    assert cast.finance.name in form and cast.street.name not in form and "督察进展报告（全方案）" not in form
    assert ask(client, kind="unit", plan=cast.plan.pk, unit=cast.street.pk).status_code == 200  # form error
    refused = ask(client, kind="inspection", plan=cast.plan.pk)  # a kind it may not ask for (tracker.access)
    assert refused.status_code == 403 and "只能生成本单位的报告。" in refused.content.decode()
    assert not ReportJob.objects.exists()
    assert ask(client, kind="unit", plan=cast.plan.pk, unit=cast.finance.pk).status_code == 302
    job = ReportJob.objects.get()
    assert job.unit == cast.finance


def test_liaison_cannot_see_another_units_report(cast, login, clock):
    ask(login(cast.lead), kind="unit", plan=cast.plan.pk, unit=cast.finance.pk)
    ask(login(cast.lead), kind="inspection", plan=cast.plan.pk)
    unit_job, plan_job = ReportJob.objects.order_by("id")
    street = login(cast.street_user)
    for job in (unit_job, plan_job):
        assert street.get(job.get_absolute_url()).status_code == 404
        assert street.get(reverse("reports:download", args=[job.pk, "pdf"])).status_code == 404
    finance = login(cast.finance_user)
    assert finance.get(unit_job.get_absolute_url()).status_code == 200
    assert finance.get(plan_job.get_absolute_url()).status_code == 404
    assert plan_job.title not in finance.get(reverse("reports:index")).content.decode()
    assert login(cast.outsider).get(unit_job.get_absolute_url()).status_code == 404


def test_future_date_and_missing_unit_are_refused(cast, login, clock):
    client = login(cast.lead)
    response = client.post(reverse("reports:index"), {"kind": "unit", "plan": cast.plan.pk, "as_of": "2025-08-01"})
    page = response.content.decode()
    assert response.status_code == 200 and "截至日期不能晚于今天。" in page and "单位报告请选择责任单位。" in page
    assert not ReportJob.objects.exists()


def test_a_date_before_the_plan_was_issued_is_refused(cast, login, clock):
    response = login(cast.inspector).post(reverse("reports:index"),
                                          {"kind": "inspection", "plan": cast.plan.pk, "as_of": "1999-01-01"})
    assert response.status_code == 200
    assert "截至日期早于方案印发日期（2024年6月14日），该日尚无任何任务。" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_large_report_renders_in_a_background_job_with_progress(cast, login, clock, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    monkeypatch.setattr(report_models, "SYNC_LIMIT", 0)
    client = login(cast.lead)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(client, kind="inspection", plan=cast.plan.pk)
    job = ReportJob.objects.get()
    assert job.state == ReportJob.State.QUEUED
    page = client.get(job.get_absolute_url()).content.decode()
    assert "js/reports.js" in page and "<progress" in page
    assert client.get(reverse("reports:status", args=[job.pk])).json()["finished"] is False
    for callback in callbacks:  # Huey runs immediately in the tests
        callback()
    status = client.get(reverse("reports:status", args=[job.pk])).json()
    assert status == {"state": "done", "state_label": "已完成", "progress": 100, "stage": "已完成", "finished": True}
    assert "下载PDF" in client.get(job.get_absolute_url()).content.decode()


def test_anonymous_visitor_is_sent_to_login(db):
    response = Client().get(reverse("reports:index"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_report_list_takes_the_same_queries_for_more_reports(cast, login):
    client = login(cast.lead)

    def add(n):
        ReportJob.objects.bulk_create([
            ReportJob(kind=kind, plan=cast.plan, unit=cast.finance if kind == "unit" else None,
                      task=cast.task if kind == "task" else None, as_of=TODAY, requested_by=cast.lead)
            for i in range(n) for kind in ("inspection", "unit", "task")])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:index")).status_code == 200
        return len(ctx.captured_queries)

    add(1)
    count()  # the first request of a session does one-off work (session, permissions)
    few = count()
    add(10)
    assert count() == few


def test_report_list_pages_through_every_kept_report(cast, login):
    """Reports are kept for inspection: older ones are a page away, not cut off."""
    with at(2025, 7, 1, 9):
        ReportJob.objects.bulk_create(
            ReportJob(kind="inspection", plan=cast.plan, as_of=datetime.date(2025, 6, 1) + datetime.timedelta(days=i),
                      requested_by=cast.lead) for i in range(60))
    client = login(cast.lead)
    first = client.get(reverse("reports:index")).content.decode()
    second = client.get(reverse("reports:index"), {"page": 2}).content.decode()
    newest, oldest = (f'href="{job.get_absolute_url()}"' for job in
                      (ReportJob.objects.order_by("-id").first(), ReportJob.objects.order_by("id").first()))
    assert newest in first and oldest not in first and "共 60 条" in first
    assert oldest in second and newest not in second
    for junk in JUNK_PAGES:
        assert client.get(reverse("reports:index"), {"page": junk}).status_code == 200
