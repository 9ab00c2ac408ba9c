"""Writes of workout logs, meal logs and check-ins (business rules live here).

Offline-safe creation: the app may send its own UUID. The first request with an id
creates the row; a retry with the same id by the same client gets the stored row back
(`created=False`, the view answers 200) and the retried body is ignored, because the
first write won. The same id used by somebody else is a 409. Concurrent retries are
settled by the primary key: the insert runs in a savepoint, and the loser of the race
catches the IntegrityError and re-reads the winner's row.

The activity feed row is written by `dashboard.receivers` on post_save, inside the same
transaction, so it commits or rolls back with the entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, NotFound

from accounts.models import User
from clients.models import Client
from exercises.selectors import exercises_visible
from fitbud.api.exceptions import Conflict
from plans.models import PlanAssignment, PlanKind
from plans.selectors import assignment_day
from progress import records
from progress.models import CheckIn, ExerciseSession, MealLog, WorkoutLog
from progress.signals import record_set

Entry = TypeVar("Entry", WorkoutLog, MealLog, CheckIn)

# Fields the review writes; saves touching only these are not the client's edits.
REVIEW_FIELDS = frozenset({"feedback", "reviewed_at", "reviewed_by", "updated_at"})
MACROS = ("calories", "protein_g", "carbs_g", "fat_g")


class IdInUse(Conflict):
    default_detail = "This id is already used by another entry."
    default_code = "id_in_use"


class CheckInExists(Conflict):
    default_detail = "There is already a check-in for this week; edit it instead."
    default_code = "checkin_exists"


class EntryLocked(Conflict):
    default_detail = "This entry can no longer be changed."
    default_code = "entry_locked"


class WorkoutLogChanges(TypedDict, total=False):
    """A PATCH: only the fields the client sent."""

    date: date
    assignment: int | None
    day_index: int | None
    exercises: list[dict[str, Any]]
    duration_minutes: int | None
    effort: int | None
    notes: str


class MealLogChanges(TypedDict, total=False):
    date: date
    meal: str
    items: list[dict[str, Any]]
    notes: str


class CheckInChanges(TypedDict, total=False):
    date: date
    weight_kg: Decimal | None
    measurements: dict[str, float] | None
    sleep: int | None
    energy: int | None
    stress: int | None
    adherence: int | None
    notes: str


def edit_window() -> timedelta:
    return timedelta(days=getattr(settings, "PROGRESS_EDIT_WINDOW_DAYS", 7))


def _ensure_editable(entry: WorkoutLog | MealLog | CheckIn) -> None:
    if timezone.now() - entry.created_at > edit_window():
        raise EntryLocked(
            f"Entries can be changed or deleted for {edit_window().days} days after "
            "they were logged.",
            code="edit_window_closed",
        )
    if isinstance(entry, CheckIn) and entry.reviewed_at is not None:
        raise EntryLocked(
            "Your trainer has already reviewed this check-in, so it can no longer change.",
            code="checkin_reviewed",
        )


def _existing(model: type[Entry], *, entry_id: uuid.UUID, client: Client) -> Entry | None:
    """The stored row for a retried id, or 409 when the id belongs to somebody else."""
    row = model.objects.filter(pk=entry_id).first()
    if row is None:
        return None
    if row.client_id != client.pk:
        raise IdInUse()
    return row


def _insert(
    model: type[Entry],
    *,
    client: Client,
    entry_id: uuid.UUID | None,
    build: Callable[[], Entry],
    on_integrity_error: Callable[[], None] | None = None,
) -> tuple[Entry, bool]:
    if entry_id is not None:
        existing = _existing(model, entry_id=entry_id, client=client)
        if existing is not None:
            return existing, False
    entry = build()
    if entry_id is not None:
        entry.pk = entry_id
    try:
        # A savepoint, so that losing a race leaves the outer transaction usable.
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError:
        if entry_id is not None:
            existing = _existing(model, entry_id=entry_id, client=client)
            if existing is not None:
                return existing, False
        if on_integrity_error is not None:
            on_integrity_error()
        raise
    return entry, True


# Workout logs ------------------------------------------------------------------------------


def _workout_target(
    *, client: Client, assignment_id: int | None, day_index: int | None, on_date: date
) -> tuple[PlanAssignment | None, int | None, dict[str, Any] | None]:
    """Check the plan reference of a workout log; return (assignment, day_index, target)."""
    if assignment_id is None:
        if day_index is not None:
            raise ValidationError(
                {"day_index": ValidationError("day_index needs an assignment.", code="invalid")}
            )
        return None, None, None
    # The same error whether the id exists elsewhere or not at all: ids leak nothing.
    assignment = PlanAssignment.objects.filter(
        pk=assignment_id, client=client, kind=PlanKind.WORKOUT
    ).first()
    if assignment is None:
        raise NotFound(
            {"assignment": ErrorDetail("No workout plan of yours has this id.", code="not_found")}
        )
    days = (assignment.snapshot or {}).get("days") or []
    if day_index is None:
        planned = assignment_day(assignment, on_date)
        if planned is None:
            raise ValidationError(
                {
                    "day_index": ValidationError(
                        "The plan has no day for this date; send the day_index you followed.",
                        code="required",
                    )
                }
            )
        return assignment, planned[0], planned[1]
    if day_index >= len(days):
        raise ValidationError(
            {
                "day_index": ValidationError(
                    f"The plan has {len(days)} days (0 to {max(len(days) - 1, 0)}).",
                    code="out_of_range",
                )
            }
        )
    return assignment, day_index, days[day_index]


def _library_exercises(*, client: Client, exercises: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check the `exercise` ids of a log (the global library or the client's trainer's: a
    400 at the path otherwise) and name the unnamed ones after the library, so the log
    reads well even if the exercise is renamed or deleted later."""
    wanted = [item.get("exercise") for item in exercises if item.get("exercise") is not None]
    if not wanted:
        return exercises
    visible = exercises_visible(user=client.user, ids=wanted)
    missing = {
        f"exercises[{i}].exercise": [
            ValidationError("No exercise with this id in your library.", code="not_found")
        ]
        for i, item in enumerate(exercises)
        if item.get("exercise") is not None and item["exercise"] not in visible
    }
    if missing:
        raise ValidationError(missing)
    named = []
    for item in exercises:
        if item.get("exercise") is not None and not item.get("name"):
            item = {**item, "name": visible[item["exercise"]].name}
        named.append(item)
    return named


