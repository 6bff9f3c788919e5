"""Plan pages: the plans, one plan's structure, the importer (upload → preview with fix-ups → confirm), the
unit directory. The lead office imports and manages; inspectors read; a unit's liaison reads the plans in which
its unit owes something (tracker.access.plans_for) and gets 403 on the importer and the directory."""

import datetime
import tempfile
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from notifications import follow_up, robots
from plans import forms
from plans.directory import Directory, DirectoryError, load_units
from plans.importer import PlanImportError, read_plan_for_import
from plans.importer.writer import apply_plan, fmt_date, missing_plan_facts, section_finder
from plans.models import Measure, Task, Unit, UnitAlias, UnitGroup, target_text
from tracker import access
from tracker.paging import page_of

SESSION_KEY = "plans_import"


# --- plans --------------------------------------------------------------------------------------------------


@access.signed_in
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = access.plans_for(request.user).select_related("lead_unit").annotate(
        task_count=Count("tasks", filter=Q(tasks__is_requirement=False), distinct=True),
        requirement_count=Count("tasks", filter=Q(tasks__is_requirement=True), distinct=True),
        measure_count=Count("tasks__measures", distinct=True),
    ).order_by("-issued_on", "-id")
    return render(request, "plans/plan_list.html", {"plans": plans})


@access.signed_in
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk, write=request.method == "POST")
    if request.method == "POST":
        access.require_lead(request.user)
        settings_form = forms.PlanSettingsForm(request.POST, instance=plan)
        if settings_form.is_valid():
            plan = settings_form.save()  # a new progress period re-plans the ongoing measures (Plan.save)
            message = "已保存方案设置。"
            result = plan.progress_sync
            if result is not None:
                message += (f"长期坚持的措施改为{plan.get_progress_every_months_display()}报送进展："
                            f"新增任务分解{result.created}项，取消{result.removed}项，"
                            f"{len(result.kept)}项已有报送的予以保留。")
            messages.success(request, message)
            return redirect("plans:detail", pk=plan.pk)
    else:
        settings_form = forms.PlanSettingsForm(instance=plan)
    measures = Measure.objects.prefetch_related("units", "groups", "lead_units").annotate(
        assignment_count=Count("assignments")).order_by("order", "id")
    everything = list(plan.tasks.select_related("section").prefetch_related(Prefetch("measures", queryset=measures)))
    tasks = [t for t in everything if not t.is_requirement]
    requirements = [t for t in everything if t.is_requirement]
    by_section: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_section.setdefault(task.section_id, []).append(task)
    # A section that holds only requirements (三、工作要求) is shown as the requirements' own block.
    only_requirements = {t.section_id for t in requirements} - set(by_section)
    outline = [(section, by_section.get(section.pk, [])) for section in plan.sections.all()
               if section.pk not in only_requirements]
    all_measures = [m for t in everything for m in t.measures.all()]
    kinds = Counter(m.kind for m in all_measures)
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "outline": outline, "loose_tasks": by_section.get(None, []), "requirements": requirements,
        "task_count": len(tasks), "measure_count": len(all_measures),
        "kinds": [(value, label, kinds[value]) for value, label in Measure.Kind.choices],
        "pending_count": sum(1 for m in all_measures if m.kind_pending),
        "settings_form": settings_form,
    })


# --- the importer -------------------------------------------------------------------------------------------


@access.lead_only
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


def _unknown(data: dict, directory: Directory) -> list[str]:
    """The names of the parsed plan the directory does not know, in order of appearance."""
    return [n for n in forms.plan_names(data["tasks"]) if directory.resolve(n) is None]


FIXES = {
    "units": (forms.UnitsFixForm, forms.apply_units_fix),
    "merge": (forms.MergeForm, forms.apply_merge),
    "obligation": (forms.ObligationFixForm, forms.apply_obligation_fix),
    "split": (forms.SplitForm, forms.apply_split),
    "plan": (forms.PlanFactsForm, forms.apply_plan_facts),
}
# The preview's filters: which measures to show.
SHOW = {
    "pending": lambda m: m.get("kind_source") == "default",
    "warnings": lambda m: bool(m.get("warnings")),
}


