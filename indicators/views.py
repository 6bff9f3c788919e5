"""数据报送 pages: the catalogue (lead office), rounds, a unit's values by form or template, the review."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from indicators import chasing, figures, measures, workbook
from indicators.figures import plain
from indicators.forms import IndicatorForm, ReviewForm, RoundForm, UploadForm, ValuesForm
from indicators.models import AlreadyDecided, FigureReport, FigureValue, Indicator
from plans.models import Unit
from tracker import access
from tracker.formats import cn_date

STATE_CHANGES = {FigureReport.State.PENDING: "报送", FigureReport.State.APPROVED: "通过",
                 FigureReport.State.RETURNED: "退回"}


@access.lead_only
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    rows = Indicator.objects.select_related("parent", "numerator", "denominator").order_by("order", "code")
    kinds = dict(Unit.Kind.choices)
    return render(request, "indicators/catalogue.html", {
        "rows": [(i, "、".join(kinds[k] for k in i.unit_kinds if k in kinds)) for i in rows]})


@access.lead_only
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    indicator = get_object_or_404(Indicator, pk=pk) if pk is not None else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        indicator = form.save()
        messages.success(request, f"指标“{indicator.label}”已保存。")
        return redirect("indicators:catalogue")
    return render(request, "indicators/indicator_form.html", {"form": form, "indicator": indicator})


@access.signed_in
@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = access.figure_rounds_for(request.user).prefetch_related("reports")
    own = {}
    if request.user.is_liaison:
        own = {r.round_id: r for r in access.figure_reports_for(request.user).filter(round__in=rounds)}
    rows = [(rnd, own.get(rnd.pk), _counts(rnd)) for rnd in rounds]
    return render(request, "indicators/rounds.html", {"rows": rows})


def _counts(rnd) -> dict[str, int]:
    counts = {state: 0 for state in FigureReport.State.values}
    for report in rnd.reports.all():
        counts[report.state] += 1
    return counts


@access.lead_only
def round_new(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rnd = form.save_for(request.user)
        messages.success(request, f"已发起{rnd.period}数据报送，共{rnd.units.count()}个单位需于"
                                  f"{cn_date(rnd.due_on)}前报送。")
        return redirect("indicators:round_detail", pk=rnd.pk)
    return render(request, "indicators/round_form.html", {"form": form})


@access.signed_in
@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.get_figure_round_for_user(request.user, pk)
    access.require_overseer(request.user)
    reports = list(rnd.reports.select_related("unit").order_by("unit__order", "unit__name"))
    notices = chasing.notices_by_unit(rnd)
    for r in reports:
        r.notices = notices.get(r.unit_id, [])
    return render(request, "indicators/round_detail.html", {
        "round": rnd, "reports": reports, "totals": figures.totals(rnd), "previous": rnd.previous(),
        "approved": sum(1 for r in reports if r.state == FigureReport.State.APPROVED),
        "today": timezone.localdate()})


@access.signed_in
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's values: its liaison fills them in and submits (form or template); others read them."""
    rep = access.get_figure_report_for_user(request.user, pk, write=request.method == "POST")
    form, errors = None, []
    if request.user.is_liaison and rep.editable:
        form = ValuesForm(request.POST or None, report=rep)
    if request.method == "POST":
        access.require_liaison(request.user)
        if form is None:
            messages.error(request, f"本期数据{rep.get_state_display()}，不能修改。")
            return redirect("indicators:report", pk=rep.pk)
        errors = _submit(request, rep, form.entries())
        if not errors:
            return redirect("indicators:report", pk=rep.pk)
    return _report_page(request, rep, form, errors)


