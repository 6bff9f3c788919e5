import datetime

from notifications.models import Notification
from reports.models import ReportJob
from reports.tasks import render_report_job
from tests.reports.conftest import at


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
