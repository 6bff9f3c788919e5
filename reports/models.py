"""Report files asked for from the pages: who asked for what, how far the rendering got, the kept files and the
words the lead office wrote for them (each section's text kept, the system's draft beside it)."""

import datetime
import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan, Task, Unit
from reports import annual, inspection
from reports.annual import annual_docx, annual_pdf, annual_xlsx, build_annual
from reports.inspection import KIND_TITLES, build_report
from reports.render import report_pdf
from reports.xlsx import report_xlsx
from tasks.models import Assignment
from tracker.formats import cn_date

logger = logging.getLogger(__name__)

# Reports over more assignments than this render in a Huey job; smaller ones while the page waits.
SYNC_LIMIT = 1500
# The sections of an inspection report the lead office writes (drafted by reports.inspection.draft, in its order).
INSPECTION_SECTIONS = (("problems", "存在问题"), ("next_steps", "下步工作"))
# Runs a background job may start: one killed with its worker this often is failed, with 重新生成 for its requester.
MAX_RUNS = 3


def report_path(instance: "ReportJob", filename: str) -> str:
    return f"reports/{instance.created_at:%Y}/{instance.pk}/{filename}"


def stale_before(now: datetime.datetime) -> datetime.datetime:
    """Work untouched since before this is taken for left behind by a worker that died (STALE_WORK_SECONDS)."""
    return now - datetime.timedelta(seconds=settings.STALE_WORK_SECONDS)


