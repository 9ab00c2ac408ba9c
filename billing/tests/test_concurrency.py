"""Money moves once even when requests race (PostgreSQL row locks, real threads)."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from billing.models import IdempotencyRecord, Payment, Subscription, WebhookEvent
from billing.tests.factories import SubscriptionFactory, SubscriptionPlanFactory
from billing.tests.helpers import invoice, post_webhook, stripe_event
from clients.tests.factories import ClientFactory
from conftest import auth_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHECKOUT = "/api/v1/me/subscription/checkout/"


def race(count: int, work) -> list:
    """Run `work(i)` in `count` threads released at the same moment; collect the results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_same_webhook_delivered_concurrently_is_applied_once(received_payments):
    subscription = SubscriptionFactory(provider="stripe", provider_subscription_id="sub_race")
    event = stripe_event("invoice.paid", invoice(invoice_id="in_race", stripe_sub="sub_race"))
    from rest_framework.test import APIClient

    statuses = race(4, lambda i: post_webhook(APIClient(), event).json()["status"])

    assert sorted(statuses) == ["duplicate", "duplicate", "duplicate", "processed"]
    assert WebhookEvent.objects.count() == 1
    assert Payment.objects.filter(subscription=subscription).count() == 1
    assert len(received_payments) == 1


def test_different_events_for_the_same_invoice_concurrently_make_one_payment(received_payments):
    SubscriptionFactory(provider="stripe", provider_subscription_id="sub_race")
    obj = invoice(invoice_id="in_race", stripe_sub="sub_race")
    events = [stripe_event("invoice.paid", obj) for _ in range(4)]
    from rest_framework.test import APIClient

    statuses = race(4, lambda i: post_webhook(APIClient(), events[i]).status_code)

    assert statuses == [200] * 4
    assert WebhookEvent.objects.count() == 4
    assert Payment.objects.count() == 1
    assert len(received_payments) == 1


def test_concurrent_checkouts_with_the_same_key_have_one_effect(received_payments):
    link = ClientFactory()
    plan = SubscriptionPlanFactory(trainer=link.trainer)

    def checkout(i):
        response = auth_client(link.user).post(
            CHECKOUT, {"plan": plan.pk}, format="json", HTTP_IDEMPOTENCY_KEY="same-key"
        )
        return response.status_code, response.json()

    results = race(4, checkout)

    assert {status for status, _ in results} == {201}
    assert len({body["subscription"]["id"] for _, body in results}) == 1
    assert Subscription.objects.filter(client=link).count() == 1
    assert Payment.objects.filter(client=link).count() == 1
    assert IdempotencyRecord.objects.count() == 1
    assert len(received_payments) == 1


def test_concurrent_checkouts_without_a_key_create_one_subscription():
    link = ClientFactory()
    plan = SubscriptionPlanFactory(trainer=link.trainer)

    def checkout(i):
        response = auth_client(link.user).post(CHECKOUT, {"plan": plan.pk}, format="json")
        return response.status_code

    statuses = race(4, checkout)

    assert sorted(statuses) == [201, 409, 409, 409]
    assert Subscription.objects.filter(client=link).count() == 1
    assert Payment.objects.filter(client=link).count() == 1


def test_two_renewal_runs_at_once_charge_each_subscription_once(received_payments):
    end = timezone.now() - datetime.timedelta(minutes=1)
    subscriptions = [
        SubscriptionFactory(
            current_period_start=end - datetime.timedelta(days=30), current_period_end=end
        )
        for _ in range(6)
    ]

    race(3, lambda i: call_command("renew_subscriptions", stdout=StringIO()))

    assert Payment.objects.count() == 6
    for subscription in subscriptions:
        subscription.refresh_from_db()
        assert subscription.current_period_start == end
        assert subscription.payments.count() == 1
    assert len(received_payments) == 6
