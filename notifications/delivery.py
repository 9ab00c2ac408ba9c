"""Sending push deliveries (docs/notifications.md, "Push"): only ever on the worker.

A delivery is claimed in a short transaction (status pending, due, not claimed), sent
outside any transaction (a stalled provider holds no row lock and no connection in a
transaction), and its outcome recorded. A worker that dies between the provider's answer
and our commit leaves the claim to run out: the sweep sends it again, and the collapse key
(the notification id) makes the device replace the first copy rather than show two.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fitbud.background import backoff, purge_finished
from notifications.models import Device, PushDelivery
from notifications.push import provider_for
from notifications.push.base import (
    InvalidToken,
    PermanentPushError,
    PushMessage,
    PushTarget,
    TransientPushError,
)

logger = logging.getLogger("fitbud.notifications")

# Attempts before a delivery is failed for good (about 10 s ... 10 min apart).
PUSH_MAX_ATTEMPTS = 6
# The sweep leaves a due delivery alone this long (its own task is probably on the way).
PUSH_SWEEP_GRACE_SECONDS = 60
PUSH_SWEEP_BATCH = 500


def _claim_seconds() -> float:
    # Longer than the provider call can take (FCM: token request + send).
    return 2 * settings.PUSH_TIMEOUT_SECONDS + 30


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | dropped | failed | skipped | retry | not_due
    retry_in: int | None = None


def _claim(delivery_id: int, now: datetime.datetime) -> PushDelivery | Outcome:
    with transaction.atomic():
        delivery = (
            PushDelivery.objects.select_for_update(of=("self",))
            .select_related("notification", "device")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != PushDelivery.Status.PENDING:
            return Outcome("skipped")
        if delivery.not_before > now or (
            delivery.claimed_until is not None and delivery.claimed_until > now
        ):
            return Outcome("not_due")
        device = delivery.device
        if device is None or device.user_id != delivery.notification.user_id:
            delivery.status = PushDelivery.Status.SKIPPED
            delivery.last_error = "device gone or moved to another user"
            delivery.save(update_fields=["status", "last_error"])
            return Outcome("skipped")
        delivery.claimed_until = now + datetime.timedelta(seconds=_claim_seconds())
        delivery.attempts += 1
        delivery.save(update_fields=["claimed_until", "attempts"])
        return delivery


def _message(delivery: PushDelivery) -> PushMessage:
    notification = delivery.notification
    # FCM data values are strings: non-strings travel as JSON (`[4, 7]`, `12`).
    data = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in (notification.data or {}).items()
    }
    # "notification" alone is too close to FCM's reserved keys: a distinct name.
    data.update({"notification_id": str(notification.pk), "kind": notification.kind})
    return PushMessage(
        title=notification.title,
        body=notification.body,
        data=data,
        collapse_key=f"n{notification.pk}",
    )


def push_delivery_send(*, delivery_id: int, last_try: bool = False) -> Outcome:
    """One attempt at one delivery. Idempotent: anything not pending, not yet due or
    claimed by another run is left alone."""
    now = timezone.now()
    claimed = _claim(delivery_id, now)
    if isinstance(claimed, Outcome):
        return claimed
    delivery = claimed
    device = delivery.device
    target = PushTarget(platform=device.platform, token=device.token, web_keys=device.web_keys)
    try:
        provider_id = provider_for(device.platform).send(target=target, message=_message(delivery))
    except InvalidToken as exc:
        with transaction.atomic():
            # Only if the token is still the one that failed (not re-registered meanwhile).
            Device.objects.filter(pk=device.pk, token=device.token).delete()
            _record(delivery, PushDelivery.Status.DROPPED, error=str(exc))
        logger.info("Push token of device %s invalid (%s): device removed", device.pk, exc)
        return Outcome("dropped")
    except PermanentPushError as exc:
        _record(delivery, PushDelivery.Status.FAILED, error=str(exc))
        logger.error("Push delivery %s failed for good: %s", delivery.pk, exc)
        return Outcome("failed")
    except Exception as exc:  # TransientPushError, or a bug: retried, then failed
        error = str(exc) if isinstance(exc, TransientPushError) else f"{type(exc).__name__}"
        if last_try or delivery.attempts >= PUSH_MAX_ATTEMPTS:
            _record(delivery, PushDelivery.Status.FAILED, error=error)
            logger.error("Push delivery %s failed for good: %s", delivery.pk, error)
            return Outcome("failed")
        delay = backoff(delivery.attempts - 1)
        _record(
            delivery,
            PushDelivery.Status.PENDING,
            error=error,
            not_before=timezone.now() + datetime.timedelta(seconds=delay),
        )
        logger.warning("Push delivery %s will be retried in %s s: %s", delivery.pk, delay, error)
        return Outcome("retry", retry_in=delay)
    _record(delivery, PushDelivery.Status.SENT, provider_message_id=provider_id or "")
    return Outcome("sent")


def _record(
    delivery: PushDelivery,
    status: str,
    *,
    error: str = "",
    not_before: datetime.datetime | None = None,
    provider_message_id: str = "",
) -> None:
    fields = {"status": status, "claimed_until": None, "last_error": error[:2000]}
    if not_before is not None:
        fields["not_before"] = not_before
    if status == PushDelivery.Status.SENT:
        fields.update(sent_at=timezone.now(), provider_message_id=provider_message_id[:255])
    PushDelivery.objects.filter(pk=delivery.pk).update(**fields)


def push_deliveries_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Pending deliveries due for a while and not claimed: their task was lost (broker down
    at commit, worker died), or they were held past quiet hours longer than an ETA."""
    now = now or timezone.now()
    due = now - datetime.timedelta(seconds=PUSH_SWEEP_GRACE_SECONDS)
    return list(
        PushDelivery.objects.filter(status=PushDelivery.Status.PENDING, not_before__lte=due)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("not_before", "id")
        .values_list("pk", flat=True)[:PUSH_SWEEP_BATCH]
    )


def push_deliveries_purge(*, now: datetime.datetime | None = None) -> int:
    """Drop the delivery rows finished more than PUSH_DELIVERY_RETENTION_DAYS ago (the
    in-app notifications themselves stay); pending ones stay however old."""
    before = (now or timezone.now()) - datetime.timedelta(
        days=settings.PUSH_DELIVERY_RETENTION_DAYS
    )
    finished = ~Q(status=PushDelivery.Status.PENDING)
    return purge_finished(PushDelivery, before=before, finished=finished)
