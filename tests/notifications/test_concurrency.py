"""Two workers sweeping at the same moment on PostgreSQL: each step once, letter numbers gapless.

Runs only when DATABASE_URL points at PostgreSQL (each thread has its own connection there).
"""

import datetime
import os
import threading

import pytest
from django.db import connection

from notifications import letters
from notifications.models import (
    DocumentCounter,
    LadderState,
    Letter,
    LetterItem,
    Message,
    Notification,
    Step,
)
from notifications.sweep import run_sweep
from plans.models import Unit
from tasks.models import Assignment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="needs DATABASE_URL pointing at PostgreSQL"),
]

AS_OF = datetime.date(2024, 7, 20)
ROUNDS = int(os.environ.get("SWEEP_RACE_ROUNDS", "100"))


def reset() -> None:
    Notification.objects.all().delete()
    LetterItem.objects.all().delete()
    Message.objects.all().delete()
    Letter.objects.all().delete()  # a queryset delete: only tests ever remove letters
    Step.objects.all().delete()
    LadderState.objects.all().delete()
    DocumentCounter.objects.all().delete()


def sweep_together(workers: int = 2) -> list[dict]:
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = run_sweep(AS_OF)
        except Exception as exc:  # reported below, with the thread's traceback lost but the type kept
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_step_once_and_number_letters_gaplessly(cast, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 test")
    units = [cast.finance, cast.street]  # small data: two units, three overdue items, inbox only
    Unit.objects.update(email="")
    Assignment.objects.create(measure=cast.measure, unit=cast.finance, period="二期", due_on=datetime.date(2024, 7, 5))
    expected_steps = Assignment.objects.filter(due_on__lt=AS_OF).count()

    for _ in range(ROUNDS):
        reset()
        results = sweep_together()
        assert sum(r["urge"] for r in results) == expected_steps
        assert sum(r["letter"] for r in results) == len(units)
        assert Step.objects.count() == expected_steps
        assert sorted(Letter.objects.values_list("serial", flat=True)) == list(range(1, len(units) + 1))
        assert Letter.objects.values("unit").distinct().count() == len(units)
        numbers = [x["number"] for r in results for x in r["letters"]]
        assert sorted(numbers) == sorted(Letter.objects.values_list("number", flat=True))
        assert Message.objects.filter(kind="letter").count() == len(units)
        assert Message.objects.filter(kind="urge").count() == expected_steps