@access.signed_in
@require_POST
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The filled template: read cell by cell, checked as the form is, submitted only when every cell passes."""
    rep = access.get_figure_report_for_user(request.user, pk, write=True)
    access.require_liaison(request.user)
    if not rep.editable:
        messages.error(request, f"本期数据{rep.get_state_display()}，不能修改。")
        return redirect("indicators:report", pk=rep.pk)
    upload = UploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        errors = [e for field_errors in upload.errors.values() for e in field_errors]
    else:
        try:
            errors = _submit(request, rep, workbook.read_template(rep, upload.cleaned_data["file"]))
        except workbook.TemplateError as problem:
            errors = problem.messages
        if not errors:
            return redirect("indicators:report", pk=rep.pk)
    return _report_page(request, rep, ValuesForm(report=rep), errors, status=400)


def _submit(request, rep: FigureReport, entries) -> list[str]:
    values, errors = figures.check(rep, entries)
    if errors:
        return errors
    try:
        rep.submit(values, request.user, timezone.now())
    except AlreadyDecided:
        return [f"本期数据{FigureReport.objects.get(pk=rep.pk).get_state_display()}，不能修改。"]
    messages.success(request, f"已报送{rep.round.period}数据，等待牵头单位审核。")
    return []


@access.signed_in
@require_safe
def report_template(request: HttpRequest, pk: int) -> FileResponse:
    rep = access.get_figure_report_for_user(request.user, pk)
    return FileResponse(workbook.template(rep), as_attachment=True, filename=workbook.template_name(rep))


@access.signed_in
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    rep = access.get_figure_report_for_user(request.user, pk, write=True)
    access.require_lead(request.user)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _report_page(request, rep, None, [], review_form=form, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        rep.decide(request.user, approve, form.cleaned_data["reason"].strip(), timezone.now())
    except AlreadyDecided:
        messages.warning(request, "该单位数据不在待审核状态（可能已由他人审核）。")
    else:
        messages.success(request, f"已{'通过' if approve else '退回'}{rep.unit.name}{rep.round.period}数据。")
    return redirect("indicators:report", pk=rep.pk)


def _report_page(request, rep: FigureReport, form, errors, review_form=None, status=200) -> HttpResponse:
    entered, before = rep.values_by_code(), figures.previous_values(rep)
    linked = measures.linked(rep) if form is None else {}  # the measure's figures beside the values under review
    rows = [(i, entered.get(i.code) and entered[i.code].value, before.get(i.pk), entered.get(i.code), linked.get(i.pk))
            for i in rep.indicators()]
    reported = {i.pk: value for i, value, _, _, _ in rows if value is not None}
    for rate in rep.round.indicators.filter(rule=Indicator.Rule.FORMULA, numerator__in=list(reported),
                                            denominator__in=list(reported)).order_by("order"):
        after = next(n for n, row in enumerate(rows) if row[0].pk == rate.numerator_id) + 1
        rows.insert(after, (rate, figures.ratio(reported[rate.numerator_id], reported[rate.denominator_id]),
                            figures.ratio(before.get(rate.numerator_id), before.get(rate.denominator_id)), None,
                            None))
    names = {i.pk: i.label for i in rep.round.indicators.select_related("parent")}
    # the first report is its 报送 row; what a resubmission changed is listed value by value
    history = [(c.history_date, c.history_user, f"{names.get(c.indicator_id, '')}改为{plain(c.value)}"
                f"（原{plain(prev.value)}）" + (f"，说明：{c.note}" if c.note else ""))
               for c, prev in _value_changes(rep)]
    for h in rep.history.filter(history_type="~", state__in=list(STATE_CHANGES)).select_related("history_user"):
        reason = h.review_reason if h.state != FigureReport.State.PENDING and h.review_reason else ""
        history.append((h.history_date, h.history_user, STATE_CHANGES[h.state] + (f"：{reason}" if reason else "")))
    return render(request, "indicators/report.html", {
        "report": rep, "form_rows": form.rows(before, errors) if form else [], "form": form,
        "errors": [(e, _anchor(form, e)) for e in errors], "rows": rows, "linked": bool(linked), "upload_form": UploadForm(), "review_form": review_form or ReviewForm(),
        "history": sorted(history, key=lambda row: row[0], reverse=True),
    }, status=status)


def _anchor(form, problem) -> str:
    """The id of the field a message is about (its first entry's), for the error list's link; "" when none."""
    entries = getattr(problem, "entries", ())
    return form[f"v_{entries[0].indicator.code}"].auto_id if form is not None and entries else ""


def _value_changes(rep: FigureReport) -> list[tuple]:
    """Each changed value's history row (newest first) with the row before it, as ``prev_record`` gives it (the
    latest of the same value with an earlier date), from one query instead of one per change."""
    rows = list(FigureValue.history.filter(report_id=rep.pk).select_related("history_user"))  # newest first
    seen, earlier, prev_of = {}, {}, {}
    for row in reversed(rows):
        last = seen.get(row.id)
        if last is not None and last.history_date < row.history_date:
            earlier[row.id] = last
        prev_of[row.history_id] = earlier.get(row.id)
        seen[row.id] = row
    return [(row, prev_of[row.history_id]) for row in rows if row.history_type == "~"]
