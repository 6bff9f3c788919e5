"""parse_rows: task tables recognised by their headers, read row by row into the importer's dict."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plans.importer import PlanImportError
from plans.importer.preamble import NO_PERIOD
from plans.importer.tables import column_kind, find_header, parse_rows, split_measures

SAMPLES = Path(__file__).parent / "fixtures" / "tables"


def sample_rows(name: str) -> list[list[str]]:
    """A sample's lines as rows (merge markers ^ and < read as the empty cells a text copy has)."""
    lines = (SAMPLES / f"{name}.txt").read_text("utf-8").splitlines()
    return [["" if c in ("^", "<") else c for c in line.split("\t")] for line in lines if not line.startswith("#")]


def task(data: dict, title: str) -> dict:
    return next(t for t in data["tasks"] if t["title"] == title)


@pytest.mark.parametrize("header, kind", [
    ("序号", "seq"), ("序 号", "seq"), ("工作事项", "title"), ("重点任务", "title"), ("任务名称", "title"),
    ("工作任务", "title"), ("主要内容", "content"), ("具体措施", "content"), ("工作措施", "content"),
    ("任务内容", "content"), ("具体工作措施", "content"), ("牵头单位", "lead"), ("牵头部门", "lead"),
    ("责任单位", "resp"), ("责任单位及责任人", "resp"), ("牵头领导", "leader"), ("配合单位", "support"),
    ("协办单位", "support"), ("完成时限", "due"), ("时间节点", "due"), ("完成时间", "due"),
    ("完成时限\n（截止日期）", "due"), ("类别", "category"), ("领域", "category"),
    ("姓名", None), ("职务", None), ("联系电话", None), ("单位", None), ("指标名称", None), ("备注", None),
    ("目标值", None), ("加强组织领导，明确责任分工，确保各项任务落到实处", None),
])
def test_column_names_are_recognised_by_meaning(header, kind):
    assert column_kind(header) == kind


def test_indicator_and_officials_tables_are_not_task_tables():
    indicators = [["序号", "指标名称", "2024年目标值", "责任单位"], ["1", "复议纠错率", "10%", "区司法局"]]
    officials = [["姓名", "单位", "职务", "联系电话"], ["王明", "区司法局", "科长", "123"]]
    no_units = [["序号", "重点任务", "主要内容"], ["1", "加强领导", "成立专班。"]]
    for rows in (indicators, officials, no_units):
        assert find_header(rows) is None
        with pytest.raises(PlanImportError, match="没有找到任务表"):
            parse_rows(rows)


def test_header_below_a_title_with_columns_in_any_order():
    data = parse_rows(sample_rows("fenggong"))
    assert data["title"] == "某市优化营商环境三年行动任务分工表（2024—2026年）"
    assert data["ends_on"] == "2026-12-31"  # the last year of the title's range
    assert data["sections"] == [
        {"number": "一、", "title": "提升政务服务效能", "parent": None},
        {"number": "二、", "title": "加强事中事后监管", "parent": None},
    ]
    assert [(t["number"], t["title"], t["section"], t["line"]) for t in data["tasks"]] == [
        (1, "推行“一网通办”", "一、", 4),
        (2, "优化企业开办流程", "一、", 6),
        (3, "推行“双随机、一公开”监管", "二、", 8),
        (4, "规范涉企行政检查", "二、", 10),
    ]
    first = task(data, "推行“一网通办”")
    assert first["lead_units"] == ["市政务服务办"]
    assert first["units"] == ["市政务服务办", "市大数据局", "各区人民政府", "市市场监管局"]
    assert [(m["text"], m["due"]) for m in first["measures"]] == [
        ("梳理公布政务服务事项目录。", "2024-06-30"),
        ("高频事项网上可办率达到95%以上。", "2024-06-30"),
        ("推进电子证照在企业开办中的应用。", "2024-12-31"),
    ]
    # The continuation row names its own 配合单位; its empty 牵头单位 means the one above.
    assert first["measures"][2]["units"] == ["市政务服务办", "市市场监管局"]
    ongoing = task(data, "优化企业开办流程")["measures"][0]
    assert (ongoing["due"], ongoing["due_phrase"], ongoing["ongoing"]) == (None, "长期坚持", True)
    quarterly = task(data, "推行“双随机、一公开”监管")["measures"]
    assert [m["recurrence"] for m in quarterly] == ["quarterly", "quarterly"]
    assert quarterly[0]["target"] == {"value": 4, "unit": "次"}
    assert task(data, "规范涉企行政检查")["measures"][0]["due_phrase"] == "2025年6月30日"
    assert data["warnings"] == [{"line": 9, "message": "无法识别的时限“20个工作日内”，请在预览中核对。"}]


