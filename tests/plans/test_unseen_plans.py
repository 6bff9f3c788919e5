"""Plans written in shapes the importer's authors did not write: government 实施方案, 分工方案, 工作要点,
督查清单 and 任务清单 as offices publish them (fixtures/unseen/).

Each plan lists its unit annotations by hand: a fragment of the sentence or task it follows and the units it
names. An annotation is attached when a task holding that fragment has those units (on the task or on
the measure holding the fragment)."""

import io
import json
import re
from pathlib import Path

import docx
import pytest
from django.core.management import call_command

from plans.importer import PlanImportError, parse_file

FIXTURES = Path(__file__).parent / "fixtures" / "unseen"

# file -> [(fragment of the annotated text, "unit、unit" the annotation names)]
ANNOTATIONS = {
    "city_labels_own_line.txt": [
        ("加强政治能力建设", "市司法局、各区人民政府、市有关部门"),
        ("开展全员轮训", "市司法局、各区人民政府、市有关行政执法部门"),
        ("资格管理", "市司法局、市有关部门"),
        ("突出问题", "市司法局、市市场监管局、市生态环境局、市交通运输局（市道路运输管理局）、市城市管理局"),
        ("涉企行政检查", "市司法局、市市场监管局、市有关部门"),
        ("裁量权基准", "市司法局、市有关行政执法部门"),
        ("监督工作体系", "市司法局、各区人民政府"),
        ("案卷评查", "市司法局、各区人民政府、市有关部门"),
        ("加强组织领导", "各区人民政府、市有关部门"),
        ("强化经费保障", "市财政局、各区人民政府"),
    ],
    "province_unlabelled.txt": [
        ("职能优化协同高效", "省委编办、省直有关单位"),
        ("放管服", "省发展改革委、省政务服务办、省直有关单位"),
        ("服务型政府", "省政务服务办、省直有关单位"),
        ("重要领域立法", "省司法厅、省直有关单位"),
        ("立法工作机制", "省司法厅"),
        ("规范性文件制定", "省司法厅、省直有关单位"),
        ("依法决策意识", "各市人民政府、省直各单位"),
        ("重大行政决策程序", "省司法厅、各市人民政府、省直有关单位"),
        ("执行和评估", "省政府办公厅、省司法厅"),
        ("执法体制改革", "省委编办、省司法厅、省直有关单位"),
        ("重点领域执法力度", "省市场监管局、省卫生健康委、省自然资源厅、省生态环境厅、省应急管理厅"),
        ("完善行政执法程序", "省司法厅、省直各行政执法部门"),
    ],
    "district_points_ending.txt": [
        ("贯彻习近平法治思想", "区委宣传部、区委依法治区办"),
        ("第一责任人职责", "区委依法治区办、区司法局"),
        ("委员会会议", "区委依法治区办"),
        ("示范创建", "区司法局、区直各有关单位"),
        ("重大行政决策程序", "区政府办、区司法局"),
        ("行政复议工作", "区司法局"),
        ("行政执法质量", "区司法局、区城管执法局、区市场监管局"),
        ("八五", "区委宣传部、区司法局、区普法成员单位"),
        ("基层依法治理", "区司法局、区民政局、各街道办事处"),
        ("多元化解", "区委政法委、区信访局、区司法局、各街道办事处"),
        ("专门队伍", "区委政法委、区法院、区检察院、区公安分局、区司法局"),
        ("法律服务队伍", "区司法局"),
    ],
    "county_one_line_ascii.txt": [
        ("一件事", "县政务服务中心、县有关部门"),
        ("审批时限", "县住建局、县自然资源局、县发改局"),
        ("涉企收费", "县市场监管局、县财政局、县发改局"),
        ("信用体系", "县发改局"),
        ("行政执法行为", "县司法局、县各行政执法部门"),
        ("合法权益", "县司法局、县法院、县工商联"),
        ("组织领导", "县发改局"),
        ("督查考核", "县委督查室、县政府督查室"),
    ],
    "nested_measures.txt": [
        ("理论学习中心组", "市委宣传部、市委依法治市办"),
        ("进机关", "市委宣传部、市司法局、市教育局"),
        ("宪法宣传周", "市司法局、市委宣传部"),
        ("民法典相伴", "市司法局、市妇联、团市委"),
        ("学法用法", "市委组织部、市司法局"),
        ("责任清单制度", "市司法局、市普法成员单位"),
        ("以案释法", "市中级人民法院、市人民检察院、市司法局"),
        ("履职评议", "市委依法治市办、市司法局"),
        ("议事日程", "各县（市、区）人民政府、市直各单位"),
        ("督导检查", "市委依法治市办"),
    ],
    "inspection_table_tsv.txt": [
        ("高效办成一件事", "区政务服务中心、区市场监管局、区人社局"),
        ("满意度调查", "区发改局、区统计局"),
        ("燃气安全", "区应急管理局、区住建局、区市场监管局、各街道办事处"),
        ("防汛应急演练", "区应急管理局、区水务局"),
        ("老旧小区", "区住建局、各街道办事处"),
        ("托育托位", "区卫生健康委、区教育局"),
        ("社区食堂", "区民政局"),
        ("规范性文件清理", "区司法局、区政府各部门"),
        ("信访积案", "区信访局、各街道办事处、区有关部门"),
    ],
    "prose_with_annex_tables.txt": [
        ("政务云", "市大数据局、市财政局"),
        ("电子政务外网", "市大数据局"),
        ("数据资源目录", "市大数据局、市直各部门"),
        ("数据共享应用", "市大数据局、市政务服务中心"),
        ("一网通办", "市政务服务中心"),
        ("掌上办", "市政务服务中心、市大数据局"),
    ],
    "deadline_mix_numbering.txt": [
        ("法治政府建设工作要点", "法治督察处、秘书处"),
        ("汇总法治督察发现问题", "法治督察处"),
        ("年度法治督察工作报告", "法治督察处、办公室"),
        ("立法计划项目", "立法处"),
        ("上半年案卷评查", "行政执法协调监督处"),
        ("下半年案卷评查", "行政执法协调监督处、各区司法局"),
        ("行政复议应诉", "行政复议与应诉处"),
        ("公共法律服务体系", "公共法律服务管理处、律师工作处"),
        ("人民调解", "人民参与和促进法治处"),
        ("政治轮训", "政治部"),
        ("党风廉政", "机关党委、驻局纪检监察组"),
    ],
    "inline_labels_spaces.txt": [
        ("职责清单", "区应急管理局"),
        ("安全生产巡查", "区应急管理局、区委组织部、区纪委监委机关"),
        ("燃气安全整治", "区住建局、区市场监管局、各街道办事处"),
        ("高层建筑", "区消防救援大队、区住建局"),
        ("电动自行车", "区发改局、各街道办事处"),
        ("危险化学品", "区应急管理局"),
        ("应急救援队伍", "各街道办事处"),
        ("宣传教育", "区应急管理局、区委宣传部"),
    ],
    "ledger_tsv_leaders.txt": [
        ("权责清单", "区委编办、区政府各部门"),
        ("放管服", "区发改局、区政务服务中心、区市场监管局"),
        ("合法性审核", "区司法局、区政府各部门"),
        ("文件清理", "区司法局、区政府各部门"),
        ("重大行政决策", "区政府办、区司法局"),
        ("三项制度", "区司法局、各行政执法部门"),
        ("人员培训", "区司法局、各行政执法部门"),
        ("柔性执法", "区市场监管局、区城管执法局、区生态环境分局"),
        ("应急预案", "区应急管理局、区有关部门"),
    ],
    "gb18030_h2_tasks_own_lines.txt": [
        ("主体资格清理", "区司法局、区委编办、区政府各部门"),
        ("证件管理", "区司法局、各行政执法部门"),
        ("数字化监督", "区司法局、区大数据中心、各行政执法部门、各镇人民政府｜街道办事处"),
        ("责任追究", "区纪委监委机关、区司法局"),
    ],
    "pdf_hard_wraps.txt": [
        ("年度立法计划", "市司法局"),
        ("重点领域立法", "市司法局、市住建局、市生态环境局"),
        ("三项制度", "市司法局、市各行政执法部门"),
        ("首违不罚", "市市场监管局、市司法局"),
        ("执法队伍建设", "市司法局、市各行政执法部门"),
        ("人大监督", "市政府办公室"),
        ("政务公开", "市政府办公室、市政务服务中心"),
    ],
    "holdout_comma_numbers.txt": [
        ("告知承诺制", "区司法局、区政务服务中心"),
        ("一网通办", "区政务服务中心"),
        ("公平竞争审查", "区市场监管局、区发改局、区商务局"),
        ("减证便民", "区司法局"),
        ("综合监管", "区市场监管局、区有关部门"),
        ("综合执法队伍", "区司法局、各镇人民政府｜街道办事处"),
        ("行政复议", "区司法局"),
        ("信访工作", "区信访局、各镇人民政府｜街道办事处"),
    ],
    "holdout_two_row_header.txt": [
        ("矛盾纠纷排查", "县委政法委、县信访局、县司法局、各乡镇人民政府"),
        ("重点人群", "县司法局、县公安局"),
        ("网格化", "县委政法委、县民政局、各乡镇人民政府"),
        ("综治中心", "县委政法委、县财政局、各乡镇人民政府"),
        ("平安创建", "县委政法委、县有关部门、各乡镇人民政府"),
    ],
    "points_enumerated_clauses.txt": [
        ("解读材料审核机制", "市政府办公室、市政务服务中心"),
        ("舆情监测", "市委网信办、市直各部门"),
        ("政府网站检查", "市政府办公室、市大数据局"),
        ("标准目录调整", "各区人民政府"),
        ("政务公开培训", "市政府办公室、各区政府、市直各部门"),
    ],
    "division_multi_annotations.txt": [
        ("每年至少召开1次会议", "市委依法治市办"),
        ("明确法治建设领导机构", "各县（市、区）党委"),
        ("赋权事项评估", "市委编办、市司法局"),
        ("执法协调机制", "市司法局、各县（市、区）人民政府"),
        ("司法所规范化", "市司法局、市委编办、市财政局"),
        ("合法性审查全覆盖", "市司法局、各县（市、区）人民政府"),
        ("现场法律服务", "市司法局"),
        ("法律顾问工作经费", "市财政局、各县（市、区）人民政府"),
        ("法律明白人", "市司法局、市农业农村局、市民政局"),
        ("40学时", "市司法局、各县（市、区）人民政府"),
        ("综合考核", "市委组织部、市委依法治市办"),
    ],
}


