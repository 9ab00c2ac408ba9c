from django.contrib import admin

from coaching.models import Automation, AutomationRun
from fitbud.admin_display import TrainerListFilter, json_display


@admin.register(Automation)
class AutomationAdmin(admin.ModelAdmin):
    """Trainers' rules (staff read them; trainers edit them through the API)."""

    list_display = ("name", "trainer", "trigger_type", "is_active", "created_at")
    list_filter = ("trigger_type", "is_active", TrainerListFilter)
    search_fields = ("name", "trainer__email")
    list_select_related = ("trainer",)
    readonly_fields = (
        "studio",
        "trainer",
        "name",
        "is_active",
        "trigger_type",
        json_display("trigger"),
        json_display("action"),
        "created_at",
        "updated_at",
    )
    exclude = ("trigger", "action", "clients")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AutomationRun)
class AutomationRunAdmin(admin.ModelAdmin):
    """The log of firings: one row per rule, client and period."""

    list_display = ("fired_at", "automation", "client", "period_key", "status")
    list_filter = ("status", "fired_at")
    search_fields = ("automation__name", "client__user__email", "period_key")
    list_select_related = ("automation", "client__user")
    raw_id_fields = ("automation", "client")
    readonly_fields = (
        "automation",
        "client",
        "period_key",
        "reason",
        json_display("action"),
        "status",
        "detail",
        "fired_at",
    )
    exclude = ("action",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
