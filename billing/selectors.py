"""Reads, always scoped to the caller, with the joins every list needs."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from rest_framework.exceptions import NotFound

from accounts.models import StudioMember, User, membership_of
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


def payment_summary(*, member: StudioMember, payments: QuerySet[Payment]) -> dict[str, Any]:
    """Money per currency over `payments` (already narrowed to a paid_at range), for the
    member's whole studio and per coach (by the client's primary coach), in two queries:
    one grouped sum, one for the studio's members. Received = succeeded; refunded counts
    apart (a refunded payment is no longer revenue)."""
    rows = (
        payments.filter(
            client__studio_id=member.studio_id,
            status__in=[Payment.Status.SUCCEEDED, Payment.Status.REFUNDED],
        )
        .values("client__trainer_id", "currency")
        .annotate(
            received=Sum("amount", filter=Q(status=Payment.Status.SUCCEEDED), default=0),
            payments=Count("pk", filter=Q(status=Payment.Status.SUCCEEDED)),
            refunded=Sum("amount", filter=Q(status=Payment.Status.REFUNDED), default=0),
            refunds=Count("pk", filter=Q(status=Payment.Status.REFUNDED)),
        )
        .order_by("currency")
    )

    def add(totals: dict[str, dict[str, Any]], row: dict[str, Any]) -> None:
        entry = totals.setdefault(
            row["currency"],
            {
                "currency": row["currency"],
                "received": 0,
                "payments": 0,
                "refunded": 0,
                "refunds": 0,
            },
        )
        for key in ("received", "payments", "refunded", "refunds"):
            entry[key] += row[key]

    studio: dict[str, dict[str, Any]] = {}
    per_coach: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        add(studio, row)
        add(per_coach.setdefault(row["client__trainer_id"], {}), row)
    members = StudioMember.objects.filter(studio_id=member.studio_id).select_related("user")
    coaches = [
        {
            "member": other.pk,
            "name": other.user.full_name or other.user.email,
            "role": other.role,
            "totals": [per_coach[other.user_id][c] for c in sorted(per_coach[other.user_id])]
            if other.user_id in per_coach
            else [],
        }
        for other in members
        if other.can_coach or other.user_id in per_coach
    ]
    return {"totals": [studio[c] for c in sorted(studio)], "coaches": coaches}


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