def _attached(plan: dict, fragment: str, units: list[str]) -> bool:
    for task in plan["tasks"]:
        texts = [task["title"]] + [m["text"] for m in task["measures"]]
        if not any(fragment in t for t in texts):
            continue
        if set(units) <= set(task["units"]):
            return True
        if any(fragment in m["text"] and set(units) <= set(m["units"]) for m in task["measures"]):
            return True
    return False


def _parse(path: Path) -> dict:
    try:
        return parse_file(path)
    except PlanImportError as error:  # counted as nothing attached; test_every_plan_reads says why
        return {"tasks": [], "error": str(error)}


@pytest.fixture(scope="module")
def plans() -> dict[str, dict]:
    return {name: _parse(FIXTURES / name) for name in ANNOTATIONS}


def test_at_least_eighty_percent_of_annotations_attach_across_unseen_plans(plans):
    total = attached = 0
    for name, expected in ANNOTATIONS.items():
        hits = sum(_attached(plans[name], fragment, _split(units)) for fragment, units in expected)
        print(f"{name}: {hits}/{len(expected)}")
        total += len(expected)
        attached += hits
    print(f"overall: {attached}/{total} = {attached / total:.0%}")
    assert total >= 80
    assert attached / total >= 0.8


def _split(units: str) -> list[str]:
    """Split on 、 outside brackets (各县（市、区）党委 stays whole); ｜ stands for a 、 inside a group name."""
    out, depth, buf = [], 0, ""
    for ch in units:
        depth += ch == "（"
        depth -= ch == "）"
        if ch == "、" and depth == 0:
            out.append(buf)
            buf = ""
        else:
            buf += ch
    return [u.replace("｜", "、") for u in out + [buf]]


