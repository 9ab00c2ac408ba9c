"""Provider webhooks: verified, recorded once, applied once.

Each event is inserted into WebhookEvent first (unique per provider and event id) and
applied in the same transaction. A redelivery, or the same event arriving twice at once,
fails that insert (PostgreSQL makes the second wait for the first to commit) and changes
nothing. Handlers lock the subscription row before touching it.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from rest_framework import exceptions

from billing.models import Subscription, WebhookEvent
from billing.periods import period_end
from billing.providers.stripe import METADATA_SUBSCRIPTION_ID
from billing.services.subscriptions import payment_record

logger = logging.getLogger(__name__)

Status = Subscription.Status

STRIPE_STATUSES = {
    "active": Status.ACTIVE,
    "trialing": Status.ACTIVE,
    "past_due": Status.PAST_DUE,
    "unpaid": Status.PAST_DUE,
    "incomplete": Status.INCOMPLETE,
    "incomplete_expired": Status.CANCELED,
    "canceled": Status.CANCELED,
}


class WebhookOutcome(models.TextChoices):
    PROCESSED = "processed", "Applied"
    IGNORED = "ignored", "Recorded; not a type we act on"
    DUPLICATE = "duplicate", "Seen before; nothing changed"


class WebhookRejected(exceptions.ParseError):
    """Forged, stale or unreadable: one answer for all, so probing learns nothing."""

    default_detail = "Invalid webhook signature or payload."
    default_code = "invalid_webhook"


# A Stripe event nests a handful of levels; far deeper is not an event (and would exhaust
# the recursion of everything that walks it).
MAX_EVENT_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def _signed_at(header: str) -> int:
    # The timestamp Stripe's library verified: the first "t=" item of the header.
    return int(next(item[2:] for item in header.split(",") if item.startswith("t=")))


def _storable(value: Any, depth: int = 0) -> Any:
    """The event with every string made storable: U+0000 removed (PostgreSQL refuses it in
    text and JSONB) and lone surrogates (from a "\\ud800" escape; not encodable as UTF-8)
    replaced by U+FFFD. Keys too. Applied only after the signature was verified."""
    if depth > MAX_EVENT_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, list):
        return [_storable(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_storable(key, depth): _storable(item, depth + 1) for key, item in value.items()}
    return value


def stripe_webhook_receive(*, payload: bytes, signature: str | None) -> WebhookOutcome:
    """Verify a Stripe delivery on its raw body, then apply it once. Returns the outcome.

    The signed timestamp must lie within STRIPE_WEBHOOK_TOLERANCE of our clock both ways:
    Stripe's library refuses old ones only, and a delivery signed "in the future" (a
    replay prepared with a leaked secret, or a skewed clock) is refused too."""
    tolerance = settings.STRIPE_WEBHOOK_TOLERANCE
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance
        )
        if tolerance and _signed_at(signature) > time.time() + tolerance:
            raise ValueError("timestamp too far in the future")
        event = _storable(json.loads(payload))
        if not isinstance(event, dict):
            raise ValueError("not a JSON object")
    except (stripe.SignatureVerificationError, ValueError, RecursionError) as exc:
        # ValueError covers undecodable bytes and bodies that are not a Stripe event.
        logger.info("Stripe webhook rejected: %s", exc)
        raise WebhookRejected() from None
    if not (
        isinstance(event.get("id"), str)
        and event["id"]
        and isinstance(event.get("type"), str)
        and isinstance(_get(event, "data", "object"), dict)
    ):
        raise WebhookRejected()
    return webhook_event_apply(provider="stripe", event=event)


@transaction.atomic
def webhook_event_apply(*, provider: str, event: dict[str, Any]) -> WebhookOutcome:
    """Record and apply one event. "processed", "ignored" (type we do not use) or
    "duplicate" (seen before: nothing changes)."""
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider=provider,
                event_id=event["id"][:255],
                type=event["type"][:100],
                payload=event,
            )
    except IntegrityError:
        return WebhookOutcome.DUPLICATE
    handler = _STRIPE_HANDLERS.get(event["type"]) if provider == "stripe" else None
    outcome = WebhookOutcome.IGNORED
    if handler is not None:
        # A note (e.g. an unknown subscription) is kept for support; Stripe still gets a
        # 2xx, since retrying would not make the subscription appear.
        record.error = handler(event) or ""
        outcome = WebhookOutcome.PROCESSED
    record.processed_at = timezone.now()
    record.save(update_fields=["processed_at", "error"])
    return outcome


# --- reading Stripe objects (plain dicts; tolerant of old and new API shapes) ---


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: Any) -> datetime.datetime | None:
    seconds = _int(value)
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _event_time(event: dict) -> datetime.datetime:
    return _time(event.get("created")) or timezone.now()


def _subscription_for_update(*, our_id: Any, stripe_subscription_id: str) -> Subscription | None:
    locked = Subscription.objects.select_for_update(of=("self",)).select_related("plan")
    if stripe_subscription_id:
        found = locked.filter(
            provider="stripe", provider_subscription_id=stripe_subscription_id
        ).first()
        if found is not None:
            return found
    our_id = _str(our_id)
    if our_id.isdigit() and len(our_id) < 19:
        return locked.filter(provider="stripe", pk=int(our_id)).first()
    return None


def _invoice_subscription(invoice: dict) -> tuple[str, Any]:
    # Older API versions put these on the invoice; newer ones under parent.subscription_details.
    details = _get(invoice, "parent", "subscription_details")
    stripe_id = _str(invoice.get("subscription")) or _str(_get(details, "subscription"))
    our_id = _get(invoice, "subscription_details", "metadata", METADATA_SUBSCRIPTION_ID) or _get(
        details, "metadata", METADATA_SUBSCRIPTION_ID
    )
    return stripe_id, our_id


def _invoice_period(invoice: dict) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    # The invoice's own period_* describe the previous period; the line item's is the one paid.
    lines = _get(invoice, "lines", "data")
    line = lines[0] if isinstance(lines, list) and lines else {}
    return _time(_get(line, "period", "start")), _time(_get(line, "period", "end"))


def _unknown(kind: str, ref: str) -> str:
    logger.warning("Stripe %s for unknown subscription %s", kind, ref)
    return f"No subscription matches {ref or 'this event'}."


def _link_stripe_ids(subscription: Subscription, *, stripe_id: str, customer: str) -> None:
    if stripe_id and not subscription.provider_subscription_id:
        subscription.provider_subscription_id = stripe_id
    if customer and not subscription.provider_customer_id:
        subscription.provider_customer_id = customer


def _apply_provider_period(
    subscription: Subscription,
    *,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    event: dict,
) -> None:
    """The provider's period wins over ours: a period Stripe reports replaces the stored one,
    whether that came from our checkout (provisional, one calendar month) or from an
    earlier event. Events arrive out of order and are redelivered, so provider periods are
    ordered by (period start, event creation time): one that starts earlier than the stored
    provider period, or starts at the same instant but comes from an older event, is
    ignored and the period never moves backwards."""
    if start is None or end is None or end <= start:
        return
    happened_at = _event_time(event)
    if subscription.period_event_at is not None and subscription.current_period_start:
        stored = (subscription.current_period_start, subscription.period_event_at)
        if (start, happened_at) < stored:
            return
    subscription.current_period_start, subscription.current_period_end = start, end
    subscription.period_event_at = happened_at


def _on_checkout_completed(event: dict) -> str | None:
    session = event["data"]["object"]
    if session.get("mode") != "subscription":
        return "Not a subscription checkout."
    stripe_id = _str(session.get("subscription"))
    our_id = _get(session, "metadata", METADATA_SUBSCRIPTION_ID) or session.get(
        "client_reference_id"
    )
    subscription = _subscription_for_update(our_id=our_id, stripe_subscription_id=stripe_id)
    if subscription is None:
        return _unknown("checkout", stripe_id or _str(our_id))
    if subscription.status == Status.CANCELED:
        # Paid after the client replaced or canceled this checkout: support must refund.
        logger.error("Checkout completed for canceled subscription %s", subscription.pk)
        return "Checkout completed for a subscription that was already canceled."
    _link_stripe_ids(subscription, stripe_id=stripe_id, customer=_str(session.get("customer")))
    if session.get("payment_status") in ("paid", "no_payment_required"):
        if subscription.status == Status.INCOMPLETE:
            subscription.status = Status.ACTIVE
        if subscription.current_period_end is None:
            # Provisional until invoice.paid brings Stripe's exact period.
            start = _event_time(event)
            subscription.current_period_start = start
            subscription.current_period_end = period_end(start, subscription.plan.interval)
    subscription.save()
    return None


def _on_checkout_expired(event: dict) -> str | None:
    session = event["data"]["object"]
    our_id = _get(session, "metadata", METADATA_SUBSCRIPTION_ID) or session.get(
        "client_reference_id"
    )
    subscription = _subscription_for_update(our_id=our_id, stripe_subscription_id="")
    if subscription is None:
        return _unknown("checkout expiry", _str(our_id))
    if subscription.status == Status.INCOMPLETE:
        subscription.status = Status.CANCELED
        subscription.canceled_at = _event_time(event)
        subscription.save(update_fields=["status", "canceled_at", "updated_at"])
    return None


def _on_invoice(event: dict, *, paid: bool) -> str | None:
    invoice = event["data"]["object"]
    invoice_id = _str(invoice.get("id"))
    stripe_id, our_id = _invoice_subscription(invoice)
    subscription = _subscription_for_update(our_id=our_id, stripe_subscription_id=stripe_id)
    if subscription is None or not invoice_id:
        return _unknown("invoice", stripe_id)
    _link_stripe_ids(subscription, stripe_id=stripe_id, customer=_str(invoice.get("customer")))
    start, end = _invoice_period(invoice)
    amount = _int(invoice.get("amount_paid" if paid else "amount_due"))
    currency = _str(invoice.get("currency")).upper() or subscription.plan.currency
    payment_record(
        subscription=subscription,
        provider_payment_id=invoice_id,
        # Stripe always sends an int; anything else is garbage we do not store as money.
        amount=amount if amount is not None and 0 <= amount < 2**31 else subscription.plan.price,
        currency=currency[:3],
        succeeded=paid,
        failure_reason="" if paid else "The payment was declined at Stripe.",
        period_start=start,
        period_end=end,
        paid_at=_time(_get(invoice, "status_transitions", "paid_at")) or _event_time(event),
    )
    if subscription.status != Status.CANCELED:
        if paid:
            subscription.status = Status.ACTIVE
            _apply_provider_period(subscription, start=start, end=end, event=event)
        elif subscription.status == Status.ACTIVE:
            subscription.status = Status.PAST_DUE
    subscription.save()
    return None


def _on_invoice_paid(event: dict) -> str | None:
    return _on_invoice(event, paid=True)


def _on_invoice_failed(event: dict) -> str | None:
    return _on_invoice(event, paid=False)


def _on_subscription_changed(event: dict, *, deleted: bool) -> str | None:
    remote = event["data"]["object"]
    stripe_id = _str(remote.get("id"))
    subscription = _subscription_for_update(
        our_id=_get(remote, "metadata", METADATA_SUBSCRIPTION_ID), stripe_subscription_id=stripe_id
    )
    if subscription is None:
        return _unknown("subscription change", stripe_id)
    happened_at = _event_time(event)
    if subscription.provider_event_at and happened_at < subscription.provider_event_at:
        return "Older than the last applied change: skipped."
    if subscription.status == Status.CANCELED:
        return "Already canceled."
    _link_stripe_ids(subscription, stripe_id=stripe_id, customer=_str(remote.get("customer")))
    subscription.provider_event_at = happened_at
    if deleted:
        subscription.status = Status.CANCELED
        subscription.canceled_at = (
            _time(remote.get("canceled_at")) or subscription.canceled_at or happened_at
        )
        subscription.save()
        return None

    status = STRIPE_STATUSES.get(_str(remote.get("status")))
    note = None
    if status is None:
        note = f"Unhandled Stripe status {remote.get('status')!r}."
    else:
        subscription.status = status
        if status == Status.CANCELED:
            subscription.canceled_at = subscription.canceled_at or happened_at
    if isinstance(remote.get("cancel_at_period_end"), bool):
        subscription.cancel_at_period_end = remote["cancel_at_period_end"]
        if subscription.cancel_at_period_end:
            subscription.canceled_at = (
                _time(remote.get("canceled_at")) or subscription.canceled_at or happened_at
            )
        elif subscription.status != Status.CANCELED:
            # Resumed (e.g. from Stripe's customer portal) before the period ended.
            subscription.canceled_at = None
    # Newer API versions moved the period onto the subscription items.
    item = _get(remote, "items", "data")
    item = item[0] if isinstance(item, list) and item else {}
    start = _time(remote.get("current_period_start")) or _time(_get(item, "current_period_start"))
    end = _time(remote.get("current_period_end")) or _time(_get(item, "current_period_end"))
    _apply_provider_period(subscription, start=start, end=end, event=event)
    subscription.save()
    return note


_STRIPE_HANDLERS: dict[str, Callable[[dict], str | None]] = {
    "checkout.session.completed": _on_checkout_completed,
    "checkout.session.expired": _on_checkout_expired,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_failed,
    "customer.subscription.updated": lambda e: _on_subscription_changed(e, deleted=False),
    "customer.subscription.deleted": lambda e: _on_subscription_changed(e, deleted=True),
}
