"""Spine consumer `webhooks` (settings.SPINE_CONSUMERS): an event becomes one delivery per
subscribed active endpoint of its studio. Only database writes happen here (in the
transaction of the consumer's EventDelivery row, so exactly once); the requests are made by
tasks enqueued after commit."""

from __future__ import annotations

from integrations.webhooks.services import deliveries_for_event


def webhooks_on_event(event) -> None:
    deliveries_for_event(event)
