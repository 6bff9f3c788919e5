"""The ledger (台账): every assignment in one filterable, sortable table, exported exactly as shown.

The screen, the .xlsx and the .csv go through the same ``LedgerFilter`` and the same ``LedgerTable``
ordering; the exports then walk the ordered queryset with ``.iterator()`` and write each row with
``ledger_values``, the same values the table renders.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from plans.models import Plan, Section, Task, Unit, UnitGroup
from tasks.models import Assignment, Submission
from tasks.status import overdue_q

HEADERS = ["序号", "章节", "任务", "细化措施", "责任单位", "周期", "完成时限", "状态", "进度", "最近报送", "审核结果",
           "剩余/逾期天数"]
DEFAULT_ORDER = ("measure__task__plan_id", "measure__task__order", "measure__order", "unit__order", "unit__name",
                 "due_on", "id")
EXPORT_CHUNK = 2000
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


def ledger_queryset(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Everything a ledger row shows, fetched with the rows: no query per row."""
    latest = Submission.objects.filter(assignment=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        assignments.select_related("measure__task__section", "unit")
        .annotate(last_submitted_at=Subquery(latest.values("created_at")[:1]),
                  last_state=Subquery(latest.values("state")[:1]))
        .order_by(*DEFAULT_ORDER)
    )