def test_every_unseen_plan_reads_without_an_error(plans):
    assert {name: plan.get("error") for name, plan in plans.items() if plan.get("error")} == {}


@pytest.mark.django_db  # the command reads the measures against the unit directory
def test_import_plan_dry_run_json_on_unseen_plans_ends_cleanly():
    """Through the command, as a user runs it: exit 0, only the JSON on stdout."""
    for name in ("county_one_line_ascii.txt", "inspection_table_tsv.txt", "city_labels_own_line.txt"):
        out, err = io.StringIO(), io.StringIO()
        call_command("import_plan", str(FIXTURES / name), "--dry-run", "--json", stdout=out, stderr=err)
        data = json.loads(out.getvalue())
        assert data["tasks"], name


def _by_title(plan: dict) -> dict[str, dict]:
    return {t["title"]: t for t in plan["tasks"]}


def test_city_plan_with_labels_on_lines_of_their_own(plans):
    plan = plans["city_labels_own_line.txt"]
    assert plan["title"] == "云州市提升行政执法质量三年行动计划实施方案（2024—2026年）"
    assert (plan["issuer"], plan["issued_on"], plan["ends_on"]) == ("云州市人民政府办公室", "2024-04-22", "2026-12-31")
    assert [t["number"] for t in plan["tasks"]] == [1, 2, 3, 4, 5, 6, 7, 8, None, None]
    tasks = _by_title(plan)
    assert tasks["加强政治能力建设"]["units"] == ["市司法局", "各区人民政府", "市有关部门"]
    assert tasks["加强政治能力建设"]["lead_units"] == ["市司法局"]
    assert tasks["整治行政执法突出问题"]["units"][3] == "市交通运输局（市道路运输管理局）"
    assert tasks["开展全员轮训"]["measures"][0]["due"] == "2025-06-30"
    assert tasks["规范涉企行政检查"]["measures"][0]["ongoing"] is True
    assert tasks["完善行政裁量权基准制度"]["measures"][0]["due"] == "2024-12-31"
    # The copy list and the print line close the document; they are not measures of the last task.
    assert [m["text"] for m in tasks["强化经费保障"]["measures"]] == ["将行政执法工作经费纳入本级财政预算。"]


