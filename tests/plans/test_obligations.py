"""read_obligations: the demo plan's measures read as obligations (kind, owners, leads, targets), and
made-up plans for each rule."""

import collections
import copy

import pytest

from plans.directory import load_units
from plans.importer.obligations import Directory, read_obligations
from plans.importer.text import parse_text
from tests.plans.demo_plan import DEMO_PLAN

UNITS = DEMO_PLAN.parent / "units.csv"
TASK_UNITS = "区司法局,各行政执法部门,各街道办事处"


@pytest.fixture(scope="module")
def directory():
    return Directory.from_csv(UNITS)


@pytest.fixture(scope="module")
def demo(directory):
    return read_obligations(parse_text(DEMO_PLAN.read_text(encoding="utf-8")), directory)


def task(plan: dict, number: int | None, title: str | None = None) -> dict:
    return next(t for t in plan["tasks"] if t["number"] == number and (title is None or t["title"] == title))


def measure(plan_task: dict, start: str) -> dict:
    return next(m for m in plan_task["measures"] if m["text"].startswith(start))


def read(directory: Directory, *tasks: str, closing: str = "") -> dict:
    """A small plan: one numbered task per body (its text ends with its annotation), then a closing part."""
    lines = ["测试区行政执法工作实施方案", "2024年6月14日", "一、总体要求", "到2025年底,全面提升执法质量。", "二、重点任务"]
    lines += [f"{i}.任务{i}。{body}" for i, body in enumerate(tasks, start=1)]
    return read_obligations(parse_text("\n".join(lines) + "\n" + closing), directory)


def only_measure(plan: dict) -> dict:
    [m] = plan["tasks"][0]["measures"]
    return m


# -- the demo plan ------------------------------------------------------------------------------------------

def test_demo_has_17_tasks_and_its_3_working_requirements_are_not_tasks(demo):
    tasks = [t for t in demo["tasks"] if not t["requirement"]]
    requirements = [t for t in demo["tasks"] if t["requirement"]]
    assert [t["number"] for t in tasks] == list(range(1, 18))
    assert [t["title"] for t in requirements] == ["加强组织推动", "细化落实举措", "做好宣传交流"]


def test_demo_kinds_counted(demo):
    measures = [m for t in demo["tasks"] for m in t["measures"]]
    counts = collections.Counter((m["kind"], m["kind_source"]) for m in measures)
    assert counts == {
        ("once", "text"): 5, ("once", "default"): 16,
        ("recurring", "text"): 4,
        ("ongoing", "text"): 8, ("ongoing", "default"): 30,
    }
    # 61 sentences; two hold two kinds each and become two measures.
    assert len({id(m) for m in measures}) == 63
    assert len([m for m in measures if m["text"] != m["sentence"]]) == 4


def test_demo_keeps_the_old_keys_consistent_with_the_kind(demo):
    for t in demo["tasks"]:
        for m in t["measures"]:
            assert m["ongoing"] == (m["kind"] == "ongoing")
            assert (m["recurrence"] is not None) == (m["kind"] == "recurring")
            assert (m["due"] is not None) == (m["kind"] == "once"), m["text"]
            assert m["units"] and m["owner_rule"] in ("named", "group", "task", "lead")
            assert m["kind_source"] == "default" or m["kind_words"]


def test_demo_no_street_owes_a_departments_duty(demo, directory):
    streets = set(directory.groups["各街道办事处"])
    departments_words = [m for t in demo["tasks"] for m in t["measures"]
                         if m["owner_rule"] == "group" and "部门" in m["owner_words"]]
    assert len(departments_words) == 9
    for m in departments_words:
        owed_by = {u for name in m["units"] for u in directory.members(name)}
        assert owed_by and not owed_by & streets, m["text"]


def test_empowered_departments_alone_owe_the_training_of_street_staff(demo):
    m = measure(task(demo, 2), "区级赋权行政执法部门要")
    assert m["units"] == ["相关执法部门"]
    assert (m["owner_rule"], m["owner_words"]) == ("group", "区级赋权行政执法部门")
    assert (m["kind"], m["recurrence"]) == ("recurring", "yearly")
    assert m["target"] == {"value": 2, "unit": "次", "per_person": False, "recurrence": "yearly"}


def test_hours_per_person_per_year_are_a_yearly_per_person_target(demo):
    m = measure(task(demo, 2), "组织全区行政执法人员")
    assert m["target"] == {"value": 60, "unit": "学时", "per_person": True, "recurrence": "yearly"}
    assert m["kind"] == "recurring" and m["owner_rule"] == "task"


