"""POST sync/: a device's own changes, all or nothing, through the REST rules."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection

from coaching.models import HabitCheck
from coaching.tests.factories import HabitFactory
from conftest import assert_error, auth_client
from dashboard.models import ActivityEvent
from progress.models import MealLog, WorkoutLog
from progress.tests.factories import MealLogFactory, WorkoutLogFactory
from sync.models import SyncPush
from sync.selectors import to_ms
from sync.tests.helpers import NOW, pull, push

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = "2026-11-27"


def _workout(**extra):
    return {
        "id": str(uuid.uuid4()),
        "date": TODAY,
        "exercises": [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}]}],
        **extra,
    }


def _table(created=(), updated=(), deleted=()):
    return {"created": list(created), "updated": list(updated), "deleted": list(deleted)}


def test_a_push_creates_updates_and_deletes_through_the_services(client_api, client_link, frozen):
    old = WorkoutLogFactory(client=client_link, effort=5)
    gone = MealLogFactory(client=client_link)
    frozen.shift(60)
    _, pulled = pull(client_api)
    frozen.shift(60)
    row = next(r for r in pulled["changes"]["workout_logs"]["created"] if r["id"] == str(old.pk))
    new = _workout(_status="created", _changed="")
    response = push(
        client_api,
        {
            "workout_logs": _table(
                created=[new], updated=[{**row, "effort": 9, "_status": "updated"}]
            ),
            "meal_logs": _table(deleted=[str(gone.pk)]),
        },
        pulled["timestamp"],
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "replayed": False,
        "applied": {
            "workout_logs": {"created": 1, "updated": 1, "deleted": 0},
            "meal_logs": {"created": 0, "updated": 0, "deleted": 1},
        },
    }
    old.refresh_from_db()
    assert old.effort == 9
    assert WorkoutLog.objects.filter(pk=new["id"], client=client_link).exists()
    assert not MealLog.objects.filter(pk=gone.pk).exists()
    # The same feed events as the REST endpoints.
    kinds = set(ActivityEvent.objects.filter(client=client_link).values_list("kind", flat=True))
    assert {"workout.logged", "workout.updated"} <= kinds


def test_a_conflict_answers_409_with_the_ids_and_applies_nothing(client_api, client_link, frozen):
    log = WorkoutLogFactory(client=client_link, effort=5)
    frozen.shift(60)
    _, pulled = pull(client_api)
    frozen.shift(60)
    log.effort = 6  # changed on the server (another device) after the pull
    log.save()
    frozen.shift(60)
    new = _workout()
    response = push(
        client_api,
        {"workout_logs": _table(created=[new], updated=[{"id": str(log.pk), "effort": 9}])},
        pulled["timestamp"],
    )
    assert response.status_code == 409
    body = response.json()
    assert body["conflicts"] == {"workout_logs": [str(log.pk)]}
    assert body["errors"][0]["code"] == "sync_conflict"
    log.refresh_from_db()
    assert log.effort == 6
    assert not WorkoutLog.objects.filter(pk=new["id"]).exists()
    assert not SyncPush.objects.exists()


def test_an_update_of_a_row_deleted_on_the_server_is_a_conflict(client_api, client_link, frozen):
    log = WorkoutLogFactory(client=client_link)
    frozen.shift(60)
    _, pulled = pull(client_api)
    frozen.shift(60)
    log_id = str(log.pk)
    log.delete()
    response = push(
        client_api,
        {"workout_logs": _table(updated=[{"id": log_id, "effort": 9}])},
        pulled["timestamp"],
    )
    assert response.json()["conflicts"] == {"workout_logs": [log_id]}


def test_a_validation_error_names_the_record_s_path_and_applies_nothing(
    client_api, client_link, frozen
):
    good = _workout()
    bad = _workout(exercises=[{"name": "Squat", "sets": [{"reps": 5}]}])
    response = push(client_api, {"workout_logs": _table(created=[good, bad])}, to_ms(NOW))
    assert_error(response, 400, attr="changes.workout_logs.created[1].exercises[0].sets[0].done")
    assert not WorkoutLog.objects.exists()


def test_unknown_fields_and_tables_are_refused(client_api, frozen):
    response = push(client_api, {"workout_logs": _table(created=[_workout(color="red")])}, 0)
    assert_error(response, 400, "unknown_field", "changes.workout_logs.created[0].color")
    response = push(client_api, {"notes": _table()}, 0)
    assert_error(response, 400, "unknown_table", "changes.notes")
    response = push(client_api, {"exercises": _table(deleted=["1"])}, 0)
    assert_error(response, 400, "table_not_pushable", "changes.exercises")


def test_a_service_conflict_keeps_its_status_and_gets_the_path(
    client_api, other_client_link, frozen
):
    theirs = WorkoutLogFactory(client=other_client_link)
    response = push(client_api, {"workout_logs": _table(created=[_workout(id=str(theirs.pk))])}, 0)
    assert_error(response, 409, "id_in_use", "changes.workout_logs.created[0]")


def test_another_client_s_rows_cannot_be_updated_or_deleted(client_api, other_client_link, frozen):
    theirs = WorkoutLogFactory(client=other_client_link)
    response = push(
        client_api,
        {"workout_logs": _table(updated=[{"id": str(theirs.pk), "effort": 1}])},
        to_ms(NOW),
    )
    assert_error(response, 404, "not_found", "changes.workout_logs.updated[0].id")
    response = push(client_api, {"workout_logs": _table(deleted=[str(theirs.pk)])}, to_ms(NOW))
    assert response.status_code == 200  # an id the device may not see: nothing to delete
    assert WorkoutLog.objects.filter(pk=theirs.pk).exists()


def test_the_same_push_twice_is_applied_once(client_api, client_link, frozen):
    log = WorkoutLogFactory(client=client_link)
    frozen.shift(60)
    since = to_ms(NOW + dt.timedelta(seconds=30))
    changes = {
        "workout_logs": _table(created=[_workout()], updated=[{"id": str(log.pk), "effort": 2}])
    }
    first = push(client_api, changes, since)
    assert first.json()["replayed"] is False
    frozen.shift(60)
    again = push(client_api, changes, since)  # the response was lost; the app retries
    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert WorkoutLog.objects.filter(client=client_link).count() == 2


def test_habit_checks_are_pushed_by_habit_and_date(client_api, client_link, frozen):
    habit = HabitFactory(client=client_link)
    check = {"id": f"{habit.pk}:{TODAY}", "habit": habit.pk, "date": TODAY, "done": True}
    response = push(client_api, {"habit_checks": _table(created=[check])}, 0)
    assert response.status_code == 200, response.content
    assert HabitCheck.objects.filter(habit=habit, date=TODAY).exists()
    wrong = {**check, "id": "abc"}
    response = push(client_api, {"habit_checks": _table(created=[wrong])}, 0)
    assert_error(response, 400, attr="changes.habit_checks.created[0].id")
    frozen.shift(60)
    response = push(client_api, {"habit_checks": _table(deleted=[check["id"]])}, to_ms(NOW))
    assert response.status_code == 200
    assert not HabitCheck.objects.filter(habit=habit).exists()


def test_a_trainer_pushes_nothing(trainer_api, client_link):
    assert push(trainer_api, {"workout_logs": _table()}, 0).status_code == 200
    response = push(trainer_api, {"workout_logs": _table(created=[_workout()])}, 0)
    assert_error(response, 403, "sync_push_forbidden")


def test_a_deactivated_client_cannot_push(client_api, client_link):
    client_link.is_active = False
    client_link.save()
    response = push(client_api, {"workout_logs": _table(created=[_workout()])}, 0)
    assert_error(response, 403, "client_inactive")


def test_a_push_body_must_have_the_protocol_s_shape(client_api):
    assert_error(client_api.post("/api/v1/sync/", {}, format="json"), 400, attr="changes")
    response = push(client_api, {"workout_logs": {"created": "x"}}, 0)
    assert_error(response, 400, attr="changes.workout_logs.created")
    response = push(client_api, {"workout_logs": _table(created=[{"date": TODAY}])}, 0)
    assert_error(response, 400, "required", "changes.workout_logs.created[0].id")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_push_sent_twice_at_once_creates_nothing_twice(client_user, client_link):
    changes = {"meal_logs": _table(created=[])}
    meal = {
        "id": str(uuid.uuid4()),
        "date": dt.date.today().isoformat(),
        "meal": "Lunch",
        "items": [{"food": "Rice", "quantity": 1, "unit": "cup"}],
    }
    changes["meal_logs"]["created"].append(meal)
    barrier, results = threading.Barrier(2), []

    def send():
        try:
            api = auth_client(client_user)
            barrier.wait()
            results.append(push(api, changes, 0).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["replayed"] for r in results) == [False, True]
    assert MealLog.objects.filter(client=client_link).count() == 1
    assert SyncPush.objects.count() == 1
