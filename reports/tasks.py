"""Huey jobs for reports too big to render while the page waits: thin callers of ReportJob.run_in_background and,
for a report rendered in parts, of reports.parts_jobs.render_part (one job per part)."""

from huey.contrib.djhuey import db_task, on_startup

from reports import parts, parts_jobs
from reports.models import ReportJob

# A part that raises is tried again this many times, this long after (a worker that dies is the recovery job's).
PART_RETRIES = 2
PART_RETRY_DELAY = 30  # seconds


@db_task(name="reports.render_report_job")
def render_report_job(job_id: int) -> None:
    job = ReportJob.objects.select_related("plan__lead_unit", "unit", "task").filter(pk=job_id).first()
    if job is not None:
        job.run_in_background()


@db_task(name="reports.render_report_part", retries=PART_RETRIES, retry_delay=PART_RETRY_DELAY, context=True)
def render_report_part(part_id: int, task=None) -> None:
    parts_jobs.render_part(part_id, retries_left=task.retries if task else 0)


@on_startup()
def freeze_worker_start_up() -> None:
    """Each Huey worker, as it comes online: its start-up state kept out of the per-part collections."""
    parts.freeze_start_up()
