"""Reads of workout logs, meal logs and check-ins, always scoped to the caller.

A trainer sees the entries of their own clients, a client only their own; anybody else
sees nothing. Objects outside the scope are therefore 404, never 403.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from accounts.models import User
from clients.models import AccessDomain
from clients.selectors import client_scope
from progress.models import CheckIn, MealLog, WorkoutLog

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
