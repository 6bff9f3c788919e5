"""The sweep: one plain function that the Huey job and `manage.py sweep_reminders` both call.

Its cost grows with the steps due, not with the assignments: every stage is a few set-based
statements per chunk, never a query per row.

1. Adopt assignments that have no LadderState yet (ids above the highest adopted one: a PK range),
   one INSERT … SELECT per window of ids. Historical items (follow_up off) get no wake date.
2. Take the states whose `next_step_on` has come (a partial index), in chunks: lock them (SKIP LOCKED),
   move each to its next date (one UPDATE per distinct outcome), then insert the Step rows for the
   rung in force today in bulk. A unit that asked for immediate messages gets one message per step
   (and its inbox rows) at once; for the others (the default) the steps wait for the day's digest.
   Deliveries are queued after the commit, one job per chunk. A sweep that missed days sends only the
   rung in force now, never the ones it skipped. The item's first 催办 of a cycle stores the date it makes
   its unit due a letter (`LadderConfig.letter_on`): letters come only after urges.
3. Digests (`send_digests`): each unit in digest mode gets one message listing the day's 提醒
   and 催办, built from the steps no message carries yet, claimed under the units' row locks.
4. Letters: units with an item that makes them due a letter (stored on the states by step 2 and read
   from a partial index) get one letter, issued in bulk per plan (units locked in key order, numbers
   reserved in one counter update).
5. Circulars: each closed reporting round gets its circular.
6. Letters and circulars get their PDF and are sent (after their numbering has committed).

Plans whose ladder is off (switched off, or paused on import until the lead office decides about items
already past due: notifications.follow_up) are left alone by steps 2 and 4.
"""

import datetime
import logging
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse

from indicators import chasing
from indicators.models import FigureReport, period_label
from notifications import bulk, circulars, letters
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
    measure_leads,
    supporting,
    unfinished,
)
from plans.models import Measure, Plan, Task, Unit
from tasks.models import Assignment, ReportingRound, RoundNotice
from tracker.formats import cn_date
from tracker.queue import enqueue
from tracker.workdays import workdays_between

logger = logging.getLogger(__name__)

ADOPT_WINDOW = 50000  # assignment ids per INSERT … SELECT
STEP_CHUNK = 5000
LETTER_CHUNK = 500


class Configs(dict):
    """LadderConfig per plan id, loaded once per sweep."""

    def __missing__(self, plan_id: int) -> LadderConfig:
        config = LadderConfig.for_plan(Plan.objects.get(pk=plan_id))
        self[plan_id] = config
        return config

    def measures(self, ids: set[int]) -> dict[int, Measure]:
        """Measures (with their task) by id, each read once per sweep."""
        if not hasattr(self, "_measures"):
            self._measures: dict[int, Measure] = {}
        missing = ids - self._measures.keys()
        if missing:
            self._measures.update(Measure.objects.select_related("task").in_bulk(missing))
        return self._measures

    def link_template(self) -> str:
        """The assignment page's address with "{}" for its id (reversed once, not per message)."""
        marker = 987654321
        return reverse("notifications:assignment", args=[marker]).replace(str(marker), "{}")

    def timing(self, plan_id: int, flagged: bool = False) -> Timing:
        """The plan's ladder, or its stricter one for a 挂牌督办 item."""
        if not hasattr(self, "_timings"):
            self._timings: dict[tuple[int, bool], Timing] = {}
        if (plan_id, flagged) not in self._timings:
            self._timings[plan_id, flagged] = Timing.of(self[plan_id], flagged)
        return self._timings[plan_id, flagged]


def adopt(configs: Configs) -> None:
    """Create the LadderState of every assignment that has none yet (new ids only: an index range).

    Set-based: the first wake depends only on (plan, due date), so it is worked out once per distinct
    (plan, due date) in Python (working days) and joined in as a VALUES list; each window of new ids is one
    INSERT … SELECT that skips rows a concurrent sweep inserted first. Done and historical items (follow_up
    off) get no wake date. The letter date is left to the item's first 催办 (`take_steps`, the one place
    that applies `LadderConfig.letter_on`).
    """
    last = LadderState.objects.aggregate(m=Max("assignment_id"))["m"] or 0
    top = Assignment.objects.aggregate(m=Max("pk"))["m"] or 0
    for low in range(last, top, ADOPT_WINDOW):
        window = Assignment.objects.filter(pk__gt=low, pk__lte=low + ADOPT_WINDOW)
        combos = set(window.open().filter(due_on__isnull=False, follow_up=True)
                     .values_list("measure__task__plan_id", "due_on").distinct())
        _adopt_window(low, low + ADOPT_WINDOW, [
            (plan_id, due_on, first_wake(configs.timing(plan_id), due_on)) for plan_id, due_on in sorted(combos)
        ])


