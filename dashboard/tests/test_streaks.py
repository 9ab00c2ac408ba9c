"""me/streaks/: streak rules over local dates (rest days, unfinished today, DST, tz edits)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from clients.tests.factories import ClientFactory
from conftest import auth_client
from dashboard.selectors import PlanSpan, Schedule, compute_streaks
from plans.models import PlanAssignment, PlanKind
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
from progress.models import WorkoutLog
from progress.tests.factories import MealLogFactory, WorkoutLogFactory

URL = "/api/v1/me/streaks/"
UTC = dt.UTC
D = dt.date


def days(start: dt.date, count: int) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range(count)]


def schedule(*spans: tuple[dt.date, dt.date | None, list[bool]]) -> Schedule:
    """A schedule from (start, end, [rest flags of the cycle's days])."""
    return Schedule(
        PlanSpan(
            assignment=None,
            kind=PlanKind.WORKOUT,
            start=start,
            end=end,
            days=[{"name": f"Day {i}", "rest": rest} for i, rest in enumerate(flags)],
            is_active=True,
        )
        for start, end, flags in spans
    )


NO_PLAN = schedule()
# Push, Rest, Legs from Monday March 2, 2026: rest days are March 3, 6, 9, 12, ...
PPL = schedule((D(2026, 3, 2), None, [False, True, False]))


def streaks(log_dates, today, plan=NO_PLAN):
    result = compute_streaks(log_dates=log_dates, schedule=plan, today=today)
    return result.current, result.longest, result.last_active_date


# ---------------------------------------------------------------------- the rules


def test_no_logs_means_no_streak():
    # March 9 is a rest day of PPL, so today counts, but rest days alone are no streak.
    result = compute_streaks(log_dates=[], schedule=PPL, today=D(2026, 3, 9))
    assert (result.current, result.longest, result.last_active_date) == (0, 0, None)
    assert result.today_counts is False


def test_consecutive_days_make_a_streak_including_today():
    assert streaks(days(D(2026, 5, 1), 5), today=D(2026, 5, 5)) == (5, 5, D(2026, 5, 5))


def test_the_streak_is_not_broken_before_today_is_over():
    assert streaks(days(D(2026, 5, 1), 5), today=D(2026, 5, 6)) == (5, 5, D(2026, 5, 5))


def test_a_missed_day_breaks_the_current_streak_but_keeps_the_longest():
    assert streaks(days(D(2026, 5, 1), 5), today=D(2026, 5, 7)) == (0, 5, D(2026, 5, 5))


def test_the_longest_streak_is_the_longest_run():
    logs = days(D(2026, 5, 1), 3) + days(D(2026, 5, 10), 6) + days(D(2026, 5, 20), 2)
    assert streaks(logs, today=D(2026, 5, 21)) == (2, 6, D(2026, 5, 21))


def test_rest_days_of_the_plan_keep_the_streak_alive():
    # Push Mar 2, rest Mar 3, Legs Mar 4, Push Mar 5, rest Mar 6, Legs Mar 7.
    logs = [D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 7)]
    assert streaks(logs, today=D(2026, 3, 7), plan=PPL) == (6, 6, D(2026, 3, 7))


def test_a_rest_day_today_counts_after_a_workout_yesterday():
    result = compute_streaks(log_dates=[D(2026, 3, 2)], schedule=PPL, today=D(2026, 3, 3))
    assert (result.current, result.today_counts) == (2, True)


def test_rest_days_before_the_first_workout_of_a_run_count():
    # Rest Mar 3, then Legs Mar 4 logged.
    assert streaks([D(2026, 3, 4)], today=D(2026, 3, 4), plan=PPL) == (2, 2, D(2026, 3, 4))


def test_a_missed_training_day_breaks_the_streak_even_next_to_rest_days():
    # Mar 2 logged, Mar 3 rest, Mar 4 (Legs) missed, Mar 5 logged.
    assert streaks([D(2026, 3, 2), D(2026, 3, 5)], today=D(2026, 3, 5), plan=PPL) == (
        1,
        2,
        D(2026, 3, 5),
    )


def test_rest_days_alone_are_not_a_streak():
    all_rest = schedule((D(2026, 3, 1), None, [True]))
    assert streaks([], today=D(2026, 3, 20), plan=all_rest) == (0, 0, None)
    # ... but once a workout is logged, the rest days around it count.
    assert streaks([D(2026, 3, 10)], today=D(2026, 3, 20), plan=all_rest)[:2] == (20, 20)


def test_future_rest_days_do_not_count():
    assert streaks([D(2026, 3, 2)], today=D(2026, 3, 2), plan=PPL) == (1, 1, D(2026, 3, 2))


def test_the_rest_days_of_each_plan_apply_to_their_own_dates():
    plan = schedule(
        (D(2026, 3, 1), D(2026, 3, 10), [False, True]),  # rest on even offsets: Mar 2, 4, ...
        (D(2026, 3, 11), None, [True, False, False]),  # rest Mar 11, 14, ...
    )
    logs = [D(2026, 3, 7), D(2026, 3, 9), D(2026, 3, 12), D(2026, 3, 13)]
    # Mar 6 rest, 7, 8 rest, 9, 10 rest, 11 rest (new plan), 12, 13.
    assert streaks(logs, today=D(2026, 3, 13), plan=plan) == (8, 8, D(2026, 3, 13))


def test_a_log_dated_tomorrow_after_a_westward_timezone_edit_extends_today():
    logs = days(D(2026, 5, 1), 6)  # the last one, May 6, is "tomorrow" for the new timezone
    assert streaks(logs, today=D(2026, 5, 5)) == (6, 6, D(2026, 5, 6))


def test_logs_further_in_the_future_are_ignored():
    assert streaks([D(2026, 5, 1), D(2026, 5, 30)], today=D(2026, 5, 1)) == (1, 1, D(2026, 5, 1))


def test_it_handles_the_first_day_of_the_calendar():
    plan = schedule((dt.date.min, None, [True]))
    assert streaks([dt.date.min + dt.timedelta(days=2)], today=D(1, 1, 3), plan=plan)[:2] == (
        3,
        3,
    )


# ---------------------------------------------------------------------- through the API


def assign(client, *, start, end=None, **extra):
    template = PlanTemplateFactory(trainer=client.trainer, kind=PlanKind.WORKOUT)
    return PlanAssignmentFactory(
        client=client, template=template, start_date=start, end_date=end, **extra
    )


def log(client, *dates):
    WorkoutLog.objects.bulk_create(WorkoutLog(client=client, date=d) for d in dates)


def test_it_answers_current_longest_and_last_active_date(client_link):
    assign(client_link, start=D(2026, 3, 2))
    log(client_link, D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 5))
    with time_machine.travel(dt.datetime(2026, 3, 6, 8, tzinfo=UTC), tick=False):
        response = auth_client(client_link.user).get(URL)
    assert response.status_code == 200
    # Mar 6 is a rest day: it counts already.
    assert response.json() == {
        "current": 5,
        "longest": 5,
        "last_active_date": "2026-03-05",
        "today_counts": True,
    }


