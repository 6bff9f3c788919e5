"""The demo plan imported as it means it: tasks and requirements, their leads, each measure's kind and owners,
the assignments that follow; and a plan imported before measures were read as obligations, re-read in place."""

import datetime

import pytest
import time_machine
from django.db import transaction

from plans.directory import load_units
from plans.importer import read_plan, read_plan_for_import
from plans.importer.writer import apply_plan
from plans.models import Measure, Plan, Unit
from tasks.models import Assignment, Submission
from tests.plans.demo_plan import DEMO_PLAN
from tracker.models import User

UNITS = DEMO_PLAN.parent / "units.csv"
D = datetime.date


def at_import():
    return time_machine.travel(datetime.datetime(2024, 7, 1, 9, 0), tick=False)


def import_demo(reader=read_plan_for_import):
    data, text = reader(DEMO_PLAN)
    return apply_plan(data, source_name="plan.txt", source_text=text)


@pytest.fixture(scope="class")
def plan(django_db_setup, django_db_blocker) -> Plan:
    """The demo directory and the demo plan imported once for the class, rolled back after it."""
    with at_import(), django_db_blocker.unblock(), transaction.atomic():
        load_units(UNITS)
        yield import_demo().plan
        transaction.set_rollback(True)


def measure(plan: Plan, start: str) -> Measure:
    return Measure.objects.get(task__plan=plan, text__startswith=start)


def owed_by(m: Measure) -> set[str]:
    return set(Assignment.objects.filter(measure=m).values_list("unit__name", flat=True))


@pytest.mark.usefixtures("db")
class TestDemoImported:
    def test_demo_has_17_tasks_and_3_requirements_with_their_leads(self, plan):
        tasks = plan.tasks.filter(is_requirement=False)
        assert list(tasks.values_list("number", flat=True)) == list(range(1, 18))
        assert list(plan.tasks.filter(is_requirement=True).values_list("title", flat=True)) == [
            "加强组织推动", "细化落实举措", "做好宣传交流"]
        leads = {t.number: [u.name for u in t.lead_units.all()] for t in tasks}
        assert (leads[2], leads[16], leads[17]) == (["区司法局"], ["区人社局"], ["区财政局"])
        assert leads[1] == []


    def test_empowered_departments_alone_owe_the_street_training_guidance(self, plan):
        guidance = measure(plan, "区级赋权行政执法部门要加强对街道办事处培训工作的指导")
        assert [g.name for g in guidance.groups.all()] == ["相关执法部门"] and not guidance.units.exists()
        assert (guidance.owner_rule, guidance.owner_words) == (Measure.OwnerRule.GROUP, "区级赋权行政执法部门")
        members = set(Unit.objects.filter(groups__name="相关执法部门").values_list("name", flat=True))
        assert owed_by(guidance) == members
        assert not Assignment.objects.filter(measure=guidance, unit__kind=Unit.Kind.STREET).exists()


    def test_party_building_is_ongoing_with_a_progress_report_each_half_year(self, plan):
        party = measure(plan, "加强行政执法单位党组织建设")
        assert party.kind == Measure.Kind.ONGOING and party.due_on is None
        assert (party.kind_basis, party.kind_words) == (Measure.Basis.DEFAULT, "加强")
        street = Assignment.objects.filter(measure=party, unit__name="光复道街道办事处").order_by("due_on")
        assert list(street.values_list("period", "due_on")) == [
            ("2024年上半年进展", D(2024, 6, 30)), ("2024年下半年进展", D(2024, 12, 31)),
            ("2025年上半年进展", D(2025, 6, 30)), ("2025年下半年进展", D(2025, 12, 31))]


    def test_the_justice_bureaus_yearly_supervision_plan_is_owed_by_it_alone(self, plan):
        yearly = measure(plan, "区司法局制定年度行政执法监督工作方案")
        assert (yearly.kind, yearly.recurrence, yearly.kind_basis) == (
            Measure.Kind.RECURRING, "yearly", Measure.Basis.TEXT)
        assert (yearly.owner_rule, [u.name for u in yearly.units.all()]) == (Measure.OwnerRule.NAMED, ["区司法局"])
        assert set(Assignment.objects.filter(measure=yearly).values_list("unit__name", "period")) == {
            ("区司法局", "2024年"), ("区司法局", "2025年")}


    def test_the_budget_is_yearly_and_led_by_the_finance_bureau(self, plan):
        budget = measure(plan, "按照财政事权和支出责任划分原则")
        assert "纳入本级" in budget.kind_words and budget.recurrence == "yearly"
        assert [u.name for u in budget.lead_units.all()] == ["区财政局"]
        assert "区财政局" in owed_by(budget)


    def test_sentences_of_two_kinds_are_two_measures(self, plan):
        supervision = plan.tasks.get(number=11).measures.all()
        assert [(m.text[:9], m.kind) for m in supervision[:2]] == [
            ("加强对行政执法工作", Measure.Kind.ONGOING), ("2024年底前基本", Measure.Kind.ONCE)]
        assert supervision[1].due_on == D(2024, 12, 31)
        methods = plan.tasks.get(number=12).measures.all()
        assert [(m.text[:8], m.kind) for m in methods[:2]] == [
            ("区司法局制定年度", Measure.Kind.RECURRING), ("综合运用行政执法", Measure.Kind.ONGOING)]
        # The ongoing part has no subject of its own: it carries on the one before it.
        assert [u.name for u in methods[1].units.all()] == ["区司法局"]
        # The task's text is the plan's, each sentence once.
        assert plan.tasks.get(number=11).body.count("严格履行常态化、长效化监督") == 1


    def test_per_person_target_is_stored(self, plan):
        training = measure(plan, "组织全区行政执法人员开展公共法律知识培训")
        assert (training.target_value, training.target_unit, training.target_per_person) == (60, "学时", True)


