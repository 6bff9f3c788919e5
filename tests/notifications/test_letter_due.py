"""When an item makes its unit due a 函告: the Python rule (LadderConfig.letter_on, what the sweep stores when it
sends the item's first 催办) and its SQL twin (LadderConfig.letter_due_q, what a letter re-reads under its lock)
give the same answer; a letter lists only items urged in their current cycle."""

import datetime

import pytest
import time_machine

from notifications import circulars, letters
from notifications.models import (
    LadderConfig,
    LadderState,
    Letter,
    LetterItem,
    Step,
    measure_leads,
    supporting,
)
from plans.models import Measure, Plan, Task
from tasks.models import Assignment

D = datetime.date
TZ = datetime.timezone(datetime.timedelta(hours=8))
AS_OF = D(2024, 10, 18)  # 10 working days after 2024-09-30, across the National Day week


def letter_to(cast, unit, seq: int) -> Letter:
    return Letter.objects.create(plan=cast.plan, unit=unit, seq=seq, prefix="旧函", year=2024, serial=seq,
                                 number=f"旧函〔2024〕{seq}号", title="函", issued_on=D(2024, 9, 20),
                                 reply_due_on=D(2024, 9, 27), reply_workdays=5, issuer="区司法局", signer="区司法局")


def urge(a: Assignment, sent_on, *, seq: int = 1, cycle: int = 1, due_on=None, kind: str = Step.Kind.URGE) -> Step:
    return Step.objects.create(assignment=a, kind=kind, seq=seq, cycle=cycle, due_on=due_on or a.due_on,
                               scheduled_on=sent_on, sent_on=sent_on)


@pytest.fixture
def items(cast):
    """One item for each way the rule can go, each with its ladder state and the steps sent; named by period.
    The ladder ran on time for an item due 2024-09-30: its first urge went on 10-08 (after the National Day
    week), its letter date is 10-18 (AS_OF)."""
    Assignment.objects.filter(measure=cast.measure).delete()

    def item(period: str, unit, due_on, *, cycle: int = 1, measure=None, **fields) -> Assignment:
        a = Assignment.objects.create(measure=measure or cast.measure, unit=unit, period=period, due_on=due_on,
                                      **fields)
        LadderState.objects.create(assignment=a, cycle=cycle, due_on=due_on)
        return a

    led = Measure.objects.create(task=cast.task, order=2, text="区财政局牵头，各街道配合。", due_on=D(2024, 9, 30))
    led.lead_units.add(cast.finance)
    made = {
        "urged on time": item("a", cast.finance, D(2024, 9, 30)),
        "first urged a working day later": item("b", cast.finance, D(2024, 9, 30)),
        "never urged": item("c", cast.finance, D(2024, 9, 2)),
        "only reminded": item("d", cast.finance, D(2024, 9, 3)),
        "urged in an earlier cycle only": item("e", cast.finance, D(2024, 10, 10), cycle=2),
        "urged for its former due date": item("f", cast.finance, D(2024, 10, 9)),
        "done": item("g", cast.finance, D(2024, 9, 2), status=Assignment.Status.DONE, completed_on=D(2024, 10, 9)),
        "ongoing": item("h", cast.finance, None),
        "historical": item("i", cast.finance, D(2024, 9, 2), follow_up=False),
        "the lead office's own": item("j", cast.justice, D(2024, 9, 2)),
        "covered": item("k", cast.street, D(2024, 9, 2)),
        "covered in an earlier cycle": item("l", cast.street, D(2024, 9, 3), cycle=2),
        "covered by a withdrawn letter": item("m", cast.street, D(2024, 9, 4)),
        "returned long ago": item("n", cast.street, D(2024, 8, 1), status=Assignment.Status.RETURNED),
        "led by its unit": item("o", cast.finance, D(2024, 9, 2), measure=led),
        "supporting a led measure": item("p", cast.street, D(2024, 9, 2), measure=led),
    }
    urge(made["urged on time"], D(2024, 10, 8))
    urge(made["urged on time"], D(2024, 10, 15), seq=2)
    urge(made["first urged a working day later"], D(2024, 10, 9), seq=2)
    urge(made["only reminded"], D(2024, 8, 27), kind=Step.Kind.REMIND)
    urge(made["urged in an earlier cycle only"], D(2024, 9, 3), due_on=D(2024, 9, 2))
    urge(made["urged for its former due date"], D(2024, 9, 3), due_on=D(2024, 9, 2))
    for name in ("done", "historical", "the lead office's own", "covered", "covered by a withdrawn letter",
                 "led by its unit", "supporting a led measure"):
        urge(made[name], D(2024, 9, 3) if made[name].due_on < D(2024, 9, 3) else D(2024, 9, 5))
    urge(made["covered in an earlier cycle"], D(2024, 9, 4), cycle=2)
    urge(made["returned long ago"], D(2024, 8, 2))
    first, withdrawn = letter_to(cast, cast.street, 1), letter_to(cast, cast.street, 2)
    for name, letter, active in (("covered", first, True), ("covered in an earlier cycle", first, True),
                                 ("covered by a withdrawn letter", withdrawn, False)):
        LetterItem.objects.create(letter=letter, assignment=made[name], cycle=1, due_on=made[name].due_on,
                                  workdays_late=10, days_late=14, active=active)
    other = Plan.objects.create(title="另一方案", ends_on=D(2025, 12, 31))
    other_task = Task.objects.create(plan=other, number=1, title="其他任务", order=1)
    other_measure = Measure.objects.create(task=other_task, order=1, text="其他措施")
    urge(Assignment.objects.create(measure=other_measure, unit=cast.finance, due_on=D(2024, 9, 2)), D(2024, 9, 3))
    return made


