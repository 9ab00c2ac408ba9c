"""me/today/: the plan days for a local date and what is already logged."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from clients.tests.factories import ClientFactory
from coaching.models import FormResponse
from coaching.tests.factories import FormAssignmentFactory, HabitFactory
from conftest import assert_error, auth_client
from plans.models import PlanAssignment, PlanKind
from plans.tests.factories import DIET_CONTENT, PlanAssignmentFactory, PlanTemplateFactory
from progress.tests.factories import MealLogFactory, WorkoutLogFactory

URL = "/api/v1/me/today/"
UTC = dt.UTC


def assign(client, *, kind=PlanKind.WORKOUT, start, end=None, **extra):
    template = PlanTemplateFactory(trainer=client.trainer, kind=kind)
    return PlanAssignmentFactory(
        client=client, template=template, start_date=start, end_date=end, **extra
    )


@pytest.fixture
def plans(client_link):
    # WORKOUT_CONTENT cycles Push, Rest, Legs; DIET_CONTENT has one "Training day".
    workout = assign(client_link, start=dt.date(2026, 3, 2))
    diet = assign(client_link, kind=PlanKind.DIET, start=dt.date(2026, 3, 2))
    return workout, diet


def test_it_gives_the_workout_and_diet_day_for_the_date(client_api, plans):
    workout, diet = plans
    response = client_api.get(URL, {"date": "2026-03-02"})
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2026-03-02"
    assert body["workout"]["assignment"] == {
        "id": workout.id,
        "name": workout.name,
        "kind": "workout",
        "start_date": "2026-03-02",
        "end_date": None,
    }
    assert body["workout"]["day_index"] == 0
    assert body["workout"]["day_count"] == 3
    assert body["workout"]["day"]["name"] == "Push"
    assert body["workout"]["is_rest_day"] is False
    assert body["diet"]["assignment"]["id"] == diet.id
    assert body["diet"]["day"] == DIET_CONTENT["days"][0]
    assert body["diet"]["targets"] == DIET_CONTENT["targets"]
    assert body["is_rest_day"] is False
    assert body["logged"] == {
        "workouts": [],
        "meals": [],
        "meal_totals": {"calories": 0.0, "protein_g": 0.0, "carbs_g": 0.0, "fat_g": 0.0},
    }


def test_it_says_so_on_a_rest_day(client_api, plans):
    body = client_api.get(URL, {"date": "2026-03-03"}).json()
    assert body["workout"]["day_index"] == 1
    assert body["workout"]["day"]["rest"] is True
    assert body["workout"]["is_rest_day"] is True
    assert body["is_rest_day"] is True


def test_the_cycle_wraps_around_after_the_last_day(client_api, plans):
    # Day 3 is Push again, day 5 Legs; 100 days later: 100 mod 3 = 1 (Rest).
    assert client_api.get(URL, {"date": "2026-03-05"}).json()["workout"]["day_index"] == 0
    assert client_api.get(URL, {"date": "2026-03-07"}).json()["workout"]["day"]["name"] == "Legs"
    far = dt.date(2026, 3, 2) + dt.timedelta(days=100)
    assert client_api.get(URL, {"date": far.isoformat()}).json()["workout"]["day_index"] == 1


def test_there_is_no_plan_before_the_start_date(client_api, plans):
    body = client_api.get(URL, {"date": "2026-03-01"}).json()
    assert body["workout"] is None
    assert body["diet"] is None
    assert body["is_rest_day"] is False


def test_there_is_no_plan_after_the_end_date(client_api, client_link):
    assign(client_link, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 10))
    assert client_api.get(URL, {"date": "2026-03-10"}).json()["workout"]["day_index"] == 2
    assert client_api.get(URL, {"date": "2026-03-11"}).json()["workout"] is None


def test_a_past_date_shows_the_plan_that_was_in_force_then(client_api, client_link):
    old = assign(
        client_link,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 2, 28),
        status=PlanAssignment.Status.ENDED,
    )
    new = assign(client_link, start=dt.date(2026, 3, 1))
    assert client_api.get(URL, {"date": "2026-02-28"}).json()["workout"]["assignment"]["id"] == (
        old.id
    )
    assert client_api.get(URL, {"date": "2026-03-01"}).json()["workout"]["assignment"]["id"] == (
        new.id
    )


def test_an_assignment_ended_without_an_end_date_stops_on_the_day_it_was_ended(
    client_api, client_link
):
    assign(
        client_link,
        start=dt.date(2026, 3, 1),
        status=PlanAssignment.Status.ENDED,
        ended_at=dt.datetime(2026, 3, 5, 12, tzinfo=UTC),
    )
    assert client_api.get(URL, {"date": "2026-03-04"}).json()["workout"] is not None
    assert client_api.get(URL, {"date": "2026-03-05"}).json()["workout"] is None


def test_a_cancelled_assignment_never_covers_a_day(client_api, client_link):
    # The plans service cancels a not-yet-started assignment with end_date = start_date.
    assign(
        client_link,
        start=dt.date(2026, 3, 10),
        end=dt.date(2026, 3, 10),
        status=PlanAssignment.Status.ENDED,
        ended_at=dt.datetime(2026, 3, 8, 12, tzinfo=UTC),
    )
    assert client_api.get(URL, {"date": "2026-03-10"}).json()["workout"] is None


def test_an_assignment_ended_on_its_first_day_covers_that_day(client_api, client_link):
    assign(
        client_link,
        start=dt.date(2026, 3, 10),
        end=dt.date(2026, 3, 10),
        status=PlanAssignment.Status.ENDED,
        ended_at=dt.datetime(2026, 3, 10, 18, tzinfo=UTC),
    )
    assert client_api.get(URL, {"date": "2026-03-10"}).json()["workout"]["day_index"] == 0
    assert client_api.get(URL, {"date": "2026-03-11"}).json()["workout"] is None


def test_it_lists_what_the_client_logged_that_day(client_api, client_link, plans):
    workout = WorkoutLogFactory(client=client_link, date=dt.date(2026, 3, 2), day_index=0)
    MealLogFactory(client=client_link, date=dt.date(2026, 3, 2), calories=500, protein_g=30)
    MealLogFactory(client=client_link, date=dt.date(2026, 3, 2), calories=250.5, fat_g=12)
    WorkoutLogFactory(client=client_link, date=dt.date(2026, 3, 3))  # another day
    body = client_api.get(URL, {"date": "2026-03-02"}).json()
    assert [w["id"] for w in body["logged"]["workouts"]] == [str(workout.id)]
    assert body["logged"]["workouts"][0]["exercises"] == workout.exercises
    assert len(body["logged"]["meals"]) == 2
    assert body["logged"]["meal_totals"] == {
        "calories": 750.5,
        "protein_g": 30.0,
        "carbs_g": 0.0,
        "fat_g": 12.0,
    }


def test_a_deactivated_client_gets_no_plan_for_today_but_sees_the_log(client_link, plans):
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=UTC), tick=False):
        client_link.is_active = False
        client_link.deactivated_at = timezone.now()
        client_link.save()
        WorkoutLogFactory(client=client_link, date=dt.date(2026, 3, 20))
        api = auth_client(client_link.user)
        body = api.get(URL).json()
        assert body["date"] == "2026-03-20"
        assert body["workout"] is None
        assert body["diet"] is None
        assert len(body["logged"]["workouts"]) == 1
        # History before the deactivation keeps its plan.
        assert api.get(URL, {"date": "2026-03-19"}).json()["workout"] is not None


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-02-30", "2026-13-01", "20260301", "9" * 500, "2026-03-01T00"]
)
def test_an_invalid_date_is_a_400(client_api, value):
    assert_error(client_api.get(URL, {"date": value}), 400, "invalid", "date")


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_date_is_a_400(client_api, value):
    assert_error(client_api.get(URL, {"date": value}), 400, "invalid", "date")


def test_without_a_date_it_shows_today(client_user):
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False):
        response = auth_client(client_user).get(URL)
    assert response.status_code == 200
    assert response.json()["date"] == "2026-03-02"


def test_unrelated_query_parameters_are_ignored(client_api, plans):
    response = client_api.get(URL, {"date": "2026-03-02", "_": "123"})
    assert response.status_code == 200


def test_extreme_dates_answer_without_error(client_api, plans):
    assert client_api.get(URL, {"date": "0001-01-01"}).json()["workout"] is None
    assert client_api.get(URL, {"date": "9999-12-31"}).json()["workout"] is not None


# Timezones: "today" is the client's local date, not the server's (UTC here).


def test_today_is_already_tomorrow_for_a_client_in_kiritimati(trainer):
    client = ClientFactory(trainer=trainer, user__timezone="Pacific/Kiritimati")  # UTC+14
    assign(client, start=dt.date(2026, 6, 1))
    # 10:30 UTC on June 1 is 00:30 on June 2 in Kiritimati.
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 30, tzinfo=UTC), tick=False):
        body = auth_client(client.user).get(URL).json()
    assert body["date"] == "2026-06-02"
    assert body["workout"]["day_index"] == 1


def test_today_is_still_yesterday_for_a_client_in_honolulu(trainer):
    client = ClientFactory(trainer=trainer, user__timezone="Pacific/Honolulu")  # UTC-10
    assign(client, start=dt.date(2026, 6, 1))
    # 09:30 UTC on June 2 is 23:30 on June 1 in Honolulu.
    with time_machine.travel(dt.datetime(2026, 6, 2, 9, 30, tzinfo=UTC), tick=False):
        body = auth_client(client.user).get(URL).json()
    assert body["date"] == "2026-06-01"
    assert body["workout"]["day_index"] == 0


def test_today_turns_at_local_midnight_for_a_client_in_auckland(trainer):
    client = ClientFactory(trainer=trainer, user__timezone="Pacific/Auckland")  # UTC+13 (DST)
    with time_machine.travel(dt.datetime(2026, 1, 10, 10, 59, tzinfo=UTC), tick=False):
        assert auth_client(client.user).get(URL).json()["date"] == "2026-01-10"
    with time_machine.travel(dt.datetime(2026, 1, 10, 11, 0, tzinfo=UTC), tick=False):
        assert auth_client(client.user).get(URL).json()["date"] == "2026-01-11"


@pytest.mark.parametrize("logs", [10, 1000])
def test_it_runs_a_fixed_number_of_queries(
    client_api, client_link, plans, logs, django_assert_num_queries
):
    from progress.models import MealLog, WorkoutLog

    day = dt.date(2026, 3, 2)
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=client_link, date=day - dt.timedelta(days=n % 300)) for n in range(logs)
    )
    MealLog.objects.bulk_create(
        MealLog(client=client_link, date=day - dt.timedelta(days=n % 300), meal="Lunch")
        for n in range(logs)
    )
    for n in range(5):
        HabitFactory(client=client_link, title=f"Habit {n}", start_date=day)
    FormAssignmentFactory(client=client_link, kind="weekly")
    # auth user (with its tenant and generation, the response cache's key), client,
    # assignments, workouts of the day, meals of the day, habits with the day's check,
    # the weekly form with whether the week's response is in
    with django_assert_num_queries(7):
        response = client_api.get(URL, {"date": day.isoformat()})
    assert response.status_code == 200
    with django_assert_num_queries(1):  # the same read again is served from the cache
        assert client_api.get(URL, {"date": day.isoformat()}).content == response.content
    assert len(response.json()["habits"]) == 5
    assert response.json()["checkin_form"]["submitted"] is False


@pytest.mark.parametrize(
    "snapshot",
    [
        {},
        {"days": []},
        {"days": "not a list"},
        {"days": ["not an object", 3]},
        {"days": [{"name": "No rest flag"}]},
        ["not", "an", "object"],
    ],
)
def test_an_odd_snapshot_never_breaks_the_home_screen(client_api, client_link, snapshot):
    # Snapshots are validated on write; rows written by hand (admin, ORM) must not 500.
    assign(client_link, start=dt.date(2026, 3, 1), snapshot=snapshot)
    response = client_api.get(URL, {"date": "2026-03-02"})
    assert response.status_code == 200
    body = response.json()
    assert body["is_rest_day"] is False
    assert body["workout"] is None or body["workout"]["is_rest_day"] is False
    assert client_api.get("/api/v1/me/streaks/").status_code == 200
    assert client_api.get("/api/v1/me/dashboard/").status_code == 200


def test_a_diet_plan_without_targets_says_null(client_api, client_link):
    assign(
        client_link,
        kind=PlanKind.DIET,
        start=dt.date(2026, 3, 1),
        snapshot={"days": [{"name": "Any day", "meals": []}]},
    )
    body = client_api.get(URL, {"date": "2026-03-09"}).json()
    assert body["diet"]["day"] == {"name": "Any day", "meals": []}
    assert body["diet"]["targets"] is None
    assert body["workout"] is None


def test_the_weekly_check_in_is_the_assigned_form_with_its_week(client_api, client_link):
    assert client_api.get(URL, {"date": "2026-03-04"}).json()["checkin_form"] is None
    FormAssignmentFactory(client=client_link, kind="once")  # a questionnaire is not it
    assert client_api.get(URL, {"date": "2026-03-04"}).json()["checkin_form"] is None
    weekly = FormAssignmentFactory(client=client_link, kind="weekly")
    FormResponse.objects.create(
        client=client_link,
        assignment=weekly,
        form_version=weekly.form_version,
        date=dt.date(2026, 3, 3),
        week_start=dt.date(2026, 3, 2),
        answers=[],
    )
    body = client_api.get(URL, {"date": "2026-03-04"}).json()["checkin_form"]
    assert body == {
        "form_assignment": weekly.pk,
        "form": weekly.form_id,
        "form_version": weekly.form_version_id,
        "name": "Weekly check-in",
        "version": 1,
        "due_week_start": "2026-03-02",
        "submitted": True,
    }
    later = client_api.get(URL, {"date": "2026-03-09"}).json()["checkin_form"]
    assert (later["due_week_start"], later["submitted"]) == ("2026-03-09", False)
