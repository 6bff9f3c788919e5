"""Responsible units as plans write them.

split_units("区司法局，各区、县级市") -> ["区司法局", "各区、县级市"]
parse_annotation("（责任单位：区司法局，各街道办事处）") -> Annotation(leads=[], units=[...])
parse_annotation("区司法局牵头，区财政局、区人社局配合") -> Annotation(leads=["区司法局"], units=[...])
"""

import re
from dataclasses import dataclass

from .vocabulary import (
    ADMIN_WORDS,
    BRACKET_LABEL,
    DEADLINE_CLAUSE,
    DEPARTMENT_TAILS,
    FIELD_RE,
    FIRST_IS_LEAD,
    GENERIC_TAILS,
    JOINT_ENDINGS,
    JOINT_WORDS,
    LABEL_RE,
    LEAD,
    LEAD_CLAUSE_ENDINGS,
    NAME_JOINS,
    NAME_LEAD_WORDS,
    NAME_TRAIL_WORDS,
    ORG_ENDINGS,
    RESPONSIBLE_CLAUSE_ENDINGS,
    ROLE_MARK_UNIT_WORDS,
    ROLE_MARK_WORDS,
    ROLE_WORDS,
    SAME_BELOW_WORDS,
    SUPPORT,
    SUPPORT_CLAUSE_ENDINGS,
    VAGUE_PARTY_WORDS,
    alternation,
    label_role,
)

OPEN, CLOSE = "（(【[〔", "）)】]〕"
SEPARATORS = "，,、；;"

# Unlabelled annotations: each clause ends with the role its units play.
_LEAD_END = re.compile(rf"^(?P<names>.+?)(?:{alternation(LEAD_CLAUSE_ENDINGS)})$")
_SUPPORT_END = re.compile(rf"^(?P<names>.+?)(?:{alternation(SUPPORT_CLAUSE_ENDINGS)})$")
_PLAIN_END = re.compile(rf"^(?P<names>.+?)(?:{alternation(RESPONSIBLE_CLAUSE_ENDINGS)})$")
_WITH = re.compile(rf"^(?P<lead>.+?)(?:{alternation(JOINT_WORDS)})(?P<others>.+?)(?:{alternation(JOINT_ENDINGS)})?$")
_LEAD_BEFORE_LIST = re.compile(rf"({alternation(LEAD_CLAUSE_ENDINGS)})、")
_NAME_LEADS = re.compile(rf"^(?:{alternation(NAME_LEAD_WORDS)})")
_NAME_TRAILS = re.compile(rf"(?:{alternation(NAME_TRAIL_WORDS)})$")
_NAME_JOIN = re.compile(alternation(NAME_JOINS))
_NOT_A_NAME = re.compile(r"[的是要将把对。！？!?“”\"《》0-9０-９]|^[与和及]")
MAX_NAME = 30
ORG_END = re.compile(rf"(?:{alternation(ORG_ENDINGS)})(?:[（(][^（）()]+[）)])?$")
_SAME_BELOW = re.compile(rf"^\s*[，,；;]?\s*(?:{alternation(SAME_BELOW_WORDS)})")
_ROLE_MARK = re.compile(
    rf"(?P<name>.+?)\s*[（(]\s*(?P<role>{alternation(ROLE_MARK_WORDS)})(?:{alternation(ROLE_MARK_UNIT_WORDS)})?\s*[)）]"
)


@dataclass(frozen=True)
class Annotation:
    leads: list[str]
    units: list[str]  # all units: leads first, then the others as written (none when it only holds a note)
    note: str = ""  # anything else the annotation said, such as 完成时限：2024年底前
    labelled: bool = False


def _close_of(ch: str) -> str:
    return CLOSE[OPEN.index(ch)]


def _tokens(text: str, separators: str = SEPARATORS, spaces: bool = True) -> list[tuple[str, str]]:
    """Split on separators outside brackets; return (token, the separator before it)."""
    out: list[tuple[str, str]] = []
    depth, buf, pending = 0, [], ""

    def flush() -> None:
        nonlocal pending
        token = "".join(buf).strip()
        if token:
            out.append((token, pending))
            pending = ""
        buf.clear()

    for ch in text:
        if ch in OPEN or ch == "《":
            depth += 1
        elif (ch in CLOSE or ch == "》") and depth:
            depth -= 1
        elif depth == 0 and (ch in separators or (spaces and ch.isspace())):
            flush()
            if not ch.isspace():
                pending = ch
            continue
        buf.append(ch)
    flush()
    return out


