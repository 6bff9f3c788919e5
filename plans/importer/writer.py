"""Writing a parsed plan (the importer's JSON) into the database, in place and in one transaction.

The plan is identified by its title and issuer. Importing the same text again changes nothing; an edited
text updates sections, tasks and measures in place (tasks matched by number and title, measures by text
similarity) and reports each change in Chinese, one line per task or measure ("任务2措施“…”：类型 一次性 →
长期坚持；责任单位 32个 → 相关执法部门"). Nothing a unit has submitted is ever lost: a measure or task removed
from the text but carrying submissions is kept and reported.

It stores the plan as the reader means it (plans.importer.obligations, applied by read_plan_for_import):
per measure its kind (ongoing, recurrence, due date), how the kind was decided (kind_source, kind_words), its
owners and how they were decided (units: unit or group names; owner_rule, owner_words), its leads and target;
per task whether it is a requirement (工作要求) and its leads. A dict without these keys (a plain parse) is
written with the model's defaults.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from plans.directory import Directory
from plans.importer.errors import PlanImportError
from plans.models import Measure, Plan, Section, Task, Unit, UnitGroup
from tasks.models import Assignment
from tasks.planning import SyncResult, sync_assignments, try_delete

SIMILAR = 0.6


def fmt_date(d: datetime.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "无"


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "…"


PLACE_BODY = re.compile(r"^(?:.{2,8}?[省市])?(?P<place>[^省市]{2,6}?)[区县旗](?P<body>.+)$")
BODY_ABBREVIATIONS = {"人民政府": "政", "人民政府办公室": "政办", "司法局": "司法", "全面依法治区委员会办公室": "法治办"}


def derive_prefixes(issuer: str) -> tuple[str, str]:
    """函告/通报 number prefixes from an issuer such as 天津市河北区司法局 (河北司法函, 河北司法通); blank if unknown."""
    match = PLACE_BODY.match(issuer or "")
    if not match or match.group("body") not in BODY_ABBREVIATIONS:
        return "", ""
    stem = match.group("place") + BODY_ABBREVIATIONS[match.group("body")]
    return stem + "函", stem + "通"


def section_finder(sections: list):
    """Find a task's section by number: the next one at or after the previous task's section, since
    sub-section numbers restart under each heading (二、（一） and 三、（一））."""
    cursor = 0

    def find(number: str | None):
        nonlocal cursor
        if not number:
            return None
        for i in list(range(cursor, len(sections))) + list(range(0, cursor)):
            if sections[i].number == number:
                cursor = i
                return sections[i]
        return None

    return find


@dataclass
class ImportResult:
    plan: Plan
    created: bool
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # work the text no longer holds, kept for what units did
    unknown_units: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    sync: SyncResult = field(default_factory=SyncResult)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)

    def keep(self, message: str) -> None:
        self.kept.append(message)
        self.warnings.append(message)

    def count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def summary_lines(self) -> list[str]:
        c = self.counts
        head = "新建" if self.created else ("更新" if self.changes else "未变化")
        lines = [
            f"{head}实施方案：{self.plan.title}",
            f"章节：新增 {c.get('section+', 0)}，修改 {c.get('section~', 0)}，删除 {c.get('section-', 0)}；"
            f"任务：新增 {c.get('task+', 0)}，修改 {c.get('task~', 0)}，删除 {c.get('task-', 0)}；"
            f"措施：新增 {c.get('measure+', 0)}，修改 {c.get('measure~', 0)}，删除 {c.get('measure-', 0)}",
            f"任务分解：新增 {self.sync.created}，调整时限 {self.sync.moved}，删除 {self.sync.removed}，"
            f"保留已有报送的 {len(self.sync.kept)}",
        ]
        return lines


class _Writer:
    def __init__(self, data: dict, source_name: str, source_text: str,
                 unit_map: dict[str, Unit | UnitGroup | None] | None) -> None:
        self.data = data
        self.source_name = source_name
        self.source_text = source_text
        self.unit_map = unit_map or {}
        self.directory = Directory()
        self.reason = f"导入：{source_name}" if source_name else "导入"
        self.result: ImportResult  # set in run()

    # --- names -------------------------------------------------------------------------------------------

    def resolve(self, names: list[str], line: int | None) -> tuple[list[Unit], list[UnitGroup]]:
        units: list[Unit] = []
        groups: list[UnitGroup] = []
        where = f"第{line}行：" if line else ""
        for name in names:
            if name in self.unit_map:
                target = self.unit_map[name]
            else:
                target = self.directory.resolve(name)
                if target is None:
                    if name not in self.result.unknown_units:
                        self.result.unknown_units.append(name)
                        self.result.warnings.append(f"{where}单位“{name}”不在单位名录中，未分配任务。")
                    continue
            if isinstance(target, Unit) and target not in units:
                units.append(target)
            elif isinstance(target, UnitGroup) and target not in groups:
                groups.append(target)
        return units, groups

    # --- the run -----------------------------------------------------------------------------------------

    def run(self) -> ImportResult:
        data = self.data
        missing = missing_plan_facts(data)
        if missing:
            raise PlanImportError(f"方案的{'、'.join(missing)}未填写，请先在预览中填写。")
        title = data["title"].strip()
        issuer = (data.get("issuer") or "").strip()
        plan = Plan.objects.filter(title=title, issuer=issuer).first()
        self.result = ImportResult(plan=plan, created=plan is None)  # type: ignore[arg-type]
        self.result.warnings += plan_warnings(data)
        issued_on = _date(data.get("issued_on"))
        ends_on = _date(data.get("ends_on"))
        if plan is None:
            letter, circular = derive_prefixes(issuer)
            plan = Plan(title=title, issuer=issuer, issued_on=issued_on, ends_on=ends_on,
                        doc_number=data.get("doc_number") or "", source_name=self.source_name,
                        source_text=self.source_text, letter_prefix=letter, circular_prefix=circular)
            plan._change_reason = self.reason
            plan.save()
            self.result.plan = plan
        else:
            changed = False
            for attr, value, label in (("issued_on", issued_on, "印发日期"), ("ends_on", ends_on, "截止日期")):
                if getattr(plan, attr) != value:
                    self.result.changes.append(_arrow(f"方案{label}", getattr(plan, attr), value))
                    setattr(plan, attr, value)
                    changed = True
            if plan.source_text != self.source_text:
                plan.source_text, plan.source_name = self.source_text, self.source_name
                changed = True
            if changed:
                plan._change_reason = self.reason
                plan.save()
        sections = self.write_sections(plan)
        self.write_tasks(plan, sections)
        for measure in Measure.objects.filter(task__plan=plan).select_related("task__plan"):
            self.result.sync += sync_assignments(measure)
        for assignment in self.result.sync.kept:
            measure = assignment.measure
            what = f"{assignment.unit.name}的“{_short(measure.text)}”{assignment.period}"
            if measure.responsible_units().filter(pk=assignment.unit_id).exists():
                self.result.keep(f"{what}已不在该措施的报送期次中（措施现为{measure.get_kind_display()}），"
                                 "但已有报送，予以保留。")
            else:
                self.result.keep(f"{what}已不再属于该单位，但已有报送，予以保留。")
        return self.result

    # --- sections ----------------------------------------------------------------------------------------

    def write_sections(self, plan: Plan) -> list[Section]:
        existing = {(s.parent.number if s.parent else "", s.number): s
                    for s in plan.sections.select_related("parent")}
        by_number: dict[str, Section] = {}
        ordered: list[Section] = []
        for order, item in enumerate(self.data.get("sections", []), start=1):
            number, title = item["number"], item["title"].strip()
            parent = by_number.get(item.get("parent") or "")
            level = 1 if parent is None and number.endswith("、") else 2
            key = (parent.number if parent else "", number)
            section = existing.pop(key, None)
            if section is None:
                section = Section.objects.create(plan=plan, parent=parent, level=level, number=number,
                                                 title=title, order=order)
                if not self.result.created:
                    self.result.changes.append(f"新增章节 {number}{title}")
                self.result.count("section+")
            elif (section.title, section.order, section.level, section.parent_id) != (
                    title, order, level, parent.pk if parent else None):
                if section.title != title:
                    self.result.changes.append(f"章节{number}：标题 “{section.title}” → “{title}”")
                section.title, section.order, section.level, section.parent = title, order, level, parent
                section.save()
                self.result.count("section~")
            if level == 1:
                by_number[number] = section
            ordered.append(section)
        for section in existing.values():
            self.result.changes.append(f"删除章节 {section.number}{section.title}")
            self.result.count("section-")
            section.delete()
        return ordered

    # --- tasks -------------------------------------------------------------------------------------------

    def match_tasks(self, plan: Plan, items: list[dict]) -> list[Task | None]:
        existing = list(plan.tasks.prefetch_related("lead_units"))
        free = {t.pk: t for t in existing}
        matched: list[Task | None] = [None] * len(items)

        def take(i: int, test) -> None:
            for t in list(free.values()):
                if test(items[i], t):
                    matched[i] = free.pop(t.pk)
                    return

        passes = [
            lambda d, t: d.get("number") == t.number and d["title"].strip() == t.title,
            lambda d, t: d["title"].strip() == t.title,
            lambda d, t: d.get("number") is not None and d.get("number") == t.number,
            lambda d, t: d.get("number") is None and t.number is None
            and difflib.SequenceMatcher(None, d["title"], t.title).ratio() >= SIMILAR,
        ]
        for test in passes:
            for i in range(len(items)):
                if matched[i] is None:
                    take(i, test)
        self.removed_tasks = list(free.values())
        return matched

    def write_tasks(self, plan: Plan, sections: list[Section]) -> None:
        items = self.data.get("tasks", [])
        find_section = section_finder(sections)
        matched = self.match_tasks(plan, items)
        for order, (item, task) in enumerate(zip(items, matched, strict=True), start=1):
            section = find_section(item.get("section"))
            title = item["title"].strip()
            values = {
                "section": section, "number": item.get("number"), "title": title,
                "body": item.get("body") or "".join(dict.fromkeys(m.get("sentence") or m["text"]
                                                                  for m in item.get("measures", []))),
                "is_requirement": bool(item.get("requirement")),
                "lead_names": list(item.get("lead_units", [])), "unit_names": list(item.get("units", [])),
                "order": order,
            }
            leads, _ = self.resolve(item.get("lead_units", []), item.get("line"))
            label = task_label(item)
            if task is None:
                task = Task(plan=plan, **values)
                task._change_reason = self.reason
                task.save()
                if leads:
                    task.lead_units.add(*leads)
                self.result.count("task+")
                if not self.result.created:
                    self.result.changes.append(f"新增{label}：{title}")
            else:
                parts = _task_changes(task, values, list(task.lead_units.all()), leads)
                self.update(task, values, {"lead_units": leads}, "task~")
                if parts:
                    self.result.changes.append(f"{label}：{'；'.join(parts)}")
            self.write_measures(task, item, label)
        for task in self.removed_tasks:
            label = task_label({"number": task.number, "title": task.title, "requirement": task.is_requirement})
            task._change_reason = self.reason
            if Assignment.objects.filter(measure__task=task, submissions__isnull=False).exists() or \
                    task.measures.filter(added_by_lead=True).exists() or not try_delete(task):
                self.result.keep(f"{label}（{task.title}）已从原文删除，但已有报送、函告或增补措施，予以保留。")
            else:
                self.result.changes.append(f"删除{label}：{task.title}")
                self.result.count("task-")

    def update(self, obj: Task | Measure, values: dict, relations: dict[str, list], counter: str) -> None:
        """Write what changed in a matched task or measure: its fields (one history row), then its relations."""
        if any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj._change_reason = self.reason
            obj.save()
            self.result.count(counter)
        for name, wanted in relations.items():
            manager = getattr(obj, name)
            if _pks(manager.all()) != _pks(wanted):
                manager.set(wanted)

    # --- measures ----------------------------------------------------------------------------------------

    @staticmethod
    def match_measures(existing: list[Measure], items: list[dict]) -> list[Measure | None]:
        free = list(existing)
        matched: list[Measure | None] = [None] * len(items)
        for i, item in enumerate(items):
            same = next((m for m in free if m.text == item["text"]), None)
            if same:
                matched[i] = same
                free.remove(same)
        for i, item in enumerate(items):
            if matched[i] is not None or not free:
                continue
            scored = [
                (difflib.SequenceMatcher(None, item["text"], m.text).ratio() + (0.05 if m.order == i + 1 else 0), m)
                for m in free
            ]
            score, best = max(scored, key=lambda pair: pair[0])
            if score >= SIMILAR:
                matched[i] = best
                free.remove(best)
        return matched

    def write_measures(self, task: Task, item: dict, label: str) -> None:
        existing = list(task.measures.filter(added_by_lead=False).prefetch_related("units", "groups", "lead_units"))
        measures = item.get("measures", [])
        matched = self.match_measures(existing, measures)
        for order, (m, measure) in enumerate(zip(measures, matched, strict=True), start=1):
            units, groups = self.resolve(m.get("units") or item.get("units", []), item.get("line"))
            leads, _ = self.resolve(m.get("lead_units") or [], item.get("line"))
            values = measure_values(m, order)
            if measure is None:
                measure = Measure(task=task, **values)
                measure._change_reason = self.reason
                measure.save()
                for manager, objs in ((measure.units, units), (measure.groups, groups), (measure.lead_units, leads)):
                    if objs:
                        manager.add(*objs)
                self.result.count("measure+")
                if not self.result.created:
                    self.result.changes.append(f"{label}新增措施：{_short(m['text'])}")
                continue
            relations = {"units": units, "groups": groups, "lead_units": leads}
            old = {name: list(getattr(measure, name).all()) for name in relations}
            parts = _measure_changes(measure, values, old, relations)
            what = _short(measure.text)
            self.update(measure, values, relations, "measure~")
            if parts:
                self.result.changes.append(f"{label}措施“{what}”：{'；'.join(parts)}")
        for measure in matched_removed(existing, matched):
            measure._change_reason = self.reason
            if Assignment.objects.filter(measure=measure, submissions__isnull=False).exists() or \
                    not try_delete(measure):
                self.result.keep(f"{label}措施“{_short(measure.text)}”已从原文删除，但已有报送或函告，予以保留。")
            else:
                self.result.changes.append(f"{label}删除措施：{_short(measure.text)}")
                self.result.count("measure-")


def _pks(objs) -> set[int]:
    return {o.pk for o in objs}


def task_label(item: dict) -> str:
    """任务2, or an un-numbered item by its title: 任务“…” / 工作要求“…”."""
    if item.get("number"):
        return f"任务{item['number']}"
    return f"{'工作要求' if item.get('requirement') else '任务'}“{_short(item['title'].strip(), 16)}”"


def missing_plan_facts(data: dict) -> list[str]:
    """What a plan needs and its document did not say (the reader leaves them empty): 标题, 截止日期."""
    return [label for key, label in (("title", "标题"), ("ends_on", "截止日期")) if not (data.get(key) or "").strip()]


def plan_warnings(data: dict) -> list[str]:
    """The reader's warnings in words: the parser's, with their line, then each measure's, with its task."""
    warnings = [(f"第{w['line']}行：" if w.get("line") else "") + w["message"] for w in data.get("warnings", [])]
    for item in data.get("tasks", []):
        label = task_label(item)
        warnings += [f"{label}：{w}" for m in item.get("measures", []) for w in m.get("warnings") or []]
    return warnings


def measure_values(m: dict, order: int) -> dict:
    """A parsed measure's stored fields (its relations aside)."""
    target = m.get("target") or {}
    return {
        "order": order, "text": m["text"], "due_on": _date(m.get("due")),
        "due_phrase": (m.get("due_phrase") or "")[:100], "ongoing": bool(m.get("ongoing")),
        "recurrence": m.get("recurrence") or "",
        "kind_basis": Measure.Basis(m.get("kind_source") or Measure.Basis.TEXT),
        "kind_words": (m.get("kind_words") or "")[:100],
        "owner_rule": Measure.OwnerRule(m["owner_rule"]) if m.get("owner_rule") else "",
        "owner_words": (m.get("owner_words") or "")[:100],
        "target_value": Decimal(str(target["value"])) if target.get("value") is not None else None,
        "target_unit": target.get("unit") or "",
        "target_per_person": bool(target.get("per_person")),
    }


# --- describing changes: "类型 一次性 → 长期坚持" -------------------------------------------------------------

def _shown(value) -> str:
    if value in (None, "", []):
        return "无"
    if isinstance(value, datetime.date):
        return fmt_date(value)
    return str(value)


def _arrow(label: str, old, new) -> str:
    return f"{label} {_shown(old)} → {_shown(new)}"


def _choice(field: str, value: str) -> str:
    return dict(Measure._meta.get_field(field).choices).get(value, value) if value else ""


def _owners_text(units: list[Unit], groups: list[UnitGroup]) -> str:
    """Owners by name when one or two are named (区司法局、相关执法部门), else by count of units (32个)."""
    names = [u.name for u in units] + [g.name for g in groups]
    if len(names) <= 2:
        return "、".join(names)
    members = {u.pk for u in units if u.is_active}
    members |= {pk for g in groups for pk in g.members.filter(is_active=True).values_list("pk", flat=True)}
    return f"{len(members)}个"


def _measure_changes(measure: Measure, values: dict, old: dict, new: dict) -> list[str]:
    """What changes in a measure, in the lead office's words; the words behind a reading only when nothing
    else shows."""
    parts = []
    if values["text"] != measure.text:
        parts.append(f"内容改为“{_short(values['text'])}”")
    reading = ("ongoing", "recurrence", "target_value", "target_unit", "target_per_person")
    before = Measure(**{k: getattr(measure, k) for k in reading})
    after = Measure(**{k: values[k] for k in reading})
    if before.kind != after.kind:
        parts.append(_arrow("类型", before.get_kind_display(), after.get_kind_display()))
    if values["due_on"] != measure.due_on:
        parts.append(_arrow("时限", measure.due_on, values["due_on"]))
    if values["recurrence"] != measure.recurrence:
        parts.append(_arrow("周期", _choice("recurrence", measure.recurrence), _choice("recurrence", values["recurrence"])))
    if values["kind_basis"] != measure.kind_basis:
        parts.append(_arrow("类型依据", _choice("kind_basis", measure.kind_basis),
                            _choice("kind_basis", values["kind_basis"])))
    if before.target_text() != after.target_text():
        parts.append(_arrow("目标", before.target_text(), after.target_text()))
    if _pks(old["units"]) != _pks(new["units"]) or _pks(old["groups"]) != _pks(new["groups"]):
        parts.append(_arrow("责任单位", _owners_text(old["units"], old["groups"]),
                            _owners_text(new["units"], new["groups"])))
    if values["owner_rule"] != measure.owner_rule:
        parts.append(_arrow("责任认定", _choice("owner_rule", measure.owner_rule),
                            _choice("owner_rule", values["owner_rule"])))
    if _pks(old["lead_units"]) != _pks(new["lead_units"]):
        parts.append(_arrow("牵头单位", "、".join(u.name for u in old["lead_units"]),
                            "、".join(u.name for u in new["lead_units"])))
    if not parts:
        for field, label in (("due_phrase", "时限原文"), ("kind_words", "类型依据原文"),
                             ("owner_words", "责任认定依据")):
            if values[field] != getattr(measure, field):
                parts.append(_arrow(label, getattr(measure, field), values[field]))
    return parts


def _task_changes(task: Task, values: dict, old_leads: list[Unit], leads: list[Unit]) -> list[str]:
    parts = []
    if values["title"] != task.title:
        parts.append(f"标题 “{task.title}” → “{values['title']}”")
    if values["number"] != task.number:
        parts.append(_arrow("序号", task.number, values["number"]))
    if values["is_requirement"] != task.is_requirement:
        parts.append("改为工作要求（不计入任务数）" if values["is_requirement"] else "改为任务")
    if values["unit_names"] != task.unit_names:
        parts.append(_arrow("责任单位", "、".join(task.unit_names), "、".join(values["unit_names"])))
    if values["lead_names"] != task.lead_names or _pks(old_leads) != _pks(leads):
        parts.append(_arrow("牵头单位", "、".join(task.lead_names), "、".join(values["lead_names"])))
    return parts


def matched_removed(existing: list[Measure], matched: list[Measure | None]) -> list[Measure]:
    kept = {m.pk for m in matched if m is not None}
    return [m for m in existing if m.pk not in kept]


def apply_plan(data: dict, *, source_name: str, source_text: str,
               unit_map: dict[str, Unit | UnitGroup | None] | None = None) -> ImportResult:
    """Write the importer's JSON as a plan, with its assignments, in one transaction (see module doc)."""
    with transaction.atomic():
        return _Writer(data, source_name, source_text, unit_map).run()


class _Rollback(Exception):
    def __init__(self, result: ImportResult):
        super().__init__()
        self.result = result


def try_plan(data: dict, *, source_name: str, source_text: str,
             unit_map: dict[str, Unit | UnitGroup | None] | None = None) -> ImportResult:
    """What apply_plan would do, written and rolled back: its changes, warnings and counts; nothing stays."""
    try:
        with transaction.atomic():
            raise _Rollback(apply_plan(data, source_name=source_name, source_text=source_text, unit_map=unit_map))
    except _Rollback as rollback:
        return rollback.result
