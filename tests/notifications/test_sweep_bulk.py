"""The sweep's set-based paths: adoption by INSERT … SELECT, letters issued in bulk, the lean insert."""

import datetime

import pytest

from notifications import bulk, letters
from notifications.ladder import Timing, first_wake
from notifications.models import DocumentCounter, LadderState, Letter, LetterItem, Message, Step
from notifications.sweep import Configs, adopt, run_sweep
from tasks.models import Assignment
from tracker.workdays import add_workdays, workdays_between

D = datetime.date
AS_OF = D(2024, 7, 20)


@pytest.fixture
def overdue(cast, monkeypatch):
    """Both units and the lead office overdue since 2024-06-28 (15 working days on AS_OF)."""
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 test")
    Assignment.objects.update(due_on=D(2024, 6, 28))
    cast.lead_assignment = Assignment.objects.create(measure=cast.measure, unit=cast.justice, period="二期",
                                                     due_on=D(2024, 6, 28))
    return cast


def test_adoption_gives_each_assignment_its_first_wake_and_the_first_urge_its_letter_date(cast):
    due = D(2024, 9, 30)
    Assignment.objects.update(due_on=due)
    done = Assignment.objects.create(measure=cast.measure, unit=cast.finance, period="二期", due_on=due,
                                     status=Assignment.Status.DONE)
    lead = Assignment.objects.create(measure=cast.measure, unit=cast.justice, period="三期", due_on=due)
    ongoing = Assignment.objects.create(measure=cast.measure, unit=cast.finance, period="四期", due_on=None)
    historical = Assignment.objects.create(measure=cast.measure, unit=cast.finance, period="五期", due_on=due,
                                           follow_up=False)

    adopt(Configs())
    assert LadderState.objects.count() == 6
    states = {s.pk: s for s in LadderState.objects.all()}
    assert states[cast.finance_assignment.pk].next_step_on == first_wake(Timing(), due) == D(2024, 9, 23)
    assert (states[done.pk].next_step_on, states[done.pk].due_on) == (None, due)
    assert states[lead.pk].next_step_on == D(2024, 9, 23)
    assert states[ongoing.pk].next_step_on is None
    assert states[historical.pk].next_step_on is None  # not chased
    assert {s.cycle for s in states.values()} == {1}
    assert not LadderState.objects.filter(letter_on__isnull=False).exists()

    run_sweep(D(2024, 9, 23), documents="never")  # a reminder sets no letter date
    assert not LadderState.objects.filter(letter_on__isnull=False).exists()
    run_sweep(D(2024, 10, 8), documents="never")  # the first urge, after the National Day week, sets it
    states = {s.pk: s for s in LadderState.objects.all()}
    assert states[cast.finance_assignment.pk].letter_on == add_workdays(due, 10) == D(2024, 10, 18)
    assert (states[done.pk].letter_on, states[lead.pk].letter_on, states[ongoing.pk].letter_on) == (None, None, None)
    assert not Step.objects.filter(assignment=historical).exists()
    run_sweep(D(2024, 10, 15), documents="never")  # the second urge keeps the first one's letter date
    assert LadderState.objects.get(pk=cast.finance_assignment.pk).letter_on == D(2024, 10, 18)
    LadderState.objects.filter(pk=done.pk).update(cycle=2)
    adopt(Configs())  # nothing new: nothing inserted twice, nothing overwritten
    assert LadderState.objects.count() == 6
    assert LadderState.objects.get(pk=done.pk).cycle == 2


