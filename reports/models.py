"""Report files asked for from the pages: who asked for what, how far the rendering got, the kept files."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan, Task, Unit
from reports import inspection
from reports.inspection import KIND_TITLES, build_report
from reports.render import report_pdf
from reports.xlsx import report_xlsx
from tasks.models import Assignment
from tracker.formats import cn_date

logger = logging.getLogger(__name__)

# Reports over more assignments than this render in a Huey job; smaller ones while the page waits.
SYNC_LIMIT = 1500


def report_path(instance: "ReportJob", filename: str) -> str:
    return f"reports/{instance.created_at:%Y}/{instance.pk}/{filename}"


class ReportJob(models.Model):
    """One report asked for on the reports page; its PDF and Excel files are kept."""

    class Kind(models.TextChoices):
        INSPECTION = inspection.KIND_INSPECTION, "督察进展报告（全方案）"
        UNIT = inspection.KIND_UNIT, "单位工作情况报告"
        TASK = inspection.KIND_TASK, "任务推进情况报告"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("报告类型", max_length=16, choices=Kind.choices)
    plan = models.ForeignKey(Plan, verbose_name="实施方案", on_delete=models.CASCADE, related_name="report_jobs")
    unit = models.ForeignKey(Unit, verbose_name="责任单位", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="report_jobs")
    task = models.ForeignKey(Task, verbose_name="任务", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="report_jobs")
    as_of = models.DateField("截至日期")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前环节", max_length=100, blank=True)
    error = models.TextField("错误信息", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="report_jobs")
    pdf = models.FileField("PDF", upload_to=report_path, max_length=200, blank=True)
    xlsx = models.FileField("Excel", upload_to=report_path, max_length=200, blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报告文件"
        verbose_name_plural = "报告文件"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "kind"], name="reportjob_unit_kind")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:job", args=[self.pk])

    @property
    def title(self) -> str:
        subject = self.unit.name if self.unit_id else (str(self.task) if self.task_id else "")
        parts = [KIND_TITLES[self.kind], subject, f"截至{cn_date(self.as_of)}"]
        return " · ".join(p for p in parts if p)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    def file_name(self, ext: str) -> str:
        """What the download is called: 督察进展报告-区财政局-截至2025年6月30日.pdf."""
        subject = self.unit.name if self.unit_id else (self.task.name if self.task_id else "")
        parts = [KIND_TITLES[self.kind], subject, f"截至{cn_date(self.as_of)}"]
        return "-".join(p for p in parts if p) + f".{ext}"

    def size(self) -> int:
        """How many assignments the report covers: it decides between rendering now and a Huey job."""
        rows = Assignment.objects.filter(measure__task__plan_id=self.plan_id)
        if self.unit_id:
            rows = rows.filter(unit_id=self.unit_id)
        if self.task_id:
            rows = rows.filter(measure__task_id=self.task_id)
        return rows.count()

    def runs_in_background(self) -> bool:
        return self.size() > SYNC_LIMIT

    def _progress(self, percent: int, stage: str) -> None:
        self.progress, self.stage = percent, stage
        ReportJob.objects.filter(pk=self.pk).update(state=self.State.RUNNING, progress=percent, stage=stage)

    def run(self, *, notify: bool = False) -> None:
        """Render the PDF and the workbook and keep them; ``notify`` tells the requester in the inbox
        (for a job that ran in the background). Never raises."""
        try:
            self._progress(5, "汇总数据")
            report = build_report(self.kind, self.plan, self.as_of, unit=self.unit, task=self.task,
                                  generated_on=timezone.localdate())
            self._progress(30, "排版PDF")
            pdf = report_pdf(report)
            self._progress(85, "生成Excel")
            workbook = report_xlsx(report)
            self.pdf.save("report.pdf", ContentFile(pdf), save=False)
            self.xlsx.save("report.xlsx", ContentFile(workbook), save=False)
            self.state, self.progress, self.stage = self.State.DONE, 100, "已完成"
        except Exception as exc:  # a failed report is shown on its page, never lost in a worker log
            logger.exception("report job %s failed", self.pk)
            self.state, self.stage, self.error = self.State.FAILED, "失败", f"{type(exc).__name__}: {exc}"
        self.finished_at = timezone.now()
        self.save(update_fields=["state", "progress", "stage", "error", "pdf", "xlsx", "finished_at"])
        if notify:
            notify_requester(self)


def notify_requester(job: ReportJob) -> None:
    """Put "报告已生成" (or "报告生成失败") in the requester's inbox through the notifications app."""
    from notifications.channels import dispatch
    from notifications.models import Message

    done = job.state == ReportJob.State.DONE
    message = Message.objects.create(
        kind=Message.Kind.REPORT, plan=job.plan,
        subject=f"{'报告已生成' if done else '报告生成失败'}：{job.title}",
        body="您申请的报告已生成，可在“报告”页面下载PDF和Excel文件。" if done else f"报告生成失败：{job.error}",
        link=job.get_absolute_url(),
    )
    dispatch(message, users=[job.requested_by])
