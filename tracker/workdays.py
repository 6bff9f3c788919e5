"""Working days on China's official calendar (holidays and 调休 make-up days), via `chinese_calendar`.

The package knows the State Council's holiday notice year by year and raises NotImplementedError for
years it has no data for. Past its last year we fall back to "Monday to Friday are working days",
log one warning per year, and keep going: reminders are then at most a few days off around public
holidays until the package is upgraded.
"""

import datetime
import functools
import logging

import chinese_calendar

logger = logging.getLogger(__name__)

ONE_DAY = datetime.timedelta(days=1)


@functools.cache
def _warn_fallback(year: int) -> None:
    logger.warning(
        "chinese_calendar has no holiday data for %s; counting Monday to Friday as working days. "
        "Upgrade the chinesecalendar package once the State Council publishes that year's holidays.",
        year,
    )


@functools.lru_cache(maxsize=8192)
def is_workday(day: datetime.date) -> bool:
    """True on official working days, make-up Saturdays and Sundays (调休) included."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_fallback(day.year)
        return day.weekday() < 5


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (n >= 1); `day` itself when n == 0."""
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += ONE_DAY
        if is_workday(day):
            n -= 1
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days lie in (start, end]: the working days `end` is past `start`. 0 if end <= start."""
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if is_workday(day):
            count += 1
    return count


def latest_due_overdue_by(as_of: datetime.date, n: int) -> datetime.date:
    """The latest due date that is at least n working days overdue on `as_of`.

    That is the day before the n-th working day counted back from `as_of` (inclusive), so that
    workdays_between(result, as_of) == n.
    """
    if n <= 0:
        return as_of
    day = as_of
    seen = 0
    while True:
        if is_workday(day):
            seen += 1
            if seen == n:
                return day - ONE_DAY
        day -= ONE_DAY