@access.lead_only
def import_preview(request: HttpRequest) -> HttpResponse:
    state = _pending(request)
    data = state["data"]
    directory = Directory()
    unknown = _unknown(data, directory)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "discard":
            del request.session[SESSION_KEY]
            messages.info(request, "已放弃本次导入。")
            return redirect("plans:import")
        if action not in FIXES:
            raise Http404("未知操作。")
        # The names chosen so far in the confirm form ride along with every fix-up (import_preview.js).
        chosen = state.setdefault("choices", {})
        chosen.update({name: request.POST[f"name_{i}"] for i, name in enumerate(unknown)
                       if f"name_{i}" in request.POST})
        form_class, apply = FIXES[action]
        form = form_class(request.POST, data_tasks=data["tasks"])
        if form.is_valid():
            messages.success(request, apply(data, form))
        else:
            errors = "；".join(e for field in form.errors.values() for e in field)
            messages.error(request, f"未能修改：{errors}")
        request.session[SESSION_KEY] = state
        return redirect(_back_to_preview(request.POST))
    show = request.GET.get("show", "")
    show = show if show in SHOW else ""
    outline, requirements = _outline(data, set(unknown), directory, SHOW.get(show))
    missing = missing_plan_facts(data)
    existing = access.plans_for(request.user).filter(title=data["title"].strip(),
                                                    issuer=(data.get("issuer") or "").strip()).first()
    return render(request, "plans/import_preview.html", {
        "state": state, "data": data, "issued_on": _iso(data.get("issued_on")), "ends_on": _iso(data.get("ends_on")),
        "outline": outline, "requirements": requirements, "summary": _summary(data), "show": show,
        "unknown": unknown, "choices": forms.NameChoicesForm(names=unknown, chosen=state.get("choices")),
        "existing": existing, "changes": _dry_run(state) if existing and not missing else None,
        "kind_choices": Measure.Kind.choices, "recurrence_choices": Measure.Recurrence.choices,
        "missing": missing, "facts": forms.PlanFactsForm(initial={
            "title": data["title"], "issuer": data.get("issuer") or "", "ends_on": data.get("ends_on")}),
    })


def _back_to_preview(post) -> str:
    """The preview again, with the filter the lead office had on, at the task or measure just changed."""
    url = reverse("plans:import_preview")
    if post.get("show") in SHOW:
        url += f"?show={post['show']}"
    task, measure = post.get("task", ""), post.get("measure", "")
    if task.isdigit():
        url += f"#m-{task}-{measure}" if measure.isdigit() and not post.get("show") else f"#t-{task}"
    return url


def _iso(value: str | None) -> str:
    return fmt_date(datetime.date.fromisoformat(value)) if value else ""


def _summary(data: dict) -> dict:
    """The plan at a glance: tasks and requirements apart; its measures by kind, how many to confirm."""
    measures = [m for t in data["tasks"] for m in t["measures"]]
    requirements = [t for t in data["tasks"] if t.get("requirement")]
    kinds = Counter(forms.kind_of(m) for m in measures)
    return {
        "tasks": len(data["tasks"]) - len(requirements), "requirements": len(requirements),
        "measures": len(measures), "requirement_measures": sum(len(t["measures"]) for t in requirements),
        "kinds": [(value, label, kinds[value]) for value, label in Measure.Kind.choices],
        "pending": sum(1 for m in measures if SHOW["pending"](m)),
        "warnings": sum(1 for m in measures if SHOW["warnings"](m)),
        "past_due": follow_up.past_due_in_import(data),  # the follow-up will start paused
    }


