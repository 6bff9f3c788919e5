"""manage.py seed_demo [--no-progress] [--if-empty]: the demo district, its plan, accounts and a year of work.

Everything here is demo data (see plans/demo/README.md). The simulated life of the plan uses a fixed
random seed, so two runs on empty databases give the same result.
"""

import datetime
import hashlib
import heapq
import random
import struct
import sys
import zlib
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from notifications.channels import dispatch
from notifications.models import Circular, Delivery, Letter, LetterReply, Message, Notification, Step
from notifications.sweep import run_sweep
from plans.directory import DirectoryError, load_units
from plans.importer import PlanImportError, read_plan
from plans.importer.writer import apply_plan
from plans.models import Measure, Plan, Task, Unit
from tasks.models import Assignment, Evidence, ExtensionRequest, ReportingRound, Review, Submission
from tracker.models import User
from tracker.timestamps import dates_as_given
from tracker.workdays import is_workday

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
PASSWORD = "Demo-pass-2024"
LEAD_UNIT = "区司法局"
LETTER_PREFIX, CIRCULAR_PREFIX = "河北司法函", "河北司法通"
ACCOUNTS = [
    # username, role, unit, last name, first name
    ("sifaju", User.Role.LEAD, None, "王", "晓明"),
    ("ducha", User.Role.INSPECTOR, None, "刘", "建华"),
    ("caizheng", User.Role.UNIT, "区财政局", "陈", "静"),
    ("guangfudao", User.Role.UNIT, "光复道街道办事处", "赵", "磊"),
]
TZ = ZoneInfo("Asia/Shanghai")
IMPORTED_AT = datetime.datetime(2024, 6, 17, 9, 30, tzinfo=TZ)
# The life runs to today, or to a few weeks of late completions after the plan's end.
LATE_WEEKS = 5
SWEEP_AT = datetime.time(8, 30)
SEED = 20240614

PROGRESS_TEXTS = [
    "已制定工作方案，明确责任科室和责任人，按计划推进。",
    "已召开专题部署会，正在逐项梳理落实。",
    "已完成前期调研，相关制度文件正在起草。",
    "已组织开展专项工作，阶段性成效明显，相关材料已整理归档。",
]
DONE_TEXTS = [
    "已按要求完成，相关工作记录和佐证材料见附件。",
    "已全部完成，制度文件已印发，附件为印发文件及工作台账。",
    "已按时完成，培训签到表、现场照片等佐证材料见附件。",
    "已完成并形成长效机制，附件为工作总结及相关材料。",
]
RETURN_REASONS = [
    "佐证材料不全，请补充签到表、现场照片等过程材料后重新报送。",
    "报送内容与措施要求不符，请对照措施逐项说明完成情况。",
    "未附相关制度文件，请上传已印发的文件后重新报送。",
    "完成情况表述笼统，请补充具体数据（次数、人数、覆盖范围）。",
]
EXTENSION_REASONS = [
    "该项工作需与市级部门衔接，相关文件尚未下发，申请延期完成。",
    "受专项整治任务集中影响，人员力量不足，申请适当延长完成时限。",
    "配套制度需经党组会审议，会议安排在原时限之后，申请延期。",
]
GRANT_REASONS = ["理由充分，同意延期，请在新时限前完成。", "同意延期，请倒排工期，确保按新时限完成。"]
REFUSE_REASONS = ["该项工作时限为上级统一要求，不能延期，请加快推进。", "延期理由不充分，请按原时限完成。"]
REPLY_TEXTS = [
    "收到函告后，我单位立即召开专题会议，逐项分析逾期原因，明确责任人和完成时限，相关事项正在抓紧整改，完成后及时报送。",
    "我单位高度重视，已对函告所列逾期事项建立整改台账，其中部分事项已完成并在系统中报送，其余事项将于两周内完成。",
    "经核查，逾期主要原因是人员调整、工作交接不及时。我单位已调整专人负责，列明事项正在逐项整改。",
]
EVIDENCE_NAMES = ["工作方案", "签到表", "现场照片", "工作台账", "印发文件", "工作总结"]