def _adopt_window(low: int, high: int, dates: list[tuple]) -> None:
    """INSERT … SELECT the states of assignments low < id <= high; `dates`: (plan, due, wake)."""
    q = connection.ops.quote_name
    a, m, t, s = (q(model._meta.db_table) for model in (Assignment, Measure, Task, LadderState))
    date = connection.ops.adapt_datefield_value
    params: list = []
    if dates:
        values = ", ".join(["(%s, %s, %s)"] * len(dates))
        for plan_id, due_on, wake_on in dates:
            params += [plan_id, date(due_on), date(wake_on)]
        head = f"WITH d (plan_id, due_on, wake) AS (VALUES {values}) "
        join = "LEFT JOIN d ON d.plan_id = tk.plan_id AND d.due_on = a.due_on"
        wake = "CASE WHEN a.status = %s OR NOT a.follow_up THEN NULL ELSE d.wake END"
        params.append(Assignment.Status.DONE)
    else:
        head = join = ""
        wake = "NULL"
    sql = (f"{head}INSERT INTO {s} (assignment_id, cycle, due_on, next_step_on) "
           f"SELECT a.id, 1, a.due_on, {wake} "
           f"FROM {a} a JOIN {m} m ON m.id = a.measure_id JOIN {t} tk ON tk.id = m.task_id {join} "
           f"WHERE a.id > %s AND a.id <= %s ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [low, high])


def letter_warning(config: LadderConfig, unit_id: int, supporter: bool) -> str:
    """The urge's last sentence: what comes next for this unit's item (the lead answers for a led measure; the
    lead office writes no letters to itself)."""
    if supporter:
        return "该措施由牵头单位牵头落实，请积极配合牵头单位推进。"
    if unit_id == config.plan.lead_unit_id:
        return ""
    return f"逾期满{config.letter_after_workdays}个工作日仍未完成的，将向你单位发函督办。"


def step_text(kind: str, seq: int | None, unit_name: str, what: str, due_on: datetime.date,
              as_of: datetime.date, warning: str = "") -> tuple[str, str]:
    """Subject and body of the 提醒 or 催办 about `what` (seq None: sent by hand, outside the ladder)."""
    due_cn = cn_date(due_on)
    if kind == Step.Kind.REMIND:
        days = (due_on - as_of).days
        subject = f"{unit_name}：一项任务将于{due_cn}到期"
        body = (f"{unit_name}：\n你单位承担的{what}完成时限为{due_cn}，距今还有{days}天。"
                f"请按时完成，并在系统中报送进展情况和佐证材料。")
    else:
        late = workdays_between(due_on, as_of)
        subject = f"{unit_name}：一项任务已逾期{late}个工作日" + (f"（第{seq}次催办）" if seq else "")
        body = (f"{unit_name}：\n你单位承担的{what}完成时限为{due_cn}，截至{cn_date(as_of)}"
                f"已逾期{late}个工作日。请抓紧办理，尽快在系统中报送进展情况和佐证材料。"
                + (f"这是第{seq}次催办。" if seq else "") + warning)
    return subject, body


def describe(task, measure_text: str, period: str) -> str:
    return f"“{task}”中的细化措施“{measure_text}”" + (f"（{period}）" if period else "")


def step_message(kind: str, seq: int | None, assignment: Assignment, as_of: datetime.date,
                 config: LadderConfig, *, user=None, note: str = "") -> Message:
    """The 提醒 or 催办 for one assignment, not yet saved (seq None: sent by hand, outside the ladder)."""
    measure = assignment.measure
    supporter = supporting(measure_leads([measure.pk]), measure.pk, assignment.unit_id)
    subject, body = step_text(kind, seq, assignment.unit.name, describe(measure.task, measure.text, assignment.period),
                              assignment.due_on, as_of, letter_warning(config, assignment.unit_id, supporter))
    if note:
        body += f"\n附言：{note}"
    return Message(kind=kind, plan_id=measure.task.plan_id, unit=assignment.unit, assignment=assignment,
                   subject=subject, body=body, sent_by=user,
                   link=reverse("notifications:assignment", args=[assignment.pk]))


def send_by_hand(assignment: Assignment, kind: str, as_of: datetime.date, *, user, note: str = "") -> Message:
    """A 提醒 or 催办 the lead office sends from an assignment's page, at once whatever the unit's notify mode;
    the ladder's own steps are unaffected."""
    if assignment.is_done:
        raise ValueError("该任务已完成，无需督办。")
    if assignment.due_on is None:
        raise ValueError("该任务为长期坚持事项，没有完成时限。")
    if not assignment.follow_up:
        raise ValueError("该任务已记为历史事项，不再督办。")
    overdue = assignment.is_overdue(as_of)
    if kind == Step.Kind.URGE and not overdue:
        raise ValueError("该任务尚未逾期，不能催办，可发送提醒。")
    if kind == Step.Kind.REMIND and overdue:
        raise ValueError("该任务已逾期，请发送催办。")
    config = LadderConfig.for_plan(assignment.measure.task.plan)
    with transaction.atomic():
        message = step_message(kind, seq=None, assignment=assignment, as_of=as_of, config=config, user=user,
                               note=note)
        message.save()
        dispatch(message, units=[assignment.unit])
    return message


STATE_FIELDS = ("pk", "cycle", "due_on", "assignment__due_on", "assignment__status",
                "assignment__follow_up", "assignment__unit_id", "assignment__period", "assignment__measure_id",
                "assignment__measure__task__plan_id", "assignment__measure__flagged_on")


def take_steps(pks: list[int], as_of: datetime.date, configs: Configs) -> list[str]:
    """Move a chunk of due states on and take the rung in force for each, in one transaction; returns the
    kinds of the steps taken.

    The state rows are locked (FOR UPDATE SKIP LOCKED on PostgreSQL: another worker takes other rows;
    SQLite serialises writers) and re-read under the lock, so a state moved by another worker is no
    longer due and is left alone. The Step rows' unique key backs this up. Rows are read as tuples
    (no model instances), the states move on in one UPDATE per distinct outcome, and steps, messages
    and deliveries are bulk inserts. A unit in immediate mode gets one message per step now; the steps
    of a unit in digest mode are left without a message for the day's digest (`send_digests`).
    Each state's letter date is worked out again from its first 催办 of the cycle (`LadderConfig.letter_on`;
    the one going now when there was none), so a withdrawn letter's items come due again; historical items
    (follow_up off) leave the ladder.
    """
    with transaction.atomic():
        states = list(
            LadderState.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=pks, next_step_on__lte=as_of).values_list(*STATE_FIELDS)
        )
        if not states:
            return []
        pks = [s[0] for s in states]
        sent = list(Step.objects.filter(assignment__in=pks).values_list("assignment_id", "kind", "seq", "cycle",
                                                                       "due_on", "sent_on"))
        taken = {(pk, kind, seq, cycle) for pk, kind, seq, cycle, _due, _sent in sent}
        first_urge: dict[tuple, datetime.date] = {}  # (assignment, cycle, due date) → its first 催办's day
        for pk, kind, _seq, cycle, due_on, sent_on in sent:
            if kind == Step.Kind.URGE and sent_on < first_urge.get((pk, cycle, due_on), datetime.date.max):
                first_urge[(pk, cycle, due_on)] = sent_on
        covered = set(LetterItem.objects.filter(assignment__in=pks, active=True).values_list("assignment_id", "cycle"))
        leads = measure_leads({s[8] for s in states})
        moves: dict[tuple, list[int]] = {}  # one UPDATE per distinct outcome (items due the same day share one)
        wanted = []
        for pk, cycle, state_due, due_on, status, follow_up, unit_id, period, measure_id, plan_id, flagged in states:
            if status == Assignment.Status.DONE or due_on is None or not follow_up:  # the ladder stops
                moves.setdefault((None, cycle, state_due, None), []).append(pk)
                continue
            if state_due is not None and state_due != due_on:
                cycle += 1  # a new due date starts a new cycle
            timing = configs.timing(plan_id, flagged is not None)
            rung = rung_at(timing, due_on, as_of)
            if rung is not None and (pk, rung.kind, rung.seq, cycle) not in taken:
                wanted.append((pk, cycle, due_on, unit_id, period, measure_id, plan_id, rung))
                if rung.kind == Step.Kind.URGE:
                    first_urge.setdefault((pk, cycle, due_on), as_of)  # the first 催办 of the cycle goes now
            letter_on = configs[plan_id].letter_on(unit_id, first_urge.get((pk, cycle, due_on)),
                                                   covered=(pk, cycle) in covered,
                                                   supporter=supporting(leads, measure_id, unit_id))
            moves.setdefault((next_wake(timing, due_on, as_of), cycle, due_on, letter_on), []).append(pk)
        for (next_step_on, cycle, due_on, letter_on), group in moves.items():
            LadderState.objects.filter(pk__in=group).update(next_step_on=next_step_on, cycle=cycle, due_on=due_on,
                                                            letter_on=letter_on)
        if not wanted:
            return []
        units = Unit.objects.prefetch_related("users").in_bulk({w[3] for w in wanted})
        now = [w for w in wanted if units[w[3]].notify_mode == Unit.NotifyMode.IMMEDIATE]
        measures = configs.measures({w[5] for w in now})
        link = configs.link_template()
        messages = {}
        for pk, _cycle, due_on, unit_id, period, measure_id, plan_id, rung in now:
            measure, config = measures[measure_id], configs[plan_id]
            subject, body = step_text(rung.kind, rung.seq, units[unit_id].name,
                                      describe(measure.task, measure.text, period), due_on, as_of,
                                      letter_warning(config, unit_id, supporting(leads, measure_id, unit_id)))
            messages[pk] = Message(kind=rung.kind, plan_id=plan_id, unit_id=unit_id, assignment_id=pk,
                                   subject=subject, body=body, link=link.format(pk))
        bulk.insert(list(messages.values()), ["kind", "plan", "unit", "assignment", "subject", "body", "link",
                                              "created_at"])
        bulk.insert([
            Step(assignment_id=pk, kind=rung.kind, seq=rung.seq, cycle=cycle, due_on=due_on,
                 scheduled_on=rung.on, sent_on=as_of, message=messages.get(pk))
            for pk, cycle, due_on, _u, _p, _m, _pl, rung in wanted
        ], ["assignment", "kind", "seq", "cycle", "due_on", "scheduled_on", "sent_on", "message", "created_at"])
        dispatch_many([(message, [units[message.unit_id]]) for message in messages.values()])
        return [w[7].kind for w in wanted]


