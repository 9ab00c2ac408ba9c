"""Stripe: checkout sessions (HTTP API stubbed) and signed webhooks built locally."""

import datetime
import json
import time

import pytest
import stripe

from billing.models import Payment, Subscription, WebhookEvent
from billing.tests.factories import SubscriptionFactory, SubscriptionPlanFactory
from billing.tests.helpers import WEBHOOK_URL, invoice, post_webhook, sign, stripe_event
from conftest import assert_error, auth_client

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/v1/me/subscription/checkout/"
CANCEL = "/api/v1/me/subscription/cancel/"
ME_SUBSCRIPTION = "/api/v1/me/subscription/"


@pytest.fixture
def stripe_subscription(client_link, plan):
    """A subscription Stripe already knows (checkout completed)."""
    return SubscriptionFactory(
        client=client_link,
        plan=plan,
        provider="stripe",
        provider_subscription_id="sub_test_1",
        provider_customer_id="cus_test_1",
    )


# --- checkout ---


def test_checkout_with_stripe_answers_a_checkout_url(
    client_api, client_link, plan, stripe_stub, settings
):
    response = client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 201, response.content
    body = response.json()
    subscription = Subscription.objects.get(client=client_link)
    assert body["checkout_url"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert body["payment"] is None
    assert body["subscription"]["status"] == "incomplete"
    assert subscription.provider == "stripe"
    assert subscription.provider_checkout_id == "cs_test_1"
    (params,) = stripe_stub.created
    assert params["mode"] == "subscription"
    assert params["line_items"] == [
        {
            "price_data": {
                "currency": "eur",
                "unit_amount": 9900,
                "recurring": {"interval": "month"},
                "product_data": {"name": "Monthly coaching"},
            },
            "quantity": 1,
        }
    ]
    assert params["client_reference_id"] == str(subscription.pk)
    assert params["metadata"]["fitbud_subscription_id"] == str(subscription.pk)
    assert params["subscription_data"]["metadata"]["fitbud_subscription_id"] == str(subscription.pk)
    assert params["customer_email"] == "cleo@example.com"
    assert params["success_url"] == settings.BILLING_SUCCESS_URL
    assert params["cancel_url"] == settings.BILLING_CANCEL_URL
    assert params["api_key"] == settings.STRIPE_SECRET_KEY
    assert params["idempotency_key"] == f"fitbud-checkout-{subscription.pk}"
    assert not Payment.objects.exists()


def test_a_plan_mapped_to_a_stripe_price_uses_it(client_api, trainer, stripe_stub):
    plan = SubscriptionPlanFactory(trainer=trainer, stripe_price_id="price_123")
    client_api.post(CHECKOUT, {"plan": plan.pk})
    assert stripe_stub.created[0]["line_items"] == [{"price": "price_123", "quantity": 1}]


def test_a_returning_client_pays_as_the_same_stripe_customer(
    client_api, client_link, plan, stripe_stub
):
    SubscriptionFactory(
        client=client_link,
        plan=plan,
        provider="stripe",
        status="canceled",
        provider_customer_id="cus_old",
    )
    client_api.post(CHECKOUT, {"plan": plan.pk})
    assert stripe_stub.created[0]["customer"] == "cus_old"
    assert "customer_email" not in stripe_stub.created[0]


def test_a_stripe_outage_is_a_502_and_leaves_nothing_behind(client_api, plan, stripe_stub):
    stripe_stub.fail_with = stripe.APIConnectionError("network down")
    client_api.raise_request_exception = False  # a 5xx is reported like a server error

    response = client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="k")

    body = assert_error(response, 502, "payment_provider_unavailable")
    assert body["type"] == "server_error"
    assert not Subscription.objects.exists()
    # Nothing remembered: the same key works once Stripe is back.
    stripe_stub.fail_with = None
    assert client_api.post(CHECKOUT, {"plan": plan.pk}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201


def test_a_new_checkout_expires_the_abandoned_stripe_session(
    client_api, client_link, plan, stripe_stub
):
    client_api.post(CHECKOUT, {"plan": plan.pk})
    client_api.post(CHECKOUT, {"plan": plan.pk})
    assert stripe_stub.expired == ["cs_test_1"]
    assert Subscription.objects.filter(client=client_link, status="incomplete").count() == 1


def test_cancel_tells_stripe_to_cancel_at_period_end(client_api, stripe_subscription, stripe_stub):
    response = client_api.post(CANCEL)
    assert response.status_code == 200
    assert response.json()["cancel_at_period_end"] is True
    assert stripe_stub.modified == [
        ("sub_test_1", {"api_key": "sk_test_dummy", "cancel_at_period_end": True})
    ]


def test_a_stripe_outage_during_cancel_changes_nothing(
    client_api, stripe_subscription, stripe_stub
):
    stripe_stub.fail_with = stripe.APIConnectionError("down")
    client_api.raise_request_exception = False
    assert_error(client_api.post(CANCEL), 502, "payment_provider_unavailable")
    stripe_subscription.refresh_from_db()
    assert stripe_subscription.cancel_at_period_end is False


def test_the_whole_stripe_flow_from_checkout_to_paid(
    client_api, api_client, client_link, plan, stripe_stub, received_payments
):
    subscription_id = client_api.post(CHECKOUT, {"plan": plan.pk}).json()["subscription"]["id"]
    completed = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(subscription_id),
        "metadata": {"fitbud_subscription_id": str(subscription_id)},
        "subscription": "sub_live_1",
        "customer": "cus_live_1",
        "payment_status": "paid",
    }
    assert post_webhook(
        api_client, stripe_event("checkout.session.completed", completed)
    ).json() == {"status": "processed"}
    start = int(time.time())
    paid = invoice(invoice_id="in_1", stripe_sub="sub_live_1", start=start, end=start + 2592000)
    assert post_webhook(api_client, stripe_event("invoice.paid", paid)).status_code == 200

    body = client_api.get(ME_SUBSCRIPTION).json()
    assert body["status"] == "active"
    subscription = Subscription.objects.get(pk=subscription_id)
    assert subscription.provider_subscription_id == "sub_live_1"
    assert subscription.provider_customer_id == "cus_live_1"
    assert int(subscription.current_period_end.timestamp()) == start + 2592000
    payment = Payment.objects.get()
    assert (payment.provider_payment_id, payment.amount, payment.currency) == ("in_1", 9900, "EUR")
    assert received_payments == [payment.pk]


