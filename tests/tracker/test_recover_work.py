"""manage.py recover_work, the by-hand caller of tracker.recovery.recover: a letter a dead worker left numbered
but untypeset and unsent is finished once it is past the cut-off, and the command prints what it found."""

import datetime
import json
from io import StringIO

import time_machine
from django.core.management import call_command

from notifications import letters
from notifications.models import Letter, Message
from notifications.sweep import run_sweep

D = datetime.date
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def recover_work_at(moment: datetime.datetime) -> dict:
    out = StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("recover_work", stdout=out)
    return json.loads(out.getvalue().splitlines()[-1])


def test_a_letter_left_unfinished_is_typeset_and_sent_after_the_cut_off(cast, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())
    numbered = datetime.datetime(2024, 7, 20, 8, 30, tzinfo=BEIJING)
    with time_machine.travel(numbered, tick=False):
        run_sweep(D(2024, 7, 1))
        run_sweep(D(2024, 7, 20), documents="never")  # numbered; the worker died before typesetting
    assert Letter.objects.filter(pdf="").count() == 2 and not Message.objects.filter(kind="letter").exists()
    nothing = {"report_parts": 0, "reports": 0, "reports_failed": 0, "deliveries": 0, "letters": 0, "circulars": 0}
    assert recover_work_at(numbered + datetime.timedelta(minutes=14)) == nothing  # may still be on its way
    found = recover_work_at(numbered + datetime.timedelta(minutes=16))
    assert found["letters"] == 2  # Huey runs the finishing job at once in the tests
    assert not Letter.objects.filter(pdf="").exists() and Message.objects.filter(kind="letter").count() == 2
    assert recover_work_at(numbered + datetime.timedelta(minutes=30))["letters"] == 0
