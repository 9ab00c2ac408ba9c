"""Background tasks of notifications: push sending, its sweep, habit reminders."""

from __future__ import annotations

import logging

from celery import shared_task

from fitbud.background import is_last_try
from notifications import delivery, reminders

logger = logging.getLogger("fitbud.notifications")


@shared_task(name="notifications.push_send", bind=True, max_retries=delivery.PUSH_MAX_ATTEMPTS)
def push_send_task(self, *, delivery_id: int) -> str:
    """Send one push delivery. A transient failure (timeout, 5xx) is retried with backoff;
    the delivery row keeps the attempt count, so the sweep's re-sends count too."""
    outcome = delivery.push_delivery_send(delivery_id=delivery_id, last_try=is_last_try(self))
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="notifications.push_deliveries_purge")
def push_deliveries_purge_task() -> int:
    """Periodic (beat, daily): drop push delivery rows finished more than
    PUSH_DELIVERY_RETENTION_DAYS ago (pending ones stay until they are sent or dropped)."""
    return delivery.push_deliveries_purge()


@shared_task(name="notifications.push_deliveries_sweep")
def push_deliveries_sweep_task() -> int:
    """Periodic (beat, every minute): send the deliveries whose task never came."""
    ids = delivery.push_deliveries_due()
    for delivery_id in ids:
        try:
            push_send_task.apply_async(kwargs={"delivery_id": delivery_id})
        except Exception:
            logger.exception("Could not enqueue push delivery %s", delivery_id)
            break
    return len(ids)


@shared_task(name="notifications.habit_reminders_send")
def habit_reminders_send_task() -> int:
    """Periodic (beat, every 5 minutes): remind clients of undone daily habits at their
    local reminder time. Once per client and local date, however many beats race."""
    return reminders.habit_reminders_send()
