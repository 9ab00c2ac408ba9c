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


def global_exercise(name: str = "Back squat") -> Exercise:
    return Exercise.objects.get(owner__isnull=True, name=name)
