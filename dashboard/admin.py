from django.contrib import admin

from dashboard.models import ActivityEvent
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
