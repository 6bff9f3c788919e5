"""tracker.access, the one access policy: what each role sees of every kind of object, and may change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from plans.models import Measure, Plan, Task
from reports.models import ReportJob
from tasks.models import Assignment
from tracker import access
from tracker.models import LoginEvent, User


def pks(rows) -> set[int]:
    return set(rows.values_list("pk", flat=True))


def test_lead_and_inspector_see_every_assignment(cast):
    everything = {cast.finance_assignment.pk, cast.street_assignment.pk}
    assert pks(access.assignments_for(cast.lead)) == everything
    assert pks(access.assignments_for(cast.inspector)) == everything


def test_liaison_sees_own_unit_only(cast):
    assert list(access.assignments_for(cast.street_user)) == [cast.street_assignment]
    assert list(access.assignments_for(cast.finance_user)) == [cast.finance_assignment]
    assert list(access.assignments_for(cast.outsider)) == []


def test_unit_cannot_see_other_units_assignment(cast):
    with pytest.raises(Http404):
        access.get_assignment_for_user(cast.finance_user, cast.street_assignment.pk)
    assert access.get_assignment_for_user(cast.street_user, cast.street_assignment.pk) == cast.street_assignment


def test_inspector_reads_but_cannot_write(cast):
    assert access.get_assignment_for_user(cast.inspector, cast.street_assignment.pk) == cast.street_assignment
    with pytest.raises(PermissionDenied):
        access.get_assignment_for_user(cast.inspector, cast.street_assignment.pk, write=True)
    assert access.get_assignment_for_user(cast.lead, cast.street_assignment.pk, write=True)


def test_outsider_gets_404_even_for_writes(cast):
    """Existence is not revealed: the 404 comes before any 403."""
    with pytest.raises(Http404):
        access.get_assignment_for_user(cast.finance_user, cast.street_assignment.pk, write=True)


def test_missing_id_is_404(cast):
    with pytest.raises(Http404):
        access.get_assignment_for_user(cast.lead, 999999)


# (getter, world attribute) for every object of the street office.
STREET_OBJECTS = [
    (access.get_assignment_for_user, "assignment"),
    (access.get_submission_for_user, "submission"),
    (access.get_evidence_for_user, "evidence"),
    (access.get_extension_request_for_user, "extension"),
    (access.get_letter_for_user, "letter"),
    (access.get_reply_file_for_user, "reply_file"),
    (access.get_delivery_for_user, "delivery"),
    (access.get_report_job_for_user, "job"),
    (access.get_unit_for_user, "street"),
    (access.get_account_for_user, "street_user"),
]


@pytest.mark.parametrize(("getter", "attr"), STREET_OBJECTS, ids=[attr for _, attr in STREET_OBJECTS])
def test_the_street_offices_objects(world, getter, attr):
    """Its liaison, the lead office and inspectors see them; another unit's liaison and an outsider get 404;
    an inspector's write is 403."""
    obj = getattr(world, attr)
    for user in (world.street_user, world.lead, world.inspector):
        assert getter(user, obj.pk) == obj
    for user in (world.finance_user, world.outsider):
        with pytest.raises(Http404):
            getter(user, obj.pk)
    with pytest.raises(PermissionDenied):
        getter(world.inspector, obj.pk, write=True)
    assert getter(world.street_user, obj.pk, write=True) == obj


def test_plan_visibility_is_one_rule(cast):
    """A unit sees the plans (tasks, measures) in which it owes something; the overseers see all of them."""
    other = Plan.objects.create(title="另一份实施方案", ends_on=datetime.date(2025, 12, 31))
    other_task = Task.objects.create(plan=other, number=1, title="另一项任务", order=1)
    other_measure = Measure.objects.create(task=other_task, order=1, text="另一条措施。")
    for user in (cast.lead, cast.inspector):
        assert pks(access.plans_for(user)) == {cast.plan.pk, other.pk}
        assert pks(access.tasks_for(user)) == {cast.task.pk, other_task.pk}
        assert pks(access.measures_for(user)) == {cast.measure.pk, other_measure.pk}
    for user in (cast.street_user, cast.finance_user):
        assert pks(access.plans_for(user)) == {cast.plan.pk}
        assert pks(access.tasks_for(user)) == {cast.task.pk}
        assert pks(access.measures_for(user)) == {cast.measure.pk}
    for getter, obj in ((access.get_plan_for_user, other), (access.get_task_for_user, other_task),
                        (access.get_measure_for_user, other_measure)):
        with pytest.raises(Http404):
            getter(cast.street_user, obj.pk)
    assert not access.plans_for(cast.outsider).exists()
    Assignment.objects.create(measure=other_measure, unit=cast.outsider_unit, due_on=datetime.date(2025, 6, 30))
    assert pks(access.plans_for(cast.outsider)) == {other.pk}


