import datetime
import uuid

import pytest
from django.urls import reverse

from conftest import assert_error, auth_client
from dashboard.models import ActivityEvent
from plans.tests.factories import PlanAssignmentFactory
from progress.models import WorkoutLog
from progress.tests.conftest import days_ago
from progress.tests.factories import WorkoutLogFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/workout-logs/"


def detail(log) -> str:
    return reverse("workout-log-detail", args=[log.pk])


def payload(day, **extra):
    body = {
        "date": day.isoformat(),
        "exercises": [
            {
                "name": "Bench press",
                "sets": [
                    {"reps": 10, "weight_kg": 60, "done": True},
                    {"reps": 8, "weight_kg": 62.5, "done": False},
                ],
            },
            {"name": "Plank", "sets": [{"reps": 0, "duration_s": 60, "done": True}]},
        ],
        "duration_minutes": 45,
        "effort": 7,
        "notes": "Felt strong.",
    }
    body.update(extra)
    return body


# Creating -----------------------------------------------------------------------------------


def test_a_client_logs_a_workout(client_api, client_link, today):
    response = client_api.post(URL, payload(today), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client"] == client_link.pk
    assert body["date"] == today.isoformat()
    # Optional values come back as null, so every set has the same shape.
    assert body["exercises"][0]["sets"][1] == {
        "reps": 8,
        "weight_kg": 62.5,
        "duration_s": None,
        "done": False,
    }
    assert body["exercises"][1]["sets"][0] == {
        "reps": 0,
        "weight_kg": None,
        "duration_s": 60,
        "done": True,
    }
    assert body["assignment"] is None and body["target"] is None
    assert body["duration_minutes"] == 45 and body["effort"] == 7
    log = WorkoutLog.objects.get(pk=body["id"])
    assert log.client == client_link


def test_a_workout_following_a_plan_day_stores_the_target(client_api, assignment, today):
    response = client_api.post(URL, payload(today, assignment=assignment.pk), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignment"] == assignment.pk
    assert body["day_index"] == 0
    assert body["target"] == assignment.snapshot["days"][0]


def test_an_explicit_day_index_picks_that_plan_day(client_api, assignment, today):
    response = client_api.post(
        URL, payload(today, assignment=assignment.pk, day_index=2), format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["target"]["name"] == "Legs"


def test_it_rejects_a_day_index_outside_the_plan(client_api, assignment, today):
    response = client_api.post(
        URL, payload(today, assignment=assignment.pk, day_index=3), format="json"
    )
    assert_error(response, 400, "out_of_range", "day_index")


def test_it_rejects_a_day_index_without_an_assignment(client_api, today):
    response = client_api.post(URL, payload(today, day_index=0), format="json")
    assert_error(response, 400, "invalid", "day_index")


def test_it_asks_for_a_day_index_when_the_plan_has_no_day_for_the_date(
    client_api, client_link, today
):
    later = PlanAssignmentFactory(client=client_link, start_date=today + datetime.timedelta(days=5))
    response = client_api.post(URL, payload(today, assignment=later.pk), format="json")
    assert_error(response, 400, "required", "day_index")


def test_another_clients_assignment_is_refused_like_a_missing_one(
    client_api, other_client_link, today
):
    foreign = PlanAssignmentFactory(client=other_client_link, start_date=today)

    foreign_response = client_api.post(URL, payload(today, assignment=foreign.pk), format="json")
    missing_response = client_api.post(URL, payload(today, assignment=999999), format="json")

    assert_error(foreign_response, 400, "does_not_exist", "assignment")
    assert foreign_response.json() == missing_response.json()


def test_a_diet_assignment_cannot_be_followed_by_a_workout(client_api, client_link, today):
    diet = PlanAssignmentFactory(client=client_link, start_date=today, template__kind="diet")
    response = client_api.post(URL, payload(today, assignment=diet.pk), format="json")
    assert_error(response, 400, "does_not_exist", "assignment")


# Validation ---------------------------------------------------------------------------------


def test_an_unknown_nested_field_is_named_with_its_path(client_api, today):
    body = payload(today)
    body["exercises"][0]["sets"][1]["rep"] = 8

    response = client_api.post(URL, body, format="json")

    assert_error(response, 400, "unknown_field", "exercises[0].sets[1].rep")
    assert not WorkoutLog.objects.exists()


def test_an_unknown_top_level_field_is_a_400(client_api, today):
    response = client_api.post(URL, payload(today, mood="great"), format="json")
    assert_error(response, 400, "unknown_field", "mood")


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"effort": 0}, "effort"),
        ({"effort": 11}, "effort"),
        ({"duration_minutes": -1}, "duration_minutes"),
        ({"duration_minutes": 100000}, "duration_minutes"),
        ({"exercises": [{"name": "Row", "sets": [{"reps": -1, "done": True}]}]}, None),
        (
            {"exercises": [{"name": "Row", "sets": [{"reps": 5, "weight_kg": -5, "done": True}]}]},
            None,
        ),
        (
            {
                "exercises": [
                    {"name": "Row", "sets": [{"reps": 5, "weight_kg": 5000, "done": True}]}
                ]
            },
            None,
        ),
        ({"exercises": [{"name": "Row", "sets": [{"reps": 5}]}]}, "exercises[0].sets[0].done"),
        ({"exercises": [{"name": "x" * 201, "sets": []}]}, "exercises[0].name"),
        ({"exercises": [{"name": "Row", "sets": [{"reps": 1, "done": True}] * 51}]}, None),
        ({"exercises": [{"name": "Row", "sets": []}] * 51}, "exercises"),
        ({"exercises": "bench"}, "exercises"),
        ({"exercises": None}, "exercises"),
        ({"notes": "x" * 5001}, "notes"),
        ({"date": "yesterday"}, "date"),
        ({"date": None}, "date"),
        ({"assignment": "abc"}, "assignment"),
        ({"assignment": 2**70}, "assignment"),
        ({"id": "not-a-uuid"}, "id"),
        ({"id": 123}, "id"),
    ],
)
def test_it_rejects_out_of_bounds_or_malformed_values(client_api, today, change, attr):
    response = client_api.post(URL, payload(today, **change), format="json")
    assert_error(response, 400, attr=attr)


