import copy
import datetime

import factory

from accounts.tests.factories import TrainerFactory
from clients.tests.factories import ClientFactory
from plans.models import PlanAssignment, PlanKind, PlanTemplate

WORKOUT_CONTENT = {
    "days": [
        {
            "name": "Push",
            "rest": False,
            "exercises": [
                {"name": "Bench press", "sets": 4, "reps": "8-12", "weight_kg": 60, "rest_s": 90},
                {"name": "Overhead press", "sets": 3, "reps": 10, "weight_kg": 35},
            ],
        },
        {"name": "Rest", "rest": True, "exercises": []},
        {
            "name": "Legs",
            "rest": False,
            "exercises": [{"name": "Squat", "sets": 5, "reps": 5, "weight_kg": 100}],
        },
    ]
}

DIET_CONTENT = {
    "targets": {"calories": 2200, "protein_g": 160, "carbs_g": 220, "fat_g": 70},
    "days": [
        {
            "name": "Training day",
            "meals": [
                {
                    "name": "Breakfast",
                    "time": "08:00",
                    "items": [
                        {"food": "Oats", "quantity": 80, "unit": "g", "calories": 300},
                        {"food": "Milk", "quantity": 250, "unit": "ml", "calories": 160},
                    ],
                }
            ],
        }
    ],
}


class PlanTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTemplate

    trainer = factory.SubFactory(TrainerFactory)
    kind = PlanKind.WORKOUT
    name = factory.Sequence(lambda n: f"Plan {n}")
    content = factory.LazyAttribute(
        lambda o: copy.deepcopy(WORKOUT_CONTENT if o.kind == PlanKind.WORKOUT else DIET_CONTENT)
    )


class PlanAssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment as the assign service would write it (snapshot copied from the template)."""

    class Meta:
        model = PlanAssignment

    client = factory.SubFactory(ClientFactory)
    template = factory.SubFactory(
        PlanTemplateFactory, trainer=factory.SelfAttribute("..client.trainer")
    )
    assigned_by = factory.LazyAttribute(lambda o: o.client.trainer)
    template_version = factory.LazyAttribute(lambda o: o.template.version)
    kind = factory.LazyAttribute(lambda o: o.template.kind)
    name = factory.LazyAttribute(lambda o: o.template.name)
    # A copy, as the service makes: the snapshot must not share the template's dict.
    snapshot = factory.LazyAttribute(lambda o: copy.deepcopy(o.template.content))
    start_date = factory.LazyFunction(datetime.date.today)