def test_letters_to_many_units_are_numbered_consecutively_after_the_counter(overdue):
    DocumentCounter.objects.create(prefix="测司法函", year=2024, last=7)
    assert run_sweep(D(2024, 7, 1), documents="never")["letter"] == 0  # the first urges
    result = run_sweep(AS_OF, documents="never")
    assert result["letter"] == 2  # finance and street; the lead office writes no letter to itself
    issued = list(Letter.objects.order_by("serial").values_list("unit__name", "serial", "number", "seq"))
    assert issued == [("区财政局", 8, "测司法函〔2024〕8号", 1), ("光复道街道办事处", 9, "测司法函〔2024〕9号", 1)]
    assert DocumentCounter.objects.get(prefix="测司法函", year=2024).last == 9
    assert [x["number"] for x in result["letters"]] == ["测司法函〔2024〕8号", "测司法函〔2024〕9号"]
    assert Letter.history.filter(history_type="+").count() == 2
    items = list(LetterItem.objects.order_by("letter__serial").values_list("assignment_id", "cycle",
                                                                           "workdays_late", "days_late"))
    late = workdays_between(D(2024, 6, 28), AS_OF)
    assert late == 15
    assert items == [(overdue.finance_assignment.pk, 1, late, 22), (overdue.street_assignment.pk, 1, late, 22)]
    assert not LadderState.objects.filter(letter_on__isnull=False).exists()
    assert run_sweep(AS_OF, documents="never")["letter"] == 0


def test_a_unit_whose_items_are_all_covered_gets_no_second_letter_and_loses_its_stale_date(overdue):
    run_sweep(D(2024, 7, 1), documents="never")
    run_sweep(AS_OF, documents="never")
    LadderState.objects.filter(pk=overdue.finance_assignment.pk).update(letter_on=AS_OF)
    assert letters.issue_letters(overdue.plan, [overdue.finance.pk], AS_OF) == []
    assert LadderState.objects.get(pk=overdue.finance_assignment.pk).letter_on is None
    assert Letter.objects.count() == 2


def test_the_items_of_a_withdrawn_letter_are_written_up_again_by_the_next_sweep(overdue):
    run_sweep(D(2024, 7, 1), documents="never")
    run_sweep(AS_OF, documents="never")
    letters.withdraw(Letter.objects.get(unit=overdue.finance), overdue.lead, "误列事项，重新出具")
    again = run_sweep(D(2024, 7, 22), documents="never")
    assert again["letter"] == 1
    letter = Letter.objects.get(unit=overdue.finance, seq=2)
    assert list(letter.items.values_list("assignment", flat=True)) == [overdue.finance_assignment.pk]


def test_lean_insert_sets_ids_times_and_dates(overdue):
    messages = [Message(kind="urge", plan=overdue.plan, unit=overdue.finance, assignment=overdue.finance_assignment,
                        subject=f"第{i}条", body="内容", link="/x/") for i in range(3)]
    bulk.insert(messages, ["kind", "plan", "unit", "assignment", "subject", "body", "link", "created_at"])
    assert [m.pk for m in messages] == list(Message.objects.order_by("pk").values_list("pk", flat=True))
    assert all(m.created_at is not None for m in Message.objects.all())
    steps = [Step(assignment=overdue.finance_assignment, kind="urge", seq=i + 1, cycle=1, due_on=D(2024, 6, 28),
                  scheduled_on=D(2024, 7, 1), sent_on=AS_OF, message=m) for i, m in enumerate(messages)]
    bulk.insert(steps, ["assignment", "kind", "seq", "cycle", "due_on", "scheduled_on", "sent_on", "message",
                        "created_at"])
    stored = list(Step.objects.order_by("seq").values_list("pk", "seq", "scheduled_on", "message_id"))
    assert stored == [(s.pk, s.seq, D(2024, 7, 1), m.pk) for s, m in zip(steps, messages, strict=True)]


def test_deliveries_are_queued_after_commit_in_batches(overdue, monkeypatch, django_capture_on_commit_callbacks):
    from notifications import channels, tasks

    queued = []
    monkeypatch.setattr(channels, "DELIVERY_BATCH", 2)
    monkeypatch.setattr(tasks, "deliver_batch", lambda ids: queued.append(list(ids)))
    messages = bulk.insert([Message(kind="urge", plan=overdue.plan, unit=overdue.finance, subject=f"第{i}条",
                                    body="内容") for i in range(5)],
                           ["kind", "plan", "unit", "subject", "body", "link", "created_at"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliveries = channels.dispatch_many([(m, [overdue.finance]) for m in messages])
    assert queued == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [len(batch) for batch in queued] == [2, 2, 1]
    assert sorted(i for batch in queued for i in batch) == sorted(d.pk for d in deliveries)
    assert {d.channel for d in deliveries} == {"email"}