def test_two_row_header_with_lead_and_supporting_units_and_time_nodes():
    data = parse_rows(sample_rows("taizhang"))
    assert data["title"] == "某区2024年度安全生产重点工作台账"
    assert [t["title"] for t in data["tasks"]] == ["开展安全生产大检查", "加强安全培训", "推进隐患排查治理", "完善应急预案"]
    check = task(data, "开展安全生产大检查")
    assert (check["lead_units"], check["units"]) == (["区应急局"], ["区应急局", "区住房建设委", "区市场监管局"])
    assert [(m["due"], m["recurrence"]) for m in check["measures"]] == [("2024-09-30", None), ("2024-09-30", "monthly")]
    hazards = task(data, "推进隐患排查治理")
    assert [m["units"] for m in hazards["measures"]] == [["区应急局", "区消防救援支队"], ["区应急局", "区市场监管局"]]
    assert [m["due"] for m in hazards["measures"]] == ["2024-10-31", "2024-10-31"]  # 2024.10, merged down
    assert hazards["measures"][0]["due_phrase"] == "2024.10"
    assert data["warnings"] == [{"line": 9, "message": "任务“完善应急预案”未写明责任单位，请在预览中补填。"}]
    assert data["ends_on"] == "2024-12-31"  # no range or 到20XX年底: the latest deadline


def test_responsible_units_alone_lead_plus_responsible_and_responsible_plus_supporting():
    alone = parse_rows([["序号", "工作任务", "责任单位"], ["1", "开展普法", "区司法局、区教育局"]])
    assert (alone["tasks"][0]["lead_units"], alone["tasks"][0]["units"]) == ([], ["区司法局", "区教育局"])
    lead_resp = parse_rows([["序号", "工作任务", "牵头单位", "责任单位"], ["1", "开展普法", "区司法局", "区教育局"]])
    assert (lead_resp["tasks"][0]["lead_units"], lead_resp["tasks"][0]["units"]) == (["区司法局"], ["区司法局", "区教育局"])
    resp_support = parse_rows([["序号", "工作任务", "责任单位", "协办单位"], ["1", "开展普法", "区司法局", "区教育局"]])
    assert resp_support["tasks"][0]["lead_units"] == ["区司法局"]


def test_first_listed_unit_leads_when_the_document_says_so():
    rows = [["序号", "重点任务", "责任单位"], ["1", "推进示范创建", "区司法局，区民政局"]]
    data = parse_rows(rows, before=["某区法治建设任务分工", "表中列第一位者为牵头单位。"])
    assert data["tasks"][0]["lead_units"] == ["区司法局"]
    assert parse_rows(rows)["tasks"][0]["lead_units"] == []


def test_unit_cell_written_as_an_annotation():
    data = parse_rows([["序号", "重点任务", "责任单位"], ["1", "推进示范创建", "区司法局牵头，区民政局、区财政局配合"]])
    assert data["tasks"][0]["lead_units"] == ["区司法局"]
    assert data["tasks"][0]["units"] == ["区司法局", "区民政局", "区财政局"]


def test_lead_official_is_recorded_but_is_not_a_unit():
    data = parse_rows([["序号", "工作事项", "牵头领导", "牵头单位", "配合单位"],
                       ["1", "推进智慧城管建设", "张副区长", "区城市管理委", "区大数据中心"]])
    first = data["tasks"][0]
    assert first["leaders"] == ["张副区长"]
    assert first["units"] == ["区城市管理委", "区大数据中心"]


def test_category_column_groups_tasks_into_sections():
    rows = [
        ["类别", "序号", "工作事项", "责任单位", "完成时限"],
        ["制度建设", "1", "修订议事规则", "区政府办", "2024年底前"],
        ["", "2", "完善决策程序", "区司法局", "2024年底前"],
        ["（二）队伍建设", "3", "开展轮训", "区司法局", "2025年6月底前"],
    ]
    data = parse_rows(rows)
    assert data["sections"] == [
        {"number": "一、", "title": "制度建设", "parent": None},
        {"number": "（二）", "title": "队伍建设", "parent": "一、"},
    ]
    assert [t["section"] for t in data["tasks"]] == ["一、", "一、", "（二）"]


