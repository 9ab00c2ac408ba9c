import factory

from accounts.tests.factories import ClientUserFactory, TrainerFactory
from clients.models import Client


class ClientFactory(factory.django.DjangoModelFactory):
    """A client account linked to a trainer (what accepting an invite produces)."""

    class Meta:
        model = Client

    user = factory.SubFactory(ClientUserFactory)
    trainer = factory.SubFactory(TrainerFactory)
    is_active = True