def _outline(data: dict, unknown: set[str], directory: Directory, show=None) -> tuple[list, list[dict]]:
    """The parsed plan laid out for the preview: sections in order with their tasks and measures, and the
    plan's requirements (工作要求) apart. With show, only the measures it keeps (and their tasks)."""
    sections = [SimpleNamespace(number=s["number"], title=s["title"], parent=s.get("parent"), tasks=[],
                                requirements=0) for s in data["sections"]]
    loose = SimpleNamespace(number="", title="未归入章节", parent=None, tasks=[], requirements=0)
    find = section_finder(sections)
    groups = list(UnitGroup.objects.values_list("name", flat=True))
    requirements = []
    for i, task in enumerate(data["tasks"]):
        section = find(task.get("section")) or loose
        measures = [_measure_entry(i, j, m, task, unknown, directory, groups)
                    for j, m in enumerate(task["measures"]) if show is None or show(m)]
        if show is not None and not measures:
            continue
        leads = task.get("lead_units") or []
        entry = {"index": i, "task": task, "measures": measures,
                 "units": [(n, n in unknown, n in leads) for n in task["units"]],
                 "support": task.get("support_units") or [],
                 "units_text": "、".join(task["units"]), "leads_text": "、".join(leads)}
        if task.get("requirement"):
            requirements.append(entry)
            section.requirements += 1
        else:
            section.tasks.append(entry)
    shown = [s for s in sections + [loose]
             if s.tasks or (show is None and s is not loose and not s.requirements)]
    return shown, requirements


def _measure_entry(i: int, j: int, m: dict, task: dict, unknown: set[str], directory: Directory,
                   groups: list[str]) -> dict:
    """One measure of the preview: what it says, its kind and owners with the words that decided them."""
    kind = forms.kind_of(m)
    owners = m.get("units") or task["units"]
    leads = m.get("lead_units") or []
    rule = m.get("owner_rule") or ""
    target = m.get("target")

    def is_group(name: str) -> bool:
        return isinstance(directory.resolve(name), UnitGroup)

    return {
        "index": j, "anchor": f"m-{i}-{j}", "text": m["text"],
        "sentence": m["sentence"] if m.get("sentence") and m["sentence"] != m["text"] else "",
        "kind": kind, "kind_label": Measure.Kind(kind).label, "source": m.get("kind_source") or "text",
        "kind_words": m.get("kind_words") or "",
        "due": _iso(m.get("due")), "due_value": m.get("due") or "", "due_phrase": m.get("due_phrase") or "",
        "recurrence": m.get("recurrence") or "",
        "recurrence_label": dict(Measure.Recurrence.choices).get(m.get("recurrence") or "", ""),
        "owners": [(n, n in unknown, is_group(n)) for n in owners],
        "whole_task": rule in ("task", "") and owners == task["units"],
        "rule": rule, "owner_rule": Measure.OwnerRule(rule).label if rule in Measure.OwnerRule.values else "",
        "owner_words": m.get("owner_words") or "",
        "leads": leads, "support": m.get("support_units") or [],
        "target": target_text(target["value"], target["unit"], per_person=target.get("per_person", False),
                              recurrence=target.get("recurrence")) if target else "",
        "warnings": m.get("warnings") or [],
        "options": [(n, n in owners, n in leads, n in groups)
                    for n in dict.fromkeys(task["units"] + owners + groups)],
    }


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


CHANGES_SHOWN = 10  # changes listed one by one after confirming; the preview listed them all


@access.lead_only
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    state = _pending(request)
    data = state["data"]
    missing = missing_plan_facts(data)
    if missing:
        messages.error(request, f"请先填写方案的{'、'.join(missing)}，再确认导入。")
        return redirect(reverse("plans:import_preview") + "#facts")
    unknown = _unknown(data, Directory())
    choices = forms.NameChoicesForm(request.POST, names=unknown)
    if not choices.is_valid():
        messages.error(request, "单位对应关系有误，请重新选择。")
        return redirect("plans:import_preview")
    with transaction.atomic():
        unit_map = _apply_choices(choices.choices())
        result = apply_plan(data, source_name=state["source_name"], source_text=state["source_text"],
                            unit_map=unit_map)
        result.warnings += follow_up.after_import(result.plan)  # past due on import: follow-up paused
    del request.session[SESSION_KEY]
    for line in result.summary_lines():
        messages.success(request, line)
    for change in result.changes[:CHANGES_SHOWN]:
        messages.info(request, change)
    if len(result.changes) > CHANGES_SHOWN:
        messages.info(request, f"另有 {len(result.changes) - CHANGES_SHOWN} 处变更（确认前已在预览中列出），均记入变更记录。")
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
        elif choice in units or choice in groups:
            unit_map[name] = UnitAlias.point(name, units.get(choice) or groups[choice]).target
    return unit_map


