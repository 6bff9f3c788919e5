"""The import preview shows the plan as it means it — each measure's kind, owners, leads, target and the words
that decided them; 17 tasks apart from the 3 工作要求 — and lets the lead office change a reading in one click."""

import copy
import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from plans.directory import load_units
from plans.models import Measure, Plan, Unit, UnitGroup
from tests.plans.demo_plan import DEMO_PLAN
from tests.plans.test_import_pages import preview_data, upload

PREVIEW = "plans:import_preview"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2024, 6, 20, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def demo(cast, login):
    """The lead office's client with the demo plan uploaded against the demo directory."""
    load_units(DEMO_PLAN.parent / "units.csv")
    client = login(cast.lead)
    upload(client, DEMO_PLAN.read_text(encoding="utf-8"))
    return client


def find(data: dict, start: str) -> tuple[int, int, dict]:
    """(task index, measure index, measure) of the first measure whose text starts with start."""
    return next((i, j, m) for i, t in enumerate(data["tasks"]) for j, m in enumerate(t["measures"])
                if m["text"].startswith(start))


def row(page: str, text: str) -> str:
    """The preview's table row of the measure that says text."""
    return next(r for r in page.split('<tr id="m-')[1:] if text in r.split("</tr>")[0]).split("</tr>")[0]


def test_demo_summary_counts_17_tasks_3_requirements_and_measures_by_kind(demo):
    data = preview_data(demo)
    measures = [m for t in data["tasks"] for m in t["measures"]]
    warned = sum(1 for m in measures if m["warnings"])
    page = demo.get(reverse(PREVIEW)).content.decode()
    summary = re.sub(r"<[^>]+>|\s+", "", page.split('data-testid="preview-summary"')[1].split("</p>")[0])
    assert summary.startswith(">17项任务+3项工作要求，63条措施：")
    assert f"一次性21周期性4长期坚持38待确认46有提示{warned}" in summary
    counts = re.sub(r"<[^>]+>|\s+", "", page.split('data-testid="preview-counts"')[1].split("</dd>")[0])
    assert "17项任务+3项工作要求" in counts and "20项任务" not in page


def test_requirements_are_listed_apart_under_their_own_heading(demo):
    page = demo.get(reverse(PREVIEW)).content.decode()
    tasks, requirements = page.split("工作要求（不计入任务）</h2>")
    assert page.count('data-testid="preview-task"') == 17
    assert requirements.count('data-testid="preview-requirement"') == 3
    for title in ("加强组织推动", "细化落实举措", "做好宣传交流"):
        assert title in requirements and title not in tasks
    assert "三、工作要求" not in page  # the section's heading gives way to the block


def test_each_measure_shows_kind_owners_leads_target_and_the_words_that_decided(demo):
    page = demo.get(reverse(PREVIEW)).content.decode()
    hours = row(page, "组织全区行政执法人员")
    assert "周期性" in hours and "每人每年60学时" in hours and "依据：“每年”" in hours
    empowered = row(page, "区级赋权行政执法部门要")
    assert 'group-tag" title="分组">相关执法部门' in empowered
    assert "原文所指一类单位：“区级赋权行政执法部门”" in empowered and "每年2次" in empowered
    party = row(page, "加强行政执法单位党组织建设")
    assert 'class="pending"' in party and "kind-pending" in party and "待确认" in party
    assert "长期坚持" in party and "按“加强”默认" in party and "（任务全部责任单位）" in party
    ledger = row(page, "区司法局建立工作台账")
    assert "原文点名单位：“区司法局”" in ledger and "一次性" in ledger and "2025年12月31日" in ledger
    indicators = row(page, "健全完善河北区行政执法考评指标")
    assert "本区自身事项，由任务牵头单位承担" in indicators and 'lead-tag">区司法局' in indicators


def test_a_sentence_split_by_kind_shows_the_whole_sentence(demo):
    page = demo.get(reverse(PREVIEW)).content.decode()
    first = row(page, "加强对行政执法工作的全方位、全流程监督")
    assert "原句：" in first and "2024年底前" in first.split("原句：")[1]


def test_only_pending_filter_lists_the_46_default_kinds(demo):
    page = demo.get(reverse(PREVIEW), {"show": "pending"}).content.decode()
    rows = re.findall(r'data-testid="preview-measure" data-kind="(\w+)" data-source="(\w+)"', page)
    assert len(rows) == 46 and {source for _, source in rows} == {"default"}
    assert "<strong>只看待确认（46）</strong>" in page
    everything = demo.get(reverse(PREVIEW), {"show": "nonsense"}).content.decode()
    assert everything.count('data-testid="preview-measure"') == 63


