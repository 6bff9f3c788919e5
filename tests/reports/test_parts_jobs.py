"""A big report job in parts on Huey (reports.parts_jobs): one Huey job per part, the last merges; a part that
raises is retried by Huey, a part a dead worker left is queued again by the recovery job. Huey runs immediately in
the tests; a retry waits in Huey's schedule until the test runs it as the consumer would."""

import datetime
import io

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from pypdf import PdfReader

from notifications.models import Notification
from reports import parts_jobs
from reports.inspection import build_report
from reports.models import MAX_RUNS, ReportJob, ReportPart
from reports.render import report_pdf
from reports.tasks import render_report_job
from tests.reports.conftest import at, build_plan
from tracker.pdf import html_to_pdf
from tracker.recovery import recover

D = datetime.date(2025, 6, 30)


def pages_text(file) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages]


@pytest.fixture
def big(cast, monkeypatch):
    """An inspection report of four units, taken for a big one: it renders in parts."""
    monkeypatch.setattr("reports.models.SYNC_LIMIT", 0)
    HUEY.storage.flush_schedule()  # no retry another test left behind
    with at(2025, 3, 1, 9):
        plan = build_plan(units=4)
    with at(2025, 7, 10, 9):
        return ReportJob.objects.create(kind=ReportJob.Kind.INSPECTION, plan=plan, as_of=D,
                                        requested_by=cast.inspector)


def run_retries() -> int:
    """Run the retries Huey has scheduled, as the consumer does once their delay has passed; how many ran."""
    ran = 0
    while waiting := HUEY.scheduled():
        for task in HUEY.read_schedule(max(task.eta for task in waiting)):
            HUEY.execute(task, task.eta)
            ran += 1
    return ran


def test_a_big_job_renders_its_parts_and_the_last_merges_them(big, cast):
    with at(2025, 7, 10, 9):
        render_report_job(big.pk)
        whole = report_pdf(build_report("inspection", big.plan, D, generated_on=datetime.date(2025, 7, 10)))
    big.refresh_from_db()
    assert (big.state, big.progress, big.stage, big.error) == (ReportJob.State.DONE, 100, "已完成", "")
    parts = list(big.parts.all())
    assert len(parts) >= 5 and {p.state for p in parts} == {ReportPart.State.DONE}
    assert sum(p.pages for p in parts) == len(PdfReader(io.BytesIO(whole)).pages)
    assert pages_text(big.pdf) == [page.extract_text() for page in PdfReader(io.BytesIO(whole)).pages]
    assert big.xlsx.size > 0
    assert not any(p.html.storage.exists(p.html.name) for p in parts)  # the parts' files go once merged
    note = Notification.objects.get(user=cast.inspector)
    assert "报告已生成" in note.message.subject


def test_a_part_that_raises_is_retried_by_huey_and_the_job_finishes(big, cast, monkeypatch):
    failures = []

    def fails_once(html):
        if not failures:
            failures.append(html)
            raise OSError("字体文件暂时不可读")
        return html_to_pdf(html)

    monkeypatch.setattr(parts_jobs, "render", fails_once)
    with at(2025, 7, 10, 9):
        render_report_job(big.pk)
        big.refresh_from_db()
        first = big.parts.get(index=0)
        assert (big.state, first.state, first.runs) == (ReportJob.State.RUNNING, ReportPart.State.QUEUED, 1)
        assert big.stage.startswith("排版PDF（已完成") and 0 < big.progress < 100
        assert not Notification.objects.exists()
        assert run_retries() == 1
    big.refresh_from_db()
    assert big.state == ReportJob.State.DONE and big.parts.get(index=0).runs == 2
    assert Notification.objects.get(user=cast.inspector).message.subject.startswith("报告已生成")


def test_a_part_that_fails_every_try_fails_the_job_and_tells_the_requester(big, cast, monkeypatch):
    def broken(html):  # the first part (the cover) fails every time; the others render
        if 'class="cover"' in html:
            raise OSError("字体缺失")
        return html_to_pdf(html)

    monkeypatch.setattr(parts_jobs, "render", broken)
    with at(2025, 7, 10, 9):
        render_report_job(big.pk)
        run_retries()
    big.refresh_from_db()
    assert big.state == ReportJob.State.FAILED and big.error == "第1部分排版失败：OSError: 字体缺失"
    assert big.parts.get(index=0).runs == 3  # the first try and Huey's two retries
    assert not big.pdf and set(big.parts.exclude(index=0).values_list("runs", "state")) == {(1, "done")}
    assert Notification.objects.get(user=cast.inspector).message.subject.startswith("报告生成失败")


def left_by_a_dead_worker(big, monkeypatch, runs: int = 0) -> ReportPart:
    """The job fanned out, then its queue was lost, and a worker died rendering its first part."""
    monkeypatch.setattr(parts_jobs, "queue_parts", lambda part_ids: None)
    render_report_job(big.pk)
    part = big.parts.get(index=0)
    ReportPart.objects.filter(pk=part.pk).update(runs=runs)
    part.runs = runs
    assert parts_jobs.claim(part)
    return part


def test_parts_left_behind_are_queued_again_by_the_recovery_job(big, monkeypatch):
    with at(2025, 7, 10, 9):
        part = left_by_a_dead_worker(big, monkeypatch)
    with at(2025, 7, 10, 9, 14):  # within the cut-off: the worker may still be rendering
        assert recover(timezone.now())["report_parts"] == 0
    with at(2025, 7, 10, 9, 16):
        found = recover(timezone.now())  # queued again; Huey runs them at once in the tests
    total = big.parts.count()
    assert (found["report_parts"], found["reports"]) == (total, 0)  # the job is alive through its parts
    big.refresh_from_db()
    assert big.state == ReportJob.State.DONE and big.pdf
    assert big.parts.get(pk=part.pk).runs == 2


def test_a_part_killed_on_every_run_fails_its_job(big, cast, monkeypatch):
    with at(2025, 7, 10, 9):
        left_by_a_dead_worker(big, monkeypatch, runs=MAX_RUNS - 1)
        ReportPart.objects.exclude(index=0).update(state=ReportPart.State.DONE)
    with at(2025, 7, 10, 9, 16):
        assert recover(timezone.now())["reports_failed"] == 1
    big.refresh_from_db()
    assert big.state == ReportJob.State.FAILED and big.error == "第1部分后台排版中断3次（后台进程退出），请点击“重新生成”。"
    assert Notification.objects.get(user=cast.inspector).message.subject.startswith("报告生成失败")


def test_a_huey_worker_coming_online_freezes_its_start_up_state():
    """Each part's collection then walks the part's garbage, not the worker's Django and WeasyPrint."""
    import gc
    import threading

    from huey.consumer import Worker

    assert not gc.get_freeze_count()
    try:
        # what the consumer runs in each worker as it starts
        Worker(HUEY, default_delay=0.1, max_delay=1, backoff=1.15, stop_flag=threading.Event()).initialize()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