# --- 每日汇总: one message per unit and day with the day's 提醒 and 催办, instead of one message per item.

DIGEST_LOOKBACK_DAYS = 7  # steps a failed digest left without a message are sent with the next one this long
STEP_UPDATE_CHUNK = 5000


def send_digests(as_of: datetime.date, configs: Configs) -> int:
    """One message per unit listing the steps no message carries yet (the steps this day's sweeps took for
    units in digest mode), sent once over each of its channels; returns how many.

    The steps are claimed under the units' row locks (FOR NO KEY UPDATE, in key order): two sweeps running
    together queue here, and the second finds the first's steps taken, so a step is listed once and a unit
    gets one digest for the steps taken by then. A digest lists 催办 before 提醒, most overdue first. Set-based:
    a few queries and one UPDATE per 5,000 steps, whatever the number of units.
    """
    pending = Step.objects.filter(message__isnull=True, sent_on__lte=as_of,
                                  sent_on__gte=as_of - datetime.timedelta(days=DIGEST_LOOKBACK_DAYS))
    # the rounds' notices ride in the same digest: 调度通知 and 催报 (tasks.rounds.run_schedules), 数据报送通知 (a
    # FigureRound opened), 提醒 and 催报 (indicators.chasing.chase_figures)
    chasing.withdraw_answered()
    chasing.restate_returned()
    notices = RoundNotice.objects.filter(message__isnull=True, created_on__lte=as_of,
                                         created_on__gte=as_of - datetime.timedelta(days=DIGEST_LOOKBACK_DAYS))
    unit_ids = (set(pending.order_by().values_list("assignment__unit_id", flat=True).distinct())
                | set(notices.order_by().values_list("unit_id", flat=True).distinct()))
    if not unit_ids:
        return 0
    with transaction.atomic():
        list(Unit.objects.select_for_update(no_key=True).filter(pk__in=unit_ids).order_by("pk")
             .values_list("pk", flat=True))
        rows = list(pending.filter(assignment__unit__in=unit_ids).values_list(
            "pk", "kind", "due_on", "assignment_id", "assignment__unit_id", "assignment__period",
            "assignment__measure_id", "assignment__measure__task__plan_id"))
        notice_rows = notice_list(notices.filter(unit__in=unit_ids))
        if not rows and not notice_rows:
            return 0
        measures = configs.measures({row[6] for row in rows})
        leads = measure_leads({row[6] for row in rows})
        units = Unit.objects.prefetch_related("users").in_bulk({row[4] for row in rows} | {n.unit_id for n in notice_rows})
        by_unit: dict[int, list[tuple]] = {}
        for row in rows:
            by_unit.setdefault(row[4], []).append(row)
        by_unit_notices: dict[int, list[tuple]] = {}
        for notice in notice_rows:
            by_unit_notices.setdefault(notice.unit_id, []).append(notice)
        messages = [digest_message(units[unit_id], by_unit.get(unit_id, []), as_of, configs, measures, leads,
                                   by_unit_notices.get(unit_id, []))
                    for unit_id in sorted(set(by_unit) | set(by_unit_notices))]
        bulk.insert(messages, ["kind", "plan", "unit", "subject", "body", "link", "digest_on", "created_at"])
        ids = [row[0] for row in rows]
        digest = Message.objects.filter(pk__in=[m.pk for m in messages], unit__assignments=OuterRef("assignment_id"))
        for start in range(0, len(ids), STEP_UPDATE_CHUNK):
            Step.objects.filter(pk__in=ids[start:start + STEP_UPDATE_CHUNK]).update(
                message=Subquery(digest.values("pk")[:1]))
        notice_digest = Message.objects.filter(pk__in=[m.pk for m in messages], unit=OuterRef("unit_id"))
        RoundNotice.objects.filter(pk__in=[n.pk for n in notice_rows]).update(
            message=Subquery(notice_digest.values("pk")[:1]))
        dispatch_many([(message, [units[message.unit_id]]) for message in messages])
    return len(messages)


