"""parse_text on the demo plan (seed 004) and on plans of other shapes written for these tests."""

import re
import time
from pathlib import Path

import pytest

from plans.importer.errors import PlanImportError
from plans.importer.text import parse_text

SEED = Path("/work/shared/seeds/004_61206e0098345a81.txt")
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
    if not SEED.exists():
        pytest.skip("seed 004 is not available")
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
    text = SEED.read_text(encoding="utf-8")
    started = time.perf_counter()
    parse_text(text)
    assert time.perf_counter() - started < 0.1


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
