"""Many workers claiming one robot's sends at the same moment on PostgreSQL: never more than its 20 a minute.

Runs only when DATABASE_URL points at PostgreSQL (each thread has its own connection there).
"""

import os
import threading

import pytest
import time_machine
from django.db import connection

from notifications import robots
from tests.notifications.fake_robots import NINE

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="needs DATABASE_URL pointing at PostgreSQL"),
]

URL = "https://oapi.dingtalk.com/robot/send?access_token=0c23a4b5c6d7e8f9"


@pytest.mark.django_db(transaction=True)
def test_eight_workers_get_twenty_sends_a_minute_between_them():
    workers, tries = 8, 10
    barrier = threading.Barrier(workers)
    waits: list[float] = []
    errors: list[Exception] = []

    def work() -> None:
        try:
            barrier.wait()
            waits.extend(robots.claim(URL) for _ in range(tries))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(NINE, tick=False) as clock:
        for _ in range(3):  # three minutes, each with its 20
            waits.clear()
            threads = [threading.Thread(target=work) for _ in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert not errors, errors
            assert waits.count(0) == 20 and len(waits) == workers * tries
            assert all(0 < wait <= 61 for wait in waits if wait)
            clock.shift(61)
