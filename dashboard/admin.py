from django.contrib import admin

from dashboard.models import ActivityEvent, ConsumerCursor, EventDelivery
from fitbud.admin_display import TrainerListFilter


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    """The feed is a record of what happened: staff read and may delete, never edit."""

    list_display = ("created_at", "kind", "summary", "client", "trainer")
    # Trainers only (a related filter on `trainer` listed every user); clients by search.
    list_filter = ("kind", "created_at", TrainerListFilter)
    search_fields = ("summary", "client__user__email", "trainer__email", "object_id")
    list_select_related = ("client__user", "trainer")
    date_hierarchy = "created_at"
    readonly_fields = (
        "trainer",
        "client",
        "kind",
        "summary",
        "content_type",
        "object_id",
        "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    """What each spine consumer handled; filter by status to see the events it gave up on."""

    list_display = ("handled_at", "consumer", "status", "event", "error")
    list_filter = ("status", "consumer", "handled_at")
    search_fields = ("event__summary", "consumer")
    list_select_related = ("event",)
    raw_id_fields = ("event",)
    readonly_fields = ("event", "consumer", "status", "last_error", "handled_at")

    @admin.display(description="last error")
    def error(self, delivery: EventDelivery) -> str:
        return delivery.last_error[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsumerCursor)
class ConsumerCursorAdmin(admin.ModelAdmin):
    """How far the spine sweep has confirmed each consumer (read only)."""

    list_display = ("consumer", "position", "updated_at")
    readonly_fields = ("consumer", "position", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
