import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import TrainerFactory
from billing.models import Payment, Subscription, SubscriptionPlan
from clients.tests.factories import ClientFactory


class SubscriptionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscriptionPlan

    trainer = factory.SubFactory(TrainerFactory)
    name = "Monthly coaching"
    price = 9900
    currency = "EUR"
    interval = "month"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    client = factory.SubFactory(ClientFactory)
    plan = factory.SubFactory(
        SubscriptionPlanFactory, trainer=factory.SelfAttribute("..client.trainer")
    )
    status = Subscription.Status.ACTIVE
    provider = "test"
    # Not "test_sub_<n>": the test provider names its subscriptions that way by primary key.
    provider_subscription_id = factory.Sequence(lambda n: f"factory_sub_{n}")
    current_period_start = factory.LazyFunction(timezone.now)
    current_period_end = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    subscription = factory.SubFactory(SubscriptionFactory)
    client = factory.LazyAttribute(lambda o: o.subscription.client)
    amount = factory.LazyAttribute(lambda o: o.subscription.plan.price)
    currency = factory.LazyAttribute(lambda o: o.subscription.plan.currency)
    status = Payment.Status.SUCCEEDED
    provider = "test"
    provider_payment_id = factory.Sequence(lambda n: f"factory_pay_{n}")
    paid_at = factory.LazyFunction(timezone.now)
