"""Writing a parsed plan (the importer's JSON) into the database, in place and in one transaction.

The plan is identified by its title and issuer. Importing the same text again changes nothing; an edited
text updates sections, tasks and measures in place (tasks matched by number and title, measures by text
similarity) and reports each change in Chinese. Nothing a unit has submitted is ever lost: a measure or task
removed from the text but carrying submissions is kept and reported.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from plans.directory import Directory
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
    unknown_units: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    sync: SyncResult = field(default_factory=SyncResult)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)

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
        title = data["title"].strip()
        issuer = (data.get("issuer") or "").strip()
        plan = Plan.objects.filter(title=title, issuer=issuer).first()
        self.result = ImportResult(plan=plan, created=plan is None)  # type: ignore[arg-type]
        self.result.warnings += [
            (f"第{w['line']}行：" if w.get("line") else "") + w["message"] for w in data.get("warnings", [])
        ]
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
                    self.result.changes.append(f"方案{label}由{fmt_date(getattr(plan, attr))}改为{fmt_date(value)}")
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
            self.result.warnings.append(
                f"{assignment.unit.name}的“{_short(assignment.measure.text)}”{assignment.period}已不再属于该单位，"
                "但已有报送，予以保留。")
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
                    self.result.changes.append(f"章节 {number} 标题由“{section.title}”改为“{title}”")
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
        existing = list(plan.tasks.all())
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
                "body": item.get("body") or "".join(m["text"] for m in item.get("measures", [])),
                "lead_names": list(item.get("lead_units", [])), "unit_names": list(item.get("units", [])),
                "order": order,
            }
            label = f"任务{item['number']}" if item.get("number") else f"任务“{_short(title, 16)}”"
            if task is None:
                task = Task(plan=plan, **values)
                task._change_reason = self.reason
                task.save()
                self.result.count("task+")
                if not self.result.created:
                    self.result.changes.append(f"新增{label}：{title}")
            else:
                diffs = [k for k, v in values.items() if getattr(task, k) != v]
                if diffs:
                    if "title" in diffs:
                        self.result.changes.append(f"{label}标题由“{task.title}”改为“{title}”")
                    if "number" in diffs:
                        self.result.changes.append(f"任务“{_short(title, 16)}”序号由{task.number or '无'}改为{item.get('number') or '无'}")
                    if "unit_names" in diffs or "lead_names" in diffs:
                        self.result.changes.append(
                            f"{label}责任单位由“{'、'.join(task.unit_names)}”改为“{'、'.join(values['unit_names'])}”")
                    for k, v in values.items():
                        setattr(task, k, v)
                    task._change_reason = self.reason
                    task.save()
                    self.result.count("task~")
            self.write_measures(task, item, label)
        for task in self.removed_tasks:
            label = f"任务{task.number}" if task.number else f"任务“{_short(task.title, 16)}”"
            task._change_reason = self.reason
            if Assignment.objects.filter(measure__task=task, submissions__isnull=False).exists() or \
                    task.measures.filter(added_by_lead=True).exists() or not try_delete(task):
                self.result.warnings.append(f"{label}（{task.title}）已从原文删除，但已有报送、函告或增补措施，予以保留。")
            else:
                self.result.changes.append(f"删除{label}：{task.title}")
                self.result.count("task-")

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
        task_leads = item.get("lead_units", [])
        for order, (m, measure) in enumerate(zip(measures, matched, strict=True), start=1):
            names = m.get("units") or item.get("units", [])
            units, groups = self.resolve(names, item.get("line"))
            lead_units, _ = self.resolve(task_leads, item.get("line"))
            leads = [u for u in units if u in lead_units]
            target = m.get("target") or {}
            values = {
                "order": order, "text": m["text"], "due_on": _date(m.get("due")),
                "due_phrase": (m.get("due_phrase") or "")[:100], "ongoing": bool(m.get("ongoing")),
                "recurrence": m.get("recurrence") or "",
                "target_value": Decimal(str(target["value"])) if target.get("value") is not None else None,
                "target_unit": target.get("unit") or "",
            }
            is_new = measure is None
            if measure is None:
                measure = Measure(task=task, **values)
                measure._change_reason = self.reason
                measure.save()
                self.result.count("measure+")
                if not self.result.created:
                    self.result.changes.append(f"{label}新增措施：{_short(m['text'])}")
            else:
                diffs = [k for k, v in values.items() if getattr(measure, k) != v]
                if diffs:
                    what = _short(measure.text)
                    if "text" in diffs:
                        self.result.changes.append(f"{label}措施“{what}”内容改为“{_short(m['text'])}”")
                    if "due_on" in diffs or "ongoing" in diffs:
                        old = "长期坚持" if measure.ongoing else fmt_date(measure.due_on)
                        new = "长期坚持" if values["ongoing"] else fmt_date(values["due_on"])
                        self.result.changes.append(f"{label}措施“{what}”时限由{old}改为{new}")
                    if "recurrence" in diffs:
                        self.result.changes.append(f"{label}措施“{what}”周期改为{values['recurrence'] or '一次性'}")
                    if "target_value" in diffs or "target_unit" in diffs:
                        self.result.changes.append(f"{label}措施“{what}”目标改为{m.get('target') or '无'}")
                    for k, v in values.items():
                        setattr(measure, k, v)
                    measure._change_reason = self.reason
                    measure.save()
                    self.result.count("measure~")
            self.set_relations(measure, units, groups, leads, label, is_new)
        for measure in matched_removed(existing, matched):
            measure._change_reason = self.reason
            if Assignment.objects.filter(measure=measure, submissions__isnull=False).exists() or \
                    not try_delete(measure):
                self.result.warnings.append(
                    f"{label}措施“{_short(measure.text)}”已从原文删除，但已有报送或函告，予以保留。")
            else:
                self.result.changes.append(f"{label}删除措施：{_short(measure.text)}")
                self.result.count("measure-")

    def set_relations(self, measure: Measure, units: list[Unit], groups: list[UnitGroup], leads: list[Unit],
                      label: str, is_new: bool) -> None:
        if is_new:
            for manager, objs in ((measure.units, units), (measure.groups, groups), (measure.lead_units, leads)):
                if objs:
                    manager.add(*objs)
            return
        changed = False
        for relation, wanted in (("units", units), ("groups", groups), ("lead_units", leads)):
            manager = getattr(measure, relation)
            if {o.pk for o in manager.all()} != {o.pk for o in wanted}:
                manager.set(wanted)
                changed = True
        if changed:
            names = "、".join([u.name for u in units] + [g.name for g in groups]) or "无"
            leads_text = f"（牵头：{'、'.join(u.name for u in leads)}）" if leads else ""
            self.result.changes.append(f"{label}措施“{_short(measure.text)}”责任单位改为{names}{leads_text}")


def matched_removed(existing: list[Measure], matched: list[Measure | None]) -> list[Measure]:
    kept = {m.pk for m in matched if m is not None}
    return [m for m in existing if m.pk not in kept]


def apply_plan(data: dict, *, source_name: str, source_text: str,
               unit_map: dict[str, Unit | UnitGroup | None] | None = None) -> ImportResult:
    """Write the importer's JSON as a plan, with its assignments, in one transaction (see module doc)."""
    with transaction.atomic():
        return _Writer(data, source_name, source_text, unit_map).run()
