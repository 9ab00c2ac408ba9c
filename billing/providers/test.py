"""The built-in provider: no network, instant answers. For development, demos and tests.

A charge is declined when its amount (minor units) is listed in
``settings.BILLING_TEST_DECLINED_AMOUNTS`` (default: 402, i.e. a plan priced 4.02), so a
failed payment can be demonstrated from the API alone; tests override the setting to make
an existing subscription's renewal fail.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from billing.providers.base import BillingProvider, Charge, CheckoutStart

DEFAULT_DECLINED_AMOUNTS = (402,)


def declined_amounts() -> tuple[int, ...]:
    return tuple(getattr(settings, "BILLING_TEST_DECLINED_AMOUNTS", DEFAULT_DECLINED_AMOUNTS))


def payment_id(subscription_id: int, period_start: datetime.datetime) -> str:
    # Deterministic per subscription and period: charging the same period twice (a second
    # renewal run, two machines at once) hits the unique constraint instead of double-billing.
    return f"test_pay_{subscription_id}_{int(period_start.timestamp())}"


class BuiltInTestProvider(BillingProvider):
    name = "test"
    renews_itself = False

    def _charge(self, *, subscription, period_start: datetime.datetime) -> Charge:
        pid = payment_id(subscription.pk, period_start)
        if subscription.plan.price in declined_amounts():
            return Charge(pid, succeeded=False, failure_reason="Card declined (test provider).")
        return Charge(pid, succeeded=True)

    def checkout_start(self, *, subscription, period_start) -> CheckoutStart:
        return CheckoutStart(
            checkout_id=f"test_cs_{subscription.pk}",
            provider_subscription_id=f"test_sub_{subscription.pk}",
            charge=self._charge(subscription=subscription, period_start=period_start),
        )

    def cancel_at_period_end(self, *, subscription) -> None:
        # Nothing to tell: our renewal command reads the flag.
        return None

    def renewal_charge(self, *, subscription, period_start) -> Charge:
        return self._charge(subscription=subscription, period_start=period_start)
