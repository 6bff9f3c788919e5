"""The plan as it means it: each measure read as an obligation — what kind, who owes it, who leads it, what
figure it sets. A pure function over the importer's dict: read_obligations(plan, directory) -> a new dict.

Kinds (``kind``, decided clause by clause; a clause is a stretch of the sentence between ，；):
- recurring: a period (每年, 每半年, 每季度, 每月 — the deadline parser's words), or an act that is yearly by
  its nature: 制定/编制/印发/报送…年度… (制定年度…工作方案) and 纳入…预算 (a budget is voted every year).
- once: a deadline (2024年6月底前, 2024年底前 — the deadline parser's phrases).
- ongoing: 始终, 持续, 不断, 适时, 长期坚持, 经常性, 常态化, 长效化, 定期, 进行动态调整 …: never overdue for
  being unfinished. 常态化/长效/经常性 naming a mechanism (建立长效机制) do not count: that mechanism is built once.
  In one clause, a period beats a deadline, and a deadline beats an ongoing word.
- A sentence whose clauses hold two kinds becomes one measure per kind (严格履行常态化、长效化监督，2024年底前
  基本建成…体系 -> ongoing + once), each part keeping its own words. A clause that says nothing goes with
  the nearer clause that does whose kind its first verb suggests (综合运用…等方式 with 开展经常性监督 after
  it, not with 制定年度…方案 before it), else with the next one, else with the one before.
- Nothing says when (``kind_source`` "default"): the first verb of the measure decides, for the lead office to
  confirm. A deliverable (建立, 健全, 完善, 制定, 编制, 出台, 印发, 建成, 形成, 完成, 实现, 梳理, 明确, 整合,
  清理, 提出, 纳入, and 开展…评估/试点/专项整治/行动/清理/轮训) is one-off, due at the plan's end; a continuing
  verb (加强, 深化, 推进, 强化, 提升, 严格, 落实, 贯彻, 坚持, 规范, 做好, 推行, 发挥, 运用, 探索, 保障, 加大,
  注重, 配备, 宣传, 利用) is ongoing. 健全/完善 count as deliverables: in the demo they always govern a thing
  to have by the end (机制, 制度, 指标). A verb inside a noun (拟予清理的事项, 完成时限, 落实情况) does not count.
  No known verb (对…给予表彰奖励, 不再赋权街道): ongoing, the choice that never raises a false overdue.

Owners (``units``; ``owner_rule`` says how, ``owner_words`` the words that decided):
- named: a unit of the directory (or an organisation's name) starting a clause — the first such subject
  of the measure (clauses before it frame it: 深入落实《…》，各行政执法部门严格落实…). A named unit outside
  the task's 责任单位 stays the owner, with a warning naming it.
- group: a kind of unit starting a clause (行政执法部门 -> 各行政执法部门; 区级赋权行政执法部门/有关行政执法部门
  -> 相关执法部门; 街道/各街道 -> 各街道办事处), limited to the task's units: the group when wholly inside them,
  else the task's entry that is exactly the overlap (相关执法部门 in task 8), else the overlapping members.
- lead: no subject, and the measure builds the district's own thing (健全完善河北区行政执法考评指标: a
  deliverable verb, then the district's name or 全区/我区/本区, then 指标/体系/方案/制度/机制/平台/台账/规划/清单):
  the task's lead unit owes it; without a lead, the task's units with a warning.
- task: no subject: the task's units, less a group the measure names as its object (对街道…, 下放街道,
  赋权街道, 指导街道: the streets receive it, they do not owe it; ``owner_words`` then names the object).
In a measure split in two, a part without a subject of its own takes the subject of the part before it.

Leads (``lead_units``, ``support_units``): 由X牵头，Y…参加/配合 and X牵头、Y配合 in the text; else the parser's
leads (labelled 牵头单位); else the first-named unit of a 责任单位 list that goes on with groups
(区人社局，各行政执法部门，各街道办事处). A measure's lead is its own text's, else the task's lead when that
lead is among its owners.

Targets: the deadline parser's figure, with ``per_person`` (每人, 人均, 每名, 每位) and the measure's
``recurrence``; 全覆盖 or a bare 100% read as 100 %.

Requirements: tasks under a final section titled like 工作要求/保障措施/组织保障/组织实施 that are
un-numbered (or in a plan that numbers none) are ``requirement`` true: they are kept, but are not tasks.

The words live in vocabulary.py (OBLIGATION_*), beside the role and subject words this reading also uses.
"""

