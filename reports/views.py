"""The reports page: ask for a report, watch it render, download the kept files.

Access (tracker.access): the lead office and inspectors see and ask for every report (asking for a report is
printing, i.e. reading — a POST an inspector may make), the annual 行政执法工作报告 too; a liaison asks for and sees
its own unit's report only. The lead office rewrites a kept report's sections.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reports.forms import RankingForm, ReportRequestForm, ReportTextForm, ScoringSchemeForm
from reports.models import ReportJob
from reports.scoring import ScoringScheme, rows_for, rule_text, scores, scores_xlsx
from reports.tasks import render_report_job
from tracker import access
from tracker.formats import cn_date
from tracker.paging import page_of
from tracker.queue import enqueue_on_commit
from tracker.xlsx import file_name


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        access.require_report_kind(request.user, request.POST.get("kind", ""))
    form = ReportRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        access.require_report_request(request.user, data["kind"], data["unit"])
        job = ReportJob.ask(requested_by=request.user, **data)
        _render(request, job)
        return redirect(job)
    jobs = page_of(request, access.report_jobs_for(request.user).select_related("plan", "unit", "task", "requested_by"))
    return render(request, "reports/index.html", {"form": form, "page": jobs})


def _render(request: HttpRequest, job: ReportJob) -> None:
    """A big report, or an annual one, is handed to a Huey job (queued after the commit; if the queue is down, the
    recovery job queues it later); a small one renders while the page waits."""
    if job.runs_in_background():
        enqueue_on_commit(render_report_job, job.pk)
        messages.info(request, "报告已转入后台生成，完成后将通知您。" if job.is_annual else
                      "报告较大，已转入后台生成，完成后将通知您。")
    else:
        job.run()
        if job.state == ReportJob.State.DONE:
            messages.success(request, "报告已生成。")
        else:
            messages.error(request, "报告生成失败，请稍后重试或联系管理员。")


@login_required  # asking for a report again is printing, as asking for it: an inspector may, for its own
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """重新生成 a failed report: its requester (or the lead office) asks for it again on the job's page."""
    job = access.get_report_job_for_user(request.user, pk)
    if job.requested_by_id != request.user.pk and not request.user.is_lead:
        raise PermissionDenied("只有申请人可以重新生成该报告。")
    if job.state != ReportJob.State.FAILED:
        messages.info(request, "该报告没有失败，无需重新生成。")
        return redirect(job)
    job.restart()
    _render(request, job)
    return redirect(job)


@access.signed_in
@require_safe
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_report_job_for_user(request.user, pk)
    text_form = None
    if request.user.is_lead and job.state == ReportJob.State.DONE:
        text_form = ReportTextForm(sections=job.section_titles, initial={
            "edited_at": job.text_version, **{key: job.text(key) for key, _ in job.section_titles}})
    return render(request, "reports/job.html", _job_context(job, text_form))


def _job_context(job: ReportJob, text_form: ReportTextForm | None) -> dict:
    """The job page's context: each section with its field of the text form (if the user may rewrite them)."""
    sections = job.sections()
    if text_form is not None:
        for section in sections:
            section["field"] = text_form[section["key"]]
    return {"job": job, "text_form": text_form, "sections": sections}


@access.signed_in
@require_POST
def job_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead office's words for a kept report's sections: kept with it (a section rewritten; one whose
    恢复为系统起草 was pressed follows the draft again), and the report rendered again."""
    job = access.get_report_job_for_user(request.user, pk)
    access.require_lead(request.user)
    form = ReportTextForm(request.POST, sections=job.section_titles)
    if job.state != ReportJob.State.DONE:
        messages.info(request, "报告生成完成后才能修改报告文字。")
    elif not form.is_valid():
        return render(request, "reports/job.html", _job_context(job, form), status=400)
    elif job.edit_text(form.cleaned_data, request.user, restore=request.POST.getlist("restore"),
                       seen=form.cleaned_data["edited_at"]):
        _render(request, job)
    else:  # saved by someone else since the form was shown: the words typed are shown again, not lost
        job.refresh_from_db()
        edited = timezone.localtime(job.text_edited_at)
        who, when = job.text_edited_by or "牵头单位", f"{cn_date(edited.date())} {edited:%H:%M}"
        if job.state != ReportJob.State.DONE:
            messages.error(request, f"报告文字已由{who}于{when}修改，报告正在重新生成，您的修改未保存。")
            return redirect(job)
        messages.error(request, f"报告文字已由{who}于{when}修改，您的修改未保存。请核对下方文字后再次保存"
                                "（再次保存将以您的文字为准）。")
        retry = ReportTextForm({**request.POST.dict(), "edited_at": job.text_version}, sections=job.section_titles)
        retry.is_valid()
        return render(request, "reports/job.html", _job_context(job, retry), status=409)
    return redirect(job)


@access.signed_in
@require_safe
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = access.get_report_job_for_user(request.user, pk)
    return JsonResponse({"state": job.state, "state_label": job.get_state_display(), "progress": job.progress,
                         "stage": job.stage, "finished": job.is_finished})


@access.signed_in
@require_safe
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    job = access.get_report_job_for_user(request.user, pk)
    field = {"pdf": job.pdf, "xlsx": job.xlsx, "docx": job.docx}.get(fmt)
    if job.state != ReportJob.State.DONE or not field:
        raise Http404("报告文件尚未生成。")
    return FileResponse(field.open("rb"), as_attachment=True, filename=job.file_name(fmt))


# --- 考核: the ranking (every unit for overseers, its own breakdown for a liaison) and its settings ------------

def _ranking(request: HttpRequest, plan_pk: int):
    """The plan the user may see, the day asked for (or today, with the form's error) and the rows it may see."""
    plan = access.get_plan_for_user(request.user, plan_pk)
    form = RankingForm(request.GET or None, plan=plan)
    day = form.cleaned_data["as_of"] if form.is_valid() else timezone.localdate()
    result = scores(plan, day)
    return form, result, rows_for(result, request.user)


@access.signed_in
@require_safe
def ranking(request: HttpRequest, plan_pk: int) -> HttpResponse:
    form, result, rows = _ranking(request, plan_pk)
    return render(request, "reports/ranking.html", {"plan": result.plan, "form": form, "result": result,
                                                    "rows": rows, "rule": rule_text(result.scheme)})


@access.signed_in
@require_safe
def ranking_xlsx(request: HttpRequest, plan_pk: int) -> FileResponse:
    _, result, rows = _ranking(request, plan_pk)
    name = file_name(f"考核排名-截至{cn_date(result.as_of)}.xlsx")
    return FileResponse(scores_xlsx(result, rows), as_attachment=True, filename=name)


@access.signed_in
@require_http_methods(["GET", "POST"])
def scoring_settings(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, plan_pk)
    access.require_lead(request.user)
    form = ScoringSchemeForm(request.POST or None, instance=ScoringScheme.for_plan(plan))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "考核设置已保存，排名按新的计分办法计算。")
        return redirect("reports:ranking", plan_pk=plan.pk)
    return render(request, "reports/scoring_settings.html", {"plan": plan, "form": form,
                                                             "defaults": rule_text(ScoringScheme(plan=plan))})
