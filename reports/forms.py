"""The form on the reports page: which report, of which plan, as of which day."""

from django import forms
from django.utils import timezone

from plans.models import Plan, Task, Unit
from reports.inspection import as_of_error
from reports.models import ReportJob
from reports.scoring import ScoringScheme
from tracker import access, plan_choice


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="报告类型", choices=ReportJob.Kind.choices, initial=ReportJob.Kind.INSPECTION)
    plan = forms.ModelChoiceField(label="实施方案", queryset=Plan.objects.none(), empty_label=None)
    unit = forms.ModelChoiceField(label="责任单位（单位报告）", queryset=Unit.objects.none(), required=False)
    task = forms.ModelChoiceField(label="任务（任务报告）", queryset=Task.objects.none(), required=False)
    as_of = forms.DateField(label="截至日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            help_text="按该日终了时的状态生成；此后的报送、审核和时限调整不计入。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["plan"].queryset = access.plans_for(user).order_by("-issued_on", "-id")
        self.fields["plan"].initial = plan_choice.current_plan(user)
        self.fields["task"].queryset = access.tasks_for(user).select_related("plan").order_by("plan_id", "order", "id")
        self.fields["as_of"].initial = timezone.localdate()
        units = access.units_for(user)
        if access.sees_every_unit(user):
            self.fields["unit"].queryset = units.filter(is_active=True)
        else:
            # A liaison asks for its own unit's report only (tracker.access.require_report_request).
            self.fields["kind"].choices = [(ReportJob.Kind.UNIT, ReportJob.Kind.UNIT.label)]
            self.fields["kind"].initial = ReportJob.Kind.UNIT
            self.fields["unit"].queryset = units
            self.fields["unit"].initial = user.unit_id
            self.fields["unit"].empty_label = None
            del self.fields["task"]

    def clean(self):
        data = super().clean()
        if data.get("plan") and data.get("as_of") and (error := as_of_error(data["plan"], data["as_of"])):
            self.add_error("as_of", error)
        kind = data.get("kind")
        if kind == ReportJob.Kind.UNIT and not data.get("unit"):
            self.add_error("unit", "单位报告请选择责任单位。")
        if kind == ReportJob.Kind.TASK:
            task = data.get("task")
            if not task:
                self.add_error("task", "任务报告请选择任务。")
            elif data.get("plan") and task.plan_id != data["plan"].pk:
                self.add_error("task", "该任务不属于所选实施方案。")
        if kind != ReportJob.Kind.UNIT:
            data["unit"] = None
        if kind != ReportJob.Kind.TASK:
            data["task"] = None
        return data


class ScoringSchemeForm(forms.ModelForm):
    """考核设置: the plan's weights (whole points) and deductions (per item)."""

    class Meta:
        model = ScoringScheme
        fields = ["on_time_points", "target_points", "quality_points", "overdue_deduction", "letter_deduction",
                  "round_deduction"]

    def clean(self):
        data = super().clean()
        weights = [data.get(f) for f in ("on_time_points", "target_points", "quality_points")]
        if None not in weights and sum(weights) != 100:
            raise forms.ValidationError(f"按时完成、目标达成、数据质量三项分值合计应为100分（现为{sum(weights)}分）。")
        return data


class RankingForm(forms.Form):
    """The ranking's day (GET): today unless asked; never a day to come or before the plan was issued."""

    as_of = forms.DateField(label="考核截至日期", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_as_of(self):
        day = self.cleaned_data["as_of"] or timezone.localdate()
        if error := as_of_error(self.plan, day):
            raise forms.ValidationError(error)
        return day


class ReportTextForm(forms.Form):
    """存在问题 and 下步工作 of a kept report, as the lead office edits them (one paragraph a line)."""

    problems = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 8}), max_length=5000,
                               help_text="每行一段；已按数据起草，请核实修改。")
    next_steps = forms.CharField(label="下步工作", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000,
                                 help_text="每行一段。")
