"""Shapes of plans seen in the third round of unseen documents (central, provincial, municipal and county
texts), each written here as new sentences of the same form: tracked items under headings, annotations
with other fields, vague parties, rules stated inside an annotation, numbers running into digits, one-line
documents, deadline wordings and issuers."""

import pytest

from plans.importer import parse_file
from plans.importer.deadlines import parse_deadline
from plans.importer.obligations import Directory, read_obligations
from plans.importer.text import parse_text
from plans.importer.units import parse_annotation
from tests.plans.demo_plan import DEMO_PLAN
from tests.plans.test_sources import UP, read_sample, without_source, write_docx, write_xlsx


@pytest.fixture(scope="module")
def directory():
    return Directory.from_csv(DEMO_PLAN.parent / "units.csv")


def test_items_with_their_own_annotations_under_a_list_heading_are_tracked_items():
    plan = parse_text(
        "某市优化营商环境实施方案\n一、提升政务服务效能\n（一）推进政务服务标准化。重点做好以下工作：\n"
        "1．编制政务服务事项清单。（牵头单位：市政务服务局；配合单位：市司法局）\n"
        "2．推行告知承诺制。（牵头单位：市市场监管局）\n"
        "（二）优化审批流程。主要包括：\n"
        "3．压缩审批时限。（牵头单位：市发展改革委）\n"
        "4．推进联合验收。（牵头单位：市住房城乡建设局）\n"
    )
    assert [(t["number"], t["section"], t["title"], t["lead_units"]) for t in plan["tasks"]] == [
        (1, "（一）", "编制政务服务事项清单", ["市政务服务局"]),
        (2, "（一）", "推行告知承诺制", ["市市场监管局"]),
        (3, "（二）", "压缩审批时限", ["市发展改革委"]),
        (4, "（二）", "推进联合验收", ["市住房城乡建设局"]),
    ]
    assert plan["tasks"][0]["units"] == ["市政务服务局", "市司法局"]
    assert [(s["number"], s["title"]) for s in plan["sections"]][1:] == [
        ("（一）", "推进政务服务标准化"), ("（二）", "优化审批流程")]


def test_items_a_heading_calls_measures_stay_measures_of_the_heading():
    plan = parse_text(
        "某市优化营商环境实施方案\n一、提升政务服务效能\n（一）推进政务服务标准化。具体措施：\n"
        "1．编制政务服务事项清单。（牵头单位：市政务服务局）\n"
        "2．推行告知承诺制。（牵头单位：市市场监管局）\n"
    )
    [task] = plan["tasks"]
    assert task["title"] == "推进政务服务标准化"
    assert [m["units"] for m in task["measures"]] == [["市政务服务局"], ["市市场监管局"]]


def test_items_without_annotations_under_a_list_heading_stay_its_measures():
    plan = parse_text(
        "某县工作方案\n一、重点任务\n（一）加强队伍建设。主要包括：\n1．开展全员培训。\n2．组织业务考试。\n"
        "（县司法局负责）\n"
    )
    [task] = plan["tasks"]
    assert (task["title"], task["units"], len(task["measures"])) == ("加强队伍建设", ["县司法局"], 2)


def annotation(text: str, **kwargs) -> tuple:
    a = parse_annotation(text, **kwargs)
    return (a.leads, a.units, a.note) if a else None


def test_a_deadline_before_the_label_is_read_as_the_items_deadline():
    plan = parse_text(
        "某县2025年收费清理工作方案\n一、重点任务\n"
        "1．清理违规收费项目。（9月底完成，牵头考核单位：县财政局、县发展改革委）\n"
    )
    [task] = plan["tasks"]
    assert task["lead_units"] == ["县财政局", "县发展改革委"]
    assert task["measures"][0]["due"] == "2025-09-30"


def test_a_second_field_after_the_units_is_a_note_never_a_unit():
    assert annotation("（牵头部门：县市场监管局，适用范围：全县中介机构）") == (
        ["县市场监管局"], ["县市场监管局"], "适用范围：全县中介机构")
    assert annotation("（责任单位：县司法局；分值：5分）") == ([], ["县司法局"], "分值：5分")
    assert annotation("（牵头单位：市财政局；配合单位：市税务局；备注：纳入年度考核）") == (
        ["市财政局"], ["市财政局", "市税务局"], "备注：纳入年度考核")
    assert annotation("（县卫健局负责，适用范围：乡镇卫生院）") == ([], ["县卫健局"], "适用范围：乡镇卫生院")


def test_a_score_among_the_units_is_a_note():
    assert annotation("（责任单位：县司法局、县公安局，5分）") == ([], ["县司法局", "县公安局"], "5分")


