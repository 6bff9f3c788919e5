"""The daily work: the work list, an assignment's page, progress reports with evidence, downloads,
review, deadlines and extensions. Every object comes through tracker.access."""

import logging
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.db.models import Count, F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_filters.views import FilterView

from plans.models import Task
from tasks import uploads
from tasks.filters import AssignmentFilter, ReviewQueueFilter
from tasks.forms import (
    BatchReportForm,
    BulkAcceptForm,
    DeadlineForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ReviewForm,
    SubmissionForm,
)
from tasks.history import assignment_history
from tasks.models import (
    AlreadyDecided,
    Assignment,
    ExtensionRequest,
    IntegrityAlert,
    ReportingRound,
    Review,
    Submission,
)
from tasks.tables import AssignmentTable
from tracker import access, plan_choice
from tracker.paging import PagedTableMixin, page_of

logger = logging.getLogger(__name__)

LED_MEASURES_PER_PAGE = 20


class AssignmentListView(PagedTableMixin, FilterView):
    """我的任务 for a liaison (own unit); 全部任务 for the lead office and inspectors (with a unit filter).

    Wrapped in tracker.access.signed_in in tasks/urls.py.
    """

    table_class = AssignmentTable
    filterset_class = AssignmentFilter
    table_per_page = 25
    template_name = "tasks/assignment_list.html"
    http_method_names = ["get", "head", "options"]
    all_units = False

    def get(self, request, *args, **kwargs):
        every_unit = access.sees_every_unit(request.user)
        if every_unit != self.all_units:
            return redirect("tasks:assignments" if every_unit else "tasks:my_tasks")
        self.today = timezone.localdate()
        self.answering = self._round_answered(request)
        return super().get(request, *args, **kwargs)

    def _round_answered(self, request) -> ReportingRound | None:
        """?round=: an open 调度 that asks the liaison's unit; the list then holds the items it asks about, to tick
        and report at once (a report on an item it asks about counts for it). Another unit's round is 404."""
        pk = request.GET.get("round", "")
        if self.all_units or not pk.isdigit():
            return None
        answering = access.get_round_for_user(request.user, int(pk))
        return answering if answering.closed_at is None else None

    def get_queryset(self):
        """Open work first (Assignment.work_rank_case), then by due date; each row names its task from the same
        query (a 工作要求's place among the plan's requirements included)."""
        return (access.work_of(self.request.user).with_related()
                .annotate(work_rank=Assignment.work_rank_case(self.today),
                          requirement_place=Task.requirement_place_expression("measure__task"))
                .order_by("work_rank", F("due_on").asc(nulls_last=True), "measure__task__order", "measure__order",
                          "id"))

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_table_data(self):
        """我的任务 folds finished items away (?show=done lists them, ?show=all everything); a status filter
        shows what it asks for."""
        rows = super().get_table_data()
        if self.answering is not None:
            rows = rows.filter(self.answering.asks_about_q())
        if self.all_units or getattr(self.filterset.form, "cleaned_data", {}).get("status"):
            self.show = "all"
            return rows
        self.counts = rows.aggregate(open=Count("pk", filter=~Assignment.done_q()),
                                     done=Count("pk", filter=Assignment.done_q()))
        self.show = self.request.GET.get("show") if self.request.GET.get("show") in ("done", "all") else "open"
        if self.show == "open":
            return rows.exclude(Assignment.done_q())
        if self.show == "done":
            return rows.filter(Assignment.done_q())
        return rows

    def get_table_kwargs(self):
        return {"today": self.today, "exclude": ("pick",) if self.all_units else ("unit",)}

    def get_context_data(self, **kwargs):
        context = {**super().get_context_data(**kwargs), "all_units": self.all_units, "show": self.show,
                   "filters_in_use": any(self.request.GET.get(name) for name in self.filterset.form.fields)}
        if not self.all_units:
            context["answering"] = self.answering
            context["leads_any"] = access.measures_led_by(self.request.user).exists()
            context["counts"] = getattr(self, "counts", None)
        return context


@dataclass
class OwnersProgress:
    """Every owner's assignments of a led measure in one period (or in all periods: the measure's total)."""

    period: str = ""
    rows: list[dict] = field(default_factory=list)
    done: int = 0
    overdue: int = 0
    targeted: int = 0
    met: int = 0
    current: bool = False  # not yet past its due date (or ongoing): the period the lead looks at now
    open: bool = False

    def add(self, row: dict, today) -> None:
        a, figures = row["a"], row["figures"]
        self.rows.append(row)
        self.done += a.is_done
        self.overdue += a.is_overdue(today)
        self.targeted += figures.targeted
        self.met += figures.met is True
        self.current = self.current or a.due_on is None or a.due_on >= today


