"""The work list (我的任务 / 全部任务) as a django-tables2 table."""

import datetime

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from tasks.models import Assignment
from tasks.templatetags.flagging import flag_badge
from tracker.formats import cn_date

LIGHT_LABEL = dict(Assignment.Light.choices)


def cell(label: str, nowrap: bool = True) -> dict:
    """Cell attributes: the column's name on each cell lets a phone show each row as a card."""
    td = {"data-label": label}
    if nowrap:
        td["class"] = "nowrap"
    return {"td": td, "th": {"class": "nowrap"}}


class AssignmentTable(tables.Table):
    pick = tables.Column("选择", accessor="pk", orderable=False,
                         attrs={"td": {"data-label": "选择", "class": "pick-cell"}, "th": {"class": "pick-cell"}})
    # empty_values=(): a 工作要求 has no number, and its cell still names it (工作要求（一）)
    task = tables.Column("任务", accessor="measure__task", empty_values=(),
                         order_by=("measure__task__order", "measure__order"),
                         attrs={"td": {"data-label": "任务", "class": "task-cell"}})
    measure = tables.Column("细化措施", accessor="measure__text", order_by=("measure__task__order", "measure__order"),
                            attrs={"td": {"class": "measure-cell"}})
    unit = tables.Column("责任单位", accessor="unit__name", order_by=("unit__order", "unit__name"),
                         attrs=cell("责任单位"))
    period = tables.Column("周期", empty_values=(), order_by=("period",), attrs=cell("周期"))
    due_on = tables.Column("完成时限", empty_values=(), order_by=("due_on",), attrs=cell("完成时限"))
    days = tables.Column("剩余/逾期", empty_values=(), order_by=("due_on",), attrs=cell("剩余/逾期"))
    status = tables.Column("状态", order_by=("status",), attrs=cell("状态"))
    light = tables.Column("状态灯", empty_values=(), orderable=False, attrs=cell("状态灯"))

    class Meta:
        model = Assignment
        fields = ("pick", "task", "measure", "unit", "period", "due_on", "days", "status", "light")
        attrs = {"class": "work-list"}
        empty_text = "没有符合条件的任务。"

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_pick(self, record: Assignment) -> str:
        """A box to tick an open item for 批量报送 (the form is the page's batch-pick form)."""
        if record.is_done:
            return ""
        return format_html('<input type="checkbox" name="ids" value="{}" form="batch-pick" aria-label="选择此项批量报送">',
                           record.pk)

    def render_task(self, record: Assignment) -> str:
        """任务3 and the task's title (工作要求（一） for a requirement), named from the row's own query: the list
        annotates ``requirement_place`` (Task.requirement_place_expression)."""
        task = record.measure.task
        if task.is_requirement and hasattr(record, "requirement_place"):
            task.requirement_place = record.requirement_place
        return format_html('<span class="task-name">{}</span> <span class="task-title" title="{}">{}</span>',
                           task.name, task.title, Truncator(task.title).chars(24))

    def render_measure(self, record: Assignment) -> str:
        return format_html('{}<a href="{}" title="{}">{}</a>', flag_badge(record.measure),
                           reverse("tasks:assignment", args=[record.pk]), record.measure.text,
                           Truncator(record.measure.text).chars(60))

    def render_period(self, record: Assignment) -> str:
        return record.period or "—"

    def render_due_on(self, record: Assignment) -> str:
        return cn_date(record.due_on) if record.due_on else "长期"

    def render_days(self, record: Assignment) -> str:
        label = record.days_label(self.today)
        return format_html('<span class="days {}">{}</span>',
                           "late" if record.is_overdue(self.today) else "", label)

    def render_status(self, record: Assignment) -> str:
        return format_html('<span class="tag status-{}">{}</span>', record.status, record.get_status_display())

    def render_light(self, record: Assignment) -> str:
        light = record.light(self.today)
        return format_html('<span class="light {}" aria-hidden="true"></span> {}', light, LIGHT_LABEL[light])
