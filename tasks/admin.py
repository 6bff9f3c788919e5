from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tasks.models import (
    Assignment,
    Evidence,
    ExtensionRequest,
    IntegrityAlert,
    ReportingRound,
    Review,
    Submission,
)


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("measure", "unit", "period", "due_on", "status")
    list_filter = ("status", "unit")
    list_select_related = ("measure", "unit")
    raw_id_fields = ("measure",)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ("original_name", "size", "sha256", "content_type", "created_at")
    fields = readonly_fields


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ("assignment", "author", "percent", "state", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("assignment",)
    inlines = [EvidenceInline]

    def get_readonly_fields(self, request, obj=None):
        """A report stays with the assignment it was made for (its stored latest submission follows it)."""
        return ("assignment",) if obj is not None else ()


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = ("submission", "decision", "reviewer", "created_at")
    raw_id_fields = ("submission",)


@admin.register(ReportingRound)
class ReportingRoundAdmin(SimpleHistoryAdmin):
    list_display = ("title", "plan", "due_on", "closed_at")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(SimpleHistoryAdmin):
    list_display = ("assignment", "requested_due_on", "state")
    raw_id_fields = ("assignment",)


@admin.register(IntegrityAlert)
class IntegrityAlertAdmin(admin.ModelAdmin):
    list_display = ("evidence", "detected_at", "attempts", "detected_by")
    readonly_fields = ("evidence", "expected", "actual", "detected_at", "detected_by", "attempts")
