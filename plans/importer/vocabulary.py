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


def alternation(words) -> str:
    """A regex alternation of words, longest first (so 主体责任 is tried before 责任)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ROLE_ALT = alternation(ROLE_WORDS)
_UNIT_WORD_ALT = alternation(UNIT_WORDS)
_ROLE_RUN = re.compile(_ROLE_ALT)
# A label word: role words then a unit word (牵头考核单位), or a note label.
UNIT_LABEL = rf"(?:{_ROLE_ALT})+(?:{_UNIT_WORD_ALT})"
LABEL_WORD = rf"(?:{alternation(NOTE_LABELS)}|{UNIT_LABEL})"
# 责任单位：… / 牵头部门: …  (group 1 is the label word)
LABEL_RE = re.compile(rf"({LABEL_WORD})\s*[:：]")
# 【牵头单位】… / [责任单位]：…
BRACKET_LABEL = re.compile(rf"[【\[〔]\s*({LABEL_WORD})\s*[】\]〕]\s*[:：]?")
# A unit-column header, whole: role words and a unit word, or a lead or support word alone.
_BARE_ALT = alternation(w for w, role in ROLE_WORDS.items() if role in BARE_HEADER_ROLES)
UNIT_HEADER = re.compile(
    rf"(?:{_ROLE_ALT})+(?:{_UNIT_WORD_ALT})|(?:{_ROLE_ALT})*(?:{_BARE_ALT})(?:{_ROLE_ALT})*|{alternation(OTHER_UNIT_HEADERS)}"
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


# -- roles in prose ------------------------------------------------------------------------------------
# An unlabelled annotation's clauses end with the part their units play: 区司法局牵头，区财政局配合.
LEAD_CLAUSE_ENDINGS = ("牵头负责", "牵头落实", "牵头抓总", "牵头")
SUPPORT_CLAUSE_ENDINGS = ("配合落实", "积极配合", "配合", "参与", "协助", "协同", "协办", "参加")
RESPONSIBLE_CLAUSE_ENDINGS = (
    "按职责分工负责", "按职责分工落实", "按职责负责", "按职能负责", "分别负责", "共同负责", "负责落实", "负责推进",
    "负责实施", "负责", "落实",
)
# 区司法局会同区财政局负责: the first units lead, those after the joining word take part.
JOINT_WORDS = ("会同", "联合", "协调")
JOINT_ENDINGS = ("共同负责", "负责落实", "负责", "落实", "推进", "实施")
# A role written after a unit's name: 区司法局（牵头）, 区财政局（配合单位）.
ROLE_MARK_WORDS = ("牵头", "配合", "协办", "参与")
ROLE_MARK_UNIT_WORDS = ("单位", "部门")
# Words that make an unreadable bracket worth a warning: it meant to name units.
ANNOTATION_HINT_WORDS = ("负责", "牵头", "配合", "参与", "协办")
# A document's rule on leads: 列第一位者为牵头单位.
FIRST_IS_LEAD = re.compile(
    r"(?:列|排|位)在?(?:第一位|首位|第一|最前)(?:者|的)?(?:部门|单位)?(?:为|是)牵头(?:单位|部门)"
)

# -- names of units ------------------------------------------------------------------------------------
# Administrative levels and kinds of body that a group name like 各区、县级市 or 各委、办、局 joins with 、.
ADMIN_WORDS = (
    "新疆生产建设兵团", "计划单列市", "副省级城市", "自治区", "直辖市", "自治州", "自治县", "县级市", "开发区", "园区",
    "社区", "乡镇", "街道", "街镇", "镇街", "县区", "市区", "区县", "部门", "单位",
    "省", "区", "县", "市", "乡", "镇", "街", "旗", "州", "盟", "村", "委", "办", "局", "厅", "部", "室", "院",
)
# What may follow a level in a group name: 各区人民政府, 各镇街道办事处, 各区有关部门.
GENERIC_TAILS = ("", "人民政府", "政府", "党委", "党工委", "管委会", "办事处", "政府办公室", "有关部门", "相关部门")
# Names of the departments of a level (市有关部门): a group of their own, not a level of the group before.
DEPARTMENT_TAILS = ("有关部门", "相关部门", "部门", "单位")
# Words written before and after names in a list: 由区司法局…, …区人社局等部门.
NAME_LEAD_WORDS = ("由", "均由", "请", "并由", "和", "及", "以及")
NAME_TRAIL_WORDS = ("等相关部门", "等有关部门", "等部门", "等单位", "等")
# Words joining two names written as one (区财政局和区人社局).
NAME_JOINS = ("以及", "和", "及", "与", "等")
# How the name of a body ends (局, 委, 政府, 办事处, …), optionally followed by a bracketed second name.
ORG_ENDINGS = (
    "局", "委", "办", "厅", "部", "院", "署", "会", "政府", "办事处", "中心", "公司", "集团", "队", "所", "站", "处", "室",
    "联", "团", "行", "馆", "台", "社", "街道", "乡镇", "分局", "支队", "单位", "部门", "机构",
)

# -- table headers -------------------------------------------------------------------------------------
# Kinds of column beside the unit columns (whose kinds are the roles above).
SEQ, TITLE, CONTENT, LEADER, DUE, CATEGORY = "seq", "title", "content", "leader", "due", "category"
# Header words of the other columns, most specific first; a header cell takes the first kind matching it
# whole. The unit columns (UNIT_HEADER) are tried right after the leaders.
LEADER_HEADER = r"(?:牵头|责任|分管|包联|联系)(?:区|市|县|校|院)?领导|责任人|负责人"
OTHER_HEADERS = (
    (DUE, r"(?:完成|办结|截止)(?:时限|时间|期限|时点|日期)|时间(?:节点|安排|要求|进度)|时限(?:要求)?|进度安排|完成时限要求"),
    (SEQ, r"序号?|编号|序次"),
    (CONTENT, r"(?:主要|具体|工作|推进|落实|细化|重点|实施|保障)*(?:内容|措施|举措)|任务(?:内容|分解|要求|描述)"
              r"|具体(?:任务|工作)|(?:工作|主要)?目标(?:任务)?|分解任务|工作要求"),
    (TITLE, r"(?:工作|重点|主要|改革|具体|专项)?(?:事项|任务)|任务(?:名称|事项|项目)|重点工作|工作要点|项目(?:名称)?"),
    (CATEGORY, r"类别|领域|类型|板块|方面|分类|工作类别|任务类别"),
)
# Columns of indicator tables (目标值, 权重…), which are not task tables; a column naming the indicator a
# group of tasks serves (考核指标) is a category.
INDICATOR_WORDS = ("指标", "目标值", "基期", "现状值", "预期值", "属性", "权重", "分值")
INDICATOR_VALUE_WORDS = ("目标值", "基期", "现状值", "预期值", "属性", "权重", "分值")
INDICATOR_NAME = r"(?:创建|考核|评价|评估|测评|一级|二级|三级)指标(?:名称|内容|项目)?"
