"""The benchmark's minimal anchor (bench/floor) runs the project's own SQL.

The anchor is only a fair floor if it sends what the project sends: these tests record the
statements of each mirrored request through the real routes (response cache off, as the
uncached rows of the benchmark) and compare them with the anchor's plan for the endpoint
(bench/floor/app.py PLANS, statements in bench/floor/queries.sql). A change to the
project's queries fails here until the anchor's file is updated with it.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from bench.floor.app import PLANS, load_queries
from clients.tests.factories import ClientFactory, ClientNoteFactory
from conftest import auth_client
from progress.models import WorkoutLog
from progress.tests.factories import WorkoutLogFactory

pytestmark = pytest.mark.postgres


def _normal(sql: str) -> str:
    sql = re.sub(r'SAVEPOINT "[^"]+"', 'SAVEPOINT "sp"', sql)
    sql = re.sub(r"\b(LIMIT|OFFSET) \d+", r"\1 ?", sql)
    return " ".join(sql.split())


def _statements(request) -> tuple[object, list[str]]:
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(_normal(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = request()
    return response, seen


def _plan(name: str) -> list[str]:
    queries = load_queries()
    return [_normal(queries[step]) for step in PLANS[name]]


@pytest.fixture
def uncached(settings):
    settings.RESPONSE_CACHE_SECONDS = 0


@pytest.mark.django_db
def test_me_statements_are_the_anchors(uncached, trainer):
    api = auth_client(trainer)
    response, seen = _statements(lambda: api.get("/api/v1/auth/me/"))
    assert response.status_code == 200
    assert seen == _plan("me")


@pytest.mark.django_db
def test_clients_list_statements_are_the_anchors(uncached, trainer, client_link):
    ClientFactory(trainer=trainer)
    ClientNoteFactory(client=client_link, author=trainer)
    api = auth_client(trainer)
    response, seen = _statements(lambda: api.get("/api/v1/clients/"))
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert seen == _plan("clients")


@pytest.mark.django_db
def test_workout_logs_list_statements_are_the_anchors(uncached, client_link, client_user):
    WorkoutLogFactory.create_batch(2, client=client_link)
    api = auth_client(client_user)
    response, seen = _statements(lambda: api.get("/api/v1/workout-logs/"))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    assert seen == _plan("workout_logs")


@pytest.mark.django_db(transaction=True)
def test_workout_log_create_statements_are_the_anchors(uncached, client_user, monkeypatch):
    # As in production, the relay goes to the broker after commit (no SQL in the request);
    # the anchor pushes one message there too.
    monkeypatch.setattr("fitbud.background._publish", lambda task, kwargs: None)
    ContentType.objects.get_for_model(WorkoutLog)  # cached per process, as in a server
    body = {
        "id": str(uuid.uuid4()),
        "date": "2026-12-01",
        "exercises": [
            {"name": "Back squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}
        ],
        "duration_minutes": 45,
        "effort": 7,
    }
    api = auth_client(client_user)
    response, seen = _statements(lambda: api.post("/api/v1/workout-logs/", body, format="json"))
    assert response.status_code == 201, response.content
    assert seen == _plan("workout_log_create")
