"""GET sync/: what a device receives, for a client and for their coaches."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.tests.factories import ClientFactory
from coaching.tests.factories import HabitCheckFactory, HabitFactory
from conftest import assert_error
from exercises.tests.factories import global_exercise
from plans.tests.factories import PlanAssignmentFactory
from progress.tests.factories import (
    BodyStatFactory,
    CheckInFactory,
    MealLogFactory,
    WorkoutLogFactory,
)
from sync.selectors import to_ms
from sync.tables import TABLES
from sync.tests.helpers import NOW, ids, pull

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_first_pull_sends_every_table_with_everything_as_created(client_api, client_link, frozen):
    log = WorkoutLogFactory(client=client_link)
    meal = MealLogFactory(client=client_link)
    habit = HabitFactory(client=client_link)
    check = HabitCheckFactory(habit=habit)
    squat = global_exercise()
    response, body = pull(client_api)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert set(body["changes"]) == set(TABLES)
    assert ids(body, "workout_logs", "created") == {str(log.pk)}
    assert ids(body, "meal_logs", "created") == {str(meal.pk)}
    assert ids(body, "habits", "created") == {str(habit.pk)}
    assert ids(body, "habit_checks", "created") == {f"{habit.pk}:{check.date}"}
    for table in TABLES:
        assert body["changes"][table]["updated"] == []
        assert body["changes"][table]["deleted"] == []
    row = body["changes"]["workout_logs"]["created"][0]
    assert row["client"] == client_link.pk and row["effort"] == 7  # the REST shape
    assert "current_streak" not in body["changes"]["habits"]["created"][0]
    # The clock minus the margin (1 s): nothing else is in flight in this test.
    assert body["timestamp"] == to_ms(NOW) - 1000
    assert str(squat.pk) in ids(body, "exercises", "created")  # the global library


def test_zero_means_everything_too(client_api, client_link, frozen):
    log = WorkoutLogFactory(client=client_link)
    _, body = pull(client_api, 0)
    assert ids(body, "workout_logs", "created") == {str(log.pk)}


def test_later_pulls_split_created_and_updated_and_skip_what_did_not_change(
    client_api, client_link, frozen
):
    old = WorkoutLogFactory(client=client_link)
    untouched = MealLogFactory(client=client_link)
    frozen.shift(60)
    _, first = pull(client_api)
    frozen.shift(60)
    old.effort = 9
    old.save()
    new = WorkoutLogFactory(client=client_link)
    _, body = pull(client_api, first["timestamp"])
    assert ids(body, "workout_logs", "created") == {str(new.pk)}
    assert ids(body, "workout_logs", "updated") == {str(old.pk)}
    assert str(untouched.pk) not in ids(body, "meal_logs", "created") | ids(
        body, "meal_logs", "updated"
    )


def test_another_client_s_and_another_studio_s_rows_never_appear(
    client_api, trainer_api, client_link, other_client_link, trainer, frozen
):
    mine = WorkoutLogFactory(client=client_link)
    sibling = ClientFactory(trainer=trainer)  # same coach, another client
    WorkoutLogFactory(client=sibling)
    theirs = WorkoutLogFactory(client=other_client_link)
    HabitFactory(client=other_client_link)
    _, body = pull(client_api)
    assert ids(body, "workout_logs", "created") == {str(mine.pk)}
    assert ids(body, "habits", "created") == set()
    _, coach = pull(trainer_api)
    assert str(theirs.pk) not in ids(coach, "workout_logs", "created")
    assert len(ids(coach, "workout_logs", "created")) == 2


def test_a_coach_pulls_their_clients_rows(trainer_api, client_link, frozen):
    log = WorkoutLogFactory(client=client_link)
    assignment = PlanAssignmentFactory(client=client_link)
    _, body = pull(trainer_api)
    assert ids(body, "workout_logs", "created") == {str(log.pk)}
    assert ids(body, "assignments", "created") == {str(assignment.pk)}


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", str(10**16)])
def test_a_bad_last_pulled_at_is_a_400(client_api, value):
    response = client_api.get(f"/api/v1/sync/?last_pulled_at={value}")
    assert_error(response, 400, attr="last_pulled_at")


def test_unknown_query_parameters_are_refused(client_api):
    assert_error(client_api.get("/api/v1/sync/?since=5"), 400, "unknown_field")


def test_anonymous_gets_401(api_client):
    assert api_client.get("/api/v1/sync/").status_code == 401


def _fill(client_link, n):
    for _ in range(n):
        WorkoutLogFactory(client=client_link)
        MealLogFactory(client=client_link)
        BodyStatFactory(client=client_link)
        HabitCheckFactory(habit=HabitFactory(client=client_link))


def _count(api, last_pulled_at=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response, _ = pull(api, last_pulled_at)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["client_api", "trainer_api"])
def test_a_pull_costs_the_same_queries_whatever_the_number_of_rows(
    request, who, client_link, frozen
):
    api = request.getfixturevalue(who)
    PlanAssignmentFactory(client=client_link)
    CheckInFactory(client=client_link)
    _fill(client_link, 2)
    frozen.shift(10)
    small, small_incremental = _count(api), _count(api, to_ms(NOW))
    _fill(client_link, 8)
    frozen.shift(10)
    assert _count(api) == small
    assert _count(api, to_ms(NOW)) == small_incremental