def cn_date(value: datetime.date | datetime.datetime) -> str:
    """2024年6月30日 (a moment is shown as its Beijing date)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def review_text(a: Assignment) -> str:
    return Submission.State(a.last_state).label if a.last_state else ""


def section_text(a: Assignment) -> str:
    section = a.measure.task.section
    return str(section) if section else ""


def ledger_values(a: Assignment, today: datetime.date, seq: int) -> list:
    """One ledger row as Python values (dates stay dates; the writer formats them)."""
    submitted = a.last_submitted_at
    return [
        seq, section_text(a), str(a.measure.task), a.measure.text, a.unit.name, a.period, a.due_on,
        a.get_status_display(), f"{a.percent}%",
        timezone.localtime(submitted).replace(tzinfo=None) if submitted else None,
        review_text(a), a.days_label(today),
    ]


class LedgerFilter(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(field_name="measure__task__plan", queryset=Plan.objects.all(),
                                            label="实施方案", empty_label="全部方案")
    section = django_filters.ModelChoiceFilter(field_name="measure__task__section", queryset=Section.objects.all(),
                                               label="章节", empty_label="全部章节")
    task = django_filters.ModelChoiceFilter(field_name="measure__task", queryset=Task.objects.all(),
                                            label="任务", empty_label="全部任务")
    unit = django_filters.ModelChoiceFilter(field_name="unit", queryset=Unit.objects.all(), label="责任单位",
                                            empty_label="全部单位")
    group = django_filters.ModelChoiceFilter(field_name="unit__groups", queryset=UnitGroup.objects.all(),
                                             label="单位分组", empty_label="全部分组")
    status = django_filters.ChoiceFilter(choices=Assignment.Status.choices, label="状态", empty_label="全部状态")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="是否逾期",
                                           widget=forms.Select(choices=[("", "全部"), ("true", "已逾期"),
                                                                        ("false", "未逾期")]))
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label="时限自",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="时限至",
                                           widget=forms.DateInput(attrs={"type": "date"}))
    q = django_filters.CharFilter(method="filter_text", label="关键词")

    def __init__(self, *args, today: datetime.date, units: QuerySet[Unit] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        plan_id = self.data.get("plan")
        if plan_id and str(plan_id).isdigit():
            self.filters["section"].queryset = Section.objects.filter(plan_id=plan_id)
            self.filters["task"].queryset = Task.objects.filter(plan_id=plan_id)
        if units is not None:
            self.filters["unit"].queryset = units

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(overdue_q(self.today)) if value else queryset.exclude(overdue_q(self.today))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(measure__text__icontains=word) | Q(measure__task__title__icontains=word)
                                       | Q(unit__name__icontains=word) | Q(period__icontains=word))
        return queryset


NOWRAP = {"td": {"class": "nowrap"}}


class LedgerTable(tables.Table):
    seq = tables.Column("序号", empty_values=(), orderable=False, attrs=NOWRAP)
    section = tables.Column("章节", empty_values=(), accessor="measure__task__section", attrs={"td": {"class": "sec"}},
                            order_by=("measure__task__section__order", "measure__task__order"))
    task = tables.Column("任务", accessor="measure__task", order_by=("measure__task__order",))
    measure = tables.Column("细化措施", accessor="measure__text", attrs={"td": {"class": "measure"}},
                            linkify=("tasks:assignment", {"pk": tables.A("pk")}),
                            order_by=("measure__task__order", "measure__order"))
    unit = tables.Column("责任单位", accessor="unit__name", order_by=("unit__order", "unit__name"))
    period = tables.Column("周期", attrs=NOWRAP)
    due_on = tables.Column("完成时限", empty_values=(), attrs=NOWRAP)
    status = tables.Column("状态", attrs=NOWRAP)
    percent = tables.Column("进度", attrs={"td": {"class": "num nowrap"}, "th": {"class": "num"}})
    last_submitted_at = tables.Column("最近报送", attrs=NOWRAP)
    last_state = tables.Column("审核结果", attrs=NOWRAP)
    days = tables.Column("剩余/逾期天数", empty_values=(), order_by=("due_on",), attrs=NOWRAP)

    class Meta:
        model = Assignment
        fields = ()
        per_page = 50
        empty_text = "没有符合条件的任务。"
        attrs = {"class": "ledger", "data-testid": "ledger-table"}

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_seq(self, bound_row) -> int:
        start = self.page.start_index() if hasattr(self, "page") else 1
        return start + bound_row.row_counter

    def render_section(self, record: Assignment) -> str:
        return section_text(record)

    def render_due_on(self, record: Assignment) -> str:
        return cn_date(record.due_on) if record.due_on else "长期坚持"

    def render_status(self, record: Assignment) -> str:
        light = record.light(self.today)
        return format_html('<span class="light {}"></span> {}', light, record.get_status_display())

    def render_percent(self, record: Assignment) -> str:
        return f"{record.percent}%"

    def render_last_submitted_at(self, value: datetime.datetime) -> str:
        return cn_date(value)

    def render_last_state(self, record: Assignment) -> str:
        return review_text(record)

    def render_days(self, record: Assignment) -> str:
        text = record.days_label(self.today)
        return format_html('<span class="tag red">{}</span>', text) if record.is_overdue(self.today) else text


def build_ledger(request: HttpRequest, assignments: QuerySet[Assignment], today: datetime.date,
                 units: QuerySet[Unit] | None = None, paginate: bool = False) -> tuple[LedgerFilter, LedgerTable]:
    """The filter and the sorted table for a request; the exports reuse both."""
    filterset = LedgerFilter(request.GET, queryset=ledger_queryset(assignments), today=today, units=units)
    # An invalid filter (another unit, a bad date) shows nothing rather than everything.
    table = LedgerTable(filterset.qs if filterset.is_valid() else filterset.queryset.none(), today=today)
    tables.RequestConfig(request, paginate={"per_page": 50} if paginate else False).configure(table)
    return filterset, table


def export_rows(table: LedgerTable) -> Iterator[list]:
    """The table's rows in its order, fetched in chunks."""
    queryset = table.data.data
    for seq, assignment in enumerate(queryset.iterator(chunk_size=EXPORT_CHUNK), start=1):
        yield ledger_values(assignment, table.today, seq)


def write_xlsx(headers: list[str], rows: Iterable[list], title: str) -> tempfile.SpooledTemporaryFile:
    """A write-only workbook: rows go to disk as they come; dates become real Excel dates."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        ws.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a BOM so Excel reads the Chinese; dates as YYYY-MM-DD, which Excel reads as dates."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(headers).encode()
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row]).encode()


def _csv_value(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value
