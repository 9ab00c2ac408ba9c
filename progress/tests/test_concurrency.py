"""Concurrent retries of the mobile app (PostgreSQL: real row locks and unique indexes)."""

import datetime
import uuid

import pytest

from conftest import auth_client, run_concurrently
from dashboard.models import ActivityEvent
from progress.models import BodyStat, CheckIn, WorkoutLog

THREADS = 6


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_re_sends_of_an_import_batch_store_each_record_once(client_user):
    today = client_user.local_today()
    batch = {
        "source": "health_connect",
        "records": [
            {
                "source_id": f"hc-{i}",
                "date": (today - datetime.timedelta(days=i % 30)).isoformat(),
                "metric": "weight",
                "value": 80 + i % 5,
            }
            for i in range(100)
        ],
    }
    apis = [auth_client(client_user) for _ in range(THREADS)]

    responses = run_concurrently(
        lambda i: apis[i].post("/api/v1/body-stats/import/", batch, format="json")
    )

    assert {r.status_code for r in responses} == {200}, [r.content for r in responses]
    assert sum(r.json()["created"] for r in responses) == 100
    assert BodyStat.objects.count() == 100
    # One event per batch that stored something (a batch can lose some rows to another).
    assert ActivityEvent.objects.filter(kind="metric.logged").count() == sum(
        1 for r in responses if r.json()["created"]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_a_body_stat_create_one_row(client_user):
    stat_id = str(uuid.uuid4())
    body = {
        "id": stat_id,
        "date": client_user.local_today().isoformat(),
        "metric": "weight",
        "value": 80.5,
    }
    apis = [auth_client(client_user) for _ in range(THREADS)]

    responses = run_concurrently(lambda i: apis[i].post("/api/v1/body-stats/", body, format="json"))

    assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201]
    assert BodyStat.objects.count() == 1
    assert ActivityEvent.objects.filter(object_id=stat_id).count() == 1