from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from .deadlines import _RECURRENCE, parse_deadline, parse_target
from .text import _subject
from .units import CLOSE, OPEN, ORG_END, parse_annotation
from .vocabulary import (
    LEAD_CLAUSE_ENDINGS,
    OBLIGATION_CONTINUING_VERBS,
    OBLIGATION_DELIVERABLE_ACTS,
    OBLIGATION_DELIVERABLE_VERBS,
    OBLIGATION_FULL_COVERAGE,
    OBLIGATION_GROUP_WORDS,
    OBLIGATION_MECHANISM_THINGS,
    OBLIGATION_MECHANISM_WORDS,
    OBLIGATION_MODIFIER,
    OBLIGATION_NOUN_AFTER,
    OBLIGATION_NOUN_BEFORE,
    OBLIGATION_OBJECT_CUES,
    OBLIGATION_ONGOING_WORDS,
    OBLIGATION_OWN_PLACES,
    OBLIGATION_OWN_THINGS,
    OBLIGATION_PER_PERSON,
    OBLIGATION_PLAN_LEVEL,
    OBLIGATION_REQUIREMENT_TITLES,
    OBLIGATION_YEARLY_ACTS,
    SUPPORT_CLAUSE_ENDINGS,
    alternation,
)

ONCE, RECURRING, ONGOING = "once", "recurring", "ongoing"
_OPEN, _CLOSE = OPEN + "《“‘", CLOSE + "》”’"  # a clause does not end inside these
_CLAUSE_ENDS = "，,；;"
_ONGOING = re.compile(alternation(OBLIGATION_ONGOING_WORDS))
_MECHANISM = re.compile(
    rf"(?:{alternation(OBLIGATION_MECHANISM_WORDS)})[\u4e00-\u9fff、]{{0,6}}?(?:{alternation(OBLIGATION_MECHANISM_THINGS)})"
)
_DELIVERABLE = re.compile(alternation(OBLIGATION_DELIVERABLE_VERBS))
_CONTINUING = re.compile(alternation(OBLIGATION_CONTINUING_VERBS))
# 由区司法局牵头，区财政局…参加 / 区司法局牵头、区财政局配合.
_LED_BY = re.compile(
    rf"(?P<by>由)?(?P<lead>[^，,。；;、由]{{2,40}}?)(?:{alternation(LEAD_CLAUSE_ENDINGS)})"
    rf"(?:[，,、](?P<others>[^。；;]{{2,400}}?)(?:{alternation(SUPPORT_CLAUSE_ENDINGS)}))?"
)


@dataclass
class Directory:
    """The unit directory by name: units in order, groups with their members, other names for both."""

    units: list[str]
    groups: dict[str, list[str]]
    aliases: dict[str, str] = field(default_factory=dict)  # alias or short name -> unit or group name

    @classmethod
    def from_db(cls) -> Directory:
        from plans.models import Unit, UnitAlias, UnitGroup

        units = list(Unit.objects.filter(is_active=True).values_list("name", "short_name"))
        active = {name for name, _ in units}
        groups = {
            g.name: [m.name for m in g.members.all() if m.name in active]
            for g in UnitGroup.objects.prefetch_related("members")
        }
        aliases = {
            a.name: a.unit.name if a.unit_id else a.group.name
            for a in UnitAlias.objects.select_related("unit", "group")
        }
        for name, short in units:
            if short:
                aliases.setdefault(short, name)
        return cls([name for name, _ in units], groups, aliases)

    @classmethod
    def from_csv(cls, path: Path | str) -> Directory:
        from plans.directory import parse_directory

        rows = parse_directory(Path(path))
        groups: dict[str, list[str]] = {}
        for row in rows:
            for group in row.groups:
                groups.setdefault(group, []).append(row.name)
        return cls([r.name for r in rows], groups, {r.short_name: r.name for r in rows if r.short_name})

    def resolve(self, name: str) -> str | None:
        """The unit or group a name means: itself, an alias, or a group written with or without 各."""
        if name in self.groups or name in self.units:
            return name
        if name in self.aliases:
            return self.aliases[name]
        other = name[1:] if name.startswith("各") else "各" + name
        target = other if other in self.groups else self.aliases.get(other)
        return target if target in self.groups else None

    def is_group(self, name: str) -> bool:
        return self.resolve(name) in self.groups

    def members(self, name: str) -> set[str]:
        """The units a name stands for; a name the directory does not know stands for itself."""
        target = self.resolve(name)
        if target is None:
            return {name}
        return set(self.groups[target]) if target in self.groups else {target}

    def ordered(self, names: set[str]) -> list[str]:
        return [u for u in self.units if u in names] + sorted(names - set(self.units))

    def names(self) -> list[str]:
        return self.units + list(self.groups) + list(self.aliases)


