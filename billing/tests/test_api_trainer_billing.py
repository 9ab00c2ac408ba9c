"""The trainer's view of their clients' subscriptions and payments."""

import datetime

import pytest
from django.utils import timezone

from billing.models import Payment, Subscription
from billing.tests.factories import PaymentFactory, SubscriptionFactory
from billing.tests.helpers import count_queries
from clients.tests.factories import ClientFactory
from conftest import assert_error

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/billing/subscriptions/"
PAYMENTS = "/api/v1/billing/payments/"


def _created(obj, days_ago: int):
    type(obj).objects.filter(pk=obj.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_a_trainer_sees_the_subscriptions_of_their_clients_only(
    trainer_api, client_link, other_client_link
):
    mine = SubscriptionFactory(client=client_link)
    SubscriptionFactory(client=other_client_link)

    response = trainer_api.get(SUBSCRIPTIONS)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [s["id"] for s in results] == [mine.pk]
    assert results[0]["client"] == {
        "id": client_link.pk,
        "full_name": "Cleo Client",
        "email": "cleo@example.com",
    }
    assert results[0]["plan"]["price"] == 9900
    assert results[0]["status"] == "active"


def test_subscriptions_filter_by_status_and_client(trainer_api, trainer, client_link):
    active = SubscriptionFactory(client=client_link)
    other = ClientFactory(trainer=trainer)
    canceled = SubscriptionFactory(client=other, status="canceled")

    by_status = trainer_api.get(SUBSCRIPTIONS, {"status": "canceled"}).json()["results"]
    by_client = trainer_api.get(SUBSCRIPTIONS, {"client": client_link.pk}).json()["results"]

    assert [s["id"] for s in by_status] == [canceled.pk]
    assert [s["id"] for s in by_client] == [active.pk]


def test_subscriptions_filter_by_date_range(trainer_api, trainer, client_link):
    old = SubscriptionFactory(client=client_link, status="canceled")
    _created(old, 60)
    recent = SubscriptionFactory(client=client_link)
    today = timezone.now().date()

    since = trainer_api.get(SUBSCRIPTIONS, {"date_from": str(today - datetime.timedelta(days=7))})
    until = trainer_api.get(SUBSCRIPTIONS, {"date_to": str(today - datetime.timedelta(days=30))})
    both = trainer_api.get(SUBSCRIPTIONS, {"date_from": str(today), "date_to": str(today)})

    assert [s["id"] for s in since.json()["results"]] == [recent.pk]
    assert [s["id"] for s in until.json()["results"]] == [old.pk]
    assert [s["id"] for s in both.json()["results"]] == [recent.pk]


def test_filtering_by_another_trainers_client_finds_nothing(trainer_api, other_client_link):
    SubscriptionFactory(client=other_client_link)
    response = trainer_api.get(SUBSCRIPTIONS, {"client": other_client_link.pk})
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params,attr",
    [
        ({"status": "paid"}, "status"),
        ({"client": "abc"}, "client"),
        ({"client": "1" * 40}, "client"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2026-02-30"}, "date_to"),
    ],
)
def test_bad_filters_are_a_400(trainer_api, params, attr):
    assert_error(trainer_api.get(SUBSCRIPTIONS, params), 400, attr=attr)
    assert_error(trainer_api.get(PAYMENTS, params), 400, attr=attr)


def test_the_far_future_date_to_is_harmless(trainer_api, client_link):
    SubscriptionFactory(client=client_link)
    response = trainer_api.get(SUBSCRIPTIONS, {"date_to": "9999-12-31"})
    assert response.json()["count"] == 1


def test_a_trainer_reads_one_subscription_of_a_client(trainer_api, client_link):
    subscription = SubscriptionFactory(client=client_link)
    response = trainer_api.get(f"{SUBSCRIPTIONS}{subscription.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == subscription.pk


def test_a_trainer_sees_their_clients_payments_with_integer_amounts(
    trainer_api, client_link, other_client_link
):
    mine = PaymentFactory(subscription__client=client_link, amount=1999)
    PaymentFactory(subscription__client=other_client_link)

    response = trainer_api.get(PAYMENTS)

    results = response.json()["results"]
    assert [p["id"] for p in results] == [mine.pk]
    assert results[0]["amount"] == 1999 and type(results[0]["amount"]) is int
    assert results[0]["client"]["id"] == client_link.pk
    assert "provider_payment_id" not in results[0]


def test_payments_filter_by_status_client_and_dates(trainer_api, trainer, client_link):
    subscription = SubscriptionFactory(client=client_link)
    failed = PaymentFactory(subscription=subscription, status="failed", paid_at=None)
    old = PaymentFactory(subscription=subscription)
    _created(old, 45)
    other = PaymentFactory(subscription__client=ClientFactory(trainer=trainer))
    today = timezone.now().date()

    def ids(**params):
        return [p["id"] for p in trainer_api.get(PAYMENTS, params).json()["results"]]

    assert ids(status="failed") == [failed.pk]
    assert set(ids(client=client_link.pk)) == {failed.pk, old.pk}
    assert set(ids(date_from=str(today))) == {failed.pk, other.pk}
    assert ids(date_to=str(today - datetime.timedelta(days=40))) == [old.pk]


def test_payments_can_be_ordered_by_amount(trainer_api, client_link):
    subscription = SubscriptionFactory(client=client_link)
    big = PaymentFactory(subscription=subscription, amount=5000)
    small = PaymentFactory(subscription=subscription, amount=100)
    results = trainer_api.get(PAYMENTS, {"ordering": "amount"}).json()["results"]
    assert [p["id"] for p in results] == [small.pk, big.pk]


def test_a_trainer_reads_one_payment_of_a_client(trainer_api, client_link):
    payment = PaymentFactory(subscription__client=client_link)
    response = trainer_api.get(f"{PAYMENTS}{payment.pk}/")
    assert response.status_code == 200
    assert response.json()["amount"] == payment.amount


def test_the_lists_are_read_only(trainer_api, client_link):
    subscription = SubscriptionFactory(client=client_link)
    assert_error(trainer_api.post(SUBSCRIPTIONS, {}), 405)
    assert_error(trainer_api.delete(f"{SUBSCRIPTIONS}{subscription.pk}/"), 405)
    assert_error(trainer_api.post(PAYMENTS, {}), 405)
    assert Subscription.objects.count() == 1 and Payment.objects.count() == 0


@pytest.mark.parametrize("rows", [3, 30])
def test_the_subscription_list_runs_a_fixed_number_of_queries(trainer_api, trainer, rows):
    for _ in range(rows):
        SubscriptionFactory(client=ClientFactory(trainer=trainer))
    # auth user + page (plan and client user joined; a last page counts its own rows)
    assert count_queries(trainer_api, f"{SUBSCRIPTIONS}?page_size=100") == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_the_payment_list_runs_a_fixed_number_of_queries(trainer_api, trainer, rows):
    for _ in range(rows):
        PaymentFactory(subscription__client=ClientFactory(trainer=trainer))
    assert count_queries(trainer_api, f"{PAYMENTS}?page_size=100") == 2
