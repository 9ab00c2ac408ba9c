from django.conf import settings

from billing.providers.base import BillingProvider
from billing.providers.stripe import StripeProvider
from billing.providers.test import BuiltInTestProvider

_PROVIDERS: dict[str, type[BillingProvider]] = {
    BuiltInTestProvider.name: BuiltInTestProvider,
    StripeProvider.name: StripeProvider,
}


def get_provider(name: str | None = None) -> BillingProvider:
    """The provider called `name`, or the configured one (settings.BILLING_PROVIDER).

    Existing subscriptions keep the provider they were created with, so switching the
    setting only affects new checkouts.
    """
    name = name or settings.BILLING_PROVIDER
    try:
        return _PROVIDERS[name]()
    except KeyError:
        raise ValueError(f"Unknown BILLING_PROVIDER {name!r}; use 'test' or 'stripe'") from None


def providers_renewed_here() -> list[str]:
    """Providers whose subscriptions our `renew_subscriptions` command renews."""
    return [name for name, cls in _PROVIDERS.items() if not cls.renews_itself]