def test_provincial_division_with_unlabelled_lead_and_duty_annotations(plans):
    plan = plans["province_unlabelled.txt"]
    assert len(plan["tasks"]) == 12 and plan["ends_on"] == "2025-12-31"
    tasks = _by_title(plan)
    assert tasks["深化行政执法体制改革"]["lead_units"] == ["省委编办", "省司法厅"]
    assert tasks["完善立法工作机制"]["units"] == ["省司法厅"]
    assert tasks["加强行政规范性文件制定监督管理"]["units"] == ["省司法厅", "省直有关单位"]
    assert tasks["深入推进“放管服”改革"]["measures"][0]["due"] == "2025-12-31"  # 2024年至2025年


def test_work_points_with_ending_annotations_and_years_from_the_context(plans):
    plan = plans["district_points_ending.txt"]
    assert (plan["issued_on"], plan["ends_on"]) == ("2024-03-08", "2024-12-31")
    assert [t["number"] for t in plan["tasks"]] == list(range(1, 13))
    tasks = _by_title(plan)
    assert tasks["落实党政主要负责人履行推进法治建设第一责任人职责"]["units"] == ["区委依法治区办", "区司法局"]
    assert tasks["落实党政主要负责人履行推进法治建设第一责任人职责"]["measures"][0]["due"] == "2024-12-31"
    assert tasks["严格落实重大行政决策程序"]["measures"][0]["recurrence"] == "quarterly"
    assert tasks["实施“八五”普法规划"]["measures"][0]["due"] == "2024-12-31"  # 12月31日前
    assert tasks["提升行政执法质量"]["units"] == ["区司法局", "区城管执法局", "区市场监管局", "区行政执法部门"]
    assert tasks["深入学习宣传贯彻习近平法治思想"]["measures"][0]["due"] == "2024-12-31"  # 年内


