"""The client's side with the built-in test provider: checkout, idempotency, cancel, reads."""

import datetime

import pytest
from django.utils import timezone

from billing.models import IdempotencyRecord, Payment, Subscription
from billing.providers.test import payment_id
from billing.tests.factories import PaymentFactory, SubscriptionFactory, SubscriptionPlanFactory
from billing.tests.helpers import count_queries
from conftest import assert_error

pytestmark = pytest.mark.django_db

ME_SUBSCRIPTION = "/api/v1/me/subscription/"
CHECKOUT = "/api/v1/me/subscription/checkout/"
CANCEL = "/api/v1/me/subscription/cancel/"
ME_PAYMENTS = "/api/v1/me/payments/"


def test_checkout_with_the_test_provider_charges_at_once_and_activates(
    client_api, client_link, plan, received_payments
):
    response = client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 201, response.content
    body = response.json()
    subscription = Subscription.objects.get(client=client_link)
    payment = Payment.objects.get(client=client_link)
    assert body["checkout_url"] is None
    assert body["subscription"]["id"] == subscription.pk
    assert body["subscription"]["status"] == "active"
    assert body["subscription"]["plan"] == {
        "id": plan.pk,
        "name": "Monthly coaching",
        "price": 9900,
        "currency": "EUR",
        "interval": "month",
    }
    assert body["subscription"]["cancel_at_period_end"] is False
    assert body["payment"]["id"] == payment.pk
    assert body["payment"]["status"] == "succeeded"
    assert body["payment"]["amount"] == 9900
    assert body["payment"]["currency"] == "EUR"
    assert payment.provider_payment_id == payment_id(subscription.pk, payment.period_start)
    assert payment.period_end == subscription.current_period_end
    assert subscription.current_period_end.month != subscription.current_period_start.month
    assert received_payments == [payment.pk]


def test_the_current_subscription_is_null_before_any_checkout(client_api):
    response = client_api.get(ME_SUBSCRIPTION)
    assert response.status_code == 200
    assert response.json() is None


def test_the_current_subscription_shows_status_and_period(client_api, client_link, plan):
    subscription = SubscriptionFactory(client=client_link, plan=plan)

    body = client_api.get(ME_SUBSCRIPTION).json()

    assert body["id"] == subscription.pk
    assert body["status"] == "active"
    assert body["plan"]["price"] == 9900
    assert body["current_period_end"].endswith("Z")


def test_a_declined_charge_leaves_the_subscription_incomplete_and_records_the_failure(
    client_api, client_link, trainer, received_payments
):
    declined = SubscriptionPlanFactory(trainer=trainer, price=402)

    response = client_api.post(CHECKOUT, {"plan": declined.pk})

    assert response.status_code == 201
    body = response.json()
    assert body["subscription"]["status"] == "incomplete"
    assert body["payment"]["status"] == "failed"
    assert body["payment"]["failure_reason"] == "Card declined (test provider)."
    assert body["subscription"]["current_period_end"] is None
    assert received_payments == []
    assert client_api.get(ME_SUBSCRIPTION).json()["status"] == "incomplete"


def test_the_declined_amounts_are_configurable(client_api, plan, settings):
    settings.BILLING_TEST_DECLINED_AMOUNTS = [9900]
    response = client_api.post(CHECKOUT, {"plan": plan.pk})
    assert response.json()["payment"]["status"] == "failed"


def test_a_new_checkout_replaces_an_unpaid_one(client_api, client_link, trainer, plan):
    declined = SubscriptionPlanFactory(trainer=trainer, price=402)
    first = client_api.post(CHECKOUT, {"plan": declined.pk}).json()["subscription"]

    response = client_api.post(CHECKOUT, {"plan": plan.pk})

    assert response.status_code == 201
    assert response.json()["subscription"]["status"] == "active"
    assert Subscription.objects.get(pk=first["id"]).status == "canceled"
    assert client_api.get(ME_SUBSCRIPTION).json()["id"] == response.json()["subscription"]["id"]


def test_checkout_is_refused_while_a_subscription_is_active(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan)
    assert_error(client_api.post(CHECKOUT, {"plan": plan.pk}), 409, "already_subscribed")
    assert Subscription.objects.filter(client=client_link).count() == 1


