"""Writes of outgoing webhooks: endpoints, deliveries and each attempt (docs/integrations.md).

Delivery is at least once. A delivery row is made per (endpoint, event) in the spine
consumer's transaction; an attempt first *claims* the row (moves `next_attempt_at` past a
lease with a conditional UPDATE), so two workers (a countdown task and the sweep, a
redelivered task) never send the same attempt twice; a worker that dies mid-attempt leaves
the claim to expire and the sweep tries again. Every attempt of a delivery carries the same
`webhook-id`: receivers deduplicate on it.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks import Webhook

from accounts.models import StudioMember
from fitbud.api.exceptions import Conflict
from fitbud.background import purge_finished
from integrations.webhooks import payloads, transport
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
ROTATION_OVERLAP = timedelta(hours=24)
# Seconds to wait before attempt n+1 (index n = attempts made so far): 8 attempts over
# about 27.6 hours. Published in docs/integrations.md.
RETRY_SCHEDULE = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
# An attempt under way holds its delivery this long (longer than the task's time limit).
CLAIM_SECONDS = 120
USER_AGENT = "Fitbud-Webhooks/1"


class WebhookError:
    ENDPOINT_INACTIVE = "webhook_endpoint_inactive"
    URL_TAKEN = "webhook_url_taken"
    DELIVERY_PENDING = "webhook_delivery_pending"


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(*, message_id: str, timestamp: datetime, body: str, secrets_: list[str]) -> str:
    """The `webhook-signature` header: one `v1,<base64>` per secret, space-separated."""
    return " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in secrets_
    )


# Endpoints ---------------------------------------------------------------------------------


def _url_taken() -> Conflict:
    return Conflict(
        "Your studio has an endpoint with this URL already.", code=WebhookError.URL_TAKEN
    )


def endpoint_create(
    *,
    member: StudioMember,
    url: str,
    events: list[str],
    description: str = "",
    include_health: bool = False,
    is_active: bool = True,
) -> WebhookEndpoint:
    """One endpoint per URL and studio (a second subscription edits the first one's events);
    two concurrent creates of the same URL: one 201, one 409."""
    try:
        with transaction.atomic():
            return WebhookEndpoint.objects.create(
                studio_id=member.studio_id,
                created_by_id=member.user_id,
                url=url,
                events=events,
                description=description,
                include_health=include_health,
                is_active=is_active,
                secret=secret_new(),
            )
    except IntegrityError:
        raise _url_taken() from None


def endpoint_update(*, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    for name, value in fields.items():
        setattr(endpoint, name, value)
    if fields.get("is_active") is True:
        # Turned back on (after an auto-disable too): a fresh start.
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError:
        raise _url_taken() from None
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret signs from now on; the one it replaces signs too (a second signature)
    for ROTATION_OVERLAP, so receivers can switch without missing a delivery."""
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = secret_new()
    endpoint.save(
        update_fields=["previous_secret", "previous_secret_expires_at", "secret", "updated_at"]
    )
    return endpoint.secret


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# Deliveries --------------------------------------------------------------------------------


def _enqueue_attempt(delivery_id: int, delay: float = 0) -> None:
    """Publish the attempt after commit: at once, or with a countdown for the short waits of
    the schedule. Long waits (and anything a down broker lost) are the sweep's: Redis
    redelivers countdown tasks older than its visibility timeout, and the database is the
    truth anyway."""
    from integrations.webhooks.tasks import webhook_delivery_send_task

    if delay > settings.WEBHOOK_COUNTDOWN_MAX_SECONDS:
        return

    def publish() -> None:
        try:
            webhook_delivery_send_task.apply_async(
                kwargs={"delivery_id": delivery_id}, countdown=delay or None
            )
        except Exception:
            logger.exception("Could not enqueue webhook delivery %s; the sweep will", delivery_id)

    transaction.on_commit(publish)


def deliveries_for_event(event) -> list[WebhookDelivery]:
    """Spine consumer body: one delivery per active endpoint of the event's studio that
    subscribed to its type (runs in the transaction of the consumer's EventDelivery row)."""
    if event.kind not in payloads.EVENT_TYPES:
        return []
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(studio_id=event.studio_id, is_active=True)
        if event.kind in endpoint.events
    ]
    made: list[WebhookDelivery] = []
    bodies: dict[bool, dict[str, Any]] = {}
    now = timezone.now()
    for endpoint in endpoints:
        if endpoint.include_health not in bodies:
            bodies[endpoint.include_health] = payloads.event_payload(
                event, include_health=endpoint.include_health
            )
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event_id=event.pk,
                    event_type=event.kind,
                    message_id=WebhookDelivery.new_message_id(),
                    payload=bodies[endpoint.include_health],
                    next_attempt_at=now,
                )
        except IntegrityError:
            continue  # made already (a relay that ran twice): one delivery per pair
        made.append(delivery)
        _enqueue_attempt(delivery.pk)
    return made


