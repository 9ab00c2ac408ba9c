from django.contrib import admin

from fitbud.admin_display import person
from integrations.models import ApiKey
from integrations.webhooks import admin as webhooks_admin  # noqa: F401  (registers the screens)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made by members in the API (the key is shown to them once); staff look them
    up and revoke them here (set "revoked at")."""

    list_display = ["name", "display_prefix", "owner", "status", "created_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = [
        "studio",
        "user",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
    ]
    fields = [*readonly_fields, "revoked_at"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Owner", ordering="user__email")
    def owner(self, key: ApiKey) -> str:
        return person(key.user)

    @admin.display(description="Prefix", ordering="prefix")
    def display_prefix(self, key: ApiKey) -> str:
        return key.display_prefix

    @admin.display(description="Status")
    def status(self, key: ApiKey) -> str:
        return key.status
