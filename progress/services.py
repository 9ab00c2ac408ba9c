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

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.exceptions import ErrorDetail, NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts.models import User
from clients.models import Client
from exercises.selectors import exercises_visible
from fitbud.api import response_cache
from fitbud.api.exceptions import Conflict
from fitbud.background import enqueue
from plans.models import PlanAssignment, PlanKind
from plans.selectors import assignment_day
from progress import images, photo_files, records, selectors, units
from progress import signals as progress_signals
from progress.models import (
    BodyStat,
    CheckIn,
    ExerciseSession,
    MealLog,
    MetricKind,
    MetricType,
    ProgressPhoto,
    WorkoutLog,
)
from progress.signals import record_set

logger = logging.getLogger(__name__)

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


class _InsertRaceLost(Exception):
    """The insert of a client-chosen id lost a race in a transaction of its own: the
    caller's transaction is rolled back, and _retried_outside reads the winner's row."""

    def __init__(self, model: type[Entry], entry_id: uuid.UUID):
        super().__init__(entry_id)
        self.model, self.entry_id = model, entry_id


def _retried_outside(create: Callable[..., tuple[Entry, bool]]):
    """For a create service whose _insert passes outside_retry: when the insert lost a race
    (the same id committed meanwhile), the stored entry is read after the rollback."""

    @functools.wraps(create)
    def wrapper(*, client: Client, **kwargs):
        try:
            return create(client=client, **kwargs)
        except _InsertRaceLost as lost:
            existing = _existing(lost.model, entry_id=lost.entry_id, client=client)
            if existing is not None:
                return existing, False
            raise lost.__cause__ from None

    return wrapper


def _insert(
    model: type[Entry],
    *,
    client: Client,
    entry_id: uuid.UUID | None,
    build: Callable[[], Entry],
    on_integrity_error: Callable[[], None] | None = None,
    outside_retry: bool = False,
) -> tuple[Entry, bool]:
    if entry_id is not None:
        existing = _existing(model, entry_id=entry_id, client=client)
        if existing is not None:
            return existing, False
    entry = build()
    if entry_id is not None:
        entry.pk = entry_id
    outermost = not transaction.get_connection().savepoint_ids
    if outside_retry and outermost and entry_id is not None and on_integrity_error is None:
        # The caller's transaction is the outermost one (a request's): no savepoint (two
        # round trips on every insert); a lost race rolls the whole transaction back and
        # _retried_outside answers with the stored entry.
        try:
            entry.save(force_insert=True)
        except IntegrityError as exc:
            raise _InsertRaceLost(model, entry_id) from exc
        return entry, True
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


def _sessions_sync(log: WorkoutLog, *, new: bool = False) -> None:
    """Rewrite the log's exercise sessions from its sets, and tell the spine about every
    personal record a session sets (progress.signals.record_set, same transaction). A log
    just inserted (`new`) has no sessions yet: nothing to read."""
    summaries = records.summarize(log.exercises or [])
    sessions = [] if new else ExerciseSession.objects.filter(log=log)
    before = {s.exercise_id: s for s in sessions}
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


@_retried_outside
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

    log, created = _insert(WorkoutLog, client=client, entry_id=id, build=build, outside_retry=True)
    if created:
        _sessions_sync(log, new=True)
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
    # The spine's `checkin.reviewed` (the client's notification), not a feed edit.
    progress_signals.check_in_reviewed.send(sender=CheckIn, check_in=check_in)
    return check_in


# Deletion ----------------------------------------------------------------------------------


@transaction.atomic
def entry_delete(*, entry: WorkoutLog | MealLog | CheckIn) -> None:
    _ensure_editable(entry)
    entry.delete()


# Progress photos ---------------------------------------------------------------------------


def _delete_files(keys: list[str]) -> None:
    storage = photo_files.photo_storage()
    for key in keys:
        if key:
            try:
                storage.delete(key)
            except Exception:  # a file already gone, a storage hiccup: log, never fail
                logger.exception("Could not delete photo file %s", key)


