"""Background tasks of accounts (names `accounts.<entity>_<action>`; see fitbud/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from accounts.email_delivery import email_deliveries_stale, email_retry_if_pending
from accounts.models import EmailDelivery
from accounts.services import (
    password_reset_delivery_record,
    password_reset_delivery_send,
    studio_invite_email_send,
)
from fitbud.background import enqueue, is_last_try

EMAIL_MAX_RETRIES = 6  # with the default backoff: about 10 s, 20 s, 40 s, ... 10 min apart


@shared_task(name="accounts.password_reset_email_send", bind=True, max_retries=EMAIL_MAX_RETRIES)
def password_reset_email_send_task(self, *, email: str, request_id: str) -> None:
    """Record (once per request) and send the reset email, if the address has an account."""
    delivery_id = password_reset_delivery_record(email=email, request_id=request_id)
    if delivery_id is None:
        return
    final = is_last_try(self)
    if not password_reset_delivery_send(delivery_id=delivery_id, final=final) and not final:
        email_retry_if_pending(self, delivery_id=delivery_id)


@shared_task(name="accounts.tokens_flush")
def tokens_flush_task() -> None:
    """Daily: drop expired refresh-token rows (simplejwt's flushexpiredtokens)."""
    call_command("flushexpiredtokens", verbosity=0)


@shared_task(name="accounts.password_reset_delivery_send", bind=True, max_retries=EMAIL_MAX_RETRIES)
def password_reset_delivery_send_task(self, *, delivery_id: int) -> None:
    """Send a recorded reset email again by id (the link is made afresh)."""
    final = is_last_try(self)
    if not password_reset_delivery_send(delivery_id=delivery_id, final=final) and not final:
        email_retry_if_pending(self, delivery_id=delivery_id)


@shared_task(name="accounts.studio_invite_email_send", bind=True, max_retries=EMAIL_MAX_RETRIES)
def studio_invite_email_send_task(self, *, delivery_id: int, token: str) -> None:
    """Send a studio member invite's recorded email; retried with backoff while the mail
    server fails. Sent once; a superseded invite (issued again since) is not sent."""
    final = is_last_try(self)
    if (
        not studio_invite_email_send(delivery_id=delivery_id, token=token, final=final)
        and not final
    ):
        email_retry_if_pending(self, delivery_id=delivery_id)


LOST = "Not sent: its send task was lost (broker unreachable?); resend the invite."


@shared_task(name="accounts.email_deliveries_sweep")
def email_deliveries_sweep_task() -> dict[str, int]:
    """Periodic (beat): emails still `pending` long after every retry would have ended
    had their task been lost (broker down at commit, Redis flushed). A reset is sent again
    by id; an invite cannot be (its token is not stored), so it is marked failed for the
    trainer to resend. A lost task that turns up later still sends (a `failed` row is not
    `sent`), and a sent one is never sent twice."""
    resent = failed = 0
    for delivery_id, kind in email_deliveries_stale():
        if kind == EmailDelivery.Kind.PASSWORD_RESET:
            enqueue(password_reset_delivery_send_task, delivery_id=delivery_id)
            resent += 1
        else:
            EmailDelivery.objects.filter(
                pk=delivery_id, status=EmailDelivery.Status.PENDING
            ).update(status=EmailDelivery.Status.FAILED, last_error=LOST)
            failed += 1
    return {"resent": resent, "failed": failed}
