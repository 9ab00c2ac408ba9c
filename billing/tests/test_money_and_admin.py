import json

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from accounts.tests.factories import UserFactory
from billing.currencies import MINOR_UNITS, is_valid_currency
from billing.models import IdempotencyRecord, Payment, Subscription, SubscriptionPlan, WebhookEvent
from billing.tests.factories import PaymentFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def _walk(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path)
    else:
        yield path, value


def test_every_amount_in_every_billing_answer_is_an_int(trainer_api, client_api, client_link, plan):
    checkout = client_api.post("/api/v1/me/subscription/checkout/", {"plan": plan.pk})
    answers = [
        checkout,
        trainer_api.get("/api/v1/billing/plans/"),
        client_api.get("/api/v1/billing/plans/"),
        trainer_api.get("/api/v1/billing/subscriptions/"),
        trainer_api.get("/api/v1/billing/payments/"),
        client_api.get("/api/v1/me/subscription/"),
        client_api.get("/api/v1/me/payments/"),
    ]
    money = []
    for response in answers:
        assert response.status_code in (200, 201), response.content
        # Parse the raw bytes: a float would come back as 9900.0, a string as "9900".
        for path, value in _walk(json.loads(response.content)):
            if path.endswith((".price", ".amount")):
                money.append(value)
                assert type(value) is int, (path, value)
    assert len(money) >= 7
    assert b"9900.0" not in checkout.content


def test_the_currency_table_holds_iso_codes_and_minor_units():
    assert MINOR_UNITS["EUR"] == 2 and MINOR_UNITS["JPY"] == 0 and MINOR_UNITS["KWD"] == 3
    assert all(len(code) == 3 and code.isupper() for code in MINOR_UNITS)
    assert not is_valid_currency("eur") and not is_valid_currency(None)
    assert not is_valid_currency("XXX") and is_valid_currency("CHF")


def test_the_database_refuses_a_free_or_negative_plan(trainer):
    from django.db import IntegrityError, transaction

    for price in (0, -1):
        with pytest.raises(IntegrityError), transaction.atomic():
            SubscriptionPlan.objects.create(
                trainer=trainer, name="x", price=price, currency="EUR", interval="month"
            )


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "model", [SubscriptionPlan, Subscription, Payment, WebhookEvent, IdempotencyRecord]
)
def test_every_billing_model_has_a_working_admin(staff_client, client_link, model):
    payment = PaymentFactory(subscription__client=client_link)
    WebhookEvent.objects.create(
        provider="stripe", event_id="evt_1", type="invoice.paid", payload={"id": "evt_1"}
    )
    IdempotencyRecord.objects.create(
        user=client_link.user,
        key="k",
        scope="s",
        request_hash="h",
        response_status=201,
        response_body={},
    )
    objects = {
        SubscriptionPlan: payment.subscription.plan,
        Subscription: payment.subscription,
        Payment: payment,
        WebhookEvent: WebhookEvent.objects.get(),
        IdempotencyRecord: IdempotencyRecord.objects.get(),
    }
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert model in site._registry

    changelist = staff_client.get(reverse(f"{prefix}_changelist"), {"q": "x"})
    change = staff_client.get(reverse(f"{prefix}_change", args=[objects[model].pk]))

    assert changelist.status_code == 200
    assert change.status_code == 200


def test_payments_and_webhook_events_are_read_only_in_the_admin(staff_client, client_link):
    payment = PaymentFactory(subscription__client=client_link)
    url = reverse("admin:billing_payment_change", args=[payment.pk])
    staff_client.post(url, {"amount": 1})
    payment.refresh_from_db()
    assert payment.amount != 1
    assert staff_client.get(reverse("admin:billing_payment_add")).status_code == 403
    assert staff_client.get(reverse("admin:billing_webhookevent_add")).status_code == 403


def test_subscriptions_are_searchable_by_client_email_in_the_admin(staff_client, client_link):
    SubscriptionFactory(client=client_link)
    response = staff_client.get(
        reverse("admin:billing_subscription_changelist"), {"q": "cleo@", "status__exact": "active"}
    )
    assert b"cleo@example.com" in response.content
