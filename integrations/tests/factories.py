import factory

from accounts.tests.factories import TrainerFactory
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    created_by = factory.SubFactory(TrainerFactory)
    studio = factory.LazyAttribute(lambda o: o.created_by.membership.studio)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/fitbud")
    events = factory.LazyFunction(lambda: ["workout.logged"])
    secret = factory.LazyFunction(services.secret_new)


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event_type = "webhook.ping"
    message_id = factory.LazyFunction(WebhookDelivery.new_message_id)
    payload = factory.LazyFunction(lambda: {"type": "webhook.ping", "version": 1, "data": {}})
    status = WebhookDelivery.Status.SUCCEEDED
