"""The sweep walks an assignment's ladder exactly once per rung, on China's official calendar."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from notifications import letters
from notifications.models import LadderConfig, LadderState, Letter, Message, Notification, Step
from notifications.sweep import run_sweep
from tasks.models import Assignment

D = datetime.date


def walk(start: D, end: D) -> list[tuple[D, str, int]]:
    """Sweep every day from start to end (the clock frozen at 08:30 that day); what each day sent."""
    events = []
    day = start
    while day <= end:
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 8, 30,
                                                   tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
                                 tick=False):
            result = run_sweep(day)
        for kind in ("remind", "urge", "letter", "circular"):
            if result[kind]:
                events.append((day, kind, result[kind]))
        day += datetime.timedelta(days=1)
    return events


@pytest.fixture
def festival(cast, monkeypatch):
    """The finance bureau's item due Friday 2025-01-24, just before the Spring Festival; the street
    office's item is done. Letters get a stand-in PDF (test_letter_pdf.py checks the real one)."""
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())
    Assignment.objects.filter(pk=cast.finance_assignment.pk).update(due_on=D(2025, 1, 24))
    Assignment.objects.filter(pk=cast.street_assignment.pk).update(status=Assignment.Status.DONE)
    return cast


def test_ladder_walks_across_spring_festival_and_make_up_workdays(festival):
    events = walk(D(2025, 1, 10), D(2025, 2, 24))
    assert events == [
        (D(2025, 1, 17), "remind", 1),   # 7 days before
        (D(2025, 1, 23), "remind", 1),   # 1 day before
        (D(2025, 1, 26), "urge", 1),     # Sunday, a make-up working day: 1st working day after due
        (D(2025, 2, 8), "urge", 1),      # Saturday make-up day = 6th working day (holiday 1/28–2/4 skipped)
        (D(2025, 2, 13), "letter", 1),   # 10th working day overdue
        (D(2025, 2, 14), "urge", 1),     # 11th working day
        (D(2025, 2, 21), "urge", 1),     # 16th working day
    ]
    steps = list(Step.objects.filter(assignment=festival.finance_assignment)
                 .values_list("kind", "seq", "cycle", "scheduled_on", "sent_on"))
    assert steps == [
        ("remind", 1, 1, D(2025, 1, 17), D(2025, 1, 17)),
        ("remind", 2, 1, D(2025, 1, 23), D(2025, 1, 23)),
        ("urge", 1, 1, D(2025, 1, 26), D(2025, 1, 26)),
        ("urge", 2, 1, D(2025, 2, 8), D(2025, 2, 8)),
        ("urge", 3, 1, D(2025, 2, 14), D(2025, 2, 14)),
        ("urge", 4, 1, D(2025, 2, 21), D(2025, 2, 21)),
    ]
    letter = Letter.objects.get()
    assert letter.number == "测司法函〔2025〕1号"
    assert letter.unit == festival.finance
    assert letter.reply_due_on == D(2025, 2, 20)  # 5 working days after 2/13
    assert list(letter.items.values_list("assignment", "workdays_late")) == [(festival.finance_assignment.pk, 10)]
    # The liaison got every step in the inbox.
    assert Notification.objects.filter(user=festival.finance_user).count() == 7
    assert not Notification.objects.filter(user=festival.street_user).exists()


def test_second_sweep_on_the_same_day_sends_nothing(festival):
    run_sweep(D(2025, 1, 26))  # the first urge
    first = run_sweep(D(2025, 2, 13))
    second = run_sweep(D(2025, 2, 13))
    assert (first["urge"], first["digest"], first["letter"]) == (1, 1, 1)
    assert second == {"remind": 0, "urge": 0, "digest": 0, "letter": 0, "circular": 0, "finished": 0, "failed": 0,
                      "letters": []}
    assert Message.objects.count() == 3  # two digests and the letter