# --- the period: Stripe's wins over our provisional one, and never moves backwards ---

DAY = 86400


def _completed_session(subscription_id: int) -> dict:
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "client_reference_id": str(subscription_id),
        "metadata": {"fitbud_subscription_id": str(subscription_id)},
        "subscription": "sub_live_1",
        "customer": "cus_live_1",
        "payment_status": "paid",
    }


@pytest.mark.parametrize(
    "checkout_at",
    [
        # 31-day months: our provisional period (one calendar month) is longer than 30 days.
        datetime.datetime(2026, 12, 2, 0, 30, tzinfo=datetime.UTC),
        datetime.datetime(2027, 1, 31, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC),
        datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC),
    ],
    ids=str,
)
def test_stripes_period_replaces_the_provisional_one_from_checkout(
    client_user, api_client, plan, stripe_stub, time_machine, checkout_at
):
    time_machine.move_to(checkout_at, tick=False)
    client_api = auth_client(client_user)  # a token issued at the instant travelled to
    subscription_id = client_api.post(CHECKOUT, {"plan": plan.pk}).json()["subscription"]["id"]
    post_webhook(
        api_client, stripe_event("checkout.session.completed", _completed_session(subscription_id))
    )
    provisional = Subscription.objects.get(pk=subscription_id)
    assert provisional.period_event_at is None
    # Stripe created its subscription a few seconds before the session completed, and its
    # period may be shorter or longer than ours: it wins either way.
    for days in (30, 27, 32):
        start = int(checkout_at.timestamp()) - 3
        paid = invoice(
            invoice_id=f"in_{days}", stripe_sub="sub_live_1", start=start, end=start + days * DAY
        )
        post_webhook(api_client, stripe_event("invoice.paid", paid))
        subscription = Subscription.objects.get(pk=subscription_id)
        assert int(subscription.current_period_start.timestamp()) == start
        assert int(subscription.current_period_end.timestamp()) == start + days * DAY


