import datetime
import io
import uuid
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image

from accounts.tests.factories import TrainerFactory
from clients.tests.factories import ClientFactory
from progress.models import (
    BodyStat,
    CheckIn,
    MealLog,
    MetricKind,
    MetricType,
    PhotoPose,
    ProgressPhoto,
    WorkoutLog,
)


class WorkoutLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkoutLog

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(datetime.date.today)
    exercises = factory.LazyFunction(
        lambda: [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}]
    )
    duration_minutes = 45
    effort = 7


class MealLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MealLog

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(datetime.date.today)
    meal = "Lunch"
    items = factory.LazyFunction(
        lambda: [{"food": "Rice", "quantity": 200, "unit": "g", "calories": 260}]
    )
    calories = 260


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(datetime.date.today)
    weight_kg = 80
    sleep = 7
    energy = 6
    stress = 4
    adherence = 8


class MetricTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricType

    trainer = factory.SubFactory(TrainerFactory)
    name = "Resting heart rate"
    slug = factory.Sequence(lambda n: f"resting_hr_{n}")
    kind = MetricKind.NUMBER
    unit = "bpm"


class BodyStatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BodyStat

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(datetime.date.today)
    metric = "weight"
    value = Decimal("80.000")


class ProgressPhotoFactory(factory.django.DjangoModelFactory):
    """A photo row with a real (tiny, clean) JPEG in the photos storage."""

    class Meta:
        model = ProgressPhoto

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(datetime.date.today)
    pose = PhotoPose.FRONT
    content_type = "image/jpeg"
    width = 8
    height = 8
    size_bytes = 0

    @factory.lazy_attribute
    def image_key(self):
        storage = storages["photos"]
        return storage.save(f"photos/{self.client.pk}/{uuid.uuid4()}.jpg", ContentFile(jpeg()))


def jpeg(size=(8, 8), color="red", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **save)
    return out.getvalue()
