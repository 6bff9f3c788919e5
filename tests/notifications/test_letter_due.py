"""When an item makes its unit due a 函告: the Python rule (LadderConfig.letter_on, what the sweep stores) and
its SQL twin (LadderConfig.letter_due_q, what a letter re-reads under its lock) give the same answer."""

import datetime

import pytest

from notifications import circulars, letters
from notifications.models import LadderConfig, LadderState, Letter, LetterItem
from plans.models import Measure, Plan, Task
from tasks.models import Assignment

D = datetime.date
AS_OF = D(2024, 10, 18)  # 10 working days after 2024-09-30, across the National Day week


def letter_to(cast, unit, seq: int) -> Letter:
    return Letter.objects.create(plan=cast.plan, unit=unit, seq=seq, prefix="旧函", year=2024, serial=seq,
                                 number=f"旧函〔2024〕{seq}号", title="函", issued_on=D(2024, 9, 20),
                                 reply_due_on=D(2024, 9, 27), reply_workdays=5, issuer="区司法局", signer="区司法局")


@pytest.fixture
def items(cast):
    """One item for each way the rule can go, each with its ladder state; named by period."""
    Assignment.objects.filter(measure=cast.measure).delete()

    def item(period: str, unit, due_on, *, cycle: int = 1, **fields) -> Assignment:
        a = Assignment.objects.create(measure=cast.measure, unit=unit, period=period, due_on=due_on, **fields)
        LadderState.objects.create(assignment=a, cycle=cycle, due_on=due_on)
        return a

    made = {
        "exactly ten working days": item("a", cast.finance, D(2024, 9, 30)),
        "a working day short": item("b", cast.finance, D(2024, 10, 8)),
        "done": item("c", cast.finance, D(2024, 9, 2), status=Assignment.Status.DONE, completed_on=D(2024, 10, 9)),
        "ongoing": item("d", cast.finance, None),
        "the lead office's own": item("e", cast.justice, D(2024, 9, 2)),
        "covered": item("f", cast.street, D(2024, 9, 2)),
        "covered in an earlier cycle": item("g", cast.street, D(2024, 9, 3), cycle=2),
        "covered by a withdrawn letter": item("h", cast.street, D(2024, 9, 4)),
        "returned long ago": item("i", cast.street, D(2024, 8, 1), status=Assignment.Status.RETURNED),
    }
    first, withdrawn = letter_to(cast, cast.street, 1), letter_to(cast, cast.street, 2)
    for name, letter, active in (("covered", first, True), ("covered in an earlier cycle", first, True),
                                 ("covered by a withdrawn letter", withdrawn, False)):
        LetterItem.objects.create(letter=letter, assignment=made[name], cycle=1, due_on=made[name].due_on,
                                  workdays_late=10, days_late=14, active=active)
    other = Plan.objects.create(title="另一方案", ends_on=D(2025, 12, 31))
    other_task = Task.objects.create(plan=other, number=1, title="其他任务", order=1)
    other_measure = Measure.objects.create(task=other_task, order=1, text="其他措施")
    Assignment.objects.create(measure=other_measure, unit=cast.finance, due_on=D(2024, 9, 2))
    return made


def due_by_python(config: LadderConfig, as_of: datetime.date) -> set[int]:
    covered = set(LetterItem.objects.filter(active=True).values_list("assignment_id", "cycle"))
    due = set()
    for a in Assignment.objects.filter(measure__task__plan=config.plan).select_related("ladder_state"):
        letter_on = config.letter_on(a.unit_id, a.due_on, done=a.is_done,
                                     covered=(a.pk, a.ladder_state.cycle) in covered)
        if letter_on is not None and letter_on <= as_of:
            due.add(a.pk)
    return due


def due_by_sql(config: LadderConfig, as_of: datetime.date) -> set[int]:
    return set(Assignment.objects.filter(config.letter_due_q(as_of)).values_list("pk", flat=True))


def test_letter_due_items_are_the_overdue_uncovered_items_of_other_units(cast, items):
    config = LadderConfig.for_plan(cast.plan)
    expected = {items[name].pk for name in ("exactly ten working days", "covered in an earlier cycle",
                                            "covered by a withdrawn letter", "returned long ago")}
    assert due_by_python(config, AS_OF) == expected
    assert due_by_sql(config, AS_OF) == expected


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


def test_sweep_writes_only_to_due_units_and_by_hand_to_any_unit_with_overdue_items(cast, items, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7")
    Assignment.objects.filter(unit=cast.finance).exclude(pk=items["a working day short"].pk).delete()
    assert letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF) == []

    [letter] = letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF, user=cast.lead, manual=True)
    assert (letter.number, letter.created_by, letter.seq) == ("测司法函〔2024〕1号", cast.lead, 1)
    assert list(letter.items.values_list("assignment", flat=True)) == [items["a working day short"].pk]
    assert Letter.history.get(id=letter.pk).history_user == cast.lead
    assert letters.issue_letters(cast.plan, [cast.outsider_unit.pk], AS_OF, manual=True) == []


def test_a_plan_without_prefixes_numbers_its_letters_and_circulars_with_the_defaults(cast, items, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7")
    Plan.objects.filter(pk=cast.plan.pk).update(letter_prefix="", circular_prefix="")
    cast.plan.refresh_from_db()
    issued = letters.issue_letters(cast.plan, [cast.finance.pk, cast.street.pk], AS_OF)
    assert [x.number for x in issued] == ["督办函〔2024〕1号", "督办函〔2024〕2号"]
    assert circulars.issue_circular(cast.plan, AS_OF).number == "督办通报〔2024〕1号"
    assert circulars.issue_circular(cast.plan, AS_OF).number == "督办通报〔2024〕2号"
    assert letters.issue_letters(cast.plan, [cast.finance.pk], AS_OF, manual=True)[0].number == "督办函〔2024〕3号"
