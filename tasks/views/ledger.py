"""台账: every assignment in scope, filtered and sorted, on screen and as .xlsx / .csv."""

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tasks.ledger import HEADERS, WIDTHS, build_ledger, csv_lines, export_rows
from tracker import access, plan_choice
from tracker.xlsx import one_sheet_file


def _ledger(request: HttpRequest, paginate: bool = False):
    user = request.user
    return build_ledger(request, access.assignments_for(user), timezone.localdate(), units=access.units_for(user),
                        plans=access.plans_for(user), paginate=paginate, data=plan_choice.with_plan(request))


def _filename(ext: str) -> str:
    return f"ledger-{timezone.localdate():%Y%m%d}.{ext}"


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
    _, table = _ledger(request)
    out = one_sheet_file("台账", HEADERS, WIDTHS, export_rows(table))
    return FileResponse(out, as_attachment=True, filename=_filename("xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@access.signed_in
@require_safe
def ledger_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, table = _ledger(request)
    response = StreamingHttpResponse(csv_lines(HEADERS, export_rows(table)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response