def test_catch_up_sends_only_the_step_in_force_now(festival):
    run_sweep(D(2025, 1, 10))  # adopted, nothing yet
    result = run_sweep(D(2025, 2, 10))  # the sweep did not run for a month
    assert (result["remind"], result["urge"], result["letter"]) == (0, 1, 0)
    assert list(Step.objects.values_list("kind", "seq", "scheduled_on")) == [("urge", 2, D(2025, 2, 8))]
    assert run_sweep(D(2025, 2, 11))["urge"] == 0


def test_completion_stops_the_ladder(festival):
    run_sweep(D(2025, 1, 26))
    a = Assignment.objects.get(pk=festival.finance_assignment.pk)
    a.status = Assignment.Status.DONE
    a.save()
    assert walk(D(2025, 1, 27), D(2025, 3, 10)) == []
    assert LadderState.objects.get(pk=a.pk).next_step_on is None


def test_extension_resets_the_ladder_to_a_new_cycle(festival):
    run_sweep(D(2025, 1, 26))  # urge 1 of cycle 1
    a = Assignment.objects.get(pk=festival.finance_assignment.pk)
    a.due_on = D(2025, 3, 14)
    a.save()
    events = walk(D(2025, 1, 27), D(2025, 3, 17))
    assert events == [(D(2025, 3, 7), "remind", 1), (D(2025, 3, 13), "remind", 1), (D(2025, 3, 17), "urge", 1)]
    assert list(Step.objects.filter(cycle=2).values_list("kind", "seq")) == [("remind", 1), ("remind", 2),
                                                                             ("urge", 1)]


def test_disabled_ladder_sends_nothing(festival):
    LadderConfig.objects.update_or_create(plan=festival.plan, defaults={"enabled": False})
    assert walk(D(2025, 1, 16), D(2025, 2, 28)) == []  # no reminder, urge or letter
    assert not Letter.objects.exists() and not Step.objects.exists()
    LadderConfig.objects.filter(plan=festival.plan).update(enabled=True)
    # the rung in force; the letter only after the urge, 10 working days from it counted inclusively
    assert walk(D(2025, 3, 3), D(2025, 3, 14)) == [(D(2025, 3, 3), "urge", 1), (D(2025, 3, 7), "urge", 1),
                                                   (D(2025, 3, 14), "urge", 1), (D(2025, 3, 14), "letter", 1)]


def test_custom_timing_is_followed(festival):
    LadderConfig.objects.update_or_create(plan=festival.plan, defaults={"remind_days": "3", "urge_every_workdays": 2})
    events = walk(D(2025, 1, 16), D(2025, 2, 7))
    assert events == [(D(2025, 1, 21), "remind", 1), (D(2025, 1, 26), "urge", 1), (D(2025, 2, 5), "urge", 1),
                      (D(2025, 2, 7), "urge", 1)]


