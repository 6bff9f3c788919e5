"""The follow-up ladder (提醒 → 催办 → 函告 → 通报), what was sent, to whom, and whether it arrived.

Exactly-once rests on unique constraints: a ladder step is a Step row unique per
(assignment, kind, seq, cycle); a letter is unique per (plan, unit, seq) and its number per
(prefix, year, serial). Whoever inserts the row owns the work.
"""

import datetime
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plans.models import Measure, Plan, Unit
from tasks.models import Assignment, ReportingRound
from tracker.workdays import add_workdays, latest_due_overdue_by

# A next_step_on this early means "look at this assignment on the next sweep, whatever its date".
RECHECK = datetime.date(1970, 1, 1)


def parse_remind_days(value: str) -> list[int]:
    """"7,1" → [7, 1] (descending, unique); raises ValidationError in Chinese."""
    days = set()
    for part in value.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 60:
            raise ValidationError("提醒天数须为1至60之间的整数，用逗号分隔，例如：7,1")
        days.add(int(part))
    return sorted(days, reverse=True)


def validate_remind_days(value: str) -> None:
    parse_remind_days(value)


class LadderConfig(models.Model):
    """The ladder's timing for one plan, editable by the lead office."""

    plan = models.OneToOneField(Plan, verbose_name="实施方案", on_delete=models.CASCADE, related_name="ladder")
    enabled = models.BooleanField("启用自动督办", default=True)
    remind_days = models.CharField("提醒（到期前天数）", max_length=50, default="7,1",
                                   validators=[validate_remind_days], help_text="用逗号分隔，例如：7,1")
    urge_every_workdays = models.PositiveSmallIntegerField(
        "催办间隔（工作日）", default=5, help_text="逾期后第1个工作日首次催办，此后每隔若干工作日再次催办；0表示只催办一次")
    flagged_urge_every_workdays = models.PositiveSmallIntegerField(
        "挂牌督办事项催办间隔（工作日）", default=2,
        help_text="挂牌督办的事项逾期后每隔若干工作日催办一次，从严于一般事项；0表示只催办一次")
    letter_after_workdays = models.PositiveSmallIntegerField(
        "函告（逾期工作日）", default=10, help_text="单位任一事项逾期达到该工作日数时，向该单位发出函告")
    reply_workdays = models.PositiveSmallIntegerField("整改回复时限（工作日）", default=5)
    circular_after_workdays = models.PositiveSmallIntegerField(
        "通报（逾期工作日）", default=20, help_text="下一期通报点名逾期达到该工作日数的单位及逾期未回复函告的单位")
    paused_reason = models.CharField("暂停原因", max_length=200, blank=True,
                                     help_text="导入时已有事项超过完成时限等原因暂停自动督办；由牵头单位决定后恢复")
    masthead = models.CharField("发文机关标志", max_length=100, blank=True,
                                help_text="函告、通报版头的机关名称；留空则用方案的牵头单位")
    signer = models.CharField("署名", max_length=100, blank=True, help_text="留空则用发文机关标志")
    contact = models.CharField("联系人", max_length=50, blank=True,
                               help_text="函告、通报附注中的联系人；与联系电话同时填写才印出")
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    copy_to = models.CharField("抄送机关", max_length=500, blank=True,
                               help_text="函告、通报版记的抄送机关，用顿号分隔，例如：区委依法治区办、区人大法制委")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "督办设置"
        verbose_name_plural = "督办设置"
        constraints = [
            models.CheckConstraint(condition=Q(letter_after_workdays__gte=1), name="ladder_letter_after_positive"),
            models.CheckConstraint(condition=Q(reply_workdays__gte=1), name="ladder_reply_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · 督办设置"

    @classmethod
    def for_plan(cls, plan: Plan) -> "LadderConfig":
        config, _ = cls.objects.get_or_create(plan=plan)
        config.plan = plan  # the caller's row: its lead office and prefixes are not read again
        return config

    @property
    def remind_list(self) -> list[int]:
        return parse_remind_days(self.remind_days)

    @property
    def issuer_name(self) -> str:
        if self.masthead:
            return self.masthead
        if self.plan.lead_unit_id:
            return self.plan.lead_unit.name
        return self.plan.issuer or "牵头单位"

    @property
    def signer_name(self) -> str:
        return self.signer or self.issuer_name

    @property
    def note(self) -> str:
        """附注 (GB/T 9704 7.3.6): whom to call about the document, when both are set."""
        if self.contact and self.contact_phone:
            return f"联系人：{self.contact}；联系电话：{self.contact_phone}"
        return ""

    @property
    def copy_names(self) -> list[str]:
        """The organs every document of the plan copies (抄送), in the order written."""
        return [name.strip() for name in re.split(r"[、，,；;\s]+", self.copy_to) if name.strip()]

    # --- What a 函告 may list and when an item makes its unit due one. A letter comes only after the ladder has
    # urged: the letter date is counted from the item's first 催办 of its cycle as actually sent, written once in
    # Python (`letter_on`, what the sweep stores on the LadderState when it sends that 催办) with its SQL twin
    # beside it (`letter_due_q`, what a letter re-reads under its lock); tests/notifications/test_letter_due.py
    # checks that the two agree.

    def letter_on(self, unit_id: int, first_urge_on: datetime.date | None, *, done: bool = False,
                  covered: bool = False, follow_up: bool = True, supporter: bool = False) -> datetime.date | None:
        """The day an item of this plan makes its unit due a letter: `letter_after_workdays - 1` working days after
        its first 催办 of the cycle was sent (its due date + `letter_after_workdays` working days when the ladder
        ran on time). None before any 催办, and never for an item that is done, is historical (no follow-up), is
        the plan's lead office's own (it writes no letters to itself), is a supporting unit's on a measure with
        lead units (the lead answers for it), or is listed by an issued letter in its current cycle."""
        if (first_urge_on is None or done or covered or not follow_up or supporter
                or unit_id == self.plan.lead_unit_id):
            return None
        return add_workdays(first_urge_on, self.letter_after_workdays - 1)

    def letter_due_q(self, as_of: datetime.date) -> Q:
        """`letter_on(…) <= as_of` as a filter on assignments: this plan's items that make their unit due a
        letter on `as_of` (their first 催办 of the cycle sent early enough)."""
        return self.letter_listable_q(as_of) & urged_q(latest_due_overdue_by(as_of, self.letter_after_workdays - 1))

    def letter_listable_q(self, as_of: datetime.date, *, by_hand: bool = False) -> Q:
        """What a letter of this plan dated `as_of` lists: the overdue items under follow-up that were urged in
        their current cycle (a 催办 of the ladder; for a letter written by hand, also one sent by hand from the
        item's page) and that no issued letter lists in that cycle; not the lead office's own, nor a supporting
        unit's on a measure with lead units."""
        # an item not adopted by the ladder yet (no state) is in its first cycle, as `issue_letters` writes it
        covered = LetterItem.objects.filter(assignment=OuterRef("pk"), active=True,
                                            cycle=Coalesce(OuterRef("ladder_state__cycle"), 1))
        leads = Measure.lead_units.through.objects.filter(measure_id=OuterRef("measure_id"))
        supporter = Exists(leads) & ~Exists(leads.filter(unit_id=OuterRef("unit_id")))
        listable = (Q(measure__task__plan=self.plan_id, follow_up=True) & Assignment.overdue_q(as_of)
                    & ~Exists(covered) & ~supporter & urged_q(as_of, by_hand=by_hand))
        return listable & ~Q(unit_id=self.plan.lead_unit_id) if self.plan.lead_unit_id else listable


def urged_q(sent_by: datetime.date, *, by_hand: bool = False) -> Q:
    """Assignments with a 催办 of their current cycle (the ladder state's cycle, for the due date it has now)
    sent on or before `sent_by`; with by_hand also one sent from the item's page after its due date."""
    ladder = Step.objects.filter(assignment=OuterRef("pk"), kind=Step.Kind.URGE, cycle=OuterRef("ladder_state__cycle"),
                                 due_on=OuterRef("due_on"), sent_on__lte=sent_by)
    urged = Q(Exists(ladder))
    if by_hand:
        urged |= Q(Exists(Message.objects.filter(
            assignment=OuterRef("pk"), kind=Message.Kind.URGE, sent_by__isnull=False,
            created_at__date__gt=OuterRef("due_on"), created_at__date__lte=sent_by)))
    return urged


def supporting(measure_leads: dict[int, set[int]], measure_id: int, unit_id: int) -> bool:
    """Python twin of the supporter test in `letter_listable_q`: the measure has lead units and the unit is not
    one of them (`measure_leads`: lead unit ids by measure, for the measures at hand)."""
    leads = measure_leads.get(measure_id)
    return bool(leads) and unit_id not in leads


def measure_leads(measure_ids) -> dict[int, set[int]]:
    """Lead unit ids by measure, for the given measures (one query)."""
    leads: dict[int, set[int]] = {}
    for measure_id, unit_id in (Measure.lead_units.through.objects.filter(measure_id__in=measure_ids)
                                .values_list("measure_id", "unit_id")):
        leads.setdefault(measure_id, set()).add(unit_id)
    return leads


class LadderState(models.Model):
    """Where one assignment stands on its ladder: the cycle (a new due date starts a new one) and
    the date the sweep must look at it again, and the date it makes its unit due a letter. The sweep
    finds work by these two dates only (partial indexes), never by scanning assignments."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, primary_key=True,
                                      related_name="ladder_state")
    cycle = models.PositiveIntegerField("轮次", default=1)
    due_on = models.DateField("本轮完成时限", null=True, blank=True)
    next_step_on = models.DateField("下次检查日期", null=True, blank=True)
    letter_on = models.DateField("应函告日期", null=True, blank=True,
                                 help_text="首次催办后满函告工作日数的日期，发出首次催办时写入；未催办、已被函告覆盖、已完成、"
                                           "历史事项、牵头单位自身事项或牵头措施的配合单位事项为空")

    class Meta:
        verbose_name = "督办进度"
        verbose_name_plural = "督办进度"
        indexes = [
            models.Index(fields=["next_step_on"], condition=Q(next_step_on__isnull=False),
                         name="ladderstate_next_step"),
            models.Index(fields=["letter_on"], condition=Q(letter_on__isnull=False), name="ladderstate_letter"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} · 第{self.cycle}轮 · {self.next_step_on}"


class Message(models.Model):
    """One thing said to one unit (or to all units): a reminder, an urge, a letter, a circular…"""

    class Kind(models.TextChoices):
        REMIND = "remind", "提醒"
        URGE = "urge", "催办"
        LETTER = "letter", "函告"
        CIRCULAR = "circular", "通报"
        REPLY = "reply", "整改回复"
        REPORT = "report", "报告"
        DIGEST = "digest", "每日汇总"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    plan = models.ForeignKey(Plan, verbose_name="实施方案", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="messages")
    unit = models.ForeignKey(Unit, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="messages", help_text="留空表示发给全部单位")
    assignment = models.ForeignKey(Assignment, verbose_name="任务分解", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="messages")
    letter = models.ForeignKey("Letter", verbose_name="函告", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="messages")
    circular = models.ForeignKey("Circular", verbose_name="通报", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="手动发送人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    digest_on = models.DateField("汇总日期", null=True, blank=True, help_text="每日汇总消息所汇总的日期")
    created_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class Step(models.Model):
    """A ladder step taken for one assignment. The unique key is the exactly-once guarantee."""

    class Kind(models.TextChoices):
        REMIND = "remind", "提醒"
        URGE = "urge", "催办"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="ladder_steps")
    kind = models.CharField("步骤", max_length=16, choices=Kind.choices)
    seq = models.PositiveSmallIntegerField("次序")
    cycle = models.PositiveIntegerField("轮次")
    due_on = models.DateField("完成时限")
    scheduled_on = models.DateField("应发日期")
    sent_on = models.DateField("发送日期")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督办步骤"
        verbose_name_plural = "督办步骤"
        ordering = ["sent_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind", "seq", "cycle"], name="step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}第{self.seq}次 · {self.sent_on}"


class Notification(models.Model):
    """A message in one person's inbox."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-message__created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="notification_once")]
        indexes = [models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user} · {self.message}"


class DeliveryQuerySet(models.QuerySet):
    def stuck(self, now: datetime.datetime) -> "DeliveryQuerySet":
        """Pending and untouched since the cut-off (STALE_WORK_SECONDS, longer than the last retry's wait): its
        enqueue failed or the worker trying it died. The recovery job queues these again."""
        cutoff = now - datetime.timedelta(seconds=settings.STALE_WORK_SECONDS)
        return self.filter(state=Delivery.State.PENDING, updated_at__lt=cutoff)

    def needs_attention(self, now: datetime.datetime) -> "DeliveryQuerySet":
        """What the 发送失败 page lists: failed after its tries, or stuck (`stuck`)."""
        return self.filter(Q(state=Delivery.State.FAILED) | Q(pk__in=self.stuck(now).values("pk")))


class Delivery(models.Model):
    """One attempt-tracked delivery of a message over email or a group-robot webhook."""

    class Channel(models.TextChoices):
        EMAIL = "email", "邮件"
        WECOM = "wecom", "企业微信群机器人"
        DINGTALK = "dingtalk", "钉钉群机器人"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    MAX_ATTEMPTS = 3

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    unit = models.ForeignKey(Unit, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    target = models.CharField("地址", max_length=500)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "投递"
        verbose_name_plural = "投递"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(state="failed"), name="delivery_failed"),
            models.Index(fields=["updated_at"], condition=Q(state="pending"), name="delivery_pending"),
        ]

    # Seconds this delivery must wait for its robot's turn, set by channels.attempt (not stored): the Huey job
    # schedules the next try then instead of counting a failure.
    wait_seconds: float = 0

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.shown_target}"

    @property
    def shown_target(self) -> str:
        """The address as pages and logs may show it: a robot's URL is a credential, masked."""
        if self.channel == self.Channel.EMAIL:
            return self.target
        from notifications.robots import mask

        return mask(self.target)


