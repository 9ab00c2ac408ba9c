"""Background tasks of the shared API plumbing (names `api.<entity>_<action>`)."""

from __future__ import annotations

from celery import shared_task

from fitbud.api.idempotency import purge_expired


@shared_task(name="api.idempotency_records_purge")
def idempotency_records_purge_task() -> int:
    """Periodic (beat, hourly): delete Idempotency-Key records past their 24 h. Idempotent."""
    return purge_expired()
