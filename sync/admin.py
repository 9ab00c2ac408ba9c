from django.contrib import admin

from sync.models import SyncTombstone


@admin.register(SyncTombstone)
class SyncTombstoneAdmin(admin.ModelAdmin):
    """What devices are told was deleted: a record, never edited by hand."""

    list_display = ("deleted_at", "table", "object_id", "client_id", "studio_id")
    list_filter = ("table", "deleted_at")
    search_fields = ("object_id",)
    date_hierarchy = "deleted_at"
    readonly_fields = ("table", "object_id", "client_id", "studio_id", "deleted_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
