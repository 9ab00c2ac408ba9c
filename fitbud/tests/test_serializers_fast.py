"""The hot serializers that build their representation in one go answer exactly what DRF's
field-by-field representation of their declared fields answers."""

import datetime as dt

import pytest
from rest_framework import serializers

from clients.api.serializers import ClientSerializer
from clients.tests.factories import ClientFactory, ClientNoteFactory
from exercises import selectors as exercise_selectors
from exercises.api.serializers import ExerciseSerializer
from exercises.models import Exercise
from exercises.tests.factories import ExerciseFactory, global_exercise
from progress.api.serializers import WorkoutLogSerializer
from progress.tests.factories import WorkoutLogFactory

pytestmark = pytest.mark.django_db

EXERCISES = [
    {"name": "Back squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]},
    {
        "exercise": 7,
        "name": "Bench ✓ \u2013 卧推",
        "sets": [
            {"reps": 8, "weight_kg": 62.5, "duration_s": 40, "done": False},
            {"reps": 0, "weight_kg": None, "duration_s": None, "done": True},
        ],
    },
    {"exercise": None, "sets": []},
    {  # values an older write may have stored: DRF's BooleanField reads them
        "name": "Row",
        "sets": [
            {"reps": 3, "weight_kg": None, "duration_s": None, "done": 1},
            {"reps": 2, "weight_kg": 20, "duration_s": None, "done": "false"},
        ],
    },
]


def drf(serializer_class, instance):
    """DRF's own representation of the serializer's declared fields."""
    serializer = serializer_class()
    return serializers.Serializer.to_representation(serializer, instance)


def test_workout_log_representation_is_drfs(client_link):
    logs = [
        WorkoutLogFactory(client=client_link, exercises=EXERCISES, notes="Good \u2013 💪"),
        WorkoutLogFactory(
            client=client_link, exercises=[], duration_minutes=None, effort=None, notes=""
        ),
    ]
    for log in logs:
        log.refresh_from_db()
        fast = WorkoutLogSerializer(log).data
        assert fast == drf(WorkoutLogSerializer, log)
        assert list(fast) == list(drf(WorkoutLogSerializer, log))
    assert [e.get("name") for e in WorkoutLogSerializer(logs[0]).data["exercises"]] == [
        "Back squat",
        "Bench ✓ \u2013 卧推",
        None,
        "Row",
    ]
    assert "name" not in WorkoutLogSerializer(logs[0]).data["exercises"][2]


def test_client_representation_is_drfs(trainer):
    client = ClientFactory(trainer=trainer, goals="Run 10 km \u2013 ünder 50'")
    ClientNoteFactory.create_batch(2, client=client)
    gone = ClientFactory(trainer=trainer, is_active=False)
    gone.deactivated_at = dt.datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=dt.UTC)
    gone.save()
    from clients.selectors import client_list

    for row in client_list(trainer=trainer):
        fast = ClientSerializer(row).data
        assert fast == drf(ClientSerializer, row)
        assert list(fast) == list(drf(ClientSerializer, row))
        assert list(fast["user"]) == ["id", "email", "full_name", "timezone", "units"]


def test_exercise_representation_is_drfs(trainer):
    squat = global_exercise()
    mine = ExerciseFactory(
        owner=trainer,
        name="Zercher squat \u2013 深蹲",
        aliases=["zercher", "Zércher ✓"],
        copied_from=squat,
        primary=["quads", "glutes"],
    )
    mine.secondary_muscles.set(squat.primary_muscles.all())
    mine.equipment.set(squat.equipment.all())
    bare = ExerciseFactory(owner=trainer, aliases=[], mechanics="", force="", video_url="")
    ids = [squat.pk, mine.pk, bare.pk]
    prefetched = list(
        Exercise.objects.filter(pk__in=ids)
        .prefetch_related("primary_muscles", "secondary_muscles", "equipment")
        .order_by("pk")
    )
    plain = list(Exercise.objects.filter(pk__in=ids).order_by("pk"))
    exercise_selectors.exercise_tags_attach(plain)
    for with_prefetch, with_tags in zip(prefetched, plain, strict=True):
        expected = drf(ExerciseSerializer, with_prefetch)
        for exercise in (with_prefetch, with_tags):
            fast = ExerciseSerializer(exercise).data
            assert fast == expected
            assert list(fast) == list(expected)
    tagged = next(e for e in plain if e.pk == mine.pk)
    assert ExerciseSerializer(tagged).data["primary_muscles"] == ["glutes", "quads"]  # by name
    assert ExerciseSerializer(tagged).data["secondary_muscles"]