def tiny_pdf(title: str) -> bytes:
    """A small, valid one-page PDF (ASCII text only), built with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 770 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_png(seed: int) -> bytes:
    """A valid 16×16 RGB PNG in one colour derived from the seed."""
    colour = bytes(((seed * 53) % 200 + 30, (seed * 97) % 200 + 30, (seed * 29) % 200 + 30))
    raw = b"".join(b"\x00" + colour * 16 for _ in range(16))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@dataclass
class Counts:
    submissions: int = 0
    accepted: int = 0
    returned: int = 0
    evidence: int = 0
    extensions: int = 0
    rounds: int = 0
    replies: int = 0
    sweeps: int = 0
    letters: int = 0
    circulars: int = 0


class HistoryBuffer:
    """Historical rows taken at the moment of each simulated change, written in bulk at a flush.

    Values are copied when the change happens; a primary key or a reference that only exists after
    the object's own bulk insert is filled in at the flush."""

    def __init__(self):
        self.rows: dict[type, list] = {}
        self.models: dict[type, type] = {}

    def record(self, obj, when: datetime.datetime, user, kind: str = "~", reason: str | None = None) -> None:
        model = self.models.get(type(obj))
        if model is None:
            model = self.models[type(obj)] = type(obj).history.model
        values = {f.attname: getattr(obj, f.attname) for f in model.tracked_fields}
        self.rows.setdefault(model, []).append((obj, values, when, user, kind, reason))

    def flush(self) -> None:
        for model, rows in self.rows.items():
            built = []
            for obj, values, when, user, kind, reason in rows:
                for name, value in values.items():
                    if value is None and (name == "id" or name.endswith("_id")):
                        values[name] = getattr(obj, name)
                built.append(model(history_date=when, history_user=user, history_type=kind,
                                   history_change_reason=reason, **values))
            model.objects.bulk_create(built, batch_size=500)
        self.rows = {}


