"""Billing writes. Every state change of a subscription locks its row first."""

from billing.services.idempotency import (
    IdempotencyKeyMismatch,
    idempotent_call,
    request_fingerprint,
)
from billing.services.plans import plan_create, plan_delete, plan_update
from billing.services.subscriptions import (
    CheckoutResult,
    subscription_cancel,
    subscription_cancel_by_trainer,
    subscription_checkout,
    subscription_renew,
    subscription_stop_for_deactivated_client,
)
from billing.services.webhooks import WebhookRejected, stripe_webhook_receive, webhook_event_apply

__all__ = [
    "CheckoutResult",
    "IdempotencyKeyMismatch",
    "WebhookRejected",
    "idempotent_call",
    "plan_create",
    "plan_delete",
    "plan_update",
    "request_fingerprint",
    "stripe_webhook_receive",
    "subscription_cancel",
    "subscription_cancel_by_trainer",
    "subscription_checkout",
    "subscription_renew",
    "subscription_stop_for_deactivated_client",
    "webhook_event_apply",
]