def test_county_plan_on_one_line_with_ascii_punctuation(plans):
    plan = plans["county_one_line_ascii.txt"]
    assert plan["title"] == "石岭县优化营商环境攻坚行动实施方案"
    assert (plan["issuer"], plan["issued_on"]) == ("石岭县人民政府办公室", "2024-05-06")
    assert [s["number"] for s in plan["sections"]] == ["一、", "二、", "（一）", "（二）", "（三）", "三、"]
    assert [t["number"] for t in plan["tasks"]] == [1, 2, 3, 4, 5, 6, None, None]
    tasks = _by_title(plan)
    assert tasks['推行"一件事一次办"']["measures"][0]["due"] == "2024-09-30"
    assert tasks["保护企业合法权益"]["units"] == ["县司法局", "县法院", "县工商联"]
    assert tasks["压缩审批时限"]["lead_units"] == ["县住建局"]
    assert tasks["加强信用体系建设"]["measures"][0]["due"] == "2024-12-31"  # 年底前, year of issue
    assert tasks["强化督查考核"]["measures"][-1]["text"] == "将营商环境工作纳入年度绩效考核。"


def test_nested_specific_measures_carry_their_own_units(plans):
    plan = plans["nested_measures.txt"]
    tasks = _by_title(plan)
    assert len(plan["tasks"]) == 5
    first = tasks["深入学习宣传习近平法治思想"]["measures"]
    assert [m["units"] for m in first] == [["市委宣传部", "市委依法治市办"], ["市委宣传部", "市司法局", "市教育局"]]
    duty = tasks["落实普法责任制"]["measures"]
    assert duty[0]["units"] == ["市司法局", "市普法成员单位"]
    assert duty[2]["due"] == "2024-12-31"  # 年底前: the first year the text names
    assert tasks["加强组织领导"]["units"] == ["各县（市、区）人民政府", "市直各单位"]


def test_inspection_list_as_tab_separated_text_with_merged_cells(plans):
    plan = plans["inspection_table_tsv.txt"]
    assert plan["source"]["format"] == "tsv" and len(plan["tasks"]) == 5
    tasks = _by_title(plan)
    assert len(tasks["民生实事项目"]["measures"]) == 3
    assert tasks["信访积案化解"]["units"] == ["区信访局", "各街道办事处", "区有关部门"]
    assert tasks["信访积案化解"]["measures"][0]["ongoing"] is True
    assert tasks["法治政府建设"]["measures"][0]["due"] == "2024-05-03"  # 30日内 from 2024年4月3日


def test_annex_table_after_the_prose_with_category_rows(plans):
    plan = plans["prose_with_annex_tables.txt"]
    assert plan["title"] == "北河市数字政府建设实施方案"
    assert plan["source"]["format"] == "tsv" and plan["source"]["table"].startswith("第1个表格")
    assert [s["number"] for s in plan["sections"]] == ["一、", "二、", "三、"]
    assert [t["title"] for t in plan["tasks"]][:2] == ["建设全市统一政务云", "完善电子政务外网"]
    assert _by_title(plan)["健全数据资源目录"]["lead_units"] == ["市大数据局"]


