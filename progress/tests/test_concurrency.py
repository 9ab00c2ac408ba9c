"""Concurrent retries of the mobile app (PostgreSQL: real row locks and unique indexes)."""

import threading
import uuid

import pytest
from django.db import connection

from conftest import auth_client
from dashboard.models import ActivityEvent
from progress.models import CheckIn, WorkoutLog

THREADS = 6


def run_concurrently(make_request) -> list:
    barrier = threading.Barrier(THREADS)
    responses: list = [None] * THREADS

    def worker(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = make_request(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_the_same_id_create_one_log(client_user):
    log_id = str(uuid.uuid4())
    body = {
        "id": log_id,
        "date": client_user.local_today().isoformat(),
        "exercises": [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}],
    }
    apis = [auth_client(client_user) for _ in range(THREADS)]

    responses = run_concurrently(
        lambda i: apis[i].post("/api/v1/workout-logs/", body, format="json")
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (THREADS - 1) + [201], [r.content for r in responses]
    assert {r.json()["id"] for r in responses} == {log_id}
    assert WorkoutLog.objects.count() == 1
    assert ActivityEvent.objects.filter(object_id=log_id).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_in_one_week_leave_exactly_one(client_user):
    today = client_user.local_today().isoformat()
    apis = [auth_client(client_user) for _ in range(THREADS)]

    responses = run_concurrently(
        lambda i: apis[i].post(
            "/api/v1/check-ins/", {"id": str(uuid.uuid4()), "date": today}, format="json"
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (THREADS - 1), [r.content for r in responses]
    assert {r.json()["errors"][0]["code"] for r in responses if r.status_code == 409} == {
        "checkin_exists"
    }
    assert CheckIn.objects.count() == 1
    assert ActivityEvent.objects.count() == 1