def test_several_workouts_on_one_day_count_as_one_day(client_link):
    assign(client_link, start=D(2026, 3, 2))  # Mar 3 is a rest day
    log(client_link, D(2026, 3, 2), D(2026, 3, 2), D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 4))
    with time_machine.travel(dt.datetime(2026, 3, 5, 8, tzinfo=UTC), tick=False):
        body = auth_client(client_link.user).get(URL).json()
    assert body == {
        "current": 3,
        "longest": 3,
        "last_active_date": "2026-03-04",
        "today_counts": False,
    }


def test_meal_logs_do_not_count(client_link):
    log(client_link, D(2026, 5, 1))
    MealLogFactory(client=client_link, date=D(2026, 5, 2))
    MealLogFactory(client=client_link, date=D(2026, 5, 3))
    with time_machine.travel(dt.datetime(2026, 5, 3, 12, tzinfo=UTC), tick=False):
        body = auth_client(client_link.user).get(URL).json()
    assert (body["current"], body["longest"], body["last_active_date"]) == (0, 1, "2026-05-01")


def test_a_superseded_plan_still_gives_its_rest_days_to_history(client_link):
    assign(
        client_link,
        start=D(2026, 3, 2),
        end=D(2026, 3, 6),
        status=PlanAssignment.Status.ENDED,
    )  # rest on Mar 3 and Mar 6
    assign(client_link, start=D(2026, 3, 7))  # Push Mar 7, rest Mar 8, Legs Mar 9
    log(client_link, D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 7), D(2026, 3, 9))
    with time_machine.travel(dt.datetime(2026, 3, 9, 20, tzinfo=UTC), tick=False):
        body = auth_client(client_link.user).get(URL).json()
    assert (body["current"], body["longest"]) == (8, 8)


def test_a_streak_across_the_spring_dst_change_in_berlin(trainer):
    client = ClientFactory(trainer=trainer, user__timezone="Europe/Berlin")
    # Clocks jump from 02:00 to 03:00 on Sunday March 29, 2026: a 23-hour day.
    log(client, D(2026, 3, 27), D(2026, 3, 28), D(2026, 3, 29))
    # 23:30 local on the short day (21:30 UTC, CEST = UTC+2): still March 29.
    with time_machine.travel(dt.datetime(2026, 3, 29, 21, 30, tzinfo=UTC), tick=False):
        api = auth_client(client.user)  # tokens are minted inside the frozen time
        assert api.get(URL).json()["current"] == 3
        assert api.get(URL).json()["today_counts"] is True
    # 00:30 local on March 30: today is not over, the streak holds.
    with time_machine.travel(dt.datetime(2026, 3, 29, 22, 30, tzinfo=UTC), tick=False):
        body = auth_client(client.user).get(URL).json()
        assert (body["current"], body["today_counts"]) == (3, False)
    # 00:30 local on March 31 without a log on the 30th: broken.
    with time_machine.travel(dt.datetime(2026, 3, 30, 22, 30, tzinfo=UTC), tick=False):
        body = auth_client(client.user).get(URL).json()
        assert (body["current"], body["longest"]) == (0, 3)


