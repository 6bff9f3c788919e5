"""apply_plan: writing the importer's JSON, re-importing in place, never losing submitted work."""

import copy
import datetime

import pytest
import time_machine

from plans.importer.writer import apply_plan, derive_prefixes, try_plan
from plans.models import Measure, Plan, Section, Task, Unit, UnitGroup
from tasks.models import Assignment, Submission
from tracker.models import User


def plan_data() -> dict:
    return {
        "title": "示例区法治政府建设工作方案", "issuer": "某市示例区人民政府",
        "issued_on": "2024-03-01", "ends_on": "2025-12-31",
        "source": {"format": "txt", "table": None},
        "sections": [
            {"number": "一、", "title": "重点任务", "parent": None},
            {"number": "（一）", "title": "加强培训", "parent": "一、"},
            {"number": "（二）", "title": "规范执法", "parent": "一、"},
            {"number": "二、", "title": "保障措施", "parent": None},
            {"number": "（一）", "title": "加强领导", "parent": "二、"},
        ],
        "tasks": [
            {"number": 1, "title": "开展执法培训", "section": "（一）", "line": 5,
             "lead_units": ["区司法局"], "units": ["区司法局", "区财政局"],
             "measures": [
                 {"text": "2024年6月底前完成全员轮训。", "units": [], "due": "2024-06-30",
                  "due_phrase": "2024年6月底前", "recurrence": None, "target": None, "ongoing": False},
                 {"text": "每年组织业务培训不少于2次。", "units": [], "due": None, "due_phrase": "每年",
                  "recurrence": "yearly", "target": {"value": 2, "unit": "次"}, "ongoing": False,
                  "lead_units": ["区司法局"]},
             ]},
            {"number": 2, "title": "规范执法程序", "section": "（二）", "line": 8,
             "lead_units": [], "units": ["各街道办事处", "区城管委"],
             "measures": [
                 {"text": "严格执行执法程序。", "units": [], "due": None, "due_phrase": None,
                  "recurrence": None, "target": None, "ongoing": True},
             ]},
            {"number": None, "title": "加强组织领导", "section": "（一）", "line": 12,
             "lead_units": [], "units": ["区司法局"],
             "measures": [
                 {"text": "区司法局建立工作台账。", "units": ["区司法局"], "due": "2024-12-31",
                  "due_phrase": "2024年底前", "recurrence": None, "target": None, "ongoing": False},
             ]},
        ],
        "warnings": [{"line": 9, "message": "无法识别的时限“适时”"}],
    }


@pytest.fixture
def directory(db):
    justice = Unit.objects.create(name="区司法局")
    finance = Unit.objects.create(name="区财政局")
    streets = UnitGroup.objects.create(name="各街道办事处")
    for name in ("甲街道办事处", "乙街道办事处"):
        streets.members.add(Unit.objects.create(name=name, kind=Unit.Kind.STREET))
    return {"justice": justice, "finance": finance, "streets": streets}


def history_rows() -> int:
    return sum(m.history.count() for m in (Plan, Task, Measure, Assignment))


def apply(data, **kw):
    return apply_plan(data, source_name="plan.txt", source_text=kw.pop("text", "原文"), **kw)


def test_writes_plan_sections_tasks_measures_and_assignments(directory):
    result = apply(plan_data())
    plan = result.plan
    assert result.created
    assert (plan.issued_on.isoformat(), plan.ends_on.isoformat()) == ("2024-03-01", "2025-12-31")
    assert [s.number for s in plan.sections.all()] == ["一、", "（一）", "（二）", "二、", "（一）"]
    sub = plan.sections.get(number="（二）")
    assert sub.level == 2 and sub.parent.number == "一、"
    tasks = list(plan.tasks.all())
    assert [t.number for t in tasks] == [1, 2, None]
    # The un-numbered task's （一） is the one under 二、, not the one under 一、.
    assert tasks[2].section.parent.number == "二、"
    yearly = Measure.objects.get(recurrence="yearly")
    assert yearly.target_value == 2 and yearly.target_unit == "次"
    assert list(yearly.lead_units.values_list("name", flat=True)) == ["区司法局"]
    assert set(Assignment.objects.filter(measure=yearly).values_list("period", flat=True)) == {"2024年", "2025年"}
    ongoing = Measure.objects.get(ongoing=True)
    assert set(ongoing.assignments.values_list("unit__name", flat=True)) == {"甲街道办事处", "乙街道办事处"}
    assert sorted(set(ongoing.assignments.values_list("period", "due_on"))) == [
        ("2024年上半年进展", datetime.date(2024, 6, 30)), ("2024年下半年进展", datetime.date(2024, 12, 31)),
        ("2025年上半年进展", datetime.date(2025, 6, 30)), ("2025年下半年进展", datetime.date(2025, 12, 31))]


def test_unknown_units_are_warned_never_dropped_silently(directory):
    result = apply(plan_data())
    assert result.unknown_units == ["区城管委"]
    assert any("第8行" in w and "区城管委" in w for w in result.warnings)
    assert any("第9行：无法识别的时限" in w for w in result.warnings)


