"""Managing measures (lead office): add and edit, assign and unassign units and groups, deadlines with a
required reason; assignments follow through tasks.planning.sync_assignments."""

import datetime

from plans.models import Measure, Task, Unit
from tasks.models import Assignment
from tasks.planning import periods_for


def form(cast, **changes):
    data = {"text": cast.measure.text, "kind": "once", "due_on": "2024-06-30", "due_phrase": "2024年6月底前",
            "recurrence": "", "target_value": "", "target_unit": "", "evidence": "", "units": [cast.finance.pk],
            "groups": [cast.streets.pk], "lead_units": [], "reason": ""}
    data.update(changes)
    return data


def test_lead_adds_a_measure_and_assignments_follow_with_groups_expanded(cast, login):
    response = login(cast.lead).post(f"/tasks/manage/tasks/{cast.task.pk}/measures/new/", {
        "text": "每半年开展一次执法案卷评查。", "kind": "recurring", "due_on": "", "recurrence": "half-yearly",
        "evidence": "评查报告", "units": [cast.finance.pk], "groups": [cast.streets.pk]}, follow=True)
    page = response.content.decode()
    assert "措施已新增：新增任务分解" in page
    measure = Measure.objects.get(text="每半年开展一次执法案卷评查。")
    assert measure.added_by_lead and measure.evidence == "评查报告"
    assert (measure.kind, measure.kind_basis, measure.owner_rule) == ("recurring", "lead", "manual")
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
    assert "修改类型、完成时限或周期必须填写调整原因。" in response.content.decode()
    assert Measure.objects.get(pk=cast.measure.pk).due_on == datetime.date(2024, 6, 30)

    lead.post(f"/tasks/manage/measures/{cast.measure.pk}/", form(cast, due_on="2024-09-30", reason="市里统一延后"))
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert measure.due_on == datetime.date(2024, 9, 30)
    assert measure.history.order_by("-history_id").first().history_change_reason == "调整时限：市里统一延后"
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


# --- a measure's kind, owners, leads and target ---------------------------------------------------------------


def last_reason(measure: Measure) -> str:
    return measure.history.order_by("-history_id").first().history_change_reason


def test_changing_the_kind_to_ongoing_needs_a_reason_and_resyncs_the_assignments(cast, login):
    lead = login(cast.lead)
    url = f"/tasks/manage/measures/{cast.measure.pk}/"
    response = lead.post(url, form(cast, kind="ongoing"))
    assert "修改类型、完成时限或周期必须填写调整原因。" in response.content.decode()
    assert lead.post(url, form(cast, kind="ongoing", reason="原文为持续推进")).status_code == 302
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert (measure.kind, measure.ongoing, measure.due_on, measure.kind_basis) == ("ongoing", True, None, "lead")
    assert last_reason(measure) == "类型改为长期坚持：原文为持续推进"
    owed = set(Assignment.objects.filter(measure=measure, unit=cast.finance).values_list("period", "due_on"))
    assert owed == set(periods_for(measure))  # the one-off assignment gave way to the ongoing measure's own


def test_changing_the_kind_to_recurring_needs_a_period_and_gives_one_assignment_per_period(cast, login):
    lead = login(cast.lead)
    url = f"/tasks/manage/measures/{cast.measure.pk}/"
    response = lead.post(url, form(cast, kind="recurring", due_on="", reason="每半年轮训"))
    assert "周期性措施请选择周期。" in response.content.decode()
    lead.post(url, form(cast, kind="recurring", recurrence="half-yearly", due_on="", due_phrase="",
                        reason="每半年轮训"))
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert (measure.kind, measure.recurrence, measure.kind_basis) == ("recurring", "half-yearly", "lead")
    periods = set(Assignment.objects.filter(measure=measure, unit=cast.finance).values_list("period", flat=True))
    assert {"2024年下半年", "2025年上半年", "2025年下半年"} <= periods


def test_changing_owners_marks_them_the_lead_offices_and_says_so_in_the_history(cast, login):
    Measure.objects.filter(pk=cast.measure.pk).update(owner_rule="task")
    login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/",
                          form(cast, units=[cast.justice.pk], groups=[cast.streets.pk], lead_units=[cast.justice.pk]))
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert (measure.owner_rule, measure.kind_basis) == ("manual", "text")
    assert list(measure.lead_units.all()) == [cast.justice]
    assert last_reason(measure) == "调整责任单位"
    assert Assignment.objects.filter(measure=measure, unit=cast.justice).exists()


def test_saving_a_default_kind_confirms_it(cast, login):
    Measure.objects.filter(pk=cast.measure.pk).update(kind_basis="default", kind_words="完成")
    page = login(cast.lead).get(f"/tasks/manage/tasks/{cast.task.pk}/").content.decode()
    assert "待确认" in page and "确认或修改" in page
    login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/", form(cast))
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert measure.kind_basis == "lead" and last_reason(measure) == "确认类型为一次性"


def test_a_lead_must_owe_the_measure(cast, login):
    response = login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/",
                                     form(cast, lead_units=[cast.justice.pk]))
    assert "牵头单位“区司法局”不是本措施的责任单位。" in response.content.decode()
    street_lead = form(cast, units=[], lead_units=[cast.street.pk])  # a member of the chosen group may lead
    assert login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/", street_lead).status_code == 302


def test_a_per_person_target_reads_as_the_plan_writes_it(cast, login):
    login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/", form(
        cast, kind="recurring", recurrence="yearly", due_on="", due_phrase="", target_value="60",
        target_unit="学时", target_per_person="on", reason="每年培训"))
    measure = Measure.objects.get(pk=cast.measure.pk)
    assert measure.target_per_person and measure.target_text() == "每人每年60学时"
    for url in (f"/tasks/manage/tasks/{cast.task.pk}/", f"/plans/{cast.plan.pk}/"):
        assert "每人每年60学时" in login(cast.inspector).get(url).content.decode()


def test_the_measure_list_shows_kind_owners_rule_and_leads(cast, login):
    Measure.objects.filter(pk=cast.measure.pk).update(owner_rule="group", owner_words="各街道")
    cast.measure.lead_units.add(cast.finance)
    page = login(cast.inspector).get(f"/tasks/manage/tasks/{cast.task.pk}/").content.decode()
    assert "kind-once" in page and "2024年6月30日" in page and "原文：2024年6月底前" in page
    assert "区财政局（牵头）" in page and "原文所指一类单位：“各街道”" in page


def test_requirements_are_not_counted_as_tasks_in_the_measure_manager(cast, login):
    Task.objects.create(plan=cast.plan, title="加强组织推动", is_requirement=True, order=99)
    page = login(cast.lead).get("/tasks/manage/").content.decode()
    assert "1 项任务 + 1 项工作要求" in page
    assert page.index("工作要求（不计入任务）") < page.index("加强组织推动")


def test_a_form_sent_without_a_kind_keeps_the_kind_its_fields_say(cast, login):
    Measure.objects.filter(pk=cast.measure.pk).update(ongoing=True, due_on=None)
    data = form(cast, due_on="", text="持续开展全员轮训。")
    del data["kind"]
    assert login(cast.lead).post(f"/tasks/manage/measures/{cast.measure.pk}/", data).status_code == 302
    assert Measure.objects.get(pk=cast.measure.pk).kind == "ongoing"
    new = {"text": "每季度开展一次执法案卷自查。", "recurrence": "quarterly", "units": [cast.finance.pk]}
    login(cast.lead).post(f"/tasks/manage/tasks/{cast.task.pk}/measures/new/", new)
    assert Measure.objects.get(text=new["text"]).kind == "recurring"
