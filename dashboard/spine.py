"""The event spine: ActivityEvent rows are the transactional outbox; consumers read them.

- Written once: every domain event is one ActivityEvent row, inserted in the transaction
  of the change (dashboard.receivers), so it commits or rolls back with it.
- Relayed after commit: a post_save of the row enqueues `dashboard.event_relay(event_id)`
  once the transaction commits (fitbud.background.enqueue).
- Never lost: if the broker was down at commit, `dashboard.events_sweep` (beat, every
  minute) finds events a consumer has not handled SPINE_SWEEP_GRACE_SECONDS after they were
  written and enqueues their relay again.
- Never twice per consumer: a consumer's handling of an event is recorded as an
  EventDelivery row, unique per (event, consumer), so a relay that runs twice (sweep and a
  late broker, a redelivered task) skips what was handled.

Consumers are named in settings.SPINE_CONSUMERS ({name: "dotted.path.to.handler"}); the
handler takes the ActivityEvent. Apps earlier in the dependency chain (notifications,
integrations, automations) plug in by adding a handler there, without importing
dashboard. A handler that writes only to this database runs in the same transaction as its
EventDelivery row (exactly once); one that calls out (push, webhooks) must be idempotent
on the event id (send it as the idempotency key), since a crash between the call and the
commit repeats the call. The trainer feed is consumer zero: it reads the table directly
(dashboard.feed), so it needs no bookkeeping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from dashboard.models import ActivityEvent, ConsumerCursor, EventDelivery
from fitbud.background import enqueue

logger = logging.getLogger(__name__)

Handler = Callable[[ActivityEvent], None]
ERROR_MAX_LENGTH = 2000


@cache
def _handlers(config: tuple[tuple[str, str], ...]) -> dict[str, Handler]:
    return {name: import_string(path) for name, path in config}


def consumers() -> dict[str, Handler]:
    return _handlers(tuple(sorted(settings.SPINE_CONSUMERS.items())))


def log_consumer(event: ActivityEvent) -> None:
    """Consumer #1 through the relay: one structured log line per domain event (the hook
    where push notifications, webhooks and automations will sit)."""
    logger.info(
        "event %s kind=%s trainer=%s client=%s object=%s:%s",
        event.pk,
        event.kind,
        event.trainer_id,
        event.client_id,
        event.content_type_id,
        event.object_id,
    )


def on_event_saved(sender, instance: ActivityEvent, created: bool, raw: bool = False, **kw):
    if created and not raw:
        from dashboard.tasks import event_relay_task

        enqueue(event_relay_task, event_id=instance.pk)


# Relaying ----------------------------------------------------------------------------------


def event_pending_consumers(*, event_id: int) -> list[str]:
    handled = set(
        EventDelivery.objects.filter(event_id=event_id).values_list("consumer", flat=True)
    )
    return [name for name in consumers() if name not in handled]


def event_deliver(*, event_id: int, consumer: str) -> bool:
    """Hand one event to one consumer, at most once: the handler and its EventDelivery row
    commit together; if the row exists already (another relay won), nothing happens.
    Returns False when the event no longer exists (its entry was deleted)."""
    handler = consumers()[consumer]
    try:
        with transaction.atomic():
            event = ActivityEvent.objects.filter(pk=event_id).first()
            if event is None:
                return False
            if EventDelivery.objects.filter(event_id=event_id, consumer=consumer).exists():
                return True
            handler(event)
            EventDelivery.objects.create(event=event, consumer=consumer)
    except IntegrityError:
        # A concurrent relay recorded it first; its handling stands, ours rolled back.
        return True
    return True


def event_give_up(*, event_id: int, consumer: str, error: str) -> None:
    """After a consumer's last retry: record it as failed for good (the admin lists these)
    so the sweep stops offering it."""
    if not ActivityEvent.objects.filter(pk=event_id).exists():
        return
    EventDelivery.objects.get_or_create(
        event_id=event_id,
        consumer=consumer,
        defaults={"status": EventDelivery.Status.FAILED, "last_error": error[:ERROR_MAX_LENGTH]},
    )


# Sweeping ----------------------------------------------------------------------------------


def _cursor(consumer: str, *, now) -> ConsumerCursor:
    # A consumer seen for the first time starts with the events of the last
    # SPINE_NEW_CONSUMER_LOOKBACK_HOURS: it is not handed the whole history.
    cursor = ConsumerCursor.objects.filter(consumer=consumer).first()
    if cursor is None:
        since = now - timedelta(hours=settings.SPINE_NEW_CONSUMER_LOOKBACK_HOURS)
        head = (
            ActivityEvent.objects.filter(created_at__lt=since).aggregate(head=Max("id"))["head"]
            or 0
        )
        cursor, _ = ConsumerCursor.objects.get_or_create(
            consumer=consumer, defaults={"position": head}
        )
    return cursor


def events_sweep(*, now=None) -> list[int]:
    """Enqueue the relay of every event some consumer has not handled though it was
    written more than SPINE_SWEEP_GRACE_SECONDS ago; move each consumer's cursor past the
    handled prefix. Returns the event ids enqueued. Idempotent: a second run enqueues the
    same ids until their relay ran, and the relay itself acts once per consumer."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SPINE_SWEEP_GRACE_SECONDS)
    from dashboard.tasks import event_relay_task

    due: set[int] = set()
    for consumer in consumers():
        cursor = _cursor(consumer, now=now)
        rows = list(
            ActivityEvent.objects.filter(pk__gt=cursor.position)
            .order_by("pk")
            .values_list("pk", "created_at")[: settings.SPINE_SWEEP_BATCH]
        )
        handled = set(
            EventDelivery.objects.filter(
                consumer=consumer, event_id__in=[pk for pk, _ in rows]
            ).values_list("event_id", flat=True)
        )
        position, contiguous = cursor.position, True
        for pk, created_at in rows:
            if created_at > cutoff:
                break  # too young: its relay may still be on its way; later rows too
            if pk in handled:
                if contiguous:
                    position = pk
                continue
            contiguous = False
            due.add(pk)
        if position != cursor.position:
            ConsumerCursor.objects.filter(pk=cursor.pk, position__lt=position).update(
                position=position, updated_at=now
            )
    for event_id in sorted(due):
        enqueue(event_relay_task, event_id=event_id)
    if due:
        logger.warning("Spine sweep re-enqueued the relay of %s event(s)", len(due))
    return sorted(due)
