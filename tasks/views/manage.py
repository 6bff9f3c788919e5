"""Managing the work (lead office): the measures of a task, their kinds, owners, leads, targets and deadlines.

After every change tasks.planning.sync_assignments(measure) brings the assignments in step: it adds what
is missing and never deletes an assignment that has a submission.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from plans.models import Measure
from tasks.forms import MeasureForm
from tasks.planning import SyncResult, sync_assignments
from tracker import access


def _sync_message(result: SyncResult) -> str:
    parts = [f"新增任务分解{result.created}项", f"调整时限{result.moved}项", f"取消{result.removed}项"]
    text = "，".join(parts)
    if result.kept:
        text += f"；{len(result.kept)}项已有报送的任务分解予以保留（{'、'.join(str(a.unit) for a in result.kept)}）"
    return text + "。"


@access.overseers_only
@require_safe
def manage(request: HttpRequest) -> HttpResponse:
    """Every task of every plan with how many measures (and how many to confirm) and assignments it has;
    a plan's requirements (工作要求) after its tasks, not counted as tasks."""
    tasks = (
        access.tasks_for(request.user).select_related("plan", "section")
        .annotate(measure_count=Count("measures", distinct=True), assignment_count=Count("measures__assignments"),
                  pending_count=Count("measures", filter=Q(measures__kind_basis=Measure.Basis.DEFAULT),
                                      distinct=True))
        .order_by("plan__title", "plan_id", "is_requirement", "order", "id")
    )
    plans: dict[int, dict] = {}
    for task in tasks:
        entry = plans.setdefault(task.plan_id, {"plan": task.plan, "tasks": [], "requirements": []})
        entry["requirements" if task.is_requirement else "tasks"].append(task)
    return render(request, "tasks/manage/tasks.html", {"plans": list(plans.values())})


@access.signed_in
@require_safe
def task_measures(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_task_for_user(request.user, pk)
    access.require_overseer(request.user)
    measures = (
        task.measures.prefetch_related("units", "groups", "lead_units")
        .annotate(assignment_count=Count("assignments")).order_by("order", "id")
    )
    return render(request, "tasks/manage/task_measures.html", {"task": task, "measures": measures})


@access.signed_in
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_task_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            measure = form.save(commit=False)
            measure.task = task
            measure.order = (task.measures.aggregate(m=Max("order"))["m"] or 0) + 1
            measure.added_by_lead = True
            measure.save()
            form.save_m2m()
            result = sync_assignments(measure)
        messages.success(request, "措施已新增：" + _sync_message(result))
        return redirect("tasks:task_measures", pk=task.pk)
    return render(request, "tasks/manage/measure_form.html", {"task": task, "form": form, "measure": None})


@access.signed_in
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = access.get_measure_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            measure = form.save()
            result = sync_assignments(measure)
        messages.success(request, "措施已保存：" + _sync_message(result))
        return redirect("tasks:task_measures", pk=measure.task_id)
    return render(request, "tasks/manage/measure_form.html", {"task": measure.task, "form": form,
                                                              "measure": measure})
