"""Plan pages: the plans, one plan's structure, the importer (upload → preview with fix-ups → confirm), the
unit directory. The lead office imports and manages; inspectors read; units' liaisons have no access (403)."""

import datetime
import tempfile
from pathlib import Path
from types import SimpleNamespace

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from plans import forms
from plans.directory import Directory, DirectoryError, load_units
from plans.importer import PlanImportError, read_plan_for_import
from plans.importer.writer import apply_plan, fmt_date, section_finder
from plans.models import Measure, Plan, Task, Unit, UnitAlias, UnitGroup
from tasks.access import lead_only, overseers_only
from tracker.paging import page_of

SESSION_KEY = "plans_import"


def plans_for(user) -> QuerySet[Plan]:
    """Plans the user may see: every plan for the lead office and inspectors, none for anyone else."""
    return Plan.objects.all() if user.can_read_all else Plan.objects.none()


def get_plan_for_user(user, pk) -> Plan:
    try:
        return plans_for(user).select_related("lead_unit").get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404("未找到该实施方案。") from None


# --- plans --------------------------------------------------------------------------------------------------


@overseers_only
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = plans_for(request.user).select_related("lead_unit").annotate(
        task_count=Count("tasks", distinct=True), measure_count=Count("tasks__measures", distinct=True)
    ).order_by("-issued_on", "-id")
    return render(request, "plans/plan_list.html", {"plans": plans})


@overseers_only
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    if request.method == "POST":
        settings_form = forms.PlanSettingsForm(request.POST, instance=plan)
        if settings_form.is_valid():
            settings_form.save()
            messages.success(request, "已保存方案设置。")
            return redirect("plans:detail", pk=plan.pk)
    else:
        settings_form = forms.PlanSettingsForm(instance=plan)
    measures = Measure.objects.prefetch_related("units", "groups", "lead_units").annotate(
        assignment_count=Count("assignments")).order_by("order", "id")
    tasks = list(plan.tasks.select_related("section").prefetch_related(Prefetch("measures", queryset=measures)))
    sections = list(plan.sections.all())
    by_section: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_section.setdefault(task.section_id, []).append(task)
    outline = [(section, by_section.get(section.pk, [])) for section in sections]
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "outline": outline, "loose_tasks": by_section.get(None, []),
        "task_count": len(tasks), "measure_count": sum(len(t.measures.all()) for t in tasks),
        "settings_form": settings_form,
    })


# --- the importer -------------------------------------------------------------------------------------------


@lead_only
def import_upload(request: HttpRequest) -> HttpResponse:
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory(prefix="plan-import-") as folder:
            path = Path(folder) / f"upload{suffix}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                data, text = read_plan_for_import(path, name=upload.name)
            except PlanImportError as exc:
                form.add_error("file", str(exc))
            except Exception:  # a damaged file must not end in a server error
                form.add_error("file", "无法读取该文件：文件已损坏或格式不受支持。")
            else:
                request.session[SESSION_KEY] = {"data": data, "source_name": upload.name, "source_text": text}
                return redirect("plans:import_preview")
    return render(request, "plans/import_upload.html", {"form": form})


def _pending(request: HttpRequest) -> dict:
    state = request.session.get(SESSION_KEY)
    if not state:
        raise Http404("没有待确认的导入，请先上传方案文件。")
    return state


def _names(data: dict) -> list[str]:
    names = dict.fromkeys(n for t in data["tasks"] for n in t.get("units", []))
    names.update(dict.fromkeys(n for t in data["tasks"] for m in t["measures"] for n in m.get("units", [])))
    return list(names)


FIXES = {
    "units": (forms.UnitsFixForm, forms.apply_units_fix),
    "merge": (forms.MergeForm, forms.apply_merge),
    "due": (forms.DueFixForm, forms.apply_due_fix),
    "split": (forms.SplitForm, forms.apply_split),
}


@lead_only
def import_preview(request: HttpRequest) -> HttpResponse:
    state = _pending(request)
    data = state["data"]
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "discard":
            del request.session[SESSION_KEY]
            messages.info(request, "已放弃本次导入。")
            return redirect("plans:import")
        if action not in FIXES:
            raise Http404("未知操作。")
        form_class, apply = FIXES[action]
        form = form_class(request.POST, data_tasks=data["tasks"])
        if form.is_valid():
            messages.success(request, apply(data, form))
            request.session[SESSION_KEY] = state
        else:
            errors = "；".join(e for field in form.errors.values() for e in field)
            messages.error(request, f"未能修改：{errors}")
        return redirect("plans:import_preview")
    directory = Directory()
    unknown = [n for n in _names(data) if directory.resolve(n) is None]
    existing = Plan.objects.filter(title=data["title"].strip(), issuer=(data.get("issuer") or "").strip()).first()
    return render(request, "plans/import_preview.html", {
        "state": state, "data": data, "issued_on": _iso(data.get("issued_on")), "ends_on": _iso(data.get("ends_on")), "outline": _outline(data, set(unknown)), "unknown": unknown,
        "choices": forms.NameChoicesForm(names=unknown),
        "existing": existing, "changes": _dry_run(state) if existing else None,
        "measure_count": sum(len(t["measures"]) for t in data["tasks"]),
        "recurrence_choices": Measure.Recurrence.choices,
    })