def test_an_older_invoice_delivered_late_does_not_move_the_period_back(
    api_client, stripe_subscription
):
    now = int(time.time())
    older = invoice(invoice_id="in_old", stripe_sub="sub_test_1", start=now - 30 * DAY, end=now)
    newer = invoice(invoice_id="in_new", stripe_sub="sub_test_1", start=now, end=now + 31 * DAY)

    post_webhook(api_client, stripe_event("invoice.paid", newer, created=now))
    # Out of order, and also a late payment of the older invoice (a newer event, older period).
    post_webhook(api_client, stripe_event("invoice.paid", older, created=now - 60))
    post_webhook(api_client, stripe_event("invoice.paid", older, created=now + 60))

    stripe_subscription.refresh_from_db()
    assert int(stripe_subscription.current_period_start.timestamp()) == now
    assert int(stripe_subscription.current_period_end.timestamp()) == now + 31 * DAY
    assert Payment.objects.count() == 2


def test_for_the_same_period_start_the_newer_event_wins(api_client, stripe_subscription):
    now = int(time.time())
    remote = {"id": "sub_test_1", "status": "active", "cancel_at_period_end": False}
    newer = {**remote, "current_period_start": now, "current_period_end": now + 28 * DAY}
    older = invoice(invoice_id="in_1", stripe_sub="sub_test_1", start=now, end=now + 31 * DAY)

    post_webhook(api_client, stripe_event("customer.subscription.updated", newer, created=now + 5))
    post_webhook(api_client, stripe_event("invoice.paid", older, created=now))

    stripe_subscription.refresh_from_db()
    assert int(stripe_subscription.current_period_end.timestamp()) == now + 28 * DAY
    assert stripe_subscription.period_event_at == datetime.datetime.fromtimestamp(
        now + 5, tz=datetime.UTC
    )


def test_a_renewal_reported_by_subscription_updated_moves_the_period_on(
    api_client, stripe_subscription
):
    now = int(time.time())
    first = invoice(invoice_id="in_1", stripe_sub="sub_test_1", start=now, end=now + 30 * DAY)
    post_webhook(api_client, stripe_event("invoice.paid", first, created=now))
    renewed = {
        "id": "sub_test_1",
        "status": "active",
        "items": {
            "data": [{"current_period_start": now + 30 * DAY, "current_period_end": now + 61 * DAY}]
        },
    }

    post_webhook(
        api_client, stripe_event("customer.subscription.updated", renewed, created=now + 1)
    )

    stripe_subscription.refresh_from_db()
    assert int(stripe_subscription.current_period_end.timestamp()) == now + 61 * DAY


# --- signature checks ---


def _event_body():
    return json.dumps(stripe_event("invoice.paid", invoice(invoice_id="in_x", stripe_sub="sub_x")))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        "t=abc,v1=def",
        "v1=deadbeef",
        "t=1700000000",
    ],
)
def test_a_missing_or_malformed_signature_is_a_400(api_client, header):
    extra = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
    response = api_client.post(
        WEBHOOK_URL, data=_event_body(), content_type="application/json", **extra
    )
    body = assert_error(response, 400, "invalid_webhook")
    assert body["errors"][0]["detail"] == "Invalid webhook signature or payload."
    assert not WebhookEvent.objects.exists()


def test_a_forged_signature_is_a_400(api_client):
    body = _event_body()
    response = api_client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, secret="whsec_attacker"),
    )
    assert_error(response, 400, "invalid_webhook")
    assert not WebhookEvent.objects.exists()


