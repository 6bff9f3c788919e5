"""parse_text on the demo plan (seed 004) and on plans of other shapes written for these tests."""

import re
import time
from pathlib import Path

import pytest

from plans.importer.errors import PlanImportError
from plans.importer.text import parse_text
from tests.plans.demo_plan import DEMO_PLAN

SEED = DEMO_PLAN
FIXTURES = Path(__file__).parent / "fixtures" / "text"

SEED_TITLES = [
    "着力提高政治能力", "着力提高业务能力", "着力提高管理能力", "强力整治行政执法突出问题",
    "严格落实行政执法标准规范", "完善行政执法工作机制", "深化行政执法体制改革", "规范街道执法赋权",
    "完善行政执法协作机制", "推进行政执法监督制度化", "推进行政执法监督体系化", "推进行政执法监督多元化",
    "加强行政执法信息化建设", "加强行政执法监督信息化建设", "加强行政执法队伍建设", "强化执法人员权益保障",
    "加大财政支持保障力度",
]


def fixture(name: str) -> dict:
    return parse_text((FIXTURES / name).read_text(encoding="utf-8"))


def by_title(plan: dict, title: str) -> dict:
    return next(t for t in plan["tasks"] if t["title"] == title)


def measure(task: dict, start: str) -> dict:
    return next(m for m in task["measures"] if m["text"].startswith(start))


@pytest.fixture(scope="module")
def seed():
    return parse_text(SEED.read_text(encoding="utf-8"))


# -- seed 004 --------------------------------------------------------------------------------------

def test_seed_has_six_subsections_of_section_two(seed):
    subs = [s for s in seed["sections"] if s["parent"] == "二、"]
    assert [s["number"] for s in subs] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    assert subs[0]["title"] == "全面提升行政执法人员能力素质"
    assert subs[5]["title"] == "不断强化行政执法保障能力"


def test_seed_numbered_tasks_one_to_seventeen_with_titles_as_written(seed):
    numbered = [t for t in seed["tasks"] if t["number"] is not None]
    assert [t["number"] for t in numbered] == list(range(1, 18))
    assert [t["title"] for t in numbered] == SEED_TITLES
    assert numbered[0]["section"] == "（一）" and numbered[16]["section"] == "（六）"


def test_seed_work_requirements_are_unnumbered_tasks_with_units(seed):
    extra = [t for t in seed["tasks"] if t["number"] is None]
    assert [t["title"] for t in extra] == ["加强组织推动", "细化落实举措", "做好宣传交流"]
    assert all(t["section"] == "三、" for t in extra)
    assert extra[0]["units"][0] == "区司法局" and extra[0]["units"][-1] == "各街道办事处"
    assert len(extra[0]["units"]) == 12
    assert extra[1]["units"] == ["区委全面依法治区办", "区司法局"]
    assert extra[2]["units"] == ["区司法局", "各行政执法部门", "各街道办事处"]


def test_seed_units_of_tasks_16_and_17(seed):
    tasks = {t["number"]: t for t in seed["tasks"]}
    assert tasks[16]["units"] == ["区人社局", "各行政执法部门", "各街道办事处"]
    assert tasks[17]["units"] == ["区财政局", "各行政执法部门", "各街道办事处"]


def test_seed_deadlines_end_of_june_and_end_of_year(seed):
    tasks = {t["number"]: t for t in seed["tasks"]}
    for number, phrase, due in [(2, "2024年6月底前", "2024-06-30"), (4, "2024年6月底前", "2024-06-30"),
                                (7, "2024年底前", "2024-12-31"), (8, "2024年底前", "2024-12-31"),
                                (11, "2024年底前", "2024-12-31")]:
        saying = [m for m in tasks[number]["measures"] if phrase in m["text"]]
        assert saying, number
        assert all(m["due"] == due for m in saying), number
        others = [m for m in tasks[number]["measures"] if phrase not in m["text"]]
        assert all(m["due"] is None for m in others), number


def test_seed_yearly_measure_with_target_of_two_in_task_two(seed):
    task2 = next(t for t in seed["tasks"] if t["number"] == 2)
    yearly = [m for m in task2["measures"] if m["recurrence"] == "yearly"]
    assert {"value": 2, "unit": "次"} in [m["target"] for m in yearly]
    assert {"value": 60, "unit": "学时"} in [m["target"] for m in yearly]


def test_seed_dates_issuer_and_title(seed):
    assert seed["issued_on"] == "2024-06-14"
    assert seed["ends_on"] == "2025-12-31"
    assert seed["title"] == "河北区贯彻落实《提升行政执法质量三年行动计划(2023—2025年)》实施方案"
    assert seed["issuer"] == "区人民政府"
    assert seed["warnings"] == []


