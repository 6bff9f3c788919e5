"""The ladder's calendar: which reminder or urge an assignment is at on a given day, and when to look again.

Pure functions of (config, due date, day) so the sweep, the pages and the tests share one definition:
- 提醒 seq i: `remind_days[i]` calendar days before the due date (default 7 and 1);
- 催办 seq n: the (1 + every·(n−1))-th working day after the due date (default 1st, 6th, 11th, …);
- 函告: once a unit has an item whose first 催办 of the cycle was sent `letter_after_workdays` − 1 working days
  ago (the due date + `letter_after_workdays` when the ladder ran on time; see LadderConfig.letter_on);
- 通报: units with an item `circular_after_workdays` working days overdue are named in the next circular.
"""

import datetime
from dataclasses import dataclass

from tracker.workdays import add_workdays, workdays_between


@dataclass(frozen=True)
class Timing:
    remind_days: tuple[int, ...] = (7, 1)
    urge_every: int = 5
    letter_after: int = 10

    @classmethod
    def of(cls, config, flagged: bool = False) -> "Timing":
        """The plan's ladder; for a 挂牌督办 item (``flagged``) its stricter 催办 interval."""
        urge_every = config.flagged_urge_every_workdays if flagged else config.urge_every_workdays
        return cls(tuple(config.remind_list), urge_every, config.letter_after_workdays)


@dataclass(frozen=True)
class Rung:
    kind: str  # "remind" or "urge"
    seq: int
    on: datetime.date

    @property
    def label(self) -> str:
        return f"{'提醒' if self.kind == 'remind' else '催办'}（第{self.seq}次）"


def urge_on(timing: Timing, due: datetime.date, seq: int) -> datetime.date:
    return add_workdays(due, 1 + timing.urge_every * (seq - 1))


def rung_at(timing: Timing, due: datetime.date, day: datetime.date) -> Rung | None:
    """The step in force on `day`: the latest reminder or urge whose date is on or before it."""
    if day > due:
        late = workdays_between(due, day)  # the first urge is on working day 1, then every `urge_every`
        if late >= 1:
            seq = 1 if timing.urge_every == 0 else (late - 1) // timing.urge_every + 1
            return Rung("urge", seq, urge_on(timing, due, seq))
    current = None
    for i, days in enumerate(timing.remind_days, start=1):
        on = due - datetime.timedelta(days=days)
        if on <= day:
            current = Rung("remind", i, on)
    return current


def next_wake(timing: Timing, due: datetime.date, day: datetime.date) -> datetime.date | None:
    """The first date after `day` on which a new step falls due (None: the ladder has no more rungs)."""
    for days in timing.remind_days:
        on = due - datetime.timedelta(days=days)
        if on > day:
            return on
    first = urge_on(timing, due, 1)
    if first > day:
        return first
    if timing.urge_every == 0:
        return None
    current = rung_at(timing, due, day)
    return urge_on(timing, due, current.seq + 1)


def first_wake(timing: Timing, due: datetime.date) -> datetime.date:
    """The date of the first rung."""
    if timing.remind_days:
        return due - datetime.timedelta(days=timing.remind_days[0])
    return urge_on(timing, due, 1)


def schedule(timing: Timing, due: datetime.date, until: datetime.date) -> list[Rung]:
    """Every rung from the first up to `until`, in order (for pages and tests)."""
    rungs = []
    day = first_wake(timing, due)
    while day is not None and day <= until:
        rungs.append(rung_at(timing, due, day))
        day = next_wake(timing, due, day)
    return rungs
