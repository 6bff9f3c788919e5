"""Forms of the work pages: progress reports with evidence, reviews, deadlines, extensions, measures."""

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import Truncator

from plans.models import Measure, Unit, UnitGroup
from tasks import uploads
from tasks.models import Assignment, ExtensionRequest, Figures, Review, Submission
from tracker.forms import MultipleFileField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SubmissionForm(forms.Form):
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
                           error_messages={"required": "请填写进展情况。"})
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100,
                                 error_messages={"required": "请填写完成进度（0—100）。",
                                                 "min_value": "完成进度不能小于0。",
                                                 "max_value": "完成进度不能大于100。",
                                                 "invalid": "完成进度请填写0—100的整数。"})
    files = MultipleFileField(label="佐证材料", required=False, allow_empty_file=True,
                              help_text=f"可选择多个文件；支持 {uploads.ALLOWED_LABEL}；单个文件不超过 "
                                        "{file_mb} MB，每次合计不超过 {total_mb} MB。")

    FIGURE_FIELDS = ("achieved_value", "staff_total", "staff_reached")

    def __init__(self, *args, measure: Measure | None = None, **kwargs):
        """``measure``: the measure reported on, whose target decides the figure fields (none without it)."""
        super().__init__(*args, **kwargs)
        field = self.fields["files"]
        field.help_text = field.help_text.format(file_mb=settings.UPLOAD_MAX_FILE_MB,
                                                 total_mb=settings.UPLOAD_MAX_SUBMISSION_MB)
        field.widget.attrs["accept"] = uploads.ACCEPT
        if measure is not None:
            self.add_figure_fields(measure)

    def add_figure_fields(self, measure: Measure) -> None:
        """A measure with a target asks for the achieved figure, in the target's unit (学时, 次, %); a
        per-person target also for how many staff there are and how many reached it."""
        target = Figures(measure.target_value, measure.target_unit, measure.target_per_person)
        unit = measure.target_unit
        if measure.target_value is not None:
            label = f"{'人均完成数' if measure.target_per_person else '完成数'}{f'（{unit}）' if unit else ''}"
            escaped = label.replace("%", "%%")  # the validators' messages are %-formatted with their limits
            self.fields["achieved_value"] = forms.DecimalField(
                label=label, min_value=0, max_value=Decimal(100) if unit == "%" else None, max_digits=12,
                decimal_places=2, help_text=f"目标：{target.target_label}。",
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                error_messages={"required": f"请填写{label}。", "invalid": f"{label}请填写数字。",
                                "min_value": f"{escaped}不能小于0。", "max_value": f"{escaped}不能大于100%%。",
                                "max_digits": f"{escaped}数值过大。", "max_decimal_places": f"{escaped}最多保留两位小数。",
                                "max_whole_digits": f"{escaped}数值过大。"})
        if measure.target_per_person:
            for name, label, help_text in (
                ("staff_total", "执法人员总数", "本单位应达到目标的执法人员人数。"),
                ("staff_reached", "达标人数", "其中已达到目标的人数。"),
            ):
                self.fields[name] = forms.IntegerField(
                    label=label, min_value=1 if name == "staff_total" else 0, help_text=help_text,
                    error_messages={"required": f"请填写{label}。", "invalid": f"{label}请填写整数。",
                                    "min_value": f"{label}不能小于{1 if name == 'staff_total' else 0}。"})

    def figures(self) -> dict:
        """The figures for ``Assignment.submit``: those the form asked for (the others stay blank)."""
        return {name: self.cleaned_data[name] for name in self.FIGURE_FIELDS if name in self.fields}

    def clean_files(self) -> list[uploads.CheckedFile]:
        try:
            return uploads.check_files(self.cleaned_data.get("files") or [])
        except uploads.UploadRejected as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("percent") == 100 and "files" in cleaned and not cleaned["files"]:
            self.add_error("files", "报送完成（100%）时请上传佐证材料。")
        total, reached = cleaned.get("staff_total"), cleaned.get("staff_reached")
        if total is not None and reached is not None and reached > total:
            self.add_error("staff_reached", "达标人数不能大于执法人员总数。")
        return cleaned


