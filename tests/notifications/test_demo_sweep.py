"""The demo data (seed_demo --no-progress) under the ladder: the first sweep of a plan nobody followed up sends
no letter and one digest per unit; reminders, urges and consecutively numbered letters follow in order, each
letter listing only urged items its unit answers for."""

import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from notifications import letters
from notifications.models import Letter, LetterItem, Message, Notification, Step
from plans.models import Measure, Unit
from tests.standard_catalogue import ensure_standard_catalogue

TZ = datetime.timezone(datetime.timedelta(hours=8))
ZERO = {"remind": 0, "urge": 0, "digest": 0, "letter": 0, "circular": 0, "finished": 0, "failed": 0, "letters": []}


def sweep(day: str) -> dict:
    out = StringIO()
    with time_machine.travel(datetime.datetime.fromisoformat(day).replace(hour=8, minute=30, tzinfo=TZ), tick=False):
        call_command("sweep_reminders", "--as-of", day, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture(scope="module")
def demo_plan(django_db_setup, django_db_blocker):
    """The demo plan imported once for the module (seed_demo --no-progress), rolled back after it; each test's
    sweeps are rolled back with the test."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_standard_catalogue()  # a transactional test earlier on this worker may have flushed it
        call_command("seed_demo", "--no-progress", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_plan, db, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())


@pytest.mark.django_db
def test_first_sweep_of_the_never_followed_demo_sends_no_letter_and_one_message_per_unit(demo):
    result = sweep("2026-03-02")  # every deadline of 2024 and 2025 has passed; nothing was ever sent
    assert result["letter"] == 0 and not Letter.objects.exists()
    units = Step.objects.values("assignment__unit").distinct().count()
    assert result["urge"] > 1000 and result["digest"] == units == Unit.objects.filter(assignments__isnull=False)\
        .distinct().count()
    assert set(Message.objects.values_list("kind", flat=True)) == {"digest"}
    assert max(Message.objects.values("unit").annotate(n=Count("id")).values_list("n", flat=True)) == 1
    assert max(Notification.objects.values("user").annotate(n=Count("id")).values_list("n", flat=True)) == 1
    assert not Step.objects.filter(message__isnull=True).exists()  # every step went out in its unit's digest
    assert sweep("2026-03-02") == ZERO


@pytest.mark.django_db
def test_demo_reminders_then_urges_then_letters_about_urged_items_only(demo):
    first = sweep("2024-06-25")
    assert first["remind"] > 0 and first["urge"] == 0 and first["failed"] == 0
    assert first["digest"] == Message.objects.count()  # one message per unit with a reminder
    assert sweep("2024-06-25") == ZERO

    urged = sweep("2024-07-20")  # the first urges of the items due 2024-06-30: no letter yet
    assert urged["urge"] > 0 and urged["letter"] == 0
    later = sweep("2024-08-01")  # 10 working days from those urges
    assert later["letter"] > 0
    serials = sorted(int(x["number"].split("〕")[1].rstrip("号")) for x in later["letters"])
    assert serials == list(range(1, later["letter"] + 1))
    assert all(x["number"].startswith("河北司法函〔2024〕") for x in later["letters"])
    assert len({x["unit"] for x in later["letters"]}) == later["letter"]  # one letter per unit
    assert Letter.objects.count() == later["letter"]
    assert Step.objects.count() == first["remind"] + urged["urge"] + later["urge"]

    leads = {}
    for measure_id, unit_id in Measure.lead_units.through.objects.values_list("measure_id", "unit_id"):
        leads.setdefault(measure_id, set()).add(unit_id)
    for item in LetterItem.objects.select_related("letter", "assignment__measure"):
        a = item.assignment
        assert a.unit_id == item.letter.unit_id and a.follow_up and not a.is_done
        assert not leads.get(a.measure_id) or a.unit_id in leads[a.measure_id]  # the lead answers for led ones
        assert Step.objects.filter(assignment=a, kind="urge", cycle=item.cycle, due_on=item.due_on,
                                   sent_on__lte=item.letter.issued_on).exists()
    for letter in Letter.objects.all():
        context = letters.context_for(letter)
        for row in (row for group in context["groups"] for row in group["items"]):
            assert "催办" in row["steps"]  # each item names its urges with their dates
            if row["ongoing"]:  # an ongoing measure's missed progress report, not unfinished work
                assert "未按期报送进展" in context["summary"]