def photo_upload(
    *,
    client: Client,
    image: Any,
    date: date,
    pose: str,
    check_in: uuid.UUID | None = None,
) -> ProgressPhoto:
    """Check the upload (progress/images.py), store the clean file, record the photo and
    its `photo.uploaded` event in one transaction; the thumbnail is made by the worker.
    A file stored for a transaction that then fails is deleted again."""
    linked = None
    if check_in is not None:
        # The same error whether the id exists elsewhere or not at all.
        linked = CheckIn.objects.filter(pk=check_in, client=client).first()
        if linked is None:
            raise NotFound(
                {"check_in": ErrorDetail("No check-in of yours has this id.", code="not_found")}
            )
    clean = images.clean_image(image.read())
    photo_id = uuid.uuid4()
    storage = photo_files.photo_storage()
    key = storage.save(f"photos/{client.pk}/{photo_id}.{clean.extension}", ContentFile(clean.data))
    try:
        with transaction.atomic():
            photo = ProgressPhoto(
                id=photo_id,
                client=client,
                date=date,
                pose=pose,
                check_in=linked,
                image_key=key,
                content_type=clean.content_type,
                width=clean.width,
                height=clean.height,
                size_bytes=len(clean.data),
            )
            photo.save(force_insert=True)
            progress_signals.photo_uploaded.send(sender=ProgressPhoto, photo=photo)
            from progress.tasks import photo_thumbnail_make_task

            enqueue(photo_thumbnail_make_task, photo_id=str(photo.pk))
    except BaseException:
        _delete_files([key])
        raise
    return photo


def photo_thumbnail_make(*, photo_id: str) -> bool:
    """Make a photo's thumbnail. Idempotent: a photo that has one, or is gone, is skipped;
    a thumbnail made for a photo deleted meanwhile (or by a concurrent run) is removed."""
    photo = ProgressPhoto.objects.filter(pk=photo_id).select_related("client").first()
    if photo is None or photo.thumbnail_key:
        return False
    storage = photo_files.photo_storage()
    with storage.open(photo.image_key, "rb") as handle:
        data = handle.read()
    key = storage.save(
        f"photos/{photo.client_id}/{photo.pk}-thumb.jpg", ContentFile(images.thumbnail(data))
    )
    with transaction.atomic():
        stored = ProgressPhoto.objects.filter(pk=photo.pk, thumbnail_key="").update(
            thumbnail_key=key, updated_at=timezone.now()
        )
        if stored:
            # update() bypasses post_save: move the tenant's cache generation by hand.
            response_cache.invalidate_tenant(photo.client.trainer_id)
    if not stored:
        _delete_files([key])
    return bool(stored)


@transaction.atomic
def photo_delete(*, photo: ProgressPhoto) -> None:
    # Its files go after the commit (on_photo_deleted), as for a client deleted with them.
    photo.delete()


def on_photo_deleted(sender, instance: ProgressPhoto, **kwargs) -> None:
    """post_delete (connected in ProgressConfig.ready): whoever deletes a photo row — this
    service, a cascade from its client, the admin — its files go once that has committed;
    a rolled-back delete keeps them."""
    keys = [instance.image_key, instance.thumbnail_key]
    transaction.on_commit(lambda: _delete_files(keys), using=kwargs.get("using"))


# Body metrics ------------------------------------------------------------------------------


class MetricTypeInUse(Conflict):
    default_detail = "Entries use this metric type; it cannot be deleted."
    default_code = "metric_type_in_use"


class SlugTaken(Conflict):
    default_detail = "The studio already has a metric type with this slug."
    default_code = "slug_taken"


def _metric_for(*, client: Client, slug: str) -> selectors.MetricDefinition:
    definition = selectors.metric_definition(user=client.user, slug=slug)
    if definition is None:
        raise ValidationError({"metric": ValidationError(_UNKNOWN_METRIC, code="unknown_metric")})
    return definition


_UNKNOWN_METRIC = (
    "Not a built-in metric (weight, body_fat, waist, chest, hips, thigh, arm) nor a metric "
    "type of your trainer."
)


def _stored_value(
    *, value: Decimal, definition: selectors.MetricDefinition, user: User
) -> Decimal | None:
    """The value in metric units, or None when it is out of the kind's plausible range."""
    stored = units.to_stored(value, kind=definition.kind, user=user)
    low, high = units.LIMITS[definition.kind]
    return stored if low <= stored <= high else None


def _out_of_range(definition: selectors.MetricDefinition, user: User) -> str:
    low, high = units.LIMITS[definition.kind]
    unit = units.unit_for(kind=definition.kind, user=user, own_unit=definition.unit)
    shown_low = units.to_shown(low, kind=definition.kind, user=user)
    shown_high = units.to_shown(high, kind=definition.kind, user=user)
    return f"Must be between {shown_low} and {shown_high} {unit}".rstrip() + "."


@transaction.atomic
def body_stat_create(
    *,
    client: Client,
    date: date,
    metric: str,
    value: Decimal,
    id: uuid.UUID | None = None,
) -> tuple[BodyStat, bool]:
    """An entry in the client's units (User.units). Idempotent by `id` like the logs."""

    def build() -> BodyStat:
        definition = _metric_for(client=client, slug=metric)
        stored = _stored_value(value=value, definition=definition, user=client.user)
        if stored is None:
            raise ValidationError(
                {"value": ValidationError(_out_of_range(definition, client.user), code="range")}
            )
        return BodyStat(
            client=client,
            date=date,
            metric=metric,
            metric_type=definition.metric_type,
            value=stored,
        )

    stat, created = _insert(BodyStat, client=client, entry_id=id, build=build)  # type: ignore[type-var]
    if created:
        progress_signals.metric_logged.send(
            sender=BodyStat, client=client, stat=stat, count=1, source=stat.source
        )
    return stat, created


