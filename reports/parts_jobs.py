"""A big report job rendered in parts on Huey (issue #19): one Huey job per part, each in its own worker process,
so that no process holds more than one part's layout and the parts render side by side.

1. The job's own Huey job (``ReportJob.run``) builds the report once, keeps its workbook, writes every part's HTML
   under the job (``fan_out``: reports/<year>/<job>/parts/NN.html, one ``ReportPart`` row each) and queues the parts.
2. Each part's Huey job (``render_part``) claims its part, renders its HTML with a heartbeat (the part's and the
   job's), keeps its PDF and counts the job's progress: parts done / parts. A part that raises is raised again for
   Huey to retry after a delay (``reports.tasks``) while it has retries left; then the job fails, its requester told.
3. The part that finds every part done claims the merge (a conditional update of the job's stage), merges them
   (``reports.parts.merge``), keeps the PDF, finishes the job and tells the requester.

A worker that dies leaves its part queued or running without a heartbeat: the recovery job (tracker.recovery)
queues it again (``requeue_or_fail``), up to MAX_RUNS runs. A job that died while merging is found by its own
heartbeat and rendered again from the start. Queuing a part twice is harmless: it is claimed before it is rendered.
"""

import logging

from django.core.files.base import ContentFile
from django.db.models import Count, F, Q
from django.utils import timezone

from reports.inspection import Report
from reports.models import MAX_RUNS, Heartbeat, ReportJob, ReportPart, notify_requester
from reports.parts import merge, page_count, parts_html, render
from tracker.queue import enqueue

logger = logging.getLogger(__name__)

MERGE_STAGE = "合并PDF"


def stage(done: int, total: int) -> str:
    return f"排版PDF（已完成{done}/{total}部分）"


def fan_out(job: ReportJob, report: Report) -> list[int]:
    """Write the report's parts under the job, each queued (a job run again starts its parts afresh), and set the
    job's stage; returns the parts' ids for the caller to queue once the job is saved."""
    for old in job.parts.all():
        _delete_files(old)
    job.parts.all().delete()
    now = timezone.now()
    parts = []
    for index, html in enumerate(parts_html(report)):
        part = ReportPart(job=job, index=index, heartbeat_at=now)
        part.html.save(f"{index:02d}.html", ContentFile(html.encode()), save=False)
        parts.append(part)
    ReportPart.objects.bulk_create(parts)
    job.progress, job.stage = 0, stage(0, len(parts))
    return [part.pk for part in parts]


def queue_parts(part_ids: list[int]) -> None:
    """Hand the parts to Huey; a part whose enqueue fails is queued again by the recovery job."""
    from reports.tasks import render_report_part

    for part_id in part_ids:
        enqueue(render_report_part, part_id)


def claim(part: ReportPart) -> bool:
    """Take a queued part of a job still rendering: whoever moves it from queued to running renders it."""
    now = timezone.now()
    claimed = ReportPart.objects.filter(pk=part.pk, state=ReportPart.State.QUEUED,
                                        job__state=ReportJob.State.RUNNING).update(
        state=ReportPart.State.RUNNING, runs=F("runs") + 1, heartbeat_at=now) == 1
    if claimed:
        ReportJob.objects.filter(pk=part.job_id, state=ReportJob.State.RUNNING).update(heartbeat_at=now)
    return claimed


def render_part(part_id: int, *, retries_left: int) -> None:
    """The Huey job of one part. Raises while ``retries_left`` (Huey retries it); fails the job after the last."""
    part = ReportPart.objects.select_related("job__plan", "job__unit", "job__task", "job__requested_by").filter(
        pk=part_id).first()
    if part is None or not claim(part):
        return
    try:
        with PartHeartbeat(part):
            with part.html.open("rb") as source:
                pdf = render(source.read().decode())
    except Exception as exc:
        if retries_left:  # queued again, by Huey after its delay; the heartbeat keeps it off the recovery job
            ReportPart.objects.filter(pk=part.pk, state=ReportPart.State.RUNNING).update(
                state=ReportPart.State.QUEUED, heartbeat_at=timezone.now())
            raise
        logger.exception("report job %s: part %s failed", part.job_id, part.index)
        ReportPart.objects.filter(pk=part.pk).update(state=ReportPart.State.FAILED)
        fail(part.job, f"第{part.index + 1}部分排版失败：{type(exc).__name__}: {exc}")
        return
    finish(part, pdf)


