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


def purge_finished(model, *, before, finished, batch: int = 5000) -> int:
    """Delete the rows of a delivery log (`model`, with `created_at`) created before
    `before` that match `finished` (a Q: rows still to be worked on stay, however old).

    Walks the primary key in order, `batch` rows at a time, and stops at the first batch
    that reaches `before`: ids grow with `created_at`, so no index on `created_at` is
    needed, and each DELETE is short (no long lock on a table the workers write to).
    Returns the number of rows deleted."""
    deleted = 0
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "created_at")[:batch]
        )
        if not rows:
            return deleted
        old = [pk for pk, created_at in rows if created_at < before]
        if old:
            count, _ = model.objects.filter(finished, pk__in=old).delete()
            deleted += count
        if len(old) < len(rows) or len(rows) < batch:
            return deleted
        last = rows[-1][0]