class Notice(NamedTuple):
    """A round's notice as the digest and the inbox read it: a 调度's (``title``, ``plan_id``) or a 数据报送's
    (``period``, the unit's ``report_id``)."""

    pk: int
    kind: str
    unit_id: int
    title: str | None
    plan_id: int | None
    period: str
    due_on: datetime.date
    seq: int
    reason: str
    message_id: int | None
    report_id: int | None

    @property
    def label(self) -> str:
        """Its kind, as the inbox tags it."""
        if self.kind == RoundNotice.Kind.OPENED and self.period:
            return "数据报送通知"
        return RoundNotice.Kind(self.kind).label

    @property
    def line(self) -> str:
        """What the digest says about it (numbered by the caller)."""
        due = cn_date(self.due_on)
        if not self.period:  # a 调度
            if self.kind == RoundNotice.Kind.CHASE:
                return f"催报：“{self.title}”已于{due}截止，你单位尚未报送，请尽快报送。"
            return f"调度通知：“{self.title}”已发起，请于{due}前报送所涉任务的进展情况。"
        what = f"{self.period}数据报送"
        if self.kind == RoundNotice.Kind.OPENED:
            return f"数据报送通知：{what}已发起，请于{due}前报送本单位{self.period}的行政执法数据。"
        reason = " ".join(self.reason.split())  # one line in a numbered list, whatever lines the reason had
        state = f"你单位报送的数据已被退回（退回理由：{reason}）" if reason else "你单位尚未报送"
        if self.kind == RoundNotice.Kind.REMIND:
            return f"{what}：将于{due}截止，{state}，请按时报送。"
        return f"{what}：已于{due}截止，{state}，请尽快报送。" + (f"（第{self.seq}次催报）" if self.seq > 1 else "")


