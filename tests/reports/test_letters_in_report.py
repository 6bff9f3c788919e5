import datetime

import pytest

from notifications.models import Circular, Letter, LetterItem, LetterReply, Step
from reports.inspection import KIND_INSPECTION, KIND_UNIT, build_report
from tests.reports.conftest import at

DUE = datetime.date(2024, 6, 30)


@pytest.fixture
def ladder(db, request):
    """The cast's plan from March 2024; 区财政局 is urged, then sent a letter that it answers; 光复道街道 is
    named in a circular."""
    with at(2024, 3, 1, 9):
        cast = request.getfixturevalue("cast")
    with at(2024, 7, 2, 9):
        Step.objects.create(assignment=cast.finance_assignment, kind=Step.Kind.URGE, seq=1, cycle=1, due_on=DUE,
                            scheduled_on=datetime.date(2024, 7, 2), sent_on=datetime.date(2024, 7, 2))
    with at(2024, 7, 10, 9):
        letter = Letter.objects.create(
            plan=cast.plan, unit=cast.finance, seq=1, prefix="测司法函", year=2024, serial=3,
            number="测司法函〔2024〕3号", title="关于督促整改的函", issued_on=datetime.date(2024, 7, 10),
            reply_due_on=datetime.date(2024, 7, 17), reply_workdays=5, issuer="测试区司法局", signer="测试区司法局")
        LetterItem.objects.create(letter=letter, assignment=cast.finance_assignment, cycle=1, due_on=DUE,
                                  workdays_late=7, days_late=10)
    with at(2024, 7, 15, 16):
        LetterReply.objects.create(letter=letter, author=cast.finance_user, text="已完成整改。")
    with at(2024, 7, 20, 9):
        Circular.objects.create(plan=cast.plan, prefix="测司法通", year=2024, serial=1, number="测司法通〔2024〕1号",
                                title="关于逾期情况的通报", issued_on=datetime.date(2024, 7, 20), issuer="测试区司法局",
                                signer="测试区司法局",
                                content={"long_overdue": [{"unit": cast.street.name, "count": 1}], "unanswered": []})
    return cast


def steps(report) -> dict[str, str]:
    return {line.unit: line.step for line in report.overdue}


def test_letters_and_ladder_steps_as_they_stood_on_the_day(ladder):
    with at(2024, 8, 1, 9):
        early = build_report(KIND_INSPECTION, ladder.plan, datetime.date(2024, 7, 12))
        late = build_report(KIND_INSPECTION, ladder.plan, datetime.date(2024, 7, 31))
        before = build_report(KIND_INSPECTION, ladder.plan, datetime.date(2024, 7, 5))

    assert (early.letters_issued, early.letters_answered) == (1, 0)
    assert early.letters[0].number == "测司法函〔2024〕3号" and early.letters[0].state == "待回复"
    assert steps(early) == {ladder.finance.name: "函告", ladder.street.name: ""}
    assert (late.letters_issued, late.letters_answered) == (1, 1)
    assert late.letters[0].state == "已回复（2024年7月15日）"
    assert steps(late) == {ladder.finance.name: "函告", ladder.street.name: "通报"}
    assert before.letters == [] and steps(before) == {ladder.finance.name: "催办", ladder.street.name: ""}


def test_withdrawn_letter_no_longer_counts_after_its_withdrawal(ladder):
    with at(2024, 7, 25, 9):
        Letter.objects.filter(number="测司法函〔2024〕3号").update(withdrawn_at=datetime.datetime.now(datetime.UTC))
    with at(2024, 8, 1, 9):
        during = build_report(KIND_INSPECTION, ladder.plan, datetime.date(2024, 7, 20))
        after = build_report(KIND_INSPECTION, ladder.plan, datetime.date(2024, 7, 31))
    assert during.letters_issued == 1 and after.letters_issued == 0
    assert steps(after)[ladder.finance.name] == "催办"


def test_unit_report_shows_its_own_letters_only(ladder):
    with at(2024, 8, 1, 9):
        street = build_report(KIND_UNIT, ladder.plan, datetime.date(2024, 7, 31), unit=ladder.street)
        finance = build_report(KIND_UNIT, ladder.plan, datetime.date(2024, 7, 31), unit=ladder.finance)
    assert street.letters == [] and len(finance.letters) == 1
    assert [g.units for g in street.overdue_groups] == [["通报"]]  # its own report does not name it again
