import factory

from accounts.tests.factories import TrainerFactory
from exercises.models import Exercise, Muscle


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    owner = factory.SubFactory(TrainerFactory)
    name = factory.Sequence(lambda n: f"Private move {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    category = Exercise.Category.STRENGTH
    instructions = "Brace, then move."
    video_url = "https://videos.example.com/move.mp4"

    @factory.post_generation
    def primary(self, create, extracted, **kwargs):
        if create and extracted:
            self.primary_muscles.set(Muscle.objects.filter(slug__in=extracted))


def ensure_library() -> None:
    """The global library as migration 0003 loads it. A transactional test (the PostgreSQL
    concurrency tests) flushes every table when it ends, migrated rows included, so tests
    that need the library load it again when it is gone."""
    if Exercise.objects.filter(owner__isnull=True).exists():
        return
    from importlib import import_module

    from django.apps import apps

    import_module("exercises.migrations.0003_global_library").load(apps, None)


def global_exercise(name: str = "Back squat") -> Exercise:
    ensure_library()
    return Exercise.objects.get(owner__isnull=True, name=name)
