"""manage.py seed_demo: the demo district, its plan, the four accounts and the simulated life of the plan."""

import datetime
import hashlib
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.circulars import round_record
from notifications.models import LadderConfig, Letter, LetterItem, LetterReply, Message, Step
from plans.importer import read_plan_for_import
from plans.management.commands.seed_demo import DEMO_DIR
from plans.models import Measure, Plan, Unit
from reports.asof import assignment_states
from reports.models import ReportJob
from tasks.models import Assignment, Evidence, ExtensionRequest, ReportingRound, Review, Submission
from tests.standard_catalogue import ensure_standard_catalogue
from tracker.models import User

TZ = ZoneInfo("Asia/Shanghai")
IMPORTED = datetime.datetime(2024, 6, 17, tzinfo=TZ)
PLAN_END = datetime.date(2025, 12, 31)


def seed(*args) -> str:
    out = io.StringIO()
    ensure_standard_catalogue()  # a transactional test earlier on this worker may have flushed it
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    """What two runs must agree on, by natural keys (ids and stored file names aside)."""
    return {
        "statuses": sorted(Counter(Assignment.objects.values_list("status", flat=True)).items()),
        "assignments": hash(tuple(Assignment.objects.order_by("measure__task__order", "measure__order", "unit__name",
                                                              "period")
                                  .values_list("status", "percent", "due_on", "completed_on", "updated_at"))),
        "submissions": hash(tuple(Submission.objects.order_by("created_at", "assignment__unit__name")
                                  .values_list("assignment__unit__name", "created_at", "state", "percent",
                                               "round__title"))),
        "reviews": Review.objects.count(),
        "evidence": Evidence.objects.count(),
        "extensions": sorted(ExtensionRequest.objects.values_list("assignment__unit__name", "state",
                                                                  "requested_due_on")),
        "letters": sorted(Letter.objects.values_list("number", "unit__name", "issued_on")),
        "replies": LetterReply.objects.count(),
        "messages": sorted(Counter(Message.objects.values_list("kind", flat=True)).items()),
        "history": Assignment.history.count(),
    }


@pytest.mark.django_db
def test_no_progress_creates_plan_directory_assignments_and_accounts():
    seed("--no-progress")
    plan = Plan.objects.get()
    assert plan.tasks.filter(number__isnull=False).count() == 17
    assert sorted(plan.tasks.filter(number__isnull=True).values_list("title", flat=True)) == sorted(
        ["加强组织推动", "细化落实举措", "做好宣传交流"])
    assert (plan.letter_prefix, plan.circular_prefix, plan.lead_unit.name) == ("河北司法函", "河北司法通", "区司法局")
    units_with_work = set(Assignment.objects.values_list("unit_id", flat=True).distinct())
    assert units_with_work == set(Unit.objects.values_list("pk", flat=True))
    street = Unit.objects.get(name="宁园街道办事处")
    task17 = plan.tasks.get(number=17)
    assert Assignment.objects.filter(unit=street, measure__task=task17).exists()
    assert not task17.measures.filter(units=street).exists()  # reached through 各街道办事处 only
    roles = {u.username: (u.role, u.unit.name if u.unit else None) for u in User.objects.all()}
    assert roles == {"sifaju": ("lead", None), "ducha": ("inspector", None),
                     "caizheng": ("unit", "区财政局"), "guangfudao": ("unit", "光复道街道办事处")}
    assert User.objects.get(username="caizheng").check_password("Demo-pass-2024")
    assert not Submission.objects.exists() and not Message.objects.exists()


def leads_of(plan: Plan) -> dict[int, set[str]]:
    leads: dict[int, set[str]] = {}
    for measure_id, name in Measure.lead_units.through.objects.filter(measure__task__plan=plan).values_list(
            "measure_id", "unit__name"):
        leads.setdefault(measure_id, set()).add(name)
    return leads