def test_table_without_a_title_column_takes_the_first_sentence_as_title():
    rows = [
        ["序号", "任务内容", "责任单位", "完成时限"],
        ["1", "加强执法培训。每年组织不少于2次专题培训。建立培训档案。", "区司法局", "每年"],
        ["2", "开展案卷评查，发现问题及时整改", "区司法局", "2024年11月底前"],
    ]
    data = parse_rows(rows)
    first, second = data["tasks"]
    assert first["title"] == "加强执法培训"
    assert [m["text"] for m in first["measures"]] == ["每年组织不少于2次专题培训。", "建立培训档案。"]
    assert first["measures"][0]["target"] == {"value": 2, "unit": "次"}
    assert second["title"] == "开展案卷评查，发现问题及时整改"
    assert [m["text"] for m in second["measures"]] == ["开展案卷评查，发现问题及时整改"]


def test_numbered_deadlines_in_one_cell_go_to_their_own_measures():
    rows = [["序号", "工作事项", "具体措施", "牵头单位", "完成时限"],
            ["1", "建设执法平台", "1．完成平台招标。2．平台上线运行。", "区大数据中心", "1．2024年6月底前；2．2024年底前"]]
    measures = parse_rows(rows)["tasks"][0]["measures"]
    assert [(m["text"], m["due"]) for m in measures] == [("完成平台招标。", "2024-06-30"), ("平台上线运行。", "2024-12-31")]


def test_unreadable_deadline_cell_is_a_warning_with_its_row():
    rows = [["说明行"], ["序号", "工作事项", "牵头单位", "完成时限"], ["1", "开展督查", "区督查室", "视情况而定"]]
    data = parse_rows(rows, lines=[11, 12, 13])
    assert data["tasks"][0]["line"] == 13
    assert data["tasks"][0]["measures"][0]["due"] is None
    assert {"line": 13, "message": "无法识别的完成时限“视情况而定”，请在预览中核对。"} in data["warnings"]


def test_header_repeated_on_a_new_page_is_skipped_and_sections_in_the_seq_column_are_read():
    rows = [
        ["序号", "工作事项", "牵头单位"],
        ["组织保障", "", ""],
        ["1", "成立领导小组", "区政府办"],
        ["序号", "工作事项", "牵头单位"],
        ["2", "建立联席会议", "区司法局"],
    ]
    data = parse_rows(rows)
    assert [t["title"] for t in data["tasks"]] == ["成立领导小组", "建立联席会议"]
    assert data["sections"] == [{"number": "一、", "title": "组织保障", "parent": None}]


def test_merged_title_and_number_given_as_merged_cells():
    rows = [["序号", "工作事项", "具体措施", "责任单位"],
            ["1", "规范执法行为", "推行执法全过程记录。", "区城市管理委"],
            ["1", "规范执法行为", "落实重大执法决定法制审核。", "区司法局"],
            ["2", "强化监督", "开展案卷评查。", "区司法局"]]
    data = parse_rows(rows, merged={(2, 0), (2, 1)})
    first = data["tasks"][0]
    assert len(data["tasks"]) == 2
    assert [m["units"] for m in first["measures"]] == [["区城市管理委"], ["区司法局"]]
    assert first["units"] == ["区城市管理委", "区司法局"]


def test_title_cell_with_a_whole_paragraph():
    rows = [["序号", "重点任务", "责任单位", "完成时限"],
            ["1", "1.深化综合执法改革。整合执法队伍，推动执法重心下移。2024年底前完成队伍整合。", "区委编办", ""]]
    first = parse_rows(rows)["tasks"][0]
    assert (first["number"], first["title"]) == (1, "深化综合执法改革")
    assert [(m["text"], m["due"]) for m in first["measures"]] == [
        ("整合执法队伍，推动执法重心下移。", None), ("2024年底前完成队伍整合。", "2024-12-31")]


def test_issue_date_issuer_and_title_from_the_paragraphs_around_the_table():
    rows = [["序号", "工作事项", "责任单位"], ["1", "开展培训", "区司法局"]]
    data = parse_rows(rows, before=["各街道办事处：", "现将《某区执法能力提升工作台账》印发给你们，请认真落实。"],
                      after=["某区司法局", "二〇二四年五月八日"], name="上传文件")
    assert data["title"] == "某区执法能力提升工作台账"
    assert (data["issuer"], data["issued_on"]) == ("某区司法局", "2024-05-08")
    assert parse_rows(rows, name="上传文件")["title"] == "上传文件"


