"""render_report inspection|unit|task|annual: the 督察 reports and the annual 行政执法工作报告 from the command line
(PDF, Word for the annual report, and/or Excel)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.models import Plan, Task, Unit
from reports.annual import annual_docx, annual_error, annual_pdf, annual_xlsx, build_annual
from reports.inspection import KIND_INSPECTION, KIND_TASK, KIND_UNIT, as_of_error, build_report, resolve_plan
from reports.models import SYNC_LIMIT, ReportJob
from reports.parts import render_in_process
from reports.render import report_pdf
from reports.xlsx import report_xlsx


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def check_paths(*paths: str | None) -> None:
    for path in paths:
        if path and not Path(path).resolve().parent.is_dir():
            raise fail(f"目录不存在：{Path(path).parent}")


def write(files: list[tuple[str, bytes]]) -> list[str]:
    for path, content in files:
        try:
            Path(path).write_bytes(content)
        except OSError as exc:
            raise fail(f"无法写入文件 {path}：{exc.strerror}") from None
    return [path for path, _ in files]


def plan_or_fail(plan: int | None) -> Plan:
    """The plan asked for (the latest without --plan), or the command's one-line error."""
    try:
        return resolve_plan(plan)
    except Plan.DoesNotExist:
        raise fail(f"没有ID为{plan}的实施方案。" if plan is not None else "尚未导入任何实施方案。") from None


class Command(BaseCommand):
    help = "生成督察进展报告（全方案）、单位报告、任务报告（PDF / Excel），或年度行政执法工作报告（PDF / Word / Excel附表）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[KIND_INSPECTION, KIND_UNIT, KIND_TASK, ReportJob.Kind.ANNUAL])
        parser.add_argument("--year", type=int, help="年度（年度行政执法工作报告，如 2025）")
        parser.add_argument("--docx", help="Word 文件路径（年度行政执法工作报告）")
        parser.add_argument("--addressee", default="", help="主送机关（年度行政执法工作报告，默认 区人民政府）")
        parser.add_argument("--plan", type=int, help="实施方案ID（默认最新的方案；任务报告取任务所属方案）")
        parser.add_argument("--unit", help="单位名称或ID（单位报告）")
        parser.add_argument("--task", type=int, help="任务ID（任务报告）")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("-o", "--output", help="PDF 文件路径")
        parser.add_argument("--xlsx", help="Excel 文件路径")

    def handle(self, *args, kind: str, plan: int | None, unit: str | None, task: int | None,
               as_of: str | None, output: str | None, xlsx: str | None, year: int | None = None,
               docx: str | None = None, addressee: str = "", **options):
        if kind == ReportJob.Kind.ANNUAL:
            return self.annual(year, plan, output, docx, xlsx, addressee)
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
        the_plan = plan_or_fail(plan)
        if error := as_of_error(the_plan, day):
            raise fail(error)
        if kind == KIND_UNIT:
            if not unit:
                raise fail("单位报告需要 --unit 单位名称或ID。")
            the_unit = Unit.objects.filter(pk=int(unit)).first() if unit.isdigit() else None
            the_unit = the_unit or Unit.objects.filter(name=unit).first()
            if the_unit is None:
                raise fail(f"没有名为“{unit}”的单位。")
        check_paths(output, xlsx)

        # The text the lead office kept for this report as of this day, and the previous kept report's figures.
        kept = ReportJob(kind=kind, plan=the_plan, unit=the_unit, task=the_task, as_of=day)
        kept.take_kept_text()
        report = build_report(kind, the_plan, day, unit=the_unit, task=the_task, problems=kept.text("problems"),
                              next_steps=kept.text("next_steps"), previous=kept.previous_figures())
        files = []
        if output:
            # A big report part after part in this process (reports.parts): one part's layout in memory at a time.
            files.append((output, (render_in_process if kept.size() > SYNC_LIMIT else report_pdf)(report)))
        if xlsx:
            files.append((xlsx, report_xlsx(report)))
        self.stdout.write(f"已生成：{'、'.join(write(files))}")

    def annual(self, year: int | None, plan: int | None, output: str | None, docx: str | None,
               xlsx: str | None, addressee: str) -> None:
        """The annual 行政执法工作报告 of ``year``: the PDF, the .docx and/or the .xlsx annex, with the sections the lead
        office rewrote for the same year's report on the reports page (ReportJob's kept texts)."""
        if not (output or docx or xlsx):
            raise fail("请用 -o 指定PDF文件，或用 --docx 指定Word文件、--xlsx 指定Excel附表。")
        if year is None:
            raise fail("年度行政执法工作报告需要 --year 年度（如 --year 2025）。")
        the_plan = plan_or_fail(plan)
        if error := annual_error(year, the_plan):
            raise fail(error)
        check_paths(output, docx, xlsx)
        kept = ReportJob(kind=ReportJob.Kind.ANNUAL, plan=the_plan, year=year, as_of=timezone.localdate())
        kept.take_kept_text()
        report = build_annual(year, plan=the_plan, texts=kept.texts, addressee=addressee)
        files = [(path, make(report)) for path, make in ((output, annual_pdf), (docx, annual_docx),
                                                         (xlsx, annual_xlsx)) if path]
        self.stdout.write(f"已生成：{'、'.join(write(files))}")
