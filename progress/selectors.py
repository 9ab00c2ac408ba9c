"""Reads of workout logs, meal logs and check-ins, always scoped to the caller.

A trainer sees the entries of their own clients, a client only their own; anybody else
sees nothing. Objects outside the scope are therefore 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from rest_framework.exceptions import ErrorDetail, NotFound

from accounts.models import User, membership_of
from clients.models import AccessDomain, Client
from clients.selectors import client_scope
from progress import records, units
from progress.models import (
    BodyStat,
    CheckIn,
    ExerciseSession,
    MealLog,
    MetricType,
    ProgressPhoto,
    WorkoutLog,
)

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


# Progress photos and body metrics ----------------------------------------------------------
# Photos, body stats and series are part of the check-in record (AccessDomain.CHECKINS).


def photo_list(*, user: User) -> QuerySet[ProgressPhoto]:
    return _scoped(
        ProgressPhoto.objects.select_related("client"), user=user, domain=AccessDomain.CHECKINS
    )


def body_stat_list(*, user: User) -> QuerySet[BodyStat]:
    return _scoped(
        BodyStat.objects.select_related("metric_type"), user=user, domain=AccessDomain.CHECKINS
    )


def metric_type_list(*, user: User) -> QuerySet[MetricType]:
    """The one rule of which metric types a user sees: a studio's types are its members'
    and its clients' (who changes one is metric_type_editable)."""
    if user.is_authenticated and user.is_trainer:
        member = membership_of(user)
        if member is None:
            return MetricType.objects.none()
        return MetricType.objects.filter(studio_id=member.studio_id)
    if user.is_authenticated and user.is_client:
        link = Client.objects.filter(user=user).values("studio_id")
        return MetricType.objects.filter(studio_id__in=link)
    return MetricType.objects.none()


def metric_type_editable(*, user: User, metric_type: MetricType) -> bool:
    """Its author and the studio's owners and admins rename or delete a metric type."""
    if metric_type.trainer_id == user.pk:
        return True
    member = membership_of(user)
    return (
        member is not None and member.studio_id == metric_type.studio_id and member.manages_studio
    )


def client_for(*, user: User, client_id: int | None, attr: str = "client") -> Client:
    """The client whose check-in record `user` reads: a trainer names one (`?client=`), a
    client reads their own. Anyone else's is 404."""
    scoped = Client.objects.filter(client_scope(user, domain=AccessDomain.CHECKINS, prefix=""))
    if client_id is None:
        if user.is_client:
            found = scoped.first()
            if found is not None:
                return found
        raise NotFound({attr: ErrorDetail("Name the client (`?client=<id>`).", code="required")})
    found = scoped.filter(pk=client_id).first()
    if found is None:
        raise NotFound({attr: ErrorDetail("No client of yours has this id.", code="not_found")})
    return found


@dataclass(frozen=True)
class MetricDefinition:
    slug: str
    kind: str
    unit: str  # the stored unit (kg, cm, %) or a number type's own label
    metric_type: MetricType | None = None


def metric_definition(*, user: User, slug: str) -> MetricDefinition | None:
    """A built-in metric, or a custom type `user` sees; None when there is no such slug."""
    kind = units.BUILTIN_METRICS.get(slug)
    if kind is not None:
        return MetricDefinition(slug, kind, units.METRIC_UNITS[kind])
    custom = metric_type_list(user=user).filter(slug=slug).first()
    if custom is None:
        return None
    return MetricDefinition(slug, custom.kind, custom.unit, custom)


def metric_series(
    *, user: User, client: Client, metric: MetricDefinition, date_from: date, date_to: date
) -> dict:
    """One point per day from `date_from` to `date_to`, in `user`'s units.

    Body-stat entries and check-ins are merged; on a day with both, the entry wins (the
    latest recorded that day): an entry is a dedicated measurement, a check-in's figure
    its weekly summary.
    """
    by_day: dict[date, Decimal] = {}
    check_in_key = units.CHECK_IN_KEYS.get(metric.slug) if metric.metric_type is None else None
    if check_in_key is not None:
        check_ins = CheckIn.objects.filter(client=client, date__range=(date_from, date_to))
        if check_in_key == "weight_kg":
            rows = check_ins.filter(weight_kg__isnull=False).values_list("date", "weight_kg")
            for day, value in rows.order_by("date", "created_at"):
                by_day[day] = Decimal(value)
        else:
            rows = check_ins.values_list("date", "measurements")
            for day, measurements in rows.order_by("date", "created_at"):
                value = (measurements or {}).get(check_in_key)
                if value is not None:
                    by_day[day] = Decimal(str(value))
    same_metric = (
        Q(metric_type=metric.metric_type)
        if metric.metric_type is not None
        else Q(metric=metric.slug, metric_type__isnull=True)
    )
    entries = BodyStat.objects.filter(
        same_metric, client=client, date__range=(date_from, date_to)
    ).values_list("date", "value")
    for day, value in entries.order_by("date", "created_at", "id"):
        by_day[day] = value
    # Plain JSON types here: a year of points through a DRF serializer cost more than the
    # queries (the view documents the shape with MetricSeriesSerializer).
    return {
        "metric": metric.slug,
        "unit": units.unit_for(kind=metric.kind, user=user, own_unit=metric.unit),
        "points": [
            {
                "date": day.isoformat(),
                "value": float(units.to_shown(by_day[day], kind=metric.kind, user=user)),
            }
            for day in sorted(by_day)
        ],
    }