@access.signed_in
@require_safe
def led_items(request: HttpRequest) -> HttpResponse:
    """我牵头的事项: the measures a liaison's unit leads, each with every owner's progress period by period (the
    current period open); a page of measures, then all their assignments: a fixed number of queries."""
    if not request.user.is_liaison:
        return redirect("tasks:assignments")
    today = timezone.localdate()
    measures = access.measures_led_by(request.user).select_related("task__section").order_by(
        "task__plan_id", "task__order", "order", "id")
    page = page_of(request, measures, per_page=LED_MEASURES_PER_PAGE)
    items = {m.pk: {"measure": m, "total": OwnersProgress(), "periods": {}} for m in page.object_list}
    owners = (access.assignments_for(request.user).filter(measure__in=list(items)).select_related("unit")
              .order_by("measure_id", "due_on", "period", "unit__order", "unit__name", "id"))
    for a in owners:
        item = items[a.measure_id]
        a.measure = item["measure"]
        row = {"a": a, "light": a.light(today), "figures": a.figures, "days": a.days_label(today)}
        item["total"].add(row, today)
        item["periods"].setdefault(a.period, OwnersProgress(a.period)).add(row, today)
    for item in items.values():
        periods = item["periods"] = list(item["periods"].values())
        if periods:
            next((p for p in periods if p.current), periods[-1]).open = True
    return render(request, "tasks/led_items.html", {"page": page, "items": list(items.values()), "today": today})


def _render_assignment(request: HttpRequest, assignment: Assignment, *, submit_form=None, extension_form=None,
                       status: int = 200) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    extensions = list(assignment.extension_requests.select_related("requested_by", "decided_by"))
    pending_extension = any(e.is_pending for e in extensions)
    submissions = list(assignment.submissions.select_related("author", "review__reviewer", "round")
                       .prefetch_related("evidence"))
    liaison_can_act = access.can_report_on(user, assignment) and assignment.can_submit()
    if liaison_can_act and submit_form is None:
        last = submissions[0] if submissions else assignment  # the figures reported last, to correct or update
        submit_form = SubmissionForm(measure=assignment.measure, initial={
            "percent": assignment.percent, **{name: getattr(last, name) for name in SubmissionForm.FIGURE_FIELDS}})
    if liaison_can_act and not pending_extension and extension_form is None:
        extension_form = ExtensionRequestForm(assignment=assignment)
    context = {
        "assignment": assignment,
        "today": today,
        "light": assignment.light(today),
        "days_label": assignment.days_label(today),
        "submissions": submissions,
        "returned": _return_to_answer(assignment, submissions),
        "extensions": extensions,
        "history": assignment_history(assignment),
        "open_round": ReportingRound.objects.open_for(assignment, today).first() if liaison_can_act else None,
        "submit_form": submit_form if liaison_can_act else None,
        "extension_form": extension_form if liaison_can_act else None,
        "owners": _owners(user, assignment, today),
    }
    return render(request, "tasks/assignment_detail.html", context, status=status)


def _return_to_answer(assignment: Assignment, submissions: list[Submission]) -> Submission | None:
    """The returned report an 已退回 item has to answer (newest first): its reason heads the page."""
    if assignment.status != Assignment.Status.RETURNED:
        return None
    return next((s for s in submissions if s.state == Submission.State.RETURNED), None)


def _owners(user, assignment: Assignment, today) -> list[dict] | None:
    """For a liaison whose unit leads the measure: every owner's assignment of it (the same period), with its
    status, accepted figures and latest report (two queries). None for everyone else."""
    if not user.is_liaison or not access.leads(user, assignment.measure):
        return None
    rows = list(access.assignments_for(user).filter(measure=assignment.measure_id, period=assignment.period)
                .select_related("unit").order_by("unit__order", "unit__name", "id"))
    latest: dict[int, Submission] = {}
    for s in Submission.objects.filter(assignment__in=rows).order_by("-created_at", "-id"):
        latest.setdefault(s.assignment_id, s)
    result = []
    for a in rows:
        a.measure = assignment.measure
        report = latest.get(a.pk)
        if report is not None:
            report.assignment = a
        result.append({"a": a, "light": a.light(today), "figures": a.figures, "latest": report,
                       "own": a.pk == assignment.pk})
    return result


