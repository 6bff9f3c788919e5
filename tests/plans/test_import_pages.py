"""Plan pages: who gets in, the plan outline, the import preview with its fix-ups, and confirming."""

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.directory import load_units
from plans.models import Measure, Plan, Unit, UnitAlias, UnitGroup
from tasks.models import Assignment
from tasks.planning import periods_for, sync_assignments

ROOT = Path(__file__).resolve().parents[2]
PLAN_TEXT = """示例区依法行政工作方案
一、重点任务
（一）加强培训
1.开展执法培训。2024年6月底前完成全员轮训。每年组织业务培训不少于2次。（责任单位：区司法局、区财政局）
2.规范执法程序。严格执行执法程序。（责任单位：各街道办事处、区城管委）
二、保障措施
（一）加强领导。区司法局建立工作台账。（责任单位：区司法局）
"""


@pytest.fixture(autouse=True)
def frozen():
    """2024年6月20日: the plans below are under way."""
    with time_machine.travel(datetime.datetime(2024, 6, 20, 10, tzinfo=datetime.UTC), tick=False):
        yield


def upload(client, text: str = PLAN_TEXT, name: str = "plan.txt"):
    data = io.BytesIO(text.encode("utf-8"))
    data.name = name
    return client.post(reverse("plans:import"), {"file": data})


def preview_data(client) -> dict:
    return client.session["plans_import"]["data"]


# --- access -----------------------------------------------------------------------------------------------

PAGES = ["plans:units", "plans:import"]


@pytest.mark.parametrize("page", PAGES)
def test_liaisons_and_outsiders_get_403(cast, login, page):
    for user in (cast.finance_user, cast.street_user, cast.outsider):
        assert login(user).get(reverse(page)).status_code == 403


