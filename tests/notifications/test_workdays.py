"""Working days follow China's official calendar; past its last known year, Monday to Friday."""

import datetime
import logging

import chinese_calendar

from tracker.workdays import add_workdays, is_workday, latest_due_overdue_by, workdays_between

D = datetime.date


def test_spring_festival_2025_and_its_make_up_days():
    assert is_workday(D(2025, 1, 26))  # Sunday, make-up working day
    assert not is_workday(D(2025, 1, 28)) and not is_workday(D(2025, 2, 4))
    assert is_workday(D(2025, 2, 8))  # Saturday, make-up working day
    assert add_workdays(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert add_workdays(D(2025, 1, 27), 1) == D(2025, 2, 5)
    assert workdays_between(D(2025, 1, 24), D(2025, 2, 8)) == 6


def test_latest_due_overdue_by_is_the_inverse_of_add_workdays():
    for day in (D(2024, 7, 20), D(2025, 2, 13), D(2025, 10, 9)):
        cutoff = latest_due_overdue_by(day, 10)
        assert workdays_between(cutoff, day) == 10
        assert workdays_between(cutoff + datetime.timedelta(days=1), day) < 10


def test_years_the_package_does_not_know_fall_back_to_weekdays(caplog):
    last = max(chinese_calendar.constants.holidays).year
    future = D(last + 2, 1, 1)
    saturday = future + datetime.timedelta(days=(5 - future.weekday()) % 7)
    with caplog.at_level(logging.WARNING, logger="tracker.workdays"):
        assert not is_workday(saturday)
        assert is_workday(saturday + datetime.timedelta(days=2))
    assert f"no holiday data for {last + 2}" in caplog.text
    assert add_workdays(saturday, 5) == saturday + datetime.timedelta(days=6)
