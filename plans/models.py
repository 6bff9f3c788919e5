"""The plan as written: units and groups, the plan, its sections, tasks and measures."""

import datetime
import re
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from tasks.planning import SyncResult


class Unit(models.Model):
    """A responsible unit (责任单位): a district department, a street office, ..."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "区级部门"
        STREET = "street", "街道办事处"
        OFFICE = "office", "议事协调机构"
        OTHER = "other", "其他"

    class NotifyMode(models.TextChoices):
        DIGEST = "digest", "每日汇总"
        IMMEDIATE = "immediate", "逐条即时"

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.DEPARTMENT)
    email = models.EmailField("邮箱", blank=True)
    webhook_url = models.URLField("通知Webhook", max_length=500, blank=True,
                                  help_text="企业微信或钉钉群机器人的Webhook地址；地址即凭据，页面上只显示其主机和末尾几位")
    webhook_secret = models.CharField("通知Webhook密钥", max_length=200, blank=True,
                                      help_text="钉钉机器人安全设置选“加签”时，机器人页面上以SEC开头的密钥")
    webhook_keyword = models.CharField("通知关键词", max_length=50, blank=True,
                                       help_text="机器人安全设置选“自定义关键词”时，其中一个关键词；每条消息都会带上它")
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveIntegerField("排序", default=0)
    notify_mode = models.CharField("提醒方式", max_length=16, choices=NotifyMode.choices, default=NotifyMode.DIGEST,
                                   help_text="每日汇总：当天的提醒、催办合并为一条消息；逐条即时：每项单独发送")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_webhook(self) -> str:
        """The robot as pages may name it (its URL is a credential): host and the end of its key."""
        from notifications.robots import mask

        return mask(self.webhook_url) if self.webhook_url else ""


class UnitGroup(models.Model):
    """A named set of units as plans write them (各街道办事处, 各行政执法部门)."""

    name = models.CharField("名称", max_length=100, unique=True)
    members = models.ManyToManyField(Unit, verbose_name="成员单位", related_name="groups", blank=True)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = "单位分组"
        verbose_name_plural = "单位分组"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def homes(cls) -> dict[int, tuple[int, str]]:
        """Each unit's home in the directory, unit id -> (group id, name): the smallest group that holds it (a
        city's district rather than its 全体单位), ties by name, then id; a unit in no group has none. One query."""
        members = list(cls.members.through.objects.values_list("unit_id", "unitgroup_id", "unitgroup__name"))
        sizes = Counter(group_id for _, group_id, _ in members)
        homes: dict[int, tuple[int, str, int]] = {}
        for unit_id, group_id, name in members:
            key = (sizes[group_id], name, group_id)
            if unit_id not in homes or key < homes[unit_id]:
                homes[unit_id] = key
        return {unit_id: (group_id, name) for unit_id, (_, name, group_id) in homes.items()}


class UnitAlias(models.Model):
    """Another name a document uses for a unit or a group (mapped once in the import preview)."""

    name = models.CharField("文中名称", max_length=100, unique=True)
    unit = models.ForeignKey(Unit, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="aliases")
    group = models.ForeignKey(UnitGroup, verbose_name="分组", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="aliases")

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, group__isnull=True)
                | models.Q(unit__isnull=True, group__isnull=False),
                name="unitalias_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.unit or self.group}"

    @property
    def target(self) -> "Unit | UnitGroup":
        return self.unit or self.group

    @classmethod
    def point(cls, name: str, target: "Unit | UnitGroup") -> "UnitAlias":
        """Let name stand for target (a unit or a group) from now on, replacing what it stood for before."""
        unit, group = (target, None) if isinstance(target, Unit) else (None, target)
        alias, _ = cls.objects.update_or_create(name=name, defaults={"unit": unit, "group": group})
        return alias


# The 文号 prefix of a plan's letters and circulars when the plan sets none.
DEFAULT_DOCUMENT_PREFIXES = {"letter": "督办函", "circular": "督办通报"}


