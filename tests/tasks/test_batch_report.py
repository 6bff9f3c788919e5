"""批量报送: one progress report on several of the unit's items, each with its own submission, percent, figures and
evidence, all or nothing; another unit's item is 404, other roles 403."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import Measure
from tasks.models import Assignment, Evidence, Submission
from tests.tasks.conftest import JPG, PDF, stored_files, upload

URL = "/tasks/mine/batch/"


def street_items(cast, n, **measure_fields):
    items = []
    for i in range(n):
        m = Measure.objects.create(task=cast.task, order=10 + i, text=f"批量措施第{i + 1}项", **measure_fields)
        items.append(Assignment.objects.create(measure=m, unit=cast.street, due_on=datetime.date(2024, 7, 1)))
    return items


def post_data(items, text="本季度已组织专题培训。", percent="60", **extra):
    data = {"ids": [str(a.pk) for a in items], "text": text, **extra}
    for a in items:
        data.setdefault(f"item{a.pk}-percent", percent)
    return data


def test_the_list_offers_open_items_to_tick(frozen, cast, login):
    done = street_items(cast, 1)[0]
    Assignment.objects.filter(pk=done.pk).update(status="done")
    page = login(cast.street_user).get("/tasks/mine/?show=all").content.decode()
    assert 'id="batch-pick"' in page and f'name="ids" value="{cast.street_assignment.pk}" form="batch-pick"' in page
    assert f'name="ids" value="{done.pk}"' not in page  # a finished item cannot be reported again
    lead_page = login(cast.lead).get("/tasks/assignments/").content.decode()
    assert "batch-pick" not in lead_page


def test_the_form_lists_the_ticked_items_with_figures_only_where_a_target_asks(frozen, cast, login):
    plain = street_items(cast, 1)[0]
    targeted = street_items(cast, 1, target_value=Decimal(60), target_unit="学时", target_per_person=True)[0]
    targeted.measure.text = "每人每年完成60学时培训"
    targeted.measure.save()
    page = login(cast.street_user).get(URL, {"ids": [plain.pk, targeted.pk]}).content.decode()
    assert page.count('data-testid="batch-item"') == 2
    assert f'name="item{plain.pk}-percent"' in page and f'name="item{targeted.pk}-percent"' in page
    assert f'name="item{targeted.pk}-achieved_value"' in page and f'name="item{targeted.pk}-staff_total"' in page
    assert f'name="item{plain.pk}-achieved_value"' not in page


def test_one_report_makes_a_submission_per_item_each_with_its_own_evidence(frozen, cast, login, media_root):
    items = street_items(cast, 3)
    data = post_data(items, files=[upload("签到表.pdf", PDF), upload("现场照片.jpg", JPG)])
    data[f"item{items[2].pk}-percent"] = "100"
    response = login(cast.street_user).post(URL, data)
    assert response.status_code == 302 and response["Location"] == "/tasks/mine/"
    for a in items:
        a.refresh_from_db()
        submission = Submission.objects.get(assignment=a)
        assert a.status == "submitted" and submission.text == "本季度已组织专题培训。"
        assert sorted(e.original_name for e in submission.evidence.all()) == ["现场照片.jpg", "签到表.pdf"]
        assert all(e.actual_sha256() == e.sha256 for e in submission.evidence.all())
    assert [Submission.objects.get(assignment=a).percent for a in items] == [60, 60, 100]
    assert len(stored_files(media_root)) == 6  # each submission keeps its own copy
    assert Evidence.objects.values("file").distinct().count() == 6


def test_figures_are_kept_per_item(frozen, cast, login):
    a, b = street_items(cast, 2, target_value=Decimal(60), target_unit="学时", target_per_person=True)
    data = post_data([a, b], files=[upload("签到表.pdf", PDF)])
    data.update({f"item{a.pk}-achieved_value": "58", f"item{a.pk}-staff_total": "40", f"item{a.pk}-staff_reached": "30",
                 f"item{b.pk}-achieved_value": "61", f"item{b.pk}-staff_total": "12", f"item{b.pk}-staff_reached": "12"})
    assert login(cast.street_user).post(URL, data).status_code == 302
    figures = {s.assignment_id: (s.achieved_value, s.staff_total, s.staff_reached) for s in Submission.objects.all()}
    assert figures == {a.pk: (Decimal(58), 40, 30), b.pk: (Decimal(61), 12, 12)}


def test_a_bad_item_names_itself_in_chinese_and_nothing_is_written(frozen, cast, login, media_root):
    items = street_items(cast, 2, target_value=Decimal(60), target_unit="学时", target_per_person=True)
    data = post_data(items, files=[upload("签到表.pdf", PDF)])
    data.update({f"item{items[0].pk}-achieved_value": "58", f"item{items[0].pk}-staff_total": "40",
                 f"item{items[0].pk}-staff_reached": "30",
                 f"item{items[1].pk}-achieved_value": "61", f"item{items[1].pk}-staff_total": "12",
                 f"item{items[1].pk}-staff_reached": "13"})
    response = login(cast.street_user).post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "任务1“批量措施第2项”：达标人数不能大于执法人员总数。" in page
    assert not Submission.objects.exists() and stored_files(media_root) == []


def test_completing_an_item_needs_evidence(frozen, cast, login):
    items = street_items(cast, 2)
    data = post_data(items)
    data[f"item{items[1].pk}-percent"] = "100"
    page = login(cast.street_user).post(URL, data).content.decode()
    assert "任务1“批量措施第2项”：报送完成（100%）时请上传佐证材料。" in page
    assert not Submission.objects.exists()


def test_a_rejected_file_saves_nothing(frozen, cast, login, media_root):
    items = street_items(cast, 2)
    page = login(cast.street_user).post(URL, post_data(items, files=[upload("说明.exe", b"MZ" + b"\0" * 64)]))
    assert "未能上传" in page.content.decode()
    assert not Submission.objects.exists() and stored_files(media_root) == []


def test_another_units_item_is_404_and_other_roles_403(frozen, cast, login):
    mine = street_items(cast, 1)
    assert login(cast.street_user).get(URL, {"ids": [mine[0].pk, cast.finance_assignment.pk]}).status_code == 404
    response = login(cast.street_user).post(URL, post_data([*mine, cast.finance_assignment]))
    assert response.status_code == 404 and not Submission.objects.exists()
    assert login(cast.lead).get(URL, {"ids": [mine[0].pk]}).status_code == 403
    assert login(cast.inspector).post(URL, post_data(mine)).status_code == 403


def test_finished_items_are_left_out_and_said_so(frozen, cast, login):
    done, open_item = street_items(cast, 2)
    Assignment.objects.filter(pk=done.pk).update(status="done")
    response = login(cast.street_user).get(URL, {"ids": [done.pk, open_item.pk]})
    page = response.content.decode()
    assert page.count('data-testid="batch-item"') == 1 and "有1项已完成，未列入本次报送" in page
    nothing = login(cast.street_user).get(URL, {"ids": [done.pk]}, follow=True).content.decode()
    assert "所选事项均已完成，无需再报送。" in nothing
    assert "请先在列表中勾选要报送的事项。" in login(cast.street_user).get(URL, follow=True).content.decode()


def test_the_form_page_query_count_does_not_grow_with_items(frozen, cast, login):
    c = login(cast.street_user)

    def queries(items):
        c.get(URL, {"ids": [a.pk for a in items]})
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(URL, {"ids": [a.pk for a in items]}).status_code == 200
        return len(ctx.captured_queries)

    few = queries(street_items(cast, 2))
    assert queries(street_items(cast, 12)) == few


def open_round(cast, tasks=()):
    from tasks.models import ReportingRound

    rnd = ReportingRound.objects.create(plan=cast.plan, title="7月调度", due_on=datetime.date(2024, 6, 28),
                                        created_by=cast.lead)
    rnd.units.add(cast.street, cast.finance)
    rnd.tasks.add(*tasks)
    return rnd


def test_a_round_lists_the_items_it_asks_about_to_report_at_once(frozen, cast, login):
    from plans.models import Task

    other_task = Task.objects.create(plan=cast.plan, number=2, title="第二项任务", order=2)
    outside = Assignment.objects.create(measure=Measure.objects.create(task=other_task, order=1, text="不在调度范围"),
                                        unit=cast.street, due_on=datetime.date(2024, 7, 1))
    inside = street_items(cast, 1)[0]
    rnd = open_round(cast, tasks=[cast.task])
    c = login(cast.street_user)
    assert f"/tasks/mine/?round={rnd.pk}" in c.get("/").content.decode()
    page = c.get(f"/tasks/mine/?round={rnd.pk}").content.decode()
    assert "调度“7月调度”" in page and 'data-testid="round-answer"' in page
    assert f'value="{inside.pk}" form="batch-pick"' in page and f'value="{cast.street_assignment.pk}"' in page
    assert f"/tasks/assignments/{outside.pk}/" not in page
    response = c.post(URL, post_data([inside, cast.street_assignment]))
    assert response.status_code == 302
    assert set(Submission.objects.values_list("round_id", flat=True)) == {rnd.pk}  # both answer the round
    assert login(cast.outsider).get(f"/tasks/mine/?round={rnd.pk}").status_code == 404
