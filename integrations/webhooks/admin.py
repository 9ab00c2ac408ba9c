from django.contrib import admin

from fitbud.admin_display import json_display
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Studios' webhook endpoints. Staff may turn one off; the secret is never shown."""

    list_display = ("url", "studio", "is_active", "disabled_at", "created_at")
    list_filter = ("is_active", "include_health")
    search_fields = ("url", "studio__name", "description")
    list_select_related = ("studio",)
    fields = (
        "studio",
        "url",
        "events",
        "description",
        "include_health",
        "is_active",
        "disabled_at",
        "disabled_reason",
        "failing_since",
        "created_by",
        "created_at",
    )
    readonly_fields = (
        "studio",
        "url",
        "events",
        "description",
        "include_health",
        "disabled_at",
        "disabled_reason",
        "failing_since",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log of every endpoint (read only: a "View" page)."""

    list_display = ("created_at", "event_type", "endpoint", "status", "attempts", "response_status")
    list_filter = ("status", "event_type")
    search_fields = ("message_id", "endpoint__url")
    list_select_related = ("endpoint__studio",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "endpoint",
        "event_type",
        "event_id",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "latency_ms",
        "response_status",
        "response_body",
        "last_error",
        "delivered_at",
        "created_at",
        json_display("payload"),
    )
    exclude = ("payload",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
