"""Reads of habits and their checks, scoped by clients.selectors.client_scope (domain:
checkins, the client's coaching record), and the streak and completion rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery

from clients.models import AccessDomain, Client
from clients.selectors import client_scope
from coaching.models import Habit, HabitCheck, HabitFrequency

ONE_DAY = timedelta(days=1)
COMPLETION_WINDOW_DAYS = 7


def habit_scope(*, user) -> QuerySet[Habit]:
    """The habits a user may read (a client's own; a member's clients seen in check-ins)."""
    return Habit.objects.filter(client_scope(user, domain=AccessDomain.CHECKINS))


def habit_list(*, user) -> QuerySet[Habit]:
    """habit_scope, each habit with all its checks (streaks need the history; a habit has
    at most one check per day of its range)."""
    return (
        habit_scope(user=user)
        .select_related("client__user")
        .prefetch_related(Prefetch("checks", queryset=HabitCheck.objects.order_by("date")))
    )


def habit_client(*, user, client_id: int) -> Client | None:
    """A client the member may give habits to (and read habits of)."""
    scope = client_scope(user, domain=AccessDomain.CHECKINS, prefix="")
    return Client.objects.filter(scope, pk=client_id).select_related("user").first()


def habit_own_client(*, user) -> Client | None:
    """The caller's own Client record (a client reading their habits)."""
    return Client.objects.filter(client_scope(user, prefix="")).select_related("user").first()


def habit_client_summary(*, client: Client) -> dict[str, Any]:
    """The client-detail figure: habits active today and the 7-day completion over all
    of them, on the client's local date (one query)."""
    today = client.user.local_today()
    rows = habit_completion_rows(habits=Q(client=client), today=today)
    return {"client": client.pk, "date": today, **habit_completion_summary(rows, today=today)}


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class HabitStreak:
    current: int
    longest: int


def _runs(periods: list[date], step: timedelta) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for period in periods:
        if runs and runs[-1][1] + step == period:
            runs[-1] = (runs[-1][0], period)
        else:
            runs.append((period, period))
    return runs


def habit_streak(*, habit: Habit, checks: Iterable[HabitCheck], today: date) -> HabitStreak:
    """Streaks in periods: days for a daily habit (a day counts when its check meets the
    goal), ISO weeks for a weekly one (a week counts when `target` of its days do).

    `today` is the client's local date. The current streak survives an unfinished period:
    it is the run ending in the period of today, or in the one before while today's is not
    met yet. A check dated tomorrow (a phone ahead of the profile's timezone) counts as
    today's period's successor without breaking anything.
    """
    done_days = sorted({c.date for c in checks if habit.meets_goal(c.value)})
    if habit.frequency == HabitFrequency.DAILY:
        periods, step, this_period = done_days, ONE_DAY, today
    else:
        per_week: dict[date, int] = {}
        for day in done_days:
            per_week[_week_start(day)] = per_week.get(_week_start(day), 0) + 1
        periods = sorted(week for week, count in per_week.items() if count >= habit.target)
        step, this_period = timedelta(weeks=1), _week_start(today)
    runs = _runs(periods, step)
    if not runs:
        return HabitStreak(current=0, longest=0)

    def length(run: tuple[date, date]) -> int:
        return (run[1] - run[0]) // step + 1

    longest = max(length(run) for run in runs)
    last = runs[-1]
    current = length(last) if last[1] >= this_period - step else 0
    return HabitStreak(current=current, longest=longest)


def habit_active_on(habit: Habit, day: date) -> bool:
    return habit.start_date <= day and (habit.end_date is None or day <= habit.end_date)