def test_the_other_field_is_kept_with_the_measure():
    plan = parse_text("某县工作方案\n一、重点任务\n1．规范中介服务。（牵头部门：县市场监管局，备注：按季度通报）\n")
    assert plan["tasks"][0]["measures"][0]["text"] == "规范中介服务。（备注：按季度通报）"
    assert plan["tasks"][0]["units"] == ["县市场监管局"]


# -- tables ---------------------------------------------------------------------------------------------

def write_tsv_without_merged_cells(blocks, path):
    """Tab-separated text as copied from a table whose merged cells were dropped: a continuation row is
    shorter than the header. A cell's line breaks stay as they are (no quotes)."""
    lines = []
    for kind, value in blocks:
        lines += [value] if kind == "p" else ["\t".join(c for c in row if c != UP) for row in value]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def same_tasks_from_every_file(blocks, tmp_path) -> dict:
    text = parse_file(write_tsv_without_merged_cells(blocks, tmp_path / "plan.txt"))
    from_xlsx = parse_file(write_xlsx(blocks, tmp_path / "plan.xlsx"))
    from_docx = parse_file(write_docx(blocks, tmp_path / "plan.docx"))
    assert without_source(text) == without_source(from_xlsx) == without_source(from_docx)
    return text


def test_a_table_pasted_without_its_merged_cells_reads_as_its_xlsx_and_docx_twins(tmp_path):
    plan = same_tasks_from_every_file(read_sample("merged_dropped"), tmp_path)
    assert [(t["number"], t["title"], t["units"]) for t in plan["tasks"]] == [
        (1, "深化政务服务改革", ["县政务服务中心", "县行政审批局", "县大数据中心"]),
        (2, "优化信用监管", ["县市场监管局", "县发展改革委"]),
        (3, "强化要素保障", ["县税务局", "县财政局"]),
    ]
    # The cell of sub-points is three measures of its row, with that row's unit and deadline.
    first = plan["tasks"][0]["measures"]
    assert [(m["text"], m["units"], m["due"]) for m in first[1:4]] == [
        ("编制事项清单；", ["县行政审批局"], "2025-09-30"),
        ("统一办理标准；", ["县行政审批局"], "2025-09-30"),
        ("公开办事指南。", ["县行政审批局"], "2025-09-30"),
    ]
    assert plan["warnings"] == []


def test_sub_points_of_a_cell_on_lines_of_their_own_stay_in_their_row(tmp_path):
    blocks = [("p", "某市2025年审批改革任务分工表"), ("table", [
        ["序号", "工作任务", "具体举措", "牵头处室", "完成时间"],
        ["1", "精简审批环节", "1．取消重复材料；\n2．合并现场踏勘；\n3．推行容缺受理。", "审批一处", "2025年8月底前"],
        ["2", "提升网办深度", "推动高频事项全程网办。", "数据管理处", "2025年底前"],
    ])]
    plan = same_tasks_from_every_file(blocks, tmp_path)
    assert [(t["number"], t["lead_units"], len(t["measures"])) for t in plan["tasks"]] == [
        (1, ["审批一处"], 3), (2, ["数据管理处"], 1)]


