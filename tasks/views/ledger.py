"""台账: every assignment in scope, filtered and sorted, on screen and as .xlsx / .csv."""

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from plans.models import Plan
from tasks.ledger import HEADERS, LedgerFilter, build_ledger, export_rows, xlsx_file
from tracker import access, plan_choice
from tracker.formats import cn_date
from tracker.xlsx import csv_lines, file_name


def _ledger(request: HttpRequest, paginate: bool = False):
    user = request.user
    return build_ledger(request, access.assignments_for(user), timezone.localdate(), units=access.units_for(user),
                        plans=access.plans_for(user), paginate=paginate, data=plan_choice.with_plan(request))


def _plan(request: HttpRequest, filterset: LedgerFilter) -> Plan | None:
    """The plan the export is about: the one filtered by, or the only one the user may see."""
    chosen = filterset.form.cleaned_data.get("plan") if filterset.is_valid() else None
    if chosen is not None:
        return chosen
    plans = list(access.plans_for(request.user)[:2])
    return plans[0] if len(plans) == 1 else None


def _names(request: HttpRequest, filterset: LedgerFilter, ext: str) -> tuple[str, str]:
    """The sheet's title (提升行政执法质量三年行动计划工作台账（截至2024年6月20日）) and the file's name
    (提升行政执法质量三年行动计划台账-20240620.xlsx)."""
    plan, today = _plan(request, filterset), timezone.localdate()
    name = plan.short_name if plan else ""
    title = f"{name}工作台账（截至{cn_date(today)}）"
    return title, file_name(f"{name or '工作'}台账-{today:%Y%m%d}.{ext}")


@access.signed_in
@require_safe
def ledger(request: HttpRequest) -> HttpResponse:
    filterset, table = _ledger(request, paginate=True)
    query = request.GET.urlencode()
    return render(request, "tasks/overview/ledger.html", {
        "filter": filterset, "table": table, "query": query,
    })


@access.signed_in
@require_safe
def ledger_xlsx(request: HttpRequest) -> FileResponse:
    filterset, table = _ledger(request)
    title, filename = _names(request, filterset, "xlsx")
    return FileResponse(xlsx_file(table, title), as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@access.signed_in
@require_safe
def ledger_csv(request: HttpRequest) -> StreamingHttpResponse:
    filterset, table = _ledger(request)
    _, filename = _names(request, filterset, "csv")
    response = StreamingHttpResponse(csv_lines(HEADERS, export_rows(table)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
