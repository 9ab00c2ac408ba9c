"""habits/ and habits/<id>/check/ through real URLs and JWTs."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from coaching.models import Habit, HabitCheck
from coaching.tests.factories import HabitCheckFactory, HabitFactory
from conftest import auth_client
from dashboard.models import ActivityEvent

pytestmark = pytest.mark.django_db

LIST = reverse("habit-list")
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)  # a Wednesday
TODAY = dt.date(2026, 3, 4)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def detail(habit) -> str:
    return reverse("habit-detail", args=[habit.pk])


def check_url(habit) -> str:
    return reverse("habit-check", args=[habit.pk])


def body(client_link, **overrides):
    return {
        "client": client_link.pk,
        "title": "Drink water",
        "frequency": "daily",
        "goal": 8,
        "unit": "glasses",
        "start_date": "2026-03-01",
        **overrides,
    }


def codes(response) -> list[tuple[str, str]]:
    return [(e["attr"], e["code"]) for e in response.json()["errors"]]


def test_a_trainer_gives_a_client_a_habit(trainer_api, client_link):
    response = trainer_api.post(LIST, body(client_link), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Drink water"
    assert data["goal"] == 8
    assert data["target"] == 1
    assert data["current_streak"] == 0
    assert data["completion_7d"] == 0
    assert Habit.objects.get().assigned_by_id == client_link.trainer_id


@pytest.mark.parametrize(
    "overrides, attr, code",
    [
        ({"frequency": "daily", "target": 3}, "target", "invalid"),
        ({"frequency": "weekly", "target": 8}, "target", "max_value"),
        ({"end_date": "2026-02-01"}, "end_date", "invalid"),
        ({"goal": 0}, "goal", "min_value"),
        ({"frequency": "hourly"}, "frequency", "invalid_choice"),
        ({"colour": "red"}, "colour", "unknown_field"),
        ({"title": 5}, "title", "invalid"),
    ],
)
def test_it_refuses_bad_habits(trainer_api, client_link, overrides, attr, code):
    response = trainer_api.post(LIST, body(client_link, **overrides), format="json")

    assert response.status_code == 400
    assert (attr, code) in codes(response)


def test_a_habit_for_somebody_elses_client_is_a_404_naming_the_client(
    trainer_api, other_client_link
):
    response = trainer_api.post(LIST, body(other_client_link), format="json")

    assert response.status_code == 404
    assert codes(response) == [("client", "not_found")]


def test_clients_cannot_create_habits(client_api, client_link):
    assert client_api.post(LIST, body(client_link), format="json").status_code == 403


def test_the_trainer_changes_and_deletes_a_habit(trainer_api, client_link):
    habit = HabitFactory(client=client_link)

    response = trainer_api.patch(detail(habit), {"title": "Walk", "end_date": None}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Walk"
    assert trainer_api.delete(detail(habit)).status_code == 204
    assert not Habit.objects.exists()


def test_the_client_reads_their_habits_and_the_trainer_filters_by_client(
    trainer_api, client_api, client_link, other_client_link
):
    mine = HabitFactory(client=client_link)
    HabitFactory(client=other_client_link)

    assert [h["id"] for h in client_api.get(LIST).json()["results"]] == [mine.pk]
    assert [h["id"] for h in trainer_api.get(LIST).json()["results"]] == [mine.pk]
    filtered = trainer_api.get(LIST, {"client": client_link.pk}).json()["results"]
    assert [h["id"] for h in filtered] == [mine.pk]
    assert client_api.patch(detail(mine), {"title": "x"}, format="json").status_code == 403


def test_a_check_is_idempotent_per_date_and_takes_the_new_value(client_api, client_link):
    habit = HabitFactory(client=client_link, goal=8, unit="glasses")

    first = client_api.post(check_url(habit), {"date": "2026-03-04", "value": 6}, format="json")
    again = client_api.post(check_url(habit), {"date": "2026-03-04", "value": 8}, format="json")

    assert first.status_code == 201, first.content
    assert first.json()["done"] is False
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["value"] == 8
    assert again.json()["done"] is True
    assert HabitCheck.objects.count() == 1
    # Completed once, when the value reached the goal.
    assert ActivityEvent.objects.filter(kind="habit.completed").count() == 1
    event = ActivityEvent.objects.get(kind="habit.completed")
    assert event.domain == "checkins"
    assert event.summary == "Cleo completed “Walk 10k steps” (8 glasses)"


@pytest.mark.parametrize(
    "payload, attr, code",
    [
        ({"date": "2026-03-04"}, "value", "required"),
        ({"date": "2026-03-06", "value": 3}, "date", "future"),
        ({"date": "2026-02-28", "value": 3}, "date", "out_of_range"),
        ({"date": "2026-03-04", "value": "lots"}, "value", "invalid"),
        ({"date": "yesterday", "value": 1}, "date", "invalid"),
        ({"date": "2026-03-04", "value": 1, "note": "x"}, "note", "unknown_field"),
    ],
)
def test_it_refuses_bad_checks(client_api, client_link, payload, attr, code):
    habit = HabitFactory(client=client_link, goal=8, start_date=dt.date(2026, 3, 1))

    response = client_api.post(check_url(habit), payload, format="json")

    assert response.status_code == 400
    assert (attr, code) in codes(response)


def test_a_habit_without_goal_takes_no_value_and_tomorrow_is_allowed(client_api, client_link):
    habit = HabitFactory(client=client_link)

    bad = client_api.post(check_url(habit), {"date": "2026-03-04", "value": 1}, format="json")
    tomorrow = client_api.post(check_url(habit), {"date": "2026-03-05"}, format="json")

    assert codes(bad) == [("value", "invalid")]
    assert tomorrow.status_code == 201


def test_undo_removes_the_check_and_its_event(client_api, client_link):
    habit = HabitFactory(client=client_link)
    client_api.post(check_url(habit), {"date": "2026-03-04"}, format="json")

    response = client_api.delete(f"{check_url(habit)}?date=2026-03-04")
    again = client_api.delete(f"{check_url(habit)}?date=2026-03-04")

    assert response.status_code == 204
    assert again.status_code == 204
    assert not HabitCheck.objects.exists()
    assert not ActivityEvent.objects.filter(kind="habit.completed").exists()
    assert codes(client_api.delete(check_url(habit))) == [("date", "required")]


def test_trainers_do_not_check_habits(trainer_api, client_link):
    habit = HabitFactory(client=client_link)
    assert (
        trainer_api.post(check_url(habit), {"date": "2026-03-04"}, format="json").status_code == 403
    )


def test_streaks_and_completion_show_in_the_habit(client_api, client_link):
    habit = HabitFactory(client=client_link, start_date=dt.date(2026, 2, 1))
    for day in (25, 26, 27, 28):
        HabitCheckFactory(habit=habit, date=dt.date(2026, 2, day))
    for day in (2, 3):
        HabitCheckFactory(habit=habit, date=dt.date(2026, 3, day))

    data = client_api.get(detail(habit)).json()

    # Mar 2-3 run through yesterday (today not done yet); Feb 25-28 is the longest.
    assert (data["current_streak"], data["longest_streak"]) == (2, 4)
    # Last 7 complete days (Feb 25 .. Mar 3): 6 of 7.
    assert data["completion_7d"] == 86


def test_the_habits_of_the_day_are_on_today_and_the_home_screen(client_api, client_link):
    water = HabitFactory(client=client_link, title="Water", goal=8, unit="glasses")
    walk = HabitFactory(client=client_link, title="Walk")
    HabitFactory(client=client_link, title="Ended", end_date=dt.date(2026, 2, 1))
    HabitCheckFactory(habit=water, date=TODAY, value=5)
    HabitCheckFactory(habit=walk, date=TODAY)

    today = client_api.get(reverse("me-today")).json()["habits"]
    home = client_api.get(reverse("me-dashboard")).json()["today"]["habits"]

    assert [(h["habit"], h["done"], h["value"]) for h in today] == [
        (water.pk, False, 5),
        (walk.pk, True, None),
    ]
    assert home == today


def test_a_specialist_with_checkins_reads_the_habits(checkins_specialist, client_link):
    habit = HabitFactory(client=client_link)
    api = auth_client(checkins_specialist)

    assert api.get(detail(habit)).status_code == 200
    assert api.post(LIST, body(client_link), format="json").status_code == 201


# Isolation ---------------------------------------------------------------------------------


def test_every_habit_endpoint_is_a_404_for_outsiders(outsiders, client_link):
    habit = HabitFactory(client=client_link)
    for name, api in outsiders.items():
        reading = [api.get(detail(habit))]
        assert all(r.status_code == 404 for r in reading), name
        assert api.get(LIST).json()["results"] == [], name
        if "client" in name:
            writes = [
                api.post(check_url(habit), {"date": "2026-03-04"}, format="json"),
                api.delete(f"{check_url(habit)}?date=2026-03-04"),
            ]
        else:
            writes = [
                api.patch(detail(habit), {"title": "x"}, format="json"),
                api.delete(detail(habit)),
                api.post(LIST, body(client_link), format="json"),
            ]
        assert all(r.status_code == 404 for r in writes), (name, [r.content for r in writes])
    assert Habit.objects.filter(pk=habit.pk, title=habit.title).exists()


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_runs_a_fixed_number_of_queries(
    trainer_api, client_link, count, django_assert_num_queries
):
    for _ in range(count):
        habit = HabitFactory(client=client_link)
        HabitCheckFactory(habit=habit)
    # auth user, page (with the client's user; a last page counts its own rows), the
    # page's checks
    with django_assert_num_queries(3):
        response = trainer_api.get(LIST, {"page_size": 100})
    assert len(response.json()["results"]) == count


SUMMARY = reverse("habit-summary")


def test_the_summary_is_the_client_detail_completion_figure(
    trainer_api, client_api, client_link, checkins_specialist
):
    daily = HabitFactory(client=client_link, start_date=dt.date(2026, 2, 1))
    for day in (dt.date(2026, 2, 25), dt.date(2026, 3, 1), dt.date(2026, 3, 3)):
        HabitCheckFactory(habit=daily, date=day)
    weekly = HabitFactory(client=client_link, frequency="weekly", target=7, start_date=TODAY)
    HabitCheckFactory(habit=weekly, date=TODAY)  # today: outside the window
    HabitFactory(client=client_link, end_date=dt.date(2026, 3, 1), start_date=TODAY.replace(day=1))
    # daily: 3 of 7 window days; weekly: not active in the window yet; the third was
    # active on 1 window day (the 1st), unchecked: 3 / 8 rounds to 38.
    expected = {"client": client_link.pk, "date": "2026-03-04", "active": 2, "completion_7d": 38}
    for api in (trainer_api, auth_client(checkins_specialist)):
        response = api.get(SUMMARY, {"client": client_link.pk})
        assert response.status_code == 200
        assert response.json() == expected
    assert client_api.get(SUMMARY).json() == expected  # a client reads their own


def test_the_summary_needs_a_client_the_trainer_sees(trainer_api, outsiders, client_link):
    assert trainer_api.get(SUMMARY).status_code == 400
    assert trainer_api.get(SUMMARY, {"client": "x"}).status_code == 400
    for name, api in outsiders.items():
        response = api.get(SUMMARY, {"client": client_link.pk})
        if "client" in name:  # a client's `client` is ignored: their own figure
            assert response.json()["client"] != client_link.pk, name
        else:
            assert response.status_code == 404, name


@pytest.mark.parametrize("count", [2, 12])
def test_the_summary_runs_a_fixed_number_of_queries(
    trainer_api, client_link, count, django_assert_num_queries
):
    for _ in range(count):
        HabitCheckFactory(habit=HabitFactory(client=client_link), date=dt.date(2026, 3, 2))
    # auth user, the client (with its user), habits with their window's checks
    with django_assert_num_queries(3):
        response = trainer_api.get(SUMMARY, {"client": client_link.pk})
    assert response.json()["completion_7d"] == 14
