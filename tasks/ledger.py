"""The ledger (台账): every assignment in one filterable, sortable table, exported exactly as shown.

The screen, the .xlsx and the .csv go through the same ``LedgerFilter`` and the same ``LedgerTable``
ordering; the exports then walk the ordered queryset as plain tuples (``EXPORT_FIELDS``, no model
instances) and turn each into the values the table renders with ``LedgerRows``. Both files are written by
tracker.xlsx (``COLUMNS`` are the .xlsx's columns, ``HEADERS`` the .csv's header).
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from tempfile import SpooledTemporaryFile

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import F, Q, QuerySet
from django.forms.utils import flatatt
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from plans.models import Plan, Section, Task, Unit, UnitGroup
from tasks.models import Assignment, Figures, Submission
from tasks.status import in_plan
from tasks.templatetags.flagging import flag_badge, flagged_text
from tracker.formats import cn_date
from tracker.paging import PER_PAGE, paginate_table
from tracker.xlsx import INTEGER, PERCENT, Column, Filled, one_sheet_file

ONGOING = "长期坚持"  # the 完成时限 of an ongoing measure, on the screen and in the exports
LIGHTS = dict(Assignment.Light.choices)
LIGHT_MEANINGS = {  # in the order an office reads them, as the status rule (Assignment.light) decides them
    Assignment.Light.RED: "逾期未完成",
    Assignment.Light.YELLOW: "7日内到期或被退回",
    Assignment.Light.GREEN: "已完成",
    Assignment.Light.GREY: "推进中、未到期",
}


COLUMNS = [
    Column("序号", 5, INTEGER), Column("章节", 14, wrap=True), Column("任务", 18, wrap=True),
    Column("细化措施", 40, wrap=True), Column("责任单位", 16, wrap=True),
    Column("周期", 10, wrap=True), Column("完成时限", 15), Column("状态", 8), Column("进度（%）", 7, PERCENT),
    Column("完成/目标", 14, wrap=True), Column("最近报送", 18), Column("审核结果", 9), Column("剩余/逾期天数", 10),
]
HEADERS = [c.header for c in COLUMNS]


def ledger_note(today: datetime.date) -> str:
    """How the exported figures are counted, under the .xlsx's rows."""
    lights = "，".join(f"{LIGHTS[light]}＝{meaning}" for light, meaning in LIGHT_MEANINGS.items())
    return (f"说明：按导出时台账页面的筛选和排序导出。状态和剩余/逾期天数按{cn_date(today)}计算，状态的底色即页面上的灯"
            f"（{lights}）；逾期自完成时限次日起算，长期坚持的措施不计逾期。进度为责任单位最近一次报送的完成百分比；"
            "完成/目标为审核通过的数字与目标；最近报送和审核结果为最近一次报送的时间及其审核结果。")
DEFAULT_ORDER = ("measure__task__plan_id", "measure__task__order", "measure__order", "unit__order", "unit__name",
                 "due_on", "id")
EXPORT_CHUNK = 2000


def ledger_queryset(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Everything a ledger row shows, fetched with the rows: no query per row. The latest submission's
    time and review state are stored on the assignment (``refresh_latest_submission``)."""
    return assignments.select_related("measure__task__section", "unit").order_by(*DEFAULT_ORDER)


def review_text(a: Assignment) -> str:
    return STATE_LABEL.get(a.last_submission_state, "")


def section_text(a: Assignment) -> str:
    section = a.measure.task.section
    return str(section) if section else ""


EXPORT_FIELDS = ("measure__task__section__number", "measure__task__section__title", "measure__task__number",
                 "measure__task__title", "measure__text", "measure__flagged_on", "unit__name", "period", "due_on", "status",
                 "percent", "last_submitted_at", "last_submission_state",
                 # Figures(...) in its order: the target, then the accepted figures
                 "measure__target_value", "measure__target_unit", "measure__target_per_person", "achieved_value",
                 "staff_total", "staff_reached")
STATUS_LABEL = dict(Assignment.Status.choices)
STATE_LABEL = dict(Submission.State.choices)


class LedgerRows:
    """Export rows as Python values (dates stay dates; the writer formats them), from ``EXPORT_FIELDS`` tuples.

    The texts a row shares with many others (section, task, days left, the light) are made once through the
    models' own ``__str__`` / ``days_label`` / ``light`` and reused; ``lights`` counts the rows per light.
    """

    def __init__(self, today: datetime.date):
        self.today = today
        self.sections: dict[tuple, str] = {}
        self.tasks: dict[tuple, str] = {}
        self.days: dict[tuple, tuple[str, str]] = {}
        self.lights: Counter[str] = Counter()

    def summary(self) -> str:
        """The rows written so far by light: 共12项，其中逾期未完成3项、…"""
        parts = [f"{meaning}{self.lights[light]}项" for light, meaning in LIGHT_MEANINGS.items() if self.lights[light]]
        return f"共{self.lights.total()}项" + (f"，其中{'、'.join(parts)}" if parts else "")

    def values(self, row: tuple, seq: int) -> list:
        (sec_number, sec_title, task_number, task_title, measure, flagged_on, unit, period, due_on, status, percent,
         submitted, state, *figures) = row
        measure = flagged_text(measure, flagged_on)  # 挂牌督办, as the pages mark it
        section = self.sections.get((sec_number, sec_title))
        if section is None:
            section = self.sections[sec_number, sec_title] = (
                str(Section(number=sec_number, title=sec_title)) if sec_title is not None else "")
        task = self.tasks.get((task_number, task_title))
        if task is None:
            task = self.tasks[task_number, task_title] = str(Task(number=task_number, title=task_title))
        known = self.days.get((status, due_on))
        if known is None:
            assignment = Assignment(status=status, due_on=due_on)
            known = self.days[status, due_on] = (assignment.days_label(self.today), assignment.light(self.today))
        days, light = known
        self.lights[light] += 1
        return [
            seq, section, task, measure, unit, period, due_on or ONGOING, Filled(STATUS_LABEL[status], light),
            percent, Figures(*figures).cell,
            timezone.localtime(submitted).replace(tzinfo=None) if submitted else None,
            STATE_LABEL[state] if state else "", days,
        ]


class QuickSelect(forms.Select):
    """A <select> whose options are written here: Django renders each option through templates, which
    at a thousand units was the larger part of the ledger page's time."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            mark = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{mark}>{escape(label)}</option>')
        attrs = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return mark_safe(f"<select{attrs}>{''.join(options)}</select>")  # noqa: S308 — escaped above


