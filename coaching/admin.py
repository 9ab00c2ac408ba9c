"""Staff screens for habits, check-in forms and automations: read-only "View" pages (the records are the
trainer's and the client's; staff may delete for support or GDPR)."""

from django.contrib import admin

from coaching.models import (
    Automation,
    AutomationRun,
    CheckInForm,
    FormAssignment,
    FormResponse,
    FormVersion,
    Habit,
    HabitCheck,
)
from fitbud.admin_display import TrainerListFilter, json_display


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Habit)
class HabitAdmin(ViewOnlyAdmin):
    list_display = ("title", "client", "frequency", "target", "start_date", "end_date")
    list_filter = ("frequency",)
    search_fields = ("title", "client__user__email", "client__user__full_name")
    list_select_related = ("client__user",)
    raw_id_fields = ("client", "assigned_by")


@admin.register(HabitCheck)
class HabitCheckAdmin(ViewOnlyAdmin):
    list_display = ("date", "habit", "client", "value", "created_at")
    search_fields = ("habit__title", "client__user__email")
    list_select_related = ("habit", "client__user")
    date_hierarchy = "date"
    raw_id_fields = ("habit", "client")


@admin.register(CheckInForm)
class CheckInFormAdmin(ViewOnlyAdmin):
    list_display = ("name", "kind", "scope", "version", "trainer", "updated_at")
    list_filter = ("kind", "scope")
    search_fields = ("name", "trainer__email")
    list_select_related = ("trainer",)
    readonly_fields = (
        "studio",
        "trainer",
        "scope",
        "name",
        "kind",
        "version",
        json_display("questions"),
        "created_at",
        "updated_at",
    )
    exclude = ("questions",)


@admin.register(FormVersion)
class FormVersionAdmin(ViewOnlyAdmin):
    list_display = ("name", "version", "kind", "created_at")
    search_fields = ("name",)
    readonly_fields = (
        "studio",
        "form",
        "version",
        "name",
        "kind",
        json_display("questions"),
        "created_at",
    )
    exclude = ("questions",)


@admin.register(FormAssignment)
class FormAssignmentAdmin(ViewOnlyAdmin):
    list_display = ("form_version", "client", "kind", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("form_version__name", "client__user__email")
    list_select_related = ("form_version", "client__user")
    raw_id_fields = ("client", "form", "form_version", "assigned_by")


@admin.register(FormResponse)
class FormResponseAdmin(ViewOnlyAdmin):
    list_display = ("date", "form_version", "client", "week_start", "reviewed_at")
    search_fields = ("id", "form_version__name", "client__user__email")
    list_select_related = ("form_version", "client__user")
    date_hierarchy = "date"
    readonly_fields = (
        "id",
        "client",
        "assignment",
        "form_version",
        "date",
        "week_start",
        json_display("answers"),
        "feedback",
        "reviewed_at",
        "reviewed_by",
        "created_at",
        "updated_at",
    )
    exclude = ("answers",)


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