def test_liaison_reads_the_plans_its_unit_owes_in(cast, login):
    """A unit sees the plans in which it owes something (tracker.access.plans_for), and changes none."""
    other = Plan.objects.create(title="另一区实施方案", ends_on=cast.plan.ends_on)
    client = login(cast.street_user)
    assert f'href="{reverse("plans:list")}"' in client.get(reverse("home")).content.decode()  # in the menu
    page = client.get(reverse("plans:list")).content.decode()
    assert cast.plan.title in page and other.title not in page
    assert client.get(reverse("plans:detail", args=[cast.plan.pk])).status_code == 200
    assert client.get(reverse("plans:detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("plans:detail", args=[cast.plan.pk]), {"letter_prefix": "X"}).status_code == 403


def test_outsider_sees_no_plan(cast, login):
    client = login(cast.outsider)
    assert cast.plan.title not in client.get(reverse("plans:list")).content.decode()
    assert client.get(reverse("plans:detail", args=[cast.plan.pk])).status_code == 404


def test_anonymous_is_sent_to_login(cast, client):
    response = client.get(reverse("plans:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_inspector_reads_but_cannot_import_or_change(cast, login):
    client = login(cast.inspector)
    assert client.get(reverse("plans:list")).status_code == 200
    assert client.get(reverse("plans:detail", args=[cast.plan.pk])).status_code == 200
    assert client.get(reverse("plans:units")).status_code == 200
    assert client.get(reverse("plans:import")).status_code == 403
    assert upload(client).status_code == 403
    assert client.post(reverse("plans:detail", args=[cast.plan.pk]), {"letter_prefix": "X"}).status_code == 403
    assert client.post(reverse("plans:units"), {}).status_code == 403
    assert client.post(reverse("plans:import_confirm"), {}).status_code == 403


def test_unknown_plan_is_404(cast, login):
    assert login(cast.lead).get(reverse("plans:detail", args=[9999])).status_code == 404


# --- plan pages --------------------------------------------------------------------------------------------


def test_plan_list_and_detail_show_the_outline(cast, login):
    client = login(cast.lead)
    page = client.get(reverse("plans:list")).content.decode()
    assert cast.plan.title in page
    page = client.get(reverse("plans:detail", args=[cast.plan.pk])).content.decode()
    assert "（一）提升能力" in page and "1. 着力提高业务能力" in page
    assert "2024年6月30日" in page and "各街道办事处" in page and "区财政局" in page


def test_plan_detail_query_count_does_not_grow_with_tasks(cast, login):
    client = login(cast.inspector)
    url = reverse("plans:detail", args=[cast.plan.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(2, 12):
        task = cast.plan.tasks.create(number=n, title=f"任务{n}", section=cast.section, order=n)
        measure = Measure.objects.create(task=task, order=1, text=f"措施{n}。")
        measure.units.add(cast.finance)
        measure.groups.add(cast.streets)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_lead_edits_plan_prefixes(cast, login):
    response = login(cast.lead).post(reverse("plans:detail", args=[cast.plan.pk]), {
        "doc_number": "测政发〔2024〕1号", "lead_unit": cast.justice.pk,
        "letter_prefix": "测试函", "circular_prefix": "测试通", "progress_every_months": 3})
    assert response.status_code == 302
    cast.plan.refresh_from_db()
    assert (cast.plan.letter_prefix, cast.plan.doc_number) == ("测试函", "测政发〔2024〕1号")
    assert cast.plan.progress_every_months == 3
    page = login(cast.lead).get(reverse("plans:detail", args=[cast.plan.pk])).content.decode()
    assert "责任单位每季度报送一次进展" in page


def test_a_new_progress_period_gives_ongoing_measures_their_new_periods(cast, login):
    Measure.objects.filter(pk=cast.measure.pk).update(ongoing=True, due_on=None)
    sync_assignments(Measure.objects.get(pk=cast.measure.pk))
    half_yearly = Assignment.objects.filter(measure=cast.measure, unit=cast.finance).count()
    response = login(cast.lead).post(reverse("plans:detail", args=[cast.plan.pk]), {
        "lead_unit": cast.justice.pk, "letter_prefix": "测司法函", "circular_prefix": "测司法通",
        "progress_every_months": 3}, follow=True)
    page = response.content.decode()
    assert "长期坚持的措施改为每季度报送进展：新增任务分解" in page and "新增任务分解0项" not in page
    measure = Measure.objects.get(pk=cast.measure.pk)
    owed = set(Assignment.objects.filter(measure=measure, unit=cast.finance).values_list("period", "due_on"))
    assert owed == set(periods_for(measure)) and len(owed) > half_yearly


def test_unit_directory_lists_units_and_group_members(cast, login):
    page = login(cast.inspector).get(reverse("plans:units")).content.decode()
    assert "各街道办事处" in page and "光复道街道办事处" in page and "区财政局" in page


def test_lead_uploads_a_directory(cast, login, tmp_path):
    data = io.BytesIO("名称,类型,所属分组\n望海楼街道办事处,街道办事处,各街道办事处\n".encode())
    data.name = "units.csv"
    response = login(cast.lead).post(reverse("plans:units"), {"file": data})
    assert response.status_code == 302
    newcomer = Unit.objects.get(name="望海楼街道办事处")
    assert cast.streets.members.filter(pk=newcomer.pk).exists()


def test_bad_directory_upload_shows_the_error(cast, login):
    data = io.BytesIO("名称,类型\n区商务局,商务\n".encode())
    data.name = "units.csv"
    page = login(cast.lead).post(reverse("plans:units"), {"file": data}).content.decode()
    assert "第2行：类型“商务”无法识别" in page


# --- import: upload, preview, fix-ups, confirm ---------------------------------------------------------------


@pytest.fixture
def directory(cast):
    """The cast's units plus a city-management unit under another name than the text uses."""
    return Unit.objects.create(name="区城市管理委")


def test_upload_shows_every_section_task_measure_unit_and_deadline(cast, login, directory):
    client = login(cast.lead)
    response = upload(client)
    assert response.status_code == 302 and response["Location"] == reverse("plans:import_preview")
    page = client.get(reverse("plans:import_preview")).content.decode()
    for text in ("一、重点任务", "（一）加强培训", "工作要求（不计入任务）", "加强领导", "1. 开展执法培训",
                 "2. 规范执法程序", "2024年6月底前完成全员轮训", "2024年6月30日", "每年", "每年2次", "方案截止日"):
        assert text in page, text
    assert "区城管委（名录中无）" in page  # flagged
    assert not Plan.objects.filter(title__startswith="示例区").exists()  # nothing written yet


@pytest.mark.parametrize("content,name,message", [
    (b"", "empty.txt", "空"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "image.txt", "图片"),
    (b"PK\x03\x04 not really", "fake.docx", ""),
    ("没有任务的通知\n请各单位做好工作。\n".encode(), "notes.txt", ""),
])
def test_bad_upload_shows_a_chinese_error_and_writes_nothing(cast, login, content, name, message):
    data = io.BytesIO(content)
    data.name = name
    response = login(cast.lead).post(reverse("plans:import"), {"file": data})
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page and message in page
    assert Plan.objects.count() == 1


def test_wrong_extension_is_refused(cast, login):
    data = io.BytesIO(b"x")
    data.name = "plan.pdf"
    page = login(cast.lead).post(reverse("plans:import"), {"file": data}).content.decode()
    assert "只支持 .txt、.docx、.xlsx" in page


def test_preview_without_upload_is_404(cast, login):
    assert login(cast.lead).get(reverse("plans:import_preview")).status_code == 404


def test_confirm_maps_unknown_names_to_aliases_and_writes(cast, login, directory):
    client = login(cast.lead)
    upload(client)
    page = client.get(reverse("plans:import_preview")).content.decode()
    assert f'value="unit:{directory.pk}"' in page
    response = client.post(reverse("plans:import_confirm"), {"name_0": f"unit:{directory.pk}"})
    plan = Plan.objects.get(title="示例区依法行政工作方案")
    assert response.status_code == 302 and response["Location"] == reverse("plans:detail", args=[plan.pk])
    assert UnitAlias.objects.get(name="区城管委").unit == directory
    assert Assignment.objects.filter(unit=directory, measure__task__plan=plan).exists()
    assert Assignment.objects.filter(unit=cast.street, measure__task__plan=plan).exists()
    assert "plans_import" not in client.session


def test_confirm_can_create_a_unit_or_ignore_a_name(cast, login):
    client = login(cast.lead)
    upload(client)
    client.post(reverse("plans:import_confirm"), {"name_0": "create:department"})
    assert Unit.objects.get(name="区城管委").kind == "department"
    other = PLAN_TEXT.replace("示例区依法行政工作方案", "另一区依法行政工作方案").replace("区城管委", "区综合执法局")
    upload(client, other)
    response = client.post(reverse("plans:import_confirm"), {"name_0": "ignore"}, follow=True)
    assert not Unit.objects.filter(name="区综合执法局").exists()
    assert "区综合执法局" not in " ".join(str(m) for m in response.context["messages"])


def test_unhandled_unknown_name_becomes_a_warning(cast, login):
    client = login(cast.lead)
    upload(client)
    response = client.post(reverse("plans:import_confirm"), {}, follow=True)
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "区城管委" in messages and "不在单位名录中" in messages


def test_fix_units_of_a_task(cast, login):
    client = login(cast.lead)
    upload(client)
    client.post(reverse("plans:import_preview"), {"action": "units", "task": 1, "units": "各街道办事处、区财政局",
                                                  "leads": "区财政局"})
    task = preview_data(client)["tasks"][1]
    assert task["units"] == ["各街道办事处", "区财政局"] and task["lead_units"] == ["区财政局"]
    assert task["measures"][0]["units"] in ([], ["各街道办事处", "区财政局"])
    client.post(reverse("plans:import_confirm"), {})
    measure = Measure.objects.get(text__contains="严格执行执法程序")
    assert list(measure.lead_units.all()) == [cast.finance]


def test_fix_deadline_merge_and_split(cast, login):
    client = login(cast.lead)
    upload(client)
    data = preview_data(client)
    first = data["tasks"][0]
    assert len(first["measures"]) >= 2
    client.post(reverse("plans:import_preview"), {"action": "obligation", "task": 0, "measure": 0, "kind": "once",
                                                  "due": "2024-09-30", "owners": first["units"]})
    assert preview_data(client)["tasks"][0]["measures"][0]["due"] == "2024-09-30"
    client.post(reverse("plans:import_preview"), {"action": "obligation", "task": 1, "measure": 0,
                                                  "kind": "ongoing", "owners": data["tasks"][1]["units"]})
    assert preview_data(client)["tasks"][1]["measures"][0]["ongoing"] is True
    tasks_before = len(preview_data(client)["tasks"])
    measures_before = len(first["measures"])
    client.post(reverse("plans:import_preview"), {"action": "merge", "task": 1})
    after = preview_data(client)
    assert len(after["tasks"]) == tasks_before - 1
    assert len(after["tasks"][0]["measures"]) == measures_before + 1
    assert after["tasks"][0]["measures"][-1]["units"] == ["各街道办事处", "区城管委"]
    client.post(reverse("plans:import_preview"), {"action": "split", "task": 0, "measure": 0,
                                                  "text": "完成全员轮训。\n建立轮训台账。"})
    texts = [m["text"] for m in preview_data(client)["tasks"][0]["measures"]]
    assert texts[:2] == ["完成全员轮训。", "建立轮训台账。"]


def test_bad_fixups_are_refused_with_a_message(cast, login):
    client = login(cast.lead)
    upload(client)
    response = client.post(reverse("plans:import_preview"), {"action": "merge", "task": 0}, follow=True)
    assert "第一项任务前面没有可合并的任务" in response.content.decode()
    response = client.post(reverse("plans:import_preview"), {"action": "split", "task": 0, "measure": 0,
                                                             "text": "只有一行"}, follow=True)
    assert "至少两条" in response.content.decode()
    response = client.post(reverse("plans:import_preview"), {"action": "units", "task": 99, "units": "区财政局"},
                           follow=True)
    assert "已不存在" in response.content.decode()


def test_reimport_preview_lists_changes_and_confirm_keeps_the_plan(cast, login, directory):
    client = login(cast.lead)
    upload(client)
    client.post(reverse("plans:import_confirm"), {"name_0": f"unit:{directory.pk}"})
    plan = Plan.objects.get(title="示例区依法行政工作方案")
    upload(client, PLAN_TEXT.replace("2024年6月底前", "2024年9月底前"))
    page = client.get(reverse("plans:import_preview")).content.decode()
    assert "已有同名方案" in page and "时限 2024年6月30日 → 2024年9月30日" in page
    assert Measure.objects.filter(task__plan=plan, due_on="2024-06-30").exists()  # preview rolled back
    client.post(reverse("plans:import_confirm"), {})
    assert Plan.objects.filter(title="示例区依法行政工作方案").get().pk == plan.pk
    assert Measure.objects.filter(task__plan=plan, due_on="2024-09-30").exists()


def test_discard_forgets_the_upload(cast, login):
    client = login(cast.lead)
    upload(client)
    response = client.post(reverse("plans:import_preview"), {"action": "discard"})
    assert response.status_code == 302 and "plans_import" not in client.session


def test_demo_plan_preview_renders(cast, login):
    load_units(ROOT / "plans" / "demo" / "units.csv")
    client = login(cast.lead)
    upload(client, (ROOT / "plans" / "demo" / "plan.txt").read_text(encoding="utf-8"))
    page = client.get(reverse("plans:import_preview")).content.decode()
    assert "17. 加大财政支持保障力度" in page and "加强组织推动" in page
    assert UnitGroup.objects.filter(name="相关执法部门").exists()


def test_docx_upload_gives_the_same_preview(cast, login, tmp_path):
    import docx

    document = docx.Document()
    for line in PLAN_TEXT.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "plan.docx"
    document.save(path)
    client = login(cast.lead)
    upload(client)
    from_text = preview_data(client)
    with path.open("rb") as handle:
        client.post(reverse("plans:import"), {"file": handle})
    from_docx = preview_data(client)
    assert from_docx["tasks"] == from_text["tasks"] and from_docx["source"]["format"] == "docx"
    assert client.session["plans_import"]["source_name"] == "plan.docx"
    assert "开展执法培训" in client.session["plans_import"]["source_text"]


def test_unit_directory_at_city_scale_pages_searches_and_names_a_big_groups_first_members(cast, login):
    many = Unit.objects.bulk_create(Unit(name=f"新区第{i:03d}街道办事处", kind=Unit.Kind.STREET, order=100 + i)
                                    for i in range(120))
    cast.streets.members.add(*many)
    client = login(cast.inspector)
    url = reverse("plans:units")
    first = client.get(url).content.decode()
    total = Unit.objects.count()
    assert f"{total} 个单位" in first and f"共 {total} 条" in first and 'href="?page=2"' in first
    assert "新区第119街道办事处" not in first.split('data-testid="unit-table"')[1]
    assert f"等 {cast.streets.members.count()} 个单位" in first  # the group card names its first members only
    last = client.get(url, {"page": 3}).content.decode()
    assert "新区第119街道办事处" in last.split('data-testid="unit-table"')[1]
    found = client.get(url, {"q": "第07"}).content.decode().split('data-testid="unit-table"')[1]
    found = found.split('data-testid="alias-table"')[0]
    assert found.count("<tr") == 1 + 10 and "新区第070街道办事处" in found and "区财政局" not in found
    missing = client.get(url, {"q": "没有这个单位"}).content.decode()
    assert "没有名称或简称含“没有这个单位”的单位。" in missing
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    Unit.objects.bulk_create(Unit(name=f"又一单位{i:03d}", order=300 + i) for i in range(60))
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"page": 2})
    assert len(small) == len(large)
