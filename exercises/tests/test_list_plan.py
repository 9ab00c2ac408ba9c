"""The tag filters stay flat as other studios' exercises grow (PostgreSQL plans).

The muscle and equipment link tables hold every studio's exercises. A filter that hashed
every link row of the muscle would cost more with each studio added; the filters probe the
link table's index once per exercise the caller can see instead (fitbud.models.ProbeExists).
"""

import pytest
from django.db import connection
from rest_framework.test import APIRequestFactory

from accounts.tests.factories import TrainerFactory
from exercises import selectors
from exercises.api.filters import ExerciseFilter
from exercises.models import Equipment, Exercise, Muscle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]

OTHER_EXERCISES = 4_000
TAGS = (Exercise.primary_muscles, Exercise.secondary_muscles, Exercise.equipment)


@pytest.fixture
def crowded(trainer):
    """Many other trainers' exercises, every one training quads on a barbell."""
    others = [TrainerFactory() for _ in range(20)]
    rows = Exercise.objects.bulk_create(
        Exercise(
            owner=owner,
            studio_id=owner.membership.studio_id,
            name=f"Crowd squat {n}",
            slug=f"crowd-squat-{n}",
            category=Exercise.Category.STRENGTH,
        )
        for n in range(OTHER_EXERCISES)
        for owner in [others[n % len(others)]]
    )
    quads, barbell = Muscle.objects.get(slug="quads"), Equipment.objects.get(slug="barbell")
    tags = ({"muscle": quads}, {"muscle": quads}, {"equipment": barbell})
    for relation, tag in zip(TAGS, tags, strict=True):
        relation.through.objects.bulk_create(
            relation.through(exercise_id=row.pk, **tag) for row in rows
        )
    with connection.cursor() as cursor:
        # These tables only: ANALYZE's row estimates outlive the test's rollback, and other
        # tests' plans must not inherit estimates made from this test's rows.
        for table in (Exercise._meta.db_table, *(r.through._meta.db_table for r in TAGS)):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return trainer


def filtered(trainer, **params) -> str:
    request = APIRequestFactory().get("/api/v1/exercises/", params)
    request.user = trainer
    queryset = selectors.exercise_list(user=trainer)
    return ExerciseFilter(params, queryset=queryset, request=request).qs


@pytest.mark.postgres
@pytest.mark.parametrize(
    "params",
    [{"muscle": "quads"}, {"primary_muscle": "quads"}, {"equipment": "barbell"}],
)
def test_tag_filters_probe_the_link_index_per_visible_exercise(crowded, params):
    queryset = filtered(crowded, **params)
    for text in (queryset[:21].explain(), queryset.order_by().explain()):
        assert "hashed SubPlan" not in text, text
        assert "Semi Join" not in text, text
        assert "Seq Scan on exercises_exercise_" not in text, text  # no link table read whole
    # Same answer: the global exercises with the tag, none of the crowd.
    names = set(queryset.values_list("name", flat=True))
    assert names and not any(name.startswith("Crowd squat") for name in names)


def test_tag_filters_answer_as_the_relations_do(trainer):
    def tagged(**lookup) -> set[int]:
        return set(
            Exercise.objects.filter(owner__isnull=True, **lookup).values_list("pk", flat=True)
        )

    for params, expected in (
        (
            {"muscle": "quads"},
            tagged(primary_muscles__slug="quads") | tagged(secondary_muscles__slug="quads"),
        ),
        ({"primary_muscle": "quads"}, tagged(primary_muscles__slug="quads")),
        ({"equipment": "kettlebell"}, tagged(equipment__slug="kettlebell")),
    ):
        got = set(filtered(trainer, **params).values_list("pk", flat=True))
        assert got == expected and got, params