def test_it_rejects_a_date_after_the_clients_local_tomorrow(client_api, today):
    response = client_api.post(URL, payload(today + datetime.timedelta(days=2)), format="json")
    assert_error(response, 400, "future", "date")


def test_it_accepts_tomorrow_for_a_phone_ahead_of_the_profile_timezone(client_api, today):
    response = client_api.post(URL, payload(today + datetime.timedelta(days=1)), format="json")
    assert response.status_code == 201, response.content


def test_it_rejects_a_date_more_than_a_year_back(client_api, today):
    response = client_api.post(URL, payload(today - datetime.timedelta(days=366)), format="json")
    assert_error(response, 400, "too_old", "date")


def test_the_future_limit_follows_the_clients_timezone(client_user, time_machine):
    # 23:30 UTC on Nov 27 is Nov 28 in Auckland but still Nov 27 in Honolulu.
    time_machine.move_to(datetime.datetime(2026, 11, 27, 23, 30, tzinfo=datetime.UTC))
    nov_29 = payload(datetime.date(2026, 11, 29))

    client_user.timezone = "Pacific/Honolulu"
    client_user.save()
    honolulu = auth_client(client_user).post(URL, nov_29, format="json")
    client_user.timezone = "Pacific/Auckland"
    client_user.save()
    auckland = auth_client(client_user).post(URL, nov_29, format="json")

    assert_error(honolulu, 400, "future", "date")
    assert auckland.status_code == 201, auckland.content


def test_a_body_that_is_not_an_object_is_a_400(client_api):
    response = client_api.post(URL, ["not", "an", "object"], format="json")
    assert_error(response, 400)


@pytest.mark.parametrize(
    ("raw", "attr"),
    [
        ('"exercises": [{"name": "\\ud800", "sets": []}]', "exercises[0].name"),
        ('"exercises": [], "notes": "\\u0000"', "notes"),
        (
            '"exercises": [{"name": "a", "sets": [{"reps": 1, "done": true, "weight_kg": 1e400}]}]',
            "exercises[0].sets[0].weight_kg",
        ),
    ],
)
def test_json_the_database_cannot_store_is_a_400(client_api, today, raw, attr):
    body = f'{{"date": "{today.isoformat()}", {raw}}}'
    response = client_api.generic("POST", URL, body, content_type="application/json")
    assert_error(response, 400, attr=attr)


def test_a_null_character_in_a_name_is_a_400(client_api, today):
    body = payload(today)
    body["exercises"][0]["name"] = "Bench\x00press"
    response = client_api.post(URL, body, format="json")
    assert_error(response, 400, attr="exercises[0].name")


# Offline-safe retries -----------------------------------------------------------------------


def test_a_retry_with_the_same_id_returns_the_stored_log(client_api, today):
    log_id = str(uuid.uuid4())
    first = client_api.post(URL, payload(today, id=log_id), format="json")

    retry = client_api.post(URL, payload(today, id=log_id, notes="changed"), format="json")

    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.json()["notes"] == "Felt strong."
    assert WorkoutLog.objects.filter(pk=log_id).count() == 1
    assert ActivityEvent.objects.filter(object_id=log_id).count() == 1


def test_an_id_used_by_another_client_is_a_409(client_api, other_client_link, today):
    theirs = WorkoutLogFactory(client=other_client_link)

    response = client_api.post(URL, payload(today, id=str(theirs.pk)), format="json")

    assert_error(response, 409, "id_in_use")
    theirs.refresh_from_db()
    assert theirs.client == other_client_link


# Reading ------------------------------------------------------------------------------------


def test_a_client_lists_only_their_own_logs_newest_first(
    client_api, client_link, other_client_link
):
    older = WorkoutLogFactory(client=client_link)
    newer = WorkoutLogFactory(client=client_link)
    WorkoutLogFactory(client=other_client_link)

    response = client_api.get(URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(newer.pk), str(older.pk)]


