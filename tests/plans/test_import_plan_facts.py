"""A plan whose text states no period (or no title): the reader never guesses its end from today's year,
the preview asks for it, confirming waits for it, and import_plan needs --ends-on."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from plans.importer import parse_file
from plans.importer.preamble import NO_PERIOD, NO_TITLE
from plans.importer.text import parse_text
from plans.models import Plan

NO_PERIOD_TEXT = "某镇环境整治工作方案\n一、重点任务\n1．清理河道垃圾。（镇环卫所负责）\n2．整治乱堆乱放。（镇综合执法队负责）\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC), tick=False):
        yield


def test_a_text_stating_no_period_has_no_end_and_a_warning_asking_for_it():
    plan = parse_text(NO_PERIOD_TEXT)
    assert plan["ends_on"] is None
    assert NO_PERIOD in [w["message"] for w in plan["warnings"]]


def test_a_table_stating_no_period_has_no_end(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("某镇整治任务清单\n序号\t工作事项\t责任单位\n1\t清理河道垃圾\t镇环卫所\n", "utf-8")
    plan = parse_file(path)
    assert plan["ends_on"] is None and NO_PERIOD in [w["message"] for w in plan["warnings"]]


def test_the_end_still_comes_from_the_document_when_it_says_it():
    assert parse_text("某镇2027年环境整治工作要点\n" + NO_PERIOD_TEXT.split("\n", 1)[1])["ends_on"] == "2027-12-31"
    dated = NO_PERIOD_TEXT.replace("清理河道垃圾。", "2027年6月底前清理河道垃圾。")
    assert parse_text(dated)["ends_on"] == "2027-12-31"  # the year the text names, at least to its end


def upload(client, text: str):
    data = io.BytesIO(text.encode("utf-8"))
    data.name = "plan.txt"
    return client.post(reverse("plans:import"), {"file": data})


@pytest.mark.django_db
def test_the_preview_asks_for_the_end_and_confirming_waits_for_it(cast, login):
    client = login(cast.lead)
    upload(client, NO_PERIOD_TEXT)
    page = client.get(reverse("plans:import_preview")).content.decode()
    assert "文中没有写明方案的截止日期" in page and "文中未写明，请填写" in page
    response = client.post(reverse("plans:import_confirm"), {})
    assert response.status_code == 302 and response["Location"].endswith("#facts")
    assert not Plan.objects.filter(title="某镇环境整治工作方案").exists()

    client.post(reverse("plans:import_preview"),
                {"action": "plan", "title": "某镇环境整治工作方案", "issuer": "某镇人民政府", "ends_on": "2027-06-30"})
    data = client.session["plans_import"]["data"]
    assert (data["ends_on"], data["issuer"]) == ("2027-06-30", "某镇人民政府")
    assert NO_PERIOD not in [w["message"] for w in data["warnings"]]
    page = client.get(reverse("plans:import_preview")).content.decode()
    assert "文中没有写明方案的" not in page
    client.post(reverse("plans:import_confirm"), {f"name_{i}": "ignore" for i in range(2)})
    plan = Plan.objects.get(title="某镇环境整治工作方案")
    assert (plan.issuer, plan.ends_on) == ("某镇人民政府", datetime.date(2027, 6, 30))


@pytest.mark.django_db
def test_a_bad_end_date_or_a_missing_title_is_refused_with_a_message(cast, login):
    client = login(cast.lead)
    upload(client, "（一）清理河道垃圾。（镇环卫所负责）\n")
    data = client.session["plans_import"]["data"]
    assert data["title"] == "" and NO_TITLE in [w["message"] for w in data["warnings"]]
    page = client.get(reverse("plans:import_preview")).content.decode()
    assert "文中没有写明方案的标题、截止日期" in page
    response = client.post(reverse("plans:import_preview"),
                           {"action": "plan", "title": "", "ends_on": "2027-02-30"}, follow=True)
    assert "未能修改" in response.content.decode() and "请填写有效的截止日期" in response.content.decode()
    assert client.session["plans_import"]["data"]["ends_on"] is None


@pytest.mark.django_db
def test_import_plan_needs_ends_on_for_a_plan_stating_no_period(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(NO_PERIOD_TEXT, "utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_plan", str(path), stdout=io.StringIO(), stderr=err)
    assert exit_code.value.code == 2 and "请用 --ends-on 指定截止日期" in err.getvalue()
    assert not Plan.objects.exists()
    call_command("import_plan", str(path), "--ends-on", "2027-12-31", stdout=io.StringIO(), stderr=io.StringIO())
    assert Plan.objects.get().ends_on == datetime.date(2027, 12, 31)


@pytest.mark.django_db
def test_import_plan_dry_run_says_the_end_is_not_written(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(NO_PERIOD_TEXT, "utf-8")
    out = io.StringIO()
    call_command("import_plan", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "截止日期：文中未写明（导入时用 --ends-on 指定）" in out.getvalue()
    assert not Plan.objects.exists()
