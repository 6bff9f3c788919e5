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
    "牵头": LEAD, "主责": LEAD, "主办": LEAD, "主要": LEAD,
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
    "牵头考核单位", "主要责任单位",
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
# Any field an annotation may carry after a separator (适用范围：…, 分值：…, 备注：…): a unit label (group 1) or
# another field's label (group 2), whose value is kept as a note and never read as units.
FIELD_RE = re.compile(rf"({LABEL_WORD})\s*[:：]|(?:^|(?<=[，,；;。\s]))([\u4e00-\u9fff]{{2,8}})\s*[:：]")
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
# Words that say a rule stated in an annotation holds for the ones after it too: （…，下同）.
SAME_BELOW_WORDS = ("下同", "以下同", "后同")
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
NAME_TRAIL_WORDS = ("等部门", "等单位", "等")
# Vague parties (X等有关部门, 国务院相关部门和单位): a name ending in one of these is one party, and these words
# alone are never a unit of their own split off a joined name.
VAGUE_PARTY_WORDS = ("有关部门", "相关部门", "有关单位", "相关单位", "有关方面", "部门", "单位", "机构")
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

# -- documents: the preamble before the first heading and the sign-off after the last task ---------------
# Words a plan's title ends with (…实施方案, …任务分工, …工作台账), before closing quotes and brackets.
PLAN_WORDS = (
    "方案", "计划", "意见", "办法", "规划", "清单", "要点", "通知", "措施", "细则", "安排", "纲要", "规定", "分工", "台账",
    "决定", "任务", "举措", "行动", "报告", "总结",
)
# What the title of a task table may end with instead (…任务分工表).
TABLE_WORDS = ("表",)
# The kinds of document a title ends with where a run-together preamble goes on with its first sentence.
RUN_ON_TITLE_WORDS = ("方案", "计划", "意见", "办法", "规划", "要点", "措施", "细则", "清单")
# How the first sentence of a plan starts (为进一步…, 根据…): where a run-together title ends.
OPENING_WORDS = ("为了", "为进一步", "为深入", "为全面", "为加快", "为贯彻", "为", "根据", "按照")
# How the name of an issuing body ends, on the line above the issue date.
ISSUER_ENDINGS = (
    "人民政府", "政府", "办公室", "办公厅", "委员会", "局", "委", "厅", "部", "院", "中心", "办事处", "领导小组", "指挥部",
    "党组",
)
# 经区政府同意: the body that approved the plan.
APPROVAL_WORDS = ("同意", "批准", "研究同意")
# 现将《X》印发给你们: the notice names the plan; 关于印发X的通知: the notice is for plan X.
ISSUE_VERBS = ("印发", "转发", "下发")
# Lines of a masthead or a web page's frame, never the title (区政府文件, 索引号, 发布机构…).
MASTHEAD_STARTS = ("索引号", "发布日期", "发布机构", "主题分类", "来源：", "来源:")
# Lines that close a document after its last task (抄送, 主送, 附件, 联系人).
SIGN_OFF_STARTS = ("抄送", "印发", "主送", "附件", "联系人", "（联系人", "(联系人")
# Words before the year a plan runs to: 到2025年, 截至2026年.
UNTIL_WORDS = ("到", "至", "截至", "截止")
# Headings usual in plans: in a document run together on one line they end where these words end.
HEADING_WORDS = (
    "总体要求", "指导思想", "基本原则", "工作目标", "主要目标", "目标任务", "主要任务", "重点任务", "重点工作", "工作任务",
    "主要措施", "保障措施", "工作要求", "组织实施", "组织保障", "实施步骤", "工作步骤", "进度安排", "时间安排",
)

# -- subjects of sentences: 区司法局适时组织… names the units a measure is for ------------------------------
# How the name of a body that opens a sentence ends.
SUBJECT_ENDINGS = ("街道办事处", "人民政府", "委员会", "办公室", "中心", "局", "委", "办", "院", "厅", "部", "政府")
# Words that follow such a name when it is the sentence's subject.
SUBJECT_FOLLOWERS = (
    "要", "应", "应当", "须", "必须", "负责", "适时", "牵头", "会同", "组织", "定期", "每年", "每季度", "每月", "于", "在", "将",
    "按照", "加强", "建立", "制定", "开展", "做好", "对", "结合", "持续", "进一步", "督促", "指导", "统筹", "及时", "依法",
    "认真", "积极", "切实", "完善", "推进", "推动", "落实", "，", ",",
)
# How a subject's name starts: a level (区, 市, 街道) or 各.
SUBJECT_PREFIXES = ("区", "市", "县", "省", "州", "盟", "旗", "乡", "镇", "街道", "各", "自治区", "国家", "中央", "团")
# Characters and words that never stand inside a subject's name (they start a clause).
NOT_IN_SUBJECT_CHARS = "由对把将从向为在的"
NOT_IN_SUBJECT_WORDS = ("建立", "推进", "落实", "加强", "完善", "组织", "开展", "健全", "制定", "严格", "全面", "深入", "按照", "根据", "依法")
# Words joining the names of several subjects: 区司法局和区财政局要….
SUBJECT_LINKS = "、和与及"

