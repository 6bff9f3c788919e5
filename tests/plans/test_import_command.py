"""manage.py import_plan: JSON, dry run, writing, re-importing, and bad files (exit 2, one Chinese line)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from plans.directory import load_units
from plans.importer import read_plan
from plans.importer.writer import apply_plan
from plans.models import Measure, Plan, Task
from tasks.models import Assignment

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "plans" / "demo" / "plan.txt"
UNITS = ROOT / "plans" / "demo" / "units.csv"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_plan", *map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_json_prints_only_the_json():
    code, out, err = run(PLAN, "--dry-run", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["issued_on"] == "2024-06-14" and data["ends_on"] == "2025-12-31"
    assert [t["number"] for t in data["tasks"] if t["number"]] == list(range(1, 18))
    assert "河北区" in out and "\\u" not in out  # ensure_ascii=False: Chinese as written
    assert out.startswith("{\n  ")  # indent 2, nothing before the JSON
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_json_carries_each_measures_kind_owners_and_leads():
    load_units(UNITS)
    code, out, _ = run(PLAN, "--dry-run", "--json")
    tasks = json.loads(out)["tasks"]
    assert [t["title"] for t in tasks if t["requirement"]] == ["加强组织推动", "细化落实举措", "做好宣传交流"]
    assert next(t for t in tasks if t["number"] == 16)["lead_units"] == ["区人社局"]
    guidance = next(m for t in tasks for m in t["measures"] if m["text"].startswith("区级赋权行政执法部门"))
    assert {k: guidance[k] for k in ("units", "kind", "kind_source", "recurrence", "owner_rule", "owner_words")} == {
        "units": ["相关执法部门"], "kind": "recurring", "kind_source": "text", "recurrence": "yearly",
        "owner_rule": "group", "owner_words": "区级赋权行政执法部门"}
    assert guidance["target"] == {"value": 2, "unit": "次", "per_person": False, "recurrence": "yearly"}
    assert {"kind_words", "lead_units", "support_units", "sentence", "warnings"} <= set(guidance)


@pytest.mark.django_db
def test_dry_run_on_a_plan_imported_before_lists_the_new_reading_and_writes_nothing():
    load_units(UNITS)
    data, text = read_plan(PLAN)
    apply_plan(data, source_name="plan.txt", source_text=text)
    rows = [Task.history.count(), Measure.history.count(), Assignment.history.count()]
    code, out, _ = run(PLAN, "--dry-run")
    assert code == 0 and "与已导入的同名方案相比（未写入）" in out
    assert "变更：任务2措施“区级赋权行政执法部门要加强对街道办事处培训工作的指导,负责对…”：责任单位 32个 → 相关执法部门" in out
    assert "变更：任务16：牵头单位 无 → 区人社局" in out
    assert [Task.history.count(), Measure.history.count(), Assignment.history.count()] == rows
    assert not Task.objects.filter(is_requirement=True).exists()


@pytest.mark.django_db
def test_dry_run_lists_names_missing_from_the_directory_and_writes_nothing():
    code, out, _ = run(PLAN, "--dry-run")
    assert code == 0
    assert "识别结果（未写入）" in out and "任务 17 项，工作要求 3 项，措施 63 条" in out
    assert "措施类型：一次性 21 条，周期性 4 条，长期坚持 38 条（其中 46 条原文未写明，按默认认定，待确认）" in out
    assert "单位名录中没有的单位" in out and "区财政局" in out
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_import_writes_the_plan_with_assignments_and_the_prefix():
    load_units(UNITS)
    code, out, _ = run(PLAN, "--plan-prefix", "河北司法")
    assert code == 0
    assert "新建实施方案" in out
    plan = Plan.objects.get()
    assert (plan.letter_prefix, plan.circular_prefix) == ("河北司法函", "河北司法通")
    assert plan.tasks.filter(number__isnull=False).count() == 17
    assert plan.tasks.filter(number__isnull=True).count() == 3
    assert Assignment.objects.filter(measure__task__plan=plan, unit__name="光复道街道办事处").exists()


@pytest.mark.django_db
def test_importing_twice_changes_nothing_and_adds_no_history():
    load_units(UNITS)
    run(PLAN)
    counts = [Plan.history.count(), Task.history.count(), Measure.history.count(), Assignment.history.count()]
    code, out, _ = run(PLAN)
    assert code == 0 and "未变化" in out
    assert [Plan.history.count(), Task.history.count(), Measure.history.count(),
            Assignment.history.count()] == counts


@pytest.mark.django_db
def test_edited_text_reports_what_changed(tmp_path):
    load_units(UNITS)
    run(PLAN)
    edited = tmp_path / "plan.txt"
    edited.write_text(PLAN.read_text(encoding="utf-8").replace(
        "2024年6月底前完成对本单位行政执法队伍的全员轮训", "2024年9月底前完成对本单位行政执法队伍的全员轮训"),
        encoding="utf-8")
    code, out, _ = run(edited)
    assert code == 0
    assert "更新实施方案" in out and "时限 2024年6月30日 → 2024年9月30日" in out
    assert Plan.objects.count() == 1


def bad_files(tmp_path) -> dict[str, Path]:
    files = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 8,
        "image.txt": PNG + bytes(200),
        "notasks.txt": "关于做好有关工作的通知\n各单位：\n请认真做好相关工作。\n".encode(),
        "fake.docx": b"this is not a zip file at all",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return {name: tmp_path / name for name in files}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["empty.txt", "binary.txt", "image.txt", "notasks.txt", "fake.docx"])
def test_bad_file_exits_2_with_one_chinese_line_and_writes_nothing(tmp_path, name):
    path = bad_files(tmp_path)[name]
    code, out, err = run(path)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])
    assert "Traceback" not in err
    assert not Plan.objects.exists()


def test_missing_file_is_a_clean_error(tmp_path):
    code, _, err = run(tmp_path / "nope.txt")
    assert code == 2 and "找不到文件" in err


def test_real_process_exit_status_and_stderr(tmp_path):
    """The same as a user sees it: a separate process, exit status 2, one line, no traceback."""
    path = bad_files(tmp_path)["image.txt"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings_test", "VAR_DIR": str(tmp_path / "var")}
    proc = subprocess.run([sys.executable, "manage.py", "import_plan", str(path), "--dry-run"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