def test_a_trainer_lists_their_clients_logs_and_filters_by_client(
    trainer_api, trainer, client_link, other_client_link
):
    from clients.tests.factories import ClientFactory

    second = ClientFactory(trainer=trainer)
    mine = WorkoutLogFactory(client=client_link)
    theirs = WorkoutLogFactory(client=second)
    WorkoutLogFactory(client=other_client_link)

    everything = trainer_api.get(URL)
    one_client = trainer_api.get(URL, {"client": client_link.pk})
    outsider = trainer_api.get(URL, {"client": other_client_link.pk})

    assert {row["id"] for row in everything.json()["results"]} == {str(mine.pk), str(theirs.pk)}
    assert [row["id"] for row in one_client.json()["results"]] == [str(mine.pk)]
    assert outsider.status_code == 200 and outsider.json()["results"] == []


def test_the_list_filters_by_date_range(client_api, client_link, today):
    WorkoutLogFactory(client=client_link, date=today - datetime.timedelta(days=10))
    inside = WorkoutLogFactory(client=client_link, date=today - datetime.timedelta(days=3))
    WorkoutLogFactory(client=client_link, date=today)

    response = client_api.get(
        URL,
        {
            "date_from": (today - datetime.timedelta(days=5)).isoformat(),
            "date_to": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )

    assert [row["id"] for row in response.json()["results"]] == [str(inside.pk)]


@pytest.mark.parametrize(
    "params",
    [{"date_from": "soon"}, {"client": "abc"}, {"client": "99999999999999999999"}],
)
def test_malformed_filters_are_a_400(trainer_api, params):
    assert_error(trainer_api.get(URL, params), 400)


def test_a_malformed_cursor_is_a_json_404(client_api):
    assert_error(client_api.get(URL, {"cursor": "garbage"}), 404)


def test_the_list_pages_with_a_cursor(client_api, client_link):
    logs = [WorkoutLogFactory(client=client_link) for _ in range(3)]

    first = client_api.get(URL, {"page_size": 2}).json()
    second = client_api.get(first["next"]).json()

    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == [str(log.pk) for log in reversed(logs)]
    assert second["next"] is None


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    trainer_api, client_link, rows, django_assert_num_queries
):
    for _ in range(rows):
        WorkoutLogFactory(client=client_link)

    # The user behind the token, then the page.
    with django_assert_num_queries(2):
        response = trainer_api.get(URL, {"page_size": 100})

    assert len(response.json()["results"]) == rows


# Changing and deleting ----------------------------------------------------------------------


def test_a_client_changes_their_log_within_the_window(client_api, client_link, assignment, today):
    log = WorkoutLogFactory(client=client_link, date=today)

    response = client_api.patch(
        detail(log), {"effort": 9, "assignment": assignment.pk}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["effort"] == 9
    assert body["target"] == assignment.snapshot["days"][0]
    assert ActivityEvent.objects.filter(
        object_id=str(log.pk), kind=ActivityEvent.Kind.WORKOUT_UPDATED
    ).exists()


def test_a_patch_still_needs_complete_sets(client_api, client_link):
    log = WorkoutLogFactory(client=client_link)

    response = client_api.patch(
        detail(log), {"exercises": [{"name": "Row", "sets": [{"reps": 5}]}]}, format="json"
    )

    assert_error(response, 400, "required", "exercises[0].sets[0].done")
    log.refresh_from_db()
    assert log.exercises[0]["name"] == "Squat"


def test_an_update_cannot_change_the_id(client_api, client_link):
    log = WorkoutLogFactory(client=client_link)
    response = client_api.patch(detail(log), {"id": str(uuid.uuid4())}, format="json")
    assert_error(response, 400, "unknown_field", "id")


def test_put_is_not_offered(client_api, client_link, today):
    log = WorkoutLogFactory(client=client_link)
    assert_error(client_api.put(detail(log), payload(today), format="json"), 405)


def test_a_log_older_than_the_window_cannot_change(client_api, client_link):
    log = WorkoutLogFactory(client=client_link)
    WorkoutLog.objects.filter(pk=log.pk).update(created_at=days_ago(8))

    assert_error(
        client_api.patch(detail(log), {"effort": 3}, format="json"), 409, "edit_window_closed"
    )
    assert_error(client_api.delete(detail(log)), 409, "edit_window_closed")


def test_a_client_deletes_their_log_and_its_feed_event(client_api, client_link):
    log = WorkoutLogFactory(client=client_link)
    assert ActivityEvent.objects.filter(object_id=str(log.pk)).exists()

    response = client_api.delete(detail(log))

    assert response.status_code == 204
    assert not WorkoutLog.objects.filter(pk=log.pk).exists()
    assert not ActivityEvent.objects.filter(object_id=str(log.pk)).exists()


def test_a_deleted_id_can_be_logged_again(client_api, client_link, today):
    log_id = str(uuid.uuid4())
    client_api.post(URL, payload(today, id=log_id), format="json")
    client_api.delete(f"{URL}{log_id}/")

    response = client_api.post(URL, payload(today, id=log_id), format="json")

    assert response.status_code == 201


def test_a_malformed_id_in_the_url_is_a_404(client_api):
    assert_error(client_api.get(f"{URL}not-a-uuid/"), 404)