def due_by_python(config: LadderConfig, as_of: datetime.date) -> set[int]:
    """`letter_on` applied row by row, the first urge of the current cycle read from the steps."""
    covered = set(LetterItem.objects.filter(active=True).values_list("assignment_id", "cycle"))
    assignments = list(Assignment.objects.filter(measure__task__plan=config.plan).select_related("ladder_state"))
    leads = measure_leads({a.measure_id for a in assignments})
    due = set()
    for a in assignments:
        cycle = a.ladder_state.cycle
        urges = [s.sent_on for s in a.ladder_steps.all() if (s.kind, s.cycle, s.due_on) == ("urge", cycle, a.due_on)]
        letter_on = config.letter_on(a.unit_id, min(urges, default=None), done=a.is_done,
                                     covered=(a.pk, cycle) in covered, follow_up=a.follow_up,
                                     supporter=supporting(leads, a.measure_id, a.unit_id))
        if letter_on is not None and letter_on <= as_of:
            due.add(a.pk)
    return due


def due_by_sql(config: LadderConfig, as_of: datetime.date) -> set[int]:
    return set(Assignment.objects.filter(config.letter_due_q(as_of)).values_list("pk", flat=True))


def test_letter_due_items_are_the_urged_uncovered_items_of_units_that_answer_for_them(cast, items):
    config = LadderConfig.for_plan(cast.plan)
    expected = {items[name].pk for name in ("urged on time", "covered in an earlier cycle",
                                            "covered by a withdrawn letter", "returned long ago",
                                            "led by its unit")}
    assert due_by_python(config, AS_OF) == expected
    assert due_by_sql(config, AS_OF) == expected
    assert items["first urged a working day later"].pk in due_by_sql(config, AS_OF + datetime.timedelta(days=3))


def test_a_letter_lists_every_urged_uncovered_item_not_only_the_due_ones(cast, items):
    config = LadderConfig.for_plan(cast.plan)
    listed = set(letters.listed_items(config, AS_OF).values_list("pk", flat=True))
    assert listed == {items[name].pk for name in ("urged on time", "first urged a working day later",
                                                  "covered in an earlier cycle", "covered by a withdrawn letter",
                                                  "returned long ago", "led by its unit")}


@pytest.mark.parametrize("as_of", [D(2024, 8, 15), D(2024, 9, 30), D(2024, 10, 17), AS_OF, D(2024, 10, 21),
                                   D(2024, 10, 22), D(2025, 1, 1)])
@pytest.mark.parametrize("letter_after", [1, 10, 25])
@pytest.mark.parametrize("with_lead_office", [True, False])
def test_python_rule_and_sql_twin_agree(cast, items, as_of, letter_after, with_lead_office):
    if not with_lead_office:
        Plan.objects.filter(pk=cast.plan.pk).update(lead_unit=None)
        cast.plan.refresh_from_db()
    config = LadderConfig.for_plan(cast.plan)
    config.letter_after_workdays = letter_after
    config.save()
    assert due_by_python(config, as_of) == due_by_sql(config, as_of)


def test_sweep_writes_only_to_due_units_and_by_hand_only_about_urged_items(cast, items, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7")
    Assignment.objects.filter(unit=cast.finance).exclude(
        pk__in=[items["first urged a working day later"].pk, items["never urged"].pk]).delete()
    assert letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF) == []

    [letter] = letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF, user=cast.lead, manual=True)
    assert (letter.number, letter.created_by, letter.seq) == ("测司法函〔2024〕1号", cast.lead, 1)
    assert list(letter.items.values_list("assignment", flat=True)) == [items["first urged a working day later"].pk]
    assert Letter.history.get(id=letter.pk).history_user == cast.lead
    assert letters.issue_letters(cast.plan, [cast.outsider_unit.pk], AS_OF, manual=True) == []


def test_an_urge_sent_by_hand_lets_the_lead_office_write_by_hand(cast, items, monkeypatch):
    from notifications.sweep import send_by_hand

    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7")
    Assignment.objects.filter(unit=cast.finance).exclude(pk=items["never urged"].pk).delete()
    assert letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF, manual=True) == []
    with time_machine.travel(datetime.datetime(2024, 10, 16, 9, tzinfo=TZ), tick=False):
        send_by_hand(items["never urged"], "urge", D(2024, 10, 16), user=cast.lead)
    [letter] = letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF, manual=True)
    assert letters.context_for(letter)["groups"][0]["items"][0]["steps"] == "已于2024年10月16日催办"
    assert letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF) == []  # the sweep counts the ladder's only


def test_a_plan_without_prefixes_numbers_its_letters_and_circulars_with_the_defaults(cast, items, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7")
    Plan.objects.filter(pk=cast.plan.pk).update(letter_prefix="", circular_prefix="")
    cast.plan.refresh_from_db()
    issued = letters.issue_letters(cast.plan, [cast.finance.pk, cast.street.pk], AS_OF)
    assert [x.number for x in issued] == ["督办函〔2024〕1号", "督办函〔2024〕2号"]
    assert circulars.issue_circular(cast.plan, AS_OF).number == "督办通报〔2024〕1号"
    assert circulars.issue_circular(cast.plan, AS_OF).number == "督办通报〔2024〕2号"
    letters.withdraw(issued[0], cast.lead, "重新出具")  # its items may be written up again
    assert letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF, manual=True)[0].number == "督办函〔2024〕3号"