def _is_level(token: str) -> bool:
    return any(token.startswith(w) and token[len(w):] in GENERIC_TAILS for w in ADMIN_WORDS)


def _clean(name: str) -> str:
    name = name.strip(" \t。．.，,；;：:、")
    name = _NAME_LEADS.sub("", name)
    name = _NAME_TRAILS.sub("", name)
    return name.strip()


def split_units(text: str) -> list[str]:
    """A list of unit names, split on ，,、；; outside brackets.

    A group of administrative levels stays whole: after a name starting with 各 whose rest is such a
    level (各区), the following 、-joined levels belong to it (各区、县级市; 各委、办、局).
    """
    names: list[str] = []
    group_open = bare = False
    for token, sep in _tokens(str(text)):
        token = _clean(token)
        if not token:
            continue
        if group_open and sep == "、" and _is_level(token) and not token.startswith("各") and (
            bare or not token.endswith(DEPARTMENT_TAILS)
        ):
            names[-1] = f"{names[-1]}、{token}"
            continue
        # 各镇人民政府、街道办事处 is one group; 各区人民政府、市有关部门 are two (the departments of another level).
        group_open = token.startswith("各") and _is_level(token[1:])
        bare = group_open and token[1:] in ADMIN_WORDS
        for name in _split_conjoined(token):
            if name not in names:
                names.append(name)
    return names


def _split_conjoined(token: str) -> list[str]:
    """区财政局和区人社局 -> two units, when every part ends like an organisation (区文化和旅游局 stays whole);
    so does 区市场监管局等区行政执法部门. A vague party (国务院相关部门和单位, 县住建局等有关部门) stays whole."""
    parts = [p for p in _NAME_JOIN.split(token) if p]
    if len(parts) > 1 and all((p.startswith("各") or ORG_END.search(p)) and p not in VAGUE_PARTY_WORDS for p in parts):
        return parts
    return [token]


def _plausible(names: list[str]) -> bool:
    return bool(names) and all(
        0 < len(n) <= MAX_NAME and not _NOT_A_NAME.search(n) and re.search(r"[\u4e00-\u9fff]", n) for n in names
    )


def _merge(leads: list[str], others: list[str]) -> list[str]:
    units: list[str] = []
    for name in leads + others:
        if name not in units:
            units.append(name)
    return units


def role_mark(name: str) -> tuple[str, str | None]:
    """区司法局（牵头） -> ("区司法局", LEAD); a name without a role written after it -> (name, None)."""
    m = _ROLE_MARK.fullmatch(name)
    return (m["name"], ROLE_WORDS[m["role"]]) if m else (name, None)


