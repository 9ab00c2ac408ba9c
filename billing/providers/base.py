"""The one interface every payment provider implements.

Providers talk to the outside world only; they never write to our database. The services
decide what a checkout, a charge or a cancellation means for our rows.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rest_framework import exceptions, status

if TYPE_CHECKING:
    from billing.models import Subscription


class ProviderUnavailable(exceptions.APIException):
    """The payment provider failed or could not be reached; nothing was charged by us."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The payment provider is not available right now. Please try again."
    default_code = "payment_provider_unavailable"


@dataclass(frozen=True)
class Charge:
    """The outcome of charging one billing period."""

    provider_payment_id: str
    succeeded: bool
    failure_reason: str = ""


@dataclass(frozen=True)
class CheckoutStart:
    """What starting a checkout produced: a URL to pay at, or an immediate charge."""

    checkout_id: str
    checkout_url: str | None = None
    provider_subscription_id: str = ""
    charge: Charge | None = None


class BillingProvider(ABC):
    name: ClassVar[str]
    # Stripe renews subscriptions itself and tells us by webhook; the test provider is
    # renewed by our `renew_subscriptions` command.
    renews_itself: ClassVar[bool]

    @abstractmethod
    def checkout_start(
        self, *, subscription: Subscription, period_start: datetime.datetime
    ) -> CheckoutStart: ...

    @abstractmethod
    def cancel_at_period_end(self, *, subscription: Subscription) -> None: ...

    def checkout_abandon(self, *, subscription: Subscription) -> None:
        """A newer checkout replaces this unpaid one: make the old one unpayable if we can."""
        return None

    def renewal_charge(
        self, *, subscription: Subscription, period_start: datetime.datetime
    ) -> Charge:
        raise NotImplementedError(f"{self.name} renews subscriptions itself")
