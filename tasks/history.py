"""The change history (django-simple-history) told in Chinese: who, when, what changed from what to what."""

import datetime
from dataclasses import dataclass, field

from django.db import models

from plans.models import Measure
from tasks.models import Assignment

HISTORY_TYPE = {"+": "创建", "~": "修改", "-": "删除"}
EMPTY = "（空）"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def show_value(model_field: models.Field, value) -> str:
    """A stored value as a reader expects it: choice labels, 2024年6月30日, 是/否, （空）."""
    if value is None or value == "":
        return EMPTY
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def entries(records, model: type[models.Model], subject: str, fields: list[str]) -> list[Entry]:
    """One entry per historical record (oldest first in ``records``), each with its changed fields.

    Needs the records with ``history_user`` selected; runs no query of its own.
    """
    result = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, included_fields=fields)
            for change in delta.changes:
                model_field = model._meta.get_field(change.field)
                changes.append(Change(str(model_field.verbose_name), show_value(model_field, change.old),
                                      show_value(model_field, change.new)))
            if record.history_type == "~" and not changes:
                previous = record
                continue  # saved without a change to the fields shown
        previous = record
        user = record.history_user
        result.append(Entry(
            when=record.history_date, who=str(user) if user else "系统", subject=subject,
            action=HISTORY_TYPE.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "", changes=changes,
        ))
    return result


ASSIGNMENT_FIELDS = ["due_on", "status", "percent", "completed_on", "period"]
MEASURE_FIELDS = ["text", "due_on", "ongoing", "recurrence", "target_value", "target_unit", "evidence"]


def assignment_history(assignment: Assignment) -> list[Entry]:
    """The assignment's own changes and those of its measure, newest first (two queries)."""
    own = assignment.history.select_related("history_user").order_by("history_date", "history_id")
    measure = assignment.measure.history.select_related("history_user").order_by("history_date", "history_id")
    merged = entries(own, Assignment, "任务分解", ASSIGNMENT_FIELDS) + entries(measure, Measure, "细化措施",
                                                                              MEASURE_FIELDS)
    return sorted(merged, key=lambda e: e.when, reverse=True)
