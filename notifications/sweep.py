"""The sweep: one plain function that the Huey job and `manage.py sweep_reminders` both call.

1. Adopt assignments that have no LadderState yet (ids above the highest adopted one: a PK range).
2. Take the states whose `next_step_on` has come (a partial index), and for each claim, with a
   conditional update, the move to its next date; then insert the Step row for the rung in force
   today. A sweep that missed days sends only the rung in force now, never the ones it skipped.
3. Letters: units with an item `letter_after_workdays` overdue that no letter covers get one letter.
4. Circulars: each closed reporting round gets its circular.
5. Letters and circulars get their PDF and are sent (after their numbering has committed).
"""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from notifications import circulars, letters
from notifications.channels import dispatch, dispatch_many
from notifications.ladder import Timing, first_wake, next_wake, rung_at
from notifications.models import (
    Circular,
    Delivery,
    LadderConfig,
    LadderState,
    Letter,
    LetterItem,
    Message,
    Step,
)
from plans.models import Plan, Unit
from tasks.models import Assignment, ReportingRound
from tracker.workdays import add_workdays, workdays_between

logger = logging.getLogger(__name__)

ADOPT_BATCH = 20000
STEP_CHUNK = 500
LETTER_CHUNK = 500


class Configs(dict):
    """LadderConfig per plan id, loaded once per sweep."""

    def __missing__(self, plan_id: int) -> LadderConfig:
        config = LadderConfig.for_plan(Plan.objects.get(pk=plan_id))
        self[plan_id] = config
        return config

    def letter_on(self, plan_id: int, unit_id: int, due_on: datetime.date) -> datetime.date | None:
        """When an open item due on `due_on` makes its unit due a letter (never for the plan's lead office)."""
        config = self[plan_id]
        if unit_id == config.plan.lead_unit_id:
            return None
        return add_workdays(due_on, config.letter_after_workdays)

    def timing(self, plan_id: int) -> Timing:
        if not hasattr(self, "_timings"):
            self._timings: dict[int, Timing] = {}
        if plan_id not in self._timings:
            self._timings[plan_id] = Timing.of(self[plan_id])
        return self._timings[plan_id]


def adopt(configs: Configs) -> int:
    """Create the LadderState of every assignment that has none yet (new ids only: an index range).

    The dates depend only on (plan, due date, whether the unit is the plan's lead office), so they are
    worked out once per distinct combination; the rows go in as large ignore-conflicts bulk inserts.
    """
    adopted = 0
    dates: dict[tuple, tuple] = {}
    last = LadderState.objects.aggregate(m=Max("assignment_id"))["m"] or 0
    while True:
        batch = list(Assignment.objects.filter(pk__gt=last).order_by("pk")
                     .values_list("pk", "due_on", "status", "unit_id", "measure__task__plan_id")[:ADOPT_BATCH])
        if not batch:
            return adopted
        states = []
        for pk, due_on, status, unit_id, plan_id in batch:
            wake = letter_on = None
            if due_on is not None and status != Assignment.Status.DONE:
                key = (plan_id, due_on, unit_id == configs[plan_id].plan.lead_unit_id)
                if key not in dates:
                    dates[key] = (first_wake(configs.timing(plan_id), due_on),
                                  configs.letter_on(plan_id, unit_id, due_on))
                wake, letter_on = dates[key]
            states.append(LadderState(assignment_id=pk, due_on=due_on, next_step_on=wake, letter_on=letter_on))
        LadderState.objects.bulk_create(states, ignore_conflicts=True)
        adopted += len(states)
        last = batch[-1][0]


def step_message(kind: str, seq: int | None, assignment: Assignment, as_of: datetime.date,
                 config: LadderConfig, *, user=None, note: str = "") -> Message:
    """The 提醒 or 催办 for one assignment, not yet saved (seq None: sent by hand, outside the ladder)."""
    unit = assignment.unit
    measure = assignment.measure
    task = measure.task
    what = f"“{task}”中的细化措施“{measure.text}”" + (f"（{assignment.period}）" if assignment.period else "")
    due_cn = letters.cn_date(assignment.due_on)
    if kind == Step.Kind.REMIND:
        days = (assignment.due_on - as_of).days
        subject = f"{unit.name}：一项任务将于{due_cn}到期"
        body = (f"{unit.name}：\n你单位承担的{what}完成时限为{due_cn}，距今还有{days}天。"
                f"请按时完成，并在系统中报送进展情况和佐证材料。")
    else:
        late = workdays_between(assignment.due_on, as_of)
        subject = f"{unit.name}：一项任务已逾期{late}个工作日" + (f"（第{seq}次催办）" if seq else "")
        body = (f"{unit.name}：\n你单位承担的{what}完成时限为{due_cn}，截至{letters.cn_date(as_of)}"
                f"已逾期{late}个工作日。请抓紧办理，尽快在系统中报送进展情况和佐证材料。"
                + (f"这是第{seq}次催办；" if seq else "")
                + f"逾期满{config.letter_after_workdays}个工作日的，将向你单位发函督办。")
    if note:
        body += f"\n附言：{note}"
    return Message(kind=kind, plan_id=task.plan_id, unit=unit, assignment=assignment, subject=subject, body=body,
                   sent_by=user, link=reverse("notifications:assignment", args=[assignment.pk]))