def test_unit_map_maps_or_ignores_names(directory):
    city = Unit.objects.create(name="区城市管理委")
    result = apply(plan_data(), unit_map={"区城管委": city})
    assert result.unknown_units == []
    assert Assignment.objects.filter(unit=city).count() == 4  # the ongoing measure's half-yearly progress reports
    other = copy.deepcopy(plan_data())
    other["title"] = "另一个方案"
    result = apply(other, unit_map={"区城管委": None})
    assert result.unknown_units == []


def test_importing_the_same_text_twice_changes_nothing(directory):
    apply(plan_data())
    counts = (Plan.objects.count(), Task.objects.count(), Measure.objects.count(), Assignment.objects.count())
    rows = history_rows()
    result = apply(plan_data())
    assert not result.created and result.changes == []
    assert (Plan.objects.count(), Task.objects.count(), Measure.objects.count(),
            Assignment.objects.count()) == counts
    assert history_rows() == rows


def test_edited_text_updates_in_place_and_reports_changes(directory):
    first = apply(plan_data())
    task_ids = list(first.plan.tasks.values_list("pk", flat=True))
    edited = plan_data()
    edited["tasks"][0]["measures"][0]["due"] = "2024-09-30"
    edited["tasks"][0]["measures"][0]["text"] = "2024年9月底前完成全员轮训。"
    edited["tasks"][1]["title"] = "严格规范执法程序"
    edited["tasks"][0]["measures"].append({"text": "建立培训档案。", "units": ["区财政局"], "due": None,
                                           "recurrence": None, "target": None, "ongoing": False})
    result = apply(edited, text="改过的原文")
    assert not result.created
    assert list(result.plan.tasks.values_list("pk", flat=True)) == task_ids
    text = "\n".join(result.changes)
    assert "任务1措施“2024年6月底前完成全员轮训。”：内容改为“2024年9月底前完成全员轮训。”；" \
           "时限 2024年6月30日 → 2024年9月30日" in text
    assert "任务2：标题 “规范执法程序” → “严格规范执法程序”" in text
    assert "任务1新增措施：建立培训档案。" in text
    moved = Measure.objects.get(text="2024年9月底前完成全员轮训。")
    assert set(moved.assignments.values_list("due_on", flat=True)) == {moved.due_on}
    assert result.plan.source_text == "改过的原文"


def test_removed_measure_with_submissions_is_kept_and_reported(directory):
    apply(plan_data())
    measure = Measure.objects.get(text="2024年6月底前完成全员轮训。")
    assignment = measure.assignments.get(unit=directory["finance"])
    author = User.objects.create_user("czj", password="x-very-long-pw", role="unit", unit=directory["finance"])
    Submission.objects.create(assignment=assignment, author=author, text="已完成轮训", percent=100)
    edited = plan_data()
    del edited["tasks"][0]["measures"][0]
    result = apply(edited)
    assert Measure.objects.filter(pk=measure.pk).exists()
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert any("已从原文删除，但已有报送" in w for w in result.warnings)
    # The untouched assignment of the other unit went with nothing lost.
    assert Submission.objects.count() == 1


def test_removed_measure_without_submissions_is_deleted(directory):
    apply(plan_data())
    edited = plan_data()
    del edited["tasks"][1]
    result = apply(edited)
    assert "删除任务2：规范执法程序" in result.changes
    assert not Measure.objects.filter(ongoing=True).exists()


def test_unit_list_change_moves_assignments(directory):
    apply(plan_data())
    edited = plan_data()
    edited["tasks"][0]["units"] = ["区司法局"]
    result = apply(edited)
    assert "任务1：责任单位 区司法局、区财政局 → 区司法局" in result.changes
    assert "任务1措施“2024年6月底前完成全员轮训。”：责任单位 区司法局、区财政局 → 区司法局" in result.changes
    assert not Assignment.objects.filter(unit=directory["finance"]).exists()


def test_lead_office_additions_survive_reimport(directory):
    first = apply(plan_data())
    task = first.plan.tasks.get(number=1)
    Measure.objects.create(task=task, order=99, text="牵头单位增补的措施。", added_by_lead=True)
    apply(plan_data())
    assert task.measures.filter(added_by_lead=True).count() == 1


def test_prefixes_derived_from_issuer_when_possible():
    assert derive_prefixes("天津市河北区司法局") == ("河北司法函", "河北司法通")
    assert derive_prefixes("河北区人民政府") == ("河北政函", "河北政通")
    assert derive_prefixes("某某委员会") == ("", "")
    assert derive_prefixes("") == ("", "")


def test_nothing_is_written_when_a_step_fails(directory):
    data = plan_data()
    data["tasks"][1]["measures"][0]["due"] = "2024-13-45"
    with pytest.raises(ValueError):
        apply(data)
    assert not Plan.objects.exists() and not Section.objects.exists()


