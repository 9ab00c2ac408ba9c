"""Background tasks of accounts (names `accounts.<entity>_<action>`; see fitbud/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from accounts.services import password_reset_delivery_record, password_reset_delivery_send
from fitbud.background import is_last_try, retry_email_if_pending

EMAIL_MAX_RETRIES = 6  # with the default backoff: about 10 s, 20 s, 40 s, ... 10 min apart


@shared_task(name="accounts.password_reset_email_send", bind=True, max_retries=EMAIL_MAX_RETRIES)
def password_reset_email_send_task(self, *, email: str, request_id: str) -> None:
    """Record (once per request) and send the reset email, if the address has an account."""
    delivery_id = password_reset_delivery_record(email=email, request_id=request_id)
    if delivery_id is None:
        return
    final = is_last_try(self)
    if not password_reset_delivery_send(delivery_id=delivery_id, final=final) and not final:
        retry_email_if_pending(self, delivery_id=delivery_id)


@shared_task(name="accounts.tokens_flush")
def tokens_flush_task() -> None:
    """Daily: drop expired refresh-token rows (simplejwt's flushexpiredtokens)."""
    call_command("flushexpiredtokens", verbosity=0)