@access.signed_in
@require_safe
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_assignment(request, access.get_assignment_for_user(request.user, pk))


@csrf_exempt  # the CSRF check reads the body: it runs in _submit, once the size limit is in place
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    request.upload_handlers.insert(0, uploads.SubmissionSizeLimit(request))
    return _submit(request, pk)


@csrf_protect
@access.signed_in
@require_POST
def _submit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_user(request.user, pk, write=True)
    access.require_liaison(request.user)
    if not assignment.can_submit():
        messages.error(request, "该任务已完成，无需再报送。")
        return redirect("tasks:assignment", pk=assignment.pk)
    form = SubmissionForm(request.POST, request.FILES, measure=assignment.measure)
    if getattr(request, "upload_too_large", False):
        form = SubmissionForm(request.POST, measure=assignment.measure)
        form.is_valid()
        form.add_error("files", uploads.too_large_message())
    if not form.is_valid():
        if form.has_error("files"):
            messages.error(request, "报送未保存：有文件未通过检查，请按提示处理后重新选择文件。已填写的内容已保留。")
        return _render_assignment(request, assignment, submit_form=form)
    uploads.save_submission(assignment, author=request.user, text=form.cleaned_data["text"],
                            percent=form.cleaned_data["percent"], files=form.cleaned_data["files"],
                            today=timezone.localdate(), **form.figures())
    messages.success(request, "进展已报送，等待牵头单位审核。")
    return redirect("tasks:assignment", pk=assignment.pk)