def test_a_row_whose_last_cells_are_empty_is_a_row_of_its_own(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("某县工作任务清单\n序号\t工作事项\t责任单位\t备注\n1\t开展执法培训\t县司法局\n"
                    "2\t组织案卷评查\t县司法局\t每季度一次\n", "utf-8")
    assert [t["title"] for t in parse_file(path)["tasks"]] == ["开展执法培训", "组织案卷评查"]


# -- rules and remarks inside an annotation ----------------------------------------------------------------

def test_a_rule_on_leads_stated_inside_an_annotation_applies_to_it_and_to_the_following_ones():
    plan = parse_text(
        "某县工作方案\n一、重点任务\n1．清理违规收费。（县财政局、县税务局负责，列第一位者为牵头单位，下同）\n"
        "2．规范中介服务。（县市场监管局、县发展改革委负责）\n"
    )
    assert [(t["number"], t["lead_units"], t["units"]) for t in plan["tasks"]] == [
        (1, ["县财政局"], ["县财政局", "县税务局"]),
        (2, ["县市场监管局"], ["县市场监管局", "县发展改革委"]),
    ]


def test_a_line_that_only_states_the_rule_on_leads_is_not_an_item():
    plan = parse_text("某县工作方案\n（排在第一位的部门为牵头部门，下同）\n一、重点任务\n1．清理违规收费。（县财政局、县税务局负责）\n")
    assert [(t["title"], t["lead_units"]) for t in plan["tasks"]] == [("清理违规收费", ["县财政局"])]


def test_a_remark_after_the_units_and_their_role_ending_stay_out_of_the_names():
    assert annotation("〔责任单位：省交通运输厅、省财政厅、省商务厅按职责分工负责。各市（州）均有任务，不再列出，下同。〕") == (
        [], ["省交通运输厅", "省财政厅", "省商务厅"], "各市（州）均有任务，不再列出，下同")
    assert annotation("（牵头单位：市卫生健康委牵头；配合单位：市医保局配合）") == (
        ["市卫生健康委"], ["市卫生健康委", "市医保局"], "")


# -- vague parties ---------------------------------------------------------------------------------------

def test_vague_parties_stay_whole_and_never_yield_a_unit_called_units():
    assert annotation("（国务院相关部门和单位按职责分工负责）") == ([], ["国务院相关部门和单位"], "")
    assert annotation("（省卫生健康委牵头，各有关单位配合）") == (["省卫生健康委"], ["省卫生健康委", "各有关单位"], "")
    assert annotation("（市城管局等有关部门负责）") == ([], ["市城管局等有关部门"], "")
    assert annotation("（责任单位：市民政局、市残联等相关部门）") == ([], ["市民政局", "市残联等相关部门"], "")
    # Named bodies joined by 和 or 等 and a named group still split.
    assert annotation("（市财政局和市税务局负责）") == ([], ["市财政局", "市税务局"], "")
    assert annotation("（自然资源部等国务院有关部门负责）") == ([], ["自然资源部", "国务院有关部门"], "")


# -- labels ------------------------------------------------------------------------------------------------

def test_labels_named_in_the_issue_read_with_their_role_and_stay_out_of_the_names():
    assert annotation("（负责部门：自然资源部）") == ([], ["自然资源部"], "")
    assert annotation("（牵头处室：法规处；协办单位：综合处）") == (["法规处"], ["法规处", "综合处"], "")
    assert annotation("（主办单位：市商务局；协办单位：市财政局）") == (["市商务局"], ["市商务局", "市财政局"], "")
    assert annotation("（考核部门：市考评办）") == ([], ["市考评办"], "")


def test_a_main_responsible_unit_on_its_own_line_is_the_lead_and_a_leader_is_a_note():
    plan = parse_text(
        "某区2026年重点工作分工方案\n一、主要预期目标\n1．地区生产总值增长5%左右。\n牵头领导：常务副区长\n主要责任单位：区发展改革委\n"
    )
    [task] = plan["tasks"]
    assert (task["lead_units"], task["units"]) == (["区发展改革委"], ["区发展改革委"])


# -- numbers ---------------------------------------------------------------------------------------------

def test_an_item_number_followed_by_text_starting_with_digits_is_the_next_item():
    plan = parse_text(
        "某县人才工作方案\n一、主要任务\n10．完善人才服务机制。（县人社局负责）\n"
        "11．121人才梯队项目全面启动。（县人社局、县财政局负责）\n12．3.5万平方米孵化基地建成。（县工信局负责）\n"
    )
    assert [(t["number"], t["title"], t["units"]) for t in plan["tasks"]] == [
        (10, "完善人才服务机制", ["县人社局"]),
        (11, "121人才梯队项目全面启动", ["县人社局", "县财政局"]),
        (12, "3.5万平方米孵化基地建成", ["县工信局"]),
    ]


def test_a_decimal_that_is_not_the_next_number_stays_in_its_item():
    plan = parse_text("某县工作方案\n一、主要任务\n1．扩大有效投资。全年投资增长\n7.5%以上。（县发展改革委负责）\n")
    [task] = plan["tasks"]
    assert task["number"] == 1 and "7.5%以上" in task["measures"][-1]["text"]


# -- one-line documents ----------------------------------------------------------------------------------

def test_a_part_heading_running_into_its_first_item_in_a_one_line_document_splits_the_item_off():
    plan = parse_text(
        "某区优化营商环境实施方案 为进一步优化营商环境，制定本方案。一、进一步简化审批（一）进一步降低准入门槛。"
        "（区市场监管局负责）（二）推进证照分离。（区政务服务局负责）二、进一步优化服务（三）提升办事效率。"
        "（区行政审批局、区大数据中心负责）（四）推行帮办代办。（区政务服务局负责）"
    )
    assert [(t["section"], t["title"], t["units"]) for t in plan["tasks"]] == [
        ("一、", "进一步降低准入门槛", ["区市场监管局"]),
        ("一、", "推进证照分离", ["区政务服务局"]),
        ("二、", "提升办事效率", ["区行政审批局", "区大数据中心"]),
        ("二、", "推行帮办代办", ["区政务服务局"]),
    ]
    assert [s["title"] for s in plan["sections"]] == ["进一步简化审批", "进一步优化服务"]


def test_numbered_items_running_on_from_part_headings_in_a_one_line_document():
    plan = parse_text(
        "某县安全生产工作要点 一、压实责任1．落实属地责任。（县应急局负责）2．落实部门责任。（县安委办负责）"
        "二、强化治理3．开展隐患排查。（县应急局、各乡镇人民政府负责）"
    )
    assert [(t["number"], t["section"], t["units"]) for t in plan["tasks"]] == [
        (1, "一、", ["县应急局"]), (2, "一、", ["县安委办"]), (3, "二、", ["县应急局", "各乡镇人民政府"])]


# -- deadline wordings -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "kind", "due"), [
    ("清理涉企收费，6月取得明显成效。", "once", "2026-06-30"),
    ("完成存量问题整改，9月份全部销号。", "once", "2026-09-30"),
    ("2027年取得阶段性成效。", "once", "2027-12-31"),
    ("审批服务持续优化，企业满意度稳步提高。", "ongoing", None),
    ("示范项目按进度推进。", "ongoing", None),
    ("年内持续推进信用修复。", "ongoing", None),
    ("信用承诺制度年内出台。", "once", "2026-12-31"),
    ("长期坚持政务公开。", "ongoing", None),
])
def test_deadline_wordings_map_to_the_kinds_of_obligation(directory, sentence, kind, due):
    plan = read_obligations(parse_text(
        f"某区2026年营商环境工作要点\n2026年3月2日\n一、重点任务\n1．优化营商环境。{sentence}（区发展改革委负责）\n"
    ), directory)
    [m] = plan["tasks"][0]["measures"]
    assert (m["kind"], m["due"]) == (kind, due)


