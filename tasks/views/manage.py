"""Managing the work (lead office): the measures of a task, their units, groups and deadlines.

After every change tasks.planning.sync_assignments(measure) brings the assignments in step: it adds what
is missing and never deletes an assignment that has a submission.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from plans.models import Measure, Task
from tasks import access
from tasks.forms import MeasureForm
from tasks.planning import SyncResult, sync_assignments


def _sync_message(result: SyncResult) -> str:
    parts = [f"新增任务分解{result.created}项", f"调整时限{result.moved}项", f"取消{result.removed}项"]
    text = "，".join(parts)
    if result.kept:
        text += f"；{len(result.kept)}项已有报送的任务分解予以保留（{'、'.join(str(a.unit) for a in result.kept)}）"
    return text + "。"


@access.overseers_only
@require_safe
def manage(request: HttpRequest) -> HttpResponse:
    """Every task of every plan with how many measures and assignments it has."""
    tasks = (
        Task.objects.select_related("plan", "section")
        .annotate(measure_count=Count("measures", distinct=True), assignment_count=Count("measures__assignments"))
        .order_by("plan__title", "plan_id", "order", "id")
    )
    return render(request, "tasks/manage/tasks.html", {"tasks": tasks})


@access.overseers_only
@require_safe
def task_measures(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan", "section"), pk=pk)
    measures = (
        task.measures.prefetch_related("units", "groups")
        .annotate(assignment_count=Count("assignments")).order_by("order", "id")
    )
    return render(request, "tasks/manage/task_measures.html", {"task": task, "measures": measures})


@access.lead_only
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan"), pk=pk)
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            measure = form.save(commit=False)
            measure.task = task
            measure.order = (task.measures.aggregate(m=Max("order"))["m"] or 0) + 1
            measure.added_by_lead = True
            measure._change_reason = "牵头单位新增措施"
            measure.save()
            form.save_m2m()
            result = sync_assignments(measure)
        messages.success(request, "措施已新增：" + _sync_message(result))
        return redirect("tasks:task_measures", pk=task.pk)
    return render(request, "tasks/manage/measure_form.html", {"task": task, "form": form, "measure": None})


@access.lead_only
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("task__plan"), pk=pk)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            measure = form.save(commit=False)
            measure._change_reason = form.cleaned_data["reason"].strip() or "编辑措施"
            measure.save()
            form.save_m2m()
            result = sync_assignments(measure)
        messages.success(request, "措施已保存：" + _sync_message(result))
        return redirect("tasks:task_measures", pk=measure.task_id)
    return render(request, "tasks/manage/measure_form.html", {"task": measure.task, "form": form,
                                                              "measure": measure})
