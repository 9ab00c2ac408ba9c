import factory

from accounts.models import User, studio_create_solo

DEFAULT_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = User.Role.TRAINER
    timezone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            if obj.is_trainer and not hasattr(obj, "membership"):
                studio_create_solo(user=obj)


class TrainerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"trainer{n}@example.com")
    role = User.Role.TRAINER


class ClientUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    role = User.Role.CLIENT


def trainer_in(studio, *, role: str, title: str = "", **kwargs) -> User:
    """A trainer account that is a member of `studio` with `role` (instead of a solo owner)."""
    from accounts.models import Studio, StudioMember

    user = TrainerFactory(**kwargs)
    solo = user.membership.studio_id
    StudioMember.objects.filter(user=user).update(studio=studio, role=role, title=title)
    Studio.objects.filter(pk=solo).delete()
    return User.objects.get(pk=user.pk)
