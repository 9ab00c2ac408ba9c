from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from accounts.models import User
from billing.models import Subscription, SubscriptionPlan
from fitbud.api.exceptions import Conflict

# What a subscriber agreed to pay: frozen once anyone subscribed (renewals charge the plan).
_PRICING_FIELDS = ("price", "currency", "interval")


def _has_subscriptions(plan: SubscriptionPlan) -> bool:
    return Subscription.objects.filter(plan=plan).exists()


@transaction.atomic
def plan_create(
    *,
    trainer: User,
    name: str,
    price: int,
    currency: str,
    interval: str,
    is_active: bool = True,
) -> SubscriptionPlan:
    return SubscriptionPlan.objects.create(
        studio_id=trainer.membership.studio_id,
        trainer=trainer,
        name=name,
        price=price,
        currency=currency,
        interval=interval,
        is_active=is_active,
    )


@transaction.atomic
def plan_update(*, plan: SubscriptionPlan, **changes) -> SubscriptionPlan:
    plan = SubscriptionPlan.objects.select_for_update().get(pk=plan.pk)
    pricing_changed = any(
        field in changes and changes[field] != getattr(plan, field) for field in _PRICING_FIELDS
    )
    if pricing_changed and _has_subscriptions(plan):
        raise Conflict(
            "This plan has subscribers: its price, currency and interval cannot change. "
            "Create a new plan and deactivate this one.",
            code="plan_in_use",
        )
    for field, value in changes.items():
        setattr(plan, field, value)
    if pricing_changed:
        # A Stripe Price mapped by staff describes the old pricing; checkout falls back to
        # price_data built from the plan until staff map a new one.
        plan.stripe_price_id = ""
    plan.save()
    return plan


@transaction.atomic
def plan_delete(*, plan: SubscriptionPlan) -> None:
    """Delete a plan nobody ever subscribed to; a plan with history must be deactivated."""
    plan = SubscriptionPlan.objects.select_for_update().get(pk=plan.pk)
    in_use = Conflict(
        "Clients have subscribed to this plan, so its history is kept: deactivate it "
        "(is_active=false) instead of deleting it.",
        code="plan_in_use",
    )
    if _has_subscriptions(plan):
        raise in_use
    try:
        # A checkout committing between the check and the delete trips the foreign key.
        with transaction.atomic():
            plan.delete()
    except (ProtectedError, IntegrityError):
        raise in_use from None
