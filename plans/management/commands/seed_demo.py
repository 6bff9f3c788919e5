"""manage.py seed_demo [--no-progress] [--if-empty]: the demo district, its plan, accounts and a year of work.

Everything here is demo data (see plans/demo/README.md). The simulated life of the plan uses a fixed
random seed, so two runs on empty databases give the same result. Every step of it is what a page of the
app does, through the same form and the same service function, with Django's clock set to the moment it
happens: the demo can show no state the app cannot reach.
"""

import datetime
import heapq
import random
import struct
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from indicators.demo import seed_figures
from notifications import follow_up, letters
from notifications.models import Delivery, LadderConfig, Letter, Message, Notification
from notifications.sweep import run_sweep
from plans.directory import DirectoryError, load_units
from plans.importer import PlanImportError, read_plan_for_import
from plans.importer.writer import apply_plan
from plans.models import Measure, Plan, Task, Unit
from reports.forms import ReportRequestForm
from reports.models import ReportJob
from tasks import rounds, uploads
from tasks.forms import ExtensionDecisionForm, ExtensionRequestForm, ReviewForm, SubmissionForm
from tasks.models import Assignment, ExtensionRequest, ReportingRound, Review, Submission
from tracker.models import User
from tracker.workdays import is_workday

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
PASSWORD = "Demo-pass-2024"
LEAD_UNIT = "区司法局"
LETTER_PREFIX, CIRCULAR_PREFIX = "河北司法函", "河北司法通"
# 督办设置 for the documents: the issuing organ's full name on the masthead and signature, the 附注 and the 版记
DOCUMENTS = {"masthead": "天津市河北区司法局", "contact": "王晓明", "contact_phone": "022-26281234",
             "copy_to": "区委全面依法治区委员会办公室、区人民政府办公室"}
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
ANNUAL_YEAR = 2025  # the year whose 行政执法工作报告 the lead office asks for, once the year's figures are approved
ANNUAL_ASKED_AT = datetime.datetime(2026, 1, 26, 10, tzinfo=TZ)

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
PERIOD_TEXTS = [
    "本期按要求持续推进，日常工作已形成制度化安排，工作台账见附件。",
    "本期工作按计划开展，未发现突出问题，相关记录已整理归档。",
    "本期持续落实，结合专项工作查漏补缺，阶段性总结见附件。",
]
SUMMARY_TEXTS = [
    "牵头汇总：已汇总各责任单位落实情况，总体按计划推进，个别单位进度滞后已督促整改，汇总表见附件。",
    "牵头汇总：各责任单位均已报送，已逐项核对并形成汇总报告，见附件。",
]
BELOW_TARGET_RETURNS = [
    "部分执法人员培训学时未达到目标，请组织补训并报送补训后的达标人数。",
    "培训次数未达到目标，请补充开展培训后重新报送。",
]
BELOW_TARGET_ACCEPTS = [
    "未达标人员为年内新调入或长期病休人员，已列入下一年度培训计划，予以通过。",
    "未达标原因说明合理，已安排补训，予以通过，请在下期报送中说明补训情况。",
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


@dataclass
class Round:
    title: str
    created: datetime.datetime
    due_on: datetime.date
    closes: datetime.datetime
    deadline: datetime.date  # it asks about the work due in the month up to this date
    row: ReportingRound | None = None


class Clock:
    """Django's clock (``django.utils.timezone.now``) set by hand: every row, history entry and file path the
    services write carries the simulated moment, as the pages would have written it then."""

    def __init__(self, moment: datetime.datetime):
        self.moment = moment

    def now(self) -> datetime.datetime:
        return self.moment

    def today(self) -> datetime.date:
        return timezone.localdate(self.moment)


@contextmanager
def clock_at(moment: datetime.datetime) -> Iterator[Clock]:
    clock = Clock(moment)
    real_now = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now


def valid(form: forms.Form) -> dict:
    """The form's cleaned data: the simulation only does what the page accepts."""
    if not form.is_valid():
        raise CommandError(f"演示数据的模拟操作未通过页面校验：{form.errors.as_text()}")
    return form.cleaned_data


class Simulation:
    """Plays the plan's life, event by event in time order, from its import to the simulation's end.

    Every assignment gets a trajectory planned up front with the seeded generator (a report, a review,
    perhaps a return and a resubmission, perhaps an extension); reporting rounds open and close on their
    dates; the reminder sweep runs every Monday on the state as it then stood, so the reminders, urges,
    letters and circulars are those the ladder would have sent; some letters get a 整改回复. Each event is
    the page's form and service function, run with the clock at the event's moment.
    """

    def __init__(self, plan: Plan, lead: User, liaisons: dict[int, User], end: datetime.datetime, clock: Clock):
        self.plan = plan
        self.lead = lead
        self.liaisons = liaisons
        self.end = end
        self.clock = clock
        self.rng = random.Random(SEED)
        self.counts = Counts()
        self.queue: list[tuple] = []
        self.serial = 0
        self.assignments: dict[int, Assignment] = {}  # as the pages read them: changes are copied back
        self.latest: dict[int, Submission] = {}
        self.extensions: dict[int, ExtensionRequest] = {}
        self.report_days: dict[tuple[int, datetime.date], datetime.date] = {}  # (unit, period end) → its day
        self.staff: dict[int, int] = {}  # a unit's law-enforcement staff, the same in every report
        self.leads: dict[int, set[int]] = {}
        for measure_id, unit_id in Measure.lead_units.through.objects.filter(
                measure__task__plan=plan).values_list("measure_id", "unit_id"):
            self.leads.setdefault(measure_id, set()).add(unit_id)

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

        for rnd in [
            Round("2024年6月底前任务完成情况调度", moment(2024, 6, 20), datetime.date(2024, 7, 5),
                  moment(2024, 7, 12, 17), datetime.date(2024, 6, 30)),
            Round("2024年度任务完成情况调度", moment(2024, 12, 9), datetime.date(2025, 1, 7),
                  moment(2025, 1, 17, 17), datetime.date(2024, 12, 31)),
            Round("2025年度任务完成情况调度", moment(2025, 12, 8), datetime.date(2025, 12, 31),
                  moment(2026, 1, 9, 17), self.plan.ends_on),
        ]:
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
        if a.measure.ongoing:
            self.plan_period_report(a, due)
            return
        lagging = a.unit_id in self.laggards
        slow = a.measure.task_id in self.slow_tasks and a.unit_id in self.slow_units
        stuck = 0.5 if lagging else 0.45 if slow else 0.0
        start = IMPORTED_AT
        if due < self.end.date() and rng.random() < stuck:
            self.plan_stuck(a, due)
            return
        extension = None
        if due > datetime.date(2024, 12, 1) and not lagging and rng.random() < 0.03:
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

    def plan_period_report(self, a: Assignment, due: datetime.date) -> None:
        """An ongoing measure's progress report for one period. A unit reports all its period reports of a period
        on one day: mostly in the last weeks of the period, some a few days late (a laggard more often), always
        before the first 催办 could turn into a letter; the lead office accepts each within two days."""
        rng = self.rng
        day = self.report_days.get((a.unit_id, due))
        if day is None:
            if rng.random() < (0.5 if a.unit_id in self.laggards else 0.06):
                day = due + self.days(1, 4)
            else:  # in time to be accepted by the period's end
                day = max(due - self.days(4, 20), IMPORTED_AT.date() + datetime.timedelta(days=1))
                while not is_workday(day):
                    day -= datetime.timedelta(days=1)
            self.report_days[(a.unit_id, due)] = day
        when = self.at(max(day, IMPORTED_AT.date() + datetime.timedelta(days=1)), IMPORTED_AT)
        self.push(when, "submit", a.pk, percent=100)
        self.push(self.at(when.date() + self.days(1, 2), when), "review", a.pk, accept=True)

    def plan_stuck(self, a: Assignment, due: datetime.date) -> None:
        """Work still open at the end: not started, part done and reported lately, returned and left, or a
        completion report waiting for review."""
        rng = self.rng
        start = IMPORTED_AT
        fate = rng.choices(["idle", "progress", "returned", "pending"], weights=[30, 40, 18, 12])[0]
        if fate == "idle":
            return
        if fate == "progress":
            # A report of part of the work is a submission like any other (the app has no other way to
            # say 进行中); accepting it would mark the work done, so it waits for review.
            when = self.at(self.end.date() - self.days(10, 40), start)
            self.push(when, "submit", a.pk, percent=rng.choice((10, 20, 30, 40, 60)))
        elif fate == "returned":
            when = self.at(min(due + self.days(5, 40), self.end.date() - datetime.timedelta(days=10)), start)
            self.push(when, "submit", a.pk, percent=rng.choice((60, 80, 100)))
            self.push(self.at(when.date() + self.days(1, 4), when), "review", a.pk, accept=False)
        else:
            when = self.at(self.end.date() - self.days(3, 9), start)
            self.push(when, "submit", a.pk, percent=rng.choice((80, 100)))

    # ---- the events: each is what one page does ----------------------------------------------------

    def on_submit(self, pk: int, percent: int, full: bool = False) -> None:
        """报送进展 (tasks.views.work.submit): the form with its evidence files, then save_submission."""
        a = self.assignments[pk]
        if not a.can_submit():
            return
        fields = {"text": self.rng.choice(self.texts(a, percent)), "percent": str(percent),
                  **self.figures(a, percent, full)}
        count = 1 if a.measure.ongoing else self.rng.choice((1, 1, 2) if percent == 100 else (0, 1, 1, 2))
        files = [self.evidence(a) for _ in range(count)]  # a period report: its 工作台账 or summary
        form = SubmissionForm(fields, MultiValueDict({"files": files}), measure=a.measure)
        data = valid(form)
        self.latest[pk] = uploads.save_submission(a, author=self.liaisons[a.unit_id], text=data["text"],
                                                  percent=data["percent"], files=data["files"],
                                                  today=self.clock.today(), **form.figures())
        self.counts.submissions += 1

    def texts(self, a: Assignment, percent: int) -> list[str]:
        if a.unit_id in self.leads.get(a.measure_id, ()):
            return SUMMARY_TEXTS  # the lead unit reports on the measure as a whole
        if a.measure.ongoing:
            return PERIOD_TEXTS
        return DONE_TEXTS if percent == 100 else PROGRESS_TEXTS

    def figures(self, a: Assignment, percent: int, full: bool) -> dict:
        """The figures a report on a targeted measure gives: a district department's or a street's law-enforcement
        staff (per person: how many reached the target), the target met as far as the work is done; about one
        completion report in six falls short of it (``full``: a resubmission after the shortfall was made up)."""
        measure, rng = a.measure, self.rng
        if measure.target_value is None:
            return {}
        short = percent < 100 or (not full and rng.random() < 0.17)
        if not measure.target_per_person:  # 每年不少于2次: the count of trainings held
            done = measure.target_value * percent // 100 if percent < 100 else measure.target_value
            more = 0 if measure.target_unit == "%" else rng.choice((0, 0, 1))
            return {"achieved_value": str(max(done - 1, 0) if short else done + more)}
        total = self.staff.setdefault(a.unit_id, rng.randint(18, 40) if a.unit.kind == Unit.Kind.STREET
                                      else rng.randint(8, 65))
        reached = total - rng.randint(1, max(1, total // 6)) if short else total
        hours = measure.target_value if reached == total else measure.target_value - rng.randint(4, 16)
        return {"achieved_value": str(hours + rng.choice((0, 4, 8, 12)) if reached == total else hours),
                "staff_total": str(total), "staff_reached": str(reached)}

    def evidence(self, a: Assignment) -> SimpleUploadedFile:
        """A small real file, as a unit would upload it: a PDF or a PNG in turn."""
        label = self.rng.choice(EVIDENCE_NAMES)
        self.counts.evidence += 1
        number = self.counts.evidence
        if number % 2:
            content, ext, kind = tiny_pdf(f"Demo evidence {number}"), "pdf", "application/pdf"
        else:
            content, ext, kind = tiny_png(number), "png", "image/png"
        unit = a.unit
        return SimpleUploadedFile(f"{unit.short_name or unit.name}_{label}.{ext}", content, content_type=kind)

    def on_review(self, pk: int, accept: bool) -> None:
        """审核 (tasks.views.work.review): the form, then Submission.decide."""
        submission = self.latest.get(pk)
        if submission is None or not submission.is_pending:
            return
        reason = "" if accept else self.rng.choice(RETURN_REASONS)
        if submission.figures.met is False and submission.percent == 100:
            if accept and self.rng.random() < 0.5:  # returned: the unit makes up the shortfall and reports again
                accept, reason = False, self.rng.choice(BELOW_TARGET_RETURNS)
                again = self.at(self.clock.today() + self.days(3, 10), self.clock.now())
                self.push(again, "submit", pk, percent=100, full=True)
                self.push(self.at(again.date() + self.days(1, 3), again), "review", pk, accept=True)
            elif accept:
                reason = self.rng.choice(BELOW_TARGET_ACCEPTS)  # accepted with the reason the form asks for
        decision = Review.Decision.ACCEPT if accept else Review.Decision.RETURN
        data = valid(ReviewForm({"decision": decision, "reason": reason}, submission=submission))
        submission.decide(self.lead, data["decision"], data["reason"].strip(), self.clock.today())
        self.assignments[pk].refresh_from_db(fields=["status", "percent", "completed_on", "updated_at"])
        if accept:
            self.counts.accepted += 1
        else:
            self.counts.returned += 1

    def on_ask_extension(self, pk: int, new_due: datetime.date, reason: str) -> None:
        """延期申请 (tasks.views.work.extension_request): the form, then Assignment.request_extension."""
        a = self.assignments[pk]
        if not a.can_submit():
            return
        data = valid(ExtensionRequestForm({"requested_due_on": new_due.isoformat(), "reason": reason}, assignment=a))
        self.extensions[pk] = a.request_extension(self.liaisons[a.unit_id], data["requested_due_on"],
                                                  data["reason"].strip())
        self.counts.extensions += 1

    def on_decide_extension(self, pk: int, grant: bool, reason: str) -> None:
        """延期审批 (tasks.views.work.extension_decide): the form, then ExtensionRequest.decide (a grant moves the
        due date through Assignment.change_deadline)."""
        request = self.extensions.pop(pk, None)
        if request is None:
            return
        data = valid(ExtensionDecisionForm({"grant": "1" if grant else "0", "reason": reason}))
        request.decide(self.lead, data["grant"], data["reason"].strip())

    def on_open_round(self, rnd: Round) -> None:
        """发起调度 (tasks.views.rounds.round_new): the units that still owe work due in the month up to the
        round's date, about the tasks that work is in; RoundForm.save_for."""
        owing = (Assignment.objects.open().filter(measure__task__plan=self.plan, due_on__lte=rnd.deadline,
                                                  due_on__gte=rnd.deadline - datetime.timedelta(days=31))
                 .values_list("unit_id", "measure__task_id"))
        units, tasks = {u for u, _ in owing}, {t for _, t in owing}
        form = rounds.RoundForm({"title": rnd.title, "due_on": rnd.due_on.isoformat(), "tasks": sorted(tasks),
                                 "units": sorted(units)}, plan=self.plan)
        valid(form)
        rnd.row = form.save_for(self.lead)
        self.counts.rounds += 1

    def on_close_round(self, rnd: Round) -> None:
        """结束调度 (tasks.views.rounds.round_close)."""
        rounds.close_round(rnd.row, self.clock.now())

    def on_sweep(self, _target) -> None:
        """The daily job as it ran that morning; its deliveries go out as the delivery worker would send them."""
        last_delivery = Delivery.objects.aggregate(m=Max("pk"))["m"] or 0
        last_letter = Letter.objects.aggregate(m=Max("pk"))["m"] or 0
        result = run_sweep(self.clock.today(), documents="now")
        Delivery.objects.filter(pk__gt=last_delivery, state=Delivery.State.PENDING).update(
            state=Delivery.State.SENT, attempts=1, sent_at=self.clock.now())
        self.counts.sweeps += 1
        self.counts.letters += result["letter"]
        self.counts.circulars += result["circular"]
        when = self.clock.now()
        for letter in Letter.objects.filter(pk__gt=last_letter).order_by("pk"):
            if self.rng.random() < 0.7:
                self.push(self.at(when.date() + self.days(1, 7), when), "reply", letter)

    def on_reply(self, letter: Letter) -> None:
        """整改回复 (notifications.views.letter_detail): letters.save_reply."""
        letters.save_reply(letter, self.liaisons[letter.unit_id], self.rng.choice(REPLY_TEXTS), [])
        self.counts.replies += 1

    def run(self, assignments: list[Assignment], units: list[Unit], tasks: list[Task]) -> Counts:
        self.assignments = {a.pk: a for a in assignments}
        self.choose_laggards(units, tasks)
        self.plan_rounds()
        self.plan_sweeps({a.due_on for a in assignments if a.due_on})
        for a in assignments:
            self.plan_life(a)
        handlers = {"submit": self.on_submit, "review": self.on_review, "ask_extension": self.on_ask_extension,
                    "decide_extension": self.on_decide_extension, "open_round": self.on_open_round,
                    "close_round": self.on_close_round, "sweep": self.on_sweep, "reply": self.on_reply}
        while self.queue:
            when, _, kind, target, data = heapq.heappop(self.queue)
            self.clock.moment = when
            handlers[kind](target, **data)
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
        now = timezone.now()
        with clock_at(IMPORTED_AT) as clock:  # the plan was imported on the first working day after its issue
            plan, users = self.import_plan()
            if not progress:
                return
            if Submission.objects.filter(assignment__measure__task__plan=plan).exists():
                self.stdout.write("已有报送记录，不再重复模拟。")
                return
            end = min(now, datetime.datetime.combine(plan.ends_on + datetime.timedelta(weeks=LATE_WEEKS),
                                                     datetime.time(18), tzinfo=TZ))
            counts = self.simulate(plan, users, end, clock)
            units = list(Unit.objects.filter(is_active=True, kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.STREET])
                         .order_by("order", "name"))
            seed_figures(self.liaisons(units, users), users["sifaju"], units, self.stdout)
            self.annual_report(plan, users["sifaju"])
        assignments = Assignment.objects.filter(measure__task__plan=plan)
        overdue = assignments.overdue(timezone.localdate(now)).count()
        pending = Submission.objects.filter(assignment__measure__task__plan=plan).pending().count()
        self.stdout.write(
            f"模拟进展（至{end:%Y年%-m月%-d日}）：报送 {counts.submissions} 次（佐证材料 {counts.evidence} 个），"
            f"通过 {counts.accepted}，退回 {counts.returned}，待审核 {pending}；延期申请 {counts.extensions} 件；"
            f"调度 {counts.rounds} 次；督办检查 {counts.sweeps} 次，函告 {counts.letters} 件（整改回复 {counts.replies} 件），"
            f"通报 {counts.circulars} 期；任务分解 {assignments.count()} 项，逾期未完成 {overdue} 项。")

    def annual_report(self, plan: Plan, lead: User) -> None:
        """The lead office asks for the year's 行政执法工作报告 on the reports page (its form, its job, rendered as
        the Huey job renders it), once the year's figures are approved."""
        with clock_at(ANNUAL_ASKED_AT):
            form = ReportRequestForm({"kind": ReportJob.Kind.ANNUAL, "plan": plan.pk, "year": ANNUAL_YEAR,
                                      "as_of": timezone.localdate().isoformat()}, user=lead)
            job = ReportJob.ask(requested_by=lead, created_at=timezone.now(), **valid(form))
            job.run_in_background()
        if job.state != ReportJob.State.DONE:
            raise CommandError(f"{job.title}生成失败：{job.error}")
        self.stdout.write(f"年度报告：{job.title}（{job.files_text()}）。")

    def import_plan(self) -> tuple[Plan, dict[str, User]]:
        """The unit directory, the plan as the import page writes it, and the demo accounts."""
        directory = load_units(DEMO_DIR / "units.csv")
        self.stdout.write(f"单位名录：{directory.summary()}")
        data, text = read_plan_for_import(DEMO_DIR / "plan.txt")  # as the import page and import_plan read it
        result = apply_plan(data, source_name="河北区实施方案（演示）.txt", source_text=text)
        result.warnings += follow_up.after_import(result.plan)
        plan = result.plan
        lead = Unit.objects.get(name=LEAD_UNIT)
        if (plan.lead_unit_id, plan.letter_prefix, plan.circular_prefix) != (lead.pk, LETTER_PREFIX, CIRCULAR_PREFIX):
            plan.lead_unit, plan.letter_prefix, plan.circular_prefix = lead, LETTER_PREFIX, CIRCULAR_PREFIX
            plan.save()
        config = LadderConfig.for_plan(plan)
        if any(getattr(config, field) != value for field, value in DOCUMENTS.items()):
            for field, value in DOCUMENTS.items():
                setattr(config, field, value)
            config.save()
        for line in result.summary_lines():
            self.stdout.write(line)
        users = self.accounts()
        self.stdout.write(f"演示账号：{'、'.join(users)}（密码均为 {PASSWORD}）")
        self.resume_follow_up(plan, users["sifaju"])
        return plan, users

    def resume_follow_up(self, plan: Plan, lead: User) -> None:
        """The demo plan is imported three days after its issue, before its first deadline, so the import leaves
        its follow-up running. Had anything been past due, the lead office would have chosen on 督办设置 what it
        is: the same service (notifications.follow_up.reschedule) with new deadlines a month on."""
        if LadderConfig.for_plan(plan).enabled:
            return
        today = timezone.localdate()
        count = follow_up.reschedule(plan, today + datetime.timedelta(days=30), "方案印发后统一部署，重新确定完成时限",
                                     lead, today)
        self.stdout.write(f"督办设置：{count} 项导入时已超过完成时限的任务重新设定完成时限，自动督办已恢复。")

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

    def simulate(self, plan: Plan, users: dict[str, User], end: datetime.datetime, clock: Clock) -> Counts:
        assignments = list(
            Assignment.objects.filter(measure__task__plan=plan).select_related("unit", "measure__task")
            .order_by("measure__task__order", "measure__order", "unit__order", "unit__name", "period")
        )
        units = list(Unit.objects.filter(pk__in={a.unit_id for a in assignments}).order_by("order", "name"))
        tasks = list(Task.objects.filter(plan=plan).order_by("order"))
        return Simulation(plan, users["sifaju"], self.liaisons(units, users), end, clock).run(assignments, units, tasks)