def strip_brackets(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in OPEN and text[-1] == _close_of(text[0]):
        return text[1:-1].strip()
    return text


def _labelled(text: str, first_is_lead: bool) -> Annotation | None:
    parts = list(FIELD_RE.finditer(text))
    leads: list[str] = []
    plain: list[str] = []
    support: list[str] = []
    notes: list[str] = []
    before = text[:parts[0].start()].strip(" ，,；;。")
    if before:
        # （X负责；完成时限：…） — units written without a label ahead of the labels
        unlabelled = _unlabelled(before, False)
        if unlabelled is None:
            notes.append(before)
        else:
            leads += unlabelled.leads
            plain += [u for u in unlabelled.units if u not in unlabelled.leads]
    for i, m in enumerate(parts):
        value = text[m.end(): parts[i + 1].start() if i + 1 < len(parts) else len(text)]
        label = m.group(1) or m.group(2)
        role = label_role(label) if m.group(1) else None
        if role is None:
            notes.append(f"{label}：{value.strip(' ，,；;。')}")
            continue
        # Sentences after the first are remarks (…负责。具体任务均涉及各市，不再做分工。), and the first may
        # end with the part its units play (X、Y按职责分工负责).
        value, _, remark = value.strip().partition("。")
        if remark.strip(" ，,；;。"):
            notes.append(remark.strip(" ，,；;。"))
        value = _without_role_ending(value.strip(" ，,；;"))
        names = split_units(value)
        # A deadline or a score written among the units (6月底前, 5分) is a note, not a unit.
        notes += [n for n in names if DEADLINE_CLAUSE.search(n)]
        marks = [role_mark(n) for n in names if not DEADLINE_CLAUSE.search(n)]
        names = [n for n, _ in marks]
        if not _plausible(names):
            return None
        leads += [n for n, mark in marks if mark == LEAD]
        if role == LEAD:
            leads += names
        elif role == SUPPORT:
            support += names
        else:
            plain += names
    units = _merge(leads, plain + support)
    if not units and not notes:
        return None
    if not leads and first_is_lead:
        leads = units[:1]
    return Annotation(leads=_merge(leads, []), units=units, note="；".join(notes), labelled=True)


def _without_role_ending(value: str) -> str:
    """区财政局、区税务局按职责分工负责 -> 区财政局、区税务局 (a label already says the units' part)."""
    for pattern in (_LEAD_END, _SUPPORT_END, _PLAIN_END):
        m = pattern.match(value)
        if m and _organisations(split_units(m["names"])):
            return m["names"]
    return value


def _clauses(text: str) -> list[str]:
    """Split an unlabelled annotation into clauses: on ，；; outside brackets, and after 牵头、."""
    text = _LEAD_BEFORE_LIST.sub(r"\1，", text)
    return [t for t, _ in _tokens(text, "，,；;", spaces=False)]


def _unlabelled(text: str, first_is_lead: bool, bare: bool = False) -> Annotation | None:
    leads: list[str] = []
    others: list[str] = []
    notes: list[str] = []
    clauses = _clauses(text.rstrip("。；;，, "))
    carried = ""  # names listed with ASCII commas before the clause that gives their role: (X,Y,Z负责)
    for i, clause in enumerate(clauses):
        joined = bool(carried)
        if carried:
            clause, carried = f"{carried}、{clause}", ""
        if not _role_clause(clause) and not DEADLINE_CLAUSE.search(clause) and _organisations(split_units(clause)) \
                and i < len(clauses) - 1:
            carried = clause
            continue
        m = _LEAD_END.match(clause)
        if m:
            names = split_units(m["names"])
            if not _plausible(names):
                return None
            leads += names
            continue
        m = _WITH.match(clause)
        if m and not _PLAIN_END.match(m["lead"]) and _organisations(split_units(m["lead"])):
            lead, rest = split_units(m["lead"]), split_units(m["others"])
            if not (_plausible(lead) and _plausible(rest)):
                return None
            leads += lead
            others += rest
            continue
        m = _SUPPORT_END.match(clause) or _PLAIN_END.match(clause)
        if m:
            names = split_units(m["names"])
            if not _plausible(names):
                return None
            others += names
        elif DEADLINE_CLAUSE.search(clause) or FIELD_RE.match(clause):
            notes.append(clause)
        elif bare and (len(clauses) == 1 or joined) and _organisations(split_units(clause)):
            others += split_units(clause)
        else:
            return None
    units = _merge(leads, others)
    if not units:
        return None
    if not leads and first_is_lead:
        leads = units[:1]
    return Annotation(leads=_merge(leads, []), units=units, note="；".join(notes))


def _role_clause(clause: str) -> bool:
    return any(p.match(clause) for p in (_LEAD_END, _WITH, _SUPPORT_END, _PLAIN_END))


def _organisations(names: list[str]) -> bool:
    """Every name looks like a body: 各… or ending like an organisation (局, 委, 办, 政府, …)."""
    return _plausible(names) and all(n.startswith("各") or ORG_END.search(n) for n in names)


def parse_annotation(text: str, *, first_is_lead: bool = False, bare: bool = False) -> Annotation | None:
    """The units an annotation names, or None when the text is not an annotation.

    Labelled: 责任单位：X，Y / 牵头单位：X；配合单位：Y (责任单位 beside 牵头单位 is supporting) / 【牵头单位】X.
    Unlabelled: X负责 / X、Y负责 / X牵头，Y、Z配合 / X牵头，Y按职责分工负责 / X会同Y负责.
    first_is_lead applies a document rule such as 列第一位者为牵头单位. bare also accepts a plain list of
    organisations (区司法局、区财政局), for brackets that close a sentence in a document that uses them so.
    """
    text = BRACKET_LABEL.sub(r"\1：", strip_brackets(str(text)))
    if not text or len(text) > 600:
        return None
    rule = FIRST_IS_LEAD.search(text)
    if rule:
        # The annotation states the document's rule on leads (…，列第一位者为牵头单位，下同): it holds here too.
        first_is_lead = True
        text = (text[:rule.start()] + _SAME_BELOW.sub("", text[rule.end():], count=1)).strip(" ，,；;。")
        if not text:
            return None
    if LABEL_RE.search(text):
        return _labelled(text, first_is_lead)
    return _unlabelled(text, first_is_lead, bare)