@transaction.atomic
def body_stat_delete(*, stat: BodyStat) -> None:
    stat.delete()


MAX_IMPORT_RECORDS = 1000


@transaction.atomic
def body_stats_import(
    *, client: Client, source: str, records: list[dict[str, Any]]
) -> dict[str, int]:
    """A batch from the phone's health store. A record already stored for this client and
    source (same `source_id`) is skipped, so a re-sent batch never duplicates, even when two
    copies of it arrive at once (the unique constraint settles that race: ON CONFLICT DO
    NOTHING). The first version of a record wins; later values under its id are ignored.
    One `metric.logged` event per batch that stored something, not one per record."""
    definitions: dict[str, selectors.MetricDefinition | None] = {}
    errors: list[dict[str, Any]] = []
    rows: list[BodyStat] = []
    seen: set[str] = set()
    for record in records:
        slug = record["metric"]
        if slug not in definitions:
            definitions[slug] = selectors.metric_definition(user=client.user, slug=slug)
        definition = definitions[slug]
        problem: dict[str, Any] = {}
        stored = None
        if definition is None:
            problem["metric"] = [ErrorDetail(_UNKNOWN_METRIC, code="unknown_metric")]
        else:
            stored = _stored_value(value=record["value"], definition=definition, user=client.user)
            if stored is None:
                problem["value"] = [
                    ErrorDetail(_out_of_range(definition, client.user), code="range")
                ]
        errors.append(problem)
        if problem or record["source_id"] in seen:
            continue
        seen.add(record["source_id"])
        assert definition is not None and stored is not None
        rows.append(
            BodyStat(
                id=uuid.uuid4(),
                client=client,
                date=record["date"],
                metric=slug,
                metric_type=definition.metric_type,
                value=stored,
                source=source,
                source_id=record["source_id"],
            )
        )
    if any(errors):
        raise DRFValidationError({"records": errors})
    # No post_save per row (a batch is one event, sent below), hence bulk_create.
    BodyStat.objects.bulk_create(rows, ignore_conflicts=True)
    # Our pre-made ids that are in the table now are exactly the rows this call inserted.
    ours = BodyStat.objects.filter(pk__in=[row.pk for row in rows])
    count = ours.count() if rows else 0
    if count:
        # bulk_create bypasses post_save: move the tenant's cache generation by hand.
        response_cache.invalidate_tenant(client.trainer_id)
        progress_signals.metric_logged.send(
            sender=BodyStat,
            client=client,
            stat=ours.order_by("date", "id").first(),
            count=count,
            source=source,
        )
    return {"received": len(records), "created": count, "skipped": len(records) - count}


def _slug_from(name: str) -> str:
    slug = slugify(name).replace("-", "_")[:40].strip("_")
    return slug if slug and slug[0].isalpha() else f"m_{slug}"[:40]


@transaction.atomic
def metric_type_create(
    *, trainer: User, name: str, kind: str, unit: str = "", slug: str | None = None
) -> MetricType:
    slug = slug or _slug_from(name)
    if slug in units.BUILTIN_METRICS:
        raise ValidationError(
            {"slug": ValidationError("This slug names a built-in metric.", code="reserved")}
        )
    if kind != MetricKind.NUMBER:
        unit = units.METRIC_UNITS[kind]
    metric_type = MetricType(trainer=trainer, name=name, slug=slug, kind=kind, unit=unit)
    try:
        with transaction.atomic():
            metric_type.save(force_insert=True)
    except IntegrityError:
        raise SlugTaken() from None
    return metric_type


@transaction.atomic
def metric_type_update(*, metric_type: MetricType, changes: dict[str, Any]) -> MetricType:
    if "name" in changes:
        metric_type.name = changes["name"]
    if "unit" in changes and metric_type.kind == MetricKind.NUMBER:
        metric_type.unit = changes["unit"]
    metric_type.save()
    return metric_type


@transaction.atomic
def metric_type_delete(*, metric_type: MetricType) -> None:
    if BodyStat.objects.filter(metric_type=metric_type).exists():
        raise MetricTypeInUse()
    try:
        with transaction.atomic():
            metric_type.delete()
    except ProtectedError:  # an entry arrived meanwhile
        raise MetricTypeInUse() from None
