"""Billing in a studio: `?coach=` on the lists, billing/payments/summary/ for managers."""

import datetime as dt

import pytest

from accounts.models import StudioRole
from accounts.tests.studio import studio_member
from billing.models import Payment
from billing.tests.factories import PaymentFactory, SubscriptionFactory
from billing.tests.helpers import count_queries
from clients.tests.factories import ClientFactory
from conftest import assert_error, auth_client

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/billing/subscriptions/"
PAYMENTS = "/api/v1/billing/payments/"
SUMMARY = "/api/v1/billing/payments/summary/"
PAID = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def pay(client, amount, currency="EUR", *, paid_at=PAID, status=Payment.Status.SUCCEEDED):
    subscription = client.subscriptions.first() or SubscriptionFactory(client=client)
    return PaymentFactory(
        subscription=subscription,
        amount=amount,
        currency=currency,
        paid_at=paid_at,
        status=status,
    )


@pytest.fixture
def studio(trainer, other_trainer):
    coach = studio_member(trainer, StudioRole.COACH, full_name="Cora Coach")
    specialist = studio_member(trainer, StudioRole.SPECIALIST)
    owner_client = ClientFactory(trainer=trainer)
    coach_client = ClientFactory(trainer=coach)
    payments = {
        "owner": pay(owner_client, 5000),
        "coach": pay(coach_client, 7000),
        "coach_usd": pay(coach_client, 3000, "USD"),
        "coach_refund": pay(coach_client, 1000, status=Payment.Status.REFUNDED),
        "coach_failed": pay(coach_client, 900, status=Payment.Status.FAILED),
        "coach_old": pay(coach_client, 400, paid_at=PAID - dt.timedelta(days=40)),
        "other_studio": pay(ClientFactory(trainer=other_trainer), 8000),
    }
    return {
        "owner": trainer,
        "coach": coach,
        "specialist": specialist,
        "other": other_trainer,
        "payments": payments,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_owner_sees_every_payment_of_the_studio(studio):
    p = studio["payments"]
    seen = ids(auth_client(studio["owner"]).get(PAYMENTS))
    assert seen == {v.pk for k, v in p.items() if k != "other_studio"}


def test_owner_filters_by_coach(studio):
    p = studio["payments"]
    api = auth_client(studio["owner"])
    coach_member = studio["coach"].membership.pk
    owner_member = studio["owner"].membership.pk
    coach_payments = {v.pk for k, v in p.items() if k.startswith("coach")}
    assert ids(api.get(PAYMENTS, {"coach": coach_member})) == coach_payments
    assert ids(api.get(PAYMENTS, {"coach": owner_member})) == {p["owner"].pk}
    # The specialist coaches nobody; another studio's member finds nothing.
    assert ids(api.get(PAYMENTS, {"coach": studio["specialist"].membership.pk})) == set()
    assert ids(api.get(PAYMENTS, {"coach": studio["other"].membership.pk})) == set()
    subscriptions = ids(api.get(SUBSCRIPTIONS, {"coach": coach_member}))
    assert subscriptions == {p["coach"].subscription_id}


def test_a_coach_sees_only_their_own_clients(studio):
    p = studio["payments"]
    api = auth_client(studio["coach"])
    coach_payments = {v.pk for k, v in p.items() if k.startswith("coach")}
    assert ids(api.get(PAYMENTS)) == coach_payments
    assert ids(api.get(PAYMENTS, {"coach": studio["coach"].membership.pk})) == coach_payments
    assert ids(api.get(PAYMENTS, {"coach": studio["owner"].membership.pk})) == set()
    assert api.get(f"{PAYMENTS}{p['owner'].pk}/").status_code == 404


def test_a_specialist_sees_no_money(studio):
    api = auth_client(studio["specialist"])
    assert ids(api.get(PAYMENTS)) == set()
    assert ids(api.get(SUBSCRIPTIONS)) == set()
    assert api.get(f"{PAYMENTS}{studio['payments']['coach'].pk}/").status_code == 404


def test_another_studio_sees_none_of_it(studio):
    p = studio["payments"]
    api = auth_client(studio["other"])
    assert ids(api.get(PAYMENTS)) == {p["other_studio"].pk}
    assert ids(api.get(PAYMENTS, {"coach": studio["coach"].membership.pk})) == set()
    assert api.get(f"{PAYMENTS}{p['coach'].pk}/").status_code == 404


@pytest.mark.parametrize("value", ["", "abc", "0", "1.5", str(2**63)])
def test_a_bad_coach_is_a_400(trainer_api, value):
    assert_error(trainer_api.get(PAYMENTS, {"coach": value}), 400, attr="coach")


# ---------------------------------------------------------------------- summary


def test_the_summary_has_studio_totals_and_each_coach(studio):
    response = auth_client(studio["owner"]).get(
        SUMMARY, {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date_from"] == "2026-03-01" and body["date_to"] == "2026-03-31"
    eur = {"currency": "EUR", "received": 12000, "payments": 2, "refunded": 1000, "refunds": 1}
    usd = {"currency": "USD", "received": 3000, "payments": 1, "refunded": 0, "refunds": 0}
    assert body["totals"] == [eur, usd]
    coaches = {c["member"]: c for c in body["coaches"]}
    assert set(coaches) == {studio["owner"].membership.pk, studio["coach"].membership.pk}
    assert coaches[studio["coach"].membership.pk]["totals"] == [
        {**eur, "received": 7000, "payments": 1},
        usd,
    ]
    assert coaches[studio["owner"].membership.pk]["totals"] == [
        {"currency": "EUR", "received": 5000, "payments": 1, "refunded": 0, "refunds": 0}
    ]


def test_the_summary_range_is_inclusive_and_may_be_open(studio):
    api = auth_client(studio["owner"])
    everything = api.get(SUMMARY).json()
    assert everything["date_from"] is None
    assert everything["totals"][0]["received"] == 12400  # with the payment 40 days before
    day = api.get(SUMMARY, {"date_from": "2026-03-10", "date_to": "2026-03-10"}).json()
    assert day["totals"][0]["received"] == 12000
    assert api.get(SUMMARY, {"date_to": "2026-03-09"}).json()["totals"] == [
        {"currency": "EUR", "received": 400, "payments": 1, "refunded": 0, "refunds": 0}
    ]


@pytest.mark.parametrize("role", ["coach", "specialist"])
def test_only_managers_read_the_summary(studio, role):
    assert_error(auth_client(studio[role]).get(SUMMARY), 403, "studio_role_forbidden")


def test_clients_cannot_read_the_summary(client_api):
    assert client_api.get(SUMMARY).status_code == 403


def test_another_studio_summary_is_its_own(studio):
    body = auth_client(studio["other"]).get(SUMMARY).json()
    assert body["totals"] == [
        {"currency": "EUR", "received": 8000, "payments": 1, "refunded": 0, "refunds": 0}
    ]
    assert [c["member"] for c in body["coaches"]] == [studio["other"].membership.pk]


@pytest.mark.parametrize(
    "params", [{"date_from": ""}, {"date_from": "2026-13-01"}, {"date_to": "tomorrow"}]
)
def test_bad_summary_dates_are_a_400(trainer_api, params):
    assert_error(trainer_api.get(SUMMARY, params), 400, attr=next(iter(params)))


@pytest.mark.parametrize("coaches", [1, 8])
def test_lists_and_summary_run_a_fixed_number_of_queries(trainer, trainer_api, coaches):
    for _ in range(coaches):
        coach = studio_member(trainer, StudioRole.COACH)
        for _ in range(3):
            pay(ClientFactory(trainer=coach), 1000)
    coach_id = coach.membership.pk
    # auth user + page (a last page counts its own rows)
    assert count_queries(trainer_api, f"{PAYMENTS}?page_size=100&coach={coach_id}") == 2
    assert count_queries(trainer_api, f"{SUBSCRIPTIONS}?page_size=100&coach={coach_id}") == 2
    # auth user + grouped sums + members
    assert count_queries(trainer_api, SUMMARY) == 3
