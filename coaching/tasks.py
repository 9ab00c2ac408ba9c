"""Background tasks of coaching."""

from __future__ import annotations

from celery import shared_task

from coaching.services import automations


@shared_task(name="coaching.automations_sweep")
def automations_sweep_task() -> int:
    """Periodic (beat, every 15 minutes): fire the schedule rules that are due, each client
    in their own local time. Running it twice (two beats) fires nothing twice."""
    return automations.automations_sweep()
