"""Filters of the work list: status, task, due within N days, overdue (and unit for the lead office)."""

import django_filters
from django import forms
from django.utils import timezone

from plans.models import Plan, Task, Unit
from tasks.models import Assignment, Submission
from tasks.status import in_plan
from tracker import access


class AssignmentFilter(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(label="实施方案", method="filter_plan", queryset=Plan.objects.none(),
                                            empty_label="全部方案")
    status = django_filters.ChoiceFilter(label="状态", choices=Assignment.Status.choices, empty_label="全部状态")
    task = django_filters.ModelChoiceFilter(label="任务", field_name="measure__task", queryset=Task.objects.none(),
                                            empty_label="全部任务")
    unit = django_filters.ModelChoiceFilter(label="责任单位", queryset=Unit.objects.none(), empty_label="全部单位")
    due_within = django_filters.NumberFilter(label="几天内到期", method="filter_due_within", min_value=0,
                                             max_value=3660, widget=forms.NumberInput(attrs={"placeholder": "如 7"}))
    overdue = django_filters.BooleanFilter(label="是否逾期", method="filter_overdue",
                                           widget=forms.Select(choices=[("", "全部"), ("true", "已逾期"),
                                                                        ("false", "未逾期")]))

    class Meta:
        model = Assignment
        fields = ["plan", "status", "task", "unit", "due_within", "overdue"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        visible = self.queryset
        self.filters["plan"].queryset = access.plans_for(user)
        self.filters["task"].queryset = (
            Task.objects.filter(measures__assignments__in=visible.order_by().values("pk")).distinct()
            .order_by("plan", "order")
        )
        if access.sees_every_unit(user):
            self.filters["unit"].queryset = access.units_for(user).filter(is_active=True)
        else:  # a liaison's list is its own unit's
            del self.filters["unit"]

    def filter_plan(self, queryset, name, value):
        return in_plan(queryset, value) if value is not None else queryset

    def filter_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.due_within(self.today, int(value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue(self.today) if value else queryset.not_overdue(self.today)


class ReviewQueueFilter(django_filters.FilterSet):
    """待审核 by plan (the user's chosen one unless the query names one: tracker.plan_choice), unit and task."""

    plan = django_filters.ModelChoiceFilter(label="实施方案", method="filter_plan", queryset=Plan.objects.none(),
                                            empty_label="全部方案")
    unit = django_filters.ModelChoiceFilter(label="责任单位", field_name="assignment__unit", queryset=Unit.objects.none(),
                                            empty_label="全部单位")
    task = django_filters.ModelChoiceFilter(label="任务", field_name="assignment__measure__task",
                                            queryset=Task.objects.none(), empty_label="全部任务")

    class Meta:
        model = Submission
        fields = ["plan", "unit", "task"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["plan"].queryset = access.plans_for(user)
        self.filters["unit"].queryset = access.units_for(user).filter(is_active=True)
        tasks = access.tasks_for(user).select_related("plan").order_by("plan_id", "order", "id")
        plan_id = self.data.get("plan")
        if plan_id and str(plan_id).isdigit():
            tasks = tasks.filter(plan_id=plan_id)
        self.filters["task"].queryset = tasks

    def filter_plan(self, queryset, name, value):
        return queryset.filter(assignment__in=in_plan(Assignment.objects.all(), value)) if value else queryset