def test_a_streak_across_the_autumn_dst_change_in_berlin(trainer):
    client = ClientFactory(trainer=trainer, user__timezone="Europe/Berlin")
    # Clocks go back from 03:00 to 02:00 on Sunday October 25, 2026: a 25-hour day.
    log(client, D(2026, 10, 24), D(2026, 10, 25), D(2026, 10, 26))
    # 23:30 local on October 26 (22:30 UTC, CET = UTC+1).
    with time_machine.travel(dt.datetime(2026, 10, 26, 22, 30, tzinfo=UTC), tick=False):
        body = auth_client(client.user).get(URL).json()
    assert (body["current"], body["today_counts"]) == (3, True)
    # 00:30 local on October 28: the 27th was missed.
    with time_machine.travel(dt.datetime(2026, 10, 27, 23, 30, tzinfo=UTC), tick=False):
        assert auth_client(client.user).get(URL).json()["current"] == 0


def test_the_day_ends_at_local_midnight_in_kiritimati_and_honolulu(trainer):
    kiritimati = ClientFactory(trainer=trainer, user__timezone="Pacific/Kiritimati")  # +14
    honolulu = ClientFactory(trainer=trainer, user__timezone="Pacific/Honolulu")  # -10
    for client in (kiritimati, honolulu):
        log(client, D(2026, 6, 1), D(2026, 6, 2))
    # 10:30 UTC June 3: 00:30 June 4 in Kiritimati (June 3 missed, but June 4 not over),
    # 00:30 June 3 in Honolulu (today not over, streak holds).
    with time_machine.travel(dt.datetime(2026, 6, 3, 10, 30, tzinfo=UTC), tick=False):
        assert auth_client(kiritimati.user).get(URL).json()["current"] == 0
        assert auth_client(honolulu.user).get(URL).json()["current"] == 2
    # 09:30 UTC June 3: 23:30 June 3 in Kiritimati; 23:30 June 2 in Honolulu.
    with time_machine.travel(dt.datetime(2026, 6, 3, 9, 30, tzinfo=UTC), tick=False):
        assert auth_client(kiritimati.user).get(URL).json()["current"] == 2
        assert auth_client(honolulu.user).get(URL).json()["today_counts"] is True


def test_a_timezone_edit_westward_keeps_the_streak(trainer):
    client = ClientFactory(trainer=trainer, user__timezone="Pacific/Auckland")
    # Logged June 1-3 in Auckland; at 08:00 UTC June 3 it is 20:00 June 3 there.
    log(client, D(2026, 6, 1), D(2026, 6, 2), D(2026, 6, 3))
    with time_machine.travel(dt.datetime(2026, 6, 3, 8, tzinfo=UTC), tick=False):
        assert auth_client(client.user).get(URL).json()["current"] == 3
        # Flies to Honolulu: there it is 22:00 June 2; the June 3 log is "tomorrow".
        client.user.timezone = "Pacific/Honolulu"
        client.user.save()
        body = auth_client(client.user).get(URL).json()
    assert (body["current"], body["last_active_date"]) == (3, "2026-06-03")


def test_a_deactivated_client_gets_no_rest_days_after_deactivation(client_link):
    assign(client_link, start=D(2026, 3, 2))
    log(client_link, D(2026, 3, 2))
    with time_machine.travel(dt.datetime(2026, 3, 3, 0, 30, tzinfo=UTC), tick=False):
        client_link.is_active = False
        client_link.deactivated_at = timezone.now()
        client_link.save()
        body = auth_client(client_link.user).get(URL).json()
    # March 3 is a rest day, but the plan was taken away that day.
    assert (body["current"], body["today_counts"]) == (1, False)


@pytest.mark.parametrize("count", [10, 1000])
def test_it_runs_a_fixed_number_of_queries(client_link, count, django_assert_num_queries):
    assign(client_link, start=D(2023, 1, 1), end=D(2024, 12, 31))
    assign(client_link, start=D(2025, 1, 1), snapshot={"days": [{"name": "A", "rest": False}]})
    log(client_link, *days(D(2026, 11, 27) - dt.timedelta(days=count - 1), count))
    WorkoutLogFactory(client=client_link, date=D(2026, 11, 27))  # a duplicate date
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, tzinfo=UTC), tick=False):
        api = auth_client(client_link.user)
        # auth user, client, distinct log dates, workout assignments
        with django_assert_num_queries(4):
            response = api.get(URL)
    assert response.json()["current"] == count
