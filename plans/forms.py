"""Forms of the plan pages: upload, the preview's fix-ups and name choices, plan settings, directory upload."""

from pathlib import Path

from django import forms

from plans.models import Measure, Plan, Unit, UnitGroup

PLAN_SUFFIXES = (".txt", ".docx", ".xlsx", ".tsv")
MAX_UPLOAD_MB = 10


def split_names(text: str) -> list[str]:
    """A unit list as typed by hand: one per line, or separated by 、，,；;."""
    from plans.directory import GROUP_SEPARATOR

    return [n.strip() for line in text.splitlines() for n in GROUP_SEPARATOR.split(line) if n.strip()]


class UploadForm(forms.Form):
    file = forms.FileField(label="方案文件", help_text="支持 .txt（UTF-8 或 GB18030）、.docx、.xlsx，以及制表符分隔的文本。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in PLAN_SUFFIXES:
            raise forms.ValidationError("只支持 .txt、.docx、.xlsx 格式的方案文件。")
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {MAX_UPLOAD_MB} MB。")
        return upload


class DirectoryUploadForm(forms.Form):
    file = forms.FileField(label="单位名录", help_text="列：名称、简称、类型、所属分组（多个用“、”分隔）、邮箱、通知Webhook。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError("只支持 .csv 或 .xlsx 格式的单位名录。")
        return upload


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["doc_number", "lead_unit", "letter_prefix", "circular_prefix"]


# --- the preview's fix-ups: each names a task (and a measure) by its position in the parsed plan ------------


class TaskFixForm(forms.Form):
    task = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, data_tasks: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_tasks = data_tasks or []

    def clean_task(self):
        index = self.cleaned_data["task"]
        if index >= len(self.data_tasks):
            raise forms.ValidationError("该任务已不存在，请刷新页面。")
        return index


class UnitsFixForm(TaskFixForm):
    units = forms.CharField(label="责任单位", widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="多个单位用“、”分隔；第一个起为牵头单位时请在“牵头单位”中填写。")
    leads = forms.CharField(label="牵头单位", required=False)

    def clean(self):
        cleaned = super().clean()
        units = split_names(cleaned.get("units", ""))
        if not units:
            self.add_error("units", "请至少填写一个责任单位。")
        leads = split_names(cleaned.get("leads", ""))
        missing = [n for n in leads if n not in units]
        if missing:
            self.add_error("leads", f"牵头单位“{'、'.join(missing)}”不在责任单位中。")
        cleaned["unit_list"], cleaned["lead_list"] = units, leads
        return cleaned


class MergeForm(TaskFixForm):
    def clean_task(self):
        index = super().clean_task()
        if index == 0:
            raise forms.ValidationError("第一项任务前面没有可合并的任务。")
        return index


class MeasureFixForm(TaskFixForm):
    measure = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        task, measure = cleaned.get("task"), cleaned.get("measure")
        if task is not None and measure is not None and measure >= len(self.data_tasks[task]["measures"]):
            raise forms.ValidationError("该措施已不存在，请刷新页面。")
        return cleaned


class DueFixForm(MeasureFixForm):
    due = forms.DateField(label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          help_text="留空则为方案截止日期。")
    ongoing = forms.BooleanField(label="长期坚持（无固定时限）", required=False)
    recurrence = forms.ChoiceField(label="周期", required=False,
                                   choices=[("", "一次性")] + list(Measure.Recurrence.choices))


class SplitForm(MeasureFixForm):
    text = forms.CharField(label="拆分后的措施（每行一条）", widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        cleaned = super().clean()
        parts = [line.strip() for line in cleaned.get("text", "").splitlines() if line.strip()]
        if len(parts) < 2:
            self.add_error("text", "请用换行把措施分成至少两条。")
        cleaned["parts"] = parts
        return cleaned


# --- names missing from the directory ---------------------------------------------------------------------

CREATE_CHOICES = [(f"create:{value}", f"新建单位（{label}）") for value, label in Unit.Kind.choices]


class NameChoicesForm(forms.Form):
    """One choice per unknown name: map to a unit or group (kept as an alias), create a unit, or ignore."""

    def __init__(self, *args, names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names
        options = [("", "暂不处理（记为提示）"), ("ignore", "忽略该名称")] + CREATE_CHOICES
        options += [("对应已有分组", [(f"group:{g.pk}", g.name) for g in UnitGroup.objects.all()])]
        options += [("对应已有单位", [(f"unit:{u.pk}", u.name) for u in Unit.objects.filter(is_active=True)])]
        for i, name in enumerate(names):
            self.fields[f"name_{i}"] = forms.ChoiceField(label=name, choices=options, required=False)

    def choices(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"name_{i}", "") for i, name in enumerate(self.names)}

    def name_fields(self):
        return [(name, self[f"name_{i}"]) for i, name in enumerate(self.names)]


# --- applying the fix-ups to the parsed plan (the importer JSON kept in the session) ------------------------


def apply_units_fix(data: dict, form: UnitsFixForm) -> str:
    task = data["tasks"][form.cleaned_data["task"]]
    old, new = task["units"], form.cleaned_data["unit_list"]
    for measure in task["measures"]:
        if not measure.get("units") or measure["units"] == old:
            measure["units"] = list(new)
    task["units"], task["lead_units"] = new, form.cleaned_data["lead_list"]
    return f"已修改“{task['title']}”的责任单位。"


def apply_merge(data: dict, form: MergeForm) -> str:
    index = form.cleaned_data["task"]
    task = data["tasks"].pop(index)
    previous = data["tasks"][index - 1]
    for measure in task["measures"]:
        measure["units"] = measure.get("units") or list(task["units"])
    previous["measures"] += task["measures"]
    previous["units"] += [n for n in task["units"] if n not in previous["units"]]
    return f"已将“{task['title']}”并入上一项任务“{previous['title']}”。"


def apply_due_fix(data: dict, form: DueFixForm) -> str:
    measure = data["tasks"][form.cleaned_data["task"]]["measures"][form.cleaned_data["measure"]]
    due = form.cleaned_data["due"]
    measure["ongoing"] = form.cleaned_data["ongoing"]
    measure["due"] = None if measure["ongoing"] or not due else due.isoformat()
    measure["recurrence"] = form.cleaned_data["recurrence"] or None
    measure["due_phrase"] = None
    return "已修改措施的时限。"


def apply_split(data: dict, form: SplitForm) -> str:
    measures = data["tasks"][form.cleaned_data["task"]]["measures"]
    index = form.cleaned_data["measure"]
    original = measures[index]
    measures[index:index + 1] = [{**original, "text": part} for part in form.cleaned_data["parts"]]
    return f"已将措施拆分为 {len(form.cleaned_data['parts'])} 条。"
