#!/usr/bin/env python
"""Kill the workers at random points and check that no work is lost or done twice (issue #18).

On PostgreSQL + Redis (DATABASE_URL, REDIS_URL), in a database with no plan yet (it builds its own), each round:
starts a real Huey consumer (`manage.py run_huey`), runs the day's sweep (`manage.py sweep_reminders`, in its own
process; the previous day's letters withdrawn, so that every sweep numbers letters) and asks for report jobs, then,
at a random moment after the consumer has taken a report job, kills the consumer with SIGKILL — and, every other
time at random, the sweep too if it is still running. It then starts a consumer again, reruns a killed sweep, and runs the recovery job
(tracker.recovery) until everything settles, and checks the invariants:

- each ladder step once; letter numbers gapless per prefix and year (and the counter agrees);
- every letter has one stored PDF (no second file: a document is typeset only after it is claimed) and one
  sending;
- every delivery sent, or listed on the 发送失败 page (failed, or stuck with its retry button);
- every report job done with its files, or failed (its page offers 重新生成).

Any breach, or work that does not settle within --settle seconds, exits 1. The figures go to stdout.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chaos REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python scripts/chaos.py --kills 30 --seed 1

The workers run with STALE_WORK_SECONDS=4 so that the recovery job finds left work in seconds, not minutes.
"""

import argparse
import datetime
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STALE_SECONDS = 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=10, help="rounds, one kill of the consumer each")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--units", type=int, default=12, help="units owing work")
    parser.add_argument("--measures", type=int, default=10, help="overdue measures per unit")
    parser.add_argument("--reports", type=int, default=2, help="report jobs asked for per round")
    parser.add_argument("--max-wait", type=float, default=5.0, help="longest time before the kill (seconds)")
    parser.add_argument("--settle", type=float, default=120.0, help="seconds the work has to settle after a kill")
    return parser.parse_args()