class Plan(models.Model):
    """An implementation plan (实施方案) imported from its text."""

    title = models.CharField("标题", max_length=300)
    issuer = models.CharField("印发机关", max_length=200, blank=True)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    ends_on = models.DateField("截止日期")
    lead_unit = models.ForeignKey(Unit, verbose_name="牵头单位", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="led_plans")
    letter_prefix = models.CharField("函告文号前缀", max_length=50, blank=True,
                                     help_text="例如：河北司法函")
    circular_prefix = models.CharField("通报文号前缀", max_length=50, blank=True,
                                       help_text="例如：河北司法通")
    progress_every_months = models.PositiveSmallIntegerField(
        "长期事项进展报送周期", default=6, choices=[(3, "每季度"), (6, "每半年"), (12, "每年")],
        help_text="长期坚持的措施不计完成时限，责任单位按此周期报送进展；未按期报送才算逾期")
    source_name = models.CharField("来源文件", max_length=300, blank=True)
    source_text = models.TextField("原文", blank=True)
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["source_text"])
    progress_sync: "SyncResult | None" = None  # not a field: what the last save re-planned (see save)

    class Meta:
        verbose_name = "实施方案"
        verbose_name_plural = "实施方案"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Save; a new reporting period (progress_every_months) re-plans the ongoing measures' progress reports
        (tasks.planning.periods_for), keeping any a unit has already submitted. What that changed is left in
        ``progress_sync`` (a tasks.planning.SyncResult; None when the period did not change)."""
        fields = kwargs.get("update_fields")
        before = None
        if self.pk and (fields is None or "progress_every_months" in fields):
            before = Plan.objects.filter(pk=self.pk).values_list("progress_every_months", flat=True).first()
        self.progress_sync = None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if before is not None and before != self.progress_every_months:
                self.progress_sync = self.sync_ongoing_measures()

    @property
    def short_name(self) -> str:
        """What a file or a sheet calls the plan: the plan it carries out when the title names one in 《》
        (提升行政执法质量三年行动计划), without a closing （2023—2025年）; else the title."""
        title = self.title
        if "《" in title and "》" in title.split("《", 1)[1]:
            title = title.split("《", 1)[1].split("》", 1)[0]
        return re.sub(r"[（(][^（()）]*[)）]$", "", title).strip() or self.title

    def document_prefix(self, kind: str) -> str:
        """The 文号 prefix of the plan's letters (kind "letter") or circulars ("circular"): its own, or the default."""
        return (self.letter_prefix if kind == "letter" else self.circular_prefix) or DEFAULT_DOCUMENT_PREFIXES[kind]

    def sync_ongoing_measures(self) -> "SyncResult":
        """Bring the ongoing measures' progress reports in step with the reporting period."""
        from tasks.planning import SyncResult, sync_assignments

        result = SyncResult()
        for measure in Measure.objects.filter(task__plan=self, ongoing=True).select_related("task__plan"):
            result += sync_assignments(measure)
        return result


