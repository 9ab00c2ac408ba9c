import datetime

import factory

from clients.tests.factories import ClientFactory
from coaching.models import CheckInForm, FormAssignment, FormVersion, Habit, HabitCheck

QUESTIONS = [
    {
        "key": "weight",
        "type": "number",
        "label": "Weight",
        "required": True,
        "unit": "kg",
        "min": 20,
        "max": 400,
    },
    {"key": "energy", "type": "scale", "label": "Energy", "required": True},
    {
        "key": "mood",
        "type": "single_choice",
        "label": "Mood",
        "required": False,
        "options": ["good", "ok", "bad"],
    },
    {"key": "wins", "type": "long_text", "label": "Wins", "required": False},
]


class HabitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Habit

    client = factory.SubFactory(ClientFactory)
    assigned_by = factory.SelfAttribute("client.trainer")
    title = "Walk 10k steps"
    frequency = "daily"
    target = 1
    start_date = datetime.date(2026, 1, 1)


class HabitCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HabitCheck

    habit = factory.SubFactory(HabitFactory)
    client = factory.SelfAttribute("habit.client")
    date = factory.Sequence(lambda n: datetime.date(2026, 2, 1) + datetime.timedelta(days=n))


class CheckInFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckInForm
        skip_postgeneration_save = True

    trainer = factory.SubFactory("accounts.tests.factories.TrainerFactory")
    name = "Weekly check-in"
    kind = "weekly"
    questions = factory.LazyFunction(lambda: [dict(q) for q in QUESTIONS])

    @factory.post_generation
    def snapshot(obj, create, extracted, **kwargs):
        if create:
            FormVersion.objects.create(
                studio_id=obj.studio_id,
                form=obj,
                version=obj.version,
                name=obj.name,
                kind=obj.kind,
                questions=obj.questions,
            )


class FormAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormAssignment

    client = factory.SubFactory(ClientFactory)
    form = factory.SubFactory(CheckInFormFactory, trainer=factory.SelfAttribute("..client.trainer"))
    form_version = factory.LazyAttribute(lambda o: o.form.versions.get(version=o.form.version))
    kind = factory.SelfAttribute("form.kind")
    assigned_by = factory.SelfAttribute("client.trainer")
