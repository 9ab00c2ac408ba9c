"""Client reads: me/today, me/streaks, me/dashboard and me/export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from billing.models import Payment, Subscription
from clients.models import Client
from coaching.selectors.forms import client_weekly_form_due
from coaching.selectors.habits import habits_for_day
from dashboard.selectors.schedule import ONE_DAY, Schedule, is_rest
from plans.models import PlanAssignment, PlanKind
from progress.models import CheckIn, MealLog, WorkoutLog


def client_for_user(*, user: User) -> Client:
    """The caller's Client record with what the home screen reads beside it (one query)."""
    try:
        client = Client.objects.select_related("trainer").get(user=user)
    except Client.DoesNotExist:
        raise Http404("No client profile is linked to this account.") from None
    client.user = user  # the caller, already loaded: no need to read the row again
    return client


def _assignment_summary(a: PlanAssignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "kind": a.kind,
        "start_date": a.start_date,
        "end_date": a.end_date,
    }


def _plan_for(schedule: Schedule, kind: str, on_date: date) -> dict[str, Any] | None:
    span = schedule.covering(kind, on_date)
    found = span.day(on_date) if span else None
    if span is None or found is None or span.assignment is None:
        return None
    index, day = found
    plan: dict[str, Any] = {
        "assignment": _assignment_summary(span.assignment),
        "day_index": index,
        "day_count": len(span.days),
        "day": day,
    }
    if kind == PlanKind.WORKOUT:
        plan["is_rest_day"] = is_rest(day)
    else:
        snapshot = span.assignment.snapshot
        targets = snapshot.get("targets") if isinstance(snapshot, dict) else None
        plan["targets"] = targets if isinstance(targets, dict) else None
    return plan


def _meal_totals(meals: list[MealLog]) -> dict[str, Decimal]:
    totals = {key: Decimal(0) for key in ("calories", "protein_g", "carbs_g", "fat_g")}
    for meal in meals:
        for key in totals:
            totals[key] += getattr(meal, key) or 0
    return totals


def client_assignments(*, client: Client, kind: str | None = None) -> list[PlanAssignment]:
    """All the client's assignments (any status): a client has a few, not thousands."""
    qs = PlanAssignment.objects.filter(client=client).order_by("start_date", "id")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return list(qs)


def client_today(
    *, client: Client, on_date: date, assignments: list[PlanAssignment] | None = None
) -> dict[str, Any]:
    """The plan days for `on_date` and what the client already logged that day.

    Queries: assignments (unless given), that day's workout logs, that day's meal logs,
    the habits active that day with that day's check, the live weekly form with whether
    that week's response is in.
    """
    if assignments is None:
        assignments = list(
            PlanAssignment.objects.filter(client=client, start_date__lte=on_date).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=on_date)
            )
        )
    schedule = Schedule.for_client(client, assignments)
    workout = _plan_for(schedule, PlanKind.WORKOUT, on_date)
    diet = _plan_for(schedule, PlanKind.DIET, on_date)
    workouts = list(
        WorkoutLog.objects.filter(client=client, date=on_date).order_by("created_at", "id")
    )
    meals = list(MealLog.objects.filter(client=client, date=on_date).order_by("created_at", "id"))
    return {
        "date": on_date,
        "workout": workout,
        "diet": diet,
        "is_rest_day": bool(workout and workout["is_rest_day"]),
        "logged": {
            "workouts": workouts,
            "meals": meals,
            "meal_totals": _meal_totals(meals),
        },
        "habits": habits_for_day(client=client, on_date=on_date),
        "checkin_form": client_weekly_form_due(client=client, on_date=on_date),
    }


# --------------------------------------------------------------------------------------
# Client: streaks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int
    last_active_date: date | None
    today_counts: bool


