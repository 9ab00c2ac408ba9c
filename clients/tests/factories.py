import hashlib
import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import ClientUserFactory, TrainerFactory
from clients.models import (
    Client,
    ClientAccess,
    ClientNote,
    ClientStatusChange,
    HealthProfile,
    HealthProfileChange,
    Invite,
)


class ClientFactory(factory.django.DjangoModelFactory):
    """A client account linked to a trainer (what accepting an invite produces)."""

    class Meta:
        model = Client

    user = factory.SubFactory(ClientUserFactory)
    trainer = factory.SubFactory(TrainerFactory)
    is_active = True


class InviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invite

    trainer = factory.SubFactory(TrainerFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    full_name = factory.Faker("name")
    token_hash = factory.LazyFunction(
        lambda: hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()
    )
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ClientNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientNote

    client = factory.SubFactory(ClientFactory)
    author = factory.LazyAttribute(lambda o: o.client.trainer)
    body = factory.Faker("sentence")


class HealthProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthProfile

    client = factory.SubFactory(ClientFactory)
    height_cm = 172


class ClientStatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientStatusChange

    client = factory.SubFactory(ClientFactory)
    is_active = False
    changed_by = factory.LazyAttribute(lambda o: o.client.trainer)


class HealthProfileChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthProfileChange

    profile = factory.SubFactory(HealthProfileFactory)
    changed_by = factory.LazyAttribute(lambda o: o.profile.client.trainer)
    fields = factory.LazyFunction(lambda: ["height_cm"])


def studio_member(studio, *, role: str, title: str = "", **user_fields):
    """A trainer account that is a member of `studio` with `role` (its sign-up solo studio
    is removed)."""
    user = TrainerFactory(**user_fields)
    member = user.membership
    solo = member.studio
    member.studio, member.role, member.title = studio, role, title
    member.save()
    solo.delete()
    return user


class ClientAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientAccess

    client = factory.SubFactory(ClientFactory)
    member = factory.LazyAttribute(lambda o: o.grantee.membership)
    granted_by = factory.LazyAttribute(lambda o: o.client.trainer)

    class Params:
        grantee = None