NOTICE_FIELDS = ("pk", "kind", "unit_id", "round__title", "round__plan_id", "figure_round__period_kind",
                 "figure_round__year", "figure_round__quarter", "round__due_on", "figure_round__due_on", "seq",
                 "reason", "message_id", "report_id")
NOTICE_ORDER = {RoundNotice.Kind.CHASE: 0, RoundNotice.Kind.REMIND: 1, RoundNotice.Kind.OPENED: 2}


def notice_list(notices) -> list[Notice]:
    """The notices of a RoundNotice queryset, in one query: 催报, then 提醒, then the rounds opened, each by due date."""
    result = []
    report = FigureReport.objects.filter(round=OuterRef("figure_round"), unit=OuterRef("unit")).values("pk")[:1]
    for (pk, kind, unit_id, title, plan_id, period_kind, year, quarter, due, figures_due, seq, reason, message_id,
         report_id) in notices.annotate(report_id=Subquery(report)).values_list(*NOTICE_FIELDS):
        period = period_label(period_kind, year, quarter) if period_kind else ""
        result.append(Notice(pk, kind, unit_id, title, plan_id, period, due or figures_due, seq, reason, message_id,
                             report_id))
    return sorted(result, key=lambda n: (NOTICE_ORDER[n.kind], n.due_on, n.pk))