def environment() -> dict:
    """The workers' environment: this database and Redis, a queue of their own, a short cut-off."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("chaos.py needs DATABASE_URL pointing at PostgreSQL (an empty database: it builds its own plan)")
    if not os.environ.get("REDIS_URL"):
        sys.exit("chaos.py needs REDIS_URL (the Huey queue the consumers share)")
    var = Path(os.environ.get("CHAOS_VAR_DIR") or tempfile.mkdtemp(prefix="chaos-var-"))
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tracker.settings", DEBUG="True", VAR_DIR=str(var),
               HUEY_NAME=f"chaos-{uuid.uuid4().hex[:8]}", HUEY_IMMEDIATE="False", HUEY_WORKERS="2",
               STALE_WORK_SECONDS=str(STALE_SECONDS), EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
               LOG_LEVEL="ERROR")
    os.environ.update(env)
    return env


def build_world(units: int, measures: int, start: datetime.date):
    """A plan whose units each owe `measures` items due before `start`; the ladder urges every working day and
    writes a letter a working day after the first 催办."""
    from notifications.models import LadderConfig
    from plans.models import Measure, Plan, Section, Task, Unit
    from tasks.models import Assignment
    from tracker.models import User

    if Plan.objects.exists():
        sys.exit("chaos.py needs a database without plans: it builds its own and checks all of it")
    lead = Unit.objects.create(name="混沌区司法局", email="lead@example.org", order=0)
    owing = [Unit.objects.create(name=f"混沌区第{i}责任单位", email=f"u{i}@example.org", order=i)
             for i in range(1, units + 1)]
    plan = Plan.objects.create(title="混沌区提升行政执法质量三年行动实施方案", issuer="混沌区人民政府",
                               issued_on=start - datetime.timedelta(days=200), ends_on=start + datetime.timedelta(days=400),
                               lead_unit=lead, letter_prefix="混司法函", circular_prefix="混司法通")
    section = Section.objects.create(plan=plan, level=2, number="（一）", title="提升能力", order=1)
    for i in range(1, measures + 1):
        task = Task.objects.create(plan=plan, section=section, number=i, title=f"第{i}项任务按期完成", order=i)
        due = start - datetime.timedelta(days=3 + i)
        measure = Measure.objects.create(task=task, order=1, text=f"第{i}项措施：{due:%Y年%m月%d日}前完成。",
                                         due_on=due)
        Assignment.objects.bulk_create([Assignment(measure=measure, unit=u, due_on=due) for u in owing])
    LadderConfig.objects.update_or_create(plan=plan, defaults={
        "remind_days": "1", "urge_every_workdays": 1, "letter_after_workdays": 1, "reply_workdays": 5})
    lead_user = User.objects.create_user(username="chaos-lead", password=uuid.uuid4().hex, role=User.Role.LEAD,
                                         unit=lead)
    return plan, owing[0], lead_user


def manage(env: dict, *args: str, output: bool = True) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE if output else subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            text=True)


def consumer(env: dict) -> subprocess.Popen:
    return manage(env, "run_huey", "--no-periodic", output=False)


def kill(process: subprocess.Popen) -> bool:
    """SIGKILL, as the OOM killer or a lost machine would; True if it was still running."""
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait()
    return True


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill(process)


def unsettled() -> dict:
    """Work still under way or left behind; empty when everything has settled."""
    from notifications.models import Circular, Delivery, Letter, unfinished
    from reports.models import ReportJob

    counts = {
        "reports": ReportJob.objects.filter(state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING]).count(),
        "deliveries": Delivery.objects.filter(state=Delivery.State.PENDING).count(),
        "letters": unfinished(Letter.objects.all(), "letter").count(),
        "circulars": unfinished(Circular.objects.all(), "circular").count(),
    }
    return {kind: n for kind, n in counts.items() if n}


def breaches(media: Path) -> list[str]:
    """The invariants of issue #18, as found in the database and the stored files."""
    from django.db.models import Count
    from django.utils import timezone

    from notifications.models import Delivery, DocumentCounter, Letter, Message, Step
    from reports.models import ReportJob

    found = []
    twice = (Step.objects.values("assignment", "kind", "seq", "cycle").annotate(n=Count("id")).filter(n__gt=1))
    if twice.exists():
        found.append(f"steps taken twice: {list(twice[:5])}")
    for prefix, year in set(Letter.objects.values_list("prefix", "year")):
        serials = sorted(Letter.objects.filter(prefix=prefix, year=year).values_list("serial", flat=True))
        if serials != list(range(1, len(serials) + 1)):
            found.append(f"{prefix}〔{year}〕 numbers not gapless: {serials}")
        last = DocumentCounter.objects.get(prefix=prefix, year=year).last
        if last != len(serials):
            found.append(f"{prefix}〔{year}〕 counter at {last}, {len(serials)} letters")
    for letter in Letter.objects.all():
        if not letter.pdf or not (media / letter.pdf.name).is_file():
            found.append(f"{letter.number} has no PDF")
        sendings = Message.objects.filter(letter=letter, kind=Message.Kind.LETTER).count()
        if sendings != 1:
            found.append(f"{letter.number} sent {sendings} times")
    pdfs = list((media / "letters").rglob("*.pdf")) if (media / "letters").exists() else []
    if len(pdfs) != Letter.objects.count():
        found.append(f"{len(pdfs)} letter PDF files for {Letter.objects.count()} letters")
    listed = Delivery.objects.needs_attention(timezone.now())
    lost = Delivery.objects.exclude(state=Delivery.State.SENT).exclude(pk__in=listed.values("pk"))
    if lost.exists():
        found.append(f"{lost.count()} deliveries neither sent nor listed on 发送失败")
    for job in ReportJob.objects.all():
        if job.state == ReportJob.State.DONE:
            if not (job.pdf and (media / job.pdf.name).is_file() and job.xlsx and (media / job.xlsx.name).is_file()):
                found.append(f"report job {job.pk} done without its files")
        elif job.state != ReportJob.State.FAILED:
            found.append(f"report job {job.pk} left {job.state} at {job.progress}%")
    return found


