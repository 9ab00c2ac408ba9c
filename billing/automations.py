"""What billing tells coaching's automations (coaching reaches it through the setting
AUTOMATION_SUBSCRIPTION_SOURCE: billing sits to the right of coaching in the chain)."""

from __future__ import annotations

import datetime as dt

from billing.models import Subscription


def subscriptions_ending(*, client_ids: list[int], now: dt.datetime) -> dict[int, tuple]:
    """Client id → (subscription id, end of period) of each live subscription set to end
    at its period's end (a renewing subscription does not end) and not ended yet."""
    rows = Subscription.objects.filter(
        client_id__in=client_ids,
        status__in=Subscription.LIVE_STATUSES,
        cancel_at_period_end=True,
        current_period_end__gt=now,
    ).values_list("client_id", "pk", "current_period_end")
    return {client_id: (pk, ends_at) for client_id, pk, ends_at in rows}