def test_a_tampered_body_is_a_400(api_client):
    body = _event_body()
    header = sign(body)
    response = api_client.post(
        WEBHOOK_URL,
        data=body.replace("9900", "1"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert_error(response, 400, "invalid_webhook")


def test_a_stale_timestamp_is_a_400_even_when_correctly_signed(api_client, settings):
    body = _event_body()
    stale = int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE - 5
    response = api_client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, timestamp=stale),
    )
    assert_error(response, 400, "invalid_webhook")
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_within_the_tolerance_is_accepted(api_client, settings):
    body = _event_body()
    recent = int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE + 30
    response = api_client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, timestamp=recent),
    )
    assert response.status_code == 200


def test_a_timestamp_in_the_future_beyond_the_tolerance_is_a_400(api_client, settings):
    body = _event_body()
    ahead = int(time.time()) + settings.STRIPE_WEBHOOK_TOLERANCE + 5
    response = api_client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, timestamp=ahead),
    )
    assert_error(response, 400, "invalid_webhook")
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_slightly_ahead_within_the_tolerance_is_accepted(api_client, settings):
    body = _event_body()
    ahead = int(time.time()) + settings.STRIPE_WEBHOOK_TOLERANCE - 30
    response = api_client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, timestamp=ahead),
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("odd", ["\x00", "\ud800"], ids=["nul", "lone-surrogate"])
def test_a_signed_event_with_nul_or_a_lone_surrogate_is_stored_and_applied(
    api_client, stripe_subscription, odd
):
    # PostgreSQL refuses U+0000 in JSONB and text (and a lone surrogate is not UTF-8): this
    # was a 500, which Stripe retries for days. Stripped (U+0000) or replaced (U+FFFD).
    obj = invoice(invoice_id=f"in_{odd}1", stripe_sub="sub_test_1")
    obj["customer_name"] = f"Cleo{odd}Client"
    obj["metadata"] = {f"note{odd}": f"a{odd}b"}
    event = stripe_event("invoice.paid", obj, event_id=f"evt_{odd}odd")
    body = json.dumps(event)
    assert "\\u0000" in body or "\\ud800" in body

    response = post_webhook(api_client, event)

    assert response.json() == {"status": "processed"}
    stored = WebhookEvent.objects.get()
    clean = "" if odd == "\x00" else "\ufffd"
    assert stored.event_id == f"evt_{clean}odd"
    assert stored.payload["data"]["object"]["customer_name"] == f"Cleo{clean}Client"
    assert stored.payload["data"]["object"]["metadata"] == {f"note{clean}": f"a{clean}b"}
    assert Payment.objects.get().provider_payment_id == f"in_{clean}1"
    # A redelivery is the same (cleaned) event.
    assert post_webhook(api_client, event).json() == {"status": "duplicate"}


def test_a_signed_event_whose_id_is_only_nul_is_a_400(api_client):
    event = stripe_event("customer.created", {"id": "cus_1"}, event_id="\x00")
    assert_error(post_webhook(api_client, event), 400, "invalid_webhook")
    assert not WebhookEvent.objects.exists()


def test_a_signed_body_nested_absurdly_deep_is_a_400(api_client):
    for depth in (40, 5000):
        body = '{"id": "evt_1", "type": "x", "data": {"object": {"a": ' + "[" * depth
        body += "]" * depth + "}}}"
        response = api_client.post(
            WEBHOOK_URL,
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(body),
        )
        assert_error(response, 400, "invalid_webhook")
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", '{"id": 1}', '"x"', "\udcff"])
def test_a_signed_body_that_is_not_a_stripe_event_is_a_400(api_client, payload):
    raw = payload.encode("utf-8", "surrogateescape")
    text = raw.decode("utf-8", "replace")
    response = api_client.post(
        WEBHOOK_URL,
        data=raw,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(text),
    )
    assert_error(response, 400, "invalid_webhook")


def test_the_webhook_takes_no_jwt_and_no_csrf_token(trainer_api, stripe_subscription):
    event = stripe_event(
        "customer.subscription.deleted", {"id": "sub_test_1", "status": "canceled"}
    )
    response = post_webhook(trainer_api, event)
    assert response.status_code == 200


