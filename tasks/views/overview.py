"""总览: headline figures, completion by section and task, the task × unit matrix; a page per unit and task."""

import html

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from plans.models import Plan, Task
from reports.scoring import rows_for, scores
from tasks import rounds as rounds_mod
from tasks import status
from tasks.ledger import LedgerTable, ledger_queryset
from tasks.models import Assignment
from tracker import access
from tracker.paging import page_of, paginate_table
from tracker.plan_choice import choose_plan

# The matrix shows at most this many unit columns at once: a district's 30–50 units fit on one page, a
# city's 1,000 are paged (every figure above the matrix still counts all of them).
MATRIX_UNITS_PER_PAGE = 50
# ?units_order= values for the matrix's columns; anything else is the units' own order.
UNITS_ORDER_WORST = "worst"

RANKING_ROWS = 10  # the dashboard's 考核排名 block: the best ten (a liaison: its own row)


def _assignments_table(request: HttpRequest, assignments: QuerySet[Assignment], today) -> LedgerTable:
    table = LedgerTable(ledger_queryset(assignments), today=today)
    paginate_table(request, table)
    return table


def matrix_html(grid: status.Matrix, plan: Plan, unit_rows: list[status.Row]) -> SafeString:
    """The head and body of the task × unit table, with a column for each of ``unit_rows`` (one page).

    Built here rather than in the template: at city scale the matrix has 17 × 1,000 cells, and the
    template engine's per-variable cost (lookups, localisation, escaping) made it the slowest part of
    the page. Each name is escaped once, each URL reversed once.
    """
    ledger = html.escape(f"{reverse('tasks:ledger')}?plan={plan.pk}")
    unit_url = reverse("tasks:unit_detail", args=[0]).removesuffix("0/")
    task_url = reverse("tasks:task_detail", args=[0]).removesuffix("0/")
    parts = ['<thead><tr><th class="corner">任务 \\ 单位</th>']
    units = []  # (unit id, escaped name): plain strings, read once per column rather than per cell
    for u in unit_rows:
        unit = u.obj
        name = html.escape(unit.name)
        units.append((unit.pk, name))
        late = f"，逾期{u.overdue}" if u.overdue else ""
        parts.append(f'<th class="unit-head"><a href="{unit_url}{unit.pk}/?plan={plan.pk}" '
                     f'title="{name}：完成{u.done}/{u.total}{late}">{html.escape(unit.short_name or unit.name)}</a></th>')
    parts.append("\n</tr></thead>\n<tbody>")
    light = {rank: str(name) for rank, name in status.RANK_LIGHT.items()}
    cells = grid.cells
    append = parts.append
    for task_row in grid.tasks:
        task = task_row.obj
        task_id = task.pk
        label = html.escape(str(task))
        append(f'\n<tr><th class="task-head"><a href="{task_url}{task_id}/" title="{html.escape(task.title)}">'
               f"{label}</a></th>")
        href = f"{ledger}&amp;task={task_id}&amp;unit="
        testid = f"cell-{task_id}-"
        for unit_id, name in units:
            counts = cells.get((task_id, unit_id))
            if counts is None:
                append('<td class="cell"></td>')
                continue
            rank, total, done, overdue = counts
            late = f"，逾期{overdue}" if overdue else ""
            color = light[rank]
            append(f'<td class="cell"><a class="dot {color}" data-testid="{testid}{unit_id}" data-light="{color}" '
                   f'href="{href}{unit_id}" title="{name} · {label}：完成{done}/{total}{late}">{done}/{total}</a></td>')
        append("</tr>")
    append("\n</tbody>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def matrix_page(request: HttpRequest, grid: status.Matrix) -> dict:
    """The page of unit columns named by ?units_page= (a junk or out-of-range value falls back to the first or
    last page), in the order named by ?units_order=; as the template's context for the pager."""
    order = request.GET.get("units_order")
    if order == UNITS_ORDER_WORST:
        units = status.worst_first(grid.units)
    else:
        order, units = "", grid.units
    page = page_of(request, units, "units_page", MATRIX_UNITS_PER_PAGE)
    return {
        "units_page": page,
        "units_order": order,
        # grouped by thousands here: the zh-hans locale would print 1000 and 1,0000
        "units_summary": f"单位 {page.start_index():,}–{page.end_index():,} / 共 {page.paginator.count:,} 个",
    }


@access.signed_in
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    plan, plans = choose_plan(request)
    context = {"plan": plan, "plans": plans, "today": today}
    if plan is not None:
        scoped = status.in_plan(access.assignments_for(request.user), plan)
        grid = status.matrix(scoped, today)
        status.add_targets(grid.tasks, scoped)
        pager = matrix_page(request, grid)
        ranking = scores(plan, today, units={row.obj.pk: row.obj for row in grid.units})
        context["ranking"] = rows_for(ranking, request.user)[:RANKING_ROWS]
        context.update(pager, headline=status.headline(scoped, today, grid), matrix=grid,
                       matrix_html=matrix_html(grid, plan, pager["units_page"].object_list),
                       sections=status.by_section(grid.tasks))
        if request.user.is_liaison:
            open_rounds = list(access.rounds_for(request.user).filter(plan=plan, closed_at__isnull=True)
                               .prefetch_related(Prefetch("tasks", Task.objects.select_related("section")))
                               .order_by("due_on", "id"))
            context["my_rounds"] = rounds_mod.reports(open_rounds, unit=request.user.unit)
    return render(request, "tasks/overview/dashboard.html", context)


@access.signed_in
@require_safe
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    unit = access.get_unit_for_user(request.user, pk)
    plan, plans = choose_plan(request)
    scoped = access.assignments_for(request.user).filter(unit=unit)
    if plan is not None:
        scoped = status.in_plan(scoped, plan)
    grid = status.matrix(scoped, today)
    return render(request, "tasks/overview/unit_detail.html", {
        "unit": unit, "plan": plan, "plans": plans, "today": today,
        "headline": status.headline(scoped, today, grid),
        "tasks": grid.tasks,
        "table": _assignments_table(request, scoped, today),
    })


@access.signed_in
@require_safe
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    task = access.get_task_for_user(request.user, pk)
    scoped = access.assignments_for(request.user).filter(measure__task=task)
    grid = status.matrix(scoped, today)
    return render(request, "tasks/overview/task_detail.html", {
        "task": task, "plan": task.plan, "today": today,
        "headline": status.headline(scoped, today, grid),
        "units": grid.units,
        "table": _assignments_table(request, scoped, today),
    })
