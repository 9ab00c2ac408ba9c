"""Security finding 3: a deactivated client is not charged again, and both sides can cancel.

Deactivation cancels the live subscription at the end of the paid period (no renewal, no
refund), reactivation does not resume it, the trainer can cancel a client's subscription,
and a deactivated client can still cancel their own.
"""

import datetime
from io import StringIO

import pytest
import stripe
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from billing.models import Payment, Subscription
from billing.tests.factories import SubscriptionFactory
from clients.models import Client
from clients.services import client_set_active
from conftest import assert_error

pytestmark = pytest.mark.django_db

CANCEL = "/api/v1/me/subscription/cancel/"


def client_url(client_link) -> str:
    return reverse("client-detail", args=[client_link.pk])


def cancel_url(subscription) -> str:
    return reverse("billing-subscription-cancel", args=[subscription.pk])


def renew() -> str:
    out = StringIO()
    call_command("renew_subscriptions", stdout=out)
    return out.getvalue()


@pytest.fixture
def subscription(client_link, plan):
    """Active with the test provider, paid until 10 days from now."""
    now = timezone.now()
    return SubscriptionFactory(
        client=client_link,
        plan=plan,
        current_period_start=now - datetime.timedelta(days=20),
        current_period_end=now + datetime.timedelta(days=10),
    )


@pytest.fixture
def stripe_subscription(client_link, plan):
    return SubscriptionFactory(
        client=client_link, plan=plan, provider="stripe", provider_subscription_id="sub_test_1"
    )


def deactivate(trainer_api, client_link, is_active=False):
    return trainer_api.patch(client_url(client_link), {"is_active": is_active}, format="json")


# --- deactivation ---


def test_deactivation_stops_the_renewal_and_the_client_keeps_the_paid_period(
    trainer_api, client_link, subscription, time_machine
):
    assert deactivate(trainer_api, client_link).status_code == 200

    subscription.refresh_from_db()
    assert subscription.status == "active"  # paid until the end of the period: no refund
    assert subscription.cancel_at_period_end is True
    assert subscription.canceled_at is not None

    time_machine.move_to(subscription.current_period_end + datetime.timedelta(minutes=1))
    assert "canceled: 1" in renew()
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert not Payment.objects.exists()


def test_deactivation_cancels_an_unpaid_checkout_at_once(trainer_api, client_link, plan):
    pending = SubscriptionFactory(
        client=client_link, plan=plan, status="incomplete", current_period_end=None
    )
    deactivate(trainer_api, client_link)
    pending.refresh_from_db()
    assert pending.status == "canceled"


def test_deactivating_a_client_without_a_subscription_still_works(trainer_api, client_link):
    assert deactivate(trainer_api, client_link).json()["is_active"] is False


def test_reactivation_does_not_resume_the_subscription(
    trainer_api, client_link, subscription, time_machine
):
    deactivate(trainer_api, client_link)
    assert deactivate(trainer_api, client_link, is_active=True).json()["is_active"] is True

    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    time_machine.move_to(subscription.current_period_end + datetime.timedelta(minutes=1))
    assert "canceled: 1" in renew()
    assert not Payment.objects.exists()


def test_deactivation_tells_stripe_to_cancel_at_period_end(
    trainer_api, client_link, stripe_subscription, stripe_stub
):
    deactivate(trainer_api, client_link)
    assert stripe_stub.modified == [
        ("sub_test_1", {"api_key": "sk_test_dummy", "cancel_at_period_end": True})
    ]
    stripe_subscription.refresh_from_db()
    assert stripe_subscription.cancel_at_period_end is True


def test_a_stripe_outage_during_deactivation_changes_nothing(
    trainer_api, client_link, stripe_subscription, stripe_stub
):
    stripe_stub.fail_with = stripe.APIConnectionError("down")
    trainer_api.raise_request_exception = False

    assert_error(deactivate(trainer_api, client_link), 502, "payment_provider_unavailable")

    client_link.refresh_from_db()
    stripe_subscription.refresh_from_db()
    assert client_link.is_active is True
    assert stripe_subscription.cancel_at_period_end is False


def test_deactivation_by_the_service_the_admin_uses_stops_the_renewal_too(
    client_link, subscription
):
    client_set_active(client=client_link, is_active=False, changed_by=None)
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True


# --- the trainer cancels ---


def test_the_trainer_cancels_a_clients_subscription_at_period_end(
    trainer_api, subscription, time_machine
):
    response = trainer_api.post(cancel_url(subscription))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == subscription.pk
    assert body["client"]["id"] == subscription.client_id
    assert (body["status"], body["cancel_at_period_end"]) == ("active", True)
    again = trainer_api.post(cancel_url(subscription), {}, format="json")
    assert again.json() == body

    time_machine.move_to(subscription.current_period_end + datetime.timedelta(minutes=1))
    assert "canceled: 1" in renew()
    assert not Payment.objects.exists()


def test_the_trainer_cancels_an_unpaid_checkout_at_once(trainer_api, client_link, plan):
    pending = SubscriptionFactory(client=client_link, plan=plan, status="incomplete")
    assert trainer_api.post(cancel_url(pending)).json()["status"] == "canceled"


def test_cancelling_an_ended_subscription_answers_it_unchanged(trainer_api, client_link, plan):
    ended = SubscriptionFactory(client=client_link, plan=plan, status="canceled")
    body = trainer_api.post(cancel_url(ended)).json()
    assert (body["status"], body["cancel_at_period_end"]) == ("canceled", False)


def test_the_trainer_cancel_goes_through_stripe(trainer_api, stripe_subscription, stripe_stub):
    trainer_api.post(cancel_url(stripe_subscription))
    assert stripe_stub.modified == [
        ("sub_test_1", {"api_key": "sk_test_dummy", "cancel_at_period_end": True})
    ]


def test_a_stripe_outage_during_the_trainer_cancel_is_a_502(
    trainer_api, stripe_subscription, stripe_stub
):
    stripe_stub.fail_with = stripe.APIConnectionError("down")
    trainer_api.raise_request_exception = False
    assert_error(trainer_api.post(cancel_url(stripe_subscription)), 502)
    stripe_subscription.refresh_from_db()
    assert stripe_subscription.cancel_at_period_end is False


def test_another_trainers_subscription_is_a_404_and_stays_untouched(
    other_trainer_api, subscription
):
    assert_error(other_trainer_api.post(cancel_url(subscription)), 404)
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False


def test_clients_cannot_use_the_trainer_cancel(client_api, subscription):
    assert_error(client_api.post(cancel_url(subscription)), 403)
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False


def test_the_trainer_cancel_takes_no_body(trainer_api, subscription):
    assert_error(trainer_api.post(cancel_url(subscription), {"now": True}, format="json"), 400)


def test_the_trainer_cancel_needs_a_login(api_client, subscription):
    assert_error(api_client.post(cancel_url(subscription)), 401)


# --- a deactivated client cancels their own ---


def test_a_deactivated_client_can_still_cancel_their_own_subscription(
    client_api, client_link, subscription
):
    # A client deactivated before this rule existed: their subscription still renews.
    Client.objects.filter(pk=client_link.pk).update(is_active=False, deactivated_at=timezone.now())

    response = client_api.post(CANCEL)

    assert response.status_code == 200, response.content
    assert response.json()["cancel_at_period_end"] is True
    assert Subscription.objects.get().cancel_at_period_end is True
