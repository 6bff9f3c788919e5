"""Managing measures (lead office): add and edit, assign and unassign units and groups, deadlines with a
required reason; assignments follow through tasks.planning.sync_assignments."""

import datetime

from plans.models import Measure, Unit
from tasks.models import Assignment


def form(cast, **changes):
    data = {"text": cast.measure.text, "due_on": "2024-06-30", "due_phrase": "2024年6月底前", "recurrence": "",
            "target_value": "", "target_unit": "", "evidence": "", "units": [cast.finance.pk],
            "groups": [cast.streets.pk], "reason": ""}
    data.update(changes)
    return data


def test_lead_adds_a_measure_and_assignments_follow_with_groups_expanded(cast, login):
    response = login(cast.lead).post(f"/tasks/manage/tasks/{cast.task.pk}/measures/new/", {
        "text": "每半年开展一次执法案卷评查。", "due_on": "", "recurrence": "half-yearly",
        "evidence": "评查报告", "units": [cast.finance.pk], "groups": [cast.streets.pk]}, follow=True)
    page = response.content.decode()
    assert "措施已新增：新增任务分解" in page
    measure = Measure.objects.get(text="每半年开展一次执法案卷评查。")
    assert measure.added_by_lead and measure.evidence == "评查报告"
    units = set(Assignment.objects.filter(measure=measure).values_list("unit__name", flat=True))
    assert units == {"区财政局", "光复道街道办事处"}
    periods = sorted(set(Assignment.objects.filter(measure=measure).values_list("period", flat=True)))
    assert "2024年下半年" in periods and "2025年下半年" in periods
    assert "每半年开展一次执法案卷评查。" in login(cast.lead).get(f"/tasks/manage/tasks/{cast.task.pk}/").content.decode()


def test_a_measure_needs_text_and_someone_responsible(cast, login):
    response = login(cast.lead).post(f"/tasks/manage/tasks/{cast.task.pk}/measures/new/",
                                     {"text": "", "units": [], "groups": []})
    page = response.content.decode()
    assert "请填写措施内容。" in page and "请至少选择一个责任单位或责任分组。" in page
    assert Measure.objects.count() == 1


def test_unassigning_keeps_assignments_with_submissions(cast, login, submit_with):
    submit_with(cast.street_assignment, cast.street_user)
    response = login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/",
                                     form(cast, units=[cast.justice.pk], groups=[]), follow=True)
    page = response.content.decode()
    assert "1项已有报送的任务分解予以保留（光复道街道办事处）" in page
    names = set(Assignment.objects.filter(measure=cast.measure).values_list("unit__name", flat=True))
    assert names == {"区司法局", "光复道街道办事处"}  # finance (untouched) removed, street (reported) kept


def test_deadline_change_needs_a_reason_and_is_kept_in_the_history(cast, login):
    lead = login(cast.lead)
    response = lead.post(f"/tasks/manage/measures/{cast.measure.pk}/", form(cast, due_on="2024-09-30"))
    assert "修改完成时限必须填写调整原因。" in response.content.decode()
    assert Measure.objects.get(pk=cast.measure.pk).due_on == datetime.date(2024, 6, 30)

    lead.post(f"/tasks/manage/measures/{cast.measure.pk}/", form(cast, due_on="2024-09-30", reason="市里统一延后"))
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert measure.due_on == datetime.date(2024, 9, 30)
    assert measure.history.order_by("-history_id").first().history_change_reason == "市里统一延后"
    assert set(Assignment.objects.filter(measure=measure).values_list("due_on", flat=True)) == {
        datetime.date(2024, 9, 30)}


def test_editing_text_alone_needs_no_reason(cast, login):
    response = login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/",
                                     form(cast, text="2024年6月底前完成全员轮训，覆盖全部执法人员。"))
    assert response.status_code == 302
    assert Measure.objects.get(pk=cast.measure.pk).text.endswith("覆盖全部执法人员。")


def test_adding_a_unit_gives_it_an_assignment(cast, login):
    newcomer = Unit.objects.create(name="区商务局")
    login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/",
                          form(cast, units=[cast.finance.pk, newcomer.pk]))
    assert Assignment.objects.filter(measure=cast.measure, unit=newcomer,
                                     due_on=datetime.date(2024, 6, 30)).exists()


def test_inspector_reads_the_measure_list_without_edit_links(cast, login):
    page = login(cast.inspector).get(f"/tasks/manage/tasks/{cast.task.pk}/").content.decode()
    assert cast.measure.text in page and "编辑" not in page and "新增措施" not in page
