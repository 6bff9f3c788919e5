"""The import preview's fix-ups keep the names chosen for unknown names, and a warning a fix-up answers goes away:
from the preview and from the messages after the import."""

import pytest
from django.urls import reverse

from plans.models import Plan, Unit
from tests.plans.test_import_pages import frozen, preview_data, upload  # noqa: F401 — frozen: 2024年6月20日, autouse

PREVIEW = "plans:import_preview"
# Task 2 names no unit; task 1's measure has a date the reader cannot read; 区城管委 is not in the directory.
TEXT = """示例区依法行政工作方案
一、重点任务
1.开展执法培训。2024年6月底前完成全员轮训。（责任单位：区司法局、区城管委）
2.规范执法程序。严格执行执法程序。
3.加强案卷评查。收到通知后20个工作日内完成评查。（责任单位：区司法局）
"""


@pytest.fixture
def preview(cast, login):
    client = login(cast.lead)
    upload(client, TEXT)
    return client


def messages_of(data) -> list[str]:
    return [w["message"] for w in data.get("warnings") or []]


def test_a_task_fix_keeps_the_names_chosen_so_far(cast, preview):
    city = Unit.objects.create(name="区城市管理委")
    assert preview.get(reverse(PREVIEW)).context["unknown"] == ["区城管委"]
    # the confirm form's choices ride along with the fix-up (import_preview.js), as name_<i>
    preview.post(reverse(PREVIEW), {"action": "units", "task": 1, "units": "区财政局", "leads": "",
                                    "name_0": f"unit:{city.pk}"})
    page = preview.get(reverse(PREVIEW)).content.decode()
    assert f'<option value="unit:{city.pk}" selected>' in page
    # a second fix-up sent without the choices (no script) does not forget them either
    preview.post(reverse(PREVIEW), {"action": "units", "task": 1, "units": "区司法局", "leads": ""})
    assert f'<option value="unit:{city.pk}" selected>' in preview.get(reverse(PREVIEW)).content.decode()


def test_a_task_fix_answers_the_warning_about_its_missing_units_before_and_after_import(cast, preview):
    data = preview_data(preview)
    missing = next(m for m in messages_of(data) if "规范执法程序" in m and "责任单位" in m)
    assert missing in preview.get(reverse(PREVIEW)).content.decode()
    preview.post(reverse(PREVIEW), {"action": "units", "task": 1, "units": "区财政局", "leads": ""})
    assert missing not in messages_of(preview_data(preview))
    assert missing not in preview.get(reverse(PREVIEW)).content.decode()
    response = preview.post(reverse("plans:import_confirm"), {"name_0": "ignore"}, follow=True)
    assert Plan.objects.filter(title="示例区依法行政工作方案").exists()
    assert missing not in response.content.decode()


def test_a_measure_fix_answers_its_warnings_and_their_copy_in_the_plans_list(cast, preview):
    data = preview_data(preview)
    measure = data["tasks"][2]["measures"][0]
    unreadable = next(w for w in measure["warnings"] if "时限" in w)
    assert unreadable in messages_of(data)  # the reader lists it for the plan too
    preview.post(reverse(PREVIEW), {"action": "obligation", "task": 2, "measure": 0, "kind": "once",
                                    "due": "2024-12-31", "owners": ["区司法局"]})
    data = preview_data(preview)
    assert data["tasks"][2]["measures"][0]["warnings"] == []
    assert unreadable not in messages_of(data)
    response = preview.post(reverse("plans:import_confirm"), {"name_0": "ignore"}, follow=True)
    assert unreadable not in response.content.decode()


def test_a_refused_fix_answers_nothing(cast, preview):
    before = preview_data(preview)
    preview.post(reverse(PREVIEW), {"action": "units", "task": 1, "units": "", "leads": ""})
    assert preview_data(preview)["warnings"] == before["warnings"]
