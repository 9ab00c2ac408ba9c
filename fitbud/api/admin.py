from django.contrib import admin

from fitbud.api.models import TenantGeneration


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
