"""manage.py seed_demo [--no-progress] [--if-empty]: the demo district, its plan, accounts and a year of work.

Everything here is demo data (see plans/demo/README.md). The simulated life of the plan uses a fixed
random seed, so two runs on empty databases give the same result.
"""

import datetime
import hashlib
import random
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from plans.directory import DirectoryError, load_units
from plans.importer import PlanImportError, parse_file
from plans.importer.writer import apply_plan, read_source_text
from plans.models import Measure, Plan, Task, Unit
from tasks.models import Assignment, Evidence, Review, Submission
from tracker.models import User

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
SIMULATION_ENDS = datetime.datetime(2025, 6, 20, 18, 0, tzinfo=TZ)
SEED = 20240614
# Share of assignments whose life is simulated, beyond the demo accounts' own units (all of theirs are).
SAMPLE = 0.2

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
    pending: int = 0
    evidence: int = 0


class Simulation:
    """Plays a year of work on the plan's assignments: submissions, reviews, returns, resubmissions."""

    def __init__(self, plan: Plan, reviewer: User, liaisons: dict[int, User]):
        self.plan = plan
        self.reviewer = reviewer
        self.liaisons = liaisons
        self.rng = random.Random(SEED)
        self.counts = Counts()

    def at(self, day: datetime.date, earliest: datetime.datetime) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(self.rng.randint(8, 17), self.rng.randint(0, 59)),
                                           tzinfo=TZ)
        return min(max(moment, earliest + datetime.timedelta(hours=2)), SIMULATION_ENDS)

    def set_status(self, assignment: Assignment, when: datetime.datetime, status: str, percent: int) -> None:
        assignment.status, assignment.percent = status, percent
        assignment.completed_on = when.date() if status == Assignment.Status.DONE else None
        assignment._history_date = when
        assignment._history_user = self.reviewer if status in ("done", "returned") else self.liaisons[assignment.unit_id]
        assignment.save()
        self.last_change = when

    def submit(self, assignment: Assignment, when: datetime.datetime, percent: int) -> Submission:
        texts = DONE_TEXTS if percent == 100 else PROGRESS_TEXTS
        author = self.liaisons[assignment.unit_id]
        submission = Submission(assignment=assignment, author=author, text=self.rng.choice(texts), percent=percent)
        submission._history_date = when
        submission._history_user = author
        submission.save()
        Submission.objects.filter(pk=submission.pk).update(created_at=when)
        submission.created_at = when  # the review saves it again
        for n in range(self.rng.choice((1, 1, 2))):
            self.attach(submission, when, n)
        self.set_status(assignment, when, Assignment.Status.SUBMITTED, percent)
        self.counts.submissions += 1
        return submission

    def attach(self, submission: Submission, when: datetime.datetime, n: int) -> None:
        unit = submission.assignment.unit
        label = self.rng.choice(EVIDENCE_NAMES)
        if (submission.pk + n) % 2:
            content, ext, kind = tiny_pdf(f"Demo evidence {submission.pk}-{n}"), "pdf", "application/pdf"
        else:
            content, ext, kind = tiny_png(submission.pk + n), "png", "image/png"
        evidence = Evidence(submission=submission, original_name=f"{unit.short_name or unit.name}_{label}.{ext}",
                            size=len(content), sha256=hashlib.sha256(content).hexdigest(), content_type=kind)
        evidence.file.save(f"demo.{ext}", ContentFile(content), save=False)
        evidence.save()
        Evidence.objects.filter(pk=evidence.pk).update(created_at=when)
        self.counts.evidence += 1

    def review(self, submission: Submission, when: datetime.datetime, accept: bool) -> None:
        decision = Review.Decision.ACCEPT if accept else Review.Decision.RETURN
        review = Review(submission=submission, reviewer=self.reviewer, decision=decision,
                        reason="" if accept else self.rng.choice(RETURN_REASONS))
        review._history_date = when
        review._history_user = self.reviewer
        review.save()
        Review.objects.filter(pk=review.pk).update(created_at=when)
        submission.state = Submission.State.ACCEPTED if accept else Submission.State.RETURNED
        submission._history_date = when
        submission._history_user = self.reviewer
        submission.save()
        assignment = submission.assignment
        if accept:
            self.set_status(assignment, when, Assignment.Status.DONE, 100)
            self.counts.accepted += 1
        else:
            self.set_status(assignment, when, Assignment.Status.RETURNED, assignment.percent)
            self.counts.returned += 1

    def live(self, assignment: Assignment) -> None:
        """One assignment's story, chosen by the seeded random generator."""
        rng = self.rng
        due = assignment.due_on or self.plan.ends_on
        self.last_change = None
        start = IMPORTED_AT
        if due <= SIMULATION_ENDS.date():
            story = rng.choices(["on_time", "late", "returned_then_done", "returned_open", "pending", "nothing"],
                                weights=[46, 10, 12, 7, 8, 17])[0]
        else:
            story = rng.choices(["progress", "in_progress", "early", "nothing"], weights=[15, 25, 10, 50])[0]
        if story == "nothing":
            return
        if story == "in_progress":
            when = self.at(IMPORTED_AT.date() + datetime.timedelta(days=rng.randint(20, 300)), start)
            self.set_status(assignment, when, Assignment.Status.IN_PROGRESS, rng.choice((20, 30, 40, 50)))
        elif story == "progress":
            when = self.at(IMPORTED_AT.date() + datetime.timedelta(days=rng.randint(60, 360)), start)
            self.submit(assignment, when, rng.choice((30, 50, 60, 80)))
            self.counts.pending += 1
        else:
            if story == "late":
                day = due + datetime.timedelta(days=rng.randint(3, 45))
            elif story == "early":
                day = IMPORTED_AT.date() + datetime.timedelta(days=rng.randint(90, 360))
            else:
                day = due - datetime.timedelta(days=rng.randint(1, 25))
            when = self.at(day, start)
            submission = self.submit(assignment, when, 100)
            review_at = self.at(when.date() + datetime.timedelta(days=rng.randint(1, 5)), when)
            if story == "pending" or review_at >= SIMULATION_ENDS:
                self.counts.pending += 1
            elif story in ("returned_then_done", "returned_open"):
                self.review(submission, review_at, accept=False)
                if story == "returned_then_done":
                    again = self.at(review_at.date() + datetime.timedelta(days=rng.randint(2, 12)), review_at)
                    if again < SIMULATION_ENDS:
                        second = self.submit(assignment, again, 100)
                        final = self.at(again.date() + datetime.timedelta(days=rng.randint(1, 4)), again)
                        if final < SIMULATION_ENDS:
                            self.review(second, final, accept=True)
            else:
                self.review(submission, review_at, accept=True)
        if self.last_change:
            Assignment.objects.filter(pk=assignment.pk).update(updated_at=self.last_change)


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
        result = apply_plan(parse_file(path), source_name="河北区实施方案（演示）.txt",
                            source_text=read_source_text(path))
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
        counts = self.simulate(plan, users)
        self.stdout.write(
            f"模拟进展：报送 {counts.submissions} 次（佐证材料 {counts.evidence} 个），通过 {counts.accepted}，"
            f"退回 {counts.returned}，待审核 {counts.pending}。")

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

    def simulate(self, plan: Plan, users: dict[str, User]) -> Counts:
        assignments = list(
            Assignment.objects.filter(measure__task__plan=plan).select_related("unit")
            .order_by("measure__task__order", "measure__order", "unit__order", "unit__name", "period")
        )
        units = sorted({a.unit for a in assignments}, key=lambda u: (u.order, u.name))
        simulation = Simulation(plan, users["sifaju"], self.liaisons(units, users))
        demo_units = {u.unit_id for u in users.values() if u.unit_id}
        picker = random.Random(SEED + 1)
        for assignment in assignments:
            if assignment.unit_id in demo_units or picker.random() < SAMPLE:
                simulation.live(assignment)
        return simulation.counts
