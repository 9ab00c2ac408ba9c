"""Background tasks of sync."""

from __future__ import annotations

from celery import shared_task

from sync import services


@shared_task(name="sync.tombstones_purge")
def tombstones_purge_task() -> list[int]:
    """Periodic (beat, daily): drop tombstones past SYNC_TOMBSTONE_RETENTION_DAYS and push
    fingerprints past SYNC_PUSH_RETENTION_HOURS. Idempotent: a second run finds nothing."""
    return list(services.tombstones_purge())