def test_seed_sentence_with_its_own_subject_belongs_to_that_unit_alone(seed):
    task4 = next(t for t in seed["tasks"] if t["number"] == 4)
    assert measure(task4, "区司法局适时组织")["units"] == ["区司法局"]
    assert measure(task4, "聚焦人民群众")["units"] == ["区司法局", "各行政执法部门"]
    first = next(t for t in seed["tasks"] if t["number"] is None)
    # 建立由区司法局牵头… names 区司法局 inside the sentence, not as its subject.
    assert measure(first, "建立由区司法局牵头")["units"] == first["units"]


def test_seed_parses_fast(seed):
    """Well under 100 ms of CPU time (best of five, so a busy machine does not decide)."""
    text = SEED.read_text(encoding="utf-8")
    timings = []
    for _ in range(5):
        started = time.process_time()
        parse_text(text)
        timings.append(time.process_time() - started)
    assert min(timings) < 0.1


# -- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\n", "这是一段没有任何编号的文字。", "\x00\x01\x02", "1.2.3.4"])
def test_text_without_tasks_is_refused_with_a_chinese_message(text):
    with pytest.raises(PlanImportError) as info:
        parse_text(text)
    assert re.search(r"[\u4e00-\u9fff]", str(info.value))
    assert "Traceback" not in str(info.value)


def test_report_without_any_units_is_not_a_plan():
    text = "某区2023年工作报告\n一、基本情况\n（一）领导重视\n区领导高度重视。\n（二）建章立制\n印发制度。\n"
    with pytest.raises(PlanImportError, match="未找到可识别的任务"):
        parse_text(text)


# -- plans of other shapes -------------------------------------------------------------------------

def test_cover_notice_masthead_and_inline_lead_and_support_units():
    plan = fixture("cover_notice_lead_support.txt")
    assert plan["title"] == "南湖市优化营商环境攻坚行动方案"
    assert plan["issuer"] == "南湖市人民政府办公室"
    assert plan["issued_on"] == "2024-03-05"  # 二〇二四年三月五日
    assert plan["ends_on"] == "2026-12-31"  # 到2026年底 in the general requirements
    first = plan["tasks"][0]
    assert first["lead_units"] == ["市市场监管局"]
    assert first["units"] == ["市市场监管局", "市政务服务办", "市税务局", "市人力社保局"]
    assert measure(first, "整合企业开办环节")["due"] == "2024-06-30"
    assert measure(first, "各区每季度")["recurrence"] == "quarterly"
    # A group name with 、 and a unit name with brackets stay whole.
    assert by_title(plan, "深化工程建设项目审批改革")["units"][-1] == "各区、县级市人民政府"
    assert "市交通委（市道运局）" in by_title(plan, "保障企业用工需求")["units"]
    # A processing time to reach is not a deadline.
    assert measure(by_title(plan, "深化工程建设项目审批改革"), "社会投资")["due"] is None
    assert measure(by_title(plan, "深化工程建设项目审批改革"), "2024年9月30日前")["due"] == "2024-09-30"


def test_numbering_restarts_in_each_subsection():
    plan = fixture("cover_notice_lead_support.txt")
    assert [(t["number"], t["section"]) for t in plan["tasks"]] == [
        (1, "（一）"), (2, "（一）"), (1, "（二）"), (2, "（二）"), (None, "三、")]
    assert measure(by_title(plan, "保障企业用工需求"), "每年")["target"] == {"value": 4, "unit": "场"}


def test_labels_on_lines_of_their_own_with_ascii_punctuation_and_full_width_digits():
    plan = fixture("labels_own_lines_ascii.txt")
    assert plan["title"] == "关于加强全市安全生产执法工作的实施意见"  # split over two lines
    assert [t["number"] for t in plan["tasks"]] == [1, 2, 3, 4]  # 1. 2. ３. 4﹒
    first, second, third, fourth = plan["tasks"]
    assert first["lead_units"] == ["市应急局"]
    assert first["units"] == ["市应急局", "市公安局", "市住房建设局"]  # 责任单位 beside 牵头单位 supports
    assert second["units"] == ["市应急局", "市消防救援支队", "各区应急管理部门"]
    assert measure(first, "制定年度")["due"] == "2019-12-31"
    assert measure(first, "对重点企业")["recurrence"] == "half-yearly"
    assert measure(second, "组织开展")["due"] == "2021-06-30"
    assert measure(third, "长期坚持")["ongoing"] is True and measure(third, "长期坚持")["due"] is None
    assert fourth["measures"][0]["due"] == "2025-12-31"  # 到2025年
    assert plan["warnings"] == []


