"""The reports page: ask for a report, watch it render, download the kept files.

Access: the lead office and inspectors see and ask for every report (asking for a report is printing,
i.e. reading — the one POST an inspector may make); a liaison asks for and sees its own unit's report only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from reports.forms import ReportRequestForm
from reports.models import ReportJob, check_can_request, get_job_for_user
from reports.tasks import render_report_job
from tracker.paging import page_of


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        check_can_request(request.user, data["kind"], data["unit"])
        job = ReportJob.objects.create(kind=data["kind"], plan=data["plan"], unit=data["unit"], task=data["task"],
                                       as_of=data["as_of"], requested_by=request.user)
        if job.runs_in_background():
            transaction.on_commit(lambda: render_report_job(job.pk))
            messages.info(request, "报告较大，已转入后台生成，完成后将通知您。")
        else:
            job.run()
            if job.state == ReportJob.State.DONE:
                messages.success(request, "报告已生成。")
            else:
                messages.error(request, "报告生成失败，请稍后重试或联系管理员。")
        return redirect(job)
    jobs = page_of(request, ReportJob.objects.visible_to(request.user)
                   .select_related("plan", "unit", "task", "requested_by"))
    return render(request, "reports/index.html", {"form": form, "page": jobs})


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    return render(request, "reports/job.html", {"job": job})


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_job_for_user(request.user, pk)
    return JsonResponse({"state": job.state, "state_label": job.get_state_display(), "progress": job.progress,
                         "stage": job.stage, "finished": job.is_finished})


@login_required
@require_GET
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    job = get_job_for_user(request.user, pk)
    field = {"pdf": job.pdf, "xlsx": job.xlsx}.get(fmt)
    if job.state != ReportJob.State.DONE or not field:
        raise Http404("报告文件尚未生成。")
    return FileResponse(field.open("rb"), as_attachment=True, filename=job.file_name(fmt))