class ItemReportForm(SubmissionForm):
    """One item's part of a 批量报送: its percent and, where its measure has a target, its figures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["text"], self.fields["files"]


class BatchReportForm(SubmissionForm):
    """批量报送: one text and one set of evidence files for several items of the unit, with an ItemReportForm
    (prefix ``item<pk>``) per item. ``errors_by_item`` names the item of each error, in Chinese."""

    MAX_ITEMS = 100

    def __init__(self, data=None, files=None, *, assignments: list[Assignment], **kwargs):
        super().__init__(data, files, **kwargs)
        del self.fields["percent"]
        self.items = [(a, ItemReportForm(data, measure=a.measure, prefix=f"item{a.pk}", initial={
            "percent": a.percent, **{name: getattr(a, name) for name in self.FIGURE_FIELDS}})) for a in assignments]

    def is_valid(self) -> bool:
        valid = [super().is_valid()] + [form.is_valid() for _, form in self.items]
        if "files" in self.cleaned_data and not self.cleaned_data["files"]:
            for _, form in self.items:
                if form.cleaned_data.get("percent") == 100:
                    form.add_error("percent", "报送完成（100%）时请上传佐证材料。")
                    valid.append(False)
        return all(valid)

    @property
    def errors_by_item(self) -> list[str]:
        return [f"{a.measure.task.name}“{Truncator(a.measure.text).chars(20)}”：{error}"
                for a, form in self.items for errors in form.errors.values() for error in errors]

    def reports(self) -> list[tuple[Assignment, int, dict]]:
        """What ``uploads.save_submissions`` takes: each item with its percent and figures."""
        return [(a, form.cleaned_data["percent"], form.figures()) for a, form in self.items]


class ReviewForm(forms.Form):
    """通过 or 退回 with a reason; a report below its target is accepted only with a reason too."""

    decision = forms.ChoiceField(label="审核结果", choices=Review.Decision.choices,
                                 widget=forms.RadioSelect(attrs={"autofocus": True}),
                                 error_messages={"required": "请选择通过或退回。"})
    reason = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, help_text="退回时必须填写退回原因，责任单位将看到此意见。")

    def __init__(self, *args, submission: Submission | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.below_target = submission is not None and submission.figures.met is False
        if self.below_target:
            self.fields["reason"].help_text = "报送的完成数未达到目标：退回须写明原因；如仍予通过，须写明通过的理由。"

    def clean(self):
        cleaned = super().clean()
        reason = (cleaned.get("reason") or "").strip()
        if cleaned.get("decision") == Review.Decision.RETURN and not reason:
            self.add_error("reason", "退回时必须填写退回原因。")
        elif cleaned.get("decision") == Review.Decision.ACCEPT and self.below_target and not reason:
            self.add_error("reason", "报送的完成数未达到目标，通过时须填写意见说明理由；也可选择退回。")
        return cleaned


class DeadlineForm(forms.Form):
    due_on = forms.DateField(label="新的完成时限", required=False, widget=DATE_INPUT,
                             help_text="留空表示长期坚持，不计逾期。")
    reason = forms.CharField(label="调整原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=500,
                             error_messages={"required": "调整完成时限必须填写原因。"})

    def __init__(self, *args, current: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current

    def clean(self):
        cleaned = super().clean()
        if "due_on" in cleaned and cleaned["due_on"] == self.current and not self.errors:
            self.add_error("due_on", "新的完成时限与当前相同。")
        return cleaned


class ExtensionRequestForm(forms.Form):
    requested_due_on = forms.DateField(label="申请延至", widget=DATE_INPUT,
                                       error_messages={"required": "请填写申请延至的日期。",
                                                       "invalid": "日期格式不正确。"})
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             error_messages={"required": "请填写申请延期的理由。"})

    def __init__(self, *args, assignment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_requested_due_on(self) -> datetime.date:
        value = self.cleaned_data["requested_due_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("申请延至的日期须晚于今天。")
        if self.assignment.due_on and value <= self.assignment.due_on:
            raise forms.ValidationError("申请延至的日期须晚于当前完成时限。")
        return value

    def clean(self):
        cleaned = super().clean()
        if self.assignment.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
            raise forms.ValidationError("已有一份延期申请正在审批，请等待审批结果。")
        return cleaned


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(label="审批结果", choices=[("1", "同意延期"), ("0", "不同意")],
                                   coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                   error_messages={"required": "请选择同意或不同意。"})
    reason = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             error_messages={"required": "请填写审批意见（同意或不同意的理由）。"})


class MeasureForm(forms.ModelForm):
    """Add or edit a measure: its kind (one-off with a date, recurring with a period, ongoing), owners, leads
    and target. The units and groups it names decide its assignments. What the lead office sets here is theirs:
    the kind's basis becomes 牵头单位确定, owners they change become 牵头单位指定."""

    kind = forms.ChoiceField(label="类型", choices=Measure.Kind.choices, initial=Measure.Kind.ONCE, required=False,
                             widget=forms.Select(attrs={"data-role": "kind"}),
                             help_text="一次性：按完成时限完成；周期性：每个周期分解一次；长期坚持：不计逾期，定期报送进展。")
    reason = forms.CharField(label="调整原因", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=500, help_text="修改类型、完成时限或周期时必须填写，记入变更记录。")

    class Meta:
        model = Measure
        fields = ["text", "due_on", "due_phrase", "recurrence", "target_value", "target_unit", "target_per_person",
                  "evidence", "units", "groups", "lead_units"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "due_on": DATE_INPUT,
            "units": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
            "lead_units": forms.CheckboxSelectMultiple,
        }
        help_texts = {"due_on": "一次性：留空则为方案截止日期；周期性：每期截止日的参照日期，可空。",
                      "lead_units": "可空；须为本措施的责任单位或所选分组的成员。"}
        error_messages = {"text": {"required": "请填写措施内容。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Unit.objects.filter(is_active=True)
        self.fields["units"].queryset = active
        self.fields["lead_units"].queryset = active
        self.fields["groups"].queryset = UnitGroup.objects.all()
        measure = self.instance
        self.before = (measure.kind, measure.recurrence, measure.due_on) if measure.pk else None
        self.was_pending = measure.kind_pending
        if measure.pk:
            self.fields["kind"].initial = measure.kind

    def _after(self) -> tuple:
        cleaned = self.cleaned_data
        kind = cleaned.get("kind")
        recurrence = (cleaned.get("recurrence") or "") if kind == Measure.Kind.RECURRING else ""
        return kind, recurrence, None if kind == Measure.Kind.ONGOING else cleaned.get("due_on")

    def kind_changed(self) -> bool:
        return self.before is not None and self.before[0] != self.cleaned_data.get("kind")

    def deadline_changed(self) -> bool:
        return self.before is not None and self.before != self._after()

    def owners_changed(self) -> bool:
        return self.before is not None and bool({"units", "groups"} & set(self.changed_data))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("kind"):  # a form sent without a kind: as its period says, else as the measure was
            ongoing = self.before is not None and self.before[0] == Measure.Kind.ONGOING
            cleaned["kind"] = Measure(ongoing=ongoing and not cleaned.get("recurrence"),
                                      recurrence=cleaned.get("recurrence") or "").kind
        units, groups = cleaned.get("units") or [], cleaned.get("groups") or []
        if not units and not groups:
            raise forms.ValidationError("请至少选择一个责任单位或责任分组。")
        if cleaned.get("kind") == Measure.Kind.RECURRING and not cleaned.get("recurrence"):
            self.add_error("recurrence", "周期性措施请选择周期。")
        owners = {u.pk for u in units} | {u.pk for g in groups for u in g.members.all()}
        outside = [u.name for u in cleaned.get("lead_units") or [] if u.pk not in owners]
        if outside:
            self.add_error("lead_units", f"牵头单位“{'、'.join(outside)}”不是本措施的责任单位。")
        if self.deadline_changed() and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "修改类型、完成时限或周期必须填写调整原因。")
        return cleaned

    def save(self, commit: bool = True) -> Measure:
        """The measure with its kind applied; the lead office's decisions marked; the history's reason set."""
        measure = super().save(commit=False)
        kind, recurrence, due_on = self._after()
        measure.set_kind(kind, due_on=due_on, recurrence=recurrence)
        if self.before is None or self.kind_changed() or self.was_pending:
            measure.kind_basis = Measure.Basis.LEAD
        if self.before is None or self.owners_changed():
            measure.owner_rule, measure.owner_words = Measure.OwnerRule.MANUAL, ""
        measure._change_reason = self.change_reason()
        if commit:
            measure.save()
            self.save_m2m()
        return measure

    def change_reason(self) -> str:
        """What the history says about this save: what changed, then the reason the lead office gave."""
        label = Measure.Kind(self.cleaned_data["kind"]).label
        if self.before is None:
            return "牵头单位新增措施"
        done = []
        if self.kind_changed():
            done.append(f"类型改为{label}")
        elif self.was_pending:
            done.append(f"确认类型为{label}")
        elif self.deadline_changed():
            done.append("调整时限")
        if self.owners_changed():
            done.append("调整责任单位")
        reason = (self.cleaned_data.get("reason") or "").strip()
        text = "；".join(done) or "编辑措施"
        return f"{text}：{reason}" if reason else text


class BulkAcceptForm(forms.Form):
    """批量通过: the chosen pending submissions, one comment for all."""

    submissions = forms.ModelMultipleChoiceField(queryset=Submission.objects.none(),
                                                 error_messages={"required": "请勾选要通过的报送。",
                                                                 "invalid_choice": "所选报送已审核或不存在，请刷新后重试。",
                                                                 "invalid_pk_value": "所选报送无效，请刷新后重试。"})
    reason = forms.CharField(label="审核意见", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": "可选；将记入每一份报送的审核意见"}))

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submissions"].queryset = pending

    def clean(self):
        cleaned = super().clean()
        short = [s for s in cleaned.get("submissions") or [] if s.figures.met is False]
        if short and not (cleaned.get("reason") or "").strip():
            names = "、".join(str(s.assignment.unit) for s in short[:5]) + ("等" if len(short) > 5 else "")
            self.add_error("reason", f"所选报送中有{len(short)}份完成数未达到目标（{names}），批量通过须填写意见说明理由；"
                                     "也可逐份审核退回。")
        return cleaned
