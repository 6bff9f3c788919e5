import datetime

from django import forms

from notifications.models import LadderConfig
from plans.models import Unit
from tasks.models import ReportingRound
from tracker.forms import MultipleFileField


class ReplyForm(forms.Form):
    text = forms.CharField(label="整改情况", widget=forms.Textarea, max_length=10000,
                           error_messages={"required": "请填写整改情况。"})
    files = MultipleFileField(label="佐证材料（可多选）", required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="作废理由", widget=forms.Textarea, max_length=2000,
                             error_messages={"required": "请填写作废理由。"})


class LadderConfigForm(forms.ModelForm):
    class Meta:
        model = LadderConfig
        fields = ["enabled", "remind_days", "urge_every_workdays", "flagged_urge_every_workdays", "letter_after_workdays",
                  "reply_workdays", "circular_after_workdays", "masthead", "signer", "contact", "contact_phone", "copy_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.paused_reason:  # resumed only by deciding about the items past due (PauseForm)
            self.fields["enabled"].disabled = True
            self.fields["enabled"].help_text = "自动督办已暂停：请先在下方确定已超过完成时限事项的处理方式。"
        self.fields["flagged_urge_every_workdays"].required = False  # a form sent without it keeps the setting

    def clean(self):
        data = super().clean()
        if data.get("flagged_urge_every_workdays") is None:
            data["flagged_urge_every_workdays"] = self.instance.flagged_urge_every_workdays
        urge, flagged = data.get("urge_every_workdays"), data["flagged_urge_every_workdays"]
        if urge and flagged and flagged > urge:
            self.add_error("flagged_urge_every_workdays", "挂牌督办事项的催办间隔应不长于一般事项的催办间隔。")
        if data.get("letter_after_workdays") is not None and data["letter_after_workdays"] < 1:
            self.add_error("letter_after_workdays", "函告的逾期工作日数至少为1。")
        if data.get("reply_workdays") is not None and data["reply_workdays"] < 1:
            self.add_error("reply_workdays", "整改回复时限至少为1个工作日。")
        after = data.get("letter_after_workdays")
        circular = data.get("circular_after_workdays")
        if after and circular is not None and circular < after:
            self.add_error("circular_after_workdays", "通报的逾期工作日数不应少于函告的逾期工作日数。")
        return data


class CircularForm(forms.Form):
    round = forms.ModelChoiceField(label="结合调度（可选）", queryset=ReportingRound.objects.none(),
                                   required=False, empty_label="不结合调度")

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = ReportingRound.objects.filter(plan=plan, circular__isnull=True)


class ManualStepForm(forms.Form):
    kind = forms.ChoiceField(label="督办方式", choices=[("remind", "提醒"), ("urge", "催办")])
    note = forms.CharField(label="附言（可选）", required=False, max_length=500)


class PauseForm(forms.Form):
    """What the items already past due when the plan was imported become: new due dates, or historical items."""

    RESCHEDULE, HISTORICAL = "reschedule", "historical"
    choice = forms.ChoiceField(label="处理方式", widget=forms.RadioSelect, choices=[
        (RESCHEDULE, "重新设定完成时限：以上事项统一设定新的完成时限，按新时限提醒、催办"),
        (HISTORICAL, "记为历史事项：保留在台账中，标注为历史事项，不再提醒、催办、函告"),
    ], error_messages={"required": "请选择处理方式。"})
    due_on = forms.DateField(label="新的完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="理由", max_length=200, error_messages={"required": "请填写理由，记入任务的修改记录。"})

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("choice") == self.RESCHEDULE:
            if data.get("due_on") is None:
                self.add_error("due_on", "请填写新的完成时限。")
            elif data["due_on"] < self.today:
                self.add_error("due_on", "新的完成时限不能早于今天。")
        return data


class NotifyModeForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["notify_mode"]