@pytest.mark.parametrize("text, measures", [
    ("1．梳理目录。2．公开目录。", ["梳理目录。", "公开目录。"]),
    ("主要措施：（1）建立机制；（2）定期通报。", ["建立机制；", "定期通报。"]),
    ("①开展检查②通报结果", ["开展检查②通报结果"]),
    ("一是加强领导。二是强化保障。", ["加强领导。", "强化保障。"]),
    ("开展培训。组织考试！", ["开展培训。", "组织考试！"]),
    ("按2.5倍标准配备", ["按2.5倍标准配备"]),
    ("第一句\n第二句", ["第一句", "第二句"]),
    ("", []),
])
def test_several_measures_in_one_cell(text, measures):
    assert split_measures(text) == measures


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(
    st.sampled_from(["序号", "工作事项", "主要内容", "牵头单位", "责任单位", "配合单位", "完成时限", "牵头领导", "类别",
                     "1", "一、总则", "（二）分则", "区司法局、区财政局", "2024年底前", "每季度", "长期坚持", "1．甲。2．乙。",
                     "X牵头，Y配合", "", "。", "①"]),
    st.text(max_size=12)), max_size=7), max_size=9))
def test_any_grid_gives_a_plan_or_a_plan_import_error(rows):
    try:
        data = parse_rows(rows)
    except PlanImportError:
        return
    assert data["tasks"] and all(t["measures"] is not None for t in data["tasks"])


def test_role_written_after_a_unit_name_in_a_unit_cell():
    data = parse_rows([["序号", "重点任务", "责任单位"], ["1", "推进示范创建", "区民政局、区司法局（牵头）、区财政局（配合）"]])
    first = data["tasks"][0]
    assert first["lead_units"] == ["区司法局"]
    assert first["units"] == ["区司法局", "区民政局", "区财政局"]


def test_content_cell_with_numbered_items_and_no_title_column():
    rows = [["序号", "工作内容", "责任单位"],
            ["1", "1．修订执法文书。2．统一执法服装。", "区城市管理委"],
            ["2", "加强执法保障：（1）配备执法记录仪；（2）更新执法车辆。", "区财政局"]]
    first, second = parse_rows(rows)["tasks"]
    assert (first["number"], first["title"]) == (1, "修订执法文书")
    assert [m["text"] for m in first["measures"]] == ["修订执法文书。", "统一执法服装。"]
    assert (second["number"], second["title"]) == (2, "加强执法保障")
    assert [m["text"] for m in second["measures"]] == ["配备执法记录仪；", "更新执法车辆。"]


def test_category_rows_numbered_in_the_seq_column():
    rows = [
        ["序号", "工作任务", "责任单位", "完成时限", "备注"],
        ["（一）", "深化“放管服”改革", "", "", ""],
        ["1", "全面实行行政许可事项清单管理。", "市发展改革委牵头，市财政局、市商务局按职责分工负责", "2024年底前", ""],
        ["（二）", "优化法治环境", "", "", ""],
        ["2", "开展涉企法规规章清理。", "市司法局会同市有关部门负责", "2024年6月", ""],
        ["三", "加强组织实施", "", "", ""],
        ["3", "开展实施情况评估。", "市司法局", "", ""],
    ]
    data = parse_rows(rows)
    assert data["sections"] == [
        {"number": "（一）", "title": "深化“放管服”改革", "parent": None},
        {"number": "（二）", "title": "优化法治环境", "parent": None},
        {"number": "三、", "title": "加强组织实施", "parent": None},
    ]
    assert [(t["number"], t["section"], t["lead_units"]) for t in data["tasks"]] == [
        (1, "（一）", ["市发展改革委"]), (2, "（二）", ["市司法局"]), (3, "三、", [])]
    assert data["tasks"][0]["units"] == ["市发展改革委", "市财政局", "市商务局"]
    assert data["tasks"][1]["measures"][0]["due"] == "2024-06-30"
    assert data["warnings"] == []


def test_rows_that_add_nothing_are_warnings_and_chinese_numbered_titles_lose_their_number():
    rows = [["序号", "工作事项", "具体措施", "牵头单位", "备注"],
            ["", "（一）加强组织领导", "成立工作专班。", "区政府办", ""],
            ["", "", "", "", "第二季度视情况调整"],
            ["", "二、强化督促检查", "开展专项督查。", "区督查室", ""]]
    data = parse_rows(rows)
    assert [(t["number"], t["title"]) for t in data["tasks"]] == [(1, "加强组织领导"), (2, "强化督促检查")]
    assert data["warnings"] == [{"line": 3, "message": "此行没有可导入的措施、单位或时限，已略过，请在预览中核对。"},
                                {"line": None, "message": NO_PERIOD}]  # no period, deadline or date: asked for


def test_title_row_wins_over_form_lines_above_the_header():
    rows = [["填报单位：区司法局", "", "填报时间：2024年7月"], ["附件2"], ["某区法治政府建设任务分工表"],
            ["序号", "工作事项", "责任单位"], ["1", "开展法治督察", "区司法局"]]
    assert parse_rows(rows)["title"] == "某区法治政府建设任务分工表"
