import factory
from django.utils import timezone

from clients.tests.factories import ClientFactory
from messaging.models import Broadcast, Conversation, Message


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    client = factory.SubFactory(ClientFactory)
    trainer = factory.LazyAttribute(lambda o: o.client.trainer)
    studio = factory.LazyAttribute(lambda o: o.client.studio)
    last_message_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    """A stored message (without its event: use messaging.services.message_send for that)."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    sender = factory.LazyAttribute(lambda o: o.conversation.trainer)
    body = factory.Sequence(lambda n: f"Message {n}")


class BroadcastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Broadcast

    sender = factory.SubFactory("accounts.tests.factories.TrainerFactory")
    studio = factory.LazyAttribute(lambda o: o.sender.membership.studio)
    body = "Gym closed on Monday"
    client_ids = factory.LazyFunction(list)