def test_a_past_due_subscription_also_blocks_a_second_checkout(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan, status="past_due")
    assert_error(client_api.post(CHECKOUT, {"plan": plan.pk}), 409, "already_subscribed")


def test_a_canceled_subscription_allows_subscribing_again(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan, status="canceled")
    assert client_api.post(CHECKOUT, {"plan": plan.pk}).status_code == 201


def test_checkout_of_another_trainers_plan_is_404(client_api, other_plan):
    assert_error(client_api.post(CHECKOUT, {"plan": other_plan.pk}), 404, "not_found")
    assert not Subscription.objects.exists()


def test_checkout_of_an_inactive_plan_is_404(client_api, trainer):
    inactive = SubscriptionPlanFactory(trainer=trainer, is_active=False)
    assert_error(client_api.post(CHECKOUT, {"plan": inactive.pk}), 404, "not_found")


@pytest.mark.parametrize(
    "body,code,attr",
    [
        ({}, "required", "plan"),
        ({"plan": None}, "null", "plan"),
        ({"plan": "1"}, "invalid", "plan"),
        ({"plan": 1.0}, "invalid", "plan"),
        ({"plan": 0}, "min_value", "plan"),
        ({"plan": 2**70}, "max_value", "plan"),
        ({"plan": [1]}, "invalid", "plan"),
        ({"plan": 1, "coupon": "FREE"}, "unknown_field", "coupon"),
    ],
)
def test_checkout_rejects_bad_input(client_api, body, code, attr):
    assert_error(client_api.post(CHECKOUT, body), 400, code, attr)


def test_checkout_of_a_plan_id_that_does_not_exist_is_404(client_api):
    assert_error(client_api.post(CHECKOUT, {"plan": 2**62}), 404)


def test_checkout_rejects_a_non_object_body(client_api):
    assert_error(client_api.post(CHECKOUT, [1, 2], format="json"), 400)


# --- Idempotency-Key ---


def test_a_retry_with_the_same_key_returns_the_first_answer_and_charges_once(
    client_api, client_link, plan, received_payments
):
    first = client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="retry-me")
    second = client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="retry-me")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Subscription.objects.filter(client=client_link).count() == 1
    assert Payment.objects.filter(client=client_link).count() == 1
    assert len(received_payments) == 1


def test_without_a_key_a_second_checkout_is_a_conflict_not_a_second_charge(
    client_api, client_link, plan
):
    assert client_api.post(CHECKOUT, {"plan": plan.pk}).status_code == 201
    assert_error(client_api.post(CHECKOUT, {"plan": plan.pk}), 409, "already_subscribed")
    assert Payment.objects.filter(client=client_link).count() == 1


def test_the_same_key_with_a_different_body_is_a_422(client_api, trainer, plan):
    yearly = SubscriptionPlanFactory(trainer=trainer, interval="year", price=99000)
    client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="k")

    response = client_api.post(CHECKOUT, {"plan": yearly.pk}, HTTP_IDEMPOTENCY_KEY="k")

    assert_error(response, 422, "idempotency_key_mismatch")
    assert Subscription.objects.filter(plan=yearly).count() == 0


def test_a_refused_request_is_not_remembered_so_the_key_can_be_retried(
    client_api, client_link, plan
):
    assert_error(client_api.post(CHECKOUT, {"plan": "x"}, HTTP_IDEMPOTENCY_KEY="k"), 400)
    assert not IdempotencyRecord.objects.exists()


def test_keys_belong_to_one_user(client_api, other_client_api, plan, other_plan):
    assert client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    response = other_client_api.post(CHECKOUT, {"plan": other_plan.pk}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201
    assert response.json()["subscription"]["plan"]["id"] == other_plan.pk


@pytest.mark.parametrize("key", ["x" * 256, "clé", "a\tb"])
def test_a_malformed_idempotency_key_is_a_400(client_api, plan, key):
    response = client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY=key)
    assert_error(response, 400, "invalid_idempotency_key")
    assert not Subscription.objects.exists()


# --- cancel ---


def test_cancel_keeps_access_until_the_end_of_the_paid_period(client_api, client_link, plan):
    subscription = SubscriptionFactory(client=client_link, plan=plan)

    response = client_api.post(CANCEL)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active"
    assert body["cancel_at_period_end"] is True
    assert body["canceled_at"] is not None
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is True
    assert client_api.get(ME_SUBSCRIPTION).json()["cancel_at_period_end"] is True