def test_putting_costs_in_the_budget_is_yearly(demo):
    m = measure(task(demo, 17), "按照财政事权")
    assert (m["kind"], m["kind_source"], m["kind_words"], m["recurrence"]) == (
        "recurring", "text", "纳入本级预算", "yearly")
    assert m["due"] is None


def test_party_building_is_ongoing_by_default_and_never_due(demo):
    m = measure(task(demo, 1), "加强行政执法单位党组织建设")
    assert (m["kind"], m["kind_source"], m["kind_words"]) == ("ongoing", "default", "加强")
    assert m["due"] is None and m["ongoing"]
    assert m["units"] == ["各行政执法部门", "各街道办事处"] and m["owner_rule"] == "task"


def test_always_continually_and_timely_are_ongoing(demo):
    assert measure(task(demo, 1), "行政执法部门要始终")["kind_words"] == "始终"
    assert measure(task(demo, 1), "推进行政执法队伍")["kind_words"] == "持续"
    timely = measure(task(demo, 4), "区司法局适时")
    assert (timely["kind"], timely["kind_source"], timely["kind_words"]) == ("ongoing", "text", "适时")
    assert (timely["units"], timely["owner_rule"]) == (["区司法局"], "named")


def test_dated_measures_are_once_with_their_dates(demo):
    training = measure(task(demo, 2), "2024年6月底前")
    assert (training["kind"], training["due"], training["due_phrase"]) == ("once", "2024-06-30", "2024年6月底前")
    report = measure(task(demo, 4), "各行政执法部门专项整治情况")
    assert (report["due"], report["units"], report["owner_rule"]) == ("2024-06-30", ["各行政执法部门"], "group")


def test_undated_deliverable_is_once_due_at_the_plans_end(demo):
    m = measure(task(demo, 2), "制定法律法规应知应会清单")
    assert (m["kind"], m["kind_source"], m["kind_words"], m["due"]) == ("once", "default", "制定", "2025-12-31")


def test_routine_and_lasting_supervision_splits_from_the_system_due_by_2024(demo):
    first, second = [m for m in task(demo, 11)["measures"] if m["sentence"].startswith("加强对行政执法工作")]
    assert first["text"] == "加强对行政执法工作的全方位、全流程监督,严格履行常态化、长效化监督。"
    assert (first["kind"], first["kind_words"], first["due"]) == ("ongoing", "常态化", None)
    assert second["text"].startswith("2024年底前基本建成") and second["text"] in second["sentence"]
    assert (second["kind"], second["due"], second["due_phrase"]) == ("once", "2024-12-31", "2024年底前")


def test_yearly_supervision_plan_is_the_justice_bureaus_yearly_act(demo):
    plan_part, routine = [m for m in task(demo, 12)["measures"] if m["sentence"].startswith("区司法局制定年度")]
    assert plan_part["text"] == "区司法局制定年度行政执法监督工作方案。"
    assert (plan_part["kind"], plan_part["kind_words"], plan_part["recurrence"]) == ("recurring", "制定年度", "yearly")
    assert (routine["kind"], routine["kind_words"]) == ("ongoing", "经常性")
    assert plan_part["units"] == routine["units"] == ["区司法局"]
    assert routine["owner_rule"] == "named"


def test_the_districts_own_index_is_owed_by_the_tasks_lead(demo):
    m = measure(task(demo, 3), "健全完善河北区行政执法考评指标")
    assert (m["units"], m["owner_rule"]) == (["区司法局"], "lead")
    assert m["owner_words"] == "健全完善河北区行政执法考评指标"


def test_assessing_powers_handed_to_streets_is_owed_by_the_departments_in_the_task(demo):
    m = measure(task(demo, 8), "完善赋权事项评估")
    assert (m["units"], m["owner_rule"], m["owner_words"]) == (["相关执法部门"], "group", "行政执法部门")
    assert (m["kind"], m["due"]) == ("once", "2024-12-31")


def test_streets_the_measure_acts_on_do_not_owe_it(demo):
    m = measure(task(demo, 8), "对拟予清理的行政执法事项不再赋权街道")
    assert (m["units"], m["owner_rule"], m["owner_words"]) == (["区司法局", "相关执法部门"], "task", "赋权街道")


def test_first_named_unit_before_groups_leads_the_task(demo):
    assert task(demo, 16)["lead_units"] == ["区人社局"]
    assert task(demo, 17)["lead_units"] == ["区财政局"]
    assert task(demo, 2)["lead_units"] == ["区司法局"]
    assert task(demo, 1)["lead_units"] == []  # groups only
    assert measure(task(demo, 16), "落实行政执法人员工资待遇政策")["lead_units"] == ["区人社局"]
    # A measure its lead does not owe has no lead.
    assert measure(task(demo, 2), "区级赋权行政执法部门要")["lead_units"] == []


