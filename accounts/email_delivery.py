"""Email leaves after the transaction commits, on a Celery task, and every attempt is
recorded (accounts.models.EmailDelivery): the record is the truth, so a failing mail server
is visible, never a 500.

`email_send_later(task, **ids)` enqueues a send task after commit (fitbud/background.py):
on the broker when CELERY_BROKER_URL is set, eagerly otherwise. A send task makes one
attempt per run; a failed attempt leaves the delivery `pending` and the task retries with
capped exponential backoff; after the last retry the delivery is `failed` (the admin lists
those). A delivery already `sent` is never sent again, so a retried or redelivered task
sends no duplicate. Tasks take ids (and, for an invite, the raw token, which is never
stored: see docs/security.md "Invite email tokens"), not model instances.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from accounts.models import EmailDelivery, User
from fitbud.background import backoff, enqueue

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000


def email_send_later(task: Task, **kwargs: Any) -> None:
    """Send through `task(**kwargs)` once the current transaction commits, off the request
    (with a broker), so neither a slow mail server nor building the email is in the answer."""
    enqueue(task, **kwargs)


def email_delivery_create(
    *, kind: str, recipient: str, subject: str, user: User | None = None
) -> EmailDelivery:
    return EmailDelivery.objects.create(kind=kind, recipient=recipient, subject=subject, user=user)


def email_delivery_fail(*, delivery_id: int, error: str) -> None:
    EmailDelivery.objects.filter(pk=delivery_id).exclude(status=EmailDelivery.Status.SENT).update(
        status=EmailDelivery.Status.FAILED, last_error=error[:ERROR_MAX_LENGTH]
    )


def email_delivery_attempt(
    *, delivery: EmailDelivery, message: EmailMessage, final: bool = True
) -> bool:
    """Send `message` for `delivery` and record the outcome; True when it went out. A mail
    server error (refused, timed out after EMAIL_TIMEOUT, ...) is logged and stored; the
    delivery is `failed` when `final` (no retry follows), else stays `pending`."""
    delivery.attempts += 1
    try:
        message.send()
    except Exception as exc:
        delivery.status = EmailDelivery.Status.FAILED if final else EmailDelivery.Status.PENDING
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
        delivery.save(update_fields=["status", "attempts", "last_error"])
        logger.warning(
            "Could not send the %s email (delivery %s, attempt %s%s): %s",
            delivery.kind,
            delivery.pk,
            delivery.attempts,
            ", final" if final else ", will retry",
            delivery.last_error,
        )
        return False
    delivery.status = EmailDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return True


def email_deliveries_stale(*, now=None) -> list[tuple[int, str]]:
    """(id, kind) of deliveries still pending EMAIL_STALE_MINUTES after they were created:
    longer than a send task with all its retries takes, so their task was lost."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.EMAIL_STALE_MINUTES)
    return list(
        EmailDelivery.objects.filter(
            status=EmailDelivery.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", "kind")[:500]
    )


def email_retry_if_pending(task: Task, *, delivery_id: int) -> None:
    """After a failed, non-final send: retry the task later if the delivery still waits
    (a delivery marked failed for a reason no retry fixes, e.g. a superseded invite, stops)."""
    status = EmailDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
    if status == EmailDelivery.Status.PENDING:
        raise task.retry(countdown=backoff(task.request.retries))
