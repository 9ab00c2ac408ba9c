from django.conf import settings
from django.db import models

from accounts.models import StudioScopedByTrainer
from billing.currencies import format_amount
from fitbud.models import TimeStampedModel


class Interval(models.TextChoices):
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


class SubscriptionPlan(StudioScopedByTrainer, TimeStampedModel):
    """What a studio charges (`trainer` is the member who created it). Money is integer
    minor units plus an ISO 4217 code."""

    studio = models.ForeignKey(
        "accounts.Studio", on_delete=models.CASCADE, related_name="billing_plans"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_plans"
    )
    name = models.CharField(max_length=120)
    price = models.PositiveIntegerField(help_text="Price in minor units (cents).")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, upper case.")
    interval = models.CharField(max_length=8, choices=Interval.choices, default=Interval.MONTH)
    is_active = models.BooleanField(default=True)
    stripe_price_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["price", "id"]
        indexes = [
            models.Index(fields=["trainer", "is_active"]),
            models.Index(fields=["studio", "is_active"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gt=0), name="billing_plan_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {format_amount(self.price, self.currency)}/{self.interval}"


class Subscription(TimeStampedModel):
    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Incomplete (awaiting payment)"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled", "Canceled"

    LIVE_STATUSES = (Status.INCOMPLETE, Status.ACTIVE, Status.PAST_DUE)

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(SubscriptionPlan, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INCOMPLETE)
    provider = models.CharField(max_length=16)
    provider_subscription_id = models.CharField(max_length=255, blank=True)
    provider_checkout_id = models.CharField(max_length=255, blank=True)
    provider_customer_id = models.CharField(max_length=255, blank=True)
    # Creation time of the newest provider event applied to this row: Stripe does not
    # deliver events in order, and an older "subscription.updated" must not undo a newer one.
    provider_event_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # Creation time of the provider event the current period came from; null while the
    # period is our own (the test provider's, or Stripe's provisional one from checkout),
    # which any period the provider reports replaces (billing.services.webhooks).
    period_event_at = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one live subscription per client.
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status__in=["incomplete", "active", "past_due"]),
                name="billing_one_live_subscription_per_client",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_subscription_id"],
                condition=~models.Q(provider_subscription_id=""),
                name="billing_subscription_provider_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "current_period_end"]),
            models.Index(fields=["client", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} for {self.client.user.email} ({self.status})"


class Payment(TimeStampedModel):
    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        PENDING = "pending", "Pending"
        REFUNDED = "refunded", "Refunded"

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="payments")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    amount = models.PositiveIntegerField(help_text="Amount in minor units.")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices)
    provider = models.CharField(max_length=16)
    provider_payment_id = models.CharField(max_length=255)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                name="billing_payment_provider_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["status", "paid_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"Payment of {format_amount(self.amount, self.currency)} by "
            f"{self.client.user.email} ({self.status})"
        )


class WebhookEvent(models.Model):
    """Every provider event received, kept for idempotency and for support."""

    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="billing_webhook_event_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an Idempotency-Key, replayed on retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "key"], name="billing_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