@csrf_exempt  # the CSRF check reads the body: it runs in _batch_report, once the size limit is in place
def batch_report(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers.insert(0, uploads.SubmissionSizeLimit(request))
    return _batch_report(request)


@csrf_protect
@access.signed_in
@require_http_methods(["GET", "HEAD", "POST"])
def _batch_report(request: HttpRequest) -> HttpResponse:
    """批量报送: one progress report on the items ticked in 我的任务 (?ids=), each keeping its own submission,
    percent, figures and evidence (uploads.save_submissions, all or nothing). Another unit's item is 404; a
    finished one is left out and said so."""
    user = request.user
    access.require_liaison(user)
    source = request.POST if request.method == "POST" else request.GET
    ids = {int(v) for v in source.getlist("ids") if v.isdigit()}
    if not ids:
        messages.error(request, "请先在列表中勾选要报送的事项。")
        return redirect("tasks:my_tasks")
    if len(ids) > BatchReportForm.MAX_ITEMS:
        messages.error(request, f"一次最多批量报送{BatchReportForm.MAX_ITEMS}项，请分次报送。")
        return redirect("tasks:my_tasks")
    if access.work_of(user).filter(pk__in=ids).count() != len(ids):
        raise Http404("所选事项不存在或不属于本单位。")
    items = list(access.reportable_work(user).filter(pk__in=ids).with_related()
                 .order_by("measure__task__order", "measure__order", "due_on", "id"))
    if not items:
        messages.error(request, "所选事项均已完成，无需再报送。")
        return redirect("tasks:my_tasks")
    if len(items) < len(ids):
        messages.warning(request, f"所选事项中有{len(ids) - len(items)}项已完成，未列入本次报送。")
    if request.method != "POST":
        return _render_batch(request, BatchReportForm(assignments=items))
    form = BatchReportForm(request.POST, request.FILES, assignments=items)
    if getattr(request, "upload_too_large", False):
        form = BatchReportForm(request.POST, assignments=items)
        form.is_valid()
        form.add_error("files", uploads.too_large_message())
    if not form.is_valid():
        return _render_batch(request, form)
    uploads.save_submissions(form.reports(), author=user, text=form.cleaned_data["text"],
                             files=form.cleaned_data["files"], today=timezone.localdate())
    messages.success(request, f"已批量报送{len(items)}项进展，等待牵头单位审核。")
    return redirect("tasks:my_tasks")


def _render_batch(request: HttpRequest, form: BatchReportForm) -> HttpResponse:
    today = timezone.localdate()
    rows = [{"a": a, "form": item, "light": a.light(today), "days": a.days_label(today)} for a, item in form.items]
    return render(request, "tasks/batch_report.html", {"form": form, "rows": rows})


def content_disposition(name: str, pk: int, disposition: str = "attachment") -> str:
    """attachment (or inline) with the original (Chinese) name per RFC 5987/6266, and a plain ASCII fallback."""
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    fallback = "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in "._- "))
    if not fallback.strip(" ._-") or fallback.strip(" ._-") == ext:
        fallback = f"evidence-{pk}.{ext}" if ext else f"evidence-{pk}"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@access.signed_in
@require_safe
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve an evidence file to those who may see it, only if it is still the file that was uploaded.

    A PDF or an image (by its bytes) opens in the browser, sandboxed (uploads.PREVIEW_POLICY); ?download=1 and
    every other type download."""
    evidence = access.get_evidence_for_user(request.user, pk)
    actual = evidence.actual_sha256()
    if actual != evidence.sha256:
        alert = IntegrityAlert.record(evidence, actual, request.user)
        logger.error("Evidence %s failed its checksum: expected %s, found %s (alert %s)",
                     evidence.pk, evidence.sha256, actual or "missing file", alert.pk)
        return render(request, "tasks/evidence_integrity.html", {"evidence": evidence, "missing": actual is None},
                      status=409)
    stored = evidence.file.open("rb")
    shown_as = None if "download" in request.GET else uploads.preview_type(stored)
    response = FileResponse(stored, content_type=shown_as or evidence.content_type)
    response["Content-Disposition"] = content_disposition(evidence.original_name, evidence.pk,
                                                          "inline" if shown_as else "attachment")
    if shown_as:
        response["Content-Security-Policy"] = uploads.PREVIEW_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _queue(request: HttpRequest) -> tuple[ReviewQueueFilter, QuerySet[Submission], str]:
    """The 待审核 queue as filtered by the request (plan, unit, task), and that filter as a query string that
    the review pages carry, so that a decision leads to the next item of the same queue."""
    data = plan_choice.with_plan(request)
    filterset = ReviewQueueFilter(data, queryset=access.submissions_for(request.user).pending(), user=request.user)
    pending = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    query = urlencode([(key, data[key]) for key in ReviewQueueFilter.Meta.fields if key in data])
    return filterset, pending, query


@access.overseers_only
@require_http_methods(["GET", "HEAD", "POST"])
def review_queue(request: HttpRequest) -> HttpResponse:
    """待审核: pending submissions, oldest first, filtered by plan, unit and task; the lead office accepts the
    ticked ones at once (批量通过, one comment). Pending extension requests beside them (paged by ?ext_page=)."""
    filterset, pending, query = _queue(request)
    bulk = None
    if request.user.is_lead:
        bulk = BulkAcceptForm(request.POST or None, pending=pending.select_related("assignment__unit",
                                                                                   "assignment__measure"))
        if request.method == "POST" and bulk.is_valid():
            accepted, taken = Submission.accept_all(list(bulk.cleaned_data["submissions"]), request.user,
                                                    bulk.cleaned_data["reason"].strip(), timezone.localdate())
            messages.success(request, f"已通过{len(accepted)}项报送。")
            if taken:
                messages.warning(request, f"另有{len(taken)}项已由其他审核人审核，未作改动。")
            return redirect(f"{reverse('tasks:review_queue')}?{query}")
    page = page_of(request, pending.select_related("assignment__measure__task", "assignment__unit", "author", "round")
                   .prefetch_related("evidence"))
    extensions = (
        access.extension_requests_for(request.user).filter(state=ExtensionRequest.State.PENDING)
        .select_related("assignment__measure__task", "assignment__unit", "requested_by").order_by("created_at", "id")
    )
    extension_page = page_of(request, extensions, "ext_page")
    return render(request, "tasks/review_queue.html", {
        "filter": filterset, "query": query, "bulk": bulk, "page": page, "extension_page": extension_page,
        "integrity_alerts": access.integrity_alerts_for(request.user).count(),
    })


def _after(pending: QuerySet[Submission], submission: Submission) -> Submission | None:
    """The item after ``submission`` in the queue's order (oldest first)."""
    later = Q(created_at__gt=submission.created_at) | Q(created_at=submission.created_at, pk__gt=submission.pk)
    return pending.filter(later).first()


@access.signed_in
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One submission with its evidence; the lead office accepts it or returns it with a reason, then goes on to
    the next item of the queue it came from (the queue's filter rides along in the query string)."""
    submission = access.get_submission_for_user(request.user, pk, write=request.method == "POST")
    access.require_overseer(request.user)
    _, pending, query = _queue(request)
    here = f"{reverse('tasks:review', args=[submission.pk])}?{query}"
    form = None
    if request.user.is_lead and submission.is_pending:
        form = ReviewForm(request.POST or None, submission=submission)
        if request.method == "POST" and form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                submission.decide(request.user, decision, form.cleaned_data["reason"].strip(),
                                  timezone.localdate())
            except AlreadyDecided as exc:
                messages.error(request, f"该报送已由{exc.by or '其他审核人'}审核，请刷新查看。")
                return redirect(here)
            verb = "通过" if decision == Review.Decision.ACCEPT else "退回"
            following = _after(pending, submission) or pending.exclude(pk=submission.pk).first()
            if following is None:
                messages.success(request, f"已{verb}“{submission.assignment.unit}”的报送。待审核的报送已全部审完。")
                return redirect(f"{reverse('tasks:review_queue')}?{query}")
            messages.success(request, f"已{verb}“{submission.assignment.unit}”的报送，下面是下一份。")
            return redirect(f"{reverse('tasks:review', args=[following.pk])}?{query}")
    elif request.method == "POST":  # only the lead office gets here: decided meanwhile by someone else
        decided = getattr(submission, "review", None)
        messages.error(request, f"该报送已由{decided.reviewer if decided else '其他审核人'}审核，请刷新查看。")
        return redirect(here)
    following = _after(pending, submission)
    context = {"submission": submission, "assignment": submission.assignment, "form": form,
               "evidence": submission.evidence.all(), "today": timezone.localdate(), "query": query,
               "next_url": f"{reverse('tasks:review', args=[following.pk])}?{query}" if following else None,
               "remaining": pending.exclude(pk=submission.pk).count()}
    return render(request, "tasks/review.html", context)


@access.signed_in
@require_POST
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit asks for a later deadline, with a reason."""
    assignment = access.get_assignment_for_user(request.user, pk, write=True)
    access.require_liaison(request.user)
    if not assignment.can_submit():
        messages.error(request, "该任务已完成，不能申请延期。")
        return redirect("tasks:assignment", pk=assignment.pk)
    form = ExtensionRequestForm(request.POST, assignment=assignment)
    if not form.is_valid():
        return _render_assignment(request, assignment, extension_form=form)
    assignment.request_extension(request.user, form.cleaned_data["requested_due_on"],
                                 form.cleaned_data["reason"].strip())
    messages.success(request, "延期申请已提交，等待牵头单位审批。")
    return redirect("tasks:assignment", pk=assignment.pk)


@access.signed_in
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead office grants an extension (the due date moves, the reason in the history) or refuses it."""
    extension = access.get_extension_request_for_user(request.user, pk, write=request.method == "POST")
    access.require_overseer(request.user)
    form = None
    if request.user.is_lead and extension.is_pending:
        form = ExtensionDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            grant = form.cleaned_data["grant"]
            try:
                extension.decide(request.user, grant, form.cleaned_data["reason"].strip())
            except AlreadyDecided as exc:
                messages.error(request, f"该延期申请已由{exc.by or '其他审批人'}审批，请刷新查看。")
                return redirect("tasks:extension_decide", pk=extension.pk)
            messages.success(request, "已同意延期，完成时限已调整。" if grant else "已答复：不同意延期。")
            return redirect("tasks:assignment", pk=extension.assignment_id)
    elif request.method == "POST":  # only the lead office gets here: decided meanwhile by someone else
        messages.error(request, f"该延期申请已由{extension.decided_by or '其他审批人'}审批，请刷新查看。")
        return redirect("tasks:extension_decide", pk=extension.pk)
    return render(request, "tasks/extension_decide.html", {"extension": extension, "form": form,
                                                           "assignment": extension.assignment})


@access.signed_in
def deadline(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an assignment's due date; the reason is required and kept in the history."""
    assignment = access.get_assignment_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = DeadlineForm(request.POST or None, current=assignment.due_on,
                        initial={"due_on": assignment.due_on})
    if request.method == "POST" and form.is_valid():
        assignment.change_deadline(form.cleaned_data["due_on"], form.cleaned_data["reason"].strip(), request.user)
        messages.success(request, "完成时限已调整，调整原因已记入变更记录。")
        return redirect("tasks:assignment", pk=assignment.pk)
    return render(request, "tasks/deadline.html", {"assignment": assignment, "form": form})


@access.overseers_only
@require_safe
def integrity(request: HttpRequest) -> HttpResponse:
    """Evidence files whose checksum no longer matches: never served, listed here for the lead office."""
    alerts = access.integrity_alerts_for(request.user).select_related(
        "evidence__submission__assignment__unit", "evidence__submission__assignment__measure", "detected_by")
    page = page_of(request, alerts)
    return render(request, "tasks/integrity.html", {"page": page})