def _iso(value: str | None) -> str:
    return fmt_date(datetime.date.fromisoformat(value)) if value else ""


def _outline(data: dict, unknown: set[str]) -> list[dict]:
    """The parsed plan laid out for the preview: sections in order, each with its tasks and measures."""
    sections = [SimpleNamespace(number=s["number"], title=s["title"], parent=s.get("parent"), tasks=[])
                for s in data["sections"]]
    loose = SimpleNamespace(number="", title="未归入章节", parent=None, tasks=[])
    find = section_finder(sections)
    recurrences = dict(Measure.Recurrence.choices)
    for i, task in enumerate(data["tasks"]):
        measures = []
        for j, m in enumerate(task["measures"]):
            units = m.get("units") or task["units"]
            measures.append({
                "index": j, "text": m["text"], "due": "长期坚持" if m.get("ongoing") else _iso(m.get("due")),
                "due_value": m.get("due") or "",
                "due_phrase": m.get("due_phrase") or "", "ongoing": bool(m.get("ongoing")),
                "recurrence": m.get("recurrence") or "", "recurrence_label": recurrences.get(m.get("recurrence"), ""),
                "target": m.get("target"), "units": [(n, n in unknown) for n in units],
                "own_units": bool(m.get("units")) and m["units"] != task["units"],
            })
        entry = {"index": i, "task": task, "measures": measures,
                 "units": [(n, n in unknown, n in task.get("lead_units", [])) for n in task["units"]],
                 "units_text": "、".join(task["units"]), "leads_text": "、".join(task.get("lead_units", []))}
        (find(task.get("section")) or loose).tasks.append(entry)
    return [s for s in sections + [loose] if s.tasks or s is not loose]


class _Rollback(Exception):
    pass


def _dry_run(state: dict) -> list[str] | None:
    """What confirming would change in the existing plan: apply the import and roll it back."""
    result = None
    try:
        with transaction.atomic():
            result = apply_plan(state["data"], source_name=state["source_name"], source_text=state["source_text"])
            raise _Rollback
    except _Rollback:
        pass
    return None if result is None or result.created else result.changes


@lead_only
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    state = _pending(request)
    data = state["data"]
    directory = Directory()
    unknown = [n for n in _names(data) if directory.resolve(n) is None]
    choices = forms.NameChoicesForm(request.POST, names=unknown)
    if not choices.is_valid():
        messages.error(request, "单位对应关系有误，请重新选择。")
        return redirect("plans:import_preview")
    with transaction.atomic():
        unit_map = _apply_choices(choices.choices())
        result = apply_plan(data, source_name=state["source_name"], source_text=state["source_text"],
                            unit_map=unit_map)
    del request.session[SESSION_KEY]
    for line in result.summary_lines():
        messages.success(request, line)
    for change in result.changes[:30]:
        messages.info(request, change)
    if len(result.changes) > 30:
        messages.info(request, f"另有 {len(result.changes) - 30} 处变更。")
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect("plans:detail", pk=result.plan.pk)


def _apply_choices(choices: dict[str, str]) -> dict[str, Unit | UnitGroup | None]:
    """Turn the preview's per-name choices into a unit map, saving aliases and new units on the way."""
    unit_map: dict[str, Unit | UnitGroup | None] = {}
    units = {f"unit:{u.pk}": u for u in Unit.objects.all()}
    groups = {f"group:{g.pk}": g for g in UnitGroup.objects.all()}
    for name, choice in choices.items():
        if choice == "ignore":
            unit_map[name] = None
        elif choice.startswith("create:"):
            unit_map[name], _ = Unit.objects.get_or_create(name=name, defaults={"kind": choice.split(":", 1)[1]})
        elif choice in units:
            UnitAlias.objects.update_or_create(name=name, defaults={"unit": units[choice], "group": None})
            unit_map[name] = units[choice]
        elif choice in groups:
            UnitAlias.objects.update_or_create(name=name, defaults={"unit": None, "group": groups[choice]})
            unit_map[name] = groups[choice]
    return unit_map


# --- the unit directory -------------------------------------------------------------------------------------


GROUP_TAGS = 40  # members named on a group's card; a city's big groups show the rest as a count


@overseers_only
def unit_directory(request: HttpRequest) -> HttpResponse:
    form = forms.DirectoryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="units-") as folder:
            path = Path(folder) / f"units{Path(upload.name).suffix.lower()}"
            path.write_bytes(upload.read())
            try:
                result = load_units(path)
            except DirectoryError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, result.summary())
                return redirect("plans:units")
    query = request.GET.get("q", "").strip()
    units = Unit.objects.order_by("order", "name")
    if query:
        units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    page = page_of(request, units.prefetch_related("groups").annotate(assignment_count=Count("assignments")))
    groups = (UnitGroup.objects.annotate(member_count=Count("members"))
              .prefetch_related(Prefetch("members", Unit.objects.order_by("order", "name"))))
    aliases = UnitAlias.objects.select_related("unit", "group")
    return render(request, "plans/unit_directory.html", {
        "page": page, "query": query, "unit_total": Unit.objects.count(), "groups": groups,
        "group_tags": GROUP_TAGS, "aliases": aliases, "form": form,
    })
