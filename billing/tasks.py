"""Background tasks of billing (names `billing.<entity>_<action>`; see fitbud/celery.py)."""

from __future__ import annotations

from collections import Counter

from celery import shared_task
from django.utils import timezone

from billing.selectors import subscription_ids_due
from billing.services import subscription_renew


def subscriptions_renew_due() -> Counter[str]:
    """Renew every due subscription of the built-in test provider, one transaction each
    (a failure on one never undoes the others). Safe to run twice or on two machines."""
    now = timezone.now()
    outcomes: Counter[str] = Counter()
    for subscription_id in subscription_ids_due(now=now):
        outcomes[subscription_renew(subscription_id=subscription_id, now=now)] += 1
    return outcomes


@shared_task(name="billing.subscriptions_renew")
def subscriptions_renew_task() -> dict[str, int]:
    """Periodic (beat, every 5 minutes): renew due subscriptions."""
    return dict(subscriptions_renew_due())
