from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from plans.models import Measure, Plan, Section, Task, Unit, UnitAlias, UnitGroup


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "kind", "email", "is_active", "order")
    list_filter = ("kind", "is_active", "groups")
    search_fields = ("name", "short_name")
    exclude = ("webhook_url", "webhook_secret")  # credentials: set on the unit's 群机器人 page, shown masked


@admin.register(UnitGroup)
class UnitGroupAdmin(SimpleHistoryAdmin):
    list_display = ("name",)
    filter_horizontal = ("members",)


@admin.register(UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "group")
    search_fields = ("name",)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("order", "level", "number", "title", "parent")


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "issuer", "issued_on", "ends_on")
    inlines = [SectionInline]


class MeasureInline(admin.StackedInline):
    model = Measure
    extra = 0
    filter_horizontal = ("units", "groups", "lead_units")


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "plan", "section")
    list_filter = ("plan",)
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "task", "due_on", "recurrence", "ongoing")
    list_filter = ("task__plan", "recurrence", "ongoing")
    filter_horizontal = ("units", "groups", "lead_units")
    search_fields = ("text",)
