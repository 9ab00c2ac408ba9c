"""Billing test actors: plans, a payment_received recorder, a stubbed Stripe API."""

import pytest
import stripe
from stripe._api_requestor import _APIRequestor

from billing.signals import payment_received
from billing.tests.factories import SubscriptionPlanFactory
from billing.tests.helpers import StripeStub


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any Stripe call a test did not stub fails loudly instead of reaching the network."""

    def refuse(*args, **kwargs):
        raise AssertionError("Stripe HTTP API called without a stub")

    monkeypatch.setattr(_APIRequestor, "request", refuse)


@pytest.fixture
def plan(trainer):
    return SubscriptionPlanFactory(trainer=trainer, name="Monthly coaching", price=9900)


@pytest.fixture
def other_plan(other_trainer):
    return SubscriptionPlanFactory(trainer=other_trainer, name="Other coaching", price=5000)


@pytest.fixture
def received_payments():
    """The payments `payment_received` was sent for, in order."""
    seen = []

    def receiver(sender, payment, **kwargs):
        seen.append(payment.pk)

    payment_received.connect(receiver, dispatch_uid="billing-tests-received")
    yield seen
    payment_received.disconnect(dispatch_uid="billing-tests-received")


@pytest.fixture
def stripe_stub(monkeypatch, settings):
    settings.BILLING_PROVIDER = "stripe"
    stub = StripeStub()
    monkeypatch.setattr(stripe.checkout.Session, "create", stub.create)
    monkeypatch.setattr(stripe.checkout.Session, "expire", stub.expire)
    monkeypatch.setattr(stripe.Subscription, "modify", stub.modify)
    return stub
