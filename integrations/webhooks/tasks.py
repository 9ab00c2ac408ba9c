"""Background tasks of outgoing webhooks (integrations/webhooks/services.py)."""

from __future__ import annotations

from celery import shared_task

from integrations.webhooks import services


@shared_task(name="integrations.webhook_delivery_send")
def webhook_delivery_send_task(*, delivery_id: int) -> str | None:
    """One attempt of one delivery, if it is due and unclaimed; its own retry schedule
    (services.RETRY_SCHEDULE) replaces Celery's retries. Idempotent: a second run of the
    same task finds the delivery claimed or done and does nothing."""
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


@shared_task(name="integrations.webhook_deliveries_purge")
def webhook_deliveries_purge_task() -> int:
    """Periodic (beat, daily): drop the log of deliveries finished more than
    WEBHOOK_DELIVERY_RETENTION_DAYS ago (pending ones stay until they finish)."""
    return services.deliveries_purge()


@shared_task(name="integrations.webhook_deliveries_sweep")
def webhook_deliveries_sweep_task() -> int:
    """Periodic (beat, every minute): enqueue the deliveries that are due."""
    return len(services.deliveries_sweep())
