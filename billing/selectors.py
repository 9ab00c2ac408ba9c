"""Reads, always scoped to the caller, with the joins every list needs."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound

from accounts.models import User, membership_of
from billing.models import Payment, Subscription, SubscriptionPlan
from billing.providers import providers_renewed_here
from clients.models import Client


def plan_list(*, user: User) -> QuerySet[SubscriptionPlan]:
    """Billing plans belong to the studio: every member reads all of them (only owners and
    admins change them); a client reads their studio's active plans."""
    member = membership_of(user)
    if member is not None:
        return SubscriptionPlan.objects.filter(studio_id=member.studio_id)
    link = getattr(user, "client_link", None)
    if user.is_client and link is not None:
        return SubscriptionPlan.objects.filter(studio_id=link.studio_id, is_active=True)
    return SubscriptionPlan.objects.none()


def plan_for_checkout(*, client: Client, plan_id: int) -> SubscriptionPlan:
    """The client's studio's active plan `plan_id`; anything else is 404 (ids leak nothing)."""
    plan = SubscriptionPlan.objects.filter(
        pk=plan_id, studio_id=client.studio_id, is_active=True
    ).first()
    if plan is None:
        raise NotFound("No such plan.")
    return plan


def billing_scope(user: User, prefix: str = "client__") -> Q:
    """Whose subscriptions and payments a member reads: the whole studio's for owners and
    admins, their own clients' (as primary coach) for a coach, none for a specialist
    (money is not an access domain: grants never show it)."""
    member = membership_of(user)
    if member is None:
        return Q(pk__in=[])
    if member.manages_studio:
        return Q(**{f"{prefix}studio_id": member.studio_id})
    return Q(**{f"{prefix}studio_id": member.studio_id, f"{prefix}trainer": user})


def subscription_list(*, trainer: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(billing_scope(trainer)).select_related(
        "plan", "client__user"
    )


def payment_list(*, trainer: User) -> QuerySet[Payment]:
    return Payment.objects.filter(billing_scope(trainer)).select_related("client__user")


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