def test_the_webhook_only_accepts_post(api_client):
    assert_error(api_client.get(WEBHOOK_URL), 405)


# --- events ---


def test_invoice_paid_records_a_payment_once_even_when_replayed(
    api_client, stripe_subscription, received_payments
):
    event = stripe_event("invoice.paid", invoice(invoice_id="in_1", stripe_sub="sub_test_1"))

    first = post_webhook(api_client, event)
    again = post_webhook(api_client, event)

    assert first.json() == {"status": "processed"}
    assert again.json() == {"status": "duplicate"}
    assert Payment.objects.count() == 1
    assert WebhookEvent.objects.get().processed_at is not None
    assert len(received_payments) == 1


def test_the_same_invoice_in_two_different_events_is_one_payment(
    api_client, stripe_subscription, received_payments
):
    obj = invoice(invoice_id="in_1", stripe_sub="sub_test_1")
    post_webhook(api_client, stripe_event("invoice.paid", obj))
    post_webhook(api_client, stripe_event("invoice.paid", obj))
    assert Payment.objects.count() == 1
    assert len(received_payments) == 1
    assert WebhookEvent.objects.count() == 2


def test_invoice_paid_in_the_newer_api_shape_is_understood(api_client, stripe_subscription):
    obj = invoice(invoice_id="in_2", stripe_sub="sub_test_1", new_shape=True)
    post_webhook(api_client, stripe_event("invoice.paid", obj))
    assert Payment.objects.get().subscription == stripe_subscription


def test_an_invoice_arriving_before_checkout_completed_is_matched_by_metadata(
    api_client, client_link, plan
):
    pending = SubscriptionFactory(
        client=client_link,
        plan=plan,
        provider="stripe",
        status="incomplete",
        provider_subscription_id="",
        current_period_start=None,
        current_period_end=None,
    )
    obj = invoice(invoice_id="in_3", stripe_sub="sub_new", new_shape=True, our_id=pending.pk)

    post_webhook(api_client, stripe_event("invoice.paid", obj))

    pending.refresh_from_db()
    assert pending.status == "active"
    assert pending.provider_subscription_id == "sub_new"
    assert pending.current_period_end is not None


def test_a_failed_invoice_makes_the_subscription_past_due_and_a_later_success_fixes_it(
    api_client, stripe_subscription, received_payments
):
    obj = invoice(invoice_id="in_4", stripe_sub="sub_test_1")

    post_webhook(api_client, stripe_event("invoice.payment_failed", obj))
    stripe_subscription.refresh_from_db()
    payment = Payment.objects.get()
    assert stripe_subscription.status == "past_due"
    assert payment.status == "failed" and payment.paid_at is None
    assert received_payments == []

    post_webhook(api_client, stripe_event("invoice.paid", obj))
    stripe_subscription.refresh_from_db()
    payment.refresh_from_db()
    assert stripe_subscription.status == "active"
    assert payment.status == "succeeded"
    assert received_payments == [payment.pk]


def test_a_late_failure_never_undoes_a_payment(api_client, stripe_subscription):
    obj = invoice(invoice_id="in_5", stripe_sub="sub_test_1")
    post_webhook(api_client, stripe_event("invoice.paid", obj))
    post_webhook(api_client, stripe_event("invoice.payment_failed", obj))
    assert Payment.objects.get().status == "succeeded"


def test_subscription_updated_follows_stripe(api_client, stripe_subscription):
    start = int(time.time())
    remote = {
        "id": "sub_test_1",
        "object": "subscription",
        "status": "active",
        "cancel_at_period_end": True,
        "canceled_at": start,
        "items": {"data": [{"current_period_start": start, "current_period_end": start + 604800}]},
    }

    post_webhook(api_client, stripe_event("customer.subscription.updated", remote))

    stripe_subscription.refresh_from_db()
    assert stripe_subscription.cancel_at_period_end is True
    assert int(stripe_subscription.current_period_end.timestamp()) == start + 604800


