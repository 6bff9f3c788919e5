"""Work a worker left half-done, found by its stored state and queued again: one plain function that the
periodic Huey job (tracker.tasks.recover_work) and `manage.py recover_work` both call.

- a part of a big report job (reports.parts_jobs) queued or rendering with no sign of life since the cut-off
  (ReportPartQuerySet.stale) is queued again while it has runs left, its job's heartbeat renewed with it; else it
  fails, and its job with it (before the jobs: a job is alive while any of its parts is);
- a report job queued or running with no sign of life since the cut-off (ReportJobQuerySet.stale) is queued
  again while it has runs left, else failed with 重新生成 for its requester;
- a delivery pending since the cut-off (DeliveryQuerySet.stuck: its enqueue failed, or its worker died) is
  queued again; until then the 发送失败 page lists it with its retry button;
- a letter or circular numbered before the cut-off and left without its PDF or its sending is finished.

The cut-off is STALE_WORK_SECONDS. Queuing twice is harmless: each piece of work is claimed before it is done
(a report job by its state, a delivery by its attempt count, a document under its row lock).
"""

import datetime

from django.utils import timezone

from notifications.channels import DELIVERY_BATCH
from notifications.models import Circular, Delivery, Letter, unfinished
from notifications.tasks import deliver_batch, finish_documents_task
from reports import parts_jobs
from reports.models import ReportJob, ReportPart, stale_before
from reports.tasks import render_report_job, render_report_part
from tracker.queue import enqueue


def recover(now: datetime.datetime) -> dict:
    """Queue again (or fail) the work left behind as of `now`; returns what it found, by kind."""
    result = {"report_parts": 0, "reports": 0, "reports_failed": 0, "deliveries": 0, "letters": 0, "circulars": 0}
    for part in ReportPart.objects.stale(now).select_related("job__plan", "job__requested_by").order_by("pk"):
        if parts_jobs.requeue_or_fail(part):
            enqueue(render_report_part, part.pk)
            result["report_parts"] += 1
        elif part.job.state == ReportJob.State.FAILED:
            result["reports_failed"] += 1
    for job in ReportJob.objects.stale(now).select_related("plan", "unit", "task", "requested_by").order_by("pk"):
        if job.requeue_or_fail():
            enqueue(render_report_job, job.pk)
            result["reports"] += 1
        elif job.state == ReportJob.State.FAILED:
            result["reports_failed"] += 1
    stuck = list(Delivery.objects.stuck(now).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(stuck), DELIVERY_BATCH):
        batch = stuck[start:start + DELIVERY_BATCH]
        if enqueue(deliver_batch, batch):  # queued: off the 发送失败 page until it is stuck again
            Delivery.objects.filter(pk__in=batch, state=Delivery.State.PENDING).update(updated_at=timezone.now())
            result["deliveries"] += len(batch)
    cutoff = stale_before(now)
    letter_ids = list(unfinished(Letter.objects.filter(created_at__lt=cutoff), "letter").values_list("pk", flat=True))
    circular_ids = list(unfinished(Circular.objects.filter(created_at__lt=cutoff), "circular")
                        .values_list("pk", flat=True))
    if (letter_ids or circular_ids) and enqueue(finish_documents_task, letter_ids, circular_ids):
        result["letters"], result["circulars"] = len(letter_ids), len(circular_ids)
    return result
