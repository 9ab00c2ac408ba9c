"""Background tasks of clients (names `clients.<entity>_<action>`; see fitbud/celery.py)."""

from __future__ import annotations

from celery import shared_task

from accounts.email_delivery import email_retry_if_pending
from accounts.tasks import EMAIL_MAX_RETRIES
from clients.services import invite_email_send, invites_expire_due
from fitbud.background import is_last_try


@shared_task(name="clients.invite_email_send", bind=True, max_retries=EMAIL_MAX_RETRIES)
def invite_email_send_task(self, *, delivery_id: int, token: str) -> None:
    """Send an invite's recorded email; retried with backoff while the mail server fails.
    Sent once: a delivery already `sent` is skipped, a superseded invite is not sent."""
    final = is_last_try(self)
    if not invite_email_send(delivery_id=delivery_id, token=token, final=final) and not final:
        email_retry_if_pending(self, delivery_id=delivery_id)


@shared_task(name="clients.invites_expire")
def invites_expire_task() -> int:
    """Periodic (beat): mark lapsed pending invites expired. Idempotent."""
    return invites_expire_due()
