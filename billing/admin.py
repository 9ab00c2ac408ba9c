from django.contrib import admin

from billing.currencies import format_amount
from billing.models import IdempotencyRecord, Payment, Subscription, SubscriptionPlan, WebhookEvent
from fitbud.admin_display import TrainerListFilter, json_display, person


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
    list_display = ["name", "trainer_name", "price_display", "interval", "is_active"]
    list_filter = ["is_active", "interval", "currency", TrainerListFilter]
    search_fields = ["name", "trainer__email", "stripe_price_id"]
    list_select_related = ["trainer"]
    raw_id_fields = ["trainer"]
    readonly_fields = ["price_display", "created_at", "updated_at"]
    fields = [
        "trainer",
        "name",
        "price",
        "currency",
        "price_display",
        "interval",
        "is_active",
        "stripe_price_id",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Trainer", ordering="trainer__full_name")
    def trainer_name(self, obj):
        return person(obj.trainer)

    @admin.display(description="Price", ordering="price")
    def price_display(self, obj):
        return format_amount(obj.price, obj.currency) if obj.pk else "-"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["client_email", "plan", "status", "current_period_end", "cancel_at_period_end"]
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

    def has_change_permission(self, request, obj=None):
        # Every field follows the provider (read-only above): a "View" page, not "Change".
        return False

    @admin.display(description="Client", ordering="client__user__email")
    def client_email(self, obj):
        return obj.client.user.email


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "client_email", "amount_display", "status", "paid_at"]
    list_filter = ["status", "provider", "currency"]
    search_fields = ["provider_payment_id", "client__user__email"]
    list_select_related = ["client__user"]
    date_hierarchy = "created_at"
    fields = [
        "client",
        "subscription",
        "amount_display",
        "status",
        "provider",
        "provider_payment_id",
        "period_start",
        "period_end",
        "paid_at",
        "failure_reason",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="Client", ordering="client__user__email")
    def client_email(self, obj):
        return obj.client.user.email

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj):
        return format_amount(obj.amount, obj.currency)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "type", "received_at", "processed_at", "has_note"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id", "type"]
    date_hierarchy = "received_at"
    fields = [
        "provider",
        "event_id",
        "type",
        "received_at",
        "processed_at",
        "error",
        json_display("payload"),
    ]
    readonly_fields = fields

    @admin.display(boolean=True, description="Note")
    def has_note(self, obj):
        return bool(obj.error)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "scope", "user", "response_status", "created_at"]
    list_filter = ["scope", "response_status"]
    search_fields = ["key", "user__email"]
    list_select_related = ["user"]
    fields = [
        "user",
        "scope",
        "key",
        "request_hash",
        "response_status",
        json_display("response_body"),
        "created_at",
    ]
    readonly_fields = fields