@dataclass
class _Kind:
    kind: str | None = None  # None: the clause says nothing of when
    words: str = ""
    recurrence: str | None = None
    due: datetime.date | None = None
    phrase: str | None = None


@dataclass
class _Owners:
    units: list[str]
    rule: str
    words: str = ""
    warnings: list[str] = field(default_factory=list)
    subject: bool = False  # a subject decided: it carries on to the parts after


def read_obligations(plan: dict, directory: Directory) -> dict:
    """A copy of an importer dict with every measure read as an obligation (see the module docstring)."""
    out = copy.deepcopy(plan)
    reader = _Reader(out, directory)
    requirements = _requirements(out)
    for task, requirement in zip(out["tasks"], requirements, strict=True):
        task["requirement"] = requirement
        task["lead_units"], task["support_units"] = reader.task_leads(task)
        task["measures"] = [part for m in task["measures"] for part in reader.measure(m, task)]
    return out


class _Reader:
    def __init__(self, plan: dict, directory: Directory):
        self.directory = directory
        self.ends_on = plan.get("ends_on")
        self.issued_on = datetime.date.fromisoformat(plan["issued_on"]) if plan.get("issued_on") else None
        self.year = self.issued_on.year if self.issued_on else None
        self.known = directory.names() + [w for words in OBLIGATION_GROUP_WORDS.values() for w in words]
        level = OBLIGATION_PLAN_LEVEL.match(plan.get("title") or "")
        places = [p.format(level=level["level"]) for p in OBLIGATION_OWN_PLACES] + [level.group(0)] if level else []
        self.own = re.compile(
            rf"(?:{alternation(OBLIGATION_DELIVERABLE_VERBS)})(?:{alternation(places)})"
            rf"[^，,。；;]{{0,20}}?(?:{alternation(OBLIGATION_OWN_THINGS)})"
        ) if places else None

    # -- leads ------------------------------------------------------------------------------------------
    def task_leads(self, task: dict) -> tuple[list[str], list[str]]:
        led = next((found for m in task["measures"] if (found := _led_by(m["text"]))), None)
        leads, support = (led[0], led[1]) if led else ([], [])
        if task.get("lead_units"):
            return list(task["lead_units"]), support
        if leads:
            return leads, support
        units = task.get("units") or []
        if units and not self._is_group(units[0]) and any(self._is_group(u) for u in units[1:]):
            return units[:1], []
        return [], []

    def _is_group(self, name: str) -> bool:
        return self.directory.is_group(name) or name.startswith("各")

    # -- one measure ------------------------------------------------------------------------------------
    def measure(self, m: dict, task: dict) -> list[dict]:
        sentence = m["text"]
        base = self._base_units(m, task)
        spans = _clause_spans(sentence)
        year = int(m["due"][:4]) if m.get("due") else self.year
        texts = [sentence[s:e] for s, e in spans]
        parts = _parts(spans, [self._clause_kind(t, year) for t in texts], texts)
        out = []
        carried: _Owners | None = None
        for start, end, kind in parts:
            text = sentence if len(parts) == 1 else _part_text(sentence, start, end)
            if kind.kind is None:
                kind = _default_kind(text)
                source = "default"
            else:
                source = "text"
            if len(parts) == 1 and kind.kind == ONCE and m.get("due"):
                kind.due, kind.phrase = datetime.date.fromisoformat(m["due"]), m["due_phrase"]
            owners = self._owners(text, base) or carried or self._no_subject(text, base, task)
            if owners.subject:
                carried = owners
            out.append(self._measure_dict(m, task, text, sentence, kind, source, owners))
        return out

    def _base_units(self, m: dict, task: dict) -> list[str]:
        """The units a measure is limited to: the task's, unless its own annotation named others. (The parser
        also narrows a measure to the subject it starts with: that is read again here, so the task's.)"""
        own = m.get("units") or []
        if not own or own == task["units"] or m["text"].startswith(own[0]):
            return list(task["units"])
        return list(own)

    def _clause_kind(self, clause: str, year: int | None) -> _Kind:
        plain = _masked(clause)
        for name, pattern in _RECURRENCE:
            hit = pattern.search(plain)
            if hit:
                dl = parse_deadline(clause, year_hint=year, issued_on=self.issued_on)
                return _Kind(RECURRING, hit.group(0), name, dl.due, dl.phrase)
        hit = OBLIGATION_YEARLY_ACTS.search(plain)
        if hit:
            return _Kind(RECURRING, hit.group(0), "yearly")
        dl = parse_deadline(clause, year_hint=year, issued_on=self.issued_on)
        if dl.phrase and not dl.recurrence and not dl.ongoing:
            return _Kind(ONCE, dl.phrase, None, dl.due, dl.phrase)
        for hit in _ONGOING.finditer(plain):
            if not any(m.start() <= hit.start() < m.end() for m in _MECHANISM.finditer(plain)):
                return _Kind(ONGOING, hit.group(0))
        return _Kind()

    def _owners(self, text: str, base: list[str]) -> _Owners | None:
        """Owners from the first clause that starts with a subject (a lead phrase, a unit or a kind of unit)."""
        for start, end in _clause_spans(text):
            clause = text[start:end].strip()
            led = _led_by(clause)
            if led and clause.startswith((led[2], "由" + led[2])):
                return self._named(led[0] + led[1], base, f"{led[2]}牵头")
            names = self._subject(clause)
            if not names:
                continue
            found: list[_Owners] = [self._one_subject(n, base) for n in names]
            return _Owners(
                list(dict.fromkeys(u for o in found for u in o.units)),
                "group" if all(o.rule == "group" for o in found) else "named",
                "、".join(names),
                [w for o in found for w in o.warnings],
                subject=True,
            )
        return None

    def _subject(self, clause: str) -> list[str] | None:
        """The units a clause starts with as its subject; not those a 的 makes a modifier (…参加的机制)."""
        names = _subject(clause, self.known)
        if not names:
            return None
        end = 0
        for name in names:
            end = clause.index(name, end) + len(name)
        return None if OBLIGATION_MODIFIER.match(clause[end:]) else names

    def _one_subject(self, name: str, base: list[str]) -> _Owners:
        target = self.directory.resolve(name)
        group = next((g for g, words in OBLIGATION_GROUP_WORDS.items() if name in words), None)
        if target is None and group is not None:
            target = self.directory.resolve(group)
            if target is None:
                return _Owners(list(base), "task", name,
                               [f"单位名录中没有分组“{group}”，“{name}”的事项暂按本任务的全部责任单位分配，请核对。"])
        if target in self.directory.groups:
            return self._group(target, name, base)
        return self._named([name], base, name)

    def _named(self, names: list[str], base: list[str], words: str) -> _Owners:
        allowed = self._expand(base)
        warnings = []
        units = []
        for name in names:
            unit = self.directory.resolve(name) or name
            units.append(unit)
            if self.directory.resolve(name) is None:
                warnings.append(f"“{name}”不在单位名录中，请在预览中核对。")
            elif not self.directory.members(unit) <= allowed:
                warnings.append(f"“{name}”不在本任务的责任单位中，已按原文列为责任单位，请牵头单位确认。")
        return _Owners(units, "named", words, warnings, subject=True)

    def _group(self, group: str, words: str, base: list[str]) -> _Owners:
        members = set(self.directory.groups[group])
        allowed = self._expand(base)
        inside = members & allowed
        if members <= allowed:
            return _Owners([group], "group", words, subject=True)
        if not inside:
            return _Owners([group], "group", words,
                           [f"“{words}”所指的单位不在本任务的责任单位中，已按原文列为责任单位，请牵头单位确认。"], subject=True)
        exact = next((u for u in base if self.directory.members(u) == inside), None)
        return _Owners([exact] if exact else self.directory.ordered(inside), "group", words, subject=True)

    def _expand(self, names: list[str]) -> set[str]:
        return {u for n in names for u in self.directory.members(n)}

    def _no_subject(self, text: str, base: list[str], task: dict) -> _Owners:
        plain = _masked(text)
        own = self.own.search(plain) if self.own else None
        if own:
            leads = task.get("lead_units") or []
            if leads:
                return _Owners(list(leads), "lead", own.group(0))
            return _Owners(list(base), "task", own.group(0),
                           [f"“{own.group(0)}”是本级统一的事项，本任务没有牵头单位，请牵头单位指定负责单位。"])
        for group, words in OBLIGATION_GROUP_WORDS.items():
            target = self.directory.resolve(group)
            if target is None:
                continue
            hit = re.search(rf"(?:{alternation(OBLIGATION_OBJECT_CUES)})(?:{alternation(words)})", plain)
            if not hit:
                continue
            members = set(self.directory.groups[target])
            kept = [u for u in base if not self.directory.members(u) <= members]
            if kept and len(kept) < len(base):
                return _Owners(kept, "task", hit.group(0))
        return _Owners(list(base), "task")

    # -- the output ---------------------------------------------------------------------------------------
    def _measure_dict(self, m: dict, task: dict, text: str, sentence: str, kind: _Kind, source: str,
                      owners: _Owners) -> dict:
        due = kind.due
        if kind.kind == ONCE and due is None and source == "default" and self.ends_on:
            due = datetime.date.fromisoformat(self.ends_on)
        warnings = list(owners.warnings)
        if kind.kind == ONCE and due is None:
            warnings.append(f"无法识别的时限“{kind.phrase}”，请在预览中核对。")
        led = _led_by(text)
        if led:
            lead_units, support_units = led[0], led[1]
        else:
            owned = self._expand(owners.units)
            leads = task["lead_units"]
            lead_units = list(leads) if leads and self._expand(leads) <= owned else []
            support_units = []
        recurrence = kind.recurrence if kind.kind == RECURRING else None
        return {
            "text": text,
            "units": owners.units,
            "due": due.isoformat() if due and kind.kind != ONGOING else None,
            "due_phrase": kind.phrase if kind.kind != ONGOING else None,
            "recurrence": recurrence,
            "target": _target(text, recurrence),
            "ongoing": kind.kind == ONGOING,
            "kind": kind.kind,
            "kind_source": source,
            "kind_words": kind.words,
            "owner_rule": owners.rule,
            "owner_words": owners.words,
            "lead_units": lead_units,
            "support_units": support_units,
            "sentence": sentence,
            "warnings": warnings,
        }


