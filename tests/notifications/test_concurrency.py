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

FIRST = datetime.date(2024, 7, 8)  # the first urges of items due 2024-06-30 and 07-05
AS_OF = datetime.date(2024, 7, 20)  # 10 working days from them: letters
ROUNDS = int(os.environ.get("SWEEP_RACE_ROUNDS", "100"))


def reset() -> None:
    Notification.objects.all().delete()
    LetterItem.objects.all().delete()
    Message.objects.all().delete()
    Letter.objects.all().delete()  # a queryset delete: only tests ever remove letters
    Step.objects.all().delete()
    LadderState.objects.all().delete()
    DocumentCounter.objects.all().delete()


def sweep_together(day: datetime.date, workers: int = 2) -> list[dict]:
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = run_sweep(day)
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


def listed_lines(message: Message) -> int:
    return sum(1 for line in message.body.splitlines() if line[:1].isdigit())


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_step_once_digest_it_once_and_number_letters_gaplessly(cast, monkeypatch):
    rendered = []  # each letter is claimed before it is typeset: one PDF per letter, whichever sweep makes it
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: rendered.append(1) or b"%PDF-1.7 test")
    units = [cast.finance, cast.street]  # small data: two units, three overdue items, inbox only
    Unit.objects.update(email="")
    Assignment.objects.create(measure=cast.measure, unit=cast.finance, period="二期", due_on=datetime.date(2024, 7, 5))
    expected_steps = Assignment.objects.filter(due_on__lt=FIRST).count()

    for _ in range(ROUNDS):
        reset()
        rendered.clear()
        results = sweep_together(FIRST)
        assert sum(r["urge"] for r in results) == expected_steps
        assert sum(r["letter"] for r in results) == 0  # letters only after urges
        assert Step.objects.count() == expected_steps
        # every step in exactly one digest, and each digest lists exactly the steps linked to it
        assert not Step.objects.filter(message__isnull=True).exists()
        digests = list(Message.objects.filter(kind="digest"))
        assert sum(r["digest"] for r in results) == len(digests)
        assert {d.unit_id for d in digests} == {u.pk for u in units}
        for digest in digests:
            assert listed_lines(digest) == Step.objects.filter(message=digest).count() > 0

        results = sweep_together(AS_OF)
        assert sum(r["urge"] for r in results) == expected_steps  # the next rung, once
        assert sum(r["letter"] for r in results) == len(units)
        assert Step.objects.count() == 2 * expected_steps
        assert sorted(Letter.objects.values_list("serial", flat=True)) == list(range(1, len(units) + 1))
        assert Letter.objects.values("unit").distinct().count() == len(units)
        numbers = [x["number"] for r in results for x in r["letters"]]  # issued, or finished for the other
        assert set(numbers) == set(Letter.objects.values_list("number", flat=True))
        assert len(rendered) == len(units)  # one PDF per letter
        assert Message.objects.filter(kind="letter").count() == len(units)
        assert not Step.objects.filter(message__isnull=True).exists()
        assert not Message.objects.filter(kind="urge").exists()  # digest mode: no message per step