def test_canceling_twice_changes_nothing(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan)
    first = client_api.post(CANCEL).json()
    second = client_api.post(CANCEL, {})
    assert second.status_code == 200
    assert second.json() == first


def test_canceling_an_unpaid_checkout_ends_it_at_once(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan, status="incomplete")

    response = client_api.post(CANCEL)

    assert response.json()["status"] == "canceled"
    assert client_api.get(ME_SUBSCRIPTION).json() is None


def test_cancel_without_a_subscription_is_a_409(client_api):
    assert_error(client_api.post(CANCEL), 409, "not_subscribed")


def test_cancel_refuses_a_body(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan)
    assert_error(client_api.post(CANCEL, {"now": True}), 400, "unknown_field", "now")


# --- deactivated clients ---


def test_a_deactivated_client_reads_and_cancels_but_cannot_pay(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan)
    PaymentFactory(subscription__client=client_link, subscription__status="canceled")
    client_link.is_active = False
    client_link.deactivated_at = timezone.now()
    client_link.save()

    assert client_api.get(ME_SUBSCRIPTION).status_code == 200
    assert client_api.get(ME_PAYMENTS).json()["count"] == 1
    assert client_api.get("/api/v1/billing/plans/").status_code == 200
    assert_error(client_api.post(CHECKOUT, {"plan": plan.pk}), 403, "client_inactive")
    # Cancelling is not logging new entries (security finding 3): allowed.
    assert client_api.post(CANCEL).json()["cancel_at_period_end"] is True


# --- payment history ---


def test_a_client_lists_their_own_payments_newest_first(client_api, client_link, other_client_link):
    subscription = SubscriptionFactory(client=client_link)
    old = PaymentFactory(subscription=subscription)
    Payment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    new = PaymentFactory(subscription=subscription, status="failed", paid_at=None)
    PaymentFactory(subscription__client=other_client_link)

    response = client_api.get(ME_PAYMENTS)

    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["results"]] == [new.pk, old.pk]
    assert set(body["results"][0]) == {
        "id",
        "subscription",
        "amount",
        "currency",
        "status",
        "period_start",
        "period_end",
        "paid_at",
        "failure_reason",
        "created_at",
    }
    assert body["results"][0]["subscription"] == subscription.pk


@pytest.mark.parametrize("rows", [3, 30])
def test_my_payments_runs_a_fixed_number_of_queries(client_api, client_link, rows):
    subscription = SubscriptionFactory(client=client_link)
    PaymentFactory.create_batch(rows, subscription=subscription)
    # auth user (with the client link) + page (a last page counts its own rows)
    assert count_queries(client_api, f"{ME_PAYMENTS}?page_size=100") == 2


def test_my_subscription_runs_a_fixed_number_of_queries(client_api, client_link, plan):
    SubscriptionFactory(client=client_link, plan=plan)
    assert count_queries(client_api, ME_SUBSCRIPTION) == 2


def test_payment_received_is_sent_inside_the_checkout_transaction(client_api, client_link, plan):
    from django.db import transaction

    from billing.signals import payment_received

    def refuse(sender, payment, **kwargs):
        assert transaction.get_connection().in_atomic_block
        raise RuntimeError("the feed write failed")

    payment_received.connect(refuse, dispatch_uid="billing-tests-refuse")
    client_api.raise_request_exception = False
    try:
        response = client_api.post(CHECKOUT, {"plan": plan.pk})
    finally:
        payment_received.disconnect(dispatch_uid="billing-tests-refuse")

    # The receiver's failure rolls the payment back with it: no payment without its feed row.
    assert response.status_code == 500
    assert not Payment.objects.exists()
    assert not Subscription.objects.exists()


def test_a_client_login_without_a_trainer_link_is_refused_cleanly(db):
    from accounts.tests.factories import ClientUserFactory
    from conftest import auth_client

    orphan = auth_client(ClientUserFactory())
    assert_error(orphan.get(ME_SUBSCRIPTION), 403)
    assert_error(orphan.post(CHECKOUT, {"plan": 1}), 403)
    assert orphan.get("/api/v1/billing/plans/").json()["results"] == []
