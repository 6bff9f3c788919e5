"""数据报送's follow-up: the units whose report is still 未报送 or 已退回 get a 提醒 a few working days before the
round's due date (``FigureRound.remind_workdays``), a 催报 on the first working day after it and again every
``FigureRound.chase_every_workdays`` working days while the report stays late — the 催办 calendar of the ladder
(``notifications.ladder``), counted in working days (``tracker.workdays``). Each is a ``tasks.models.RoundNotice``
(the 调度's notice, for a FigureRound), created once per (round, unit, kind, seq) — the unique constraint backs
this up when two workers run — and carried by the unit's next 每日汇总 (``notifications.sweep.send_digests``).
A report submitted is no longer chased (a 数据报送通知, 提醒 or 催报 not sent yet is withdrawn by the
digest, ``withdraw_answered``); one returned is chased again, with the 退回 reason as it stands when the digest
goes (``restate_returned``). A job that missed days sends only the step in force now, as the ladder does.
"""

import datetime

from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from indicators.models import FigureReport, FigureRound
from notifications.ladder import Rung, Timing, rung_at
from tasks.models import RoundNotice
from tracker.workdays import ONE_DAY, latest_due_overdue_by

LATE = (FigureReport.State.DRAFT, FigureReport.State.RETURNED)
KINDS = {"remind": RoundNotice.Kind.REMIND, "urge": RoundNotice.Kind.CHASE}


def remind_on(rnd: FigureRound) -> datetime.date | None:
    """The working day from which the due date is ``remind_workdays`` working days away (None: no 提醒)."""
    if not rnd.remind_workdays:
        return None
    return latest_due_overdue_by(rnd.due_on, rnd.remind_workdays + 1) + ONE_DAY


def step_at(rnd: FigureRound, today: datetime.date) -> Rung | None:
    """The 提醒 or 催报 in force on ``today`` (the ladder's rung: kind "remind" or "urge", its seq and date)."""
    first = remind_on(rnd)
    timing = Timing(((rnd.due_on - first).days,) if first else (), rnd.chase_every_workdays)
    rung = rung_at(timing, rnd.due_on, today)
    if rung is not None and rung.kind == "remind" and today > rnd.due_on:
        return None  # past a due date that fell before a weekend: the 催报 comes on the next working day
    if rung is not None and rung.kind == "remind" and timezone.localdate(rnd.created_at) >= rung.on:
        return None  # opened inside its 提醒 days: the 数据报送通知 names the due date, no 提醒 beside it
    return rung


def chase_figures(today: datetime.date) -> dict:
    """Create today's 提醒 and 催报 of every round with a report still late; returns how many of each."""
    result = {"figures_reminded": 0, "figures_chased": 0}
    rounds = FigureRound.objects.filter(reports__state__in=LATE).distinct()
    for rnd in rounds:
        rung = step_at(rnd, today)
        if rung is None:
            continue
        kind = KINDS[rung.kind]
        told = set(RoundNotice.objects.filter(figure_round=rnd, kind=kind, seq=rung.seq).values_list("unit_id",
                                                                                                      flat=True))
        late = rnd.reports.filter(state__in=LATE).exclude(unit__in=told).values_list("unit_id", "state",
                                                                                     "review_reason")
        notices = [RoundNotice(figure_round=rnd, unit_id=unit_id, kind=kind, seq=rung.seq, created_on=today,
                               reason=reason if state == FigureReport.State.RETURNED else "")
                   for unit_id, state, reason in late]
        RoundNotice.objects.bulk_create(notices, ignore_conflicts=True)
        result["figures_reminded" if kind == RoundNotice.Kind.REMIND else "figures_chased"] += len(notices)
    return result


def withdraw_answered() -> int:
    """Drop the 数据报送通知, 提醒 and 催报 not sent yet whose report has been submitted since (the job runs after
    midnight, the digest in the morning; a round opened during the day waits for the next digest): a unit is not
    asked for a report it has sent. Returns how many."""
    answered = FigureReport.objects.filter(round=OuterRef("figure_round"), unit=OuterRef("unit"),
                                           state__in=[FigureReport.State.PENDING, FigureReport.State.APPROVED])
    return RoundNotice.objects.filter(figure_round__isnull=False, message__isnull=True).filter(
        Exists(answered)).delete()[0]


def restate_returned() -> int:
    """Give the 提醒 and 催报 not sent yet the 退回 reason of their report as it stands now ("" when it is not
    退回): one sent back between the midnight job and the morning's digest is told why, not that it has not
    reported. Returns how many were looked at."""
    reason = FigureReport.objects.filter(round=OuterRef("figure_round"), unit=OuterRef("unit"),
                                         state=FigureReport.State.RETURNED).values("review_reason")[:1]
    return RoundNotice.objects.filter(figure_round__isnull=False, message__isnull=True,
                                      kind__in=list(KINDS.values())).update(reason=Coalesce(Subquery(reason), Value("")))


def notices_by_unit(rnd: FigureRound) -> dict[int, list[RoundNotice]]:
    """The round's 提醒 and 催报 per unit, oldest first (the round page lists them)."""
    result: dict[int, list[RoundNotice]] = {}
    for notice in (rnd.notices.exclude(kind=RoundNotice.Kind.OPENED).order_by("created_on", "pk")):
        result.setdefault(notice.unit_id, []).append(notice)
    return result