def finish(part: ReportPart, pdf: bytes) -> None:
    """Keep a rendered part, count the job's progress, and merge when it was the last."""
    name = part.pdf.field.generate_filename(part, f"{part.index:02d}.pdf")
    part.pdf.storage.delete(name)  # a file a dead worker wrote but did not record is replaced, not kept beside
    part.pdf.save(f"{part.index:02d}.pdf", ContentFile(pdf), save=False)
    if not ReportPart.objects.filter(pk=part.pk, state=ReportPart.State.RUNNING).update(
            state=ReportPart.State.DONE, pdf=part.pdf.name, pages=page_count(pdf), heartbeat_at=timezone.now()):
        part.pdf.delete(save=False)  # its job started again meanwhile: this run's part is gone
        return
    counts = ReportPart.objects.filter(job_id=part.job_id).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(state=ReportPart.State.DONE)))
    done, total = counts["done"], counts["total"]
    ReportJob.objects.filter(pk=part.job_id, state=ReportJob.State.RUNNING).exclude(stage=MERGE_STAGE).update(
        progress=done * 100 // total, stage=stage(done, total), heartbeat_at=timezone.now())
    if done == total:
        merge_parts(part.job)


def merge_parts(job: ReportJob) -> None:
    """Merge the parts into the job's PDF (whoever moves the job to the merge stage does it), finish the job, tell
    the requester, and delete the parts' files."""
    if ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).exclude(stage=MERGE_STAGE).update(
            stage=MERGE_STAGE, heartbeat_at=timezone.now()) != 1:
        return
    parts = list(job.parts.order_by("index"))
    try:
        with Heartbeat(job.pk):
            pdfs = []
            for part in parts:
                with part.pdf.open("rb") as file:
                    pdfs.append(file.read())
            job.pdf.save("report.pdf", ContentFile(merge(pdfs)), save=False)
        job.state, job.progress, job.stage, job.error = ReportJob.State.DONE, 100, "已完成", ""
    except Exception as exc:  # shown on the job's page, never lost in a worker log
        logger.exception("report job %s: merging its parts failed", job.pk)
        job.state, job.stage, job.error = ReportJob.State.FAILED, "失败", f"{type(exc).__name__}: {exc}"
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "progress", "stage", "error", "pdf", "finished_at"])
    for part in parts:
        _delete_files(part)
    notify_requester(job)


def fail(job: ReportJob, error: str) -> None:
    """Fail a job still rendering, and tell its requester (its page offers 重新生成)."""
    if ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
            state=ReportJob.State.FAILED, stage="失败", error=error, finished_at=timezone.now()) == 1:
        job.state, job.error = ReportJob.State.FAILED, error
        notify_requester(job)


def requeue_or_fail(part: ReportPart) -> bool:
    """A part its worker left behind (ReportPartQuerySet.stale): queued again while it has runs left (True), its
    job's heartbeat renewed with it; otherwise failed, and its job with it."""
    now = timezone.now()
    left = ReportPart.objects.filter(pk=part.pk, state=part.state, heartbeat_at=part.heartbeat_at)
    if part.runs < MAX_RUNS:
        if left.update(state=ReportPart.State.QUEUED, heartbeat_at=now) != 1:
            return False
        ReportJob.objects.filter(pk=part.job_id, state=ReportJob.State.RUNNING).update(heartbeat_at=now)
        return True
    if left.update(state=ReportPart.State.FAILED) == 1:
        fail(part.job, f"第{part.index + 1}部分后台排版中断{part.runs}次（后台进程退出），请点击“重新生成”。")
    return False


def _delete_files(part: ReportPart) -> None:
    part.html.delete(save=False)
    if part.pdf:
        part.pdf.delete(save=False)


class PartHeartbeat(Heartbeat):
    """While a part renders, its heartbeat and its job's (a job is alive while any of its parts is)."""

    def __init__(self, part: ReportPart):
        super().__init__(part.job_id)
        self.part_id = part.pk

    def beat(self) -> None:
        super().beat()
        ReportPart.objects.filter(pk=self.part_id, state=ReportPart.State.RUNNING).update(heartbeat_at=timezone.now())