def _sessions_sync(log: WorkoutLog) -> None:
    """Rewrite the log's exercise sessions from its sets, and tell the spine about every
    personal record a session sets (progress.signals.record_set, same transaction)."""
    summaries = records.summarize(log.exercises or [])
    before = {s.exercise_id: s for s in ExerciseSession.objects.filter(log=log)}
    stale = [
        pk
        for exercise_id, pk in ((e, s.pk) for e, s in before.items())
        if exercise_id not in summaries
    ]
    if stale:
        ExerciseSession.objects.filter(pk__in=stale).delete()
    if not summaries:
        return
    others: dict[int, list[dict[str, Any]]] = {}
    rows = (
        ExerciseSession.objects.filter(client_id=log.client_id, exercise_id__in=list(summaries))
        .exclude(log=log)
        .values("exercise_id", "top_weight_kg", "e1rm_kg", "rep_bests")
    )
    for row in rows:
        others.setdefault(row["exercise_id"], []).append(row)
    news = []
    for exercise_id, summary in summaries.items():
        old = before.get(exercise_id)
        previous = None
        if old is not None:
            previous = records.SessionSummary(
                top_reps=old.top_reps,
                top_weight_kg=old.top_weight_kg,
                volume_kg=old.volume_kg,
                e1rm_kg=old.e1rm_kg,
                set_count=old.set_count,
                rep_bests=old.rep_bests,
            )
        ExerciseSession.objects.update_or_create(
            log=log,
            exercise_id=exercise_id,
            defaults={
                "client_id": log.client_id,
                "date": log.date,
                "top_reps": summary.top_reps,
                "top_weight_kg": summary.top_weight_kg,
                "volume_kg": summary.volume_kg,
                "e1rm_kg": summary.e1rm_kg,
                "set_count": summary.set_count,
                "rep_bests": summary.rep_bests,
            },
        )
        found = records.broken(summary, others.get(exercise_id, []), before=previous)
        if found:
            news.append((exercise_id, found))
    if news:
        from exercises.models import Exercise

        names = Exercise.objects.in_bulk([exercise_id for exercise_id, _ in news])
        for exercise_id, found in news:
            record_set.send(sender=WorkoutLog, log=log, exercise=names[exercise_id], records=found)


@transaction.atomic
def workout_log_create(
    *,
    client: Client,
    date: date,
    exercises: list[dict[str, Any]],
    id: uuid.UUID | None = None,
    assignment: int | None = None,
    day_index: int | None = None,
    duration_minutes: int | None = None,
    effort: int | None = None,
    notes: str = "",
) -> tuple[WorkoutLog, bool]:
    def build() -> WorkoutLog:
        plan, index, target = _workout_target(
            client=client, assignment_id=assignment, day_index=day_index, on_date=date
        )
        return WorkoutLog(
            client=client,
            date=date,
            assignment=plan,
            day_index=index,
            target=target,
            exercises=_library_exercises(client=client, exercises=exercises),
            duration_minutes=duration_minutes,
            effort=effort,
            notes=notes,
        )

    log, created = _insert(WorkoutLog, client=client, entry_id=id, build=build)
    if created:
        _sessions_sync(log)
    return log, created


@transaction.atomic
def workout_log_update(*, log: WorkoutLog, changes: WorkoutLogChanges) -> WorkoutLog:
    _ensure_editable(log)
    if not changes:
        return log  # nothing to save, nothing to report
    plan_fields = {"assignment", "day_index", "date"}
    if plan_fields & set(changes):
        assignment_id = changes.get("assignment", log.assignment_id)
        day_index = changes.get("day_index", log.day_index)
        if "assignment" in changes and "day_index" not in changes:
            day_index = None  # a new plan: take its day for the date unless told otherwise
        plan, index, target = _workout_target(
            client=log.client,
            assignment_id=assignment_id,
            day_index=day_index,
            on_date=changes.get("date", log.date),
        )
        log.assignment, log.day_index, log.target = plan, index, target
    if "exercises" in changes:
        changes["exercises"] = _library_exercises(client=log.client, exercises=changes["exercises"])
    for field in ("date", "exercises", "duration_minutes", "effort", "notes"):
        if field in changes:
            setattr(log, field, changes[field])
    log.save()
    if {"date", "exercises"} & set(changes):
        _sessions_sync(log)
    return log


# Meal logs ---------------------------------------------------------------------------------


def _meal_totals(items: list[dict[str, Any]]) -> dict[str, Decimal]:
    totals = {}
    for macro in MACROS:
        total = sum((Decimal(str(item.get(macro) or 0)) for item in items), Decimal(0))
        totals[macro] = total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return totals


@transaction.atomic
def meal_log_create(
    *,
    client: Client,
    date: date,
    meal: str,
    items: list[dict[str, Any]],
    id: uuid.UUID | None = None,
    notes: str = "",
) -> tuple[MealLog, bool]:
    def build() -> MealLog:
        return MealLog(
            client=client, date=date, meal=meal, items=items, notes=notes, **_meal_totals(items)
        )

    return _insert(MealLog, client=client, entry_id=id, build=build)


@transaction.atomic
def meal_log_update(*, log: MealLog, changes: MealLogChanges) -> MealLog:
    _ensure_editable(log)
    if not changes:
        return log  # nothing to save, nothing to report
    for field in ("date", "meal", "items", "notes"):
        if field in changes:
            setattr(log, field, changes[field])
    if "items" in changes:
        for macro, total in _meal_totals(log.items).items():
            setattr(log, macro, total)
    log.save()
    return log


# Check-ins ---------------------------------------------------------------------------------


def _week_start(on_date: date) -> date:
    return on_date - timedelta(days=on_date.weekday())


def _week_taken(*, client: Client, on_date: date, exclude: uuid.UUID | None = None) -> bool:
    rows = CheckIn.objects.filter(client=client, week_start=_week_start(on_date))
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.exists()


@transaction.atomic
def check_in_create(
    *,
    client: Client,
    date: date,
    id: uuid.UUID | None = None,
    weight_kg: Decimal | None = None,
    measurements: dict[str, float] | None = None,
    sleep: int | None = None,
    energy: int | None = None,
    stress: int | None = None,
    adherence: int | None = None,
    notes: str = "",
) -> tuple[CheckIn, bool]:
    def build() -> CheckIn:
        # Checked first for a clear answer; the unique constraint settles concurrent requests.
        if _week_taken(client=client, on_date=date):
            raise CheckInExists()
        return CheckIn(
            client=client,
            date=date,
            weight_kg=weight_kg,
            measurements=measurements or {},
            sleep=sleep,
            energy=energy,
            stress=stress,
            adherence=adherence,
            notes=notes,
        )

    def week_conflict() -> None:
        if _week_taken(client=client, on_date=date):
            raise CheckInExists()

    return _insert(
        CheckIn, client=client, entry_id=id, build=build, on_integrity_error=week_conflict
    )


@transaction.atomic
def check_in_update(*, check_in: CheckIn, changes: CheckInChanges) -> CheckIn:
    _ensure_editable(check_in)
    if not changes:
        return check_in  # nothing to save, nothing to report
    fields = ("date", "weight_kg", "measurements", "sleep", "energy", "stress", "adherence")
    for field in (*fields, "notes"):
        if field in changes:
            value = changes[field]
            if field == "measurements" and value is None:
                value = {}
            setattr(check_in, field, value)
    if "date" in changes and _week_taken(
        client=check_in.client, on_date=check_in.date, exclude=check_in.pk
    ):
        raise CheckInExists()
    try:
        with transaction.atomic():
            check_in.save()
    except IntegrityError:
        if _week_taken(client=check_in.client, on_date=check_in.date, exclude=check_in.pk):
            raise CheckInExists() from None
        raise
    return check_in


@transaction.atomic
def check_in_review(*, check_in: CheckIn, reviewer: User, feedback: str) -> CheckIn:
    check_in.feedback = feedback
    check_in.reviewed_at = timezone.now()
    check_in.reviewed_by = reviewer
    check_in.updated_at = check_in.reviewed_at
    # update_fields tells the feed receiver this is the trainer's review, not a client edit.
    check_in.save(update_fields=sorted(REVIEW_FIELDS))
    return check_in


# Deletion ----------------------------------------------------------------------------------


@transaction.atomic
def entry_delete(*, entry: WorkoutLog | MealLog | CheckIn) -> None:
    _ensure_editable(entry)
    entry.delete()
