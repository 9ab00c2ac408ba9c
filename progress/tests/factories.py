import datetime

import factory

from clients.tests.factories import ClientFactory
from progress.models import CheckIn, MealLog, WorkoutLog


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