# -- reading helpers ----------------------------------------------------------------------------------------

def _masked(text: str) -> str:
    """Titles of documents and quoted words blanked out, keeping positions."""
    return re.sub(r"《[^《》]*》|“[^“”]*”", lambda m: "＿" * len(m.group(0)), text)


def _clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: the text between ，；outside brackets, quotes and titles."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        elif ch in _CLAUSE_ENDS and depth == 0:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip(_CLAUSE_ENDS + "。 ")] or [(0, len(text))]


def _parts(spans: list[tuple[int, int]], kinds: list[_Kind], texts: list[str]) -> list[tuple[int, int, _Kind]]:
    """Clauses grouped into one part per kind: a single kind (or none) keeps the sentence whole.

    A clause that says nothing goes with the nearest clause before or after it that does, the one of the
    kind its first verb suggests (加强… with the ongoing one); without such a verb, with the one after."""
    said = [i for i, k in enumerate(kinds) if k.kind]
    if len({kinds[i].kind for i in said}) <= 1:
        return [(spans[0][0], spans[-1][1], kinds[said[0]] if said else _Kind())]
    owner = []
    for i, kind in enumerate(kinds):
        if kind.kind:
            owner.append(i)
            continue
        before = next((j for j in reversed(said) if j < i), None)
        after = next((j for j in said if j > i), None)
        guess = _default_kind(texts[i])
        near = [j for j in (before, after) if j is not None]
        matching = [j for j in near if guess.words and kinds[j].kind == guess.kind]
        owner.append(matching[0] if matching else (after if after is not None else before))
    parts: list[list] = []
    for (start, end), j in zip(spans, owner, strict=True):
        if parts and parts[-1][2].kind == kinds[j].kind:
            parts[-1][1] = end
        else:
            parts.append([start, end, kinds[j]])
    return [(s, e, k) for s, e, k in parts]