def test_mechanism_led_by_the_justice_bureau_with_others_taking_part(demo):
    t = task(demo, None, "加强组织推动")
    assert t["lead_units"] == ["区司法局"]
    assert t["support_units"][0] == "区财政局" and t["support_units"][-2:] == ["区卫生健康委", "各街道办事处"]
    assert len(t["support_units"]) == 11
    [m] = t["measures"]
    assert (m["lead_units"], m["support_units"]) == (t["lead_units"], t["support_units"])
    assert (m["units"], m["owner_rule"]) == (t["units"], "task")


def test_reading_leaves_the_parsed_plan_unchanged(directory):
    parsed = parse_text(DEMO_PLAN.read_text(encoding="utf-8"))
    before = copy.deepcopy(parsed)
    read_obligations(parsed, directory)
    assert parsed == before


# -- made-up plans ------------------------------------------------------------------------------------------

def test_a_sentence_holding_ongoing_and_dated_work_becomes_two_measures(directory):
    plan = read(directory, f"持续推进执法队伍建设,加强业务指导,2024年底前全面完成人员轮训,确保取得实效。(责任单位:{TASK_UNITS})")
    ongoing, once = plan["tasks"][0]["measures"]
    assert ongoing["text"] == "持续推进执法队伍建设,加强业务指导。"  # 加强 goes with the ongoing part
    assert once["text"] == "2024年底前全面完成人员轮训,确保取得实效。"
    assert (ongoing["kind"], once["kind"], once["due"]) == ("ongoing", "once", "2024-12-31")
    assert ongoing["sentence"] == once["sentence"]


def test_a_split_part_without_a_subject_keeps_the_sentences_subject(directory):
    plan = read(directory, f"区司法局每季度开展一次案卷评查,适时通报评查结果。(责任单位:{TASK_UNITS})")
    quarterly, timely = plan["tasks"][0]["measures"]
    assert (quarterly["kind"], quarterly["recurrence"], timely["kind"]) == ("recurring", "quarterly", "ongoing")
    assert quarterly["units"] == timely["units"] == ["区司法局"]


def test_timely_is_ongoing(directory):
    m = only_measure(read(directory, f"区司法局适时组织开展执法检查。(责任单位:{TASK_UNITS})"))
    assert (m["kind"], m["kind_source"], m["due"]) == ("ongoing", "text", None)


def test_drawing_up_a_yearly_plan_recurs_but_a_yearly_appraisal_system_does_not(directory):
    plan = read(directory, f"区财政局编制年度执法经费计划。完善行政执法人员年度考核制度。(责任单位:{TASK_UNITS})")
    yearly, system = plan["tasks"][0]["measures"]
    assert (yearly["kind"], yearly["recurrence"], yearly["units"]) == ("recurring", "yearly", ["区财政局"])
    assert (system["kind"], system["kind_source"], system["kind_words"]) == ("once", "default", "完善")


def test_hours_for_each_officer_each_year_are_per_person(directory):
    m = only_measure(read(directory, f"每名执法人员每年参加不少于40学时的法律知识培训。(责任单位:{TASK_UNITS})"))
    assert m["target"] == {"value": 40, "unit": "学时", "per_person": True, "recurrence": "yearly"}


def test_full_coverage_is_a_target_of_100_percent(directory):
    m = only_measure(read(directory, f"开展执法监督人员培训,实现全覆盖。(责任单位:{TASK_UNITS})"))
    assert m["target"] == {"value": 100, "unit": "%", "per_person": False, "recurrence": None}


def test_a_lasting_mechanism_is_built_once(directory):
    m = only_measure(read(directory, f"建立执法监督长效机制。(责任单位:{TASK_UNITS})"))
    assert (m["kind"], m["kind_source"], m["kind_words"]) == ("once", "default", "建立")


def test_a_named_unit_outside_the_tasks_units_owes_it_with_a_warning(directory):
    m = only_measure(read(directory, "区财政局要保障培训经费。(责任单位:区司法局,各街道办事处)"))
    assert (m["units"], m["owner_rule"]) == (["区财政局"], "named")
    assert m["warnings"] == ["“区财政局”不在本任务的责任单位中，已按原文列为责任单位，请牵头单位确认。"]


def test_a_named_unit_inside_the_tasks_units_has_no_warning(directory):
    m = only_measure(read(directory, f"区财政局要保障培训经费。(责任单位:{TASK_UNITS})"))
    assert (m["units"], m["warnings"]) == (["区财政局"], [])


