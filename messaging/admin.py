from django.contrib import admin

from fitbud.admin_display import json_display, person
from messaging.models import Broadcast, Conversation, Message


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Who talks with whom (read only: staff never write into a conversation)."""

    list_display = ("__str__", "studio", "last_message_at", "created_at")
    list_filter = ("last_message_at",)
    search_fields = ("trainer__email", "client__user__email")
    list_select_related = ("trainer", "client__user", "studio")
    date_hierarchy = "last_message_at"
    readonly_fields = (
        "studio",
        "client",
        "trainer",
        "trainer_last_read",
        "client_last_read",
        "last_message_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Messages: a "View" page; the body is the users' words and staff never edit it. Staff
    may delete a message (abuse reports)."""

    list_display = ("created_at", "sender_name", "conversation", "is_broadcast", "deleted_at")
    list_filter = ("created_at", "deleted_at")
    search_fields = ("sender__email", "conversation__client__user__email")
    list_select_related = ("sender", "conversation__trainer", "conversation__client__user")
    date_hierarchy = "created_at"
    readonly_fields = (
        "id",
        "conversation",
        "sender",
        "body",
        "attachment_key",
        "attachment_thumbnail_key",
        "broadcast",
        "created_at",
        "edited_at",
        "deleted_at",
        "updated_at",
    )

    @admin.display(description="sender", ordering="sender__email")
    def sender_name(self, obj: Message) -> str:
        return person(obj.sender)

    @admin.display(description="broadcast", boolean=True)
    def is_broadcast(self, obj: Message) -> bool:
        return obj.broadcast_id is not None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ("__str__", "recipients", "all_active", "completed_at")
    list_filter = ("all_active", "created_at")
    search_fields = ("sender__email", "body")
    list_select_related = ("sender",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "studio",
        "sender",
        "body",
        "all_active",
        json_display("client_ids"),
        "created_at",
        "completed_at",
    )
    exclude = ("client_ids",)

    @admin.display(description="recipients")
    def recipients(self, obj: Broadcast) -> int:
        return len(obj.client_ids)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