def compute_streaks(*, log_dates: Iterable[date], schedule: Schedule, today: date) -> Streaks:
    """Streaks over calendar dates.

    A day counts when a workout was logged on it, or when it is a rest day of the workout
    plan covering it (rest days up to today only). A run of counted days is a streak only
    if it holds at least one logged workout, so a plan of rest days alone earns nothing.
    The current streak survives an unfinished today: it is the run ending today, or
    yesterday when today does not count yet. Logs dated tomorrow (possible right after a
    westward timezone edit) extend "today" to that date.

    Cost: walks the days between logs and the rest days around them; no queries.
    """
    logged = {d for d in log_dates if d <= today + ONE_DAY}
    if not logged:
        return Streaks(current=0, longest=0, last_active_date=None, today_counts=False)
    ordered = sorted(logged)
    end = max(today, ordered[-1])

    def counts(d: date) -> bool:
        return d in logged or (d <= today and schedule.is_rest_day(d))

    def before(d: date) -> date | None:
        return d - ONE_DAY if d > date.min else None

    longest = 0
    run_start: date | None = None
    run_end: date | None = None
    for d in ordered:
        if run_start is not None and run_end is not None:
            # Bridge the gap from the open run to this log over counted (rest) days.
            probe = run_end + ONE_DAY
            while probe < d and counts(probe):
                probe += ONE_DAY
            if probe >= d:
                run_end = d
                continue
            # `probe` broke the run: it ended the day before.
            longest = max(longest, (probe - run_start).days)
        # A new run starts at this log, extended back over the rest days before it.
        run_start = run_end = d
        previous = before(run_start)
        while previous is not None and counts(previous):
            run_start = previous
            previous = before(run_start)
    assert run_start is not None and run_end is not None
    # The last run extends forward over rest days up to today.
    while run_end < end and counts(run_end + ONE_DAY):
        run_end += ONE_DAY
    last_length = (run_end - run_start).days + 1
    longest = max(longest, last_length)
    current = last_length if run_end >= end - ONE_DAY else 0
    return Streaks(
        current=current,
        longest=longest,
        last_active_date=ordered[-1],
        today_counts=counts(today),
    )


def client_streaks(
    *,
    client: Client,
    today: date | None = None,
    workout_assignments: list[PlanAssignment] | None = None,
) -> Streaks:
    """Two queries: the distinct workout dates and the workout assignments."""
    today = today or client.user.local_today()
    # order_by(): the model's default ordering would add created_at to the DISTINCT.
    log_dates = (
        WorkoutLog.objects.filter(client=client)
        .order_by()
        .values_list("date", flat=True)
        .distinct()
    )
    if workout_assignments is None:
        workout_assignments = client_assignments(client=client, kind=PlanKind.WORKOUT)
    schedule = Schedule.for_client(client, workout_assignments)
    return compute_streaks(log_dates=list(log_dates), schedule=schedule, today=today)


# --------------------------------------------------------------------------------------
# Client: home screen (me/dashboard/)
# --------------------------------------------------------------------------------------


def client_live_subscription(*, client: Client) -> Subscription | None:
    return (
        Subscription.objects.filter(client=client, status__in=Subscription.LIVE_STATUSES)
        .select_related("plan")
        .order_by("-created_at", "-id")
        .first()
    )


def client_latest_feedback(*, client: Client) -> CheckIn | None:
    # A review without words is not "feedback" worth a place on the home screen.
    return (
        CheckIn.objects.filter(client=client, reviewed_at__isnull=False)
        .exclude(feedback="")
        .order_by("-reviewed_at", "-date")
        .first()
    )


def client_home(*, client: Client) -> dict[str, Any]:
    """today + streaks + subscription + latest feedback: 8 queries whatever the data size."""
    today = client.user.local_today()
    assignments = client_assignments(client=client)
    workout_assignments = [a for a in assignments if a.kind == PlanKind.WORKOUT]
    return {
        "today": client_today(client=client, on_date=today, assignments=assignments),
        "streaks": client_streaks(
            client=client, today=today, workout_assignments=workout_assignments
        ),
        "subscription": client_live_subscription(client=client),
        "latest_feedback": client_latest_feedback(client=client),
    }


# --------------------------------------------------------------------------------------
# Client: export (me/export/)
# --------------------------------------------------------------------------------------


def client_export(*, client_user: User) -> dict[str, Any]:
    """Everything the account holds, one query per collection. Never ClientNote."""
    try:
        client = Client.objects.select_related("user", "trainer", "health").get(user=client_user)
    except Client.DoesNotExist:
        raise Http404("No client profile is linked to this account.") from None
    try:
        health = client.health
    except Client.health.RelatedObjectDoesNotExist:
        health = None
    return {
        "format_version": 1,
        "exported_at": timezone.now(),
        "profile": client.user,
        "membership": client,
        "trainer": client.trainer,
        "health": health,
        "assignments": PlanAssignment.objects.filter(client=client).order_by("start_date", "id"),
        "workout_logs": WorkoutLog.objects.filter(client=client).order_by("date", "created_at"),
        "meal_logs": MealLog.objects.filter(client=client).order_by("date", "created_at"),
        "check_ins": CheckIn.objects.filter(client=client).order_by("date", "created_at"),
        "subscriptions": Subscription.objects.filter(client=client)
        .select_related("plan")
        .order_by("created_at", "id"),
        "payments": Payment.objects.filter(client=client).order_by("created_at", "id"),
    }