def test_an_older_subscription_update_does_not_undo_a_newer_one(api_client, stripe_subscription):
    now = int(time.time())
    newer = {"id": "sub_test_1", "status": "past_due", "cancel_at_period_end": False}
    older = {"id": "sub_test_1", "status": "active", "cancel_at_period_end": False}

    post_webhook(api_client, stripe_event("customer.subscription.updated", newer, created=now))
    post_webhook(api_client, stripe_event("customer.subscription.updated", older, created=now - 60))

    stripe_subscription.refresh_from_db()
    assert stripe_subscription.status == "past_due"
    assert "Older" in WebhookEvent.objects.order_by("id").last().error


def test_subscription_deleted_cancels(api_client, client_api, stripe_subscription):
    remote = {"id": "sub_test_1", "status": "canceled", "canceled_at": int(time.time())}

    post_webhook(api_client, stripe_event("customer.subscription.deleted", remote))

    stripe_subscription.refresh_from_db()
    assert stripe_subscription.status == "canceled"
    assert client_api.get(ME_SUBSCRIPTION).json() is None


def test_an_expired_checkout_cancels_the_unpaid_subscription(api_client, client_link, plan):
    pending = SubscriptionFactory(
        client=client_link,
        plan=plan,
        provider="stripe",
        status="incomplete",
        provider_subscription_id="",
    )
    session = {"id": "cs_1", "mode": "subscription", "client_reference_id": str(pending.pk)}
    post_webhook(api_client, stripe_event("checkout.session.expired", session))
    pending.refresh_from_db()
    assert pending.status == "canceled"


def test_a_checkout_paid_after_being_replaced_is_flagged_for_support(api_client, client_link, plan):
    replaced = SubscriptionFactory(
        client=client_link,
        plan=plan,
        provider="stripe",
        status="canceled",
        provider_subscription_id="",
    )
    session = {
        "id": "cs_1",
        "mode": "subscription",
        "client_reference_id": str(replaced.pk),
        "subscription": "sub_z",
        "payment_status": "paid",
    }

    response = post_webhook(api_client, stripe_event("checkout.session.completed", session))

    assert response.status_code == 200
    replaced.refresh_from_db()
    assert replaced.status == "canceled"
    assert "already canceled" in WebhookEvent.objects.get().error


def test_an_event_for_an_unknown_subscription_is_kept_with_a_note(api_client):
    event = stripe_event("invoice.paid", invoice(invoice_id="in_9", stripe_sub="sub_nobody"))
    response = post_webhook(api_client, event)
    assert response.json() == {"status": "processed"}
    assert "sub_nobody" in WebhookEvent.objects.get().error
    assert not Payment.objects.exists()


def test_an_event_type_we_do_not_use_is_recorded_and_ignored(api_client):
    response = post_webhook(api_client, stripe_event("customer.created", {"id": "cus_1"}))
    assert response.json() == {"status": "ignored"}
    assert WebhookEvent.objects.get().type == "customer.created"


@pytest.mark.parametrize(
    "obj",
    [
        {"id": 5, "subscription": ["x"], "lines": "no", "amount_paid": "9900"},
        {"subscription": None, "parent": {"subscription_details": "x"}},
        {
            "id": "in_z",
            "subscription": "sub_test_1",
            "amount_paid": 1.5,
            "currency": 7,
            "lines": {"data": [{"period": {"start": "a", "end": 10**20}}]},
        },
    ],
)
def test_odd_shapes_inside_a_signed_event_never_crash(api_client, stripe_subscription, obj):
    response = post_webhook(api_client, stripe_event("invoice.paid", obj))
    assert response.status_code == 200


def test_an_oversized_webhook_body_is_a_400(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = json.dumps(stripe_event("customer.created", {"id": "cus_1", "pad": "x" * 500}))
    response = api_client.post(
        WEBHOOK_URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )
    assert_error(response, 400, "invalid_webhook")
