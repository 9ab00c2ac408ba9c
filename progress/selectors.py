"""Reads of workout logs, meal logs and check-ins, always scoped to the caller.

A trainer sees the entries of their own clients, a client only their own; anybody else
sees nothing. Objects outside the scope are therefore 404, never 403.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from accounts.models import User
from progress.models import CheckIn, MealLog, WorkoutLog

M = TypeVar("M", bound=Model)


def _scoped(queryset: QuerySet[M], *, user: User) -> QuerySet[M]:
    # Anonymous users (schema generation) have no role and see nothing.
    if getattr(user, "is_trainer", False):
        return queryset.filter(client__trainer=user)
    if getattr(user, "is_client", False):
        return queryset.filter(client__user=user)
    return queryset.none()


def workout_log_list(*, user: User) -> QuerySet[WorkoutLog]:
    return _scoped(WorkoutLog.objects.all(), user=user)


def meal_log_list(*, user: User) -> QuerySet[MealLog]:
    return _scoped(MealLog.objects.all(), user=user)


def check_in_list(*, user: User) -> QuerySet[CheckIn]:
    return _scoped(CheckIn.objects.all(), user=user)