def test_a_unit_the_directory_lacks_is_kept_with_a_warning(directory):
    m = only_measure(read(directory, f"区档案局负责执法案卷归档。(责任单位:{TASK_UNITS})"))
    assert m["units"] == ["区档案局"]
    assert m["warnings"] == ["“区档案局”不在单位名录中，请在预览中核对。"]


def test_a_group_partly_in_the_task_is_limited_to_the_tasks_members(directory):
    m = only_measure(read(directory, "行政执法部门要加强执法装备配备。(责任单位:区市场监管局,区财政局,区司法局)"))
    assert (m["units"], m["owner_rule"]) == (["区财政局", "区市场监管局"], "group")


def test_a_group_wholly_outside_the_task_is_kept_with_a_warning(directory):
    m = only_measure(read(directory, "各街道办事处要加强执法队伍建设。(责任单位:区司法局)"))
    assert (m["units"], m["owner_rule"]) == (["各街道办事处"], "group")
    assert m["warnings"] == ["“各街道办事处”所指的单位不在本任务的责任单位中，已按原文列为责任单位，请牵头单位确认。"]


def test_lead_and_supporting_units_written_in_the_sentence(directory):
    plan = read(directory, f"区司法局牵头、区财政局配合,建立执法经费保障机制。(责任单位:{TASK_UNITS})")
    m = only_measure(plan)
    assert (m["lead_units"], m["support_units"]) == (["区司法局"], ["区财政局"])
    assert (m["units"], m["owner_rule"], m["owner_words"]) == (["区司法局", "区财政局"], "named", "区司法局牵头")
    assert plan["tasks"][0]["lead_units"] == ["区司法局"]


def test_led_by_written_with_you(directory):
    plan = read(directory, f"由区司法局牵头,区人社局、区财政局参加,定期会商执法保障问题。(责任单位:{TASK_UNITS})")
    m = only_measure(plan)
    assert (m["lead_units"], m["support_units"]) == (["区司法局"], ["区人社局", "区财政局"])
    assert m["kind"] == "ongoing" and m["kind_words"] == "定期"


def test_a_lead_word_not_after_a_unit_names_no_lead(directory):
    plan = read(directory, "充分发挥牵头作用,加强统筹协调。(责任单位:各行政执法部门,各街道办事处)")
    m = only_measure(plan)
    assert m["lead_units"] == m["support_units"] == plan["tasks"][0]["lead_units"] == []


def test_the_districts_own_index_without_a_task_lead_is_left_to_decide(directory):
    m = only_measure(read(directory, "健全完善全区执法考评指标体系。(责任单位:各行政执法部门,各街道办事处)"))
    assert (m["units"], m["owner_rule"]) == (["各行政执法部门", "各街道办事处"], "task")
    assert m["warnings"] == ["“健全完善全区执法考评指标”是本级统一的事项，本任务没有牵头单位，请牵头单位指定负责单位。"]


def test_items_under_a_closing_guarantees_section_are_requirements(directory):
    closing = "三、保障措施\n(一)加强组织领导。建立工作机制。(责任单位:区司法局)\n(二)强化督促检查。定期通报进展。(责任单位:区司法局)\n"
    plan = read(directory, f"加强执法队伍建设。(责任单位:{TASK_UNITS})", closing=closing)
    assert [(t["number"], t["requirement"]) for t in plan["tasks"]] == [(1, False), (None, True), (None, True)]


def test_a_plan_of_numbered_tasks_only_has_no_requirements(directory):
    plan = read(directory, f"加强执法队伍建设。(责任单位:{TASK_UNITS})", f"建立工作机制。(责任单位:{TASK_UNITS})")
    assert [t["requirement"] for t in plan["tasks"]] == [False, False]


# -- the directory ------------------------------------------------------------------------------------------

def test_directory_resolves_short_names_and_groups_with_or_without_ge(directory):
    assert directory.resolve("司法局") == "区司法局"
    assert directory.resolve("街道办事处") == "各街道办事处"
    assert directory.resolve("行政执法部门") == "各行政执法部门"
    assert directory.resolve("区档案馆") is None
    assert len(directory.members("各街道办事处")) == 10
    assert directory.groups["相关执法部门"] and set(directory.groups["相关执法部门"]) < set(directory.groups["各行政执法部门"])


@pytest.mark.django_db
def test_directory_from_the_database_matches_the_file_it_was_loaded_from(directory):
    load_units(UNITS)
    from_db = Directory.from_db()
    assert from_db.units == directory.units
    assert {g: sorted(m) for g, m in from_db.groups.items()} == {g: sorted(m) for g, m in directory.groups.items()}
    assert from_db.aliases == directory.aliases
