"""The form on the reports page: which report, of which plan, as of which day (an annual report: of which year);
the form of a kept report's sections the lead office rewrites."""

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone

from indicators.models import Period
from plans.models import Plan, Task, Unit
from reports.annual import ADDRESSEE, annual_error
from reports.inspection import as_of_error
from reports.models import ReportJob
from reports.scoring import ScoringScheme
from tracker import access, plan_choice


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="报告类型", choices=ReportJob.Kind.choices, initial=ReportJob.Kind.INSPECTION)
    plan = forms.ModelChoiceField(label="实施方案", queryset=Plan.objects.none(), empty_label=None)
    unit = forms.ModelChoiceField(label="责任单位（单位报告）", queryset=Unit.objects.none(), required=False)
    task = forms.ModelChoiceField(label="任务（任务报告）", queryset=Task.objects.none(), required=False)
    year = forms.TypedChoiceField(label="年度（年度报告）", coerce=int, required=False,
                                  help_text="按该年度数据报送中已审核通过的数据起草。")
    addressee = forms.CharField(label="主送（年度报告）", max_length=100, required=False, initial=ADDRESSEE)
    as_of = forms.DateField(label="截至日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            help_text="按该日终了时的状态生成；此后的报送、审核和时限调整不计入。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = access.report_kinds_for(user)
        self.fields["kind"].choices = [(kind, label) for kind, label in ReportJob.Kind.choices if kind in kinds]
        self.fields["plan"].queryset = access.plans_for(user).order_by("-issued_on", "-id")
        self.fields["plan"].initial = plan_choice.current_plan(user)
        self.fields["task"].queryset = access.tasks_for(user).select_related("plan").order_by("plan_id", "order", "id")
        self.fields["as_of"].initial = timezone.localdate()
        units = access.units_for(user)
        if access.sees_every_unit(user):
            self.fields["unit"].queryset = units.filter(is_active=True)
            # The years with a yearly 数据报送 round (the one the annual report reads), newest first.
            years = (access.figure_rounds_for(user).filter(period_kind=Period.YEAR, quarter__isnull=True)
                     .order_by("-year").values_list("year", flat=True).distinct())
            self.fields["year"].choices = [*BLANK_CHOICE_DASH] + [(year, f"{year}年度") for year in years]
        else:
            # A liaison asks for its own unit's report only (tracker.access.require_report_request).
            self.fields["kind"].initial = ReportJob.Kind.UNIT
            self.fields["unit"].queryset = units
            self.fields["unit"].initial = user.unit_id
            self.fields["unit"].empty_label = None
            del self.fields["task"], self.fields["year"], self.fields["addressee"]

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
        if kind == ReportJob.Kind.ANNUAL:
            if not data.get("year"):
                self.add_error("year", "年度报告请选择年度。")
            elif data.get("plan") and (error := annual_error(data["year"], data["plan"])):
                self.add_error("year", error)
        if kind != ReportJob.Kind.UNIT:
            data["unit"] = None
        if kind != ReportJob.Kind.TASK:
            data["task"] = None
        if kind == ReportJob.Kind.ANNUAL:
            data["addressee"] = data.get("addressee") or ADDRESSEE
        else:
            data["year"], data["addressee"] = None, ""
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
    """The sections of a kept report the lead office rewrites (存在问题 and 下步工作; an annual report's four), one
    paragraph a line; ``edited_at``: the ``ReportJob.text_version`` the form was shown with."""

    edited_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sections: tuple[tuple[str, str], ...], **kwargs):
        super().__init__(*args, **kwargs)
        for key, title in sections:
            rows = min(24, max(6, len(self.initial.get(key, "")) // 45 + 2))  # the draft shown whole, near enough
            self.fields[key] = forms.CharField(label=title, widget=forms.Textarea(attrs={"rows": rows}),
                                               max_length=10000, help_text="每行一段。")
