from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import Payment, Subscription
from billing.periods import period_end
from billing.providers import get_provider
from billing.providers.base import Charge
from billing.selectors import plan_for_checkout
from billing.signals import payment_failed, payment_received
from clients.models import Client
from fitbud.api.exceptions import Conflict

logger = logging.getLogger(__name__)

Status = Subscription.Status

DEFAULT_PAST_DUE_GRACE_DAYS = 14


@dataclass(frozen=True)
class CheckoutResult:
    subscription: Subscription
    checkout_url: str | None
    payment: Payment | None


def _live_subscription_for_update(client: Client) -> Subscription | None:
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(client=client, status__in=Subscription.LIVE_STATUSES)
        .first()
    )


def payment_record(
    *,
    subscription: Subscription,
    provider_payment_id: str,
    amount: int,
    currency: str,
    succeeded: bool,
    failure_reason: str = "",
    period_start: datetime.datetime | None = None,
    period_end: datetime.datetime | None = None,
    paid_at: datetime.datetime | None = None,
) -> Payment:
    """Create or move forward the one Payment row of a provider payment id.

    Callers hold the subscription's row lock. A failed attempt that later succeeds (a card
    retried) flips the same row to succeeded; a succeeded payment never goes back to failed.
    `payment_received` is sent exactly once per payment, when it first succeeds;
    `payment_failed` once, when the row is first recorded as failed.
    """
    new_status = Payment.Status.SUCCEEDED if succeeded else Payment.Status.FAILED
    payment, created = Payment.objects.select_for_update().get_or_create(
        provider=subscription.provider,
        provider_payment_id=provider_payment_id,
        defaults={
            "client_id": subscription.client_id,
            "subscription": subscription,
            "amount": amount,
            "currency": currency,
            "status": new_status,
            "failure_reason": failure_reason,
            "period_start": period_start,
            "period_end": period_end,
            "paid_at": (paid_at or timezone.now()) if succeeded else None,
        },
    )
    if not created:
        if payment.status == Payment.Status.SUCCEEDED or not succeeded:
            return payment
        payment.status = Payment.Status.SUCCEEDED
        payment.amount = amount
        payment.failure_reason = ""
        payment.paid_at = paid_at or timezone.now()
        payment.save(update_fields=["status", "amount", "failure_reason", "paid_at", "updated_at"])
    if payment.status == Payment.Status.SUCCEEDED:
        payment_received.send(sender=Payment, payment=payment)
    elif created and payment.status == Payment.Status.FAILED:
        payment_failed.send(sender=Payment, payment=payment)
    return payment


def _record_charge(
    *,
    subscription: Subscription,
    charge: Charge,
    period_start: datetime.datetime,
    period_end: datetime.datetime,
) -> Payment:
    return payment_record(
        subscription=subscription,
        provider_payment_id=charge.provider_payment_id,
        amount=subscription.plan.price,
        currency=subscription.plan.currency,
        succeeded=charge.succeeded,
        failure_reason=charge.failure_reason,
        period_start=period_start,
        period_end=period_end,
    )


