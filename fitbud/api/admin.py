from django.contrib import admin

from fitbud.admin_display import person
from fitbud.api.models import IdempotencyRecord, TenantGeneration


@admin.register(TenantGeneration)
class TenantGenerationAdmin(admin.ModelAdmin):
    """Read-only: the numbers only move with writes (fitbud/api/response_cache.py)."""

    list_display = ("tenant_id", "generation")
    search_fields = ("=tenant_id",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """A "View" page: the stored first answers of creates sent with an Idempotency-Key."""

    list_display = ("created_at", "user_name", "route", "response_status")
    list_filter = ("response_status",)
    search_fields = ("user__email", "=key")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "key", "route", "request_hash", "response_status", "response_body")
    readonly_fields = fields

    @admin.display(description="User", ordering="user__email")
    def user_name(self, obj: IdempotencyRecord) -> str:
        return person(obj.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
