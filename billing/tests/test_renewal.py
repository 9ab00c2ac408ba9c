"""`renew_subscriptions`: the test provider's renewals, safe to run twice or concurrently."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.models import Payment, Subscription
from billing.periods import period_end
from billing.providers.test import payment_id
from billing.services import subscription_renew
from billing.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def renew() -> str:
    out = StringIO()
    call_command("renew_subscriptions", stdout=out)
    return out.getvalue()


def due_subscription(client_link, plan, **kwargs):
    end = timezone.now() - datetime.timedelta(minutes=5)
    return SubscriptionFactory(
        client=client_link,
        plan=plan,
        current_period_start=end - datetime.timedelta(days=31),
        current_period_end=end,
        **kwargs,
    )


def test_a_due_subscription_is_renewed_for_one_more_period_and_charged(
    client_link, plan, received_payments
):
    subscription = due_subscription(client_link, plan)
    old_end = subscription.current_period_end

    assert "renewed: 1" in renew()

    subscription.refresh_from_db()
    payment = Payment.objects.get()
    assert subscription.status == "active"
    assert subscription.current_period_start == old_end
    assert subscription.current_period_end == period_end(old_end, "month")
    assert payment.provider_payment_id == payment_id(subscription.pk, old_end)
    assert (payment.amount, payment.currency, payment.status) == (9900, "EUR", "succeeded")
    assert (payment.period_start, payment.period_end) == (old_end, subscription.current_period_end)
    assert received_payments == [payment.pk]


def test_running_the_renewal_twice_charges_once(client_link, plan, received_payments):
    due_subscription(client_link, plan)

    renew()
    assert "none due" in renew()

    assert Payment.objects.count() == 1
    assert len(received_payments) == 1


def test_renewing_the_same_subscription_twice_in_the_same_moment_charges_once(client_link, plan):
    subscription = due_subscription(client_link, plan)
    now = timezone.now()
    assert subscription_renew(subscription_id=subscription.pk, now=now) == "renewed"
    assert subscription_renew(subscription_id=subscription.pk, now=now) == "skipped"
    assert Payment.objects.count() == 1


def test_a_subscription_set_to_cancel_ends_instead_of_renewing(client_link, plan):
    subscription = due_subscription(client_link, plan, cancel_at_period_end=True)

    assert "canceled: 1" in renew()

    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert subscription.canceled_at is not None
    assert not Payment.objects.exists()


def test_a_subscription_that_is_not_due_is_left_alone(client_link, plan):
    subscription = SubscriptionFactory(client=client_link, plan=plan)
    renew()
    assert Subscription.objects.get(pk=subscription.pk).current_period_end == (
        subscription.current_period_end
    )
    assert not Payment.objects.exists()


def test_stripe_subscriptions_are_renewed_by_stripe_not_by_us(client_link, plan):
    due_subscription(client_link, plan, provider="stripe")
    assert "none due" in renew()
    assert not Payment.objects.exists()


def test_a_declined_renewal_makes_the_subscription_past_due_and_is_retried(
    client_link, plan, settings, received_payments
):
    subscription = due_subscription(client_link, plan)
    settings.BILLING_TEST_DECLINED_AMOUNTS = [plan.price]

    assert "failed: 1" in renew()
    assert "failed: 1" in renew()  # retried, still one row for the period
    subscription.refresh_from_db()
    payment = Payment.objects.get()
    assert subscription.status == "past_due"
    assert payment.status == "failed"
    assert received_payments == []

    settings.BILLING_TEST_DECLINED_AMOUNTS = []
    assert "renewed: 1" in renew()
    subscription.refresh_from_db()
    payment.refresh_from_db()
    assert subscription.status == "active"
    assert payment.status == "succeeded"
    assert Payment.objects.count() == 1
    assert received_payments == [payment.pk]


def test_a_subscription_past_due_beyond_the_grace_period_is_canceled(client_link, plan):
    subscription = due_subscription(client_link, plan, status="past_due")
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_end=timezone.now() - datetime.timedelta(days=15)
    )
    assert "canceled: 1" in renew()
    assert Subscription.objects.get(pk=subscription.pk).status == "canceled"


@pytest.mark.parametrize(
    "start,interval,end",
    [
        ("2026-01-31T10:00:00", "month", "2026-02-28T10:00:00"),
        ("2028-01-31T10:00:00", "month", "2028-02-29T10:00:00"),
        ("2026-12-15T10:00:00", "month", "2027-01-15T10:00:00"),
        ("2028-02-29T10:00:00", "year", "2029-02-28T10:00:00"),
        ("2026-03-01T10:00:00", "week", "2026-03-08T10:00:00"),
    ],
)
def test_billing_periods_follow_the_calendar(start, interval, end):
    def parse(value):
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)

    assert period_end(parse(start), interval) == parse(end)