class RobotSlot(models.Model):
    """One of a group robot's sends per minute (settings.ROBOT_SENDS_PER_MINUTE slots per robot URL).

    A send claims the slot used longest ago, if that was over a minute ago, by a conditional update of
    `used_at`: whatever the number of workers, no robot gets more sends in any minute than it has slots.
    """

    robot = models.CharField(max_length=64)  # sha256 of the robot's URL: the URL itself is a credential
    slot = models.PositiveSmallIntegerField()
    used_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["robot", "slot"], name="robotslot_robot_slot")]

    def __str__(self) -> str:
        return f"{self.robot[:8]}#{self.slot}"


class DocumentCounter(models.Model):
    """The last serial issued per 文号 prefix and year; locked (select_for_update) to number gaplessly."""

    prefix = models.CharField(max_length=50)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="counter_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}号"

    @classmethod
    def reserve(cls, prefix: str, year: int, count: int = 1) -> int:
        """Reserve `count` consecutive serials for prefix and year; returns the first. Call inside the
        transaction that stores the documents: the counter row stays locked until it commits (numbers in
        order, none twice), and a rollback gives the numbers back (no gaps)."""
        counter, _ = cls.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
        return first


def format_number(prefix: str, year: int, serial: int | None) -> str:
    """河北司法函〔2024〕3号; without a serial (a preview) the number's place is left blank."""
    return f"{prefix}〔{year}〕{'　' if serial is None else serial}号"


