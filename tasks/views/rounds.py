"""调度: the lead office opens a round, follows who reported, exports it and closes it."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from tasks import rounds
from tasks.models import ReportingRound
from tracker import access
from tracker.paging import page_of
from tracker.plan_choice import choose_plan
from tracker.xlsx import one_sheet_file


@access.overseers_only
@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    plan, plans = choose_plan(request)
    items = access.rounds_for(request.user).filter(plan=plan) if plan else ReportingRound.objects.none()
    page = page_of(request, items.order_by("-created_at", "-id"))
    return render(request, "tasks/overview/rounds.html", {
        "plan": plan, "plans": plans, "page": page, "reports": rounds.reports(list(page)),
    })


@access.lead_only
def round_new(request: HttpRequest) -> HttpResponse:
    plan, plans = choose_plan(request)
    if plan is None:
        messages.error(request, "尚未导入实施方案，无法发起调度。")
        return redirect("tasks:rounds")
    form = rounds.RoundForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        rnd = form.save_for(request.user)
        messages.success(request, f"已发起调度“{rnd.title}”，共{rnd.units.count()}个单位需报送。")
        return redirect("tasks:round_detail", pk=rnd.pk)
    return render(request, "tasks/overview/round_form.html", {"form": form, "plan": plan, "plans": plans})


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
    out = one_sheet_file("调度", rounds.XLSX_HEADERS, rounds.XLSX_WIDTHS, rounds.xlsx_rows(report))
    return FileResponse(out, as_attachment=True, filename=f"round-{rnd.pk}.xlsx",
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