def test_annex_table_in_a_docx_reads_like_the_text(tmp_path, plans):
    """The same document as Word: paragraphs, then the tables with their category rows merged across."""
    document = docx.Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            if len(row) == 1:
                table.cell(r, 0).merge(table.cell(r, width - 1)).text = row[0]
            else:
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        rows.clear()

    lines = (FIXTURES / "prose_with_annex_tables.txt").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        next_is_row = i + 1 < len(lines) and "\t" in lines[i + 1]
        if "\t" in line or (rows and next_is_row and re.match(r"^[一二三四五六七八九十]+、", line)):
            rows.append(line.split("\t"))
        elif line.strip():
            flush()
            document.add_paragraph(line.strip())
    flush()
    document.save(tmp_path / "plan.docx")
    from_docx = parse_file(tmp_path / "plan.docx")
    text = plans["prose_with_annex_tables.txt"]
    assert from_docx["source"]["format"] == "docx"
    def unlined(tasks: list[dict]) -> list[dict]:
        return [{k: v for k, v in t.items() if k != "line"} for t in tasks]

    assert unlined(from_docx["tasks"]) == unlined(text["tasks"]) and from_docx["sections"] == text["sections"]


def test_task_list_with_circled_and_bracketed_measures_and_deadline_forms(plans):
    plan = plans["deadline_mix_numbering.txt"]
    assert (plan["issuer"], plan["issued_on"]) == ("西江市司法局", "2024-02-20")
    assert [t["number"] for t in plan["tasks"]] == list(range(1, 10))
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert tasks[2]["measures"][0]["recurrence"] == "quarterly"
    assert tasks[2]["measures"][1]["units"] == ["法治督察处", "办公室"]
    assert tasks[3]["measures"][0]["due"] == "2025-12-31"  # 2024年至2025年
    assert tasks[4]["measures"][0]["units"] == ["行政执法协调监督处"]
    assert tasks[4]["measures"][1]["due"] == "2024-12-31"
    assert tasks[6]["measures"][0]["due"] == "2025-06-30"
    assert tasks[7]["measures"][0]["ongoing"] is True
    assert tasks[8]["measures"][0]["due"] == "2024-12-31"  # 年内完成
    assert tasks[9]["units"] == ["机关党委", "驻局纪检监察组"]
    assert [m["text"] for m in tasks[9]["measures"]] == ["落实党风廉政建设责任制，每半年专题研究一次。"]
    # A limit counted from an event is not dated from the plan's issue: it is left for the preview.
    assert tasks[5]["measures"][0]["due"] is None
    assert any("5个工作日内" in w["message"] for w in plan["warnings"])


def test_several_annotations_in_one_task_attach_to_their_own_sentences(plans):
    plan = plans["division_multi_annotations.txt"]
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert len(tasks) == 8
    assert [m["units"] for m in tasks[2]["measures"]] == [["市委编办", "市司法局"], ["市司法局", "各县（市、区）人民政府"]]
    assert tasks[2]["measures"][0]["due"] == "2024-12-31"
    assert tasks[5]["measures"][0]["recurrence"] == "monthly"
    assert tasks[3]["measures"][0]["due"] == "2025-12-31"  # 到2025年
    assert tasks[7]["lead_units"] == ["市司法局"]


def test_notice_title_over_three_lines_and_labels_without_brackets(plans):
    plan = plans["inline_labels_spaces.txt"]
    assert plan["title"] == "临江区2024年度安全生产和消防工作任务分工"
    assert (plan["issuer"], plan["issued_on"]) == ("临江区安全生产委员会办公室", "2024-01-26")
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert len(tasks) == 7
    assert tasks[2]["units"] == ["区应急管理局", "区委组织部", "区纪委监委机关"]  # labels parted by spaces
    assert [m["units"] for m in tasks[4]["measures"]] == [["区消防救援大队", "区住建局"], ["区发改局", "各街道办事处"]]
    assert tasks[4]["measures"][1]["due"] == "2024-10-31"
    assert tasks[5]["measures"][0]["ongoing"] is True
    assert tasks[7]["measures"][0]["due"] == "2024-06-30"
    assert tasks[6]["units"] == ["各街道办事处"]  # 责任领导 is a note, not a unit