class LetterQuerySet(models.QuerySet):
    def issued(self) -> "LetterQuerySet":
        return self.filter(withdrawn_at__isnull=True)

    def unanswered_past_due(self, as_of: datetime.date) -> "LetterQuerySet":
        return self.issued().filter(reply_due_on__lt=as_of, replies__isnull=True)


def unfinished(documents: models.QuerySet, kind: str) -> models.QuerySet:
    """Numbered documents (letters, circulars) a worker left without their PDF or without their message."""
    sent = Message.objects.filter(**{kind: OuterRef("pk")}, kind=kind)
    return documents.filter(Q(pdf="") | ~Exists(sent))


def letter_path(instance: "Letter", filename: str) -> str:
    return f"letters/{instance.year}/{filename}"


def circular_path(instance: "Circular", filename: str) -> str:
    return f"circulars/{instance.year}/{filename}"


class Letter(models.Model):
    """A 函告 to one unit, numbered per prefix and year. Never deleted; withdrawn (作废) keeps its number."""

    plan = models.ForeignKey(Plan, verbose_name="实施方案", on_delete=models.PROTECT, related_name="letters")
    unit = models.ForeignKey(Unit, verbose_name="主送单位", on_delete=models.PROTECT, related_name="letters")
    seq = models.PositiveIntegerField("对该单位第几次函告")
    prefix = models.CharField("文号前缀", max_length=50)
    year = models.PositiveSmallIntegerField("年份")
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=80)
    title = models.CharField("标题", max_length=200)
    issued_on = models.DateField("成文日期")
    reply_due_on = models.DateField("整改回复期限")
    reply_workdays = models.PositiveSmallIntegerField("整改回复时限（工作日）")
    issuer = models.CharField("发文机关", max_length=100)
    signer = models.CharField("署名", max_length=100)
    copy_units = models.ManyToManyField(Unit, verbose_name="抄送单位", related_name="copied_letters", blank=True,
                                        help_text="牵头事项的配合单位")
    pdf = models.FileField("PDF", upload_to=letter_path, max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发出人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", help_text="留空表示自动督办")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("作废时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作废人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.TextField("作废理由", blank=True)
    history = HistoricalRecords(excluded_fields=["pdf"])

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = "函告"
        verbose_name_plural = "函告"
        ordering = ["-year", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "seq"], name="letter_once_per_unit_seq"),
            models.UniqueConstraint(fields=["prefix", "year", "serial"], name="letter_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("notifications:letter", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError("已编号的函告不能删除，只能作废。")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def first_reply(self) -> "LetterReply | None":
        replies = list(self.replies.all())
        return min(replies, key=lambda r: r.created_at) if replies else None

    def reply_state(self, today: datetime.date) -> str:
        """作废 / 已回复 / 逾期回复 / 逾期未回复 / 待回复."""
        if self.is_withdrawn:
            return "作废"
        reply = self.first_reply()
        if reply is not None:
            replied_on = timezone.localtime(reply.created_at).date()
            return "逾期回复" if replied_on > self.reply_due_on else "已回复"
        return "逾期未回复" if today > self.reply_due_on else "待回复"


class LetterItem(models.Model):
    """One overdue assignment listed in a letter, as it stood on the letter's date."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="items")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="letter_items")
    cycle = models.PositiveIntegerField("轮次")
    due_on = models.DateField("完成时限")
    workdays_late = models.PositiveIntegerField("逾期工作日")
    days_late = models.PositiveIntegerField("逾期天数")
    active = models.BooleanField("有效", default=True, help_text="函告作废后为否，该事项可再次函告")

    class Meta:
        verbose_name = "函告事项"
        verbose_name_plural = "函告事项"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["letter", "assignment"], name="letteritem_once")]
        indexes = [models.Index(fields=["assignment", "cycle"], condition=Q(active=True),
                                name="letteritem_active")]

    def __str__(self) -> str:
        return f"{self.letter} · {self.assignment_id}"


class LetterReply(models.Model):
    """A unit's 整改回复 to a letter."""

    letter = models.ForeignKey(Letter, verbose_name="函告", on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回复人", on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField("整改情况")
    created_at = models.DateTimeField("回复时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "整改回复"
        verbose_name_plural = "整改回复"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.letter} · 整改回复"


def reply_file_path(instance: "ReplyFile", filename: str) -> str:
    return f"replies/{instance.reply.created_at:%Y/%m}/{uuid.uuid4().hex}"


class ReplyFile(models.Model):
    reply = models.ForeignKey(LetterReply, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to=reply_file_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    content_type = models.CharField("文件类型", max_length=100)

    class Meta:
        verbose_name = "回复附件"
        verbose_name_plural = "回复附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Circular(models.Model):
    """A 通报 to all units: who reported on time, late or not at all; long-overdue and unanswered units."""

    plan = models.ForeignKey(Plan, verbose_name="实施方案", on_delete=models.PROTECT, related_name="circulars")
    round = models.OneToOneField(ReportingRound, verbose_name="调度", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="circular")
    prefix = models.CharField("文号前缀", max_length=50)
    year = models.PositiveSmallIntegerField("年份")
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=80)
    title = models.CharField("标题", max_length=200)
    issued_on = models.DateField("成文日期")
    issuer = models.CharField("发文机关", max_length=100)
    signer = models.CharField("署名", max_length=100)
    content = models.JSONField("通报内容", default=dict)
    pdf = models.FileField("PDF", upload_to=circular_path, max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发出人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["pdf"])

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["-year", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year", "serial"], name="circular_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("notifications:circular", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ValidationError("已编号的通报不能删除。")
