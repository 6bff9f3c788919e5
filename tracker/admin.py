from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tracker.models import LoginEvent, User

admin.site.site_header = "清单化管理 后台"
admin.site.site_title = "清单化管理"
admin.site.index_title = "数据管理"


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    list_display = ("username", "get_full_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active", "unit")
    fieldsets = UserAdmin.fieldsets + (("角色", {"fields": ("role", "unit", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("角色", {"fields": ("role", "unit")}),)


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """The sign-in record, read-only: it is evidence, nobody edits it."""

    list_display = ("at", "kind", "username", "user", "ip_address")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
