import datetime

from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from reports.models import MAX_RUNS, ReportJob
from reports.tasks import render_report_job
from tests.conftest import redis_down
from tests.reports.conftest import at
from tracker.recovery import recover


def test_background_job_keeps_both_files_and_tells_the_requester(cast):
    with at(2025, 7, 10, 9):
        job = ReportJob.objects.create(kind=ReportJob.Kind.INSPECTION, plan=cast.plan,
                                       as_of=datetime.date(2025, 6, 30), requested_by=cast.inspector)
        render_report_job(job.pk)  # Huey runs immediately in the tests
    job.refresh_from_db()
    assert (job.state, job.progress, job.error) == (ReportJob.State.DONE, 100, "")
    assert job.pdf.read(5) == b"%PDF-" and job.xlsx.size > 0
    assert job.file_name("pdf") == "督察进展报告-截至2025年6月30日.pdf"
    note = Notification.objects.get(user=cast.inspector)
    assert note.message.link == job.get_absolute_url() and "报告已生成" in note.message.subject


def test_failed_job_records_the_error_and_is_not_retried(cast, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr("reports.models.report_pdf", broken)
    with at(2025, 7, 10, 9):
        job = ReportJob.objects.create(kind=ReportJob.Kind.UNIT, plan=cast.plan, unit=cast.finance,
                                       as_of=datetime.date(2025, 6, 30), requested_by=cast.lead)
        render_report_job(job.pk)
        render_report_job(job.pk)  # a second delivery of the same job does nothing
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and "字体缺失" in job.error and not job.pdf
    assert job.finished_at is not None


# --- a worker that dies: the recovery job (tracker.recovery) finds the job by its heartbeat ---------------------

STALE = datetime.timedelta(seconds=900)  # settings.STALE_WORK_SECONDS


def killed_at_30_percent(cast, **fields) -> ReportJob:
    """A background job as a consumer killed (kill -9) while it typeset the PDF leaves it."""
    job = ReportJob.objects.create(kind=ReportJob.Kind.INSPECTION, plan=cast.plan, requested_by=cast.inspector,
                                   as_of=datetime.date(2025, 6, 30), **fields)
    assert job.claim()
    job._progress(30, "排版PDF")
    return job


def test_job_left_running_by_a_dead_worker_is_queued_again_and_finished(cast):
    with at(2025, 7, 10, 9):
        job = killed_at_30_percent(cast)
    with at(2025, 7, 10, 9, 14):  # within the cut-off: the worker may be alive, rendering
        assert recover(timezone.now())["reports"] == 0
    job.refresh_from_db()
    assert (job.state, job.progress, job.stage) == (ReportJob.State.RUNNING, 30, "排版PDF")
    with at(2025, 7, 10, 9, 16):
        assert recover(timezone.now())["reports"] == 1  # queued again; Huey runs it at once in the tests
    job.refresh_from_db()
    assert (job.state, job.progress, job.runs) == (ReportJob.State.DONE, 100, 2)
    assert job.pdf.read(5) == b"%PDF-"


def test_job_killed_on_every_run_fails_with_a_retry_button_for_its_requester(cast, login):
    with at(2025, 7, 10, 9):
        job = killed_at_30_percent(cast, runs=MAX_RUNS - 1)
    with at(2025, 7, 10, 9, 20):
        assert recover(timezone.now())["reports_failed"] == 1
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and "后台生成中断3次" in job.error
    assert "报告生成失败" in Notification.objects.get(user=cast.inspector).message.subject
    page = login(cast.inspector).get(job.get_absolute_url()).content.decode()
    assert "重新生成" in page and "后台生成中断3次" in page
    assert "重新生成" not in login(cast.finance_user).get(job.get_absolute_url()).content.decode()
    with at(2025, 7, 10, 9, 30):
        answer = login(cast.inspector).post(reverse("reports:retry", args=[job.pk]))
    assert answer["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.state, job.error) == (ReportJob.State.DONE, "") and job.pdf


def test_only_the_requester_or_the_lead_office_regenerates(cast, login):
    job = ReportJob.objects.create(kind=ReportJob.Kind.UNIT, plan=cast.plan, unit=cast.finance, error="中断",
                                   as_of=datetime.date(2025, 6, 30), requested_by=cast.lead,
                                   state=ReportJob.State.FAILED)
    url = reverse("reports:retry", args=[job.pk])
    assert login(cast.finance_user).post(url).status_code == 403  # sees its unit's report, did not ask for it
    assert login(cast.street_user).post(url).status_code == 404
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED


def test_a_claimed_job_is_not_run_by_a_second_worker(cast):
    job = ReportJob.objects.create(kind=ReportJob.Kind.INSPECTION, plan=cast.plan, requested_by=cast.inspector,
                                   as_of=datetime.date(2025, 6, 30))
    assert job.claim()
    assert not ReportJob.objects.get(pk=job.pk).claim()
    render_report_job(job.pk)  # a second delivery of the queued job: claimed already, left alone
    job.refresh_from_db()
    assert (job.state, job.runs, job.progress) == (ReportJob.State.RUNNING, 1, 0)


def test_big_report_asked_for_while_redis_is_down_is_saved_and_queued_later(
        cast, login, monkeypatch, caplog, django_capture_on_commit_callbacks):
    monkeypatch.setattr(ReportJob, "runs_in_background", lambda self: True)
    data = {"kind": "inspection", "plan": cast.plan.pk, "as_of": "2025-06-30"}
    with monkeypatch.context() as m, at(2025, 7, 10, 9), django_capture_on_commit_callbacks(execute=True):
        redis_down(m)
        answer = login(cast.inspector).post(reverse("reports:index"), data)
    job = ReportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == job.get_absolute_url()
    assert job.state == ReportJob.State.QUEUED and "could not queue reports.render_report_job" in caplog.text
    with at(2025, 7, 10, 9, 16):  # Redis is back: the recovery job queues it
        assert recover(timezone.now())["reports"] == 1
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE
