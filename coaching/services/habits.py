"""Writes of habits and their checks.

A check is one row per (habit, local date): re-sending the same date returns the stored
row (200) and takes the new value, so the app can retry or correct freely. Concurrent
first sends are settled by the unique constraint: the insert runs in a savepoint and the
loser re-reads the winner's row. `habit_completed` goes out (inside the transaction) when
a date becomes done: created done, or a value raised to the goal.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from clients.models import Client
from coaching.models import Habit, HabitCheck, HabitFrequency
from coaching.signals import habit_completed

# How far ahead of the client's local today a check may be dated (a phone in a timezone
# ahead of the profile's, as for logs).
FUTURE_TOLERANCE_DAYS = 1
HABIT_FIELDS = ("title", "description", "frequency", "target", "goal", "unit")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_shape(*, frequency: str, target: int, start_date: date, end_date: date | None):
    if frequency == HabitFrequency.DAILY and target != 1:
        raise _error(
            "target",
            "A daily habit is done once a day (target 1); use goal for an amount per day.",
            "invalid",
        )
    if frequency == HabitFrequency.WEEKLY and not 1 <= target <= 7:
        raise _error("target", "A weekly habit's target is 1 to 7 days.", "out_of_range")
    if end_date is not None and end_date < start_date:
        raise _error("end_date", "end_date cannot be before start_date.", "invalid")


@transaction.atomic
def habit_create(
    *,
    client: Client,
    assigned_by: User,
    title: str,
    frequency: str,
    start_date: date,
    target: int = 1,
    description: str = "",
    goal: Decimal | None = None,
    unit: str = "",
    end_date: date | None = None,
) -> Habit:
    _check_shape(frequency=frequency, target=target, start_date=start_date, end_date=end_date)
    return Habit.objects.create(
        client=client,
        assigned_by=assigned_by,
        title=title,
        description=description,
        frequency=frequency,
        target=target,
        goal=goal,
        unit=unit,
        start_date=start_date,
        end_date=end_date,
    )


@transaction.atomic
def habit_update(*, habit: Habit, changes: dict[str, Any]) -> Habit:
    """Change any of the habit's fields. Past checks stay; a new goal applies to how every
    date is counted from now on (streaks and rates are derived on read)."""
    for field in (*HABIT_FIELDS, "start_date", "end_date"):
        if field in changes:
            value = changes[field]
            if field in ("description", "unit") and value is None:
                value = ""
            setattr(habit, field, value)
    _check_shape(
        frequency=habit.frequency,
        target=habit.target,
        start_date=habit.start_date,
        end_date=habit.end_date,
    )
    habit.save()
    return habit


@transaction.atomic
def habit_delete(*, habit: Habit) -> None:
    habit.delete()


def _check_date(*, habit: Habit, on_date: date) -> None:
    today = habit.client.user.local_today()
    if on_date > today + timedelta(days=FUTURE_TOLERANCE_DAYS):
        raise _error("date", "This date is in the future.", "future")
    if on_date < habit.start_date or (habit.end_date is not None and on_date > habit.end_date):
        raise _error(
            "date", "This date is outside the habit's start and end dates.", "out_of_range"
        )


@transaction.atomic
def habit_check(
    *, habit: Habit, on_date: date, value: Decimal | None = None
) -> tuple[HabitCheck, bool]:
    """Mark the habit done on a local date; returns (check, created)."""
    if habit.is_numeric and value is None:
        raise _error(
            "value", f"This habit counts an amount ({habit.unit or 'a number'}).", "required"
        )
    if not habit.is_numeric and value is not None:
        raise _error("value", "This habit has no goal, so a check carries no value.", "invalid")
    _check_date(habit=habit, on_date=on_date)
    created = True
    try:
        with transaction.atomic():
            check = HabitCheck.objects.create(
                habit=habit, client_id=habit.client_id, date=on_date, value=value
            )
        was_done = False
    except IntegrityError:
        created = False
        check = HabitCheck.objects.select_for_update().get(habit=habit, date=on_date)
        was_done = habit.meets_goal(check.value)
        if check.value != value:
            check.value = value
            check.save(update_fields=["value", "updated_at"])
    check.habit = habit
    if not was_done and check.done:
        habit_completed.send(sender=HabitCheck, check=check)
    return check, created


@transaction.atomic
def habit_uncheck(*, habit: Habit, on_date: date) -> None:
    """Undo the check of a date; nothing to undo is fine (the app may retry)."""
    for check in HabitCheck.objects.filter(habit=habit, date=on_date):
        check.delete()