@pytest.mark.parametrize(("cell", "ongoing"), [("持续优化", True), ("按进度推进", True), ("持续提升能力素养", False)])
def test_a_deadline_cell_of_an_ongoing_word_and_its_verb_is_ongoing(cell, ongoing):
    assert parse_deadline(cell, year_hint=2026).ongoing is ongoing


# -- issuers and titles ------------------------------------------------------------------------------------

def test_the_body_a_notice_title_names_is_the_issuer_not_the_one_that_approved_it():
    plan = parse_text(
        "国务院办公厅关于印发提升便民服务水平行动方案的通知\n各省、自治区、直辖市人民政府，国务院各部委：\n"
        "经国务院同意，现将《提升便民服务水平行动方案》印发给你们，请认真贯彻执行。\n"
        "一、重点任务\n1．推广便民服务码。（国家发展改革委牵头，国务院相关部门和单位按职责分工负责）\n"
    )
    assert (plan["title"], plan["issuer"]) == ("提升便民服务水平行动方案", "国务院办公厅")
    assert plan["tasks"][0]["units"] == ["国家发展改革委", "国务院相关部门和单位"]


def test_a_cover_notice_with_numbered_paragraphs_is_preamble_and_its_signature_the_issuer():
    plan = parse_text(
        "关于印发《2026年镇政府工作报告重点任务分解方案》的通知\n各村（居）委会，镇属各单位：\n"
        "现将《2026年镇政府工作报告重点任务分解方案》印发给你们，并提出以下要求：\n"
        "一、压实责任。各单位要逐项制定推进计划。\n二、按时报送。每季度末报送进展情况。\n"
        "某某镇人民政府办公室\n2026年2月10日\n2026年镇政府工作报告重点任务分解方案\n一、主要目标\n"
        "1．地方财政收入增长6%。\n牵头单位：镇财政所\n责任单位：各村（居）委会\n"
    )
    assert (plan["issuer"], plan["issued_on"], plan["title"]) == (
        "某某镇人民政府办公室", "2026-02-10", "2026年镇政府工作报告重点任务分解方案")
    assert [(t["number"], t["lead_units"]) for t in plan["tasks"]] == [(1, ["镇财政所"])]
    assert [s["title"] for s in plan["sections"]] == ["主要目标"]


@pytest.mark.parametrize("preamble", [
    "各乡镇人民政府，县直各部门：\n现将《某县秸秆禁烧工作方案》印发给你们，请认真执行。\n某县人民政府办公室\n2026年3月1日\n",
    "某县人民政府办公室关于印发某县秸秆禁烧工作方案的通知\n",
])
def test_a_document_without_a_title_line_takes_its_title_from_its_notice(preamble):
    plan = parse_text(preamble + "一、重点任务\n1．加强田间巡查。（各乡镇人民政府负责）\n")
    assert (plan["title"], plan["issuer"]) == ("某县秸秆禁烧工作方案", "某县人民政府办公室")


def test_an_item_among_the_tasks_that_could_not_be_placed_is_a_warning_with_its_line():
    plan = parse_text(
        "某县工作方案\n一、重点任务\n（一）加强调研\n1．开展专题调研。\n（二）清理收费\n"
        "2．清理违规收费。（县财政局负责）\n3．规范中介服务。（县市场监管局负责）\n"
    )
    assert [t["number"] for t in plan["tasks"]] == [2, 3]
    assert {"line": 4, "message": "条目“1.开展专题调研”未作为任务导入（没有责任单位），请在预览中核对。"} in plan["warnings"]