def plain(text: str) -> str:
    """A section's text as kept: one paragraph a line (the CR LF a browser ends lines with read as a line end), no
    blank ends."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()


class ReportJobQuerySet(models.QuerySet):
    def stale(self, now: datetime.datetime) -> "ReportJobQuerySet":
        """Background jobs left behind: queued or running with no sign of life (asked for, claimed, a heartbeat,
        queued again) since the cut-off: the enqueue failed, the queue was lost or the worker died."""
        cutoff = stale_before(now)
        return self.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
                           state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING])


class ReportJob(models.Model):
    """One report asked for on the reports page; its PDF and Excel files (and Word, for an annual report) are kept.

    Its sections' text: ``drafts`` is what the system drafted from the figures when it last rendered, ``texts`` the
    sections the lead office rewrote (a section there is printed as written, the others as drafted)."""

    class Kind(models.TextChoices):
        INSPECTION = inspection.KIND_INSPECTION, "督察进展报告（全方案）"
        UNIT = inspection.KIND_UNIT, "单位工作情况报告"
        TASK = inspection.KIND_TASK, "任务推进情况报告"
        ANNUAL = "annual", "年度行政执法工作报告"

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
    year = models.PositiveIntegerField("年度", null=True, blank=True, help_text="年度行政执法工作报告的年度")
    addressee = models.CharField("主送", max_length=100, blank=True, help_text="年度行政执法工作报告的主送机关")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前环节", max_length=100, blank=True)
    error = models.TextField("错误信息", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="report_jobs")
    pdf = models.FileField("PDF", upload_to=report_path, max_length=200, blank=True)
    xlsx = models.FileField("Excel", upload_to=report_path, max_length=200, blank=True)
    docx = models.FileField("Word", upload_to=report_path, max_length=200, blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    texts = models.JSONField("修改后的文字", default=dict, blank=True,
                             help_text="牵头单位改写的各部分文字（按部分）；同一报告再次生成时沿用")
    drafts = models.JSONField("系统起草的文字", default=dict, blank=True, help_text="最近一次生成时按数据起草的各部分文字")
    text_edited_at = models.DateTimeField("文字修改时间", null=True, blank=True,
                                          help_text="牵头单位最近一次保存或恢复各部分文字的时间")
    text_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="文字修改人", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    figures = models.JSONField("主要数据", default=dict, blank=True, help_text="供下一份同类报告比较变化")
    runs = models.PositiveSmallIntegerField("运行次数", default=0, help_text="后台进程开始生成的次数")
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True,
                                        help_text="开始生成、生成中每隔一段时间、重新排队时写入；长时间没有心跳表示后台进程已退出")

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "报告文件"
        verbose_name_plural = "报告文件"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "kind"], name="reportjob_unit_kind"),
            models.Index(fields=["created_at"], condition=Q(state__in=["queued", "running"]),
                         name="reportjob_unfinished"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:job", args=[self.pk])

    @classmethod
    def ask(cls, *, requested_by, **fields) -> "ReportJob":
        """A report asked for (the reports form's data), with the sections the lead office kept for the same
        report; saved, queued (the caller renders or queues it)."""
        job = cls(requested_by=requested_by, **fields)
        job.take_kept_text()
        job.save()
        return job

    @property
    def is_annual(self) -> bool:
        return self.kind == self.Kind.ANNUAL

    @property
    def title(self) -> str:
        if self.is_annual:
            return f"{self.year}{self.Kind.ANNUAL.label}"
        subject = self.unit.name if self.unit_id else (str(self.task) if self.task_id else "")
        parts = [KIND_TITLES[self.kind], subject, f"截至{cn_date(self.as_of)}"]
        return " · ".join(p for p in parts if p)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    def file_name(self, ext: str) -> str:
        """What the download is called: 督察进展报告-区财政局-截至2025年6月30日.pdf, 2025年度行政执法工作报告.docx."""
        if self.is_annual:
            return f"{self.title}.{ext}"
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
        """An annual report (three files from every unit's figures) always; another when it is big."""
        return self.is_annual or self.size() > SYNC_LIMIT

    def files(self) -> list[tuple[str, str]]:
        """(format, label) of the files this report keeps, in the order the pages offer them."""
        return [("pdf", "PDF"), ("docx", "Word"), ("xlsx", "Excel附件")] if self.is_annual else \
            [("pdf", "PDF"), ("xlsx", "Excel")]

    def files_text(self) -> str:
        """"PDF和Excel", "PDF、Word和Excel附件": what the requester may download."""
        labels = [label for _, label in self.files()]
        return f"{'、'.join(labels[:-1])}和{labels[-1]}"

    def same_report(self) -> models.QuerySet:
        """The kept reports of the same kind, plan and subject (or year) as this one (this one left out)."""
        return ReportJob.objects.filter(kind=self.kind, plan_id=self.plan_id, unit_id=self.unit_id,
                                        task_id=self.task_id, year=self.year).exclude(pk=self.pk)

    def previous_figures(self) -> dict | None:
        """The headline figures of the previous report: the latest kept one of the same kind and subject as of an
        earlier day (rendered, so its figures were kept)."""
        previous = (self.same_report().filter(as_of__lt=self.as_of, state=self.State.DONE)
                    .exclude(figures={}).order_by("-as_of", "-created_at").first())
        return previous.figures if previous else None

    @property
    def section_titles(self) -> tuple[tuple[str, str], ...]:
        """(key, title) of the sections the lead office may rewrite, in the report's order."""
        return annual.SECTIONS if self.is_annual else INSPECTION_SECTIONS

    def text(self, key: str) -> str:
        """What the report prints for a section: the lead office's text, else the system's draft."""
        return self.texts.get(key) or self.drafts.get(key, "")

    def sections(self) -> list[dict]:
        """Each section as the report's page shows it: its title, the printed text, the draft, whether rewritten."""
        return [{"key": key, "title": title, "text": self.text(key), "draft": self.drafts.get(key, ""),
                 "kept": key in self.texts} for key, title in self.section_titles]

    def take_kept_text(self) -> None:
        """The sections the lead office wrote for the same report (as of the same day; an annual report: of the
        same year), if any: printing it again prints the same text."""
        same = self.same_report().filter(text_edited_at__isnull=False)
        if not self.is_annual:
            same = same.filter(as_of=self.as_of)
        kept = same.order_by("-text_edited_at").first()
        if kept:
            self.texts, self.text_edited_at, self.text_edited_by_id = \
                kept.texts, kept.text_edited_at, kept.text_edited_by_id

    @property
    def text_version(self) -> str:
        """When the sections were last saved, as the text form carries it back (blank: never)."""
        return self.text_edited_at.isoformat() if self.text_edited_at else ""

    def edit_text(self, texts: dict[str, str], by, *, restore: list[str] = (), seen: str | None = None) -> bool:
        """The lead office's words for the sections (key → text): a section rewritten is kept, one left as drafted
        keeps following the draft, and those in ``restore`` (恢复为系统起草) follow it again; who and when are kept.
        The caller renders or queues the job, now queued, again. Nothing is written (False) when the job is not
        done or its words were saved since ``seen`` (the ``text_version`` the form was shown with): two people
        editing at once do not overwrite each other unknowingly."""
        if seen is not None and seen != self.text_version:
            return False
        kept = {}
        for key, _ in self.section_titles:
            written = plain(texts.get(key, "")) or self.texts.get(key, "")
            if key not in restore and written and (key in self.texts or written != plain(self.drafts.get(key, ""))):
                kept[key] = written
        fields = {"texts": kept, "text_edited_at": timezone.now(), "text_edited_by": by, "state": self.State.QUEUED,
                  "progress": 0, "stage": "", "error": ""}
        # whoever changes the row owns the edit
        if not ReportJob.objects.filter(pk=self.pk, state=self.State.DONE,
                                        text_edited_at=self.text_edited_at).update(**fields):
            return False
        for name, value in fields.items():
            setattr(self, name, value)
        return True

    def _progress(self, percent: int, stage: str) -> None:
        self.progress, self.stage = percent, stage
        ReportJob.objects.filter(pk=self.pk).update(state=self.State.RUNNING, progress=percent, stage=stage,
                                                    heartbeat_at=timezone.now())

    def claim(self) -> bool:
        """Take a queued job for this worker: whoever moves it from queued to running owns the run."""
        now = timezone.now()
        claimed = ReportJob.objects.filter(pk=self.pk, state=self.State.QUEUED).update(
            state=self.State.RUNNING, runs=F("runs") + 1, heartbeat_at=now)
        if claimed == 1:
            self.state, self.heartbeat_at, self.runs = self.State.RUNNING, now, self.runs + 1
        return claimed == 1

    def run_in_background(self) -> None:
        """The Huey job's body: claim the job, then render it with a heartbeat (`run`), telling the requester."""
        if self.claim():
            with Heartbeat(self.pk):
                self.run(notify=True, in_parts=not self.is_annual and self.size() > SYNC_LIMIT)

    def requeue_or_fail(self) -> bool:
        """A job its worker left behind (`ReportJobQuerySet.stale`): queued again while it has runs left (True),
        otherwise failed, with 重新生成 for its requester, who is told."""
        if self.runs < MAX_RUNS:
            return ReportJob.objects.filter(pk=self.pk, state=self.state, heartbeat_at=self.heartbeat_at).update(
                state=self.State.QUEUED, progress=0, stage="等待重新生成", heartbeat_at=timezone.now()) == 1
        error = f"后台生成中断{self.runs}次（后台进程退出），请点击“重新生成”。"
        if ReportJob.objects.filter(pk=self.pk, state=self.state, heartbeat_at=self.heartbeat_at).update(
                state=self.State.FAILED, stage="失败", error=error, finished_at=timezone.now()) == 1:
            self.state, self.error = self.State.FAILED, error
            notify_requester(self)
        return False

    def restart(self) -> None:
        """重新生成 a failed job: queued afresh, its error and runs cleared (the caller queues or runs it)."""
        ReportJob.objects.filter(pk=self.pk, state=self.State.FAILED).update(
            state=self.State.QUEUED, progress=0, stage="", error="", runs=0, heartbeat_at=None, finished_at=None)
        self.refresh_from_db()

    def run(self, *, notify: bool = False, in_parts: bool = False) -> None:
        """Render the files and keep them, with the system's draft of each section; ``notify`` tells the requester
        in the inbox (for a job that ran in the background). Never raises. ``in_parts``: a big report's PDF is
        rendered in parts, each by a Huey job of its own, the last of which merges them and finishes the job
        (reports.parts_jobs)."""
        from reports import parts_jobs

        part_ids = []
        try:
            self._progress(5, "汇总数据")
            if self.is_annual:
                report = build_annual(self.year, plan=self.plan, texts=self.texts, generated_on=timezone.localdate(),
                                      addressee=self.addressee)
                self.drafts = dict(report.drafted)
                renders = (("pdf", annual_pdf, 30, "排版PDF"), ("docx", annual_docx, 70, "生成Word"),
                           ("xlsx", annual_xlsx, 85, "生成Excel"))
            else:
                report = build_report(self.kind, self.plan, self.as_of, unit=self.unit, task=self.task,
                                      generated_on=timezone.localdate(), problems=self.texts.get("problems", ""),
                                      next_steps=self.texts.get("next_steps", ""), previous=self.previous_figures())
                self.drafts = dict(zip((key for key, _ in INSPECTION_SECTIONS), inspection.draft(report), strict=True))
                renders = (() if in_parts else (("pdf", report_pdf, 30, "排版PDF"),)) + (
                    ("xlsx", report_xlsx, 85, "生成Excel"),)
            self.figures = report.figures()
            for ext, render, percent, stage in renders:
                self._progress(percent, stage)
                getattr(self, ext).save(f"report.{ext}", ContentFile(render(report)), save=False)
            if in_parts:
                part_ids = parts_jobs.fan_out(self, report)
            else:
                self.state, self.progress, self.stage = self.State.DONE, 100, "已完成"
        except Exception as exc:  # a failed report is shown on its page, never lost in a worker log
            logger.exception("report job %s failed", self.pk)
            self.state, self.stage, self.error = self.State.FAILED, "失败", f"{type(exc).__name__}: {exc}"
        self.finished_at = timezone.now() if self.is_finished else None
        self.save(update_fields=["state", "progress", "stage", "error", "pdf", "xlsx", "docx", "finished_at",
                                 "drafts", "figures"])
        if self.state == self.State.RUNNING:
            parts_jobs.queue_parts(part_ids)
        elif notify:
            notify_requester(self)


class Heartbeat:
    """While a background job renders, a thread writes its heartbeat every fifth of STALE_WORK_SECONDS: a job
    whose heartbeat stops (its worker died) is found by the recovery job, one that renders for long is not."""

    def __init__(self, job_id: int):
        self.job_id, self.stopped = job_id, threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"report-job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def beat(self) -> None:
        ReportJob.objects.filter(pk=self.job_id, state=ReportJob.State.RUNNING).update(heartbeat_at=timezone.now())

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(settings.STALE_WORK_SECONDS / 5):
                self.beat()
        except Exception:  # a lost beat only makes the job look stale sooner: it is queued again, not lost
            logger.exception("report job %s: heartbeat failed", self.job_id)
        finally:
            connection.close()


def notify_requester(job: ReportJob) -> None:
    """Put "报告已生成" (or "报告生成失败") in the requester's inbox through the notifications app."""
    from notifications.channels import dispatch
    from notifications.models import Message

    done = job.state == ReportJob.State.DONE
    message = Message.objects.create(
        kind=Message.Kind.REPORT, plan=job.plan,
        subject=f"{'报告已生成' if done else '报告生成失败'}：{job.title}",
        body=f"您申请的报告已生成，可在“报告”页面下载{job.files_text()}。" if done else f"报告生成失败：{job.error}",
        link=job.get_absolute_url(),
    )
    dispatch(message, users=[job.requested_by])


def part_path(instance: "ReportPart", filename: str) -> str:
    return report_path(instance.job, f"parts/{filename}")


class ReportPartQuerySet(models.QuerySet):
    def stale(self, now: datetime.datetime) -> "ReportPartQuerySet":
        """Parts of a job still rendering that were queued or claimed with no sign of life since the cut-off: the
        enqueue failed, the queue was lost or the worker died."""
        return self.filter(state__in=[ReportPart.State.QUEUED, ReportPart.State.RUNNING],
                           heartbeat_at__lt=stale_before(now), job__state=ReportJob.State.RUNNING)


class ReportPart(models.Model):
    """One part of a big report job (reports.parts), rendered by a Huey job of its own: its HTML, written when the
    job fans out, then its PDF; the last part done merges them into the job's PDF (reports.parts_jobs)."""

    State = ReportJob.State

    job = models.ForeignKey(ReportJob, verbose_name="报告文件", on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveSmallIntegerField("序号")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    html = models.FileField("HTML", upload_to=part_path, max_length=200)
    pdf = models.FileField("PDF", upload_to=part_path, max_length=200, blank=True)
    pages = models.PositiveSmallIntegerField("页数", default=0)
    runs = models.PositiveSmallIntegerField("运行次数", default=0, help_text="后台进程开始排版的次数")
    heartbeat_at = models.DateTimeField("最近心跳", default=timezone.now)

    objects = ReportPartQuerySet.as_manager()

    class Meta:
        verbose_name = "报告分块"
        verbose_name_plural = "报告分块"
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="reportpart_job_index")]
        indexes = [models.Index(fields=["heartbeat_at"], condition=Q(state__in=["queued", "running"]),
                                name="reportpart_unfinished")]

    def __str__(self) -> str:
        return f"{self.job} · 第{self.index + 1}部分"
