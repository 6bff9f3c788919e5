"""Who may see and change what: the site's one access policy.

Every view, export and report form asks this module; none filters by unit or checks a role by itself.
Templates still read the role (``user.is_lead``…) to decide which buttons to show; what a button does is
checked here.

The roles (``tracker.models.User.role``):

- 牵头单位 (the lead office) sees everything within its reach and changes it.
- 督察 (an inspector) sees everything within its reach and changes nothing. Two POSTs are reading, not
  changing, and stay open to inspectors: asking for a report (printing) and marking one's own messages read;
  and every role changes its own password (``own_account``).
- 责任单位联络员 (a unit's liaison) sees its own unit's work — assignments, submissions, evidence, extension
  requests —, and every owner's work of the measures its unit leads (as the measure's or the task's 牵头单位);
  the letters addressed or copied (抄送) to its unit and their replies, the unit's deliveries, reports and
  accounts; the plans, tasks and measures of the work it sees (those in which it owes something or that it
  leads); the reporting rounds that ask its unit, and every circular. It changes only its own unit's work: it
  reports progress, asks for more time, replies to letters.
- Anyone else sees nothing.

The answers, in this order:

1. not signed in → the sign-in page (302);
2. a read-only role (an inspector) changing anything → 403, before anything is looked up (it reveals nothing);
3. a page for other roles, when the page names no object (``lead_only``, ``overseers_only``) → 403;
4. a method the page does not take → 405;
5. an object the user may not see — another unit's, or one that does not exist → 404, as if it did not exist;
6. an object the user sees but may not change this way (a liaison on a lead-office action, on a page for
   the lead office and inspectors) → 403, with the reason.

Reach. "Everything" is the whole database today. ``reach(user)`` says what a user reaches and every
queryset below is cut by one of ``Reach``'s methods, so serving a city's districts (a district's lead
office and inspectors reach their district's units and plans) is a change to ``Reach`` and ``reach`` only.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from indicators.models import FigureReport, FigureRound
from notifications.models import Circular, Delivery, Letter, Notification, ReplyFile
from plans.models import Measure, Plan, Task, Unit, UnitAlias, UnitGroup
from reports.models import ReportJob
from tasks.models import (
    Assignment,
    Evidence,
    ExtensionRequest,
    IntegrityAlert,
    ReportingRound,
    RoundSchedule,
    Submission,
)
from tracker.models import LoginEvent, User

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
NOT_FOUND = "未找到该页面，或您无权查看。"


# --- reach: the part of the world a user's view is cut to ----------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """Every unit (the lead office and inspectors), one unit (a liaison), or nothing."""

    every_unit: bool = False
    unit_id: int | None = None

    def of_units(self, rows: QuerySet, *units: str) -> QuerySet:
        """Rows that belong to a unit; each of ``units`` is a lookup from a row to a Unit ("" for units
        themselves), any of which may name the unit (a letter's addressee or a unit it is copied to)."""
        if self.every_unit:
            return rows.all()
        if self.unit_id is None:
            return rows.none()
        if len(units) == 1:
            return rows.filter(**{units[0] or "pk": self.unit_id})
        named = Q()
        for unit in units:
            named |= Q(**{unit: self.unit_id})
        return rows.filter(pk__in=rows.model.objects.filter(named).values("pk"))  # no duplicate through a join

    def led_measures(self) -> QuerySet[Measure]:
        """The measures a liaison's unit leads: named as the measure's lead unit, or as its task's. None for
        everyone else (the overseers see every measure anyway)."""
        if self.every_unit or self.unit_id is None:
            return Measure.objects.none()
        led_measures = Measure.lead_units.through.objects.filter(unit_id=self.unit_id).values("measure_id")
        led_tasks = Task.lead_units.through.objects.filter(unit_id=self.unit_id).values("task_id")
        return Measure.objects.filter(Q(pk__in=led_measures) | Q(task_id__in=led_tasks))

    def of_work(self, rows: QuerySet, assignment: str) -> QuerySet:
        """Assignments, or what hangs on one (``assignment`` is the lookup from a row to its Assignment, "" for
        assignments): every unit's for the overseers; for a liaison its own unit's and every owner's of the
        measures its unit leads."""
        if self.every_unit:
            return rows.all()
        if self.unit_id is None:
            return rows.none()
        prefix = f"{assignment}__" if assignment else ""
        return rows.filter(Q(**{f"{prefix}unit_id": self.unit_id})
                           | Q(**{f"{prefix}measure__in": self.led_measures()}))

    def owing(self, rows: QuerySet, via: str) -> QuerySet:
        """Plans, tasks or measures: every one for the overseers; for a liaison those of the work it sees (in
        which its unit owes something, or that it leads). ``via`` is the lookup from an Assignment to the row."""
        if self.every_unit:
            return rows.all()
        if self.unit_id is None:
            return rows.none()
        return rows.filter(pk__in=self.of_work(Assignment.objects.all(), "").values(via))

    def overseen(self, rows: QuerySet) -> QuerySet:
        """Rows of no unit that only the overseers read (the sign-in record); published documents (circulars),
        which every unit reads, are ``published``."""
        return rows.all() if self.every_unit else rows.none()

    def published(self, rows: QuerySet) -> QuerySet:
        """What goes to every unit (circulars): anyone who reaches anything reads it."""
        return rows.all() if self.every_unit or self.unit_id is not None else rows.none()


def reach(user) -> Reach:
    if not user.is_authenticated:
        return Reach()
    if user.can_read_all:
        return Reach(every_unit=True)
    if user.is_liaison and user.unit_id:
        return Reach(unit_id=user.unit_id)
    return Reach()


def sees_every_unit(user) -> bool:
    """The lead office and inspectors: pages show them every unit (the liaison's variant is its own unit's)."""
    return reach(user).every_unit


# --- what a user sees, per kind of object ---------------------------------------------------------------------


def plans_for(user) -> QuerySet[Plan]:
    """Every plan for the lead office and inspectors; for a liaison the plans in which its unit owes something."""
    return reach(user).owing(Plan.objects.all(), "measure__task__plan")


def tasks_for(user) -> QuerySet[Task]:
    return reach(user).owing(Task.objects.all(), "measure__task")


def measures_for(user) -> QuerySet[Measure]:
    return reach(user).owing(Measure.objects.all(), "measure")


def units_for(user) -> QuerySet[Unit]:
    """Every unit for the lead office and inspectors; a liaison's own unit."""
    return reach(user).of_units(Unit.objects.all(), "")


def groups_for(user) -> QuerySet[UnitGroup]:
    return reach(user).of_units(UnitGroup.objects.all(), "members")


def unit_aliases_for(user) -> QuerySet[UnitAlias]:
    return reach(user).of_units(UnitAlias.objects.all(), "unit")


def assignments_for(user) -> QuerySet[Assignment]:
    """Every assignment for the lead office and inspectors; for a liaison the own unit's and every owner's of
    the measures its unit leads."""
    return reach(user).of_work(Assignment.objects.all(), "")


def work_of(user) -> QuerySet[Assignment]:
    """The work the user answers for (我的任务, the home page's counts): a liaison's own unit's, not the
    supporters' items it only reads as a lead; everything for the lead office and inspectors."""
    return reach(user).of_units(Assignment.objects.all(), "unit")


def measures_led_by(user) -> QuerySet[Measure]:
    """The measures a liaison's unit leads (its 我牵头的事项); none for other roles."""
    return reach(user).led_measures()


def leads(user, measure: Measure) -> bool:
    """Whether the user's unit leads the measure (it then sees every owner's work of it)."""
    return measures_led_by(user).filter(pk=measure.pk).exists()


def submissions_for(user) -> QuerySet[Submission]:
    return reach(user).of_work(Submission.objects.all(), "assignment")


def evidence_for(user) -> QuerySet[Evidence]:
    return reach(user).of_work(Evidence.objects.all(), "submission__assignment")


def extension_requests_for(user) -> QuerySet[ExtensionRequest]:
    return reach(user).of_work(ExtensionRequest.objects.all(), "assignment")


def integrity_alerts_for(user) -> QuerySet[IntegrityAlert]:
    return reach(user).of_work(IntegrityAlert.objects.all(), "evidence__submission__assignment")


def rounds_for(user) -> QuerySet[ReportingRound]:
    """Every reporting round for the lead office and inspectors; for a liaison those that ask its unit."""
    return reach(user).of_units(ReportingRound.objects.all(), "units")


def round_schedules_for(user) -> QuerySet[RoundSchedule]:
    """定期调度 ask no one unit: the lead office's setting, read by the overseers only."""
    return reach(user).overseen(RoundSchedule.objects.all())


def figure_rounds_for(user) -> QuerySet[FigureRound]:
    """Every 数据报送 round for the lead office and inspectors; for a liaison those that ask its unit."""
    return reach(user).of_units(FigureRound.objects.all(), "units")


def figure_reports_for(user) -> QuerySet[FigureReport]:
    """A unit's figures: every unit's for the lead office and inspectors, its own for a liaison."""
    return reach(user).of_units(FigureReport.objects.all(), "unit")


def letters_for(user) -> QuerySet[Letter]:
    """Every letter for the lead office and inspectors; for a liaison those addressed or copied (抄送) to its unit."""
    return reach(user).of_units(Letter.objects.all(), "unit", "copy_units")


def reply_files_for(user) -> QuerySet[ReplyFile]:
    return ReplyFile.objects.filter(reply__letter__in=letters_for(user))


def circulars_for(user) -> QuerySet[Circular]:
    """Circulars go to all units: every signed-in role reads them."""
    return reach(user).published(Circular.objects.all())


def notifications_for(user) -> QuerySet[Notification]:
    """One's own inbox, whatever the role; marking one's messages read is open to inspectors too."""
    return Notification.objects.filter(user=user) if user.is_authenticated else Notification.objects.none()


def deliveries_for(user) -> QuerySet[Delivery]:
    return reach(user).of_units(Delivery.objects.all(), "unit")


def report_jobs_for(user) -> QuerySet[ReportJob]:
    """Every report and its kept files for the lead office and inspectors; a liaison its own unit's reports."""
    where = reach(user)
    jobs = ReportJob.objects.all() if where.every_unit else ReportJob.objects.filter(kind=ReportJob.Kind.UNIT)
    return where.of_units(jobs, "unit")


def accounts_for(user) -> QuerySet[User]:
    """Accounts, never superusers (they are managed in the Django admin): all for the lead office and
    inspectors, the own unit's for a liaison (who changes none of them)."""
    return reach(user).of_units(User.objects.filter(is_superuser=False), "unit")


def login_events_for(user) -> QuerySet[LoginEvent]:
    return reach(user).overseen(LoginEvent.objects.all())


# --- what a user may do -------------------------------------------------------------------------------------


def require_write(user) -> None:
    """Inspectors read only: any change answers 403."""
    if not (user.is_lead or user.is_liaison):
        raise PermissionDenied("督察账号只能查看，不能修改。")


def require_lead(user) -> None:
    """Actions of the lead office only (review, deadlines, measures, letters, rounds, accounts)."""
    if not user.is_lead:
        raise PermissionDenied("只有牵头单位可以进行此操作。")


def require_overseer(user) -> None:
    """Pages of the lead office and inspectors: a liaison gets 403."""
    if not sees_every_unit(user):
        raise PermissionDenied("只有牵头单位和督察可以查看此页面。")


def require_liaison(user) -> None:
    """Actions of a unit's liaison only (reporting progress, asking for more time, replying to a letter)."""
    if not user.is_liaison:
        raise PermissionDenied("只有责任单位联络员可以进行此操作。")


def require_addressee(user, letter: Letter) -> None:
    """Only the addressed unit's liaison replies to a letter (整改回复); a unit it is copied to reads it."""
    require_liaison(user)
    if user.unit_id != letter.unit_id:
        raise PermissionDenied("抄送单位无需回复，由主送单位提交整改回复。")


def can_report_on(user, assignment: Assignment) -> bool:
    """Only the owning unit's liaison reports on an assignment (or asks to extend it); a lead unit reads its
    supporters' items."""
    return user.is_liaison and user.unit_id is not None and assignment.unit_id == user.unit_id


def reportable_work(user) -> QuerySet[Assignment]:
    """What a liaison may report on now (批量报送): its own unit's items not yet done (``can_report_on`` and
    ``Assignment.can_submit`` for a list); nothing for other roles."""
    if not user.is_liaison or user.unit_id is None:
        return Assignment.objects.none()
    return work_of(user).filter(unit_id=user.unit_id).open()


def report_kinds_for(user) -> list[str]:
    """The kinds of report a user may ask for: every kind for the lead office and inspectors (the annual
    行政执法工作报告 too), a unit report for a liaison."""
    return list(ReportJob.Kind.values) if reach(user).every_unit else [ReportJob.Kind.UNIT]


def require_report_kind(user, kind: str) -> None:
    """Asking for a kind of report the user may not ask for answers 403 (before the form reads the rest); a word
    that is no kind is the form's to refuse."""
    if kind in ReportJob.Kind.values and kind not in report_kinds_for(user):
        raise PermissionDenied("只能生成本单位的报告。")


def require_report_request(user, kind: str, unit: Unit | None) -> None:
    """Printing is reading: the lead office and inspectors ask for any report, a liaison for its own unit's
    unit report only."""
    where = reach(user)
    if where.every_unit:
        return
    if kind == ReportJob.Kind.UNIT and unit is not None and unit.pk == where.unit_id:
        return
    raise PermissionDenied("只能生成本单位的报告。")


# --- one object, or 404 ---------------------------------------------------------------------------------------


def _get(rows: QuerySet, pk, user, write: bool):
    """The object if the user may see it (else 404); write=True also refuses read-only roles (403)."""
    try:
        obj = rows.get(pk=pk)
    except rows.model.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    if write:
        require_write(user)
    return obj


def get_plan_for_user(user, pk, *, write: bool = False) -> Plan:
    return _get(plans_for(user).select_related("lead_unit"), pk, user, write)


def get_task_for_user(user, pk, *, write: bool = False) -> Task:
    return _get(tasks_for(user).select_related("plan", "section"), pk, user, write)


def get_measure_for_user(user, pk, *, write: bool = False) -> Measure:
    return _get(measures_for(user).select_related("task__plan"), pk, user, write)


def get_unit_for_user(user, pk, *, write: bool = False) -> Unit:
    return _get(units_for(user), pk, user, write)


def get_assignment_for_user(user, pk, *, write: bool = False) -> Assignment:
    """write=True also refuses a lead unit's liaison on a supporter's item it reads (403)."""
    assignment = _get(assignments_for(user).with_related(), pk, user, write)
    if write and user.is_liaison and not can_report_on(user, assignment):
        raise PermissionDenied("牵头单位可以查看其他责任单位的进展，但只能由该责任单位报送或申请延期。")
    return assignment


def get_submission_for_user(user, pk, *, write: bool = False) -> Submission:
    rows = submissions_for(user).select_related("assignment__measure__task__section", "assignment__unit", "author")
    return _get(rows, pk, user, write)


def get_evidence_for_user(user, pk, *, write: bool = False) -> Evidence:
    return _get(evidence_for(user).select_related("submission__assignment__unit"), pk, user, write)


def get_extension_request_for_user(user, pk, *, write: bool = False) -> ExtensionRequest:
    rows = extension_requests_for(user).select_related("assignment__measure__task", "assignment__unit",
                                                       "requested_by")
    return _get(rows, pk, user, write)


def get_round_for_user(user, pk, *, write: bool = False) -> ReportingRound:
    return _get(rounds_for(user).select_related("plan", "created_by"), pk, user, write)


def get_round_schedule_for_user(user, pk, *, write: bool = False) -> RoundSchedule:
    return _get(round_schedules_for(user).select_related("plan"), pk, user, write)


def get_figure_round_for_user(user, pk, *, write: bool = False) -> FigureRound:
    return _get(figure_rounds_for(user).select_related("created_by"), pk, user, write)


def get_figure_report_for_user(user, pk, *, write: bool = False) -> FigureReport:
    return _get(figure_reports_for(user).select_related("round", "unit"), pk, user, write)


def get_letter_for_user(user, pk, *, write: bool = False) -> Letter:
    return _get(letters_for(user).select_related("plan", "unit"), pk, user, write)


def get_reply_file_for_user(user, pk, *, write: bool = False) -> ReplyFile:
    return _get(reply_files_for(user).select_related("reply__letter"), pk, user, write)


def get_circular_for_user(user, pk, *, write: bool = False) -> Circular:
    return _get(circulars_for(user).select_related("plan"), pk, user, write)


def get_notification_for_user(user, pk) -> Notification:
    """One's own message (anyone else's is 404, the lead office's included)."""
    return _get(notifications_for(user).select_related("message"), pk, user, write=False)


def get_delivery_for_user(user, pk, *, write: bool = False) -> Delivery:
    return _get(deliveries_for(user), pk, user, write)


def get_report_job_for_user(user, pk, *, write: bool = False) -> ReportJob:
    return _get(report_jobs_for(user).select_related("plan", "unit", "task", "requested_by"), pk, user, write)


def get_account_for_user(user, pk, *, write: bool = False) -> User:
    return _get(accounts_for(user).select_related("unit"), pk, user, write)


# --- view decorators --------------------------------------------------------------------------------------------
# Pages that name an object use ``signed_in`` and look the object up first (404 before 403); the view then
# calls require_lead / require_overseer / require_liaison for what it does with it.


def signed_in(view):
    """Login required, and a read-only role's POST (any changing method) answers 403 before the view runs."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            require_write(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def overseers_only(view):
    """Login required; the lead office and inspectors read (a liaison gets 403), only the lead office changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_overseer(request.user)
        if request.method not in SAFE_METHODS:
            require_lead(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def own_account(view):
    """Login required, whatever the role: what a user does to its own account (its password) is open to an
    inspector too, as signing out is."""
    return login_required(view)


def lead_only(view):
    """Login required, and only the lead office gets in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_lead(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapper)