def digest_message(unit: Unit, rows: list[tuple], as_of: datetime.date, configs: Configs,
                   measures: dict[int, Measure], leads: dict[int, set[int]], notices: list[Notice] = ()) -> Message:
    """The digest for one unit: the rounds' notices (``notice_list``) under 调度, then its steps as one list, 催办
    first."""
    urges = sorted((r for r in rows if r[1] == Step.Kind.URGE), key=lambda r: (r[2], r[3]))
    reminders = sorted((r for r in rows if r[1] == Step.Kind.REMIND), key=lambda r: (r[2], r[3]))
    state = "、".join(part for part in (f"{len(urges)}项任务已逾期" if urges else "",
                                        f"{len(reminders)}项任务即将到期" if reminders else "") if part)
    lines = [f"{unit.name}："]
    if state:
        lines.append(f"截至{cn_date(as_of)}，你单位有{state}，请抓紧办理，并在系统中报送进展情况和佐证材料。")
    heads = iter("一二三")
    if notices:
        lines.append(f"{next(heads)}、调度（{len(notices)}项）")
        lines += [f"{i}. {notice.line}" for i, notice in enumerate(notices, start=1)]
    if urges:
        lines.append(f"{next(heads)}、催办（{len(urges)}项，已逾期）")
        for i, (_pk, _k, due_on, _a, _u, period, measure_id, _p) in enumerate(urges, start=1):
            measure = measures[measure_id]
            lines.append(f"{i}. {describe(measure.task, short(measure.text), period)}，完成时限{cn_date(due_on)}，"
                         f"已逾期{workdays_between(due_on, as_of)}个工作日（{(as_of - due_on).days}天）")
    if reminders:
        lines.append(f"{next(heads)}、提醒（{len(reminders)}项，即将到期）")
        for i, (_pk, _k, due_on, _a, _u, period, measure_id, _p) in enumerate(reminders, start=1):
            measure, days = measures[measure_id], (due_on - as_of).days
            lines.append(f"{i}. {describe(measure.task, short(measure.text), period)}，完成时限{cn_date(due_on)}，"
                         + (f"还有{days}天" if days > 0 else "今天到期"))
    warnings = {letter_warning(configs[r[7]], unit.pk, supporting(leads, r[6], unit.pk)) for r in urges}
    lines += sorted(w for w in warnings if w)
    plans = {r[7] for r in rows} | {n.plan_id for n in notices if n.plan_id}
    tally = (("催报", [n for n in notices if n.kind == RoundNotice.Kind.CHASE]),
             ("调度通知", [n for n in notices if n.kind == RoundNotice.Kind.OPENED and not n.period]),
             ("数据报送通知", [n for n in notices if n.kind == RoundNotice.Kind.OPENED and n.period]),
             ("数据报送提醒", [n for n in notices if n.kind == RoundNotice.Kind.REMIND]),
             ("催办", urges), ("提醒", reminders))
    counts = "、".join(f"{label}{len(items)}项" for label, items in tally if items)
    only_figures = not rows and all(n.period for n in notices)  # 我的任务 shows none of it: the unit's 数据报送
    return Message(kind=Message.Kind.DIGEST, plan_id=plans.pop() if len(plans) == 1 else None, unit=unit,
                   subject=f"{unit.name}：{cn_date(as_of)}督办汇总（{counts}）", body="\n".join(lines),
                   link=reverse("indicators:rounds" if only_figures else "tasks:my_tasks"), digest_on=as_of)


def short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[:length] + "…"


def _in_enabled_plans(states):
    """The ladder states of plans whose ladder is on. Usually every plan's is: the query then stays on the
    states' own partial index (joined to the plans, SQLite's planner walked every assignment instead)."""
    disabled = list(LadderConfig.objects.filter(enabled=False).values_list("plan_id", flat=True))
    return states.exclude(assignment__measure__task__plan__in=disabled) if disabled else states


