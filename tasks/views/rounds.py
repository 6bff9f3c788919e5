"""调度: the lead office opens a round, follows who reported, exports it and closes it."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from tasks import rounds
from tasks.models import ReportingRound
from tracker import access
from tracker.formats import cn_date
from tracker.paging import page_of
from tracker.plan_choice import choose_plan
from tracker.xlsx import file_name


@access.overseers_only
@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    plan, plans = choose_plan(request)
    items = access.rounds_for(request.user).filter(plan=plan) if plan else ReportingRound.objects.none()
    page = page_of(request, items.order_by("-created_at", "-id"))
    schedules = access.round_schedules_for(request.user).filter(plan=plan, stopped_at__isnull=True)
    return render(request, "tasks/overview/rounds.html", {
        "plan": plan, "plans": plans, "page": page, "reports": rounds.reports(list(page)), "schedules": schedules,
    })


@access.lead_only
def round_new(request: HttpRequest) -> HttpResponse:
    """发起调度: a round now (RoundForm), or a schedule that opens rounds by itself (ScheduleForm, ?kind=schedule)."""
    plan, plans = choose_plan(request)
    if plan is None:
        messages.error(request, "尚未导入实施方案，无法发起调度。")
        return redirect("tasks:rounds")
    scheduling = request.POST.get("kind", request.GET.get("kind")) == "schedule"
    form = rounds.RoundForm(request.POST if request.method == "POST" and not scheduling else None, plan=plan)
    schedule_form = rounds.ScheduleForm(request.POST if request.method == "POST" and scheduling else None, plan=plan)
    if request.method == "POST" and scheduling and schedule_form.is_valid():
        schedule = schedule_form.save_for(request.user)
        when = cn_date(schedule.next_open_on) if schedule.next_open_on else "—"
        messages.success(request, f"已设置定期调度“{schedule.title}”（{schedule.get_frequency_display()}），首次将于{when}"
                                  "自动发起，并在当日的每日汇总中通知相关单位。")
        return redirect(f"{reverse('tasks:rounds')}?plan={plan.pk}")
    if request.method == "POST" and not scheduling and form.is_valid():
        rnd = form.save_for(request.user)
        messages.success(request, f"已发起调度“{rnd.title}”，共{rnd.units.count()}个单位需报送。")
        return redirect("tasks:round_detail", pk=rnd.pk)
    return render(request, "tasks/overview/round_form.html", {
        "form": form, "schedule_form": schedule_form, "scheduling": scheduling, "plan": plan, "plans": plans})


@access.signed_in
@require_POST
def round_schedule_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """停用 a 定期调度: no round opens from it any more; those it opened run their course."""
    schedule = access.get_round_schedule_for_user(request.user, pk, write=True)
    access.require_lead(request.user)
    if rounds.stop_schedule(schedule, timezone.now()):
        messages.success(request, f"已停用定期调度“{schedule.title}”。")
    else:
        messages.warning(request, "该定期调度已经停用。")
    return redirect(f"{reverse('tasks:rounds')}?plan={schedule.plan_id}")


@access.signed_in
@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.get_round_for_user(request.user, pk)
    access.require_overseer(request.user)
    report = rounds.reports([rnd])[0]
    return render(request, "tasks/overview/round_detail.html", {
        "round": rnd, "report": report, "tasks": rnd.tasks.order_by("order", "id"),
    })


@access.signed_in
@require_safe
def round_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    rnd = access.get_round_for_user(request.user, pk)
    access.require_overseer(request.user)
    report = rounds.reports([rnd])[0]
    name = file_name(f"{rnd.plan.short_name}调度-{rnd.title}-{rnd.due_on:%Y%m%d}.xlsx")
    return FileResponse(rounds.xlsx_file(report), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@access.signed_in
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.get_round_for_user(request.user, pk, write=True)
    access.require_lead(request.user)
    if rounds.close_round(rnd, timezone.now()):
        messages.success(request, f"调度“{rnd.title}”已结束。")
    else:
        messages.warning(request, "该调度已经结束。")
    return redirect("tasks:round_detail", pk=rnd.pk)