def send_by_hand(assignment: Assignment, kind: str, as_of: datetime.date, *, user, note: str = "") -> Message:
    """A 提醒 or 催办 the lead office sends from an assignment's page; the ladder's own steps are unaffected."""
    if assignment.is_done:
        raise ValueError("该任务已完成，无需督办。")
    if assignment.due_on is None:
        raise ValueError("该任务为长期坚持事项，没有完成时限。")
    if kind == Step.Kind.URGE and assignment.due_on >= as_of:
        raise ValueError("该任务尚未逾期，不能催办，可发送提醒。")
    if kind == Step.Kind.REMIND and assignment.due_on < as_of:
        raise ValueError("该任务已逾期，请发送催办。")
    config = LadderConfig.for_plan(assignment.measure.task.plan)
    with transaction.atomic():
        message = step_message(kind, None, assignment, as_of, config, user=user, note=note)
        message.save()
        dispatch(message, units=[assignment.unit])
    return message


def take_steps(pks: list[int], as_of: datetime.date, configs: Configs) -> list[Step]:
    """Move a chunk of due states on and send the rung in force for each, in one transaction.

    The state rows are locked (FOR UPDATE SKIP LOCKED on PostgreSQL: another worker takes other rows;
    SQLite serialises writers) and re-read under the lock, so a state moved by another worker is no
    longer due and is left alone. The Step rows' unique key backs this up.
    """
    with transaction.atomic():
        states = list(
            LadderState.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=pks, next_step_on__lte=as_of)
            .select_related("assignment__measure__task", "assignment__unit")
        )
        if not states:
            return []
        covered = set(LetterItem.objects.filter(assignment__in=[s.pk for s in states], active=True)
                      .values_list("assignment_id", "cycle"))
        wanted = []
        for state in states:
            assignment = state.assignment
            if assignment.is_done or assignment.due_on is None:
                state.next_step_on = state.letter_on = None
                continue
            if state.due_on is not None and state.due_on != assignment.due_on:
                state.cycle += 1
            state.due_on = assignment.due_on
            plan_id = assignment.measure.task.plan_id
            timing = configs.timing(plan_id)
            state.next_step_on = next_wake(timing, assignment.due_on, as_of)
            state.letter_on = (None if (state.pk, state.cycle) in covered
                               else configs.letter_on(plan_id, assignment.unit_id, assignment.due_on))
            rung = rung_at(timing, assignment.due_on, as_of)
            if rung is not None:
                wanted.append((state, rung))
        # One UPDATE per distinct outcome (items due the same day share one), not a CASE per row.
        groups: dict[tuple, list[int]] = {}
        for state in states:
            key = (state.next_step_on, state.letter_on, state.cycle, state.due_on)
            groups.setdefault(key, []).append(state.pk)
        for (next_step_on, letter_on, cycle, due_on), group in groups.items():
            LadderState.objects.filter(pk__in=group).update(next_step_on=next_step_on, letter_on=letter_on,
                                                            cycle=cycle, due_on=due_on)
        taken = set(
            Step.objects.filter(assignment__in=[state.pk for state, _ in wanted])
            .values_list("assignment_id", "kind", "seq", "cycle")
        )
        wanted = [(state, rung) for state, rung in wanted
                  if (state.pk, rung.kind, rung.seq, state.cycle) not in taken]
        if not wanted:
            return []
        units = Unit.objects.prefetch_related("users").in_bulk({state.assignment.unit_id for state, _ in wanted})
        messages = Message.objects.bulk_create([
            step_message(rung.kind, rung.seq, state.assignment, as_of,
                         configs[state.assignment.measure.task.plan_id])
            for state, rung in wanted
        ])
        steps = Step.objects.bulk_create([
            Step(assignment_id=state.pk, kind=rung.kind, seq=rung.seq, cycle=state.cycle,
                 due_on=state.due_on, scheduled_on=rung.on, sent_on=as_of, message=message)
            for (state, rung), message in zip(wanted, messages, strict=True)
        ])
        dispatch_many([(message, [units[message.unit_id]]) for message in messages])
        return steps


