"""Huey job for reports too big to render while the page waits: a thin caller of ReportJob.run_in_background."""

from huey.contrib.djhuey import db_task

from reports.models import ReportJob


@db_task(name="reports.render_report_job")
def render_report_job(job_id: int) -> None:
    job = ReportJob.objects.select_related("plan__lead_unit", "unit", "task").filter(pk=job_id).first()
    if job is not None:
        job.run_in_background()