def test_unlabelled_annotations_with_first_unit_as_lead_at_subsection_level():
    plan = fixture("unlabelled_first_lead.txt")
    assert [(t["number"], t["section"]) for t in plan["tasks"]] == [
        (1, "一、"), (2, "一、"), (3, "一、"), (1, "二、"), (2, "二、"), (3, "二、")]
    first = plan["tasks"][0]
    # Two annotations, each on its own sentence.
    assert measure(first, "优化政府组织结构")["units"] == ["区委编办", "区财政局"]
    assert measure(first, "2024年底前")["units"] == ["区委编办", "区司法局", "各街道办事处"]
    assert first["lead_units"] == ["区委编办"]
    assert first["units"] == ["区委编办", "区财政局", "区司法局", "各街道办事处"]
    assert by_title(plan, "持续优化法治化营商环境")["units"] == ["区发展改革委", "区市场监管局"]
    rules = by_title(plan, "提高行政规范性文件质量")
    assert rules["lead_units"] == ["区司法局"]  # 区司法局会同区政府办负责
    assert measure(rules, "建立规范性文件")["units"] == ["区司法局", "区政府办"]
    assert measure(rules, "每年2月底前")["recurrence"] == "yearly"
    # Ordinary brackets are not annotations: a document number and a year range.
    reform = by_title(plan, "深入推进“放管服”改革")
    assert reform["units"] == ["区政务服务办"]
    assert "（国办发〔2022〕2号）" in reform["measures"][0]["text"]
    assert plan["title"] == "东江区贯彻落实《法治政府建设实施纲要（2021—2025年）》任务分工方案"
    # No issue date: 30日内 cannot be worked out, and the task without units is kept, both with a warning.
    messages = [w["message"] for w in plan["warnings"]]
    assert any("30日内" in m for m in messages)
    assert any("完善立法工作机制" in m and "未找到责任单位" in m for m in messages)


def test_tasks_at_first_level_with_nested_measures_and_their_own_annotations():
    plan = fixture("h1_tasks_nested_measures.txt")
    assert plan["sections"] == []
    assert [(t["number"], t["title"], t["section"]) for t in plan["tasks"]] == [
        (1, "稳定粮食生产", None), (2, "促进农民增收", None), (3, "改善农村人居环境", None)]
    grain = plan["tasks"][0]
    assert len(grain["measures"]) == 3
    assert grain["measures"][0]["units"] == ["县农业农村局", "各乡镇人民政府"]
    assert grain["measures"][0]["due"] == "2024-04-30"  # 4月30日前 in the title's year
    assert grain["measures"][1]["units"] == ["县农业农村局", "县财政局"]
    assert grain["measures"][2]["ongoing"] is True
    assert grain["lead_units"] == ["县农业农村局"]  # 排在第一位的部门为牵头部门
    income = plan["tasks"][1]
    assert income["lead_units"] == ["县人社局", "县委组织部"]
    assert income["measures"][0]["target"] == {"value": 500, "unit": "人次"}
    assert plan["tasks"][2]["measures"][0]["recurrence"] == "quarterly"


def test_nested_paren_measures_under_numbered_tasks():
    plan = fixture("numbered_nested_paren.txt")
    assert plan["title"] == "中部区2024年法治宣传教育工作要点"
    assert plan["issued_on"] == "2024-02-20"  # 二零二四年二月二十日
    assert plan["issuer"] == "中部区全面依法治区委员会办公室"
    assert plan["ends_on"] == "2024-12-31"
    study = plan["tasks"][0]
    assert [m["units"] for m in study["measures"]] == [["区委宣传部", "区司法局"], ["区司法局"]]
    assert study["measures"][1]["due"] == "2024-03-31"
    talks = by_title(plan, "开展宣讲活动")
    assert talks["units"] == ["区司法局", "各镇人民政府、街道办事处"]
    assert measure(by_title(plan, "宣传宪法"), "12月4日前")["due"] == "2024-12-04"
    civil = by_title(plan, "宣传民法典")
    assert measure(civil, "区妇联会同")["units"] == ["区妇联", "区司法局"]
    assert measure(civil, "每月")["recurrence"] == "monthly"