def _sweep(as_of: datetime.date, *, finish: str) -> dict:
    result = {"remind": 0, "urge": 0, "digest": 0, "letter": 0, "circular": 0, "finished": 0, "failed": 0,
              "letters": []}
    configs = Configs()
    adopt(configs)
    messages_before = Message.objects.aggregate(m=Max("pk"))["m"] or 0

    due = list(_in_enabled_plans(LadderState.objects.filter(next_step_on__lte=as_of))
               .order_by("next_step_on", "pk").values_list("pk", flat=True))
    for start in range(0, len(due), STEP_CHUNK):
        for kind in take_steps(due[start:start + STEP_CHUNK], as_of, configs):
            result[kind] += 1
    result["digest"] = send_digests(as_of, configs)

    issued = []
    letter_due = _in_enabled_plans(LadderState.objects.filter(letter_on__lte=as_of)).values("pk")
    candidates = (Assignment.objects.filter(pk__in=letter_due).order_by()
                  .values_list("measure__task__plan", "unit").distinct())
    by_plan: dict[int, list[int]] = {}
    for plan_id, unit_id in sorted(set(candidates)):
        by_plan.setdefault(plan_id, []).append(unit_id)
    for plan_id, unit_ids in by_plan.items():
        for start in range(0, len(unit_ids), LETTER_CHUNK):
            issued += letters.issue_letters(configs[plan_id].plan, unit_ids[start:start + LETTER_CHUNK], as_of)
    result["letter"] = len(issued)

    new_circulars = []
    for rnd in (ReportingRound.objects.filter(closed_at__isnull=False, circular__isnull=True)
                .select_related("plan").order_by("closed_at", "pk")):
        circular = circulars.issue_circular(rnd.plan, as_of, rnd=rnd)
        if circular is not None:
            new_circulars.append(circular)
            result["circular"] += 1

    # this sweep's documents, and those a sweep or a page left half-done (no PDF, or not sent: a worker died)
    left = unfinished(Letter.objects.exclude(pk__in=[x.pk for x in issued]), "letter")
    letter_ids = [x.pk for x in issued] + list(left.values_list("pk", flat=True))
    left = unfinished(Circular.objects.exclude(pk__in=[x.pk for x in new_circulars]), "circular")
    circular_ids = [x.pk for x in new_circulars] + list(left.values_list("pk", flat=True))
    finished_letters = []
    if finish == "now":
        finished_letters, finished_circulars, failed = finish_documents(letter_ids, circular_ids)
        result["finished"] = len(finished_letters) + finished_circulars
        result["failed"] += failed
    elif finish == "queue" and (letter_ids or circular_ids):
        from notifications.tasks import finish_documents_task

        enqueue(finish_documents_task, letter_ids, circular_ids)
    if finish != "never":
        result["failed"] += Delivery.objects.filter(message__pk__gt=messages_before,
                                                    state=Delivery.State.FAILED).count()
    # the letters it issued, then those left half-done that it finished (`finished` counts them with circulars)
    issued_ids = {x.pk for x in issued}
    shown = issued + [x for x in finished_letters if x.pk not in issued_ids]
    stored = dict(Letter.objects.filter(pk__in=[x.pk for x in shown]).values_list("pk", "pdf"))
    result["letters"] = [
        {"number": x.number, "unit": x.unit.name,
         "pdf": str(Path(settings.MEDIA_ROOT) / stored[x.pk]) if stored.get(x.pk) else None}
        for x in shown
    ]
    return result


def finish_documents(letter_ids: list[int], circular_ids: list[int]) -> tuple[list[Letter], int, int]:
    """Render, store and send the letters and circulars not finished yet, each claimed before it is rendered
    (another worker's are left to it); returns the letters this call finished, how many circulars it finished
    and how many documents failed."""
    finished, finished_circulars, failed = [], 0, 0
    for letter in Letter.objects.filter(pk__in=letter_ids).select_related("plan", "unit").order_by("pk"):
        try:
            if letters.finish_letter(letter):
                finished.append(letter)
        except Exception:
            logger.exception("letter %s: PDF or sending failed", letter.number)
            failed += 1
    for circular in Circular.objects.filter(pk__in=circular_ids).select_related("plan").order_by("pk"):
        try:
            finished_circulars += circulars.finish_circular(circular)
        except Exception:
            logger.exception("circular %s: PDF or sending failed", circular.number)
            failed += 1
    return finished, finished_circulars, failed


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
