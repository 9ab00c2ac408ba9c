"""Reads, always scoped to the caller, with the joins every list needs."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from accounts.models import User
from billing.models import Payment, Subscription, SubscriptionPlan
from billing.providers import providers_renewed_here
from clients.models import Client


def plan_list(*, user: User) -> QuerySet[SubscriptionPlan]:
    """A trainer's own plans (all of them); a client's trainer's active plans."""
    if user.is_trainer:
        return SubscriptionPlan.objects.filter(trainer=user)
    link = getattr(user, "client_link", None)
    if user.is_client and link is not None:
        return SubscriptionPlan.objects.filter(trainer_id=link.trainer_id, is_active=True)
    return SubscriptionPlan.objects.none()


def plan_for_checkout(*, client: Client, plan_id: int) -> SubscriptionPlan:
    """The client's trainer's active plan `plan_id`; anything else is 404 (ids leak nothing)."""
    plan = SubscriptionPlan.objects.filter(
        pk=plan_id, trainer_id=client.trainer_id, is_active=True
    ).first()
    if plan is None:
        raise NotFound("No such plan.")
    return plan


def subscription_list(*, trainer: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(client__trainer=trainer).select_related(
        "plan", "client__user"
    )


def payment_list(*, trainer: User) -> QuerySet[Payment]:
    return Payment.objects.filter(client__trainer=trainer).select_related("client__user")


def client_payment_list(*, client: Client) -> QuerySet[Payment]:
    return Payment.objects.filter(client=client)


def subscription_current(*, client: Client) -> Subscription | None:
    """The client's live subscription (incomplete, active or past due), if any."""
    return (
        Subscription.objects.filter(client=client, status__in=Subscription.LIVE_STATUSES)
        .select_related("plan")
        .first()
    )


def subscription_ids_due(*, now: datetime.datetime) -> list[int]:
    """Subscriptions whose period has ended and that our renewal command handles."""
    return list(
        Subscription.objects.filter(
            provider__in=providers_renewed_here(),
            status__in=[Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE],
            current_period_end__lte=now,
        )
        .order_by("current_period_end", "pk")
        .values_list("pk", flat=True)
    )
