"""Forms of the plan pages: upload, the preview's fix-ups and name choices, plan settings, directory upload."""

from pathlib import Path

from django import forms

from notifications import robots
from plans.importer.preamble import NO_PERIOD, NO_TITLE
from plans.models import Measure, Plan, Unit, UnitAlias, UnitGroup

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
    file = forms.FileField(label="单位名录", help_text="列：名称、简称、类型、所属分组（多个用“、”分隔）、邮箱、通知Webhook、"
                                                     "通知Webhook密钥（钉钉加签）、通知关键词。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError("只支持 .csv 或 .xlsx 格式的单位名录。")
        return upload


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["doc_number", "lead_unit", "letter_prefix", "circular_prefix", "progress_every_months"]


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


class PlanFactsForm(forms.Form):
    """What the document did not say about the plan itself: its title, issuer and end (截止日期)."""

    title = forms.CharField(label="方案标题", max_length=300)
    issuer = forms.CharField(label="印发机关", max_length=200, required=False)
    ends_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "请填写有效的截止日期，如 2026-12-31。"})

    def __init__(self, *args, data_tasks: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)  # data_tasks: every fix-up gets them; the plan's facts name no task


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


def kind_of(measure: dict) -> str:
    """A parsed measure's kind: as read (``kind``), else from its ongoing and recurrence keys."""
    if measure.get("kind"):
        return measure["kind"]
    if measure.get("ongoing"):
        return Measure.Kind.ONGOING
    return Measure.Kind.RECURRING if measure.get("recurrence") else Measure.Kind.ONCE


def plan_names(data_tasks: list) -> list[str]:
    """Every unit or group name the parsed plan uses, in order of appearance."""
    names: dict[str, None] = {}
    for task in data_tasks:
        names.update(dict.fromkeys(task.get("units", [])))
        names.update(dict.fromkeys(task.get("lead_units", [])))
        for measure in task["measures"]:
            names.update(dict.fromkeys(measure.get("units") or []))
            names.update(dict.fromkeys(measure.get("lead_units") or []))
    return list(names)