@transaction.atomic
def ping_create(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    if not endpoint.is_active:
        raise Conflict(
            "The endpoint is disabled; turn it on first.", code=WebhookError.ENDPOINT_INACTIVE
        )
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=payloads.PING,
        message_id=WebhookDelivery.new_message_id(),
        payload=payloads.ping_payload(endpoint_id=endpoint.pk, now=now),
        next_attempt_at=now,
    )
    _enqueue_attempt(delivery.pk)
    return delivery


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same `webhook-id`, same body): a fresh retry schedule."""
    if not delivery.endpoint.is_active:
        raise Conflict(
            "The endpoint is disabled; turn it on first.", code=WebhookError.ENDPOINT_INACTIVE
        )
    now = timezone.now()
    updated = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED]
    ).update(status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now)
    if not updated:
        raise Conflict("The delivery is still being attempted.", code=WebhookError.DELIVERY_PENDING)
    _enqueue_attempt(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )


def _max_attempts(delivery: WebhookDelivery) -> int:
    return 1 if delivery.event_type == payloads.PING else len(RETRY_SCHEDULE)


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """One attempt, if the delivery is due and nobody else is attempting it; None otherwise.
    The request is made outside any transaction (it can take seconds)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return None  # its endpoint was deleted a moment ago
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": sign(
            message_id=delivery.message_id,
            timestamp=now,
            body=body,
            secrets_=endpoint.signing_secrets(now=now),
        ),
    }
    try:
        result = transport.post(endpoint.url, body=body.encode(), headers=headers)
    except SoftTimeLimitExceeded:
        # A receiver that drips its answer byte by byte stays within every per-read
        # timeout; the task's soft time limit ends it, and it counts as a failed attempt
        # (else the claim would expire and the sweep would try it again without end).
        elapsed = int((timezone.now() - now).total_seconds() * 1000)
        result = transport.Result(
            status=None, body="", latency_ms=elapsed, error="attempt took too long"
        )
    return _record(delivery=delivery, result=result, at=now)


@transaction.atomic
def _record(*, delivery: WebhookDelivery, result: transport.Result, at: datetime):
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .select_related("endpoint")
        .filter(pk=delivery.pk)
        .first()
    )
    if delivery is None:
        return None  # the endpoint was deleted during the attempt
    delivery.attempts += 1
    delivery.last_attempt_at = at
    delivery.response_status = result.status
    delivery.response_body = result.body[: settings.WEBHOOK_RESPONSE_MAX_BYTES]
    delivery.latency_ms = result.latency_ms
    delivery.last_error = result.error[:500]
    ping = delivery.event_type == payloads.PING
    endpoint = delivery.endpoint
    if result.ok:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        if not ping and endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    elif delivery.attempts >= _max_attempts(delivery):
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delay = RETRY_SCHEDULE[delivery.attempts]
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        _enqueue_attempt(delivery.pk, delay)
    if not result.ok and not ping and endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=at
        )
        endpoint.failing_since = at
    delivery.save()
    if (
        delivery.status == WebhookDelivery.Status.FAILED
        and not ping
        and endpoint.failing_since is not None
        and endpoint.failing_since <= now - timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    ):
        endpoint_disable(endpoint_id=endpoint.pk, now=now)
    return delivery


@transaction.atomic
def endpoint_disable(*, endpoint_id: int, now: datetime) -> bool:
    """Auto-disable: every attempt to it failed for WEBHOOK_DISABLE_AFTER_HOURS and a
    delivery used up its retries. Its pending deliveries fail; the studio's managers and
    the endpoint's author are told in their notification centre. Once per failing streak."""
    from notifications.models import Notification
    from notifications.services import notification_create

    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None or not endpoint.is_active:
        return False
    hours = settings.WEBHOOK_DISABLE_AFTER_HOURS
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"Every delivery failed for more than {hours} hours."
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, next_attempt_at=None, last_error="endpoint disabled"
    )
    users = {
        member.user
        for member in StudioMember.objects.select_related("user").filter(
            studio_id=endpoint.studio_id
        )
        if member.manages_studio or member.user_id == endpoint.created_by_id
    }
    for user in sorted(users, key=lambda user: user.pk):
        notification_create(
            user=user,
            kind=Notification.Kind.WEBHOOK_DISABLED,
            title="A webhook endpoint was turned off",
            body=f"{endpoint.url}: {endpoint.disabled_reason} Fix it and turn it back on.",
            data={"webhook_endpoint": endpoint.pk},
        )
    logger.warning("Webhook endpoint %s disabled after persistent failure", endpoint.pk)
    return True


def deliveries_sweep(*, now: datetime | None = None) -> list[int]:
    """Beat: enqueue every pending delivery that is due (long waits of the schedule, tasks
    a down broker lost, attempts whose worker died and whose claim ran out)."""
    now = now or timezone.now()
    from integrations.webhooks.tasks import webhook_delivery_send_task

    due = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: settings.WEBHOOK_SWEEP_BATCH]
    )
    for delivery_id in due:
        try:
            webhook_delivery_send_task.apply_async(kwargs={"delivery_id": delivery_id})
        except Exception:
            logger.exception("Could not enqueue webhook delivery %s", delivery_id)
            break
    return due


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Drop the log of deliveries finished (succeeded or failed) more than
    WEBHOOK_DELIVERY_RETENTION_DAYS ago; pending ones stay until they finish."""
    before = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    finished = ~Q(status=WebhookDelivery.Status.PENDING)
    return purge_finished(WebhookDelivery, before=before, finished=finished)