def update_rows(model, fields: list[str], objs) -> None:
    """UPDATE … WHERE id = … for many rows in one executemany (bulk_update's CASE is slow at this size)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", params)


@dataclass
class Round:
    title: str
    created: datetime.datetime
    due_on: datetime.date
    closes: datetime.datetime
    deadline: datetime.date  # the assignments it asks about
    row: ReportingRound | None = None
    units: set[int] = dc_field(default_factory=set)
    tasks: set[int] = dc_field(default_factory=set)


class Simulation:
    """Plays the plan's life, event by event in time order, from its import to the simulation's end.

    Every assignment gets a trajectory planned up front with the seeded generator (progress, a report,
    a review, perhaps a return and a resubmission, perhaps an extension); reporting rounds open and
    close on their dates; the reminder sweep runs every Monday on the state as it then stood, so the
    reminders, urges, letters and circulars are those the ladder would have sent; some letters get
    a 整改回复. Rows are written in bulk between sweeps, history rows dated when each change happened.
    """

    def __init__(self, plan: Plan, lead: User, liaisons: dict[int, User], end: datetime.datetime):
        self.plan = plan
        self.lead = lead
        self.liaisons = liaisons
        self.end = end
        self.rng = random.Random(SEED)
        self.counts = Counts()
        self.queue: list[tuple] = []
        self.serial = 0
        self.history = HistoryBuffer()
        self.new_submissions: list[Submission] = []
        self.new_reviews: list[Review] = []
        self.new_evidence: list[Evidence] = []
        self.changed_submissions: dict[int, Submission] = {}
        self.changed_assignments: dict[int, Assignment] = {}
        self.latest: dict[int, Submission] = {}
        self.rounds: list[Round] = []
        self.assignments: dict[int, Assignment] = {}

    # ---- the schedule ------------------------------------------------------------------------------

    def push(self, when: datetime.datetime, kind: str, target=None, **data) -> None:
        if when <= self.end:
            self.serial += 1
            heapq.heappush(self.queue, (when, self.serial, kind, target, data))

    def at(self, day: datetime.date, after: datetime.datetime | None = None) -> datetime.datetime:
        """A moment in office hours on ``day`` (a working day on or after it), later than ``after``."""
        while not is_workday(day):
            day += datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time(self.rng.randint(8, 17), self.rng.randint(0, 59)),
                                           tzinfo=TZ)
        if after is not None and moment <= after:
            moment = after + datetime.timedelta(hours=self.rng.randint(1, 3))
        return moment

    def days(self, a: int, b: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(a, b))

    def plan_rounds(self) -> None:
        def moment(y, m, d, h=9):
            return datetime.datetime(y, m, d, h, 0, tzinfo=TZ)

        self.rounds = [
            Round("2024年6月底前任务完成情况调度", moment(2024, 6, 20), datetime.date(2024, 7, 5),
                  moment(2024, 7, 12, 17), datetime.date(2024, 6, 30)),
            Round("2024年度任务完成情况调度", moment(2024, 12, 9), datetime.date(2025, 1, 7),
                  moment(2025, 1, 17, 17), datetime.date(2024, 12, 31)),
            Round("2025年度任务完成情况调度", moment(2025, 12, 8), datetime.date(2025, 12, 31),
                  moment(2026, 1, 9, 17), self.plan.ends_on),
        ]
        for rnd in self.rounds:
            self.push(rnd.created, "open_round", rnd)
            self.push(rnd.closes, "close_round", rnd)

    def plan_sweeps(self, deadlines: set[datetime.date]) -> None:
        """Every Monday from two weeks before a deadline to five weeks after it; the first Monday of the
        month in between (the ladder has little to do then, and each run costs time)."""
        day = IMPORTED_AT.date() + datetime.timedelta(days=7 - IMPORTED_AT.weekday())  # the next Monday
        while True:
            when = datetime.datetime.combine(day, SWEEP_AT, tzinfo=TZ)
            if when > self.end:
                return
            busy = any(-14 <= (day - d).days <= 35 for d in deadlines)
            if busy or day.day <= 7:
                self.push(when, "sweep")
            day += datetime.timedelta(days=7)

    def choose_laggards(self, units: list[Unit], tasks: list[Task]) -> None:
        """A few units fall behind on much of their work, a few more only on a few slow tasks."""
        rng = random.Random(SEED + 2)
        others = [u for u in units if u.name not in (LEAD_UNIT, "区财政局", "光复道街道办事处")]
        picked = rng.sample(others, 5)
        guangfudao = [u for u in units if u.name == "光复道街道办事处"]
        caizheng = [u for u in units if u.name == "区财政局"]  # a good unit, with a slow item or two
        self.laggards = {u.pk for u in picked[:3] + guangfudao}
        self.slow_units = self.laggards | {u.pk for u in picked[3:] + caizheng}
        numbered = [t for t in tasks if t.number]
        self.slow_tasks = {t.pk for t in rng.sample(numbered, 3)}

    def plan_life(self, a: Assignment) -> None:
        """One assignment's trajectory, as events on the schedule."""
        rng = self.rng
        due = a.due_on or self.plan.ends_on
        lagging = a.unit_id in self.laggards
        slow = a.measure.task_id in self.slow_tasks and a.unit_id in self.slow_units
        stuck = 0.5 if lagging else 0.45 if slow else 0.0
        start = IMPORTED_AT
        if due < self.end.date() and rng.random() < stuck:
            self.plan_stuck(a, due)
            return
        extension = None
        if due > datetime.date(2024, 12, 1) and not lagging and rng.random() < 0.008:
            asked = self.at(due - self.days(8, 20), start)
            new_due = due + datetime.timedelta(days=rng.choice((31, 45, 59)))
            grant = rng.random() < 0.65
            decided = self.at(asked.date() + self.days(1, 4), asked)
            extension = (asked, decided, new_due, grant)
            self.push(asked, "ask_extension", a.pk, new_due=new_due, reason=rng.choice(EXTENSION_REASONS))
            self.push(decided, "decide_extension", a.pk, grant=grant,
                      reason=rng.choice(GRANT_REASONS if grant else REFUSE_REASONS))
            if grant:
                due = new_due
        story = rng.choices(["early", "on_time", "late"], weights=[15, 0, 85] if lagging else [15, 73, 12])[0]
        if story == "early":
            latest = max(due - datetime.timedelta(days=30), start.date() + datetime.timedelta(days=5))
            span = (latest - start.date()).days
            day = start.date() + datetime.timedelta(days=rng.randint(min(5, span), span))
        elif story == "on_time":
            day = due - self.days(1, 20)
        else:
            day = due + (self.days(5, 50) if lagging else self.days(1, 5))
        if extension and day <= extension[1].date():
            day = extension[1].date() + self.days(3, 15)
        when = self.at(max(day, start.date() + datetime.timedelta(days=1)), start)
        # Progress along the way, for work that takes a while.
        lead_time = (when - start).days
        if lead_time > 45 and rng.random() < 0.8:
            first = self.at(start.date() + self.days(10, int(lead_time * 0.5)), start)
            percent = rng.choice((20, 30, 40, 50))
            self.push(first, "progress", a.pk, percent=percent)
            if rng.random() < 0.4:
                self.push(self.at(first.date() + self.days(20, max(21, int(lead_time * 0.4))), first),
                          "progress", a.pk, percent=percent + rng.choice((20, 30)))
        slack = (due - when.date()).days
        returned = rng.random() < (0.2 if lagging else 0.14 if slack >= 12 else 0.0)
        self.push(when, "submit", a.pk, percent=100)
        review = self.at(when.date() + self.days(1, 3), when)
        if returned:
            self.push(review, "review", a.pk, accept=False)
            again = self.at(review.date() + self.days(2, 6), review)
            self.push(again, "submit", a.pk, percent=100)
            review = self.at(again.date() + self.days(1, 3), again)
        self.push(review, "review", a.pk, accept=True)

    def plan_stuck(self, a: Assignment, due: datetime.date) -> None:
        """Work still open at the end: not started, half done, returned and left, or waiting for review."""
        rng = self.rng
        start = IMPORTED_AT
        fate = rng.choices(["idle", "progress", "returned", "pending"], weights=[30, 40, 18, 12])[0]
        if fate == "idle":
            return
        if fate == "progress":
            latest = min(due + datetime.timedelta(days=60), self.end.date())
            span = max((latest - start.date()).days, 11)
            self.push(self.at(start.date() + self.days(10, span), start), "progress", a.pk,
                      percent=rng.choice((10, 20, 30, 40, 60)))
        elif fate == "returned":
            when = self.at(min(due + self.days(5, 40), self.end.date() - datetime.timedelta(days=10)), start)
            self.push(when, "submit", a.pk, percent=rng.choice((60, 80, 100)))
            self.push(self.at(when.date() + self.days(1, 4), when), "review", a.pk, accept=False)
        else:
            when = self.at(self.end.date() - self.days(3, 9), start)
            self.push(when, "submit", a.pk, percent=rng.choice((80, 100)))

    # ---- the events --------------------------------------------------------------------------------

    def change(self, a: Assignment, when: datetime.datetime, user, reason: str | None, **values) -> None:
        for name, value in values.items():
            setattr(a, name, value)
        a.updated_at = when
        self.history.record(a, when, user, reason=reason)
        self.changed_assignments[a.pk] = a

    def on_progress(self, a: Assignment, when, percent: int) -> None:
        if a.status in (Assignment.Status.NOT_STARTED, Assignment.Status.IN_PROGRESS) and percent > a.percent:
            self.change(a, when, self.liaisons[a.unit_id], None, status=Assignment.Status.IN_PROGRESS,
                        percent=percent)

    def on_submit(self, a: Assignment, when, percent: int) -> None:
        author = self.liaisons[a.unit_id]
        task_id = a.measure.task_id
        rnd = next((r for r in self.rounds if r.row is not None and r.created <= when < r.closes
                    and a.unit_id in r.units and task_id in r.tasks), None)
        submission = Submission(assignment=a, author=author, percent=percent, created_at=when,
                                round=rnd.row if rnd else None,
                                text=self.rng.choice(DONE_TEXTS if percent == 100 else PROGRESS_TEXTS))
        self.new_submissions.append(submission)
        self.history.record(submission, when, author, kind="+")
        self.latest[a.pk] = submission
        for n in range(self.rng.choice((0, 1, 1, 2))):
            self.attach(submission, a, when, n)
        self.change(a, when, author, "报送进展", status=Assignment.Status.SUBMITTED, percent=percent)
        self.counts.submissions += 1

    def attach(self, submission: Submission, a: Assignment, when, n: int) -> None:
        label = self.rng.choice(EVIDENCE_NAMES)
        number = self.counts.evidence + 1
        if number % 2:
            content, ext, kind = tiny_pdf(f"Demo evidence {number}"), "pdf", "application/pdf"
        else:
            content, ext, kind = tiny_png(number), "png", "image/png"
        unit = a.unit
        evidence = Evidence(submission=submission, original_name=f"{unit.short_name or unit.name}_{label}.{ext}",
                            size=len(content), sha256=hashlib.sha256(content).hexdigest(), content_type=kind,
                            created_at=when)
        evidence.file.save(f"demo.{ext}", ContentFile(content), save=False)
        self.new_evidence.append(evidence)
        self.counts.evidence += 1

    def on_review(self, a: Assignment, when, accept: bool) -> None:
        submission = self.latest.get(a.pk)
        if submission is None or submission.state != Submission.State.PENDING:
            return
        reason = "" if accept else self.rng.choice(RETURN_REASONS)
        review = Review(submission=submission, reviewer=self.lead, created_at=when, reason=reason,
                        decision=Review.Decision.ACCEPT if accept else Review.Decision.RETURN)
        self.new_reviews.append(review)
        self.history.record(review, when, self.lead, kind="+")
        submission.state = Submission.State.ACCEPTED if accept else Submission.State.RETURNED
        self.history.record(submission, when, self.lead)
        if submission.pk:
            self.changed_submissions[submission.pk] = submission
        if accept:
            self.change(a, when, self.lead, "审核通过", status=Assignment.Status.DONE, completed_on=when.date(),
                        percent=max(a.percent, submission.percent))
            self.counts.accepted += 1
        else:
            self.change(a, when, self.lead, f"审核退回：{reason}", status=Assignment.Status.RETURNED)
            self.counts.returned += 1

    def on_ask_extension(self, a: Assignment, when, new_due: datetime.date, reason: str) -> None:
        self.flush()
        request = ExtensionRequest(assignment=a, requested_by=self.liaisons[a.unit_id], requested_due_on=new_due,
                                   reason=reason, created_at=when)
        request._history_date, request._history_user = when, request.requested_by
        request.save()
        a.extension = request
        self.counts.extensions += 1

    def on_decide_extension(self, a: Assignment, when, grant: bool, reason: str) -> None:
        request = a.extension
        request.state = ExtensionRequest.State.GRANTED if grant else ExtensionRequest.State.REFUSED
        request.decided_by, request.decided_at, request.decision_reason = self.lead, when, reason
        request._history_date, request._history_user = when, self.lead
        request.save()
        if grant:
            self.change(a, when, self.lead, f"同意延期申请：{reason}", due_on=request.requested_due_on)

    def on_open_round(self, rnd: Round, when) -> None:
        """The round asks the units that still owe work due by its date, about the tasks that work is in."""
        owing = [a for a in self.assignments.values()
                 if a.due_on and a.due_on <= rnd.deadline and a.due_on >= rnd.deadline - datetime.timedelta(days=31)
                 and a.status != Assignment.Status.DONE]
        rnd.units = {a.unit_id for a in owing}
        rnd.tasks = {a.measure.task_id for a in owing}
        self.flush()
        row = ReportingRound(plan=self.plan, title=rnd.title, due_on=rnd.due_on, created_by=self.lead,
                             created_at=when)
        row._history_date, row._history_user = when, self.lead
        row.save()
        row.units.set(sorted(rnd.units))
        row.tasks.set(sorted(rnd.tasks))
        ReportingRound.history.filter(id=row.pk).update(history_date=when)
        rnd.row = row
        self.counts.rounds += 1

    def on_close_round(self, rnd: Round, when) -> None:
        self.flush()
        rnd.row.closed_at = when
        rnd.row._history_date, rnd.row._history_user = when, self.lead
        rnd.row.save(update_fields=["closed_at"])

    def on_sweep(self, _target, when) -> None:
        """The daily job as it ran that morning, then its records dated to it and its deliveries sent."""
        self.flush()
        last = {model: model.objects.aggregate(m=Max("pk"))["m"] or 0
                for model in (Message, Delivery, Step, Letter, Circular)}
        result = run_sweep(when.date(), documents="now")
        self.counts.sweeps += 1
        Message.objects.filter(pk__gt=last[Message]).update(created_at=when)
        Step.objects.filter(pk__gt=last[Step]).update(created_at=when)
        Delivery.objects.filter(pk__gt=last[Delivery]).update(
            created_at=when, updated_at=when, sent_at=when, state=Delivery.State.SENT, attempts=1)
        for model in (Letter, Circular):
            made = model.objects.filter(pk__gt=last[model])
            made.update(created_at=when)
            model.history.filter(id__in=made.values("pk")).update(history_date=when)
        self.counts.letters += result["letter"]
        self.counts.circulars += result["circular"]
        for letter in Letter.objects.filter(pk__gt=last[Letter]).order_by("pk"):
            if self.rng.random() < 0.7:
                self.push(self.at(when.date() + self.days(1, 7), when), "reply", letter)

    def on_reply(self, letter: Letter, when) -> None:
        self.flush()
        author = self.liaisons[letter.unit_id]
        reply = LetterReply(letter=letter, author=author, text=self.rng.choice(REPLY_TEXTS), created_at=when)
        reply._history_date, reply._history_user = when, author
        reply.save()
        message = Message.objects.create(
            kind=Message.Kind.REPLY, plan=letter.plan, unit=letter.unit, letter=letter,
            subject=f"{letter.unit.name}已回复{letter.number}", link=letter.get_absolute_url(),
            body=f"{letter.unit.name}对{letter.number}《{letter.title}》提交了整改回复。")
        Message.objects.filter(pk=message.pk).update(created_at=when)
        dispatch(message, users=[self.lead])
        self.counts.replies += 1

    # ---- writing -----------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write what happened since the last flush: new rows, changed rows, their history."""
        if self.new_submissions:
            Submission.objects.bulk_create(self.new_submissions, batch_size=500)
        if self.new_evidence:
            Evidence.objects.bulk_create(self.new_evidence, batch_size=500)
        if self.new_reviews:
            Review.objects.bulk_create(self.new_reviews, batch_size=500)
        if self.changed_submissions:
            update_rows(Submission, ["state"], self.changed_submissions.values())
        if self.changed_assignments:
            update_rows(Assignment, ["status", "percent", "completed_on", "due_on", "updated_at"],
                        self.changed_assignments.values())
        self.history.flush()
        self.new_submissions, self.new_evidence, self.new_reviews = [], [], []
        self.changed_submissions, self.changed_assignments = {}, {}

    def run(self, assignments: list[Assignment], units: list[Unit], tasks: list[Task]) -> Counts:
        self.assignments = {a.pk: a for a in assignments}
        self.choose_laggards(units, tasks)
        self.plan_rounds()
        self.plan_sweeps({a.due_on for a in assignments if a.due_on})
        for a in assignments:
            a.extension = None
            self.plan_life(a)
        handlers = {"progress": self.on_progress, "submit": self.on_submit, "review": self.on_review,
                    "ask_extension": self.on_ask_extension, "decide_extension": self.on_decide_extension}
        others = {"open_round": self.on_open_round, "close_round": self.on_close_round, "sweep": self.on_sweep,
                  "reply": self.on_reply}
        while self.queue:
            when, _, kind, target, data = heapq.heappop(self.queue)
            if kind in handlers:
                handlers[kind](self.assignments[target], when, **data)
            else:
                others[kind](target, when)
        self.flush()
        # The submissions went in with bulk_create (no signals): store each assignment's latest at once.
        Assignment.objects.filter(measure__task__plan=self.plan).refresh_latest_submission()
        # What was sent before the last fortnight has been read.
        read_before = self.end - datetime.timedelta(days=14)
        Notification.objects.filter(read_at__isnull=True, message__created_at__lt=read_before).update(
            read_at=Subquery(Message.objects.filter(pk=OuterRef("message_id")).values("created_at")[:1]))
        return self.counts