class ObligationFixForm(MeasureFixForm):
    """One measure as the lead office decides it: its kind (with a date or a period), owners and leads."""

    kind = forms.ChoiceField(label="类型", choices=Measure.Kind.choices)
    due = forms.DateField(label="完成时限", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          help_text="一次性：留空则为方案截止日期；周期性：每期截止日的参照日期，可空。")
    recurrence = forms.ChoiceField(label="周期", required=False,
                                   choices=[("", "—")] + list(Measure.Recurrence.choices))
    owners = forms.MultipleChoiceField(label="责任单位", error_messages={"required": "请至少选择一个责任单位。"})
    leads = forms.MultipleChoiceField(label="牵头单位", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any name of the plan, any group or active unit of the directory may own a measure.
        names = plan_names(self.data_tasks)
        names += list(UnitGroup.objects.values_list("name", flat=True))
        names += list(Unit.objects.filter(is_active=True).values_list("name", flat=True))
        choices = [(n, n) for n in dict.fromkeys(names)]
        self.fields["owners"].choices = self.fields["leads"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Measure.Kind.RECURRING and not cleaned.get("recurrence"):
            self.add_error("recurrence", "周期性措施请选择周期。")
        outside = [n for n in cleaned.get("leads", []) if n not in cleaned.get("owners", [])]
        if "owners" in cleaned and outside:
            self.add_error("leads", f"牵头单位“{'、'.join(outside)}”须在所选责任单位中。")
        return cleaned


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


def directory_targets() -> list:
    """The directory's groups and active units as grouped choices ("group:<pk>", "unit:<pk>")."""
    return [
        ("对应已有分组", [(f"group:{g.pk}", g.name) for g in UnitGroup.objects.all()]),
        ("对应已有单位", [(f"unit:{u.pk}", u.name) for u in Unit.objects.filter(is_active=True)]),
    ]


def target_of(choice: str) -> Unit | UnitGroup | None:
    """The unit or group a "unit:<pk>" / "group:<pk>" choice names."""
    kind, _, pk = choice.partition(":")
    model = {"unit": Unit, "group": UnitGroup}.get(kind)
    return model.objects.filter(pk=pk).first() if model and pk.isdigit() else None


class NameChoicesForm(forms.Form):
    """One choice per unknown name: map to a unit or group (kept as an alias), create a unit, or ignore.
    ``chosen`` (name -> choice) preselects what the lead office picked before a fix-up reloaded the page."""

    def __init__(self, *args, names: list[str], chosen: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = names
        chosen = chosen or {}
        options = [("", "暂不处理（记为提示）"), ("ignore", "忽略该名称")] + CREATE_CHOICES + directory_targets()
        for i, name in enumerate(names):
            self.fields[f"name_{i}"] = forms.ChoiceField(label=name, choices=options, required=False,
                                                         initial=chosen.get(name, ""))

    def choices(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"name_{i}", "") for i, name in enumerate(self.names)}

    def name_fields(self):
        return [(name, self[f"name_{i}"]) for i, name in enumerate(self.names)]


class GroupForm(forms.ModelForm):
    """A group a plan's wording needs (相关执法部门: the departments whose powers went to the streets) and its
    members; a unit that joins gets the group's open work (plans.signals)."""

    class Meta:
        model = UnitGroup
        fields = ["name", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        error_messages = {"name": {"required": "请填写分组名称。", "unique": "已有同名分组。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Unit.objects.filter(is_active=True).order_by("order", "name")


class AliasForm(forms.Form):
    """A plan's wording for a unit or a group (区级赋权行政执法部门 → 相关执法部门), kept as a UnitAlias."""

    name = forms.CharField(label="文中称谓", max_length=100, error_messages={"required": "请填写文中称谓。"})
    target = forms.ChoiceField(label="对应单位或分组", error_messages={"required": "请选择对应的单位或分组。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "请选择")] + directory_targets()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Unit.objects.filter(name=name).exists() or UnitGroup.objects.filter(name=name).exists():
            raise forms.ValidationError(f"“{name}”已是单位名录中的名称，无需对应。")
        return name

    def save(self) -> UnitAlias:
        return UnitAlias.point(self.cleaned_data["name"], target_of(self.cleaned_data["target"]))


# --- applying the fix-ups to the parsed plan (the importer JSON kept in the session) ------------------------


def drop_warnings(data: dict, answered) -> None:
    """Leave out of the plan's warnings those a fix-up answered, so neither the preview nor the import's
    messages (writer.plan_warnings) show them again."""
    data["warnings"] = [w for w in data.get("warnings") or [] if not answered(w)]


def apply_plan_facts(data: dict, form: PlanFactsForm) -> str:
    data["title"] = form.cleaned_data["title"].strip()
    data["issuer"] = form.cleaned_data["issuer"].strip()
    data["ends_on"] = form.cleaned_data["ends_on"].isoformat()
    # The reader's requests for them are answered.
    drop_warnings(data, lambda w: w.get("message") in (NO_PERIOD, NO_TITLE))
    return "已修改方案的标题、印发机关和截止日期。"


def apply_units_fix(data: dict, form: UnitsFixForm) -> str:
    task = data["tasks"][form.cleaned_data["task"]]
    old, new = task["units"], form.cleaned_data["unit_list"]
    old_leads, leads = task.get("lead_units") or [], form.cleaned_data["lead_list"]
    for measure in task["measures"]:
        if not measure.get("units") or measure["units"] == old:
            measure["units"] = list(new)
        # A measure led as its task was is led as its task now is (where that lead owes the measure).
        if not measure.get("lead_units") or measure["lead_units"] == old_leads:
            measure["lead_units"] = [n for n in leads if n in measure["units"]]
    task["units"], task["lead_units"] = new, leads
    if new:  # the task's 责任单位 are now the lead office's: the reader's doubts about them are answered
        drop_warnings(data, lambda w: w.get("line") is not None and w.get("line") == task.get("line")
                      and "责任单位" in w["message"])
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


def apply_obligation_fix(data: dict, form: ObligationFixForm) -> str:
    """The lead office's reading of one measure: its kind is now theirs (``kind_source`` "lead"); owners they
    changed are theirs too (``owner_rule`` "manual"). A date or period they changed drops the text's phrase."""
    cleaned = form.cleaned_data
    measure = data["tasks"][cleaned["task"]]["measures"][cleaned["measure"]]
    kind = cleaned["kind"]
    recurrence = cleaned["recurrence"] if kind == Measure.Kind.RECURRING else None
    due = cleaned["due"].isoformat() if cleaned["due"] and kind != Measure.Kind.ONGOING else None
    if (kind, recurrence, due) != (kind_of(measure), measure.get("recurrence"), measure.get("due")):
        measure["due_phrase"] = None
    measure.update(kind=kind, kind_source="lead", ongoing=kind == Measure.Kind.ONGOING, recurrence=recurrence,
                   due=due)
    if measure.get("target"):
        measure["target"]["recurrence"] = recurrence
    if set(cleaned["owners"]) != set(measure.get("units") or data["tasks"][cleaned["task"]]["units"]):
        measure.update(units=cleaned["owners"], owner_rule="manual", owner_words="")
    measure["lead_units"] = cleaned["leads"]
    # The lead office has now read the measure's kind, date and owners: its warnings are answered, and so is
    # the reader's copy of any of them in the plan's list.
    answered = measure.get("warnings") or []
    measure["warnings"] = []
    drop_warnings(data, lambda w: w["message"] in answered)
    label = Measure.Kind(kind).label
    return f"已修改措施：{label}，责任单位 {'、'.join(cleaned['owners'])}。"


def apply_split(data: dict, form: SplitForm) -> str:
    measures = data["tasks"][form.cleaned_data["task"]]["measures"]
    index = form.cleaned_data["measure"]
    original = measures[index]
    measures[index:index + 1] = [{**original, "text": part} for part in form.cleaned_data["parts"]]
    return f"已将措施拆分为 {len(form.cleaned_data['parts'])} 条。"


class UnitRobotForm(forms.ModelForm):
    """A unit's group robot. The URL and the secret are credentials: the form never shows them back; left
    empty, they stay as they are (the page shows them masked), and a tick clears them."""

    clear_robot = forms.BooleanField(label="删除群机器人（地址、密钥和关键词）", required=False)
    clear_secret = forms.BooleanField(label="删除通知Webhook密钥", required=False)

    class Meta:
        model = Unit
        fields = ["webhook_url", "webhook_secret", "webhook_keyword"]
        widgets = {"webhook_url": forms.URLInput(attrs={"placeholder": "留空则保持不变", "autocomplete": "off"}),
                   "webhook_secret": forms.PasswordInput(attrs={"placeholder": "留空则保持不变",
                                                                "autocomplete": "new-password"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["webhook_url"] = ""  # a credential is never sent back to the browser

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_robot"):
            cleaned.update(webhook_url="", webhook_secret="", webhook_keyword="")
        else:
            # The instance still holds the stored values: the form's are copied onto it only after clean().
            stored = self.instance
            cleaned["webhook_url"] = cleaned.get("webhook_url") or stored.webhook_url
            cleaned["webhook_secret"] = "" if cleaned.get("clear_secret") else \
                cleaned.get("webhook_secret") or stored.webhook_secret
        for problem in robots.problems(cleaned.get("webhook_url", ""), cleaned.get("webhook_secret", ""),
                                       cleaned.get("webhook_keyword", "")):
            self.add_error(None, problem + "。")
        return cleaned
