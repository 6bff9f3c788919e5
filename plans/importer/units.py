"""Responsible units as plans write them.

split_units("区司法局，各区、县级市") -> ["区司法局", "各区、县级市"]
parse_annotation("（责任单位：区司法局，各街道办事处）") -> Annotation(leads=[], units=[...])
parse_annotation("区司法局牵头，区财政局、区人社局配合") -> Annotation(leads=["区司法局"], units=[...])
"""

import re
from dataclasses import dataclass

OPEN, CLOSE = "（(【[〔", "）)】]〕"
SEPARATORS = "，,、；;"

# Administrative levels and kinds of body that a group name like 各区、县级市 or 各委、办、局 joins with 、.
ADMIN_WORDS = (
    "新疆生产建设兵团", "计划单列市", "副省级城市", "自治区", "直辖市", "自治州", "自治县", "县级市", "开发区", "园区", "社区", "乡镇", "街道", "街镇", "镇街", "县区", "市区", "区县", "部门", "单位",
    "省", "区", "县", "市", "乡", "镇", "街", "旗", "州", "盟", "村", "委", "办", "局", "厅", "部", "室", "院",
)
GENERIC_TAILS = ("", "人民政府", "政府", "党委", "党工委", "管委会", "办事处", "政府办公室", "有关部门", "相关部门")

DEPARTMENT_TAILS = ("有关部门", "相关部门", "部门", "单位")
LEAD_LABELS = ("牵头单位", "牵头部门", "主责单位", "主责部门", "牵头责任单位", "牵头处室", "责任牵头单位")
SUPPORT_LABELS = ("配合单位", "配合部门", "协办单位", "协办部门", "协作单位", "协同单位", "参与单位", "参加单位",
                  "协助单位", "配合处室")
PLAIN_LABELS = ("责任单位", "责任部门", "责任主体", "落实单位", "实施单位", "承办单位", "责任处室")
NOTE_LABELS = ("完成时限", "完成时间", "时间节点", "时间要求", "牵头领导", "责任领导", "分管领导", "责任人")
_ALL_LABELS = sorted(LEAD_LABELS + SUPPORT_LABELS + PLAIN_LABELS + NOTE_LABELS, key=len, reverse=True)
LABEL_RE = re.compile(r"(" + "|".join(_ALL_LABELS) + r")\s*[:：]")
BRACKET_LABEL = re.compile(r"[【\[〔]\s*(" + "|".join(_ALL_LABELS) + r")\s*[】\]〕]\s*[:：]?")

# Unlabelled annotations: each clause ends with the role its units play.
_LEAD_END = re.compile(r"^(?P<names>.+?)(?:牵头负责|牵头落实|牵头抓总|牵头)$")
_SUPPORT_END = re.compile(r"^(?P<names>.+?)(?:配合落实|积极配合|配合|参与|协助|协同|协办|参加)$")
_PLAIN_END = re.compile(
    r"^(?P<names>.+?)(?:按职责分工负责|按职责分工落实|按职责负责|按职能负责|分别负责|共同负责|负责落实|负责推进|负责实施|负责|落实)$"
)
_WITH = re.compile(r"^(?P<lead>.+?)(?:会同|联合|协调)(?P<others>.+?)(?:共同负责|负责落实|负责|落实|推进|实施)?$")
_NAME_LEADS = re.compile(r"^(?:由|均由|请|并由|和|及|以及)")
_NAME_TRAILS = re.compile(r"(?:等相关部门|等有关部门|等部门|等单位|等)$")
_NOT_A_NAME = re.compile(r"[的是要将把对。！？!?“”\"《》0-9０-９]|^[与和及]")
MAX_NAME = 30
_DEADLINE_CLAUSE = re.compile(r"\d|[年月日]底?前|年底|月底|长期|持续|完成")
ORG_END = re.compile(
    r"(?:局|委|办|厅|部|院|署|会|政府|办事处|中心|公司|集团|队|所|站|处|室|联|团|行|馆|台|社|街道|乡镇|分局|支队|"
    r"单位|部门|机构)"
    r"(?:[（(][^（）()]+[）)])?$"
)
LEAD_MARK = re.compile(r"[（(]牵头(?:单位|部门)?[）)]$")


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
    so does 区市场监管局等区行政执法部门."""
    parts = [p for p in re.split(r"以及|和|及|与|等", token) if p]
    if len(parts) > 1 and all(p.startswith("各") or ORG_END.search(p) for p in parts):
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


def strip_brackets(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in OPEN and text[-1] == _close_of(text[0]):
        return text[1:-1].strip()
    return text


def _labelled(text: str, first_is_lead: bool) -> Annotation | None:
    parts = list(LABEL_RE.finditer(text))
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
        label = m.group(1)
        if label in NOTE_LABELS:
            notes.append(f"{label}：{value.strip(' ，,；;。')}")
            continue
        names = split_units(value)
        marked = [LEAD_MARK.sub("", n) for n in names if LEAD_MARK.search(n)]
        names = [LEAD_MARK.sub("", n) for n in names]
        if not _plausible(names):
            return None
        leads += marked
        if label in LEAD_LABELS:
            leads += names
        elif label in SUPPORT_LABELS:
            support += names
        else:
            plain += names
    units = _merge(leads, plain + support)
    if not units and not notes:
        return None
    if not leads and first_is_lead:
        leads = units[:1]
    return Annotation(leads=_merge(leads, []), units=units, note="；".join(notes), labelled=True)


def _clauses(text: str) -> list[str]:
    """Split an unlabelled annotation into clauses: on ，；; outside brackets, and after 牵头、."""
    text = re.sub(r"(牵头)[、]", r"\1，", text)
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
        if not _role_clause(clause) and not _DEADLINE_CLAUSE.search(clause) and _organisations(split_units(clause)) \
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
        elif _DEADLINE_CLAUSE.search(clause):
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
    if LABEL_RE.search(text):
        return _labelled(text, first_is_lead)
    return _unlabelled(text, first_is_lead, bare)
