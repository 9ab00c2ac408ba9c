from django.contrib import admin

from fitbud.admin_display import json_display
from notifications.models import Device, Notification, NotificationPreference, PushDelivery


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What users were told in the app (read only: a "View" page)."""

    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind", "created_at")
    search_fields = ("title", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "user",
        "kind",
        "title",
        "body",
        json_display("data"),
        "event_id",
        "read_at",
        "created_at",
    )
    exclude = ("data",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    """Push targets of users' app installs. Staff may delete one (the user's app registers
    again on its next start); tokens are not edited by hand."""

    list_display = ("last_seen_at", "user", "platform", "app_version", "created_at")
    list_filter = ("platform",)
    search_fields = ("user__email", "app_version")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "platform",
        "token",
        json_display("web_keys"),
        "app_version",
        "created_at",
        "last_seen_at",
    )
    exclude = ("web_keys",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PushDelivery)
class PushDeliveryAdmin(admin.ModelAdmin):
    """Each push of a notification to a device: what was sent, held, retried or dropped."""

    list_display = ("created_at", "notification", "platform", "status", "attempts", "sent_at")
    list_filter = ("status", "platform")
    search_fields = ("notification__user__email", "notification__title")
    list_select_related = ("notification__user",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "notification",
        "device",
        "platform",
        "status",
        "not_before",
        "claimed_until",
        "attempts",
        "last_error",
        "provider_message_id",
        "created_at",
        "sent_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Users' choices (changed by the users in the app; read only here)."""

    list_display = ("user", "quiet_hours_start", "quiet_hours_end", "updated_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        json_display("channels"),
        "quiet_hours_start",
        "quiet_hours_end",
        "habit_reminder_time",
        "updated_at",
    )
    exclude = ("channels",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