def _part_text(sentence: str, start: int, end: int) -> str:
    text = sentence[start:end].strip().rstrip(_CLAUSE_ENDS)
    end_mark = sentence.rstrip()[-1:]
    return text + end_mark if end_mark in "。；;！!" and not text.endswith(end_mark) else text


def _default_kind(text: str) -> _Kind:
    """The kind read from the measure's first verb (nothing in it says when)."""
    plain = _masked(text)
    hits: list[tuple[int, int, str, str]] = []  # (position, -length, kind, words)
    for kind, verbs in ((ONCE, _DELIVERABLE), (ONGOING, _CONTINUING)):
        for hit in verbs.finditer(plain):
            before, after = plain[:hit.start()], plain[hit.end():]
            if before.endswith(OBLIGATION_NOUN_BEFORE) or after.startswith(OBLIGATION_NOUN_AFTER):
                continue
            hits.append((hit.start(), -len(hit.group(0)), kind, hit.group(0)))
    for hit in OBLIGATION_DELIVERABLE_ACTS.finditer(plain):
        hits.append((hit.start(), -len(hit.group(0)), ONCE, hit.group(0)))
    if not hits:
        return _Kind(ONGOING)
    _, _, kind, words = min(hits)
    return _Kind(kind, words)


def _led_by(text: str) -> tuple[list[str], list[str], str] | None:
    """(leads, supporting units, the leads as written) of 由X牵头，Y参加 / X牵头、Y配合, else None."""
    for hit in _LED_BY.finditer(text):
        lead = hit["lead"]
        if not hit["by"] and hit.start() and text[hit.start() - 1] not in _CLAUSE_ENDS:
            continue
        written = f"{lead}牵头" + (f"，{hit['others']}配合" if hit["others"] else "")
        ann = parse_annotation(written)
        if ann is None or not ann.leads or not all(ORG_END.search(u) or u.startswith("各") for u in ann.units):
            continue
        return ann.leads, [u for u in ann.units if u not in ann.leads], lead
    return None