# A heading's list intro naming its items measures of the heading (具体措施：), not tracked items of their own.
MEASURE_INTRO_WORDS = ("措施", "举措")

# -- numbering of headings and items ---------------------------------------------------------------------
# 一、 and （一） number sections; 1. （1） ① number tasks and measures.
CN_NUMBERS = "一二三四五六七八九十"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# -- deadlines, recurrence and targets -------------------------------------------------------------------
# Recurring measures, tried in this order (每半年 is half-yearly before 每年 could be read in it).
RECURRENCE_WORDS: dict[str, tuple[str, ...]] = {
    "half-yearly": ("每半年", "半年一次", "每半个年度"),
    "quarterly": ("每季度", "每季", "按季度", "按季", "季度一次", "一季度一次"),
    "monthly": ("每个月", "每月", "按月", "月度一次", "一月一次"),
    "yearly": ("每一年度", "每一年", "每年度", "每年", "一年一次", "年度一次"),
}
# Measures without an end: a phrase anywhere, a word that is the whole deadline, or a word after a time label.
# Work pushed on at the pace of a schedule, not finished by a date: ongoing.
PROGRESS_PHRASES = ("按进度推进", "按计划推进", "按序时推进", "按序时进度推进", "按年度计划推进")
ONGOING_PHRASES = (
    "长期坚持", "长期推进", "长期开展", "长期执行", "长期有效", "持续推进", "持续开展", "常态化推进", "常态化开展",
    *PROGRESS_PHRASES,
)
# A deadline (a 完成时限 cell) that is one of these words, alone or with a two-character verb (持续优化).
ONGOING_WORDS = ("长期", "持续", "常态化", "长期性", "经常性")
ONGOING_AFTER_LABEL = ("长期", "持续", "常态化")
TIME_LABELS = ("时限", "时间", "时间节点")
# 6月30日前, 2024年底之前.
BEFORE_WORDS = ("前", "之前", "以前")
# 2024年底, 今年年末; 今年内.
YEAR_END_WORDS = ("底", "末", "年底", "年末")
THIS_YEAR_WORDS = ("今年", "本年", "当年")
NEXT_YEAR_WORDS = ("明年", "次年")
# The day of the month a part of it falls due (None: the month's last day): 6月上旬 -> 6月10日.
MONTH_PART_DAYS: dict[str, int | None] = {"底": None, "末": None, "中旬": 20, "上旬": 10, "下旬": None, "中": 20}
# Words after a month that make it a deadline: 6月前, 6月内, 6月完成.
AFTER_MONTH_WORDS = ("前", "之前", "以前", "内", "完成", "为止")
# Words before a year that make it a deadline (到2025年), and after it (2025年前).
BY_YEAR_CUES = ("到", "至", "截至", "截止", "在", "于", "力争", "争取")
AFTER_YEAR_WORDS = ("前", "之前", "以前", "内", "以内", "完成", "取得", "实现", "见效")
# 年内 (within this year) beside an ongoing phrase (年内持续推进) says the work goes on all year: ongoing.
WITHIN_THIS_YEAR = ("年内", "今年内", "本年内", "当年内")
# Words before and after a date that make it a deadline rather than a mention.
BEFORE_DATE_CUES = ("于", "到", "至", "截至", "截止", "在", "前", "力争", "争取", "须", "需")
AFTER_DATE_CUES = ("前", "之前", "以前", "为止", "止", "完成", "内", "底", "末")
# Days counted from the plan's issue (30日内): the unit and how it counts.
RELATIVE_UNITS: dict[str, str] = {
    "工作日": "workdays", "日": "days", "天": "days", "周": "weeks", "星期": "weeks", "个月": "months", "月": "months",
}
WITHIN_WORDS = ("内", "以内", "之内")
# Before a number of days: a time limit to be reached (压缩至15个工作日以内), a target and not a deadline.
DURATION_CUES = ("至", "在", "为", "超过", "缩短", "压减", "压缩", "时限", "期限")
# Before a number of days: an event they count from (收到之日起5个工作日内), unless it is the plan's own issue.
EVENT_CUES = ("之日起", "日起", "以后", "之后", "后", "收到", "发现问题", "受理的", "受理", "接到")
PLAN_ISSUE_EVENTS = ("方案印发", "本通知印发", "方案发布")
# An annotation's clause that is a deadline note, not units: a number, 年底前, 长期….
DEADLINE_CLAUSE = re.compile(r"\d|[年月日]底?前|" + alternation(("年底", "月底", "长期", "持续", "完成")))
# Numeric targets: 不少于2次, 达到100%.
TARGET_CUES = ("不少于", "不低于", "至少", "达到", "不超过", "不多于", "超过", "确保", "每人每年")
TARGET_UNITS = (
    "人次", "学时", "课时", "小时", "次", "天", "日", "个", "件", "场", "期", "人", "家", "项", "篇", "条", "%", "％", "分", "万元",
    "元", "批", "轮", "户", "所", "名", "部", "套", "期次",
)