def test_command_prints_json_last_line_and_dry_run_stores_nothing(festival):
    out = StringIO()
    call_command("sweep_reminders", "--as-of", "2025-01-17", "--dry-run", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["remind"] == 1
    assert not Step.objects.exists() and not Message.objects.exists()
    call_command("sweep_reminders", "--as-of", "2025-01-26", stdout=StringIO())  # the first urge
    out = StringIO()
    call_command("sweep_reminders", "--as-of", "2025-02-13", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["urge"] == 1 and result["letter"] == 1
    assert result["letters"][0]["number"] == "测司法函〔2025〕1号"
    assert result["letters"][0]["unit"] == "区财政局"
    assert result["letters"][0]["pdf"].endswith(".pdf")


def test_command_rejects_a_bad_date(festival):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("sweep_reminders", "--as-of", "2025-13-01")


def test_closing_a_reporting_round_brings_one_circular(festival, monkeypatch):
    from django.utils import timezone

    from notifications import circulars
    from notifications.models import Circular
    from tasks.models import ReportingRound

    monkeypatch.setattr(circulars, "render_pdf", lambda template, context: b"%PDF-1.7")
    rnd = ReportingRound.objects.create(plan=festival.plan, title="1月调度", due_on=D(2025, 1, 20),
                                        created_by=festival.lead)
    rnd.units.add(festival.finance, festival.street)
    assert run_sweep(D(2025, 1, 21))["circular"] == 0  # still open
    ReportingRound.objects.filter(pk=rnd.pk).update(closed_at=timezone.now())
    assert run_sweep(D(2025, 1, 22))["circular"] == 1
    assert run_sweep(D(2025, 1, 23))["circular"] == 0
    circular = Circular.objects.get()
    assert circular.round == rnd and circular.number == "测司法通〔2025〕1号"
    assert circular.content["round"]["missing"] == ["光复道街道办事处", "区财政局"]
    assert Notification.objects.filter(message__circular=circular, user=festival.street_user).exists()


def test_rerun_finishes_letters_a_killed_sweep_left_half_done_and_says_so(festival, monkeypatch):
    run_sweep(D(2025, 1, 26))  # the first urge
    run_sweep(D(2025, 2, 13), documents="never")  # numbered, then the worker died: no PDF, not sent
    letter = Letter.objects.get()
    assert not letter.pdf and not Message.objects.filter(letter=letter).exists()
    rendered = []
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: rendered.append(1) or b"%PDF-1.7")
    again = run_sweep(D(2025, 2, 13), documents="now")
    assert (again["letter"], again["finished"]) == (0, 1)
    assert [x["number"] for x in again["letters"]] == [letter.number] and again["letters"][0]["pdf"]
    assert run_sweep(D(2025, 2, 13), documents="now")["finished"] == 0  # nothing left: nothing rendered again
    assert len(rendered) == 1 and Message.objects.filter(letter=letter).count() == 1


def test_a_letter_with_its_pdf_but_not_sent_is_sent_by_the_next_sweep(festival):
    run_sweep(D(2025, 1, 26))
    run_sweep(D(2025, 2, 13), documents="never")
    letter = Letter.objects.get()
    letters.store_pdf(letter)  # the worker died after storing the PDF, before sending
    assert run_sweep(D(2025, 2, 14), documents="now")["finished"] == 1
    assert Message.objects.filter(letter=letter, kind="letter").count() == 1


def test_a_pdf_file_a_killed_worker_left_is_replaced_not_kept_beside(festival, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run_sweep(D(2025, 1, 26))
    run_sweep(D(2025, 2, 13), documents="never")
    letter = Letter.objects.get()
    folder = tmp_path / "letters" / "2025"
    folder.mkdir(parents=True)
    (folder / f"{letter.prefix}-2025-{letter.serial}.pdf").write_bytes(b"%PDF-1.7 half")  # stored, not recorded
    run_sweep(D(2025, 2, 13), documents="now")
    letter.refresh_from_db()
    assert [p.name for p in folder.iterdir()] == [Path(letter.pdf.name).name]  # one file per letter
    assert letter.pdf.read() == b"%PDF-1.7 " + letter.number.encode()  # typeset again by the worker that claimed it


def test_a_circular_pdf_file_a_killed_worker_left_is_replaced_not_kept_beside(festival, monkeypatch, settings,
                                                                               tmp_path):
    from notifications import circulars

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(circulars, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())
    with time_machine.travel(datetime.datetime(2025, 2, 14, 9, tzinfo=datetime.UTC), tick=False):
        circular = circulars.issue_circular(festival.plan, D(2025, 2, 14), user=festival.lead)
        folder = tmp_path / "circulars" / "2025"
        folder.mkdir(parents=True)
        (folder / f"{circular.prefix}-2025-{circular.serial}.pdf").write_bytes(b"%PDF-1.7 half")  # not recorded
        assert circulars.finish_circular(circular)
    circular.refresh_from_db()
    assert [p.name for p in folder.iterdir()] == [Path(circular.pdf.name).name]  # one file per circular
    assert Path(circular.pdf.name).name == f"{circular.prefix}-2025-{circular.serial}.pdf"
    assert circular.pdf.read() == b"%PDF-1.7 " + circular.number.encode()  # typeset again by the claiming worker
    assert Message.objects.filter(circular=circular, kind="circular").count() == 1