@pytest.mark.django_db
def test_no_progress_imports_each_measure_as_the_reader_means_it():
    seed("--no-progress")
    plan = Plan.objects.get()
    data, _ = read_plan_for_import(DEMO_DIR / "plan.txt")  # the same reading, against the directory just loaded
    read = Counter(m["kind"] for task in data["tasks"] for m in task["measures"])
    stored = Counter(m.kind for m in Measure.objects.filter(task__plan=plan))
    assert stored == read and set(read) == {"once", "recurring", "ongoing"}
    # ongoing measures owe one progress report per half year, due at its end
    ongoing = Assignment.objects.filter(measure__ongoing=True)
    assert set(ongoing.values_list("period", "due_on")) == {
        ("2024年上半年进展", datetime.date(2024, 6, 30)), ("2024年下半年进展", datetime.date(2024, 12, 31)),
        ("2025年上半年进展", datetime.date(2025, 6, 30)), ("2025年下半年进展", PLAN_END)}
    # owners by the sentence's subject: no street owes a measure whose subject is a departments' group
    for m in Measure.objects.filter(task__plan=plan, owner_rule=Measure.OwnerRule.GROUP).prefetch_related("groups"):
        if all("街道" not in g.name for g in m.groups.all()):
            assert not Assignment.objects.filter(measure=m, unit__kind=Unit.Kind.STREET).exists(), m.text[:20]
    guidance = Measure.objects.get(task__plan=plan, text__startswith="区级赋权行政执法部门要加强对街道办事处培训工作的指导")
    members = set(Unit.objects.filter(groups__name="相关执法部门").values_list("name", flat=True))
    assert set(Assignment.objects.filter(measure=guidance).values_list("unit__name", flat=True)) == members
    leads = {t.number: {u.name for u in t.lead_units.all()} for t in plan.tasks.filter(number__in=(2, 16, 17))}
    assert leads == {2: {"区司法局"}, 16: {"区人社局"}, 17: {"区财政局"}}
    training = Measure.objects.get(task__plan=plan, text__startswith="组织全区行政执法人员开展公共法律知识培训")
    assert (training.target_value, training.target_unit, training.target_per_person) == (60, "学时", True)
    assert LadderConfig.for_plan(plan).enabled  # imported before its first deadline: follow-up not paused


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_plan_exists(cast):
    assert "跳过" in seed("--if-empty")
    assert Plan.objects.count() == 1 and not User.objects.filter(username="sifaju").exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_two_runs_on_empty_databases_tell_the_same_story(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    runs = []
    for _ in range(2):
        with transaction.atomic():
            assert not Plan.objects.exists()
            seed()
            runs.append(fingerprint())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert runs[0]["letters"] and runs[0]["extensions"]


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One simulated life for the whole class, rolled back at its end."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        with transaction.atomic():
            output = seed()
            yield {"output": output, "plan": Plan.objects.get()}
            transaction.set_rollback(True)


@pytest.mark.usefixtures("db")
class TestSimulatedLife:
    def test_life_runs_to_a_few_weeks_after_the_plan_end(self, demo):
        last = timezone.localtime(Submission.objects.order_by("-created_at").first().created_at).date()
        assert PLAN_END <= last <= PLAN_END + datetime.timedelta(weeks=6)
        assert "逾期未完成" in demo["output"]
        end = datetime.datetime.combine(PLAN_END + datetime.timedelta(weeks=6), datetime.time.min, tzinfo=TZ)
        for model in (Submission, Review, Evidence, Message, LetterReply, ExtensionRequest):
            dates = model.objects.values_list("created_at", flat=True)
            assert dates and all(IMPORTED <= d <= end for d in dates), model
        history = Assignment.history.filter(history_type="~")
        assert history.exists() and all(IMPORTED <= h.history_date <= end for h in history)
        assert Step.objects.filter(sent_on__lt=PLAN_END).exists()

    def test_a_tenth_or_so_of_the_dated_work_is_left_overdue_in_a_few_units(self, demo):
        total = Assignment.objects.filter(measure__ongoing=False).count()
        overdue = Assignment.objects.overdue(timezone.localdate())
        assert not overdue.filter(measure__ongoing=True).exists()  # every period report came in
        assert 0.05 <= overdue.count() / total <= 0.20
        by_unit = Counter(overdue.values_list("unit_id", flat=True))
        top = sum(n for _, n in by_unit.most_common(5))
        assert top / overdue.count() > 0.7
        assert set(overdue.values_list("status", flat=True)) == {"not_started", "returned", "submitted"}
        assert Submission.objects.pending().exists()
        done = Assignment.objects.filter(status="done")
        late = done.filter(completed_on__gt=F("due_on")).count()
        assert 0 < late < done.count() / 3

    def test_as_of_mid_2025_it_looks_like_a_plan_half_way(self, demo):
        plan = demo["plan"]
        mid, year_end = datetime.date(2025, 6, 30), datetime.date(2024, 12, 31)
        states = assignment_states(plan.pk, mid)
        assert sum(s.is_done for s in states) > sum(s.is_done for s in assignment_states(plan.pk, year_end))
        due_before = [s for s in states if s.due_on and s.due_on <= mid]
        later = Counter(s.status for s in states if s.due_on and s.due_on > mid)
        assert sum(s.is_done for s in due_before) / len(due_before) > 0.8
        assert later["not_started"] > later["done"] > 0

    def test_the_lead_office_has_the_2025_annual_report_done(self, demo):
        job = ReportJob.objects.get(kind=ReportJob.Kind.ANNUAL)
        assert (job.year, job.state, job.requested_by.username, job.addressee) == (2025, "done", "sifaju", "区人民政府")
        assert job.pdf.read(5) == b"%PDF-" and job.docx.read(2) == b"PK" and job.xlsx.read(2) == b"PK"
        assert set(job.drafts) == {"basics", "practices", "problems", "next_steps"} and job.texts == {}
        assert timezone.localdate(job.created_at) == timezone.localdate(job.finished_at) == datetime.date(2026, 1, 26)
        assert "年度报告：2025年度行政执法工作报告（PDF、Word和Excel附件）。" in demo["output"]
        assert Message.objects.filter(subject="报告已生成：2025年度行政执法工作报告").exists()

    def test_returns_resubmissions_and_extensions(self, demo):
        assert Review.objects.filter(decision="return").exclude(reason="").exists()
        resubmitted = Assignment.objects.filter(submissions__state="returned").filter(submissions__state="accepted")
        assert resubmitted.exists()
        assert Submission.objects.filter(author__username="caizheng").exists()
        assert Submission.objects.filter(author__username="guangfudao").exists()
        granted = ExtensionRequest.objects.filter(state="granted")
        assert granted.exists() and ExtensionRequest.objects.filter(state="refused").exists()
        for request in granted:
            assert request.decision_reason and request.decided_by.username == "sifaju"
            change = request.assignment.history.filter(due_on=request.requested_due_on).order_by("history_date")[0]
            assert change.history_change_reason.startswith("同意延期申请：")
            assert change.history_date == request.decided_at
        # Recurring measures: each year's period is done on its own.
        yearly = Assignment.objects.filter(period="2024年", status="done")
        assert yearly.exists() and Assignment.objects.filter(period="2025年", status="done").exists()
        for a in yearly[:5]:
            assert a.completed_on.year in (2024, 2025)

    def test_every_state_is_one_the_pages_reach(self, demo):
        # 进行中 has no page that sets it: part of the work is reported as a submission like the rest
        assert not Assignment.objects.filter(status="in_progress").exists()
        latest = {}
        for a_id, state in Submission.objects.order_by("created_at", "id").values_list("assignment_id", "state"):
            latest[a_id] = state
        for a_id, status in Assignment.objects.values_list("pk", "status"):
            expected = {"not_started": None, "submitted": "pending", "returned": "returned", "done": "accepted"}
            assert latest.get(a_id) == expected[status], (a_id, status)
        # a report of finished work carries evidence (the form asks for it)
        assert not Submission.objects.filter(percent=100, evidence__isnull=True).exists()
        assert Review.objects.count() == Submission.objects.exclude(state="pending").count()
        for rnd in ReportingRound.objects.all():
            assert ReportingRound.history.filter(id=rnd.pk).earliest("history_date").history_date == rnd.created_at

    def test_each_assignment_stores_its_latest_submission(self, demo):
        latest = {}
        for a_id, at, state in Submission.objects.order_by("created_at", "id").values_list(
                "assignment_id", "created_at", "state"):
            latest[a_id] = (at, state)
        stored = {pk: (at, state) for pk, at, state in Assignment.objects.values_list(
            "pk", "last_submitted_at", "last_submission_state")}
        assert latest and stored == {pk: latest.get(pk, (None, "")) for pk in stored}

    def test_rounds_have_on_time_late_and_missing_units(self, demo):
        rounds = list(ReportingRound.objects.order_by("due_on"))
        assert len(rounds) == 3
        records = [round_record(r) for r in rounds]
        for rnd in rounds:
            assert rnd.created_by.username == "sifaju" and rnd.units.exists() and rnd.tasks.exists()
            assert rnd.closed_at and timezone.localtime(rnd.closed_at).date() > rnd.due_on
            assert rnd.submissions.exists() and hasattr(rnd, "circular")
        assert all(sum((r["on_time"], r["late"], r["missing"]), []) for r in records)
        assert any(r["late"] for r in records)
        assert all(len(r["on_time"]) > len(r["late"]) + len(r["missing"]) for r in records)

    def test_letters_go_to_the_laggards_and_some_are_answered(self, demo):
        letters = Letter.objects.all()
        assert 3 <= letters.count() <= 25
        assert letters.values("unit").distinct().count() <= 8
        assert all(letter.pdf for letter in letters)
        assert Message.objects.filter(kind="letter").count() == letters.count()
        replies = LetterReply.objects.select_related("letter")
        assert replies.exists() and replies.count() < letters.count()
        for reply in replies:
            assert reply.created_at.date() >= reply.letter.issued_on
            assert reply.author.unit_id == reply.letter.unit_id
        assert Message.objects.filter(kind="reply").count() == replies.count()

    def test_letters_list_only_urged_one_off_or_periodic_items_their_unit_owes(self, demo):
        leads = leads_of(demo["plan"])
        items = LetterItem.objects.select_related("letter__unit", "assignment__measure", "assignment__unit")
        assert items.exists()
        for item in items:
            a, letter = item.assignment, item.letter
            assert not a.measure.ongoing, a.period  # period reports are answered before a letter
            assert a.unit_id == letter.unit_id or letter.unit.name in leads.get(a.measure_id, ())
            assert Step.objects.filter(assignment=a, kind="urge", sent_on__lt=letter.issued_on).exists()

    def test_units_report_on_period_reports_recurring_and_one_off_items(self, demo):
        done = Assignment.objects.filter(status="done")
        assert done.filter(measure__ongoing=True, period="2025年上半年进展").count() == Assignment.objects.filter(
            period="2025年上半年进展").count()  # every unit answered every period report
        late = done.filter(measure__ongoing=True, completed_on__gt=F("due_on"))
        assert 0 < late.count() < done.filter(measure__ongoing=True).count() / 4
        assert done.filter(period="2025年").exists() and done.filter(period="", measure__ongoing=False).exists()

    def test_targets_get_figures_some_below_target_returned_or_accepted_with_a_reason(self, demo):
        training = Measure.objects.get(text__startswith="组织全区行政执法人员开展公共法律知识培训")
        accepted = Assignment.objects.filter(measure=training, status="done")
        assert accepted.count() > 20
        for a in accepted:
            assert a.staff_total and 0 <= a.staff_reached <= a.staff_total and a.achieved_value is not None
        below = Submission.objects.filter(assignment__measure=training, staff_reached__lt=F("staff_total"))
        assert below.filter(state="returned", review__reason__contains="学时").exists()
        assert below.filter(state="accepted").exclude(review__reason="").exists()
        trainings = Assignment.objects.filter(measure__target_unit="次", status="done")
        assert trainings.exists() and all(a.achieved_value >= 2 or a.submissions.filter(
            state="accepted", review__reason__gt="").exists() for a in trainings)

    def test_lead_units_report_a_summary_on_what_they_lead(self, demo):
        for task, lead in ((16, "区人社局"), (17, "区财政局"), (2, "区司法局")):
            summaries = Submission.objects.filter(assignment__measure__task__number=task,
                                                  assignment__unit__name=lead, text__startswith="牵头汇总")
            assert summaries.exists(), task

    def test_evidence_files_are_real(self, demo):
        for evidence in Evidence.objects.all()[:20]:
            content = evidence.file.read()
            assert len(content) == evidence.size and hashlib.sha256(content).hexdigest() == evidence.sha256
            assert content.startswith(b"%PDF-" if evidence.content_type == "application/pdf" else b"\x89PNG")

    def test_running_it_again_adds_nothing(self, demo):
        count = Submission.objects.count()
        assert "不再重复模拟" in seed()
        assert Submission.objects.count() == count