class Section(models.Model):
    """一、二、… (level 1) and （一）（二）… (level 2) headings, in document order."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.PositiveSmallIntegerField("层级", default=1)
    number = models.CharField("序号", max_length=16)
    title = models.CharField("标题", max_length=300)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.number}{self.title}"


class Task(models.Model):
    """A numbered task (1–17 in a typical plan) or an un-numbered 工作要求 item with units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    number = models.PositiveIntegerField("序号", null=True, blank=True)
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)
    is_requirement = models.BooleanField("工作要求", default=False,
                                         help_text="方案的工作要求（如“三、工作要求”各项），不计入任务数")
    lead_units = models.ManyToManyField(Unit, verbose_name="牵头单位", related_name="led_tasks", blank=True)
    lead_names = models.JSONField("牵头单位（原文）", default=list, blank=True)
    unit_names = models.JSONField("责任单位（原文）", default=list, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan", "order"]
        indexes = [models.Index(fields=["plan", "order"], name="task_plan_order")]  # the ledger's sort

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    @property
    def label(self) -> str:
        """"2" for task 2; a 工作要求 item by its place among the plan's requirements: "工作要求（一）"."""
        if self.number:
            return str(self.number)
        if self.is_requirement:
            return requirement_label(self.requirement_place)
        return self.section.number.rstrip("、") if self.section else ""

    @property
    def name(self) -> str:
        """How a page or document names the item: "任务2", "工作要求（一）"."""
        return self.label if self.is_requirement else f"任务{self.label}"

    @property
    def requirement_place(self) -> int:
        """1 for the plan's first 工作要求 item (in document order); one query, unless a list set it."""
        if "_requirement_place" not in self.__dict__:
            earlier = Q(order__lt=self.order) | Q(order=self.order, pk__lt=self.pk)
            self._requirement_place = Task.objects.filter(earlier, plan_id=self.plan_id,
                                                          is_requirement=True).count() + 1
        return self._requirement_place

    @requirement_place.setter
    def requirement_place(self, place: int) -> None:
        self._requirement_place = place

    @staticmethod
    def requirement_place_expression(task: str) -> Coalesce:
        """``requirement_place`` in SQL for a queryset that reaches the task through ``task`` (a path such as
        "measure__task"), so that a list can name every row's requirement from its own query."""
        earlier = (Task.objects.filter(plan_id=OuterRef(f"{task}__plan_id"), is_requirement=True)
                   .filter(Q(order__lt=OuterRef(f"{task}__order"))
                           | Q(order=OuterRef(f"{task}__order"), pk__lt=OuterRef(f"{task}__pk")))
                   .order_by().values("plan_id").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(earlier), 0) + 1


def requirement_label(place: int) -> str:
    """工作要求（一） for the plan's first requirement, as the plan itself numbers them."""
    from plans.importer.tables import cn_numeral

    return f"工作要求（{cn_numeral(place)}）"


def target_text(value, unit: str, *, per_person: bool = False, recurrence: str | None = None) -> str:
    """每人每年60学时 / 每年2次 / 100%: a target with whom it counts by and how often."""
    every = dict(Measure.Recurrence.choices).get(recurrence or "", "")
    figure = f"{Decimal(str(value)).normalize():f}"
    return ("每人" if per_person else "") + every + figure + unit


class Measure(models.Model):
    """A concrete obligation inside a task, with its own units, deadline and recurrence."""

    class Kind(models.TextChoices):
        ONCE = "once", "一次性"
        RECURRING = "recurring", "周期性"
        ONGOING = "ongoing", "长期坚持"

    class Basis(models.TextChoices):
        """How a reading (the kind, the owners) was decided."""
        TEXT = "text", "据原文"
        DEFAULT = "default", "默认，待确认"
        LEAD = "lead", "牵头单位确定"

    class OwnerRule(models.TextChoices):
        NAMED = "named", "原文点名单位"
        GROUP = "group", "原文所指一类单位"
        TASK = "task", "任务全部责任单位"
        LEAD = "lead", "本区自身事项，由任务牵头单位承担"
        MANUAL = "manual", "牵头单位指定"

    class Recurrence(models.TextChoices):
        YEARLY = "yearly", "每年"
        HALF_YEARLY = "half-yearly", "每半年"
        QUARTERLY = "quarterly", "每季度"
        MONTHLY = "monthly", "每月"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveIntegerField("顺序", default=0)
    text = models.TextField("措施内容")
    due_on = models.DateField("完成时限", null=True, blank=True, help_text="留空则为方案截止日期")
    due_phrase = models.CharField("时限原文", max_length=100, blank=True)
    ongoing = models.BooleanField("长期坚持", default=False, help_text="无固定时限，持续推进，不计逾期")
    kind_basis = models.CharField("类型依据", max_length=16, choices=Basis.choices, default=Basis.TEXT)
    kind_words = models.CharField("类型依据原文", max_length=100, blank=True)
    owner_rule = models.CharField("责任认定", max_length=16, choices=OwnerRule.choices, blank=True)
    owner_words = models.CharField("责任认定依据", max_length=100, blank=True)
    target_per_person = models.BooleanField("目标按人计", default=False, help_text="如“每人每年不少于60学时”")
    recurrence = models.CharField("周期", max_length=16, choices=Recurrence.choices, blank=True)
    target_value = models.DecimalField("目标数量", max_digits=10, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField("目标单位", max_length=16, blank=True)
    evidence = models.CharField("佐证材料要求", max_length=300, blank=True)
    units = models.ManyToManyField(Unit, verbose_name="责任单位", related_name="measures", blank=True)
    groups = models.ManyToManyField(UnitGroup, verbose_name="责任分组", related_name="measures", blank=True)
    lead_units = models.ManyToManyField(Unit, verbose_name="牵头单位", related_name="led_measures", blank=True)
    added_by_lead = models.BooleanField("牵头单位增补", default=False)
    # 挂牌督办: a key item the lead office flagged (a marker everywhere it is listed; a stricter ladder:
    # LadderConfig.flagged_urge_every_workdays). The history keeps who flagged or lifted it, when and why.
    flagged_on = models.DateField("挂牌日期", null=True, blank=True)
    flag_reason = models.CharField("挂牌原因", max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[units, groups])

    class Meta:
        verbose_name = "细化措施"
        verbose_name_plural = "细化措施"
        ordering = ["task", "order"]
        indexes = [models.Index(fields=["task", "order"], name="measure_task_order")]  # the ledger's sort

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def kind(self) -> str:
        """一次性 / 周期性 / 长期坚持, from the two fields that decide it (ongoing, recurrence)."""
        if self.ongoing:
            return self.Kind.ONGOING
        return self.Kind.RECURRING if self.recurrence else self.Kind.ONCE

    def get_kind_display(self) -> str:
        return self.Kind(self.kind).label

    @property
    def is_flagged(self) -> bool:
        return self.flagged_on is not None

    def flag(self, reason: str, on: datetime.date, user) -> None:
        """挂牌督办 from ``on``, with the reason; the ladder's next sweep takes it on (notifications.follow_up)."""
        self.flagged_on, self.flag_reason = on, reason
        self._history_user, self._change_reason = user, f"挂牌督办：{reason}"
        self.save(update_fields=["flagged_on", "flag_reason"])

    def unflag(self, reason: str, user) -> None:
        """摘牌: the marker goes and the plan's own ladder applies again."""
        self.flagged_on, self.flag_reason = None, ""
        self._history_user, self._change_reason = user, f"摘牌：{reason}"
        self.save(update_fields=["flagged_on", "flag_reason"])

    def set_kind(self, kind: str, due_on: datetime.date | None = None, recurrence: str = "") -> None:
        """Make the measure one-off (due on due_on; none: the plan's end), recurring (one assignment per
        period of recurrence; due_on, if any, anchors the periods) or ongoing (no due date)."""
        if kind == self.Kind.RECURRING and not recurrence:
            raise ValueError("a recurring measure needs a recurrence")
        self.ongoing = kind == self.Kind.ONGOING
        self.recurrence = recurrence if kind == self.Kind.RECURRING else ""
        self.due_on = None if self.ongoing else due_on

    @property
    def kind_pending(self) -> bool:
        """The kind is the importer's default: nothing in the text said when; the lead office should confirm."""
        return self.kind_basis == self.Basis.DEFAULT

    def target_text(self) -> str:
        """The figure the measure sets, as the lead office reads it (每人每年60学时); blank without one."""
        if self.target_value is None:
            return ""
        return target_text(self.target_value, self.target_unit, per_person=self.target_per_person,
                           recurrence=self.recurrence)

    def effective_due(self) -> datetime.date | None:
        """The date the measure is due: its own, else the plan's end; None when ongoing."""
        if self.ongoing:
            return None
        return self.due_on or self.task.plan.ends_on

    def responsible_units(self) -> models.QuerySet[Unit]:
        """Every unit that owes this measure: its units, its groups' members and its leads (a lead owes what
        it leads)."""
        return Unit.objects.filter(
            models.Q(measures=self) | models.Q(groups__measures=self) | models.Q(led_measures=self), is_active=True
        ).distinct()
