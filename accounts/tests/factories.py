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