# --- the unit directory -------------------------------------------------------------------------------------


GROUP_TAGS = 40  # members named on a group's card; a city's big groups show the rest as a count


@access.overseers_only
def unit_directory(request: HttpRequest) -> HttpResponse:
    form = forms.DirectoryUploadForm()
    alias_form = forms.AliasForm()
    group_id = request.POST.get("group") or request.GET.get("group") or ""
    group = access.groups_for(request.user).filter(pk=group_id).first() if group_id.isdigit() else None
    group_form = forms.GroupForm(instance=group)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "group":
        group_form = forms.GroupForm(request.POST, instance=group)
        if group_form.is_valid():
            group = group_form.save()
            messages.success(request, f"已保存分组“{group.name}”（{group.members.count()} 个成员）："
                                      "加入的单位获得该分组尚未结束的任务分解。")
            return redirect("plans:units")
    elif action == "alias":
        alias_form = forms.AliasForm(request.POST)
        if alias_form.is_valid():
            alias = alias_form.save()
            messages.success(request, f"已保存：文中“{alias.name}”指{alias.target.name}。")
            return redirect(reverse("plans:units") + "#aliases")
    elif action == "alias_delete":
        alias = access.unit_aliases_for(request.user).filter(pk=request.POST.get("alias", "")).first() \
            if request.POST.get("alias", "").isdigit() else None
        if alias is None:
            raise Http404("该称谓已删除。")
        alias.delete()
        messages.success(request, f"已删除称谓“{alias.name}”：今后导入时将提示核对。")
        return redirect(reverse("plans:units") + "#aliases")
    elif request.method == "POST":
        form = forms.DirectoryUploadForm(request.POST, request.FILES)
        if form.is_valid():
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
    units = access.units_for(request.user).order_by("order", "name")
    if query:
        units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    page = page_of(request, units.prefetch_related("groups").annotate(assignment_count=Count("assignments")))
    groups = (access.groups_for(request.user).annotate(member_count=Count("members"))
              .prefetch_related(Prefetch("members", Unit.objects.order_by("order", "name"))))
    aliases = access.unit_aliases_for(request.user).select_related("unit", "group").order_by("name")
    return render(request, "plans/unit_directory.html", {
        "page": page, "query": query, "unit_total": access.units_for(request.user).count(), "groups": groups,
        "group_tags": GROUP_TAGS, "aliases": aliases, "form": form, "alias_form": alias_form,
        "group_form": group_form, "editing": group,
    })


@access.signed_in
def unit_robot(request: HttpRequest, pk: int) -> HttpResponse:
    """群机器人 of one unit, for the lead office: set its URL, 加签 secret and keyword; send a test message."""
    unit = access.get_unit_for_user(request.user, pk, write=request.method == "POST")
    access.require_lead(request.user)
    form = forms.UnitRobotForm(instance=unit)
    if request.method == "POST" and request.POST.get("action") == "test":
        try:
            answer = robots.send_test(unit)
        except robots.DeliveryError as exc:
            messages.error(request, f"测试消息未送达：{exc}")
        else:
            messages.success(request, f"测试消息已发送到{robots.mask(unit.webhook_url)}，机器人{answer}。")
        return redirect("plans:unit_robot", pk=unit.pk)
    if request.method == "POST":
        form = forms.UnitRobotForm(request.POST, instance=unit)
        if form.is_valid():
            unit = form.save()
            messages.success(request, f"已保存{unit.name}的群机器人设置。" if unit.webhook_url
                             else f"已删除{unit.name}的群机器人。")
            return redirect("plans:unit_robot", pk=unit.pk)
    return render(request, "plans/unit_robot.html", {
        "unit": unit, "form": form, "robot": robots.Robot.of(unit.webhook_url, unit) if unit.webhook_url else None,
        "shown_url": unit.shown_webhook,
        "platform": robots.PLATFORM.get(robots.kind(unit.webhook_url) or "", ""),
        "per_minute": settings.ROBOT_SENDS_PER_MINUTE,
    })
