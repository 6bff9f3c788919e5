"""Plans written in shapes the importer's authors did not write: government 实施方案, 分工方案, 工作要点,
督查清单 and 任务清单 as offices publish them (fixtures/unseen/).

Each plan lists its unit annotations by hand: a fragment of the sentence or task it follows and the units it
names. An annotation is attached when a task holding that fragment has those units (on the task or on
the measure holding the fragment)."""

import io
import json
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from plans.importer import PlanImportError, parse_file, parse_text

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
        hits = sum(_attached(plans[name], fragment, units.split("、") if "（市、区）" not in units
                             else _split(units)) for fragment, units in expected)
        print(f"{name}: {hits}/{len(expected)}")
        total += len(expected)
        attached += hits
    print(f"overall: {attached}/{total} = {attached / total:.0%}")
    assert total >= 80
    assert attached / total >= 0.8


def _split(units: str) -> list[str]:
    """Split on 、 outside brackets (各县（市、区）党委 stays whole)."""
    out, depth, buf = [], 0, ""
    for ch in units:
        depth += ch == "（"
        depth -= ch == "）"
        if ch == "、" and depth == 0:
            out.append(buf)
            buf = ""
        else:
            buf += ch
    return out + [buf]