def _sweep(as_of: datetime.date, *, finish: str) -> dict:
    result = {"remind": 0, "urge": 0, "letter": 0, "circular": 0, "failed": 0, "letters": []}
    configs = Configs()
    adopt(configs)
    messages_before = Message.objects.aggregate(m=Max("pk"))["m"] or 0

    due = list(LadderState.objects.filter(next_step_on__lte=as_of)
               .exclude(assignment__measure__task__plan__ladder__enabled=False)
               .order_by("next_step_on", "pk").values_list("pk", flat=True))
    for start in range(0, len(due), STEP_CHUNK):
        for step in take_steps(due[start:start + STEP_CHUNK], as_of, configs):
            result[step.kind] += 1

    issued = []
    candidates = (LadderState.objects.filter(letter_on__lte=as_of)
                  .exclude(assignment__measure__task__plan__ladder__enabled=False)
                  .values_list("assignment__measure__task__plan", "assignment__unit").distinct())
    by_plan: dict[int, list[int]] = {}
    for plan_id, unit_id in sorted(set(candidates)):
        by_plan.setdefault(plan_id, []).append(unit_id)
    for plan_id, unit_ids in by_plan.items():
        for start in range(0, len(unit_ids), LETTER_CHUNK):
            issued += letters.issue_letters(configs[plan_id].plan, unit_ids[start:start + LETTER_CHUNK], as_of,
                                            configs[plan_id])
    result["letter"] = len(issued)

    new_circulars = []
    for rnd in (ReportingRound.objects.filter(closed_at__isnull=False, circular__isnull=True)
                .select_related("plan").order_by("closed_at", "pk")):
        circular = circulars.issue_circular(rnd.plan, as_of, rnd=rnd)
        if circular is not None:
            new_circulars.append(circular)
            result["circular"] += 1

    letter_ids = [x.pk for x in issued] + list(Letter.objects.filter(pdf="").exclude(
        pk__in=[x.pk for x in issued]).values_list("pk", flat=True))
    circular_ids = [x.pk for x in new_circulars] + list(Circular.objects.filter(pdf="").exclude(
        pk__in=[x.pk for x in new_circulars]).values_list("pk", flat=True))
    if finish == "now":
        result["failed"] += finish_documents(letter_ids, circular_ids)
    elif finish == "queue" and (letter_ids or circular_ids):
        from notifications.tasks import finish_documents_task

        finish_documents_task(letter_ids, circular_ids)
    if finish != "never":
        result["failed"] += Delivery.objects.filter(message__pk__gt=messages_before,
                                                    state=Delivery.State.FAILED).count()
    stored = dict(Letter.objects.filter(pk__in=[x.pk for x in issued]).values_list("pk", "pdf"))
    result["letters"] = [
        {"number": x.number, "unit": x.unit.name,
         "pdf": str(Path(settings.MEDIA_ROOT) / stored[x.pk]) if stored.get(x.pk) else None}
        for x in issued
    ]
    return result


def finish_documents(letter_ids: list[int], circular_ids: list[int]) -> int:
    """Render, store and send the letters and circulars not finished yet; returns how many failed."""
    failed = 0
    for letter in Letter.objects.filter(pk__in=letter_ids).select_related("plan", "unit").order_by("pk"):
        try:
            letters.finish_letter(letter)
        except Exception:
            logger.exception("letter %s: PDF or sending failed", letter.number)
            failed += 1
    for circular in Circular.objects.filter(pk__in=circular_ids).select_related("plan").order_by("pk"):
        try:
            circulars.finish_circular(circular)
        except Exception:
            logger.exception("circular %s: PDF or sending failed", circular.number)
            failed += 1
    return failed


def run_sweep(as_of: datetime.date, *, dry_run: bool = False, documents: str = "queue") -> dict:
    """Send every ladder step due on `as_of` exactly once; returns the counts.

    documents: "queue" hands the letters' and circulars' typesetting and sending to a Huey job (the
    daily job; in immediate mode it runs at once), "now" does it before returning (the command, so
    that it can print the PDF paths).
    dry_run: the same work inside a transaction that is rolled back: nothing is stored or sent,
    nothing is typeset.
    """
    if not dry_run:
        return _sweep(as_of, finish=documents)
    with transaction.atomic():
        result = _sweep(as_of, finish="never")
        transaction.set_rollback(True)
    return result
