"""Every word the importer reads plans by, as data: one table per kind of word, read by every parser.

Labels of responsible units (牵头单位：, 配合部门：, 责任处室：, 主办单位：) and table headers naming unit
columns (牵头单位, 配合, 责任单位) are one vocabulary: one or more role words followed by a unit word. The
role words say the part the units play; a label or header holding a lead word names leads, else one
holding a support word names supporting units, else the units are responsible. Adding a role word here
makes both the annotation parser (units.py) and the table header parser (tables.py) read it.
"""

import re

# -- roles of units ------------------------------------------------------------------------------------
LEAD, SUPPORT, RESPONSIBLE = "lead", "support", "resp"

# Words that, ahead of a unit word, say the part the units play.
ROLE_WORDS: dict[str, str] = {
    "牵头": LEAD, "主责": LEAD, "主办": LEAD,
    "配合": SUPPORT, "协办": SUPPORT, "协作": SUPPORT, "协同": SUPPORT, "参与": SUPPORT, "参加": SUPPORT,
    "协助": SUPPORT,
    "责任": RESPONSIBLE, "主体责任": RESPONSIBLE, "落实": RESPONSIBLE, "实施": RESPONSIBLE,
    "承办": RESPONSIBLE, "负责": RESPONSIBLE, "完成": RESPONSIBLE, "承担": RESPONSIBLE, "考核": RESPONSIBLE,
}
# What a label or a column header names after its role words: 牵头单位, 配合部门, 责任处室, 责任主体.
UNIT_WORDS = ("单位", "部门", "处室", "科室", "机关", "主体")
# Roles whose word alone heads a unit column (a column headed 牵头 or 配合); 责任 alone does not.
BARE_HEADER_ROLES = (LEAD, SUPPORT)
# Unit-column headers outside the role-word shape.
OTHER_UNIT_HEADERS: dict[str, str] = {"责任分工": RESPONSIBLE}
# The label words plans are known to write; each must read as a label and as a header (tested).
KNOWN_UNIT_LABELS = (
    "牵头单位", "牵头部门", "主责单位", "主责部门", "主办单位", "牵头责任单位", "牵头处室", "责任牵头单位",
    "牵头考核单位",
    "配合单位", "配合部门", "协办单位", "协办部门", "协作单位", "协同单位", "参与单位", "参加单位", "协助单位",
    "配合处室",
    "责任单位", "责任部门", "责任主体", "落实单位", "实施单位", "承办单位", "责任处室", "负责部门", "考核部门",
)
# Labels of other things an annotation may say beside its units (a deadline, a leader): kept as a note.
NOTE_LABELS = ("完成时限", "完成时间", "时间节点", "时间要求", "牵头领导", "责任领导", "分管领导", "责任人")


def _alternation(words) -> str:
    """A regex alternation of words, longest first (so 主体责任 is tried before 责任)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ROLE_ALT = _alternation(ROLE_WORDS)
_UNIT_WORD_ALT = _alternation(UNIT_WORDS)
_ROLE_RUN = re.compile(_ROLE_ALT)
# A label word: role words then a unit word (牵头考核单位), or a note label.
UNIT_LABEL = rf"(?:{_ROLE_ALT})+(?:{_UNIT_WORD_ALT})"
LABEL_WORD = rf"(?:{_alternation(NOTE_LABELS)}|{UNIT_LABEL})"
# 责任单位：… / 牵头部门: …  (group 1 is the label word)
LABEL_RE = re.compile(rf"({LABEL_WORD})\s*[:：]")
# 【牵头单位】… / [责任单位]：…
BRACKET_LABEL = re.compile(rf"[【\[〔]\s*({LABEL_WORD})\s*[】\]〕]\s*[:：]?")
# A unit-column header, whole: role words and a unit word, or a lead or support word alone.
_BARE_ALT = _alternation(w for w, role in ROLE_WORDS.items() if role in BARE_HEADER_ROLES)
UNIT_HEADER = re.compile(
    rf"(?:{_ROLE_ALT})+(?:{_UNIT_WORD_ALT})|(?:{_ROLE_ALT})*(?:{_BARE_ALT})(?:{_ROLE_ALT})*|{_alternation(OTHER_UNIT_HEADERS)}"
)


def label_role(label: str) -> str | None:
    """The role of units under a label or unit-column header (牵头考核单位 -> LEAD), None for a note label."""
    if label in OTHER_UNIT_HEADERS:
        return OTHER_UNIT_HEADERS[label]
    roles = {ROLE_WORDS[w] for w in _ROLE_RUN.findall(label)}
    if not roles or label in NOTE_LABELS:
        return None
    for role in (LEAD, SUPPORT, RESPONSIBLE):
        if role in roles:
            return role
    return None
