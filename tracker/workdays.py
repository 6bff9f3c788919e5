"""Working days on China's official calendar (holidays and 调休 make-up days), via `chinese_calendar`.

The package knows the State Council's holiday notice year by year and raises NotImplementedError for
years it has no data for. Past its last year we fall back to "Monday to Friday are working days",
log one warning per year, and keep going: reminders are then at most a few days off around public
holidays until the package is upgraded.
"""

import bisect
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


BASE_YEAR = 2004  # the first year chinese_calendar knows; the running count starts here


@functools.cache
def _year_workdays(year: int) -> tuple[datetime.date, ...]:
    day, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days = []
    while day <= end:
        if is_workday(day):
            days.append(day)
        day += ONE_DAY
    return tuple(days)


@functools.cache
def _before_year(year: int) -> int:
    """Working days from BASE_YEAR-01-01 to the start of `year` (negative before BASE_YEAR)."""
    if year == BASE_YEAR:
        return 0
    if year > BASE_YEAR:
        return _before_year(year - 1) + len(_year_workdays(year - 1))
    return _before_year(year + 1) - len(_year_workdays(year))


def _count_through(day: datetime.date) -> int:
    """Working days from BASE_YEAR-01-01 through `day` (a running number: differences are what count)."""
    return _before_year(day.year) + bisect.bisect_right(_year_workdays(day.year), day)


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (n >= 1); `day` itself when n == 0."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return day
    target = _count_through(day) + n
    year = day.year
    while _before_year(year + 1) < target:
        year += 1
    return _year_workdays(year)[target - _before_year(year) - 1]


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days lie in (start, end]: the working days `end` is past `start`. 0 if end <= start."""
    if end <= start:
        return 0
    return _count_through(end) - _count_through(start)


def latest_due_overdue_by(as_of: datetime.date, n: int) -> datetime.date:
    """The latest due date that is at least n working days overdue on `as_of`.

    That is the day before the n-th working day counted back from `as_of` (inclusive), so that
    workdays_between(result, as_of) == n.
    """
    if n <= 0:
        return as_of
    target = _count_through(as_of) - n + 1  # the running number of that n-th working day back
    year = as_of.year
    while _before_year(year) >= target:
        year -= 1
    return _year_workdays(year)[target - _before_year(year) - 1] - ONE_DAY