# Obligations: kinds, subjects, leads
# Words that make a clause ongoing: never overdue for being unfinished.
OBLIGATION_ONGOING_WORDS = (
    "始终", "持续", "不断", "适时", "长期", "长期坚持", "经常性", "常态化", "长效化", "长效", "定期",
    "进行动态调整", "实行动态调整", "实施动态调整", "动态管理", *PROGRESS_PHRASES,
)
# Those of them that may describe a mechanism to build once (建立长效机制, 常态化监督制度).
OBLIGATION_MECHANISM_WORDS = ("经常性", "常态化", "长效化", "长效")
OBLIGATION_MECHANISM_THINGS = ("机制", "制度", "体系")
# Acts that are yearly by nature: 制定年度…方案, 纳入本级预算 (a budget is voted every year).
OBLIGATION_YEARLY_ACTS = re.compile(
    r"(?:制定|编制|印发|出台|报送|提交|形成|开展|组织)年度|纳入[\u4e00-\u9fff]{0,6}?预算"
)
# First verbs of a measure that says nothing of when: a deliverable (one-off, due at the plan's end) …
OBLIGATION_DELIVERABLE_VERBS = (
    "建立健全", "建立完善", "健全完善", "建立", "健全", "完善", "制定", "出台", "印发", "编制", "建成", "形成", "完成",
    "实现", "梳理", "明确", "整合", "清理", "提出", "纳入",
)
# … 开展 with a one-off object (开展一次全面评估, 组织开展…试点) …
OBLIGATION_DELIVERABLE_ACTS = re.compile(r"开展[^，,。；;]{0,20}?(?:评估|试点|专项整治|专项行动|整治行动|清理|轮训)")
# … or a continuing verb (ongoing).
OBLIGATION_CONTINUING_VERBS = (
    "加强", "深化", "推进", "强化", "提升", "严格", "落实", "贯彻", "坚持", "规范", "做好", "推行", "发挥", "运用", "探索",
    "保障", "加大", "注重", "配备", "宣传", "利用",
)
# A verb followed or preceded by these is part of a noun (拟予清理的事项, 完成时限, 落实情况), not the act.
OBLIGATION_NOUN_AFTER = ("的", "情况", "时限", "时间")
OBLIGATION_NOUN_BEFORE = ("拟", "予", "已", "所")
# Kinds of unit a sentence may start with, by the directory group they mean (a directory alias may rename it).
OBLIGATION_GROUP_WORDS = {
    "相关执法部门": ("区级赋权行政执法部门", "赋权行政执法部门", "有关行政执法部门", "相关行政执法部门", "相关执法部门",
                "有关执法部门"),
    "各行政执法部门": ("各行政执法部门", "行政执法部门", "各行政执法机关", "行政执法机关", "各执法部门"),
    "各街道办事处": ("各街道办事处", "街道办事处", "各乡镇（街道）", "乡镇（街道）", "乡镇(街道)", "各街道", "街道", "各镇街",
                "镇街"),
}
# Units followed by these are a modifier, not the subject (区财政局…参加的工作会商机制, 行政执法部门所承担的).
OBLIGATION_MODIFIER = re.compile(r"[\u4e00-\u9fff]{0,2}的|所|之")
# Words after which a group is what the measure acts on, not who acts (对街道…, 下放街道, 赋权街道).
OBLIGATION_OBJECT_CUES = ("对", "向", "为", "给", "赋权", "下放", "下放到", "下放至", "指导", "帮助")
# The district's own things (健全完善河北区…考评指标): built by the task's lead. {level} is the plan's level (区).
OBLIGATION_OWN_PLACES = ("全{level}", "我{level}", "本{level}")
OBLIGATION_OWN_THINGS = ("指标", "体系", "方案", "规划", "制度", "机制", "平台", "台账", "清单")
OBLIGATION_PLAN_LEVEL = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?P<level>自治县|自治州|区|县|市|旗)")
# A target counted per person (每人每年不少于60学时), and one that means everyone (全覆盖).
OBLIGATION_PER_PERSON = re.compile(r"每人|人均|每名|每位")
OBLIGATION_FULL_COVERAGE = re.compile(r"全覆盖|(?<![\d.])100\s*[%％]")
# Titles of a plan's closing section whose items are requirements, not tasks.
OBLIGATION_REQUIREMENT_TITLES = (
    "工作要求", "保障措施", "组织保障", "组织实施", "组织领导", "保障机制", "工作保障", "实施保障", "有关要求", "相关要求",
)
