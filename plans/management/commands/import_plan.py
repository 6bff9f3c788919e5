"""manage.py import_plan PATH [--dry-run] [--json] [--ends-on 2026-12-31] [--plan-prefix 河北司法]: read a plan
document and write it (a plan whose text states no period needs --ends-on).

The plan is read as it means it (read_plan_for_import: kinds, owners, leads); --json prints that dict.
--dry-run writes nothing: it shows what was read and, for a plan imported before, what importing would change.
"""

import argparse
import collections
import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from notifications import follow_up
from plans.directory import Directory
from plans.importer import PlanImportError, read_plan_for_import
from plans.importer.writer import apply_plan, missing_plan_facts, plan_warnings, try_plan
from plans.models import Measure, Plan


class Command(BaseCommand):
    help = "导入实施方案（.txt / .docx / .xlsx）：识别章节、任务、措施、责任单位和时限，并生成任务分解。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="方案文件")
        parser.add_argument("--dry-run", action="store_true", help="只识别、不写入；已导入的同名方案列出将发生的变更")
        parser.add_argument("--json", action="store_true", help="只输出识别结果 JSON")
        parser.add_argument("--ends-on", type=_day, default=None,
                            help="方案截止日期（YYYY-MM-DD）：文中未写明实施期限时必填，写明时以此为准")
        parser.add_argument("--plan-prefix", default="",
                            help="文号前缀，如“河北司法”：函告编号前缀为“河北司法函”，通报为“河北司法通”")

    def fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            self.fail(f"找不到文件：{path}")
        try:
            data, source_text = read_plan_for_import(path)
        except PlanImportError as exc:
            self.fail(str(exc))
        except Exception as exc:  # never a traceback for a user's file
            self.fail(f"无法读取该文件：{path.name}（{type(exc).__name__}）")
        if options["ends_on"]:
            data["ends_on"] = options["ends_on"].isoformat()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            if options["dry_run"]:
                return
        missing = missing_plan_facts(data)
        if missing and not options["dry_run"]:
            self.fail(f"文中没有写明方案的{'、'.join(missing)}" + ("，请用 --ends-on 指定截止日期。" if "截止日期" in missing else "。"))
        if options["dry_run"]:
            self.print_preview(data)
            if not missing and Plan.objects.filter(title=data["title"].strip(),
                                                   issuer=(data.get("issuer") or "").strip()).exists():
                self.print_changes(try_plan(data, source_name=path.name, source_text=source_text))
            return
        with transaction.atomic():
            result = apply_plan(data, source_name=path.name, source_text=source_text)
            result.warnings += follow_up.after_import(result.plan)  # past due on import: follow-up paused
            prefix = options["plan_prefix"].strip()
            if prefix:
                plan = result.plan
                if (plan.letter_prefix, plan.circular_prefix) != (prefix + "函", prefix + "通"):
                    plan.letter_prefix, plan.circular_prefix = prefix + "函", prefix + "通"
                    plan.save(update_fields=["letter_prefix", "circular_prefix", "updated_at"])
        if options["json"]:
            return
        for line in result.summary_lines():
            self.stdout.write(line)
        for change in result.changes:
            self.stdout.write(f"  变更：{change}")
        self.print_warnings(result.warnings, result.unknown_units)

    def print_preview(self, data: dict) -> None:
        tasks = data.get("tasks", [])
        measures = [m for t in tasks for m in t.get("measures", [])]
        requirements = sum(1 for t in tasks if t.get("requirement"))
        kinds = collections.Counter(m.get("kind") for m in measures)
        pending = sum(1 for m in measures if m.get("kind_source") == "default")
        self.stdout.write(f"识别结果（未写入）：{data['title']}")
        self.stdout.write(f"印发机关：{data.get('issuer') or '未识别'}；印发日期：{data.get('issued_on') or '未识别'}；"
                          f"截止日期：{data.get('ends_on') or '文中未写明（导入时用 --ends-on 指定）'}")
        self.stdout.write(f"章节 {len(data.get('sections', []))} 个，任务 {len(tasks) - requirements} 项，"
                          f"工作要求 {requirements} 项，措施 {len(measures)} 条")
        self.stdout.write("措施类型：" + "，".join(f"{label} {kinds[kind]} 条" for kind, label in Measure.Kind.choices)
                          + f"（其中 {pending} 条原文未写明，按默认认定，待确认）")
        directory = Directory()
        names = dict.fromkeys(n for t in tasks for n in t.get("units", []))
        names.update(dict.fromkeys(n for m in measures for n in m.get("units", [])))
        unknown = [n for n in names if directory.resolve(n) is None]
        self.print_warnings(plan_warnings(data), unknown)

    def print_changes(self, result) -> None:
        self.stdout.write(f"与已导入的同名方案相比（未写入）：{len(result.changes)} 处变更")
        for line in result.summary_lines()[1:]:
            self.stdout.write(f"  {line}")
        for change in result.changes:
            self.stdout.write(f"  变更：{change}")
        for message in result.kept:
            self.stdout.write(f"  保留：{message}")

    def print_warnings(self, warnings: list[str], unknown: list[str]) -> None:
        if unknown:
            self.stdout.write(f"单位名录中没有的单位（{len(unknown)} 个）：{'、'.join(unknown)}")
        if warnings:
            self.stdout.write(f"提示（{len(warnings)} 条）：")
            for warning in warnings:
                self.stdout.write(f"  {warning}")


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"截止日期“{text}”应写作 YYYY-MM-DD，如 2026-12-31。") from None
