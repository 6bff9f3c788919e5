"""Synthetic data for `manage.py bench`: a city-sized plan written with bulk inserts.

The shape follows a real deployment: units in districts (directory groups), one plan of 17 tasks in 6
sections, 34 measures of which some recur (yearly, half-yearly, quarterly) over three years, every unit
owing every measure, about three progress reports per assignment with their reviews, history rows for
every status change, and a few evidence files. Everything before the benchmark's "today" is done except 1% still overdue; ten one-off
measures fall due exactly seven days after "today" (and no recurring period does), so the first sweep
has about ten thousand reminders to send, plus the urges and letters of the overdue share.
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from plans.importer.deadlines import recurring_periods
from plans.models import Measure, Plan, Section, Task, Unit, UnitGroup
from tasks.models import Assignment, Evidence, Review, Submission
from tracker.models import User
from tracker.timestamps import dates_as_given

TODAY = datetime.date(2025, 6, 16)
REMIND_DUE = TODAY + datetime.timedelta(days=7)
PLAN_START = datetime.date(2023, 1, 1)
PLAN_END = datetime.date(2025, 12, 31)
BATCH = 5000
STATUS = Assignment.Status

# (recurrence, count): 34 measures, 102 assignments per unit over three years.
MEASURE_MIX = [("", 18), ("yearly", 8), ("half-yearly", 6), ("quarterly", 2)]
REMIND_MEASURES = 10  # one-off measures due on REMIND_DUE, open: the sweep's ten thousand reminders
DISTRICT_UNITS = 63  # a city's units sit in districts of about this many (1,000 units: 16 districts)


@dataclass
class BenchData:
    plan: Plan
    lead: User
    inspector: User
    liaison: User
    assignment_id: int
    units: int
    assignments: int
    submissions: int


def _periods(recurrence: str, index: int) -> list[tuple[str, datetime.date]]:
    if recurrence == "":
        if index < REMIND_MEASURES:
            return [("", REMIND_DUE)]
        # The other one-off measures fall due across the three years.
        year = 2023 + index % 3
        month = 3 + (index * 5) % 10
        return [("", datetime.date(year, month, 28))]
    return recurring_periods(recurrence, PLAN_START, PLAN_END)


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build(units: int, *, seed: int = 2025, name: str = "基准") -> BenchData:
    with transaction.atomic(), dates_as_given(Assignment, Submission, Review, Evidence):
        data = _build(units, seed, name)
    with connection.cursor() as cursor:  # planner statistics, as a live database's autovacuum keeps them
        cursor.execute("ANALYZE")
    return data


def _build(units: int, seed: int, name: str) -> BenchData:
    rng = random.Random(seed)
    unit_rows = Unit.objects.bulk_create(
        Unit(name=f"{name}单位{i:04d}", kind=Unit.Kind.STREET if i % 10 == 0 else Unit.Kind.DEPARTMENT, order=i)
        for i in range(units)
    )
    everyone = UnitGroup.objects.create(name=f"{name}全体单位")
    everyone.members.set(unit_rows)
    districts = -(-units // DISTRICT_UNITS)
    for d in range(districts):  # each unit also in its district's group, in the units' order
        district = UnitGroup.objects.create(name=f"{name}第{d + 1:02d}区")
        district.members.set(unit_rows[d * units // districts:(d + 1) * units // districts])

    lead_unit = unit_rows[0]
    plan = Plan.objects.create(
        title=f"{name}市提升行政执法质量三年行动计划（2023—2025年）实施方案",
        issuer=f"{name}市人民政府", issued_on=PLAN_START, ends_on=PLAN_END, lead_unit=lead_unit,
        letter_prefix=f"{name}司法函", circular_prefix=f"{name}司法通",
    )
    sections = Section.objects.bulk_create(
        Section(plan=plan, level=2, number=f"（{n}）", title=f"第{n}部分重点任务", order=i)
        for i, n in enumerate("一二三四五六")
    )
    tasks = Task.objects.bulk_create(
        Task(plan=plan, section=sections[i % 6], number=i + 1, title=f"重点任务第{i + 1}项", order=i,
             body="加强统筹，细化措施。", unit_names=[everyone.name])
        for i in range(17)
    )
    specs = [rec for rec, count in MEASURE_MIX for _ in range(count)]
    measures = Measure.objects.bulk_create(
        Measure(task=tasks[i % 17], order=i, text=f"细化措施{i + 1}：按期完成并报送佐证材料。",
                recurrence=rec)
        for i, rec in enumerate(specs)
    )
    Measure.groups.through.objects.bulk_create(
        Measure.groups.through(measure=m, unitgroup=everyone) for m in measures
    )
    # History as the importer leaves it: reports as of a past day read the measures from it.
    Measure.history.model.objects.bulk_create(
        Measure.history.model(id=m.pk, task_id=m.task_id, order=m.order, text=m.text, due_on=m.due_on,
                              due_phrase="", ongoing=False, recurrence=m.recurrence, target_value=None,
                              target_unit="", evidence="", added_by_lead=False, history_type="+",
                              history_date=_aware(PLAN_START, 8))
        for m in measures
    )

    lead = User.objects.create_user(f"{name}-lead", role=User.Role.LEAD)
    inspector = User.objects.create_user(f"{name}-inspector", role=User.Role.INSPECTOR)
    liaison = User.objects.create_user(f"{name}-liaison", role=User.Role.UNIT, unit=unit_rows[1])

    slots = [(m, label, due) for i, (m, rec) in enumerate(zip(measures, specs, strict=True))
             for label, due in _periods(rec, i)]
    history = Assignment.history.model
    created = _aware(PLAN_START)
    n_assignments = n_submissions = 0
    per_chunk = max(1, BATCH // len(slots))
    for start in range(0, len(unit_rows), per_chunk):
        chunk = unit_rows[start:start + per_chunk]
        rows = []
        for unit in chunk:
            for measure, label, due in slots:
                if due < TODAY:
                    status = STATUS.DONE if rng.random() < 0.99 else rng.choice([STATUS.IN_PROGRESS, STATUS.RETURNED])
                elif due == REMIND_DUE:
                    status = STATUS.IN_PROGRESS
                else:
                    status = rng.choice([STATUS.NOT_STARTED, STATUS.IN_PROGRESS])
                completed = due - datetime.timedelta(days=rng.randint(-5, 20)) if status == STATUS.DONE else None
                rows.append(Assignment(measure=measure, unit=unit, period=label, due_on=due, status=status,
                                       percent=100 if status == STATUS.DONE else rng.choice([0, 30, 60]),
                                       completed_on=completed, created_at=created, updated_at=created))
        rows = Assignment.objects.bulk_create(rows)
        n_assignments += len(rows)
        n_submissions += _history_and_work(rows, history, lead, liaison, rng)
    # The submissions went in with bulk_create (no signals): store each assignment's latest at once.
    Assignment.objects.filter(measure__task__plan=plan).refresh_latest_submission()
    return BenchData(plan=plan, lead=lead, inspector=inspector, liaison=liaison,
                     assignment_id=Assignment.objects.filter(unit=unit_rows[1]).order_by("pk").values_list("pk", flat=True)[0],
                     units=units, assignments=n_assignments, submissions=n_submissions)


def _history_and_work(rows: list[Assignment], history, lead: User, liaison: User, rng: random.Random) -> int:
    """History rows (creation and completion), three reports per assignment, reviews, some evidence."""
    hist, submissions, decisions = [], [], []
    for a in rows:
        fields = dict(id=a.pk, measure_id=a.measure_id, unit_id=a.unit_id, period=a.period, due_on=a.due_on,
                      percent=0, completed_on=None, created_at=_aware(PLAN_START), updated_at=_aware(PLAN_START))
        hist.append(history(**fields, status=STATUS.NOT_STARTED, history_type="+", history_date=_aware(PLAN_START)))
        start = max(PLAN_START, a.due_on - datetime.timedelta(days=60))
        for k in range(3):
            day = start + datetime.timedelta(days=15 * k + rng.randint(0, 10))
            last = k == 2
            if last and a.status == STATUS.DONE:
                state = Submission.State.ACCEPTED
            elif last and a.status == STATUS.SUBMITTED:
                state = Submission.State.PENDING
            else:
                state = Submission.State.RETURNED
            submissions.append(Submission(assignment_id=a.pk, author=liaison, text="已按要求推进，相关材料见附件。",
                                          percent=min(100, 40 * (k + 1)), state=state, created_at=_aware(day, 9)))
            decisions.append((state, day))
        if a.status in (STATUS.IN_PROGRESS, STATUS.RETURNED):  # the status it has now, since before today
            since = _aware(min(a.due_on, TODAY) - datetime.timedelta(days=20), 11)
            hist.append(history(**{**fields, "percent": a.percent, "updated_at": since},
                                status=a.status, history_type="~", history_date=since))
        if a.status == STATUS.DONE:
            done_at = _aware(a.completed_on, 16)
            hist.append(history(**{**fields, "percent": 100, "completed_on": a.completed_on, "updated_at": done_at},
                                status=STATUS.DONE, history_type="~", history_date=done_at))
    history.objects.bulk_create(hist, batch_size=BATCH)
    submissions = Submission.objects.bulk_create(submissions, batch_size=BATCH)
    reviews, evidence = [], []
    for sub, (state, day) in zip(submissions, decisions, strict=True):
        if state != Submission.State.PENDING:
            reviews.append(Review(submission=sub, reviewer=lead,
                                  decision=Review.Decision.ACCEPT if state == Submission.State.ACCEPTED
                                  else Review.Decision.RETURN,
                                  reason="" if state == Submission.State.ACCEPTED else "佐证材料不完整，请补充。",
                                  created_at=_aware(day + datetime.timedelta(days=2), 15)))
        if sub.pk % 100 == 0:
            content = f"bench evidence {sub.pk}".encode()
            evidence.append(Evidence(submission=sub, file=f"evidence/bench/{sub.pk}", original_name=f"佐证材料{sub.pk}.pdf",
                                     size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                     content_type="application/pdf", created_at=sub.created_at))
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    return len(submissions)