def habit_completion(*, habit: Habit, checks: Iterable[HabitCheck], today: date) -> int | None:
    """Percent of the expected completions met over the last 7 complete local days
    (today - 7 .. today - 1); null when the habit was not active on any of them.

    Expected: one per active day for a daily habit; `target` x active days / 7 for a weekly
    one (a week's target spread evenly over its days). Capped at 100."""
    window = [today - timedelta(days=n) for n in range(COMPLETION_WINDOW_DAYS, 0, -1)]
    active = [day for day in window if habit_active_on(habit, day)]
    if not active:
        return None
    done = sum(1 for c in checks if c.date in active and habit.meets_goal(c.value))
    if habit.frequency == HabitFrequency.DAILY:
        expected = Decimal(len(active))
    else:
        expected = Decimal(habit.target * len(active)) / COMPLETION_WINDOW_DAYS
    return min(100, round(done * 100 / expected))


def habits_for_day(*, client: Client, on_date: date) -> list[dict[str, Any]]:
    """The client's habits active on `on_date` with that day's check, in one query."""
    day_check = HabitCheck.objects.filter(habit=OuterRef("pk"), date=on_date)
    rows = (
        Habit.objects.filter(client=client, start_date__lte=on_date)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on_date))
        .annotate(
            day_checked=Exists(day_check),
            day_value=Subquery(
                day_check.values("value")[:1], output_field=HabitCheck._meta.get_field("value")
            ),
        )
        .order_by("start_date", "id")
    )
    return [
        {
            "habit": habit,
            "done": habit.day_checked and habit.meets_goal(habit.day_value),
            "value": habit.day_value,
        }
        for habit in rows
    ]


class _SubqueryCount(Subquery):
    """COUNT(*) of the rows of a correlated subquery: 0, never NULL, when it has none."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def habit_completion_rows(*, habits: Q, today: date) -> list[dict[str, Any]]:
    """One query: the habits matching `habits` (a filter on Habit) active on today or on
    any day of the completion window (today - 7 .. today - 1), each with the number of
    window days checked within its dates with the goal met (`done`) and its client's
    primary coach (`trainer_id`, for per-coach figures). Bounded by habits, not checks:
    the count is a correlated subquery on the (habit, date) unique index."""
    window_start = today - timedelta(days=COMPLETION_WINDOW_DAYS)
    done = (
        HabitCheck.objects.filter(habit=OuterRef("pk"), date__gte=window_start, date__lt=today)
        .filter(date__gte=F("habit__start_date"))
        .filter(Q(habit__end_date__isnull=True) | Q(date__lte=F("habit__end_date")))
        .filter(Q(habit__goal__isnull=True) | Q(value__gte=F("habit__goal")))
        .order_by()
        .values("pk")
    )
    return list(
        Habit.objects.filter(habits, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=window_start))
        .values("id", "client_id", "frequency", "target", "start_date", "end_date")
        .annotate(trainer_id=F("client__trainer_id"), done=_SubqueryCount(done))
        .order_by("id")
    )


def habit_completion_summary(rows: Iterable[dict[str, Any]], *, today: date) -> dict[str, Any]:
    """`active`: habits active on `today`; `completion_7d`: completions met over expected
    ones across all habits over the last 7 complete days (each habit's expected count as
    in `habit_completion`, its done count capped at it), percent; null when none was
    expected (no habit active in the window)."""
    window = [today - timedelta(days=n) for n in range(COMPLETION_WINDOW_DAYS, 0, -1)]
    active = 0
    done_total = Decimal(0)
    expected_total = Decimal(0)
    for row in rows:
        start, end = row["start_date"], row["end_date"]
        if start <= today and (end is None or today <= end):
            active += 1
        days = sum(1 for day in window if start <= day and (end is None or day <= end))
        if not days:
            continue
        if row["frequency"] == HabitFrequency.DAILY:
            expected = Decimal(days)
        else:
            expected = Decimal(row["target"] * days) / COMPLETION_WINDOW_DAYS
        expected_total += expected
        done_total += min(Decimal(row["done"]), expected)
    completion = None
    if expected_total:
        completion = min(100, round(done_total * 100 / expected_total))
    return {"active": active, "completion_7d": completion}
