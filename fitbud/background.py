"""How work leaves the request: `enqueue(task, **ids)` after the transaction commits.

Every task takes ids (never model instances), is idempotent, and is retried with capped
exponential backoff (`backoff`). Without a broker (CELERY_BROKER_URL unset) Celery runs the
task eagerly in this process; with one, the task is published to Redis. A broker that
cannot be reached at commit never turns a committed change into an error: the failure is
logged, and the sweeps (dashboard.events_sweep) pick the work up from the database later.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger("fitbud.tasks")


def _publish(task: Task, kwargs: dict[str, Any]) -> None:
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:
        # Broker down (or an eager task's bug): the committed rows stay the truth.
        logger.exception("Could not enqueue %s; a sweep will pick the work up", task.name)


def enqueue(task: Task, **kwargs: Any) -> None:
    """Run `task(**kwargs)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _publish(task, kwargs))


def backoff(retries: int) -> int:
    """Seconds before retry number `retries + 1`: base * 2**retries, capped, with jitter."""
    base = settings.CELERY_RETRY_BACKOFF_BASE
    cap = settings.CELERY_RETRY_BACKOFF_MAX
    delay = min(cap, base * (2**retries))
    return int(delay / 2 + random.uniform(0, delay / 2))


def is_last_try(task: Task) -> bool:
    """True when a failure now is final: the last allowed retry, or an eager run (there is
    no worker to come back later, so an eager task gets one try)."""
    request = task.request
    return bool(request.is_eager) or request.retries >= (task.max_retries or 0)