# The choices load only what their labels (the models' ``__str__``) show: a thousand units' options.
SECTIONS = Section.objects.only("id", "number", "title")
TASKS = Task.objects.only("id", "number", "title")


class LedgerFilter(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(method="filter_plan", queryset=Plan.objects.only("id", "title"),
                                            label="实施方案", empty_label="全部方案", widget=QuickSelect)
    section = django_filters.ModelChoiceFilter(field_name="measure__task__section", queryset=SECTIONS,
                                               label="章节", empty_label="全部章节", widget=QuickSelect)
    task = django_filters.ModelChoiceFilter(field_name="measure__task", queryset=TASKS,
                                            label="任务", empty_label="全部任务", widget=QuickSelect)
    unit = django_filters.ModelChoiceFilter(field_name="unit", queryset=Unit.objects.only("id", "name"), label="责任单位",
                                            empty_label="全部单位", widget=QuickSelect)
    group = django_filters.ModelChoiceFilter(field_name="unit__groups", queryset=UnitGroup.objects.only("id", "name"),
                                             label="单位分组", empty_label="全部分组", widget=QuickSelect)
    status = django_filters.ChoiceFilter(choices=Assignment.Status.choices, label="状态", empty_label="全部状态")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="是否逾期",
                                           widget=forms.Select(choices=[("", "全部"), ("true", "已逾期"),
                                                                        ("false", "未逾期")]))
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label="时限自",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label="时限至",
                                           widget=forms.DateInput(attrs={"type": "date"}))
    q = django_filters.CharFilter(method="filter_text", label="关键词")

    def __init__(self, *args, today: datetime.date, units: QuerySet[Unit] | None = None,
                 plans: QuerySet[Plan] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if plans is not None:
            self.filters["plan"].queryset = plans.only("id", "title")
        plan_id = self.data.get("plan")
        if plan_id and str(plan_id).isdigit():
            self.filters["section"].queryset = SECTIONS.filter(plan_id=plan_id)
            self.filters["task"].queryset = TASKS.filter(plan_id=plan_id)
        if units is not None:
            self.filters["unit"].queryset = units.only("id", "name")

    def filter_plan(self, queryset: QuerySet, name: str, value: Plan | None) -> QuerySet:
        return in_plan(queryset, value) if value is not None else queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.overdue(self.today) if value else queryset.not_overdue(self.today)

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
    figures = tables.Column("完成/目标", empty_values=(), orderable=False, attrs={"td": {"class": "target-figures"}})
    # Sorted through the indexes on the stored latest submission; ``id`` makes the order (and the pages) stable.
    last_submitted_at = tables.Column("最近报送", attrs=NOWRAP)
    last_state = tables.Column("审核结果", accessor="last_submission_state", attrs=NOWRAP,
                               order_by=("last_submission_state", "last_submitted_at", "id"))
    days = tables.Column("剩余/逾期天数", empty_values=(), order_by=("due_on",), attrs=NOWRAP)

    class Meta:
        model = Assignment
        fields = ()
        per_page = PER_PAGE
        empty_text = "没有符合条件的任务。"
        attrs = {"class": "ledger", "data-testid": "ledger-table"}
        template_name = "tasks/overview/_ledger_table.html"

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_due_on(self, record: Assignment) -> str:
        return cn_date(record.due_on) if record.due_on else ONGOING

    def render_status(self, record: Assignment) -> str:
        light = record.light(self.today)
        return format_html('<span class="light {}"></span> {}', light, record.get_status_display())

    def order_last_submitted_at(self, queryset: QuerySet[Assignment], is_descending: bool):
        """Never submitted counts as the oldest: first when ascending, last when descending (on both back ends)."""
        when, pk = F("last_submitted_at"), F("id")
        if is_descending:
            return queryset.order_by(when.desc(nulls_last=True), pk.desc()), True
        return queryset.order_by(when.asc(nulls_first=True), pk.asc()), True

    @staticmethod
    def render_figures(record: Assignment) -> str:
        """58/60学时（未达标）, the export's text, with the verdict coloured."""
        figures = record.figures
        verdict = figures.verdict
        if not verdict:
            return escape(figures.ratio)
        return format_html('{}<span class="verdict {}">（{}）</span>', figures.ratio,
                           "met" if figures.met else "unmet", verdict)

    def render_days(self, record: Assignment) -> str:
        text = record.days_label(self.today)
        return format_html('<span class="tag red">{}</span>', text) if record.is_overdue(self.today) else text

    def body_html(self) -> SafeString:
        """The shown rows' ``<tr>``s, written here (with the cell texts of ``render_due_on``, ``render_status``,
        ``render_figures`` and ``render_days``).

        django-tables2 renders each cell through its accessor, its ``render_*`` method (inspecting its
        signature every time) and the template engine: most of the ledger page's time. The columns keep
        their headers, sorting and pagination; only the body is written directly.
        """
        rows = [row.record for row in self.paginated_rows]
        start = self.page.start_index() if hasattr(self, "page") else 1
        url = reverse("tasks:assignment", args=[0]).removesuffix("0/")
        dash = escape(self.columns["task"].default)
        sections: dict[int | None, str] = {}
        tasks: dict[int, str] = {}
        days: dict[tuple, str] = {}
        parts = []
        for counter, a in enumerate(rows):
            task = a.measure.task
            section = sections.get(task.section_id)
            if section is None:
                section = sections[task.section_id] = escape(section_text(a))
            task_text = tasks.get(task.pk)
            if task_text is None:
                task_text = tasks[task.pk] = escape(task)
            day = days.get((a.status, a.due_on))
            if day is None:
                day = days[a.status, a.due_on] = conditional_escape(self.render_days(a))
            submitted = cn_date(a.last_submitted_at) if a.last_submitted_at else dash
            parts.append(
                f'<tr class="{"odd" if counter % 2 else "even"}"><td class="nowrap">{start + counter}</td><td class="sec"><span class="clamp">{section}</span></td><td class="task"><span class="clamp">{task_text}</span></td>'
                f'<td class="measure">{flag_badge(a.measure)}<a class="clamp" href="{url}{a.pk}/">{escape(a.measure.text) or dash}</a></td>'
                f'<td class="unit">{escape(a.unit.name) or dash}</td><td class="nowrap">{escape(a.period) or dash}</td>'
                f'<td class="nowrap">{self.render_due_on(a)}</td><td class="nowrap">{self.render_status(a)}</td>'
                f'<td class="nowrap num">{a.percent}%</td><td class="target-figures">{self.render_figures(a) or dash}</td>'
                f'<td class="nowrap">{submitted}</td>'
                f'<td class="nowrap">{review_text(a) or dash}</td><td class="nowrap">{day}</td></tr>')
        return mark_safe("\n".join(parts))  # noqa: S308 — every text above is escaped


def build_ledger(request: HttpRequest, assignments: QuerySet[Assignment], today: datetime.date,
                 units: QuerySet[Unit] | None = None, plans: QuerySet[Plan] | None = None,
                 paginate: bool = False, data: QueryDict | None = None) -> tuple[LedgerFilter, LedgerTable]:
    """The filter and the sorted table for a request; the exports reuse both. ``units`` and ``plans`` are the
    choices the user may filter by (tracker.access); ``data`` the filter's values when not the request's."""
    filterset = LedgerFilter(request.GET if data is None else data, queryset=ledger_queryset(assignments),
                             today=today, units=units, plans=plans)
    # An invalid filter (another unit, a bad date) shows nothing rather than everything.
    table = LedgerTable(filterset.qs if filterset.is_valid() else filterset.queryset.none(), today=today)
    if paginate:
        paginate_table(request, table)
    else:
        tables.RequestConfig(request, paginate=False).configure(table)
    return filterset, table


def export_rows(table: LedgerTable, rows: LedgerRows | None = None) -> Iterator[list]:
    """The table's rows in its order, as tuples fetched in chunks (one query)."""
    rows = rows or LedgerRows(table.today)
    tuples = table.data.data.values_list(*EXPORT_FIELDS)
    for seq, row in enumerate(tuples.iterator(chunk_size=EXPORT_CHUNK), start=1):
        yield rows.values(row, seq)


def xlsx_file(table: LedgerTable, title: str) -> SpooledTemporaryFile:
    """The ledger workbook: the title row, the rows, a 合计 row counting them by light, and the note."""
    rows = LedgerRows(table.today)
    measure = HEADERS.index("细化措施")
    columns = [*COLUMNS[:measure], replace(COLUMNS[measure], total=lambda sheet: rows.summary()),
               *COLUMNS[measure + 1:]]
    return one_sheet_file("台账", columns, export_rows(table, rows), title=title, note=ledger_note(table.today))
