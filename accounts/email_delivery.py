"""Email leaves after the transaction commits, off the request thread, and every attempt is
recorded (accounts.models.EmailDelivery), so a failing mail server is visible, never a 500.

`email_send_later(job, **ids)` is the one place that decides where a send runs: today a small
bounded thread pool per process (`EMAIL_SEND_THREADS`, 0 = right away in the committing
thread, as the tests do); the Celery issue replaces its body with `task.delay(**ids)`. Jobs
take ids (and, for an invite, the raw token, which is never stored), not model instances.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import EmailDelivery, User

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000
QUEUE_FULL = "Not sent: the background send queue was full."

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_slots: threading.BoundedSemaphore | None = None


def _forget_pool() -> None:
    # A forked gunicorn worker must not inherit the parent's (dead) threads.
    global _executor, _slots, _lock
    _executor, _slots, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def _pool() -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
    global _executor, _slots
    with _lock:
        if _executor is None or _slots is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.EMAIL_SEND_THREADS, thread_name_prefix="email-send"
            )
            _slots = threading.BoundedSemaphore(max(settings.EMAIL_SEND_QUEUE, 1))
        return _executor, _slots


def _run(job: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    try:
        job(**kwargs)
    except Exception:
        # The job records its own failures; this only catches bugs, which must not reach a
        # response either. Arguments are not logged: an invite's include its token.
        logger.exception("Email job %s failed", job.__qualname__)


def _run_in_pool(job: Callable[..., Any], kwargs: dict[str, Any], slots) -> None:
    try:
        _run(job, kwargs)
    finally:
        slots.release()
        connection.close()  # this pool thread's own connection


def _dispatch(job: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    if settings.EMAIL_SEND_THREADS <= 0:
        _run(job, kwargs)
        return
    executor, slots = _pool()
    # Bounded: a mail server that times out on every send must not grow memory without end.
    if not slots.acquire(blocking=False):
        logger.error("Email send queue full; %s dropped", job.__qualname__)
        if "delivery_id" in kwargs:
            email_delivery_fail(delivery_id=kwargs["delivery_id"], error=QUEUE_FULL)
        return
    executor.submit(_run_in_pool, job, kwargs, slots)


def email_send_later(job: Callable[..., Any], **kwargs: Any) -> None:
    """Run `job(**kwargs)` once the current transaction commits (at once outside one), in
    the background pool, so neither a slow mail server nor the work of building an email
    is part of the response."""
    transaction.on_commit(lambda: _dispatch(job, kwargs))


def email_delivery_create(
    *, kind: str, recipient: str, subject: str, user: User | None = None
) -> EmailDelivery:
    return EmailDelivery.objects.create(kind=kind, recipient=recipient, subject=subject, user=user)


def email_delivery_fail(*, delivery_id: int, error: str) -> None:
    EmailDelivery.objects.filter(pk=delivery_id).exclude(status=EmailDelivery.Status.SENT).update(
        status=EmailDelivery.Status.FAILED, last_error=error[:ERROR_MAX_LENGTH]
    )


def email_delivery_attempt(*, delivery: EmailDelivery, message: EmailMessage) -> bool:
    """Send `message` for `delivery` and record the outcome; True when it went out. A mail
    server error (refused, timed out after EMAIL_TIMEOUT, ...) is logged and stored."""
    delivery.attempts += 1
    try:
        message.send()
    except Exception as exc:
        delivery.status = EmailDelivery.Status.FAILED
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
        delivery.save(update_fields=["status", "attempts", "last_error"])
        logger.warning(
            "Could not send the %s email (delivery %s): %s",
            delivery.kind,
            delivery.pk,
            delivery.last_error,
        )
        return False
    delivery.status = EmailDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    return True