def test_units_groups_and_rounds(world):
    assert pks(access.units_for(world.street_user)) == {world.street.pk}
    assert pks(access.units_for(world.lead)) == pks(access.units_for(world.inspector)) == {
        world.justice.pk, world.finance.pk, world.street.pk, world.outsider_unit.pk}
    assert pks(access.groups_for(world.street_user)) == {world.streets.pk}
    assert pks(access.groups_for(world.finance_user)) == {world.enforcers.pk}
    assert pks(access.rounds_for(world.finance_user)) == {world.round.pk}  # the round asks 区财政局 too
    assert not access.rounds_for(world.outsider).exists()


def test_circulars_go_to_every_unit_and_messages_to_their_reader(world):
    for user in (world.lead, world.inspector, world.street_user, world.finance_user, world.outsider):
        assert access.get_circular_for_user(user, world.circular.pk) == world.circular
    assert access.get_notification_for_user(world.street_user, world.notification.pk) == world.notification
    for user in (world.lead, world.inspector, world.finance_user):
        with pytest.raises(Http404):
            access.get_notification_for_user(user, world.notification.pk)


def test_liaison_sees_its_own_units_reports_only(world):
    plan_report = ReportJob.objects.create(kind=ReportJob.Kind.INSPECTION, plan=world.plan, as_of=world.job.as_of,
                                           requested_by=world.lead)
    assert pks(access.report_jobs_for(world.street_user)) == {world.job.pk}
    assert pks(access.report_jobs_for(world.inspector)) == {world.job.pk, plan_report.pk}
    access.require_report_request(world.street_user, ReportJob.Kind.UNIT, world.street)
    access.require_report_request(world.inspector, ReportJob.Kind.INSPECTION, None)  # printing is reading
    for kind, unit in ((ReportJob.Kind.UNIT, world.finance), (ReportJob.Kind.INSPECTION, None)):
        with pytest.raises(PermissionDenied):
            access.require_report_request(world.street_user, kind, unit)


def test_accounts_and_the_sign_in_record(world):
    root = User.objects.create_superuser("root", password="x", role=User.Role.LEAD)
    assert root.pk not in pks(access.accounts_for(world.lead))
    assert pks(access.accounts_for(world.street_user)) == {world.street_user.pk}
    event = LoginEvent.objects.create(kind=LoginEvent.Kind.LOGIN, user=world.street_user, username="street")
    assert pks(access.login_events_for(world.inspector)) == {event.pk}
    assert not access.login_events_for(world.street_user).exists()


def test_lead_only_overseers_and_liaison_only_actions(cast):
    access.require_lead(cast.lead)
    for user in (cast.inspector, cast.street_user):
        with pytest.raises(PermissionDenied):
            access.require_lead(user)
    access.require_overseer(cast.lead)
    access.require_overseer(cast.inspector)
    with pytest.raises(PermissionDenied):
        access.require_overseer(cast.street_user)
    access.require_liaison(cast.street_user)
    for user in (cast.inspector, cast.lead):
        with pytest.raises(PermissionDenied):
            access.require_liaison(user)


def test_a_lead_unit_reads_every_owners_work_of_the_measures_it_leads(world):
    """区财政局 leads the measure: its liaison reads the street office's item and what hangs on it, changes
    none of it (403), and still answers for its own work only."""
    world.measure.lead_units.add(world.finance)
    lead_unit = world.finance_user
    assert pks(access.assignments_for(lead_unit)) == {world.finance_assignment.pk, world.street_assignment.pk}
    assert pks(access.work_of(lead_unit)) == {world.finance_assignment.pk}
    assert access.leads(lead_unit, world.measure) and not access.leads(world.street_user, world.measure)
    for getter, attr in ((access.get_assignment_for_user, "assignment"), (access.get_submission_for_user, "submission"),
                         (access.get_evidence_for_user, "evidence"), (access.get_extension_request_for_user, "extension")):
        assert getter(lead_unit, getattr(world, attr).pk) == getattr(world, attr)
    with pytest.raises(PermissionDenied):
        access.get_assignment_for_user(lead_unit, world.street_assignment.pk, write=True)
    with pytest.raises(Http404):  # the letter is the street office's, not copied to 区财政局
        access.get_letter_for_user(lead_unit, world.letter.pk)
    world.letter.copy_units.add(world.finance)
    assert access.get_letter_for_user(lead_unit, world.letter.pk) == world.letter
    with pytest.raises(PermissionDenied):  # a unit a letter is copied to reads it; the addressee replies
        access.require_addressee(lead_unit, world.letter)
    access.require_addressee(world.street_user, world.letter)
