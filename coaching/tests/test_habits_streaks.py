"""Habit streaks follow the client's timezone (and survive DST changes)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from coaching.models import HabitCheck
from coaching.selectors.habits import habit_streak
from coaching.tests.factories import HabitCheckFactory, HabitFactory
from conftest import auth_client

pytestmark = pytest.mark.django_db


def _streak(habit):
    today = habit.client.user.local_today()
    return habit_streak(habit=habit, checks=list(habit.checks.all()), today=today)


def _set_timezone(client_link, name):
    client_link.user.timezone = name
    client_link.user.save(update_fields=["timezone"])


@pytest.mark.parametrize(
    "zone, instant, expected_current",
    [
        # 23:30 UTC on Mar 10 is already Mar 11 in Tokyo: Mar 11 checked -> run of 3 today.
        ("Asia/Tokyo", dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), 3),
        # ...and still Mar 10 in UTC: the Mar 11 check is "tomorrow" and counts as well.
        ("UTC", dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), 3),
        # In Honolulu it is Mar 10 13:30: the run through Mar 11 (a tomorrow check) holds.
        ("Pacific/Honolulu", dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), 3),
        # Two days later in Tokyo (Mar 13): Mar 12 missed, the streak is broken.
        ("Asia/Tokyo", dt.datetime(2026, 3, 12, 23, 30, tzinfo=dt.UTC), 0),
        # Mar 12 in Honolulu: yesterday (Mar 11) was done, so the run is still alive.
        ("Pacific/Honolulu", dt.datetime(2026, 3, 12, 23, 30, tzinfo=dt.UTC), 3),
    ],
)
def test_a_daily_streak_follows_the_client_s_local_date(
    client_link, zone, instant, expected_current
):
    _set_timezone(client_link, zone)
    habit = HabitFactory(client=client_link, start_date=dt.date(2026, 3, 1))
    for day in (9, 10, 11):
        HabitCheckFactory(habit=habit, date=dt.date(2026, 3, day))

    with time_machine.travel(instant, tick=False):
        assert _streak(habit).current == expected_current
        assert _streak(habit).longest == 3


def test_a_daily_streak_runs_through_a_dst_change(client_link):
    # New York springs forward on Sunday Mar 8 2026 (a 23-hour day).
    _set_timezone(client_link, "America/New_York")
    habit = HabitFactory(client=client_link, start_date=dt.date(2026, 3, 1))
    for day in (6, 7, 8, 9):
        HabitCheckFactory(habit=habit, date=dt.date(2026, 3, day))

    # 00:30 local on Mar 10 (04:30 UTC, after the change): today not done yet.
    with time_machine.travel(dt.datetime(2026, 3, 10, 4, 30, tzinfo=dt.UTC), tick=False):
        client_api = auth_client(client_link.user)  # a token valid at that instant
        data = client_api.get(reverse("habit-detail", args=[habit.pk])).json()
        # The check of "today" lands on Mar 10 local, extending the run to 5.
        response = client_api.post(
            reverse("habit-check", args=[habit.pk]), {"date": "2026-03-10"}, format="json"
        )
        after = client_api.get(reverse("habit-detail", args=[habit.pk])).json()

    assert (data["current_streak"], data["longest_streak"]) == (4, 4)
    assert response.status_code == 201
    assert (after["current_streak"], after["longest_streak"]) == (5, 5)


def test_a_numeric_habit_counts_only_days_at_the_goal(client_link):
    habit = HabitFactory(client=client_link, goal=8, start_date=dt.date(2026, 3, 1))
    HabitCheckFactory(habit=habit, date=dt.date(2026, 3, 9), value=8)
    HabitCheckFactory(habit=habit, date=dt.date(2026, 3, 10), value=5)
    HabitCheckFactory(habit=habit, date=dt.date(2026, 3, 11), value=9)

    with time_machine.travel(dt.datetime(2026, 3, 11, 18, 0, tzinfo=dt.UTC), tick=False):
        streak = _streak(habit)
    assert (streak.current, streak.longest) == (1, 1)


def test_a_weekly_streak_counts_iso_weeks_meeting_the_target(client_link):
    habit = HabitFactory(
        client=client_link, frequency="weekly", target=2, start_date=dt.date(2026, 2, 1)
    )
    days = [
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 4),  # week of Feb 2: 2 -> met
        dt.date(2026, 2, 10),  # week of Feb 9: 1 -> missed
        dt.date(2026, 2, 16),
        dt.date(2026, 2, 22),  # week of Feb 16 (Mon..Sun): met
        dt.date(2026, 2, 23),
        dt.date(2026, 2, 24),  # week of Feb 23: met
        dt.date(2026, 3, 2),  # this week (Mar 2): 1 so far, unfinished
    ]
    for day in days:
        HabitCheck.objects.create(habit=habit, client=client_link, date=day)

    with time_machine.travel(dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC), tick=False):
        streak = _streak(habit)
    # This week is not met yet, so the run through last week counts: 2 weeks.
    assert (streak.current, streak.longest) == (2, 2)


def test_a_weekly_streak_follows_the_timezone_at_the_week_boundary(client_link):
    # Sunday Mar 8 23:30 in Los Angeles is Monday Mar 9 07:30 UTC.
    _set_timezone(client_link, "America/Los_Angeles")
    habit = HabitFactory(
        client=client_link, frequency="weekly", target=1, start_date=dt.date(2026, 2, 1)
    )
    for day in (dt.date(2026, 2, 24), dt.date(2026, 3, 3)):
        HabitCheck.objects.create(habit=habit, client=client_link, date=day)

    with time_machine.travel(dt.datetime(2026, 3, 9, 7, 30, tzinfo=dt.UTC), tick=False):
        in_la = _streak(habit).current
        _set_timezone(client_link, "UTC")
        habit.client.user.refresh_from_db()
        in_utc = _streak(habit).current

    # Still the week of Mar 2 in LA (met): 2. Already the week of Mar 9 in UTC, the run
    # through last week is still alive: 2 as well; two weeks later it would be 0.
    assert (in_la, in_utc) == (2, 2)
    with time_machine.travel(dt.datetime(2026, 3, 17, 7, 30, tzinfo=dt.UTC), tick=False):
        assert _streak(habit).current == 0