def test_ledger_with_an_indicator_column_and_numbered_items_per_indicator(plans):
    plan = plans["ledger_tsv_leaders.txt"]
    assert plan["source"]["format"] == "tsv"
    assert [s["title"] for s in plan["sections"]][:2] == ["依法全面履行政府职能", "完善依法行政制度体系"]
    assert len(plan["tasks"]) == 9
    tasks = _by_title(plan)
    assert tasks["开展行政规范性文件清理"]["section"] == "二、"
    assert tasks["开展行政规范性文件清理"]["measures"][0]["due"] == "2024-11-30"
    assert tasks["持续深化“放管服”改革，优化营商环境"]["measures"][0]["ongoing"] is True
    assert tasks["修订完善突发事件应急预案"]["measures"][0]["due"] == "2025-12-31"


def test_gb18030_plan_with_subsection_tasks_and_labels_on_their_own_lines(plans):
    plan = plans["gb18030_h2_tasks_own_lines.txt"]
    assert (plan["title"], plan["issued_on"]) == ("松原区2024年行政执法监督工作实施方案", "2024-03-15")
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert list(tasks) == [1, 2, 3, 4] and tasks[1]["section"] == "二、"
    assert tasks[1]["measures"][0]["due"] == "2024-06-30"  # 完成时限 on a line of its own
    assert tasks[2]["measures"][0]["recurrence"] == "quarterly"
    assert tasks[3]["units"][-1] == "各镇人民政府、街道办事处"
    assert tasks[3]["measures"][0]["due"] == "2025-12-31"
    assert tasks[4]["measures"][0]["ongoing"] is True


def test_text_copied_from_a_pdf_with_hard_line_breaks_and_page_numbers(plans):
    plan = plans["pdf_hard_wraps.txt"]
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert list(tasks) == [1, 2, 3, 4, 5, 6, 7]
    assert tasks[3]["title"] == "全面落实行政执法“三项制度”，每半年开展一次执法检查"
    assert tasks[3]["units"] == ["市司法局", "市各行政执法部门"]
    assert tasks[4]["measures"][0]["due"] == "2024-06-30"  # 6月 / 底前 across a line break
    assert tasks[5]["lead_units"] == ["市司法局"]
    assert all("－" not in m["text"] for t in plan["tasks"] for m in t["measures"])


def test_numbers_with_a_comma_inline_labels_and_a_contact_line_at_the_end(plans):
    plan = plans["holdout_comma_numbers.txt"]
    assert (plan["title"], plan["issuer"]) == ("白塔区2024年法治政府建设重点任务", "白塔区人民政府")
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert list(tasks) == list(range(1, 9))
    assert tasks[1]["measures"][0]["due"] == "2024-09-30"  # 第三季度
    assert tasks[4]["measures"][0]["due"] == "2024-11-30"
    assert tasks[8]["measures"][0]["text"] == "落实信访工作责任制，信访事项按期办结率达到98%以上。"


def test_table_with_a_two_row_header_and_category_rows_takes_the_year_of_its_title(plans):
    plan = plans["holdout_two_row_header.txt"]
    assert plan["title"] == "金沙县2024年社会治安综合治理重点任务分解表"
    assert [s["title"] for s in plan["sections"]] == ["平安建设", "基层治理"]
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert tasks[1]["lead_units"] == ["县委政法委"] and tasks[1]["measures"][0]["recurrence"] == "monthly"
    assert tasks[5]["measures"][0]["due"] == "2024-12-31"  # 年底前 in the year of the title
    assert plan["warnings"] == []


def test_enumerated_clauses_are_measures_of_their_own_and_notes_join_their_sentence(plans):
    plan = plans["points_enumerated_clauses.txt"]
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert [m["text"][:2] for m in tasks[1]["measures"]] == ["一是", "二是"]
    assert [m["due"] for m in tasks[1]["measures"]] == [None, "2024-06-30"]
    assert tasks[1]["units"] == ["市政府办公室", "市政务服务中心"]  # listed with a space, no role word
    assert tasks[2]["measures"][0]["due"] == "2024-12-31"  # the deadline inside the annotation
    assert tasks[3]["lead_units"] == ["市政府办公室"]  # （牵头） after the name
