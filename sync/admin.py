from django.contrib import admin

from sync.models import SyncPush, SyncTombstone


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


@admin.register(SyncPush)
class SyncPushAdmin(admin.ModelAdmin):
    """Pushes applied in the last day, by fingerprint: what answers a replayed push."""

    list_display = ("created_at", "user", "fingerprint")
    list_select_related = ("user",)
    search_fields = ("user__email", "fingerprint")
    date_hierarchy = "created_at"
    readonly_fields = ("user", "fingerprint", "summary", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
