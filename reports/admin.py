from django.contrib import admin

from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["plan", "unit", "task", "requested_by"]
    readonly_fields = ["created_at", "finished_at"]