def _target(text: str, recurrence: str | None) -> dict | None:
    target = parse_target(text)
    if target is None:
        if not OBLIGATION_FULL_COVERAGE.search(text):
            return None
        return {"value": 100, "unit": "%", "per_person": False, "recurrence": recurrence}
    figure = re.search(rf"{target['value']}\s*{re.escape(target['unit'])}", text)
    clause = re.split(r"[，,；;。]", text[:figure.start()] if figure else text)[-1]
    return {**target, "per_person": bool(OBLIGATION_PER_PERSON.search(clause)), "recurrence": recurrence}


def _requirements(plan: dict) -> list[bool]:
    """Which tasks are the plan's requirements: under a final section titled like 工作要求, un-numbered."""
    from .writer import section_finder

    sections = [SimpleNamespace(**s) for s in plan.get("sections") or []]
    find = section_finder(sections)
    roots = []
    for task in plan["tasks"]:
        section = find(task.get("section"))
        if section is not None and section.parent:
            index = next(i for i, s in enumerate(sections) if s is section)
            section = next((s for s in reversed(sections[:index]) if s.number == section.parent), section)
        roots.append(section.title if section is not None else "")
    named = [any(w in title for w in OBLIGATION_REQUIREMENT_TITLES) for title in roots]
    unnumbered = [t.get("number") is None for t in plan["tasks"]]
    numbers_none = not any(unnumbered)
    return [all(named[i:]) and (unnumbered[i] or numbers_none) for i in range(len(named))]