def test_changing_kind_owners_and_leads_updates_that_measure_alone(demo):
    before = copy.deepcopy(preview_data(demo))
    i, j, m = find(before, "加强行政执法单位党组织建设")
    response = demo.post(reverse(PREVIEW), {
        "action": "obligation", "task": i, "measure": j, "show": "pending", "kind": "recurring",
        "recurrence": "half-yearly", "due": "", "owners": ["各街道办事处", "区司法局"], "leads": ["区司法局"]})
    assert response.status_code == 302 and response["Location"] == reverse(PREVIEW) + f"?show=pending#t-{i}"
    after = preview_data(demo)
    changed = after["tasks"][i]["measures"][j]
    assert (changed["kind"], changed["kind_source"], changed["recurrence"], changed["ongoing"], changed["due"]) == (
        "recurring", "lead", "half-yearly", False, None)
    assert (changed["units"], changed["owner_rule"], changed["owner_words"]) == (
        ["各街道办事处", "区司法局"], "manual", "")
    assert changed["lead_units"] == ["区司法局"] and changed["text"] == m["text"]
    before["tasks"][i]["measures"][j] = changed
    assert after["tasks"] == before["tasks"]  # every other reading kept
    page = demo.get(reverse(PREVIEW)).content.decode()
    assert "待确认 45" in page and "牵头单位确定" in row(page, "加强行政执法单位党组织建设")


def test_one_click_confirm_keeps_the_kind_and_the_owners_reading(demo):
    i, j, m = find(preview_data(demo), "制定法律法规应知应会清单")
    page = demo.get(reverse(PREVIEW)).content.decode()
    quick = row(page, "制定法律法规应知应会清单").split('class="fix-form quick-kind"')[1].split("</form>")[0]
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', quick))
    owners = re.findall(r'name="owners" value="([^"]*)"', quick)
    assert 'name="kind" value="once">确认</button>' in quick and "改为长期坚持" in quick
    demo.post(reverse(PREVIEW), {**fields, "owners": owners, "kind": "once"})
    confirmed = preview_data(demo)["tasks"][i]["measures"][j]
    assert (confirmed["kind"], confirmed["kind_source"], confirmed["due"]) == ("once", "lead", m["due"])
    assert (confirmed["units"], confirmed["owner_rule"]) == (m["units"], m["owner_rule"])


def test_a_kind_change_refused_says_why_and_changes_nothing(demo):
    before = preview_data(demo)
    i, j, m = find(before, "加强行政执法单位党组织建设")
    response = demo.post(reverse(PREVIEW), {"action": "obligation", "task": i, "measure": j, "kind": "recurring",
                                            "owners": m["units"], "leads": ["区财政局"]}, follow=True)
    page = response.content.decode()
    assert "周期性措施请选择周期。" in page and "牵头单位“区财政局”须在所选责任单位中。" in page
    response = demo.post(reverse(PREVIEW), {"action": "obligation", "task": i, "measure": j, "kind": "once"},
                         follow=True)
    assert "请至少选择一个责任单位。" in response.content.decode()
    assert preview_data(demo) == before


def test_fix_ups_keep_the_names_chosen_for_unknown_names(cast, login):
    city = Unit.objects.create(name="区城市管理委")
    client = login(cast.lead)
    upload(client)
    data = preview_data(client)
    client.post(reverse(PREVIEW), {"action": "obligation", "task": 1, "measure": 0, "kind": "ongoing",
                                   "owners": data["tasks"][1]["units"], "name_0": f"unit:{city.pk}"})
    page = client.get(reverse(PREVIEW)).content.decode()
    assert f'<option value="unit:{city.pk}" selected>' in page
    client.post(reverse(PREVIEW), {"action": "split", "task": 0, "measure": 0, "text": "只有一行"})  # refused
    assert f'<option value="unit:{city.pk}" selected>' in client.get(reverse(PREVIEW)).content.decode()


def test_confirmed_readings_are_what_the_plan_stores(demo):
    data = preview_data(demo)
    i, j, m = find(data, "加强行政执法单位党组织建设")
    demo.post(reverse(PREVIEW), {"action": "obligation", "task": i, "measure": j, "kind": "once",
                                 "due": "2024-12-31", "owners": ["各街道办事处"]})
    demo.post(reverse("plans:import_confirm"), {})
    plan = Plan.objects.get(title=data["title"])
    measure = Measure.objects.get(task__plan=plan, text=m["text"])
    assert (measure.kind, measure.kind_basis, measure.due_on) == ("once", "lead", datetime.date(2024, 12, 31))
    assert measure.owner_rule == "manual" and list(measure.groups.all()) == [UnitGroup.objects.get(name="各街道办事处")]
    assert plan.tasks.filter(is_requirement=False).count() == 17
    assert plan.tasks.filter(is_requirement=True).count() == 3
    page = demo.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    counts = re.sub(r"<[^>]+>|\s+", "", page.split('data-testid="plan-counts"')[1].split("</dd>")[0])
    assert counts.startswith(">17项任务+3项工作要求，63条细化措施：")
    assert page.count('data-testid="plan-task"') == 17 and page.count('data-testid="plan-requirement"') == 3
    listing = demo.get(reverse("plans:list")).content.decode()
    assert '<td class="num">17<br><small>另有工作要求 3 项</small>' in listing
