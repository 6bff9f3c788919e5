"""render_report inspection|unit|task: the 督察 reports from the command line (PDF and/or Excel)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.models import Plan, Task, Unit
from reports.inspection import KIND_INSPECTION, KIND_TASK, KIND_UNIT, as_of_error, build_report, resolve_plan
from reports.models import ReportJob
from reports.render import report_pdf
from reports.xlsx import report_xlsx


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "生成督察进展报告（全方案）、单位报告或任务报告（PDF / Excel）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[KIND_INSPECTION, KIND_UNIT, KIND_TASK])
        parser.add_argument("--plan", type=int, help="实施方案ID（默认最新的方案；任务报告取任务所属方案）")
        parser.add_argument("--unit", help="单位名称或ID（单位报告）")
        parser.add_argument("--task", type=int, help="任务ID（任务报告）")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("-o", "--output", help="PDF 文件路径")
        parser.add_argument("--xlsx", help="Excel 文件路径")

    def handle(self, *args, kind: str, plan: int | None, unit: str | None, task: int | None,
               as_of: str | None, output: str | None, xlsx: str | None, **options):
        if not output and not xlsx:
            raise fail("请用 -o 指定PDF文件，或用 --xlsx 指定Excel文件。")
        day = timezone.localdate()
        if as_of:
            try:
                day = datetime.date.fromisoformat(as_of)
            except ValueError:
                raise fail(f"截至日期格式不正确：{as_of}（应为 YYYY-MM-DD）。") from None
        the_unit = the_task = None
        if kind == KIND_TASK:
            if task is None:
                raise fail("任务报告需要 --task 任务ID。")
            the_task = Task.objects.select_related("plan__lead_unit").filter(pk=task).first()
            if the_task is None:
                raise fail(f"没有ID为{task}的任务。")
            if plan is not None and the_task.plan_id != plan:
                raise fail(f"任务{task}不属于实施方案{plan}。")
            plan = the_task.plan_id
        try:
            the_plan = resolve_plan(plan)
        except Plan.DoesNotExist:
            raise fail(f"没有ID为{plan}的实施方案。" if plan is not None else "尚未导入任何实施方案。") from None
        if error := as_of_error(the_plan, day):
            raise fail(error)
        if kind == KIND_UNIT:
            if not unit:
                raise fail("单位报告需要 --unit 单位名称或ID。")
            the_unit = Unit.objects.filter(pk=int(unit)).first() if unit.isdigit() else None
            the_unit = the_unit or Unit.objects.filter(name=unit).first()
            if the_unit is None:
                raise fail(f"没有名为“{unit}”的单位。")
        for path in (output, xlsx):
            if path and not Path(path).resolve().parent.is_dir():
                raise fail(f"目录不存在：{Path(path).parent}")

        # The text the lead office kept for this report as of this day, and the previous kept report's figures.
        kept = ReportJob(kind=kind, plan=the_plan, unit=the_unit, task=the_task, as_of=day)
        kept.take_kept_text()
        report = build_report(kind, the_plan, day, unit=the_unit, task=the_task, problems=kept.problems,
                              next_steps=kept.next_steps, previous=kept.previous_figures())
        files = []
        if output:
            files.append((output, report_pdf(report)))
        if xlsx:
            files.append((xlsx, report_xlsx(report)))
        for path, content in files:
            try:
                Path(path).write_bytes(content)
            except OSError as exc:
                raise fail(f"无法写入文件 {path}：{exc.strerror}") from None
        written = [path for path, _ in files]
        self.stdout.write(f"已生成：{'、'.join(written)}")