def _previous_customer_id(*, client: Client, provider: str) -> str:
    return (
        Subscription.objects.filter(client=client, provider=provider)
        .exclude(provider_customer_id="")
        .values_list("provider_customer_id", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def subscription_checkout(*, client: Client, plan_id: int) -> CheckoutResult:
    """Start paying for one of the trainer's active plans.

    The test provider charges at once (the subscription is active, or stays incomplete when
    the charge is declined); Stripe answers with a Checkout URL and the webhooks activate
    the subscription. An unpaid (incomplete) subscription is replaced by the new checkout;
    an active or past-due one is a 409.
    """
    # One checkout at a time per client: two taps on "Pay" cannot create two subscriptions.
    client = Client.objects.select_for_update(of=("self",)).select_related("user").get(pk=client.pk)
    plan = plan_for_checkout(client=client, plan_id=plan_id)
    provider = get_provider()
    now = timezone.now()

    live = _live_subscription_for_update(client)
    if live is not None:
        if live.status != Status.INCOMPLETE:
            raise Conflict(
                "You already have a subscription. Cancel it before choosing another plan.",
                code="already_subscribed",
            )
        get_provider(live.provider).checkout_abandon(subscription=live)
        live.status = Status.CANCELED
        live.canceled_at = now
        live.save(update_fields=["status", "canceled_at", "updated_at"])

    subscription = Subscription.objects.create(
        client=client,
        plan=plan,
        provider=provider.name,
        status=Status.INCOMPLETE,
        provider_customer_id=_previous_customer_id(client=client, provider=provider.name),
    )
    started = provider.checkout_start(subscription=subscription, period_start=now)
    subscription.provider_checkout_id = started.checkout_id
    if started.provider_subscription_id:
        subscription.provider_subscription_id = started.provider_subscription_id

    payment = None
    if started.charge is not None:
        end = period_end(now, plan.interval)
        payment = _record_charge(
            subscription=subscription, charge=started.charge, period_start=now, period_end=end
        )
        if started.charge.succeeded:
            subscription.status = Status.ACTIVE
            subscription.current_period_start = now
            subscription.current_period_end = end
    subscription.save()
    return CheckoutResult(
        subscription=subscription, checkout_url=started.checkout_url, payment=payment
    )


def _cancel_locked(subscription: Subscription) -> Subscription:
    """Cancel a locked live subscription at the end of its paid period (an unpaid checkout
    at once). The provider is told first: if it fails, the caller's transaction rolls back
    and nothing changed. Asking again changes nothing."""
    now = timezone.now()
    if subscription.status == Status.INCOMPLETE:
        get_provider(subscription.provider).checkout_abandon(subscription=subscription)
        subscription.status = Status.CANCELED
        subscription.canceled_at = now
    elif subscription.status != Status.CANCELED and not subscription.cancel_at_period_end:
        get_provider(subscription.provider).cancel_at_period_end(subscription=subscription)
        subscription.cancel_at_period_end = True
        subscription.canceled_at = now
    else:
        return subscription
    subscription.save(update_fields=["status", "cancel_at_period_end", "canceled_at", "updated_at"])
    return subscription


@transaction.atomic
def subscription_cancel(*, client: Client) -> Subscription:
    """The client cancels at the end of the paid period (an unpaid checkout is canceled at
    once). Allowed for a deactivated client too: cancelling is not logging new entries.

    Asking again changes nothing and answers the same subscription.
    """
    subscription = _live_subscription_for_update(client)
    if subscription is None:
        raise Conflict("You have no subscription to cancel.", code="not_subscribed")
    return _cancel_locked(subscription)


@transaction.atomic
def subscription_cancel_by_trainer(*, subscription: Subscription) -> Subscription:
    """The trainer cancels one of their clients' subscriptions (the view found it in the
    trainer's own list, so another trainer's is a 404) at the end of the paid period, an
    unpaid checkout at once. An ended one is answered unchanged."""
    locked = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "client__user")
        .get(pk=subscription.pk)
    )
    return _cancel_locked(locked)


def subscription_stop_for_deactivated_client(*, client: Client) -> Subscription | None:
    """Deactivation: the client's live subscription is canceled at the end of the paid
    period (no further renewal, no refund; an unpaid checkout at once). Runs inside the
    deactivation's transaction, so a provider failure undoes the deactivation too (502).
    Reactivation does not resume it: the client subscribes again."""
    subscription = _live_subscription_for_update(client)
    if subscription is None:
        return None
    return _cancel_locked(subscription)


def _grace() -> datetime.timedelta:
    days = getattr(settings, "BILLING_PAST_DUE_GRACE_DAYS", DEFAULT_PAST_DUE_GRACE_DAYS)
    return datetime.timedelta(days=days)


@transaction.atomic
def subscription_renew(*, subscription_id: int, now: datetime.datetime | None = None) -> str:
    """Renew one due subscription of a provider we renew ourselves (the test provider).

    Returns what happened: "renewed", "failed" (declined: past due, retried next run),
    "canceled" (it was set to cancel at period end, or stayed past due beyond the grace
    period) or "skipped" (another worker holds it, or it is no longer due). Safe to run
    twice or on two machines at once: the row is locked with SKIP LOCKED and re-checked,
    and the payment id is deterministic per subscription and period.
    """
    now = now or timezone.now()
    subscription = (
        Subscription.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("plan")
        .filter(
            pk=subscription_id,
            status__in=[Status.ACTIVE, Status.PAST_DUE],
            current_period_end__lte=now,
        )
        .first()
    )
    if subscription is None:
        return "skipped"
    provider = get_provider(subscription.provider)
    if provider.renews_itself:
        return "skipped"

    overdue = subscription.status == Status.PAST_DUE and (
        now - subscription.current_period_end > _grace()
    )
    if subscription.cancel_at_period_end or overdue:
        subscription.status = Status.CANCELED
        subscription.canceled_at = subscription.canceled_at or now
        subscription.save(update_fields=["status", "canceled_at", "updated_at"])
        return "canceled"

    start = subscription.current_period_end
    end = period_end(start, subscription.plan.interval)
    charge = provider.renewal_charge(subscription=subscription, period_start=start)
    _record_charge(subscription=subscription, charge=charge, period_start=start, period_end=end)
    if charge.succeeded:
        subscription.status = Status.ACTIVE
        subscription.current_period_start = start
        subscription.current_period_end = end
        outcome = "renewed"
    else:
        subscription.status = Status.PAST_DUE
        outcome = "failed"
    subscription.save(
        update_fields=["status", "current_period_start", "current_period_end", "updated_at"]
    )
    return outcome