def test_whole_document_on_one_line():
    plan = fixture("one_line.txt")
    assert plan["title"] == "北坪区社区治理提升行动计划"
    assert plan["issued_on"] == "2024-05-10"  # 二○二四年五月十日
    assert plan["ends_on"] == "2025-12-31"
    assert [s["number"] for s in plan["sections"]] == ["一、", "二、", "三、"]
    assert [s["title"] for s in plan["sections"]] == ["工作目标", "主要任务", "保障措施"]
    assert [(t["number"], t["title"]) for t in plan["tasks"]] == [
        (1, "完善社区服务设施"), (2, "加强社区工作者队伍建设"), (3, "推进智慧社区建设"), (None, "强化组织领导")]
    assert plan["tasks"][2]["measures"][0]["due"] == "2024-10-31"
    assert plan["tasks"][1]["units"] == ["区民政局", "区人社局"]


def test_deadline_forms_in_one_plan():
    plan = fixture("deadline_forms.txt")
    assert plan["title"] == "青河市生态环境保护专项整治工作方案（2020—2022年）"
    assert plan["ends_on"] == "2022-12-31"  # from the range in the title
    dues = {m["text"]: (m["due"], m["recurrence"], m["ongoing"]) for t in plan["tasks"] for m in t["measures"]}
    assert dues["2020年底前完成燃煤锅炉淘汰。"] == ("2020-12-31", None, False)
    assert dues["9月15日前完成重点企业排查。"] == ("2020-09-15", None, False)  # the year in context
    assert dues["2021年6月底前消除城市黑臭水体。"] == ("2021-06-30", None, False)
    assert dues["每年2月底前报送上一年度水质监测报告。"][1:] == ("yearly", False)
    assert dues["2019年1月1日至12月31日开展固体废物专项排查。"] == ("2019-12-31", None, False)
    assert dues["到2022年实现危险废物处置能力全覆盖。"] == ("2022-12-31", None, False)
    assert dues["长期坚持环境执法“双随机”抽查。"] == (None, None, True)
    assert dues["持续推进生态环境信用评价。"] == (None, None, True)
    assert dues["每季度开展一次督查，每半年通报一次进展。"][0] is None
    warnings = [(w["line"], w["message"]) for w in plan["warnings"]]
    assert (9, "任务“做好信息公开”未找到责任单位，请在预览中补填。") in warnings
    assert any(line == 9 and "2022年13月底前" in message for line, message in warnings)


ANNOTATION = re.compile(r"[（(][^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*(?:负责|牵头|配合|单位[:：][^（）()]*)[）)]"
                        r"|^(?:牵头单位|责任单位|配合单位)[:：].*$", re.M)


