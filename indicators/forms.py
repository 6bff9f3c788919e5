"""Forms of the 数据报送 pages: the catalogue's indicator, opening a round, a unit's values, the review."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils import timezone

from indicators import measures
from indicators.figures import Entry, plain
from indicators.models import FigureReport, FigureRound, Indicator, Period
from plans.models import Measure, Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IndicatorForm(forms.ModelForm):
    unit_kinds = forms.MultipleChoiceField(label="报送单位类型", choices=Unit.Kind.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text="按公式计算的指标由系统计算，无需选择")

    class Meta:
        model = Indicator
        fields = ["code", "name", "measure_unit", "kind", "rule", "numerator", "denominator", "parent",
                  "parts_complete", "unit_kinds", "section", "measure", "order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Indicator.objects.exclude(pk=self.instance.pk) if self.instance.pk else Indicator.objects.all()
        summed = others.filter(rule=Indicator.Rule.SUM)
        self.fields["numerator"].queryset = self.fields["denominator"].queryset = summed
        self.fields["parent"].queryset = summed.filter(parent__isnull=True)
        # a measure with a figure to reach (每年不少于2次), not one per person: its achieved figure is the unit's
        self.fields["measure"].queryset = (Measure.objects.filter(target_value__isnull=False, target_per_person=False)
                                           .select_related("task").order_by("task__plan", "task__order", "order"))
        self.fields["measure"].label_from_instance = lambda m: (
            f"{m.task.name}：{m.text if len(m.text) <= 40 else m.text[:40] + '…'}（目标{m.target_value.normalize():f}"
            f"{m.target_unit}）")


class RoundForm(forms.ModelForm):
    """发起数据报送: the period, the deadline, the indicators; the units default to those whose kinds report them."""

    units = forms.ModelMultipleChoiceField(label="报送单位", queryset=Unit.objects.filter(is_active=True),
                                           required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text="不选则为报送所选指标的全部单位")

    class Meta:
        model = FigureRound
        fields = ["period_kind", "year", "quarter", "due_on", "remind_workdays", "chase_every_workdays", "indicators"]
        widgets = {"due_on": DATE_INPUT, "indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(is_active=True).select_related("parent")
        self.fields["indicators"].label_from_instance = lambda i: i.label
        self.fields["year"].min_value = 2000
        for name in ("remind_workdays", "chase_every_workdays"):  # left empty: the model's default
            self.fields[name].required = False
        if not self.is_bound:  # most often: last year's figures, for the annual report
            last_year = timezone.localdate().year - 1
            self.initial.setdefault("indicators", list(self.fields["indicators"].queryset))
            self.initial.setdefault("period_kind", Period.YEAR)
            self.initial.setdefault("year", last_year)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():  # every unit would be late in 考核 and chased before it was told
            raise forms.ValidationError("报送截止日期不能早于今天。")
        return due_on

    def clean(self):
        data = super().clean()
        for name in ("remind_workdays", "chase_every_workdays"):
            if data.get(name) is None and name not in self.errors:
                data[name] = FigureRound._meta.get_field(name).default
        kind, quarter = data.get("period_kind"), data.get("quarter")
        if kind == Period.QUARTER and not quarter:
            self.add_error("quarter", "季度报送请选择季度。")
        if kind == Period.YEAR:
            data["quarter"] = self.instance.quarter = None
        chosen = list(data.get("indicators") or [])
        if chosen:
            # a formula needs its parts, a part its total: the round asks for them too
            needed = {pk for i in chosen for pk in (i.numerator_id, i.denominator_id, i.parent_id) if pk}
            data["indicators"] = chosen + list(Indicator.objects.filter(pk__in=needed - {i.pk for i in chosen}))
            kinds = {k for i in data["indicators"] if i.is_reported for k in i.unit_kinds}
            if not data.get("units"):
                data["units"] = list(Unit.objects.filter(is_active=True, kind__in=kinds))
            if not data["units"]:
                self.add_error("units", "所选指标没有需要报送的单位，请选择报送单位。")
            idle = [u.name for u in data["units"] if u.kind not in kinds]
            if idle:
                self.add_error("units", f"{'、'.join(idle)}不报送所选的任何指标（见指标目录的报送单位类型）。")
        year = data.get("year")
        if kind and year and FigureRound.objects.filter(period_kind=kind, year=year,
                                                        quarter=data.get("quarter")).exists():
            self.add_error(None, "该期数据报送已经发起。")
        return data

    def save_for(self, user) -> FigureRound:
        rnd = self.save(commit=False)
        rnd.created_by = user
        rnd.open(self.cleaned_data["units"], self.cleaned_data["indicators"])
        return rnd


@dataclass
class ValueRow:
    """One line of the values form: the indicator, its two fields, the previous period's value, the messages
    about it (``figures.Problem``) and, for a value pre-filled from a plan measure, where it came from."""

    indicator: Indicator
    value: forms.BoundField
    note: forms.BoundField
    before: Decimal | None
    errors: list[str]
    source: str

    @property
    def error_id(self) -> str:
        return f"{self.value.auto_id}_error"


class ValuesForm(forms.Form):
    """One input per indicator the unit reports (parts under their total), each with its 说明. A value not entered
    yet is pre-filled from the plan measure the indicator is linked to (indicators.measures)."""

    def __init__(self, *args, report: FigureReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.indicators = report.indicators()
        self.sources: dict[str, str] = {}
        entered, linked = report.values_by_code(), measures.linked(report)
        for indicator in self.indicators:
            value, link = entered.get(indicator.code), linked.get(indicator.pk)
            initial = value.value if value else ""
            if value is None and link is not None and link.achieved is not None:
                initial, self.sources[indicator.code] = plain(link.achieved), link.source
            self.fields[f"v_{indicator.code}"] = forms.CharField(
                label=f"{indicator.label}（{indicator.measure_unit}）", required=False,
                initial=initial, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
            self.fields[f"n_{indicator.code}"] = forms.CharField(
                label="说明", required=False, max_length=300, initial=value.note if value else "")

    def rows(self, before: dict[int, Decimal], problems=()) -> list[ValueRow]:
        """The form's lines in order, each with the messages of ``problems`` (figures.check's) about it."""
        about: dict[int, list[str]] = {}
        for problem in problems:
            for entry in getattr(problem, "entries", ()):
                about.setdefault(entry.indicator.pk, []).append(problem.detail)
        return [ValueRow(i, self[f"v_{i.code}"], self[f"n_{i.code}"], before.get(i.pk), about.get(i.pk, []),
                         self.sources.get(i.code, "")) for i in self.indicators]

    def entries(self) -> list[Entry]:
        return [Entry(i, self.data.get(f"v_{i.code}", ""), self.data.get(f"n_{i.code}", "")) for i in self.indicators]


class UploadForm(forms.Form):
    file = forms.FileField(label="填好的模板（.xlsx）", error_messages={"required": "请选择填好的.xlsx模板。"})


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("return", "退回")],
                                 widget=forms.RadioSelect, error_messages={"required": "请选择通过或退回。"})
    reason = forms.CharField(label="审核意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", "退回时请写明理由。")
        return data

