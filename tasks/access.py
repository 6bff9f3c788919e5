"""Who may see and change which piece of work. Every view goes through these helpers.

The rule (DESIGN.md, roles): the lead office sees and changes everything; an inspector sees everything
and changes nothing (403); a unit's liaison sees its own unit's work, and every owner's work of the
measures its unit leads (as the measure's or the task's 牵头单位), but changes only its own (403) —
anything else answers 404, as if it did not exist. Views never filter by unit themselves; they call the helper for the object type,
the way healthchecks' ``_get_check_for_user`` / ``_get_rw_check_for_user`` do.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from plans.models import Measure, Task
from tasks.models import Assignment, Evidence, ExtensionRequest, Submission

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def measures_led_by(user) -> QuerySet[Measure]:
    """The measures a liaison's unit leads: named as the measure's lead unit, or as its task's. None for
    everyone else (the lead office and inspectors see everything anyway)."""
    if not (user.is_liaison and user.unit_id):
        return Measure.objects.none()
    led_measures = Measure.lead_units.through.objects.filter(unit_id=user.unit_id).values("measure_id")
    led_tasks = Task.lead_units.through.objects.filter(unit_id=user.unit_id).values("task_id")
    return Measure.objects.filter(Q(pk__in=led_measures) | Q(task_id__in=led_tasks))


def assignments_for(user) -> QuerySet[Assignment]:
    """Assignments the user may see: all for the lead office and inspectors; for a liaison, the own unit's
    and every owner's of the measures the unit leads."""
    if user.can_read_all:
        return Assignment.objects.all()
    if user.is_liaison and user.unit_id:
        return Assignment.objects.filter(Q(unit_id=user.unit_id) | Q(measure__in=measures_led_by(user)))
    return Assignment.objects.none()


def work_of(user) -> QuerySet[Assignment]:
    """The work the user answers for (我的任务, the home page's counts): a liaison's own unit's, not the
    supporters' items it only reads as a lead; everything for the lead office and inspectors."""
    if user.is_liaison and user.unit_id:
        return Assignment.objects.filter(unit_id=user.unit_id)
    return assignments_for(user)


def can_report_on(user, assignment: Assignment) -> bool:
    """Only the owning unit's liaison reports on an assignment (or asks to extend it); a lead unit reads
    its supporters' items."""
    return user.is_liaison and user.unit_id is not None and assignment.unit_id == user.unit_id


def leads(user, measure: Measure) -> bool:
    """Whether the user's unit leads the measure (it then sees every owner's work of it)."""
    return measures_led_by(user).filter(pk=measure.pk).exists()


def submissions_for(user) -> QuerySet[Submission]:
    return Submission.objects.filter(assignment__in=assignments_for(user))


def evidence_for(user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(submission__assignment__in=assignments_for(user))


def extension_requests_for(user) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(assignment__in=assignments_for(user))


def check_write(user) -> None:
    """Inspectors read only: any change answers 403."""
    if not user.is_lead and not user.is_liaison:
        raise PermissionDenied("督察账号只能查看，不能修改。")


def require_lead(user) -> None:
    """Actions of the lead office only (review, deadlines, measures): 403 for everyone else."""
    if not user.is_lead:
        raise PermissionDenied("只有牵头单位可以进行此操作。")


def require_liaison(user) -> None:
    """Actions of a unit's liaison only (submitting, asking for an extension)."""
    if not user.is_liaison:
        raise PermissionDenied("只有责任单位联络员可以进行此操作。")


def _get(queryset: QuerySet, pk, user, write: bool):
    try:
        obj = queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404("未找到，或无权查看。") from None
    if write:
        check_write(user)
    return obj


def get_assignment_for_user(user, pk, *, write: bool = False) -> Assignment:
    """The assignment if the user may see it (else 404); write=True also refuses inspectors and a lead
    unit's liaison on another unit's item (403)."""
    assignment = _get(assignments_for(user).with_related(), pk, user, write)
    if write and user.is_liaison and not can_report_on(user, assignment):
        raise PermissionDenied("牵头单位可以查看其他责任单位的进展，但只能由该责任单位报送或申请延期。")
    return assignment


def get_submission_for_user(user, pk, *, write: bool = False) -> Submission:
    qs = submissions_for(user).select_related("assignment__measure__task__section", "assignment__unit", "author")
    return _get(qs, pk, user, write)


def get_evidence_for_user(user, pk, *, write: bool = False) -> Evidence:
    return _get(evidence_for(user).select_related("submission__assignment__unit"), pk, user, write)


def get_extension_request_for_user(user, pk, *, write: bool = False) -> ExtensionRequest:
    qs = extension_requests_for(user).select_related("assignment__measure__task", "assignment__unit",
                                                     "requested_by")
    return _get(qs, pk, user, write)


def login_and_read_only_for_inspectors(view):
    """Login required, and an inspector's POST (or any other changing method) answers 403 before the view runs."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            check_write(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def lead_only(view):
    """Login required, and only the lead office gets in."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_lead(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def overseers_only(view):
    """Login required; the lead office and inspectors read (a liaison gets 403), only the lead office changes."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.can_read_all:
            raise PermissionDenied("只有牵头单位和督察可以查看此页面。")
        if request.method not in SAFE_METHODS:
            require_lead(request.user)
        return view(request, *args, **kwargs)

    return wrapper
