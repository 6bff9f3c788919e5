from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from notifications.models import (
    Circular,
    Delivery,
    LadderConfig,
    LadderState,
    Letter,
    LetterItem,
    LetterReply,
    Message,
    Notification,
    Step,
)


class NoDeleteMixin:
    """Numbered documents are never deleted (a letter is withdrawn instead)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LadderConfig)
class LadderConfigAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "enabled", "remind_days", "urge_every_workdays", "letter_after_workdays",
                    "reply_workdays", "circular_after_workdays"]


@admin.register(LadderState)
class LadderStateAdmin(admin.ModelAdmin):
    list_display = ["assignment", "cycle", "due_on", "next_step_on"]
    raw_id_fields = ["assignment"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["assignment", "kind", "seq", "cycle", "scheduled_on", "sent_on"]
    list_filter = ["kind"]
    raw_id_fields = ["assignment", "message"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "unit", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["assignment", "letter", "circular"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["message", "user", "read_at"]
    raw_id_fields = ["message"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["message", "channel", "address", "state", "attempts", "sent_at"]
    exclude = ["target"]  # a robot's URL is a credential: shown masked only
    readonly_fields = ["address"]
    list_filter = ["state", "channel"]
    raw_id_fields = ["message"]

    @admin.display(description="地址")
    def address(self, delivery: Delivery) -> str:
        return delivery.shown_target


class LetterItemInline(admin.TabularInline):
    model = LetterItem
    raw_id_fields = ["assignment"]
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["number", "unit", "issued_on", "reply_due_on", "withdrawn_at"]
    readonly_fields = ["plan", "unit", "seq", "prefix", "year", "serial", "number"]
    inlines = [LetterItemInline]


@admin.register(LetterReply)
class LetterReplyAdmin(SimpleHistoryAdmin):
    list_display = ["letter", "author", "created_at"]


@admin.register(Circular)
class CircularAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["number", "title", "issued_on"]
    readonly_fields = ["prefix", "year", "serial", "number"]