def main() -> int:
    args = parse_args()
    env = environment()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the workers it started are killed too
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from notifications import letters
    from notifications.models import Delivery, Letter, Step
    from reports.models import ReportJob
    from reports.tasks import render_report_job
    from tracker.recovery import recover
    from tracker.workdays import add_workdays

    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    day = add_workdays(timezone.localdate(), 0)
    plan, unit, lead_user = build_world(args.units, args.measures, day)
    media = Path(settings.MEDIA_ROOT)
    HUEY.flush()
    figures = {"kills": 0, "killed_mid_report": 0, "sweeps_killed": 0, "reports_requeued": 0,
               "reports_failed_for_retry": 0, "deliveries_requeued": 0, "documents_finished_by_recovery": 0,
               "documents_finished_by_rerun": 0, "longest_settle_seconds": 0.0}
    started = time.monotonic()
    worker = sweep = None
    try:
        for round_no in range(1, args.kills + 1):
            day = add_workdays(day, 1)
            for letter in Letter.objects.issued():  # so that every sweep writes letters again
                letters.withdraw(letter, lead_user, "混沌测试：重新函告")
            worker = consumer(env)
            sweep = manage(env, "sweep_reminders", "--as-of", day.isoformat())
            kinds = [ReportJob.Kind.INSPECTION, ReportJob.Kind.UNIT]
            for i in range(args.reports):
                kind = kinds[i % 2]
                job = ReportJob.objects.create(kind=kind, plan=plan, as_of=day, requested_by=lead_user,
                                               unit=unit if kind == ReportJob.Kind.UNIT else None)
                render_report_job(job.pk)
            ready = time.monotonic()  # the kill comes at a random moment once the consumer has taken work
            while (not ReportJob.objects.filter(state=ReportJob.State.RUNNING).exists()
                   and time.monotonic() - ready < args.settle):
                time.sleep(0.1)
            time.sleep(rng.uniform(0, args.max_wait))
            mid_report = ReportJob.objects.filter(state=ReportJob.State.RUNNING).exists()
            kill(worker)
            killed_at = time.monotonic()
            figures["kills"] += 1
            figures["killed_mid_report"] += mid_report
            sweep_killed = rng.random() < 0.5 and kill(sweep)
            worker = consumer(env)
            if sweep_killed:
                figures["sweeps_killed"] += 1
                sweep = manage(env, "sweep_reminders", "--as-of", day.isoformat())
            out, _ = sweep.communicate()
            if sweep.returncode != 0:
                print(f"round {round_no}: sweep exited {sweep.returncode}", file=sys.stderr)
                return 1
            result = json.loads(out.strip().splitlines()[-1])
            if sweep_killed:
                figures["documents_finished_by_rerun"] += result["finished"]
            while left := unsettled():
                if time.monotonic() - killed_at > args.settle:
                    print(f"round {round_no}: not settled after {args.settle:.0f}s: {left}", file=sys.stderr)
                    return 1
                time.sleep(1)
                recovered = recover(timezone.now())
                figures["reports_requeued"] += recovered["reports"]
                figures["reports_failed_for_retry"] += recovered["reports_failed"]
                figures["deliveries_requeued"] += recovered["deliveries"]
                figures["documents_finished_by_recovery"] += recovered["letters"] + recovered["circulars"]
            figures["longest_settle_seconds"] = max(figures["longest_settle_seconds"],
                                                    round(time.monotonic() - killed_at, 1))
            stop(worker)
            found = breaches(media)
            print(f"round {round_no} ({day}): killed {'mid-report' if mid_report else 'between reports'}"
                  f"{', sweep killed' if sweep_killed else ''}; steps {Step.objects.count()}, letters "
                  f"{Letter.objects.count()}, deliveries {Delivery.objects.count()}, report jobs "
                  f"{ReportJob.objects.count()}; {'BREACH' if found else 'ok'}", flush=True)
            if found:
                for line in found:
                    print(f"  breach: {line}", file=sys.stderr)
                return 1
    finally:
        for process in (worker, sweep):
            if process is not None:
                kill(process)
        HUEY.flush()
    figures.update(steps=Step.objects.count(), letters=Letter.objects.count(),
                   deliveries=Delivery.objects.count(), deliveries_sent=Delivery.objects.filter(state="sent").count(),
                   report_jobs=ReportJob.objects.count(),
                   report_jobs_done=ReportJob.objects.filter(state=ReportJob.State.DONE).count(),
                   seconds=round(time.monotonic() - started))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