class Command(BaseCommand):
    help = "载入演示数据：河北区单位名录、实施方案、演示账号，以及（默认）一年的模拟报送和审核记录。"

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="不模拟报送、审核等工作进展")
        parser.add_argument("--if-empty", action="store_true", help="已有实施方案时什么也不做")

    def handle(self, *args, **options):
        if options["if_empty"] and Plan.objects.exists():
            self.stdout.write("已有实施方案，跳过演示数据。")
            return
        try:
            with transaction.atomic():
                self.seed(progress=not options["no_progress"])
        except (DirectoryError, PlanImportError) as exc:
            self.stderr.write(f"演示数据载入失败：{exc}")
            sys.exit(2)

    def seed(self, *, progress: bool) -> None:
        directory = load_units(DEMO_DIR / "units.csv")
        self.stdout.write(f"单位名录：{directory.summary()}")
        path = DEMO_DIR / "plan.txt"
        data, text = read_plan(path)
        result = apply_plan(data, source_name="河北区实施方案（演示）.txt", source_text=text)
        plan = result.plan
        lead = Unit.objects.get(name=LEAD_UNIT)
        if (plan.lead_unit_id, plan.letter_prefix, plan.circular_prefix) != (lead.pk, LETTER_PREFIX, CIRCULAR_PREFIX):
            plan.lead_unit, plan.letter_prefix, plan.circular_prefix = lead, LETTER_PREFIX, CIRCULAR_PREFIX
            plan.save()
        if result.created:
            self.date_import(plan)
        for line in result.summary_lines():
            self.stdout.write(line)
        users = self.accounts()
        self.stdout.write(f"演示账号：{'、'.join(users)}（密码均为 {PASSWORD}）")
        if not progress:
            return
        if Submission.objects.filter(assignment__measure__task__plan=plan).exists():
            self.stdout.write("已有报送记录，不再重复模拟。")
            return
        end = min(timezone.now(), datetime.datetime.combine(
            plan.ends_on + datetime.timedelta(weeks=LATE_WEEKS), datetime.time(18), tzinfo=TZ))
        counts = self.simulate(plan, users, end)
        assignments = Assignment.objects.filter(measure__task__plan=plan)
        overdue = assignments.overdue(timezone.localdate()).count()
        pending = Submission.objects.filter(assignment__measure__task__plan=plan).pending().count()
        self.stdout.write(
            f"模拟进展（至{end:%Y年%-m月%-d日}）：报送 {counts.submissions} 次（佐证材料 {counts.evidence} 个），"
            f"通过 {counts.accepted}，退回 {counts.returned}，待审核 {pending}；延期申请 {counts.extensions} 件；"
            f"调度 {counts.rounds} 次；督办检查 {counts.sweeps} 次，函告 {counts.letters} 件（整改回复 {counts.replies} 件），"
            f"通报 {counts.circulars} 期；任务分解 {assignments.count()} 项，逾期未完成 {overdue} 项。")

    @staticmethod
    def date_import(plan: Plan) -> None:
        """The plan was imported on the first working day after it was issued, not today."""
        Plan.objects.filter(pk=plan.pk).update(created_at=IMPORTED_AT, updated_at=IMPORTED_AT)
        Plan.history.filter(id=plan.pk).update(history_date=IMPORTED_AT)
        tasks = Task.objects.filter(plan=plan)
        Task.history.filter(id__in=tasks.values("pk")).update(history_date=IMPORTED_AT)
        measures = Measure.objects.filter(task__plan=plan)
        Measure.history.filter(id__in=measures.values("pk")).update(history_date=IMPORTED_AT)
        assignments = Assignment.objects.filter(measure__task__plan=plan)
        assignments.update(created_at=IMPORTED_AT, updated_at=IMPORTED_AT)
        Assignment.history.filter(id__in=assignments.values("pk")).update(history_date=IMPORTED_AT)

    @staticmethod
    def accounts() -> dict[str, User]:
        users = {}
        password = make_password(PASSWORD)  # hashed once: the hasher is slow on purpose
        for username, role, unit_name, last, first in ACCOUNTS:
            unit = Unit.objects.get(name=unit_name) if unit_name else None
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, password=password)
            user.role, user.unit, user.last_name, user.first_name = role, unit, last, first
            user.email = unit.email if unit else f"{username}@hebei.demo.invalid"
            user.is_staff = user.is_superuser = role == User.Role.LEAD
            user.save()
            users[username] = user
        return users

    @staticmethod
    def liaisons(units: list[Unit], users: dict[str, User]) -> dict[int, User]:
        """The demo accounts for their units; an unusable-password liaison for every other unit."""
        found = {u.unit_id: u for u in users.values() if u.unit_id}
        for unit in units:
            if unit.pk in found:
                continue
            username = "lly-" + (unit.email.split("@")[0] if unit.email else str(unit.pk))
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"role": User.Role.UNIT, "unit": unit, "last_name": f"{unit.short_name or unit.name}联络员"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            found[unit.pk] = user
        return found

    def simulate(self, plan: Plan, users: dict[str, User], end: datetime.datetime) -> Counts:
        assignments = list(
            Assignment.objects.filter(measure__task__plan=plan).select_related("unit", "measure")
            .order_by("measure__task__order", "measure__order", "unit__order", "unit__name", "period")
        )
        units = sorted({a.unit for a in assignments}, key=lambda u: (u.order, u.name))
        tasks = list(Task.objects.filter(plan=plan).order_by("order"))
        simulation = Simulation(plan, users["sifaju"], self.liaisons(units, users), end)
        with dates_as_given(Assignment, Submission, Review, Evidence, ExtensionRequest, ReportingRound,
                            LetterReply):
            return simulation.run(assignments, units, tasks)
