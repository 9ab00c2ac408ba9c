"""Background tasks of dashboard: the event spine's relay and sweep (dashboard/spine.py)."""

from __future__ import annotations

from celery import shared_task

from dashboard import spine
from fitbud.background import backoff, is_last_try

RELAY_MAX_RETRIES = 8


@shared_task(name="dashboard.event_relay", bind=True, max_retries=RELAY_MAX_RETRIES)
def event_relay_task(self, *, event_id: int) -> list[str]:
    """Hand one event to every consumer that has not handled it yet. A consumer that
    raises is retried (backoff, capped); after the last retry it is recorded as failed for
    good. Running it twice changes nothing: handled consumers are skipped."""
    delivered, failure = [], None
    for consumer in spine.event_pending_consumers(event_id=event_id):
        try:
            if not spine.event_deliver(event_id=event_id, consumer=consumer):
                return delivered  # the event was deleted with its entry
            delivered.append(consumer)
        except Exception as exc:
            failure = exc
            if is_last_try(self):
                spine.event_give_up(
                    event_id=event_id, consumer=consumer, error=f"{type(exc).__name__}: {exc}"
                )
    if failure is not None and not is_last_try(self):
        raise self.retry(exc=failure, countdown=backoff(self.request.retries))
    return delivered


@shared_task(name="dashboard.events_sweep")
def events_sweep_task() -> list[int]:
    """Periodic (beat, every minute): re-enqueue the relay of events it never reached."""
    return spine.events_sweep()
