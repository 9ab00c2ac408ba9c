"""Background tasks of messaging (names `messaging.<entity>_<action>`; see fitbud/celery.py)."""

from __future__ import annotations

from celery import shared_task

from fitbud.background import backoff, is_last_try
from messaging import services

MAX_RETRIES = 5


@shared_task(name="messaging.broadcast_send", bind=True, max_retries=MAX_RETRIES)
def broadcast_send_task(self, *, broadcast_id: int) -> None:
    """Deliver a broadcast to its recipients; idempotent (once per recipient whatever the
    reruns), retried while the database fails."""
    try:
        services.broadcast_send(broadcast_id=broadcast_id)
    except Exception as error:
        if is_last_try(self):
            raise
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error


@shared_task(name="messaging.broadcasts_sweep")
def broadcasts_sweep_task() -> None:
    services.broadcasts_sweep()


@shared_task(name="messaging.thumbnails_sweep")
def thumbnails_sweep_task() -> None:
    services.thumbnails_sweep()


@shared_task(name="messaging.message_thumbnail_make", bind=True, max_retries=MAX_RETRIES)
def message_thumbnail_make_task(self, *, message_id: str) -> None:
    try:
        services.message_thumbnail_make(message_id=message_id)
    except Exception as error:
        if is_last_try(self):
            raise
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error
