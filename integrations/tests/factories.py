import factory
from rest_framework.test import APIClient

from accounts.tests.factories import TrainerFactory
from integrations import keys
from integrations.models import ApiKey
from integrations.models.api_keys import SCOPES
from integrations.webhooks import services
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

READ_SCOPES = [scope for scope in SCOPES if scope.startswith("read:")]


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A key row (its secret unknown: use `make_key` for a key that authenticates)."""

    class Meta:
        model = ApiKey

    user = factory.SubFactory(TrainerFactory)
    studio = factory.LazyAttribute(lambda key: key.user.membership.studio)
    name = factory.Sequence(lambda n: f"Integration {n}")
    prefix = factory.Sequence(lambda n: f"{n:012x}")
    key_hash = factory.LazyAttribute(lambda key: keys.digest(f"fbk_{key.prefix}_x"))
    scopes = factory.LazyFunction(lambda: ["read:clients"])


def make_key(user, scopes=("read:clients",), **kwargs) -> tuple[ApiKey, str]:
    """A real key of `user` (through the service) and its secret."""
    kwargs.setdefault("name", f"Key {ApiKey.objects.count() + 1}")
    return keys.api_key_create(owner=user, scopes=list(scopes), **kwargs)


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


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