def test_at_least_eighty_percent_of_unit_annotations_are_attached():
    """Every annotation in the test plans (found here by a plain pattern) names units the parser attached."""
    total = attached = 0
    for path in sorted(FIXTURES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        plan = parse_text(text)
        seen = {u for t in plan["tasks"] for u in t["units"]} | {
            u for t in plan["tasks"] for m in t["measures"] for u in m["units"]}
        for found in ANNOTATION.finditer(text):
            names = re.findall(r"[\u4e00-\u9fff]{2,}?(?:局|委|办|部|院|政府|处|组|中心|队|联|门|镇街)", found.group(0))
            names = [n for n in names if "单位" not in n]
            if not names:
                continue
            total += 1
            attached += any(n in u or u in n for n in names for u in seen)
    assert total >= 30
    assert attached / total >= 0.8, (attached, total)


def test_deadline_label_on_its_own_line_belongs_to_the_last_sentence():
    plan = parse_text(
        "某县2024年重点工作方案\n一、重点任务\n1.建立工作台账。逐项明确责任。\n责任单位：县司法局\n完成时限：2024年9月底前\n"
        "2.开展督查。每季度督查一次（县督查室负责；完成时限：长期）。\n"
    )
    first, second = plan["tasks"]
    assert first["units"] == ["县司法局"]
    assert first["measures"][-1]["due"] == "2024-09-30"
    assert second["units"] == ["县督查室"]
    assert plan["warnings"] == []


def test_bracketed_labels_lead_marks_and_bare_lists_under_a_first_is_lead_rule():
    plan = fixture("bracket_labels_bare_lists.txt")
    data_hub, extranet, one_net, hotline = plan["tasks"]
    assert data_hub["units"] == ["市大数据局", "市财政局"] and data_hub["lead_units"] == ["市大数据局"]
    assert data_hub["measures"][0]["due"] == "2025-06-30"
    assert extranet["lead_units"] == ["市大数据局"]
    assert extranet["units"] == ["市大数据局", "市通信管理办公室", "各区政府"]
    assert one_net["lead_units"] == ["市政务服务办"]  # 市政务服务办（牵头）
    assert one_net["units"] == ["市政务服务办", "市大数据局", "各区政府"]
    assert hotline["units"] == ["市政务服务办"]
    assert hotline["measures"][0]["due"] == "2024-12-31"  # the deadline written inside the annotation
    assert plan["warnings"] == []


def test_a_bracketed_name_inside_a_sentence_is_not_an_annotation():
    plan = parse_text("某区工作方案\n一、任务\n1.落实部署。全面落实市委（市政府）部署要求。（责任单位：区政府办）\n")
    task = plan["tasks"][0]
    assert task["units"] == ["区政府办"]
    assert task["measures"][0]["text"] == "全面落实市委（市政府）部署要求。"


def test_units_under_a_section_heading_go_to_its_tasks_without_units():
    plan = parse_text(
        "某区方案\n一、重点任务\n（一）加强培训（区司法局负责）\n1.开展轮训。每年开展一次。\n2.组织考试。（责任单位：区人社局）\n"
        "（二）强化保障（区财政局负责）\n1.保障经费。（责任单位：区财政局）\n"
    )
    assert [(t["title"], t["section"], t["units"]) for t in plan["tasks"]] == [
        ("开展轮训", "（一）", ["区司法局"]), ("组织考试", "（一）", ["区人社局"]), ("保障经费", "（二）", ["区财政局"])]
    assert [s["title"] for s in plan["sections"]] == ["重点任务", "加强培训", "强化保障"]
    # Nothing under （二） needed its units: said, not dropped.
    assert any(w["line"] == 6 and "强化保障" in w["message"] for w in plan["warnings"])


def test_title_without_a_title_word_is_the_first_short_line():
    plan = parse_text("关于进一步做好社区矫正工作\n一、任务\n1.加强排查。（责任单位：县司法局）\n")
    assert plan["title"] == "关于进一步做好社区矫正工作"


def test_division_of_tasks_under_a_notice_whose_title_holds_the_years():
    plan = fixture("notice_title_with_range.txt")
    assert plan["title"] == "重点任务分工方案"
    assert plan["issuer"] == "国务院办公厅"
    assert plan["issued_on"] == "2023-08-09"
    assert plan["ends_on"] == "2025-12-31"  # （2023—2025年） in the notice's title, split over two lines
    first, second, third, fourth, fifth = plan["tasks"]
    assert first["lead_units"] == ["司法部"] and first["units"] == ["司法部", "各地区各部门"]
    assert second["units"] == ["各地区各部门"] and second["measures"][0]["due"] == "2024-12-31"
    assert [m["units"] for m in third["measures"]] == [["司法部", "有关部门"], ["司法部"]]
    assert [(m["text"], m["units"]) for m in fourth["measures"]] == [
        ("各地区要依法公开行政执法结果信息", ["各省级人民政府"]),
        ("国务院有关部门要加强指导。", ["国务院有关部门"]),
    ]
    assert (fifth["number"], fifth["section"], fifth["units"]) == (None, "三、", ["中央编办", "司法部"])
    assert plan["warnings"] == []


def test_signature_date_and_copy_list_after_the_last_task_are_not_part_of_it():
    plan = fixture("signature_at_the_end.txt")
    assert plan["issuer"] == "西岭县全面依法治县委员会办公室"
    assert plan["issued_on"] == "2024-02-26"
    assert plan["ends_on"] == "2024-12-31"  # a yearly 1月10日 does not stretch the plan
    assert [t["title"] for t in plan["tasks"]] == ["制定普法清单", "开展以案释法"]
    cases = plan["tasks"][1]
    assert cases["lead_units"] == ["县司法局"]
    assert measure(cases, "每季度")["units"] == ["县法院", "县检察院"]
    assert measure(cases, "每季度")["recurrence"] == "quarterly"
    assert measure(cases, "各单位要在每年1月10日前")["due"] == "2025-01-10"  # the first one after 2024-02-26
    texts = [m["text"] for t in plan["tasks"] for m in t["measures"]]
    assert not any("抄送" in t or "2024年2月26日" in t or "办公室" == t[-3:] for t in texts)
    assert plan["warnings"] == []


def test_labels_after_the_title_on_the_same_line():
    plan = parse_text("某区方案\n一、任务\n1.加强培训 牵头单位：区司法局 配合单位：区财政局\n组织全员培训。\n")
    task = plan["tasks"][0]
    assert (task["title"], task["lead_units"], task["units"]) == ("加强培训", ["区司法局"], ["区司法局", "区财政局"])
    assert [m["text"] for m in task["measures"]] == ["组织全员培训。"]
