"""Stripe: Checkout Sessions in subscription mode; Stripe renews and reports by webhook."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings

from billing.providers.base import BillingProvider, CheckoutStart, ProviderUnavailable

logger = logging.getLogger(__name__)

# Keys our webhook handlers read back to find the subscription a Stripe object belongs to.
METADATA_SUBSCRIPTION_ID = "fitbud_subscription_id"
METADATA_CLIENT_ID = "fitbud_client_id"


def _line_item(plan) -> dict:
    if plan.stripe_price_id:
        # Staff may map a plan to a Price managed in the Stripe dashboard.
        return {"price": plan.stripe_price_id, "quantity": 1}
    return {
        "price_data": {
            "currency": plan.currency.lower(),
            "unit_amount": plan.price,
            "recurring": {"interval": plan.interval},
            "product_data": {"name": plan.name},
        },
        "quantity": 1,
    }


def _customer(subscription) -> dict:
    # A returning client pays with the Stripe customer (and saved card) they already have.
    if subscription.provider_customer_id:
        return {"customer": subscription.provider_customer_id}
    return {"customer_email": subscription.client.user.email}


class StripeProvider(BillingProvider):
    name = "stripe"
    renews_itself = True

    def checkout_start(self, *, subscription, period_start) -> CheckoutStart:
        metadata = {
            METADATA_SUBSCRIPTION_ID: str(subscription.pk),
            METADATA_CLIENT_ID: str(subscription.client_id),
        }
        try:
            session = stripe.checkout.Session.create(
                api_key=settings.STRIPE_SECRET_KEY,
                # Our subscription id is new on every attempt, so Stripe's own
                # idempotency protects us from a network-level retry of this very call.
                idempotency_key=f"fitbud-checkout-{subscription.pk}",
                mode="subscription",
                line_items=[_line_item(subscription.plan)],
                client_reference_id=str(subscription.pk),
                **_customer(subscription),
                metadata=metadata,
                subscription_data={"metadata": metadata},
                success_url=settings.BILLING_SUCCESS_URL,
                cancel_url=settings.BILLING_CANCEL_URL,
            )
        except stripe.StripeError as exc:
            logger.warning("Stripe checkout for subscription %s failed: %s", subscription.pk, exc)
            raise ProviderUnavailable() from exc
        return CheckoutStart(checkout_id=session.id, checkout_url=session.url)

    def cancel_at_period_end(self, *, subscription) -> None:
        if not subscription.provider_subscription_id:
            return
        try:
            stripe.Subscription.modify(
                subscription.provider_subscription_id,
                api_key=settings.STRIPE_SECRET_KEY,
                cancel_at_period_end=True,
            )
        except stripe.StripeError as exc:
            logger.warning("Stripe cancel of %s failed: %s", subscription.pk, exc)
            raise ProviderUnavailable() from exc

    def checkout_abandon(self, *, subscription) -> None:
        if not subscription.provider_checkout_id:
            return
        try:
            stripe.checkout.Session.expire(
                subscription.provider_checkout_id, api_key=settings.STRIPE_SECRET_KEY
            )
        except stripe.StripeError as exc:
            # Already completed or expired: the webhook handlers cope with a late completion.
            logger.info("Could not expire checkout %s: %s", subscription.provider_checkout_id, exc)
