"""What issue 4 must show on the demo data: reminders on 2024-06-25, nothing on a second run, then urges
and consecutively numbered letters on 2024-07-20."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from notifications import letters
from notifications.models import Letter, Step


def sweep(day: str) -> dict:
    out = StringIO()
    call_command("sweep_reminders", "--as-of", day, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.django_db
def test_demo_sweeps(monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())
    call_command("seed_demo", "--no-progress", stdout=StringIO())

    first = sweep("2024-06-25")
    assert first["remind"] > 0 and first["failed"] == 0
    assert sweep("2024-06-25") == {"remind": 0, "urge": 0, "letter": 0, "circular": 0, "failed": 0, "letters": []}

    later = sweep("2024-07-20")
    assert later["urge"] > 0 and later["letter"] > 0
    serials = sorted(int(x["number"].split("〕")[1].rstrip("号")) for x in later["letters"])
    assert serials == list(range(1, later["letter"] + 1))
    assert all(x["number"].startswith("河北司法函〔2024〕") for x in later["letters"])
    assert len({x["unit"] for x in later["letters"]}) == later["letter"]  # one letter per unit
    assert Letter.objects.count() == later["letter"]
    assert Step.objects.count() == first["remind"] + later["urge"]