def read_as_meant(data: dict) -> dict:
    """plan_data as the obligations reader hands it on: task 1's training yearly and led, task 2's duty the
    streets', the 加强组织领导 item a requirement."""
    data = copy.deepcopy(data)
    training, yearly = data["tasks"][0]["measures"]
    training.update(kind="once", kind_source="text", kind_words="2024年6月底前", owner_rule="task",
                    owner_words="", lead_units=["区司法局"], warnings=[])
    yearly.update(kind="recurring", kind_source="text", kind_words="每年", owner_rule="named",
                  owner_words="区司法局", units=["区司法局"],
                  target={"value": 2, "unit": "次", "per_person": True, "recurrence": "yearly"})
    data["tasks"][1]["measures"][0].update(
        kind="ongoing", kind_source="default", kind_words="严格", owner_rule="group", owner_words="街道",
        units=["各街道办事处"], lead_units=[], warnings=["“区城管委”不在单位名录中，请在预览中核对。"])
    data["tasks"][2]["requirement"] = True
    for task in data["tasks"]:
        task.setdefault("requirement", False)
    return data


def test_stores_how_each_measure_was_read(directory):
    plan = apply(read_as_meant(plan_data())).plan
    training = Measure.objects.get(text="2024年6月底前完成全员轮训。")
    assert (training.kind, training.kind_basis, training.kind_words, training.owner_rule) == (
        Measure.Kind.ONCE, Measure.Basis.TEXT, "2024年6月底前", Measure.OwnerRule.TASK)
    assert list(training.lead_units.all()) == [directory["justice"]]
    yearly = Measure.objects.get(recurrence="yearly")
    assert (yearly.owner_rule, yearly.owner_words, list(yearly.units.all()), yearly.groups.exists()) == (
        Measure.OwnerRule.NAMED, "区司法局", [directory["justice"]], False)
    assert (yearly.target_value, yearly.target_unit, yearly.target_per_person) == (2, "次", True)
    streets = Measure.objects.get(ongoing=True)
    assert (streets.kind_basis, streets.owner_rule) == (Measure.Basis.DEFAULT, Measure.OwnerRule.GROUP)
    assert list(streets.groups.all()) == [directory["streets"]] and not streets.units.exists()
    first = plan.tasks.get(number=1)
    assert list(first.lead_units.all()) == [directory["justice"]] and not first.is_requirement
    assert plan.tasks.get(number=None).is_requirement


def test_measure_warnings_are_import_warnings_with_their_task(directory):
    result = apply(read_as_meant(plan_data()))
    assert "任务2：“区城管委”不在单位名录中，请在预览中核对。" in result.warnings


def test_re_reading_a_measure_lists_its_new_kind_and_owners_in_one_line(directory):
    apply(plan_data())
    result = apply(read_as_meant(plan_data()))
    assert "任务1措施“每年组织业务培训不少于2次。”：目标 每年2次 → 每人每年2次；责任单位 区司法局、区财政局 → 区司法局；" \
           "责任认定 无 → 原文点名单位" in result.changes
    assert "任务1措施“2024年6月底前完成全员轮训。”：责任认定 无 → 任务全部责任单位；牵头单位 无 → 区司法局" in result.changes
    assert "任务2措施“严格执行执法程序。”：类型依据 据原文 → 默认，待确认；责任认定 无 → 原文所指一类单位" in result.changes
    assert "工作要求“加强组织领导”：改为工作要求（不计入任务数）" in result.changes


def test_a_measure_read_as_another_kind_is_replanned_and_keeps_what_was_submitted(directory):
    with time_machine.travel(datetime.datetime(2024, 7, 1, 9), tick=False):
        apply(plan_data())
        training = Measure.objects.get(text="2024年6月底前完成全员轮训。")
        submitted = training.assignments.get(unit=directory["finance"])
        author = User.objects.create_user("czj", password="x-very-long-pw", role="unit", unit=directory["finance"])
        Submission.objects.create(assignment=submitted, author=author, text="已轮训", percent=100)
        data = read_as_meant(plan_data())
        data["tasks"][0]["measures"][0].update(kind="ongoing", ongoing=True, due=None, due_phrase=None)
        result = apply(data)
    assert result.changes[0].startswith("任务1措施“2024年6月底前完成全员轮训。”：类型 一次性 → 长期坚持；"
                                        "时限 2024年6月30日 → 无；")
    assert set(training.assignments.values_list("unit__name", "period")) == {
        ("区财政局", ""), *((unit, f"{half}进展") for unit in ("区司法局", "区财政局")
                           for half in ("2024年上半年", "2024年下半年", "2025年上半年", "2025年下半年"))}
    assert Submission.objects.get().assignment == submitted
    assert result.kept == ["区财政局的“2024年6月底前完成全员轮训。”已不在该措施的报送期次中（措施现为长期坚持），但已有报送，予以保留。"]


def test_trying_a_plan_reports_its_changes_and_writes_nothing(directory):
    apply(plan_data())
    rows = history_rows()
    edited = plan_data()
    edited["tasks"][1]["title"] = "严格规范执法程序"
    result = try_plan(edited, source_name="plan.txt", source_text="原文")
    assert result.changes == ["任务2：标题 “规范执法程序” → “严格规范执法程序”"]
    assert history_rows() == rows and Task.objects.filter(title="规范执法程序").exists()
