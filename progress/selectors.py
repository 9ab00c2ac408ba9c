"""Reads of workout logs, meal logs and check-ins, always scoped to the caller.

A trainer sees the entries of their own clients, a client only their own; anybody else
sees nothing. Objects outside the scope are therefore 404, never 403.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from accounts.models import User
from clients.models import AccessDomain, Client
from clients.selectors import client_scope
from progress import records
from progress.models import CheckIn, ExerciseSession, MealLog, WorkoutLog

M = TypeVar("M", bound=Model)


def _scoped(queryset: QuerySet[M], *, user: User, domain: str) -> QuerySet[M]:
    # Anonymous users (schema generation) have no role and see nothing.
    return queryset.filter(client_scope(user, domain=domain))


def workout_log_list(*, user: User) -> QuerySet[WorkoutLog]:
    return _scoped(WorkoutLog.objects.all(), user=user, domain=AccessDomain.WORKOUTS)


def meal_log_list(*, user: User) -> QuerySet[MealLog]:
    return _scoped(MealLog.objects.all(), user=user, domain=AccessDomain.NUTRITION)


def check_in_list(*, user: User) -> QuerySet[CheckIn]:
    return _scoped(CheckIn.objects.all(), user=user, domain=AccessDomain.CHECKINS)


# Exercise history and personal records ------------------------------------------------------


def client_for_records(*, user: User, client_id: int | None) -> Client | None:
    """Whose history a request reads: a client's own; for a trainer the `?client=` they may
    read workouts of (None when it is not theirs: 404)."""
    if getattr(user, "is_client", False):
        return Client.objects.filter(
            client_scope(user, domain=AccessDomain.WORKOUTS, prefix="")
        ).first()
    if client_id is None:
        return None
    return (
        Client.objects.filter(client_scope(user, domain=AccessDomain.WORKOUTS, prefix=""))
        .filter(pk=client_id)
        .first()
    )


def exercise_history(*, user: User, client: Client, exercise_id: int) -> QuerySet[ExerciseSession]:
    """One session per workout log that did the exercise, newest first."""
    return (
        ExerciseSession.objects.filter(client_scope(user, domain=AccessDomain.WORKOUTS))
        .filter(client=client, exercise_id=exercise_id)
        .order_by("-date", "-id")
    )


def personal_records(
    *, user: User, client: Client, exercise_id: int | None = None
) -> list[records.Record]:
    """Computed on read from the client's sessions (one query), so editing or deleting a log
    can never leave a stale record behind."""
    rows = (
        ExerciseSession.objects.filter(client_scope(user, domain=AccessDomain.WORKOUTS))
        .filter(client=client)
        .order_by("date", "id")
        .values("exercise_id", "date", "top_weight_kg", "top_reps", "e1rm_kg", "rep_bests")
    )
    if exercise_id is not None:
        rows = rows.filter(exercise_id=exercise_id)
    return records.records(rows)