def test_a_plan_imported_flat_is_re_read_in_place_and_keeps_what_units_submitted(db):
    load_units(UNITS)
    with at_import():
        old = import_demo(read_plan).plan
    guidance = measure(old, "区级赋权行政执法部门要加强对街道办事处培训工作的指导")
    party = measure(old, "加强行政执法单位党组织建设")
    street = Unit.objects.get(name="光复道街道办事处")
    author = User.objects.create_user("gfd", password="x-very-long-pw", role="unit", unit=street)
    done = {m: Assignment.objects.filter(measure=m, unit=street).first() for m in (guidance, party)}
    for assignment in done.values():
        Submission.objects.create(assignment=assignment, author=author, text="已开展", percent=100)
    with at_import():
        result = import_demo()
    assert result.plan == old and not result.created
    assert "任务2措施“区级赋权行政执法部门要加强对街道办事处培训工作的指导,负责对…”：责任单位 32个 → 相关执法部门；" \
           "责任认定 无 → 原文所指一类单位" in result.changes
    assert "任务1措施“加强行政执法单位党组织建设,充分发挥党建引领作用。”：类型 一次性 → 长期坚持；" \
           "类型依据 据原文 → 默认，待确认；责任认定 无 → 任务全部责任单位" in result.changes
    assert "任务16：牵头单位 无 → 区人社局" in result.changes
    assert "工作要求“加强组织推动”：改为工作要求（不计入任务数）；牵头单位 无 → 区司法局" in result.changes
    assert "任务11新增措施：2024年底前基本建成制度完善、机制健全、职责明确、监督有力…" in result.changes
    # Measures are changed in place; what the street submitted stays, and says why it stays.
    assert measure(old, "区级赋权").pk == guidance.pk and measure(old, "加强行政执法单位党组织建设").pk == party.pk
    assert Submission.objects.filter(assignment__in=done.values()).count() == 2
    assert Assignment.objects.filter(pk__in=[a.pk for a in done.values()]).count() == 2
    assert any(w.startswith("光复道街道办事处的“区级赋权") and "已不再属于该单位" in w for w in result.kept)
    assert any(w.startswith("光复道街道办事处的“加强行政执法单位党组织建设") and "报送期次" in w for w in result.kept)
    # Its progress reports are owed from now on, beside the kept report.
    assert set(Assignment.objects.filter(measure=party, unit=street).values_list("period", flat=True)) == {
        "", "2024年上半年进展", "2024年下半年进展", "2025年上半年进展", "2025年下半年进展"}
    with at_import():
        assert import_demo().changes == []
