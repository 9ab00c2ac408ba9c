from django.contrib import admin

from billing.models import IdempotencyRecord, Payment, Subscription, SubscriptionPlan, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money and provider records are evidence: staff read them, never edit them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "trainer", "price", "currency", "interval", "is_active", "created_at"]
    list_filter = ["is_active", "interval", "currency"]
    search_fields = ["name", "trainer__email", "stripe_price_id"]
    list_select_related = ["trainer"]
    raw_id_fields = ["trainer"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "client_email",
        "plan",
        "status",
        "provider",
        "current_period_end",
        "cancel_at_period_end",
        "created_at",
    ]
    list_filter = ["status", "provider", "cancel_at_period_end"]
    search_fields = [
        "client__user__email",
        "provider_subscription_id",
        "provider_customer_id",
        "provider_checkout_id",
    ]
    list_select_related = ["client__user", "plan"]
    raw_id_fields = ["client", "plan"]
    date_hierarchy = "created_at"
    # Status and periods follow the provider; editing them here would desynchronise us.
    readonly_fields = [
        "client",
        "plan",
        "status",
        "provider",
        "provider_subscription_id",
        "provider_checkout_id",
        "provider_customer_id",
        "provider_event_at",
        "current_period_start",
        "current_period_end",
        "period_event_at",
        "cancel_at_period_end",
        "canceled_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Client", ordering="client__user__email")
    def client_email(self, obj):
        return obj.client.user.email


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "client_email",
        "amount",
        "currency",
        "status",
        "provider",
        "provider_payment_id",
        "paid_at",
        "created_at",
    ]
    list_filter = ["status", "provider", "currency"]
    search_fields = ["provider_payment_id", "client__user__email"]
    list_select_related = ["client__user"]
    date_hierarchy = "created_at"

    @admin.display(description="Client", ordering="client__user__email")
    def client_email(self, obj):
        return obj.client.user.email


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "type", "received_at", "processed_at", "has_note"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id", "type"]
    date_hierarchy = "received_at"

    @admin.display(boolean=True, description="Note")
    def has_note(self, obj):
        return bool(obj.error)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "scope", "user", "response_status", "created_at"]
    list_filter = ["scope", "response_status"]
    search_fields = ["key", "user__email"]
    list_select_related = ["user"]
