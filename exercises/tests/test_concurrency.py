"""Concurrent creates of one name (PostgreSQL: the unique index settles the race)."""

import pytest

from conftest import auth_client
from exercises.models import Exercise
from progress.tests.test_concurrency import THREADS, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_name_leave_exactly_one(trainer):
    apis = [auth_client(trainer) for _ in range(THREADS)]
    body = {"name": "Race squat", "category": "strength"}

    responses = run_concurrently(lambda i: apis[i].post("/api/v1/exercises/", body, format="json"))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1), [r.content for r in responses]
    assert {r.json()["errors"][0]["code"] for r in responses if r.status_code == 409} == {
        "exercise_exists"
    }
    assert Exercise.objects.filter(owner=trainer, slug="race-squat").count() == 1
